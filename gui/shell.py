"""What a feature may ask of the main window, and nothing more.

Features (training, teaching, classroom, the editing actions) are handed a
:class:`Shell` instead of the main window: they can tell the student
something, add a dock and find one by name, put entries into the window's
menus, and reach the Qt window itself for what only it does (a dialog's
parent, toolbars, tabbing docks, window-wide shortcuts). The main window
implements it; a test can hand a feature a stand-in.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QWidget

STATUS_MS = 8000  # how long a message stays in the status bar unless told otherwise


class Shell(Protocol):
    def main_window(self) -> QMainWindow:
        """The Qt window: the parent of dialogs, the home of toolbars and docks."""
        ...

    def tell(self, message: str, ms: int = STATUS_MS, refusal: bool = False) -> None:
        """A message in the status bar for ``ms`` (0: until the next one); a refusal
        also over the canvas, where the student is looking."""
        ...

    def add_dock(self, name: str, title: str, widget: QWidget,
                 area: Qt.DockWidgetArea) -> QDockWidget:
        """A dock named ``name``, listed in View → Panels."""
        ...

    def dock(self, name: str) -> QDockWidget:
        ...

    def menu(self, name: str) -> QMenu:
        """One of the window's menus: file, recent, examples, export, view, panels, diagram."""
        ...

    def action(self, name: str) -> QAction:
        """One of the window's own actions by name (save_as, delete, paste...)."""
        ...
