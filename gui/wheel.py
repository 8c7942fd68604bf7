"""The mouse wheel scrolls the panel under it; it changes a field's value only
when that field has the keyboard focus (clicked or tabbed into). Otherwise a
student scrolling the Data tab turns the seed from 0 to 8 without noticing."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox

GUARDED = (QAbstractSpinBox, QComboBox)


class WheelGuard(QObject):
    """Installed on the application: filters wheel events of every field."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, GUARDED) or \
                watched.hasFocus():
            return False
        if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel does not focus
        area = _scroll_area(watched)
        if area is not None:  # scroll the panel instead
            QApplication.sendEvent(area.verticalScrollBar(), event)
        return True


def _scroll_area(widget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def install(app) -> WheelGuard:
    """Once per application (every main window asks)."""
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
    return guard
