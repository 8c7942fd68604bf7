"""Where the editor writes files other than the diagram: pictures, code, weights,
exercises. Every writer asks here first, so none may write over the open
diagram's own file or the table it trains on, and each says in a dialog why
not (a missing or read-only folder too).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from graph_engine.core.files import SameFileError, check_output

from .. import dialogs
from ..images import widget_picture
from ..shell import Shell
from .document import Document

PICTURES = "PNG image (*.png);;SVG image (*.svg)"
SLIDE_PNG, SCREEN_PNG = "PNG image, 2× for slides (*.png)", "PNG image, screen size (*.png)"
PLOT_PICTURES = f"{SLIDE_PNG};;{SCREEN_PNG};;SVG image (*.svg)"  # the first is the default
SLIDE_SCALE = 2.0  # a plot exported for a slide: twice its pixels on screen


class Outputs:
    def __init__(self, document: Document, shell: Shell) -> None:
        self.document, self.shell = document, shell

    def refused(self, title: str, path: str, what: str = "file", also: tuple[str, ...] = ()) \
            -> bool:
        """Before writing ``path``: if it is one of the diagram's inputs or ``also`` (or
        its folder is missing or read-only), say why in a dialog and return True."""
        parent = self.shell.main_window()
        try:
            check_output(path, [*self.document.inputs(), *also], what)
        except SameFileError as error:
            dialogs.show_error(parent, title, f"{error}.\n\nNothing was written.")
            return True
        except (OSError, ValueError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            dialogs.show_error(parent, title, f"{path} could not be written: {reason}.")
            return True
        return False

    def export_picture(self, widget: QWidget, name: str) -> bool:
        """Ask where, then save what ``widget`` (a plot) shows as a PNG (twice its size
        on screen unless screen size is picked) or an SVG."""
        return self.export_as("plot", name, lambda path, picked: widget_picture(
            widget, path, 1.0 if picked == SCREEN_PNG else SLIDE_SCALE), PLOT_PICTURES)

    def export_as(self, what: str, name: str, write: Callable[[str, str], None],
                  file_filter: str = PICTURES) -> bool:
        """Ask where to save a picture of ``what`` (PNG or SVG, by the name chosen),
        then ``write(path, file type picked)``; a path that is an input, or a failed
        write, is said in a dialog."""
        parent = self.shell.main_window()
        picked: list[str] = []
        path = dialogs.save_path(parent, f"Export {what}", name + ".png", file_filter,
                                 chosen=picked)
        if not path:
            return False
        path = dialogs.with_suffix(path, ".png", ".svg")
        if self.refused("Cannot export", path, "picture"):
            return False
        try:
            write(path, picked[0] if picked else "")
        except OSError as error:
            dialogs.show_error(parent, "Cannot export", f"{path} could not be written: "
                               f"{error.strerror or error}.")
            return False
        self.shell.tell(f"Exported the {what} to {path}", 6000)
        return True
