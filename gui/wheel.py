"""The mouse wheel scrolls the panel under it; it changes a field's value only
when that field has the keyboard focus (clicked or tabbed into). Otherwise a
student scrolling the Data tab turns the seed from 0 to 8 without noticing."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication


class WheelGuard(QObject):
    """An event filter on each field (not on the application: that would put a
    Python call in front of every event the app handles)."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() != QEvent.Type.Wheel or watched.hasFocus():
            return False
        area = _scroll_area(watched)
        if area is not None:  # scroll the panel instead
            QApplication.sendEvent(area.verticalScrollBar(), event)
        return True


_GUARD: WheelGuard | None = None


def guard(widget) -> None:
    """Let the wheel change ``widget`` (a spin box or a combo box) only once it has
    the focus; before that the wheel scrolls the panel it sits in."""
    global _GUARD
    if _GUARD is None:
        _GUARD = WheelGuard(QApplication.instance())
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel does not take the focus
    widget.installEventFilter(_GUARD)


def _scroll_area(widget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent
