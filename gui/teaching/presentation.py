"""Presentation mode (View → Presentation Mode, Ctrl+Shift+P): the window as a
projector needs it. The palette, the undo history, the inspector's column and
the problems list step aside, text grows, the output plot takes a large share of the width and the
network fills the rest. Leaving it puts every panel and size back."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenuBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from ..canvas.view import CanvasView
from ..shell import Shell

HIDDEN = ("palette", "history", "inspector", "data", "code", "problems")
TEXT_WIDGETS = (QLabel, QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QTabBar,
                QAbstractItemView, QHeaderView, QTextEdit, QMenuBar)
FONT_POINTS = 13.0  # the interface's text while presenting
OUTPUT_SHARE = 0.42  # of the window's width


class Presentation(QObject):
    def __init__(self, shell: Shell, view: CanvasView) -> None:
        window = shell.main_window()
        super().__init__(window)
        self.shell, self.view = shell, view
        self.action = QAction("&Presentation Mode", window)
        self.action.setCheckable(True)
        self.action.setShortcut("Ctrl+Shift+P")
        self.action.setStatusTip("Large text and plots for a projector; the palette and the "
                                 "problems list step aside")
        self.action.toggled.connect(self.set_on)
        window.addAction(self.action)
        self._saved: tuple | None = None  # the window's state and fonts before presenting

    @property
    def on(self) -> bool:
        return self._saved is not None

    def set_on(self, on: bool) -> None:
        if on == self.on:
            return
        window, shell = self.shell.main_window(), self.shell
        if on:
            self._saved = (window.saveState(), _enlarge(window, FONT_POINTS))
            for name in HIDDEN:
                shell.dock(name).hide()
            shell.dock("output").show()
        elif self._saved is not None:
            state, fonts = self._saved
            self._saved = None
            for widget, font in fonts:
                if shiboken6.isValid(widget):  # an inspector page may have gone since
                    widget.setFont(font)
            window.restoreState(state)
        self.action.setChecked(on)
        QTimer.singleShot(0, self._arrange)  # once the docks have left or come back

    def _arrange(self) -> None:
        window = self.shell.main_window()
        if self.on:
            window.resizeDocks([self.shell.dock("output")],
                               [int(window.width() * OUTPUT_SHARE)], Qt.Orientation.Horizontal)
        QTimer.singleShot(0, self.view.fit)  # once the canvas has its new size


def _enlarge(window: QWidget, points: float) -> list[tuple[QWidget, QFont]]:
    """Every widget that shows text gets ``points`` (its own family and weight
    kept); returns each one's font before, to put back. With a style sheet on
    the application, fonts do not pass from a widget to its children, hence one
    by one. Containers and the application's font are left alone: a font change
    reaching a pyqtgraph view crashes it (the canvas and the plots scale their
    own text)."""
    before: list[tuple[QWidget, QFont]] = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, TEXT_WIDGETS):
            continue
        own = widget.font()
        before.append((widget, QFont(own)))
        own.setPointSizeF(points)
        widget.setFont(own)
    return before
