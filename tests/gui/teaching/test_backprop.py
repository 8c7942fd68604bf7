"""The Backprop dock: trace one sample, step forward and back, read the chain rule."""

from __future__ import annotations

import numpy as np
import pytest
from guihelpers import click, mouse_drag, open_example
from PySide6.QtCore import QPointF
from PySide6.QtGui import QKeySequence

import graph_engine as ge
from gui.document import commands


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
    panel.move_by(-1)  # back to the activation: upstream × f′(input) = downstream
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
        panel.move_by(1)
        assert window.scene.selected_block_ids() == [block_id]
    for block_id in reversed(expected.order):  # the loss again, first going back
        panel.move_by(1)
        assert window.scene.selected_block_ids() == [block_id]
    assert panel.walk.step.phase == "backward"
    panel.move_by(-1)
    assert panel.walk.step.phase == "backward" and panel.walk.step.number == len(
        expected.order) - 1


def test_a_linear_layer_shows_its_weight_gradient_beside_w(window, panel, qtbot):
    open_example(window, "two-layer-net")
    trace(panel, qtbot, "0.5, -1.2", "1")
    while panel.walk.step.phase != "backward" or panel.walk.step.block["type"] != "Linear":
        panel.move_by(1)
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


# ------------------------------------------------------------ apply one step
def use_sgd(window, lr: float) -> None:
    d = window.document.diagram
    d.training = d.training.with_(optimizer="sgd", lr=lr)


def apply(panel, qtbot) -> dict:
    count = len(panel.steps)
    panel.apply_button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=60_000)
    assert len(panel.steps) == count + 1, panel.status.text()
    return panel.steps.applied[-1]


def test_apply_one_step_moves_each_weight_by_minus_lr_times_its_gradient(window, panel, qtbot):
    d = open_example(window, "two-layer-net")
    use_sgd(window, 0.01)
    trace(panel, qtbot)
    data = ge.datasets.load(d.dataset)
    expected = ge.trace(d, data.x_test[0], data.y_test[0])
    step = apply(panel, qtbot)
    for p in step["params"]:
        grad = expected.blocks[p["block"]].param_grads[p["name"]].numpy()
        np.testing.assert_allclose(p["delta"], -0.01 * grad, rtol=1e-5, atol=1e-7)
    assert step["loss_before"] == pytest.approx(expected.loss)
    assert step["loss_after"] < step["loss_before"]
    shown = panel.update_view_
    assert panel.pages.currentWidget() is shown
    assert "Δw = −lr · dL/dw" in shown.text.text() and "a batch of one" in shown.text.text()
    assert "The run on screen is not changed" in shown.text.text()
    assert shown.table.rowCount() == 4 and shown.table.item(0, 0).text() == "Linear 1 weight"
    assert not shown.picture.pixmap().isNull()
    trace(panel, qtbot)  # Trace again: the changed network
    assert panel.walk.data["loss"] == pytest.approx(step["loss_after"], rel=1e-6)
    assert "after 1 step applied here" in panel.status.text()


def test_undo_step_restores_the_weights_exactly(window, panel, qtbot):
    open_example(window, "two-layer-net")
    use_sgd(window, 0.1)
    trace(panel, qtbot)
    first_loss = panel.walk.data["loss"]
    first = apply(panel, qtbot)["weights"]
    apply(panel, qtbot)
    assert "Step 2 applied" in panel.update_view_.title.text()
    panel.undo_button.click()
    assert all(np.array_equal(panel.current_weights()[k], v) for k, v in first.items())
    assert "Step 1 applied" in panel.update_view_.title.text()
    panel.undo_button.click()
    assert panel.current_weights() is None and not panel.undo_button.isEnabled()
    assert window.document.undo_stack.count() == 0  # a training action, not an edit
    trace(panel, qtbot)
    assert panel.walk.data["loss"] == first_loss  # exactly the initial weights again


def test_a_step_on_a_trained_run_leaves_the_run_as_it_was(window, panel, qtbot):
    open_example(window, "two-layer-net")
    assert window.training.controller.step()
    qtbot.waitUntil(lambda: panel.weights_epoch == 1, timeout=60_000)
    run_weights = {k: np.array(v) for k, v in panel.weights.items()}
    trace(panel, qtbot)
    step = apply(panel, qtbot)
    for p in step["params"]:  # the step starts from the run's weights of epoch 1
        np.testing.assert_array_equal(p["before"], run_weights[p["key"]])
    assert all(np.array_equal(panel.weights[k], v) for k, v in run_weights.items())
    trace(panel, qtbot)
    assert "the weights of epoch 1 after 1 step applied here" in panel.status.text()
    assert window.training.controller.step()  # the run moves on: its weights win again
    qtbot.waitUntil(lambda: panel.weights_epoch == 2, timeout=60_000)
    assert not panel.steps and panel.current_weights() is panel.weights


def test_a_trace_of_a_network_changed_meanwhile_is_dropped(window, panel, qtbot):
    d = open_example(window, "two-layer-net")
    panel.trace()
    d.add("ReLU")  # while the trace runs in the background
    qtbot.waitUntil(lambda: not panel.busy, timeout=60_000)
    assert panel.walk is None and "changed meanwhile" in panel.status.text()


def test_a_step_needs_a_label_and_says_so(window, panel, qtbot):
    open_example(window, "two-layer-net")
    trace(panel, qtbot, "0.5, -1.2")
    panel.apply_button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=60_000)
    assert "needs a loss block and the sample's label" in panel.status.text()
    assert not panel.steps


# ------------------------------------------------------------ values on the wires
def wire_texts(window) -> dict[tuple[str, str], str]:
    return {(w.src, w.dst): text for w, text in window.backprop.wire_values.texts().items()}


def test_wires_show_values_forward_and_gradients_backward(window, panel, qtbot):
    d = open_example(window, "deep-sigmoid")
    trace(panel, qtbot)
    data = ge.datasets.load(d.dataset)
    t = ge.trace(d, data.x_test[0], data.y_test[0])
    first, second = t.order[0], t.order[1]
    x = t.x[0].tolist()
    assert wire_texts(window) == {(first, second): f"[{x[0]:.2g}, {x[1]:.2g}]"}
    panel.move_by(1)
    shown = wire_texts(window)
    assert len(shown) == 2 and shown[(second, t.order[2])].startswith(
        f"{t.blocks[second].output.shape[1]} values, |x| ")
    while panel.walk.step.phase == "forward":
        panel.move_by(1)
    loss_wire = next(w for w in d.wires if w.dst == t.order[-1])
    grad = t.blocks[t.order[-1]].grad_inputs["input"][0].tolist()
    assert wire_texts(window) == {(loss_wire.src, loss_wire.dst):
                                  f"[{grad[0]:.2g}, {grad[1]:.2g}]"}
    while not panel.walk.at_end:
        panel.move_by(1)
    tags = window.backprop.wire_values.tags
    assert len(tags) == len(d.wires)
    # the gradient fades: the first wire's tag is paler than the last one's
    by_pair = {(w.src, w.dst): tag for w, tag in tags.items()}
    paler = by_pair[(first, second)].colour
    stronger = by_pair[(loss_wire.src, loss_wire.dst)].colour
    assert paler.lightness() > stronger.lightness()
    assert all(tag.scene() is window.scene for tag in tags.values())


def test_wire_values_go_with_the_trace(window, panel, qtbot):
    d = open_example(window, "two-layer-net")
    trace(panel, qtbot)
    assert wire_texts(window)
    tag = next(iter(window.backprop.wire_values.tags.values()))
    where = tag.pos()
    old = d.block("input1").position
    window.document.undo_stack.push(commands.MoveBlocks(
        d, {"input1": (old, (old[0] - 100, old[1] + 60))}))
    assert panel.walk is not None and tag.pos() != where  # a move only moves the tags
    window.docks["backprop"].close()
    assert not wire_texts(window)
    window.docks["backprop"].show()
    assert wire_texts(window)
    window.edit.add_block("ReLU")  # an edit of the network: the trace is gone
    assert panel.walk is None and not wire_texts(window)
    assert not [i for i in window.scene.items() if type(i).__name__ == "ValueTag"]


# ------------------------------------------------------------ picking in the Output plot
def output_plot(window, qtbot):
    dock = window.docks["output"]
    dock.setFloating(True)  # room for the plot beside the Backprop dock
    dock.resize(520, 520)
    dock.show()
    plot = window.training.output
    qtbot.waitUntil(lambda: plot._data is not None, timeout=30_000)
    qtbot.wait(50)
    return plot


def plot_point(plot, x: float, y: float) -> QPointF:
    return plot.plot.getViewBox().mapViewToScene(QPointF(x, y))


def test_a_click_on_a_test_point_traces_that_sample(window, panel, qtbot):
    d = open_example(window, "two-layer-net")
    plot = output_plot(window, qtbot)
    x_test = ge.datasets.load(d.dataset).x_test
    click(plot.plot, plot_point(plot, *x_test[7]))
    qtbot.waitUntil(lambda: panel.walk is not None, timeout=60_000)
    assert panel.test_choice.isChecked() and panel.index.value() == 7
    np.testing.assert_allclose(panel.walk.data["x"][0], x_test[7], rtol=1e-6)
    star = plot.picked.getData()  # the traced sample, starred
    np.testing.assert_allclose([star[0][0], star[1][0]], x_test[7], rtol=1e-6)
    window.docks["backprop"].close()
    assert len(plot.picked.getData()[0]) == 0


def test_a_click_between_points_traces_those_features_and_a_drag_does_not(
        window, panel, qtbot):
    open_example(window, "two-layer-net")
    plot = output_plot(window, qtbot)
    empty = next((x, y) for x in np.linspace(-4, 4, 17) for y in np.linspace(-4, 4, 17)
                 if plot.test_point_near(x, y, pixels=12) is None)
    before = plot.plot.getViewBox().viewRange()
    mouse_drag(plot.plot, plot_point(plot, 0, 0), plot_point(plot, 2, 1))
    assert panel.walk is None and not panel.busy
    assert plot.plot.getViewBox().viewRange() != before  # the drag still pans
    plot.plot.getViewBox().setRange(xRange=before[0], yRange=before[1], padding=0)
    click(plot.plot, plot_point(plot, *empty))
    qtbot.waitUntil(lambda: panel.walk is not None, timeout=60_000)
    assert panel.typed_choice.isChecked()
    pixel = max(plot.plot.getViewBox().viewPixelSize())  # a click lands on a whole pixel
    np.testing.assert_allclose(panel.walk.data["x"][0], empty, atol=2 * pixel + 0.01)
    panel.clear()
    assert "click a point in the Output plot" in panel.status.text()
