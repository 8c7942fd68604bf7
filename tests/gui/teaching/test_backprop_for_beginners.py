"""Backprop for beginners: every example traces (labels −1/+1 too), the loss's
step shows softmax − one-hot or 2(ŷ − y)/n, matrices are readable, Next and Back
stay put, Apply one step previews the stepped network in the Output plot and
Undo step brings the run's picture back; Load Weights shows the loaded network
at once, and the weight plot's axes fit the layer before any weights arrive."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from guihelpers import open_example, step

import graph_engine as ge
from graph_engine.build.weights import load_weights
from graph_engine.training.probes import Grid
from graph_engine.training.trace import dataset_sample
from gui.teaching.weights import WeightMap

torch.set_num_threads(1)


def trace(panel, qtbot) -> None:
    panel.trace()
    qtbot.waitUntil(lambda: not panel.busy, timeout=60_000)
    assert panel.walk is not None, panel.status.text()


def to_the_loss_backward(panel) -> None:
    while panel.walk.step.phase != "backward":
        panel.move_by(1)


def table(panel) -> dict[str, list[float]]:
    t = panel.view.table
    return {t.horizontalHeaderItem(c).text(): [float(t.item(r, c).text())
                                               for r in range(t.rowCount())]
            for c in range(t.columnCount())}


def apply(panel, qtbot) -> dict:
    count = len(panel.steps)
    panel.apply_button.click()
    qtbot.waitUntil(lambda: len(panel.steps) == count + 1 and not panel.busy, timeout=60_000)
    return panel.steps.applied[-1]


# ------------------------------------------------------------ the loss's step

def test_playground_default_traces_and_its_loss_step_is_two_times_the_error(
        window, panel, qtbot):
    d = open_example(window, "playground-default")
    trace(panel, qtbot)
    to_the_loss_backward(panel)
    columns = table(panel)
    x, y = dataset_sample(d, 0)
    expected = ge.trace(d, x, y)
    prediction = float(expected.blocks[expected.prediction].output)
    target = 2.0 * float(y) - 1.0  # the data set's −1/+1
    assert columns["prediction ŷ"] == pytest.approx([prediction], rel=1e-3)
    assert columns["target y"] == [target]
    assert columns["= dL/dŷ"] == pytest.approx([2 * (prediction - target)], rel=1e-3)
    assert "2(ŷ − y) / n" in panel.view.rule.text()


def test_at_the_cross_entropy_loss_the_step_is_softmax_minus_one_hot(window, panel, qtbot):
    d = open_example(window, "backprop-sgd")
    trace(panel, qtbot)
    to_the_loss_backward(panel)
    columns = table(panel)
    x, y = dataset_sample(d, 0)
    z = torch.tensor(columns["score z"])
    softmax = torch.softmax(z, dim=0)
    one_hot = torch.nn.functional.one_hot(torch.tensor(int(y)), 2).float()
    assert columns["softmax(z)"] == pytest.approx(softmax.tolist(), abs=1e-4)
    assert columns["one-hot y"] == one_hot.tolist()
    assert columns["= dL/dz"] == pytest.approx((softmax - one_hot).tolist(), abs=1e-4)
    traced = ge.trace(d, x, y)  # autograd's gradient at the loss's input
    loss_id = traced.order[-1]
    assert columns["= dL/dz"] == pytest.approx(
        traced.blocks[loss_id].grad_inputs["input"][0].tolist(), abs=1e-4)
    assert "softmax(z) − one-hot(y)" in panel.view.rule.text()
    t = panel.view.table
    assert [t.verticalHeaderItem(r).text() for r in range(2)] == ["class 0", "class 1"]


# ------------------------------------------------------------ readable, and still

def test_weight_and_gradient_matrices_are_readable(window, panel, qtbot):
    """XOR's first layer is 16 × 2: drawn as two columns wide enough for numbers,
    not as a strip 14 pixels wide."""
    open_example(window, "xor")
    trace(panel, qtbot)
    while panel.walk.step.phase != "backward" or panel.walk.step.block["id"] != "linear1":
        panel.move_by(1)
    picture = panel.view.weights.pixmap()
    assert not panel.view.weights.isHidden()
    assert picture.width() >= 2 * (2 * 34)  # W and dL/dW, each two columns of >= 34 px
    assert picture.height() >= 16 * 14


def test_next_and_back_stay_where_they_are_while_stepping(window, panel, qtbot):
    open_example(window, "xor")
    trace(panel, qtbot)
    qtbot.wait(50)
    button, dock = panel.next_button, window.docks["backprop"]
    where = (button.mapToGlobal(button.rect().topLeft()), dock.height(), window.size())
    while not panel.walk.at_end:
        panel.next_button.click()
        qtbot.wait(10)
        if panel.walk.step.phase == "backward":
            panel.view.select_unit(0)
        assert (button.mapToGlobal(button.rect().topLeft()), dock.height(),
                window.size()) == where
    apply(panel, qtbot)
    qtbot.wait(50)
    assert (button.mapToGlobal(button.rect().topLeft()), dock.height(),
            window.size()) == where


# ------------------------------------------------------------ the preview of a step

def probabilities(d: ge.Diagram, weights: dict, result: dict) -> np.ndarray:
    """The class probabilities over the plot's grid, by the compiled module itself."""
    net = ge.compile(d, seed=d.training.seed)
    net.model.load_state_dict({k: torch.as_tensor(v) for k, v in weights.items()})
    net.model.eval()
    resolution = result["probs"].shape[0]
    points = Grid(tuple(result["bounds"]), resolution).points()
    with torch.no_grad():
        out = net.model(torch.as_tensor(points))
    return torch.softmax(out, dim=1).numpy().reshape(resolution, resolution, -1)


def test_apply_one_step_previews_the_stepped_network_and_undo_brings_the_run_back(
        window, panel, qtbot):
    d = open_example(window, "backprop-sgd")
    output = window.training.output
    step(window, qtbot, 1)
    qtbot.waitUntil(lambda: output.has_image() and panel.weights_epoch == 1, timeout=30_000)
    run_picture = output._result
    trace(panel, qtbot)
    stepped = apply(panel, qtbot)
    qtbot.waitUntil(lambda: output.previewing, timeout=60_000)
    assert "Preview" in output.preview_note.text() and "1 step" in output.preview_note.text()
    shown = output._result
    np.testing.assert_allclose(shown["probs"], probabilities(d, stepped["weights"], shown),
                               atol=1e-5)
    assert not np.allclose(shown["probs"], run_picture["probs"])
    assert "Δw = −lr · dL/dw = −0.1 ×" in panel.update_view_.caption.text()
    window.scene.select_blocks(["linear1"])  # another view claims a probe: still a preview
    qtbot.wait(500)
    assert output.previewing
    panel.undo_button.click()
    assert not output.previewing and output.preview_note.isHidden()
    assert output._result is output._run_result


def test_the_run_moving_on_ends_the_preview(window, panel, qtbot):
    open_example(window, "backprop-sgd")
    output = window.training.output
    trace(panel, qtbot)
    apply(panel, qtbot)
    qtbot.waitUntil(lambda: output.previewing, timeout=60_000)
    step(window, qtbot, 1)
    qtbot.waitUntil(lambda: not output.previewing, timeout=30_000)
    assert not panel.steps


# ------------------------------------------------------------ loaded weights

def test_load_weights_shows_the_loaded_network_at_once(window, qtbot, tmp_path):
    d = open_example(window, "xor")
    window.scene.select_blocks(["linear2"])
    step(window, qtbot, 2)
    files = window.training.controller.files
    done = []
    files.file_done.connect(lambda ok, message: done.append(ok))
    path = tmp_path / "w.safetensors"
    files.save_weights(str(path))
    qtbot.waitUntil(lambda: done == [True], timeout=15_000)
    window.training.toolbar.reset.trigger()
    qtbot.wait(300)
    assert files.load_weights(str(path))
    qtbot.waitUntil(lambda: done == [True, True], timeout=15_000)
    weights = window.teaching.selected.widget().findChild(WeightMap)
    output = window.training.output
    qtbot.waitUntil(lambda: weights.weight is not None and output.has_image(), timeout=5000)
    net = ge.compile(d, seed=d.training.seed)
    load_weights(net.model, path)
    np.testing.assert_allclose(weights.weight, net.modules["linear2"].weight.detach().numpy())
    assert window.training.controller.state.epoch == 0


def test_the_weight_plot_fits_the_layer_before_any_weights(window, qtbot):
    open_example(window, "xor")
    window.scene.select_blocks(["linear1"])  # 16 units × 2 inputs, and a bias
    weights = window.teaching.selected.widget().findChild(WeightMap)
    assert weights.weight is None
    (x0, x1), (y0, y1) = weights.plot.viewRange()
    assert weights.shape == (16, 2, True)
    assert x0 <= 0 and 3.4 <= x1 < 3.6 and y0 <= 0 and 16 <= y1 < 16.5
