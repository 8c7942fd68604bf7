"""File actions: New, Open, Save, Save As, Recent, Examples, Export image.

Opening a bad file shows why in a dialog and leaves the open diagram alone;
a failed save says so and keeps the diagram open and modified.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, QSettings, QSize, Qt
from PySide6.QtGui import QImage, QPainter

from graph_engine import Diagram, DiagramFileError, load, save

from .. import dialogs, style

EXAMPLES = style.RESOURCES / "examples"
MAX_RECENT = 8


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


class FileActions(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window

    @property
    def document(self):
        return self.window.document

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 5000)

    # ------------------------------------------------------------ asking first
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current diagram."""
        if not self.document.modified:
            return True
        answer = dialogs.ask_unsaved(self.window, self.document.display_name)
        if answer == "save":
            return self.save()
        return answer == "discard"

    # ------------------------------------------------------------ new / open
    def new(self) -> None:
        if self.maybe_save():
            self.document.replace(Diagram())
            self.window.view.fit()

    def open(self) -> None:
        if not self.maybe_save():
            return
        folder = os.path.dirname(self.document.path) if self.document.path else ""
        path = dialogs.open_path(self.window, folder=folder)
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str, ask: bool = True, example: bool = False) -> bool:
        if ask and not self.maybe_save():
            return False
        try:
            diagram = load(path)
        except DiagramFileError as error:
            dialogs.show_error(self.window, "Cannot open diagram", str(error))
            return False
        self.document.replace(diagram, "" if example else os.path.abspath(path))
        if not example:
            self.add_recent(os.path.abspath(path))
        self.window.view.fit()
        what = f"example {diagram.title or Path(path).stem}" if example else path
        self._status(f"Opened {what}")
        self.window.diagram_opened(example)
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
        path = dialogs.save_path(self.window, suggestion=suggestion)
        if not path:
            return False
        return self._write(dialogs.with_suffix(path, ".json"))

    def _write(self, path: str) -> bool:
        try:
            save(self.document.diagram, path)
        except OSError as error:
            dialogs.show_error(self.window, "Cannot save diagram",
                               f"{path} could not be written: {error.strerror or error}.\n\n"
                               "Your diagram is still open and unchanged; try another folder.")
            return False
        self.document.set_path(os.path.abspath(path))
        self.document.mark_saved()
        self.add_recent(os.path.abspath(path))
        self._status(f"Saved {path}")
        return True

    # ------------------------------------------------------------ recent files
    def recent(self) -> list[str]:
        value = QSettings().value("recentFiles", [])
        paths = [value] if isinstance(value, str) else list(value or [])
        return [p for p in paths if isinstance(p, str) and os.path.exists(p)]

    def add_recent(self, path: str) -> None:
        paths = [path] + [p for p in self.recent() if p != path]
        QSettings().setValue("recentFiles", paths[:MAX_RECENT])
        self.window.update_recent_menu()

    def clear_recent(self) -> None:
        QSettings().setValue("recentFiles", [])
        self.window.update_recent_menu()

    # ------------------------------------------------------------ export image
    def export_image(self) -> None:
        name = Path(self.document.path or _suggested_name(self.document.diagram)).stem
        path = dialogs.save_path(self.window, "Export canvas", name + ".png",
                                 "PNG image (*.png);;SVG image (*.svg)")
        if not path:
            return
        path = dialogs.with_suffix(path, ".png", ".svg")
        ok = export_svg(self.window.scene, path) if path.lower().endswith(".svg") else \
            export_png(self.window.scene, path)
        if ok:
            self._status(f"Exported the canvas to {path}")
        else:
            dialogs.show_error(self.window, "Cannot export", f"{path} could not be written.")


def _suggested_name(diagram: Diagram) -> str:
    stem = "-".join((diagram.title or "diagram").lower().split())
    return stem + ".json"


def _scene_rect(scene) -> QRectF:
    rect = scene.itemsBoundingRect()
    return rect.adjusted(-30, -30, 30, 30) if not rect.isEmpty() else QRectF(0, 0, 400, 300)


def export_png(scene, path: str, scale: float = 2.0) -> bool:
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
    return image.save(path)


def export_svg(scene, path: str) -> bool:
    from PySide6.QtSvg import QSvgGenerator

    rect = _scene_rect(scene)
    generator = QSvgGenerator()
    generator.setFileName(path)
    generator.setSize(rect.size().toSize())
    generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    generator.setTitle("NetCanvas diagram")
    painter = QPainter()
    if not painter.begin(generator):
        return False
    scene.clearSelection()
    scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    painter.end()
    return os.path.exists(path) and os.path.getsize(path) > 0
