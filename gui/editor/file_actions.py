"""File actions: New, Open, Save, Save As, Recent, Examples, Export image.

Opening a bad file shows why in a dialog and leaves the open diagram alone;
a failed save says so and keeps the diagram open and modified. No save or
export may write over the open diagram's file or the CSV file it trains on
(:class:`~gui.document.outputs.Outputs`, used by every writer in the editor),
and pictures are rendered in memory and written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter

import resources
from graph_engine import Diagram, DiagramFileError, load, save
from graph_engine.core.files import SameFileError, check_output, safe_file_name, write_atomic
from graph_engine.model.sources import input_files

from .. import dialogs
from ..canvas.view import CanvasView
from ..document.document import Document
from ..document.outputs import Outputs
from ..files import forget_paths, remember_path, remembered_paths
from ..images import png_bytes, svg_bytes
from ..shell import Shell

EXAMPLES = resources.EXAMPLES
MAX_RECENT = 8
RECENT_KEY = "recentFiles"


def example_paths() -> list[Path]:
    return resources.examples()


def example_title(path: Path) -> tuple[str, str]:
    """An example's title and the first sentence of its description, as File → Open
    Example lists it; a file that cannot be read is listed by its name."""
    try:
        diagram = load(path)
    except DiagramFileError:
        return path.stem.replace("-", " ").capitalize(), ""
    return diagram.title or path.stem, diagram.description.split(". ")[0]


class FileActions(QObject):
    opening = Signal(object)  # a Diagram read from a file, before it is shown (may be adjusted)
    opened = Signal(bool)  # a file or example (True) was opened and is shown
    recent_changed = Signal()  # the list of recent files changed

    def __init__(self, document: Document, view: CanvasView, outputs: Outputs,
                 shell: Shell) -> None:
        super().__init__(document)
        self.document, self.view, self.outputs, self.shell = document, view, outputs, shell

    def _status(self, text: str) -> None:
        self.shell.tell(text, 5000)

    # ------------------------------------------------------------ asking first
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current diagram."""
        if not self.document.modified:
            return True
        answer = dialogs.ask_unsaved(self.shell.main_window(), self.document.display_name)
        if answer == "save":
            return self.save()
        return answer == "discard"

    # ------------------------------------------------------------ new / open
    def new(self) -> None:
        if self.maybe_save():
            self.show(Diagram())

    def show(self, diagram: Diagram, path: str = "") -> None:
        """Show ``diagram`` (from ``path``, "" for none): a new undo history, fitted in view."""
        self.document.replace(diagram, path)
        self.view.fit()

    def open(self) -> None:
        if not self.maybe_save():
            return
        folder = os.path.dirname(self.document.path) if self.document.path else ""
        path = dialogs.open_path(self.shell.main_window(), folder=folder)
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str, ask: bool = True, example: bool = False) -> bool:
        if ask and not self.maybe_save():
            return False
        try:
            diagram = load(path)
        except DiagramFileError as error:
            dialogs.show_error(self.shell.main_window(), "Cannot open diagram", str(error))
            return False
        self.opening.emit(diagram)  # an answer opens under its exercise's locks
        self.show(diagram, "" if example else os.path.abspath(path))
        if not example:
            self.add_recent(os.path.abspath(path))
        what = f"example {diagram.title or Path(path).stem}" if example else path
        self._status(f"Opened {what}")
        self.opened.emit(example)
        return True

    def open_example(self, path: str) -> bool:
        return self.open_path(path, example=True)

    # ------------------------------------------------------------ saving
    def save(self) -> bool:
        if not self.document.path:
            return self.save_as()
        return self._write(self.document.path)

    def save_as(self) -> bool:
        suggestion = self.document.path or _suggested_name(self.document.diagram)
        path = dialogs.save_path(self.shell.main_window(), suggestion=suggestion)
        if not path:
            return False
        return self._write(dialogs.with_suffix(path, ".json"))

    def _write(self, path: str) -> bool:
        if self._over_own_data(path):
            return False
        try:
            save(self.document.diagram, path)
        except OSError as error:
            dialogs.show_error(self.shell.main_window(), "Cannot save diagram",
                               f"{path} could not be written: {error.strerror or error}.\n\n"
                               "Your diagram is still open and unchanged; try another folder.")
            return False
        self.document.set_path(os.path.abspath(path))
        self.document.mark_saved()
        self.add_recent(os.path.abspath(path))
        self._status(f"Saved {path}")
        return True

    def _over_own_data(self, path: str) -> bool:
        """Saving the diagram over the CSV file it trains on would destroy the data."""
        try:
            check_output(path, input_files(self.document.diagram), "diagram")
        except SameFileError as error:
            dialogs.show_error(self.shell.main_window(), "Cannot save diagram",
                               f"{error}.\n\nYour diagram is still open and unchanged.")
            return True
        except (OSError, ValueError):
            return False  # the save itself reports a folder it cannot write to
        return False

    # ------------------------------------------------------------ recent files
    def recent(self) -> list[str]:
        return [p for p in remembered_paths(RECENT_KEY) if os.path.exists(p)]

    def add_recent(self, path: str) -> None:
        remember_path(RECENT_KEY, path, MAX_RECENT)
        self.recent_changed.emit()

    def clear_recent(self) -> None:
        forget_paths(RECENT_KEY)
        self.recent_changed.emit()

    # ------------------------------------------------------------ export image
    def export_image(self) -> None:
        name = Path(self.document.path or _suggested_name(self.document.diagram)).stem
        scene = self.view.scene()
        self.outputs.export_as("canvas", name, lambda path, _: export_scene(scene, path))


def _suggested_name(diagram: Diagram) -> str:
    """A file name from the title, with no character a file system refuses ("Lesson 3:
    XOR" -> lesson-3--xor.json)."""
    stem = "-".join((diagram.title or "diagram").lower().split())
    return safe_file_name(stem + ".json", "diagram")


def _scene_rect(scene) -> QRectF:
    rect = scene.itemsBoundingRect()
    return rect.adjusted(-30, -30, 30, 30) if not rect.isEmpty() else QRectF(0, 0, 400, 300)


def export_scene(scene, path: str) -> None:
    """The canvas as a PNG or (by the name's suffix) SVG file, written atomically;
    OSError on failure, with the old file untouched."""
    data = scene_svg(scene) if path.lower().endswith(".svg") else scene_png(scene)
    write_atomic(path, data)


def scene_png(scene, scale: float = 2.0) -> bytes:
    rect = _scene_rect(scene)
    image = QImage(QSize(int(rect.width() * scale), int(rect.height() * scale)),
                   QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing
                           | QPainter.RenderHint.TextAntialiasing)
    scene.clearSelection()
    scene.render(painter, QRectF(image.rect()), rect)
    painter.end()
    return png_bytes(image)


def scene_svg(scene) -> bytes:
    rect = _scene_rect(scene)
    target = QRectF(0, 0, rect.width(), rect.height())

    def paint(painter: QPainter) -> None:
        scene.clearSelection()
        scene.render(painter, target, rect)

    return svg_bytes(rect.size().toSize(), target, "NetCanvas diagram", paint)
