"""View → Neuron View: the network drawn unit by unit, its pictures and weights
live, a unit hovered shown large in the Output plot, a weight clicked set by hand."""

from __future__ import annotations

import numpy as np
from guihelpers import click, send_mouse
from paths import EXAMPLES
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtWidgets import QInputDialog

from gui.teaching.neuron_items import NEGATIVE, POSITIVE, MoreItem, line_width


def open_neurons(window, qtbot, name: str, size=(1280, 800)):
    assert window.files.open_path(str(EXAMPLES / f"{name}.json"), ask=False)
    window.resize(*size)
    view = window.neuron_view
    view.action.setChecked(True)
    qtbot.waitUntil(lambda: view.result is not None and "maps" in view.result, timeout=30000)
    # the pictures can arrive before the process says it is ready: until then the
    # toolbar shows "Preparing" and Step is disabled, so a press would do nothing
    qtbot.waitUntil(window.training.toolbar.step.isEnabled, timeout=30000)
    return view


def test_xor_is_drawn_with_every_unit_and_every_weight(window, qtbot):
    view = open_neurons(window, qtbot, "xor")
    assert view.stack.currentWidget() is view.page
    assert len(view.nodes) == 2 + 16 + 2
    weighted = [line for line in view.lines if line.key is not None]
    assert len(weighted) == 2 * 16 + 16 * 2
    assert min(node.side for node in view.nodes.values()) >= 40  # at 1280 × 800
    assert all(node.image is not None for node in view.nodes.values())
    weights = view.result["weights"]
    for line in weighted:
        dense, row, column = line.key
        value = float(weights[dense]["weight"][row, column])
        assert line.value == value
        assert line.pen().widthF() == line_width(value)
        assert line.pen().color().rgb() == (POSITIVE if value >= 0 else NEGATIVE).rgb()
    view.action.setChecked(False)
    assert view.stack.currentWidget() is view.blocks  # the block view: for editing


def test_the_pictures_follow_the_training(window, qtbot):
    view = open_neurons(window, qtbot, "xor")
    before = view.result
    controller = window.training.controller
    window.training.toolbar.step.trigger()
    qtbot.waitUntil(lambda: controller.state.epoch == 1 and view.result is not before,
                    timeout=30000)
    qtbot.waitUntil(lambda: view.result["epoch"] == 1, timeout=10000)
    changed = not np.array_equal(before["maps"]["relu1"], view.result["maps"]["relu1"])
    assert changed


def test_hovering_a_unit_shows_its_picture_large_in_the_output_plot(window, qtbot):
    view = open_neurons(window, qtbot, "xor")
    node = view.nodes[(1, 2)]  # ReLU 1, unit 3
    send_mouse(view.canvas, QEvent.Type.MouseMove, node.pos(), Qt.MouseButton.NoButton,
               Qt.MouseButton.NoButton)
    qtbot.waitUntil(lambda: view.preview.shown == "1:2", timeout=2000)
    preview = view.preview
    assert preview.image.isVisible() and "ReLU 1 · 3" in preview.title.toPlainText()
    expected = view.result["maps"]["relu1"][2]
    assert preview.image.image.shape[:2] == expected.T.shape
    send_mouse(view.canvas, QEvent.Type.MouseMove, QPointF(2, 2), Qt.MouseButton.NoButton,
               Qt.MouseButton.NoButton)
    qtbot.waitUntil(lambda: not preview.image.isVisible(), timeout=2000)
    assert "unit 3" in node.toolTip() and "ReLU(" in node.toolTip()


def test_a_weight_says_its_value_and_the_units_formula(window, qtbot):
    view = open_neurons(window, qtbot, "xor")
    line = next(k for k in view.lines if k.key == ("linear1", 2, 0))
    text = view.weight_text(line)
    assert f"w = {line.value:+.4g}" in text and "from x1 to unit 3" in text
    assert "Unit 3 = ReLU(" in text and "·x1" in text and "·x2" in text


def test_clicking_a_weight_sets_it_in_one_undo_step_and_resets_the_run(window, qtbot,
                                                                        monkeypatch):
    view = open_neurons(window, qtbot, "xor")
    controller, stack = window.training.controller, window.document.undo_stack
    window.training.toolbar.step.trigger()
    qtbot.waitUntil(lambda: controller.state.epoch == 1, timeout=30000)
    monkeypatch.setattr(QInputDialog, "getDouble", lambda *args, **kw: (-1.5, True))
    line = next(k for k in view.lines if k.key == ("linear1", 3, 1))
    middle = line.path().pointAtPercent(0.5)
    click(view.canvas, middle)
    assert stack.count() == 1
    assert window.document.diagram.block("linear1").params["start_weights"] == ((3, 1, -1.5),)
    assert controller.state.epoch == 0  # the run was reset
    assert "the run was reset" in view.caption.text()
    qtbot.waitUntil(lambda: view.result is not None and view.result["epoch"] == 0 and
                    view.result["weights"]["linear1"]["weight"][3, 1] == -1.5, timeout=30000)
    stack.undo()
    assert "start_weights" not in window.document.diagram.block("linear1").params or \
        window.document.diagram.block("linear1").params["start_weights"] == ()


def test_a_layer_wider_than_16_units_shows_plus_n_more(window, qtbot):
    assert window.files.open_path(str(EXAMPLES / "digits.json"), ask=False)
    view = window.neuron_view
    view.action.setChecked(True)
    more = sorted(item.more for item in view.scene.items() if isinstance(item, MoreItem))
    assert more == [16, 48]  # 32 hidden units, 64 inputs: 16 of each drawn
    assert len(view.nodes) == 16 + 16 + 10
