"""The teaching views in the running editor: the Selected block dock, docks, code, exports."""

from __future__ import annotations

import nets
import numpy as np
import pytest
from guihelpers import step
from PySide6.QtWidgets import QLabel

import graph_engine as ge
from gui import dialogs
from gui.document import commands
from gui.teaching.activation_plot import local_curve

FORMULA = "where(x <= 0, 1 / (1 + alpha * exp(-x)), x)"


def small_net(activation="Tanh", dataset="xor", **params):
    d, ids = nets.two_layer(activation, dataset, 5, **params)
    d.title = "Small"
    d.training = d.training.with_(optimizer="adam", lr=0.03, epochs=1000)
    return d, ids


def section(window, name):
    page = window.teaching.selected.widget()
    return page.findChild(object, name)


def test_activation_plot_shows_f_and_its_autograd_slope(window, qtbot):
    d, ids = small_net("Sigmoid")
    window.document.replace(d)
    window.scene.select_blocks([ids["act"]])
    plot = section(window, "activationPlot")
    assert plot is not None
    assert section(window, "weightMap") is None  # only Linear blocks have one
    qtbot.waitUntil(lambda: plot.curve is not None, timeout=20000)
    expected = local_curve("Sigmoid", {}, 5)
    np.testing.assert_allclose(plot.curve["df"], expected["df"])
    assert plot.curve["df"].max() == pytest.approx(0.25, abs=1e-6)
    _xs, ys = plot.df_curve.getData()
    np.testing.assert_allclose(ys, expected["df"])
    # Editing the block redraws its curve.
    leaky, ids = small_net("LeakyReLU", negative_slope=0.2)
    window.document.replace(leaky)
    window.scene.select_blocks([ids["act"]])
    plot = section(window, "activationPlot")
    qtbot.waitUntil(lambda: plot.curve is not None, timeout=20000)
    assert plot.curve["df"][0] == pytest.approx(0.2)
    window.document.undo_stack.push(commands.SetParams(leaky, ids["act"],
                                                       {"negative_slope": 0.5}))
    qtbot.waitUntil(lambda: plot.curve["df"][0] == pytest.approx(0.5), timeout=20000)


def test_with_nothing_selected_the_dock_names_the_blocks_it_can_show(window, qtbot):
    d, ids = small_net("ReLU")
    d.rename(ids["hidden"], "<b>Hidden</b> & co")  # a name is text, never markup
    window.document.replace(d)
    label = window.teaching.selected.widget().findChild(QLabel)
    text = label.text()
    names = [d.block(b).name for b in (ids["hidden"], ids["act"], ids["out"])]
    links = [f'<a href="block:{b}">' for b in (ids["hidden"], ids["act"], ids["out"])]
    assert all(link in text for link in links)
    assert [text.index(link) for link in links] == sorted(text.index(link) for link in links)
    assert "&lt;b&gt;Hidden&lt;/b&gt; &amp; co" in text and names[1] in text
    assert f'block:{ids["input"]}' not in text  # an Input has nothing to show
    label.linkActivated.emit(f"block:{ids['act']}")
    assert window.scene.selected_block_ids() == [ids["act"]]
    assert section(window, "activationPlot") is not None
    window.scene.clearSelection()
    assert section(window, "activationPlot") is None
    window.document.undo_stack.push(commands.RemoveItems(d, [ids["act"]], []))

    def listed() -> str:
        return window.teaching.selected.widget().findChild(QLabel).text()
    qtbot.waitUntil(lambda: f'block:{ids["act"]}' not in listed(), timeout=3000)
    assert f'block:{ids["out"]}' in listed()


def test_inspector_shows_units_weights_and_the_learned_activation(window, qtbot):
    d, ids = small_net("CustomActivation", formula=FORMULA)
    window.document.replace(d)
    window.scene.select_blocks([ids["act"]])
    plot, units = section(window, "activationPlot"), section(window, "unitMaps")
    assert units is not None and "Press Step" in units.note.text()
    step(window, qtbot)
    qtbot.waitUntil(lambda: units.maps is not None and plot.trained, timeout=20000)
    assert units.maps.shape == (5, 40, 40) and len(units.tiles) == 5
    assert units.image.image is not None
    assert "learned" in plot.caption.text() and "alpha" in plot.caption.text()
    units.tiles[3].hovered.emit(3)  # what hovering does
    assert units.current == 3 and "unit 4" in units.large.getPlotItem().titleLabel.text

    window.scene.select_blocks([ids["hidden"]])
    weights = section(window, "weightMap")
    assert weights is not None and section(window, "unitMaps") is not None
    qtbot.waitUntil(lambda: weights.weight is not None, timeout=10000)
    assert weights.weight.shape == (5, 2) and weights.bias.shape == (5,)
    assert len(weights.texts) == 15  # small enough to print every number
    controller = window.training.controller
    qtbot.waitUntil(lambda: "inspector.activation" not in controller.probes, timeout=5000)


def test_training_docks_draw_live(window, qtbot):
    d, ids = small_net("ReLU")
    window.document.replace(d)
    docks = window.docks
    controller = window.training.controller
    docks["curves"].raise_()
    assert "dock.histograms" not in controller.probes  # hidden views cost nothing
    step(window, qtbot, 2)
    qtbot.waitUntil(lambda: len(controller.state.history) == 2, timeout=10000)
    gradients = window.teaching.gradients
    docks["gradients"].raise_()
    qtbot.waitUntil(lambda: len(next(iter(gradients.series.values()), ([],))[0]) == 2,
                    timeout=10000)
    assert set(gradients.series) == {ids["hidden"], ids["out"]}
    assert "Linear 1" in gradients.legend.text()

    docks["histograms"].raise_()
    histograms = window.teaching.histograms
    qtbot.waitUntil(lambda: len(histograms.plots) == 1, timeout=10000)
    assert histograms.layers[0]["block_id"] == ids["act"]
    assert "dock.gradients" not in controller.probes

    docks["confusion"].raise_()
    confusion = window.teaching.confusion
    qtbot.waitUntil(lambda: confusion.matrix is not None, timeout=10000)
    test_size = len(window.training.output._data.x_test)
    assert confusion.matrix.sum() == test_size
    assert f"of {test_size} correct" in confusion.caption.text()
    confusion.split.setCurrentIndex(1)
    confusion.split.activated.emit(1)
    train_size = len(window.training.output._data.x_train)
    assert confusion.matrix.sum() == train_size and "Training set" in confusion.caption.text()


def test_code_panel_follows_edits_and_shows_errors(window, qtbot, monkeypatch, tmp_path):
    d, ids = small_net()
    window.document.replace(d)
    window.docks["code"].raise_()
    code = window.teaching.code
    qtbot.waitUntil(lambda: "nn.Linear(2, 5)" in code.text.toPlainText(), timeout=5000)
    window.document.undo_stack.push(commands.SetParams(d, ids["hidden"], {"out_features": 7}))
    qtbot.waitUntil(lambda: "nn.Linear(2, 7)" in code.text.toPlainText(), timeout=5000)
    assert code.source == ge.to_python(d)

    code.copy()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == code.source
    target = tmp_path / "small"
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(target))
    code.save_button.click()
    assert (tmp_path / "small.py").read_text() == code.source

    window.document.undo_stack.push(commands.AddBlock(d, "Linear", (0, 0)))
    qtbot.waitUntil(lambda: "has errors" in code.text.toPlainText(), timeout=5000)
    assert "nothing wired into its input" in code.text.toPlainText()
    assert not code.copy_button.isEnabled() and not code.save_button.isEnabled()
    window.document.undo_stack.undo()
    qtbot.waitUntil(lambda: code.source is not None, timeout=5000)


def onnx_outputs(path, x):
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def model_outputs(diagram, x, weights=None):
    import torch

    net = ge.compile(diagram, seed=diagram.training.seed)
    if weights is not None:
        net.model.load_state_dict({k: torch.as_tensor(v) for k, v in weights.items()})
    net.model.eval()
    with torch.no_grad():
        return net.model(torch.as_tensor(x)).numpy()


def test_export_python_and_onnx_from_the_file_menu(window, qtbot, monkeypatch, tmp_path):
    pytest.importorskip("onnxruntime")
    d, _ = small_net()
    window.document.replace(d)
    exports = window.teaching.exports
    assert exports.onnx_action in window.export_menu.actions()
    paths = iter([str(tmp_path / "net.py"), str(tmp_path / "trained.onnx")])
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: next(paths))
    exports.python_action.trigger()
    assert (tmp_path / "net.py").read_text() == ge.to_python(d)

    # After a step the export carries the learned weights (from the training process).
    x = np.linspace(-3, 3, 10, dtype=np.float32).reshape(5, 2)
    step(window, qtbot, 1)
    exports.onnx_action.trigger()
    qtbot.waitUntil(lambda: not exports.busy, timeout=60000)
    assert "the weights of epoch 1" in window.statusBar().currentMessage()
    assert "export.weights" not in window.training.controller.probes
    hub, owner = window.teaching.hub, object()
    hub.claim("test.weights", owner, "state_dict")
    qtbot.waitUntil(lambda: hub.result("test.weights") is not None, timeout=10000)
    trained = hub.result("test.weights")["weights"]
    hub.release("test.weights", owner)
    np.testing.assert_allclose(onnx_outputs(tmp_path / "trained.onnx", x),
                               model_outputs(d, x, trained), rtol=1e-4, atol=1e-5)
    assert not np.allclose(model_outputs(d, x, trained), model_outputs(d, x))


def test_errors_refuse_exports(window, monkeypatch):
    d, _ = small_net()
    d.add("Linear")
    window.document.replace(d)
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append(title))
    window.teaching.exports.onnx_action.trigger()
    window.teaching.exports.python_action.trigger()
    assert shown == ["Export ONNX", "Export Python"]


def test_training_lints_reach_the_problems_panel(window, qtbot):
    d, _ = small_net()
    window.document.replace(d)
    controller = window.training.controller

    def history(losses):
        controller.state.history = [{"epoch": i + 1, "train_loss": loss}
                                    for i, loss in enumerate(losses)]
        controller.progressed.emit()

    history([0.5 * 3 ** i for i in range(5)])
    problems = window.problems
    assert [p.code for p in problems.extra] == ["diverging-loss"]
    item = problems.topLevelItem(problems.topLevelItemCount() - 1)
    assert problems.itemWidget(item, 3) is not None  # its Why? button
    assert "1 warning" in window.problem_label.text()
    history([0.5 * 3 ** i for i in range(5)] + [0.6])  # the spike fell back: still shown
    assert [p.code for p in problems.extra] == ["diverging-loss"]
    controller.reset()  # a new run: its lints start over
    assert problems.extra == []
    history([0.7] * 25)
    assert [p.code for p in problems.extra] == ["stalled-loss"]
