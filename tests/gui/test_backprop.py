"""The Backprop dock: trace one sample, step forward and back, read the chain rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence

import graph_engine as ge

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def panel(window, qtbot):
    window.docks["backprop"].show()
    window.docks["backprop"].raise_()
    return window.backprop.panel


def open_example(window, name: str) -> ge.Diagram:
    assert window.files.open_path(str(EXAMPLES / f"{name}.json"), ask=False)
    return window.document.diagram


def trace(panel, qtbot, features: str | None = None, label: str = "") -> None:
    if features is not None:
        panel.typed_choice.setChecked(True)
        panel.features.setText(features)
        panel.label.setText(label)
    panel.trace()
    qtbot.waitUntil(lambda: not panel.busy, timeout=60_000)
    assert panel.walk is not None, panel.status.text()


def column(panel, title: str) -> list[str]:
    table = panel.view.table
    titles = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    c = titles.index(title)
    return [table.item(r, c).text() for r in range(table.rowCount())]


def test_the_autograd_example_steps_to_z_18_and_dz_dx_12(window, panel, qtbot):
    d = open_example(window, "autograd")
    names = [b.name for b in d.blocks]
    trace(panel, qtbot, "1")
    titles = [panel.view.title.text()]
    for _ in range(5):
        if panel.walk.step.block["name"] == "CustomActivation 1" and \
                panel.walk.step.phase == "forward":
            assert column(panel, "output") == ["18"]
        panel.next_button.click()
        titles.append(panel.view.title.text())
    assert not panel.next_button.isEnabled()
    assert titles == [f"Forward {i + 1} of 3: {n}" for i, n in enumerate(names)] + \
        [f"Backward {i + 1} of 3: {n}" for i, n in enumerate(reversed(names))]
    assert column(panel, "dL/d output") == ["12"]  # the input's gradient: x.grad
    assert "x.grad" in panel.view.rule.text()
    panel.move(-1)  # back to the activation: upstream × f′(input) = downstream
    assert panel.view.rule.text().endswith("= 1 × f′(1) = 1 × 12 = 12")
    assert panel.view.slope.isVisible()


def test_next_and_back_have_keys(panel):
    assert panel.next_button.shortcut() == QKeySequence("F10")
    assert panel.back_button.shortcut() == QKeySequence("Shift+F10")


def test_each_step_selects_its_block_and_back_undoes_next(window, panel, qtbot):
    d = open_example(window, "two-layer-net")
    trace(panel, qtbot)
    data = ge.datasets.load(d.dataset)
    expected = ge.trace(d, data.x_test[0], data.y_test[0])
    assert panel.walk.data["loss"] == pytest.approx(expected.loss)
    assert window.scene.selected_block_ids() == [expected.order[0]]
    assert not panel.back_button.isEnabled()
    for block_id in expected.order[1:]:
        panel.move(1)
        assert window.scene.selected_block_ids() == [block_id]
    for block_id in reversed(expected.order):  # the loss again, first going back
        panel.move(1)
        assert window.scene.selected_block_ids() == [block_id]
    assert panel.walk.step.phase == "backward"
    panel.move(-1)
    assert panel.walk.step.phase == "backward" and panel.walk.step.number == len(
        expected.order) - 1


def test_a_linear_layer_shows_its_weight_gradient_beside_w(window, panel, qtbot):
    open_example(window, "two-layer-net")
    trace(panel, qtbot, "0.5, -1.2", "1")
    while panel.walk.step.phase != "backward" or panel.walk.step.block["type"] != "Linear":
        panel.move(1)
    assert not panel.view.weights.isHidden() and not panel.view.weights.pixmap().isNull()
    assert "dL/dW = dL/d output ⊗ input" in panel.view.rule.text()


def test_bad_features_and_a_diagram_with_errors_are_explained(window, panel, qtbot):
    open_example(window, "two-layer-net")
    panel.typed_choice.setChecked(True)
    panel.features.setText("a, b")
    panel.trace()
    assert "numbers separated by commas" in panel.status.text()
    trace_failed = "takes 2 feature"
    panel.features.setText("1")
    panel.trace()
    qtbot.waitUntil(lambda: not panel.busy, timeout=60_000)
    assert trace_failed in panel.status.text() and panel.walk is None
    window.document.diagram.add("Linear")  # nothing wired into it: an error
    window.document.refresh()
    panel.trace()
    assert "errors" in panel.status.text()


def test_after_training_the_trace_uses_the_trained_weights(window, panel, qtbot):
    open_example(window, "two-layer-net")
    assert window.training.controller.step()
    qtbot.waitUntil(lambda: panel.weights is not None and panel.weights_epoch == 1,
                    timeout=60_000)
    trace(panel, qtbot)
    assert "the weights of epoch 1" in panel.status.text()
    d = window.document.diagram
    data = ge.datasets.load(d.dataset)
    untrained = ge.trace(d, data.x_test[0], data.y_test[0]).loss
    assert panel.walk.data["loss"] != pytest.approx(untrained)
