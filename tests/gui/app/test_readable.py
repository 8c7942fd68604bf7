"""A network and its controls a class can read: every example opens large
enough at 1400×880, and every toolbar control is reachable at 1280×800."""

from __future__ import annotations

import pytest
from paths import EXAMPLES
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QLabel, QToolBar

from gui import style
from gui.canvas.items import BLOCK_POINTS

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_opens_at_70_percent_with_11_px_text(window, qtbot, path):
    window.resize(1400, 880)
    qtbot.wait(50)
    assert window.files.open_path(str(path), ask=False)
    qtbot.wait(20)
    view = window.view
    assert view.zoom >= 0.7, f"{path.stem} opens at {view.zoom:.0%}"
    text = QFontInfo(style.ui_font(BLOCK_POINTS)).pixelSize() * view.zoom
    assert text >= 11, f"{path.stem}: block text {text:.1f} px on screen"
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(window.scene.blocks_rect()), f"{path.stem} does not fit the view"
    window.document.undo_stack.setClean()


def test_every_toolbar_control_is_reachable_at_1280_by_800(window, qtbot):
    window.resize(1280, 800)
    qtbot.wait(100)
    hidden = []
    for bar in window.findChildren(QToolBar):
        for action in bar.actions():
            widget = bar.widgetForAction(action)
            if widget is None or action.isSeparator():
                continue
            inside = bar.rect().contains(widget.geometry())
            if not (widget.isVisible() and inside):
                hidden.append(action.text() or widget.objectName() or type(widget).__name__)
    assert not hidden, f"out of reach at 1280×800: {hidden}"
    assert window.training.toolbar.pace.isVisible()
    assert window.training.toolbar.optimizer.isVisible()


def test_presentation_mode_makes_room_for_the_network_and_the_output(window, qtbot):
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: window.width() == 1920, timeout=3000)
    qtbot.wait(200)
    presentation = window.teaching.presentation
    presentation.action.trigger()
    qtbot.wait(100)
    assert not window.docks["palette"].isVisible()
    assert not window.docks["problems"].isVisible()
    assert window.docks["output"].width() >= 0.4 * window.width()
    label = window.inspector.widget().findChildren(QLabel)[0]
    assert label.font().pointSizeF() >= 13
    presentation.action.trigger()
    qtbot.wait(100)
    assert window.docks["palette"].isVisible() and window.docks["problems"].isVisible()
    assert label.font().pointSizeF() < 10
