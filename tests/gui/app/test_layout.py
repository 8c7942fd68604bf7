"""The default layout is built for a lesson (at 1400×880): the output plot is
large, the selected block's curve, weights and units are seen whole in their
own dock, the problems share a tab group, the network stays fitted after
training, and a layout saved by another version does not come back."""

from __future__ import annotations

import pytest
from guihelpers import step
from paths import EXAMPLES
from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtWidgets import QScrollArea

from gui.dock_layout import LAYOUT_VERSION
from gui.mainwindow import MainWindow


@pytest.fixture
def lesson(qtbot):
    """The main window as it first opens on a screen with room for it: 1400×880,
    its default layout."""
    window = MainWindow(restore_layout=False)
    window.resize(1400, 880)  # the test platform's screen is smaller (800×800)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.dock_layout.default_state not in (None, b""), timeout=3000)
    qtbot.wait(50)
    yield window
    window.training.shutdown()
    window.document.undo_stack.setClean()
    window.close()
    window.deleteLater()


def _seen_whole(panel: QScrollArea, name: str) -> bool:
    view = panel.widget().findChild(object, name)
    inside = QRect(view.mapTo(panel.viewport(), view.rect().topLeft()), view.size())
    return view.isVisible() and panel.viewport().rect().contains(inside)


def test_the_output_plot_is_large_and_problems_share_a_tab(lesson, qtbot):
    window = lesson
    box = window.training.output.plot.getPlotItem().vb.sceneBoundingRect()
    assert box.width() >= 380 and box.height() >= 300, box
    tabbed = {d.objectName() for d in window.tabifiedDockWidgets(window.docks["curves"])}
    assert "dock-problems" in tabbed
    canvas = window.view.viewport()
    assert canvas.width() * canvas.height() > 2 * box.width() * box.height()


@pytest.mark.parametrize("name", ["deep-sigmoid", "spiral", "xor"])
def test_the_widest_and_tallest_examples_open_at_70_percent_as_the_app_opens(lesson, name):
    assert lesson.files.open_path(str(EXAMPLES / f"{name}.json"), ask=False)
    assert lesson.view.zoom >= 0.7
    lesson.document.undo_stack.setClean()


def test_the_selected_blocks_views_are_seen_whole_without_scrolling(lesson, qtbot):
    window = lesson
    assert window.files.open_path(str(EXAMPLES / "xor.json"), ask=False)
    step(window, qtbot, 2)
    panel = window.teaching.selected
    blocks = window.document.diagram.blocks
    activation = next(b for b in blocks if b.spec.nonlinear)
    dense = next(b for b in blocks if b.spec.dense)
    window.scene.select_blocks([activation.id])
    units = panel.widget().findChild(object, "unitMaps")
    qtbot.waitUntil(lambda: units.maps is not None, timeout=20000)
    qtbot.wait(50)
    assert len(units.tiles) == 16
    for name in ("activationPlot", "unitMaps"):
        assert _seen_whole(panel, name), name
    window.scene.select_blocks([dense.id])
    qtbot.wait(50)
    for name in ("weightMap", "unitMaps"):
        assert _seen_whole(panel, name), name
    assert not panel.verticalScrollBar().isVisible()
    assert not panel.horizontalScrollBar().isVisible()
    assert panel.widget().height() <= panel.viewport().height()  # captions too


def test_the_whole_network_stays_in_view_after_training(lesson, qtbot):
    window = lesson
    assert window.files.open_path(str(EXAMPLES / "xor.json"), ask=False)
    neurons = window.teaching.neurons
    step(window, qtbot, 2)
    qtbot.waitUntil(lambda: bool(neurons.strips), timeout=20000)
    qtbot.wait(50)
    view = window.view
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(window.scene.content_rect())
    assert view.zoom >= 0.7


def test_a_layout_saved_by_another_version_is_not_restored(qtbot, tmp_path):
    settings = QSettings()
    old = settings.value("window/state")
    first = MainWindow(restore_layout=False)
    first.show()
    qtbot.wait(50)
    first.docks["output"].hide()  # what an old layout might have
    state = first.saveState(LAYOUT_VERSION - 1)
    first.training.shutdown()
    first.close()  # (it saves its own layout)
    settings.setValue("window/state", state)
    try:
        second = MainWindow()
        second.show()
        qtbot.waitUntil(lambda: second.dock_layout.default_state not in (None, b""), timeout=3000)
        qtbot.wait(50)
        assert second.docks["output"].isVisible()
        second.training.shutdown()
        second.close()
    finally:
        settings.setValue("window/state", old if isinstance(old, QByteArray) else QByteArray())
