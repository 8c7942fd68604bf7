"""Right-click → Export Picture… on every plot dock: the output plot, the training
curves, gradients, activations, the confusion matrix, the Backprop tab and the
selected block's curve, weights and unit maps, saved as PNG (2× for slides, or
screen size) or SVG by one helper, :meth:`~gui.document.outputs.Outputs.export_picture`
(atomic, never over an input). The picture is the view under the mouse (one of the
selected block's views), else the dock's plots."""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu, QWidget

from ..document.outputs import Outputs
from ..shell import Shell
from .hub import RunView

DOCKS = ("output", "curves", "gradients", "histograms", "confusion", "selected")


class DockPictures(QObject):
    def __init__(self, outputs: Outputs, shell: Shell, names: tuple[str, ...] = DOCKS) -> None:
        super().__init__(shell.main_window())
        self.outputs = outputs
        self.docks: dict[QDockWidget, str] = {}
        for name in names:
            self.watch(shell.dock(name), name)

    def watch(self, dock: QDockWidget, name: str) -> None:
        """Offer Export Picture… on ``dock`` too (one made after the teaching views)."""
        self.docks[dock] = name
        dock.installEventFilter(self)  # a right-click no plot takes reaches its dock
        dock.setToolTip("Right-click to export this view as a PNG or SVG picture")

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.ContextMenu and watched in self.docks:
            self.menu(watched, event.globalPos()).exec(event.globalPos())
            return True
        return False

    def menu(self, dock, at: QPoint) -> QMenu:
        widget, stem = self.picture_at(dock, at)
        menu = QMenu(dock)
        action = menu.addAction("Export Picture…")
        action.triggered.connect(lambda: self.outputs.export_picture(widget, stem))
        return menu

    def picture_at(self, dock, at: QPoint) -> tuple[QWidget, str]:
        """The view under ``at`` (screen coordinates) inside ``dock``, else the dock's
        own widget; with the file name it suggests."""
        widget = QApplication.widgetAt(at)
        while widget is not None and widget is not dock and not isinstance(widget, RunView):
            widget = widget.parentWidget()
        if not isinstance(widget, RunView) or not dock.isAncestorOf(widget):
            widget = _picture(dock.widget())
        name = widget.objectName() if isinstance(widget, RunView) else self.docks[dock]
        return widget, re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _picture(widget: QWidget) -> QWidget:
    """What a dock's widget exports: its plots alone when it says which (the output
    plot without its check boxes, the two curves with the pinned runs' names)."""
    picture = getattr(widget, "picture", None)
    return picture() if callable(picture) else widget
