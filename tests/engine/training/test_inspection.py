"""The numbers behind the teaching views, checked against torch by hand."""

from __future__ import annotations

import nets
import numpy as np
import pytest
import torch

import graph_engine as ge
from graph_engine.blocks.registry import Role
from graph_engine.data import datasets
from graph_engine.training import inspection, probes
from graph_engine.training.trainer import Trainer

ACTIVATIONS = [s.name for s in ge.REGISTRY if s.role == Role.ACTIVATION]


def network(hidden="Tanh", dataset="xor", units=6, **params):
    return nets.two_layer(hidden, dataset, units, **params)


def trainer_for(d, epochs=0):
    net = ge.compile(d, seed=0)
    trainer = Trainer(net, datasets.load(d.dataset), d.training, track_gradients=False)
    trainer.train(epochs)
    return trainer


def probe(trainer, fn, **args):
    result = probes.run_probe(trainer, {"fn": fn, "args": args})
    assert "error" not in result, result
    return result


# ------------------------------------------------------------ activation curves

@pytest.mark.parametrize("name", ACTIVATIONS)
def test_the_slope_is_autograds_and_matches_the_curve(name):
    module = inspection.activation_module(name, {}, features=3)
    curve = inspection.activation_curve(module, features=3)
    xs = torch.as_tensor(curve["xs"]).requires_grad_(True)
    y = module(xs[:, None].repeat(1, 3))[:, 0]
    (reference,) = torch.autograd.grad(y.sum(), xs, allow_unused=True)
    reference = torch.zeros_like(xs) if reference is None else reference
    np.testing.assert_allclose(curve["f"], y.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(curve["df"], reference.numpy(), rtol=1e-6, atol=1e-7)
    # Away from kinks the slope is the curve's own finite-difference slope.
    f, x = curve["f"].astype(np.float64), curve["xs"].astype(np.float64)
    numeric = (f[2:] - f[:-2]) / (x[2:] - x[:-2])
    smooth = np.abs(x[1:-1]) > 0.2
    np.testing.assert_allclose(curve["df"][1:-1][smooth], numeric[smooth], atol=0.02)


def test_known_slopes():
    def slope(name, **params):
        curve = inspection.activation_curve(inspection.activation_module(name, params))
        return curve["xs"], curve["df"]

    xs, df = slope("ReLU")
    np.testing.assert_array_equal(df, (xs > 0).astype(np.float32))
    xs, df = slope("Sigmoid")
    assert df.max() == pytest.approx(0.25, abs=1e-6)
    assert xs[df.argmax()] == pytest.approx(0.0, abs=1e-6)
    _, df = slope("Step")
    assert not df.any()
    xs, df = slope("LeakyReLU", negative_slope=0.1)
    np.testing.assert_allclose(df, np.where(xs > 0, 1.0, 0.1), rtol=1e-6)


def test_a_custom_activation_starts_at_one_and_shows_learned_values():
    formula = "where(x <= 0, 1 / (1 + alpha * exp(-x)), x)"
    module = inspection.activation_module("CustomActivation", {"formula": formula})
    curve = inspection.activation_curve(module)
    assert curve["params"] == {"alpha": 1.0}
    xs = curve["xs"].astype(np.float64)
    expected = np.where(xs <= 0, np.exp(-xs) / (1 + np.exp(-xs)) ** 2, 1.0)
    np.testing.assert_allclose(curve["df"], expected, rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        module.alpha.fill_(2.5)
    assert inspection.activation_curve(module)["params"] == {"alpha": 2.5}


def test_the_activation_probe_reads_the_trained_module_and_notices_edits():
    d, ids = network("PReLU")
    trainer = trainer_for(d, epochs=1)
    params = d.block(ids["act"]).params
    result = probe(trainer, "activation", block_id=ids["act"], features=6, params=params)
    slope = float(trainer.net.modules[ids["act"]].weight.detach())
    assert slope != 0.25  # it learned
    assert result["params"] == {"weight": pytest.approx(slope)}
    assert result["df"][0] == pytest.approx(slope)
    changed = probes.run_probe(trainer, {"fn": "activation", "args": {
        "block_id": ids["act"], "params": {**params, "init": 0.5}}})
    assert "changed" in changed["error"]


# ------------------------------------------------------------ inside the network

def test_unit_maps_are_the_blocks_outputs_on_the_grid():
    d, ids = network("Tanh", units=20)
    trainer = trainer_for(d, epochs=2)
    net = trainer.net
    grid = probes.Grid(probes.plot_bounds(trainer), 40)
    linear = net.modules[ids["hidden"]]
    with torch.no_grad():
        pre = torch.as_tensor(grid.points()) @ linear.weight.T + linear.bias
    for block, expected in ((ids["hidden"], pre), (ids["act"], torch.tanh(pre))):
        result = probe(trainer, "units", block_id=block, resolution=40)
        assert result["units"] == 20
        assert result["maps"].shape == (16, 40, 40)  # capped
        for unit in range(16):
            np.testing.assert_allclose(result["maps"][unit],
                                       expected[:, unit].reshape(40, 40).numpy(),
                                       rtol=1e-5, atol=1e-6)


def test_unit_maps_need_an_input_plane():
    d = ge.Diagram()
    x, h, a, o = (d.add("Input", features=4), d.add("Linear", out_features=5), d.add("ReLU"),
                  d.add("Linear", out_features=3))
    loss = d.add("CrossEntropyLoss")
    for src, dst in ((x, h), (h, a), (a, o), (o, loss)):
        d.connect(src, dst)
    d.dataset = "iris"
    result = probe(trainer_for(d), "units", block_id=a)
    assert "no input plane" in result["note"]


def test_the_weight_heatmap_is_the_linear_layers_weight():
    d, ids = network()
    trainer = trainer_for(d, epochs=2)
    result = probe(trainer, "weights", block_id=ids["hidden"])
    linear = trainer.net.modules[ids["hidden"]]
    np.testing.assert_array_equal(result["weight"], linear.weight.detach().numpy())
    np.testing.assert_array_equal(result["bias"], linear.bias.detach().numpy())
    missing = probes.run_probe(trainer, {"fn": "weights", "args": {"block_id": "nope"}})
    assert "press play" in missing["error"]


def test_histograms_count_dead_relus():
    d, ids = network("ReLU", units=8)
    trainer = trainer_for(d)
    linear = trainer.net.modules[ids["hidden"]]
    with torch.no_grad():
        linear.bias[:3] = -100.0  # three units can never fire on this data
    layers = probe(trainer, "histograms")["layers"]
    assert [layer["block_id"] for layer in layers] == [ids["act"]]
    assert layers[0]["dead"] == 3 and layers[0]["units"] == 8
    total = 8 * len(trainer.data.x_train)
    assert layers[0]["values"] == total
    assert layers[0]["counts"].sum() + layers[0]["zeros"] == total
    assert layers[0]["zeros"] >= 3 * len(trainer.data.x_train)


def test_gradient_norms_probe_leaves_training_reproducible():
    d, _ = network("Dropout", p=0.5)  # draws random numbers in train mode
    trainer = trainer_for(d)
    losses = []
    for with_probe in (False, True):
        trainer.reset()
        torch.manual_seed(1)
        if with_probe:
            result = probe(trainer, "gradients")
            assert set(result["norms"]) == {b for b, m in trainer.net.modules.items()
                                            if list(m.parameters())}
        trainer.train(2)
        losses.append(trainer.history[-1]["train_loss"])
    assert losses[0] == losses[1]


def test_confusion_matrix_counts_the_test_predictions():
    d, ids = network("Tanh", dataset="blobs")
    d.set_params(ids["out"], out_features=3)  # blobs has three classes
    trainer = trainer_for(d, epochs=2)
    result = probe(trainer, "confusion")
    matrix = result["matrix"]
    assert matrix.sum() == len(trainer.data.x_test)
    predicted = trainer.measures.predicted_classes(trainer.data.x_test)
    for true in range(3):
        for guess in range(3):
            expected = np.sum((trainer.data.y_test == true) & (predicted == guess))
            assert matrix[true, guess] == expected
    assert result["class_names"] == list(trainer.data.class_names)
    assert probe(trainer, "confusion", split="train")["matrix"].sum() == \
        len(trainer.data.x_train)


def test_confusion_matrix_explains_regression():
    d = ge.Diagram()
    x, h, o = d.add("Input", features=2), d.add("Linear", out_features=4), \
        d.add("Linear", out_features=1)
    loss = d.add("MSELoss")
    for src, dst in ((x, h), (h, o), (o, loss)):
        d.connect(src, dst)
    d.dataset = "reg-plane"
    assert "regression" in probe(trainer_for(d), "confusion")["note"]


def test_state_dict_probe_gives_the_trained_weights():
    d, _ = network()
    trainer = trainer_for(d, epochs=1)
    weights = probe(trainer, "state_dict")["weights"]
    model = trainer.model.state_dict()
    assert set(weights) == set(model)
    for key, value in model.items():
        np.testing.assert_array_equal(weights[key], value.numpy())


# ------------------------------------------------------------ ONNX

def test_exported_onnx_gives_the_compiled_modules_outputs(tmp_path):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from graph_engine.build.export import export_onnx

    d, _ = network("CustomActivation")
    trainer = trainer_for(d, epochs=2)
    path = tmp_path / "net.onnx"
    export_onnx(trainer.net, path)
    onnx.checker.check_model(onnx.load(str(path)))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).normal(size=(17, 2)).astype(np.float32)
    (onnx_out,) = session.run(None, {"x": x})
    with torch.no_grad():
        trainer.model.eval()
        expected = trainer.model(torch.as_tensor(x)).numpy()
    np.testing.assert_allclose(onnx_out, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_slopes_at_given_inputs_are_the_curves_slopes(name):
    """f′ at a unit's own input, as backprop multiplies by it, equals the curve's f′."""
    module = inspection.activation_module(name, {}, features=3)
    xs = torch.tensor([[-1.5, 0.25, 2.0]])
    slopes = inspection.slopes(module, xs)
    for i, x in enumerate(xs[0].tolist()):
        curve = inspection.activation_curve(module, features=3, low=x, high=x + 1, points=2)
        assert slopes[0, i].item() == pytest.approx(float(curve["df"][0]), abs=1e-6)


# ------------------------------------------------------------ weights on the wires

def test_wire_weights_summarise_every_dense_layer_from_its_matrix():
    d, _ = network(units=6)
    trainer = trainer_for(d, epochs=2)
    layers = probe(trainer, "wire_weights")["layers"]
    dense = [b.id for b in d.blocks if b.spec.dense]
    assert sorted(layers) == sorted(dense)
    for block_id in dense:
        weight = trainer.net.modules[block_id].weight.detach().numpy()
        summary = layers[block_id]
        assert summary["shape"] == weight.shape
        assert summary["mean"] == pytest.approx(float(weight.mean()))
        assert summary["mean_abs"] == pytest.approx(float(np.abs(weight).mean()))
        assert (summary["min"], summary["max"]) == (pytest.approx(float(weight.min())),
                                                   pytest.approx(float(weight.max())))
        np.testing.assert_array_equal(summary["sample"], weight[:4, :4])
