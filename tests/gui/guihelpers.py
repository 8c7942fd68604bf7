"""Helpers for GUI tests: a main window fixture and real mouse gestures."""

from __future__ import annotations

from paths import EXAMPLES
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

LEFT = Qt.MouseButton.LeftButton
NO_BUTTON = Qt.MouseButton.NoButton
NO_MODIFIER = Qt.KeyboardModifier.NoModifier


def send_mouse(view, kind, scene_pos: QPointF, button=LEFT, buttons=LEFT,
               modifiers=NO_MODIFIER) -> None:
    viewport = view.viewport()
    local = QPointF(view.mapFromScene(scene_pos))
    global_pos = QPointF(viewport.mapToGlobal(local.toPoint()))
    event = QMouseEvent(kind, local, global_pos, button, buttons, modifiers)
    QApplication.sendEvent(viewport, event)


def mouse_drag(view, start: QPointF, end: QPointF, steps: int = 6,
               modifiers=NO_MODIFIER) -> None:
    """Press at ``start``, move in steps, release at ``end`` (scene coordinates)."""
    send_mouse(view, QEvent.Type.MouseButtonPress, start, modifiers=modifiers)
    for i in range(1, steps + 1):
        point = start + (end - start) * (i / steps)
        send_mouse(view, QEvent.Type.MouseMove, point, NO_BUTTON, LEFT, modifiers)
    send_mouse(view, QEvent.Type.MouseButtonRelease, end, LEFT, NO_BUTTON, modifiers)
    QApplication.processEvents()


def click(view, pos: QPointF, modifiers=NO_MODIFIER) -> None:
    send_mouse(view, QEvent.Type.MouseButtonPress, pos, modifiers=modifiers)
    send_mouse(view, QEvent.Type.MouseButtonRelease, pos, LEFT, NO_BUTTON, modifiers)


def port_pos(window, block_id: str, side: str, name: str) -> QPointF:
    return window.scene.blocks[block_id].port(side, name).scene_anchor()


def block_centre(window, block_id: str) -> QPointF:
    return window.scene.blocks[block_id].sceneBoundingRect().center()


def view_point(view, scene_pos: QPointF) -> QPoint:
    return view.mapFromScene(scene_pos)


def step(window, qtbot, epochs: int = 2) -> None:
    """Press Step ``epochs`` times, each time until the epoch is trained."""
    controller = window.training.controller
    start = controller.state.epoch
    for n in range(epochs):
        window.training.toolbar.step.trigger()
        qtbot.waitUntil(lambda n=n: controller.state.epoch == start + n + 1, timeout=30000)


def open_example(window, name: str):
    """Open the shipped example ``name`` as File → Open would; its Diagram."""
    assert window.files.open_path(str(EXAMPLES / f"{name}.json"), ask=False)
    return window.document.diagram
