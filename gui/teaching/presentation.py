"""Presentation mode (View → Presentation Mode, Ctrl+Shift+P): the window as a
projector needs it. The palette, the undo history, the inspector's column and
the problems list step aside, text grows, the plots' text, curves and markers
grow (:mod:`gui.plots.presenting`), the Selected block and Backprop docks step
aside while they have nothing to show, the output plot takes a large share of the width and the
network fills the rest. Leaving it puts every panel, size and plot back."""

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
from ..plots.presenting import PlotScaler
from ..screen import hide_stale_tab_bars
from ..shell import Shell

HIDDEN = ("palette", "history", "inspector", "data", "code", "problems")
WHEN_SHOWING = ("selected", "backprop")  # docks shown only while they have something to show
TEXT_WIDGETS = (QLabel, QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QTabBar,
                QAbstractItemView, QHeaderView, QTextEdit, QMenuBar)
FONT_POINTS = 13.0  # the interface's text while presenting
OUTPUT_SHARE = 0.42  # of the window's width
CURVES_SHARE = 0.40  # of the window's height: the curves under the network
RESCAN_MS = 1000  # plots made while presenting (a layer's histogram) grow within this


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
        self.plots = PlotScaler()
        self._rescan = QTimer(self, interval=RESCAN_MS)
        self._rescan.timeout.connect(self._scale_plots)
        view.scene().selectionChanged.connect(self._selection_changed)

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
            self._selection_changed()
            self._rescan.start()
        elif self._saved is not None:
            state, fonts = self._saved
            self._saved = None
            self._rescan.stop()
            self.plots.restore_all()
            for widget, font in fonts:
                if shiboken6.isValid(widget):  # an inspector page may have gone since
                    widget.setFont(font)
            window.restoreState(state)
        self.action.setChecked(on)
        QTimer.singleShot(0, self._arrange)  # once the docks have left or come back

    def _selection_changed(self) -> None:
        """While presenting, the Selected block dock (and the Backprop tab beside it)
        shows only with something to show: empty, it would take the room the network
        and the plots need."""
        if not self.on or not shiboken6.isValid(self.view):
            return
        for name in WHEN_SHOWING:
            dock = self.shell.dock(name)
            dock.setVisible(not getattr(dock.widget(), "shows_nothing", lambda: False)())
        QTimer.singleShot(0, self._scale_plots)  # the new selection's views

    def _scale_plots(self) -> None:
        if self.on:
            self.plots.scale_all(self.shell.main_window())

    def _arrange(self) -> None:
        window = self.shell.main_window()
        if not self.on:
            hide_stale_tab_bars(window)  # the state restored brought old tab bars back
        else:
            self._scale_plots()
            window.resizeDocks([self.shell.dock("output")],
                               [int(window.width() * OUTPUT_SHARE)], Qt.Orientation.Horizontal)
            window.resizeDocks([self.shell.dock("curves")],  # room for their larger text
                               [int(window.height() * CURVES_SHARE)], Qt.Orientation.Vertical)
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
