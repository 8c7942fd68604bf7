"""The network drawn on its units (the Neuron View's model), its pictures and
weights from the training process, and weights set by hand in a dense layer."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from exporting import class_defs, import_source
from nets import wire

import graph_engine as ge
from graph_engine.build.compiler import compile as compile_diagram
from graph_engine.checks.analysis import analyze
from graph_engine.checks.neurons import HIDDEN, INPUT, MAX_UNITS, OUTPUT, neuron_graph
from graph_engine.data import datasets
from graph_engine.training import inspection, probes
from graph_engine.training.trainer import Trainer
from tools import make_examples

EXAMPLES = make_examples.EXAMPLES


def graph(name: str):
    return neuron_graph(analyze(ge.load(EXAMPLES / f"{name}.json")))


def layers(g) -> list[tuple[str, int, str]]:
    return [(layer.block_id, layer.units, layer.role) for layer in g.layers]


def links(g) -> list[tuple]:
    return [(k.src, k.dst, k.dense, k.offset) for k in g.links]


# ------------------------------------------------------------ the picture of a network

def test_xor_is_two_inputs_sixteen_relu_units_and_two_outputs():
    g = graph("xor")
    assert layers(g) == [("input1", 2, INPUT), ("relu1", 16, HIDDEN), ("linear2", 2, OUTPUT)]
    assert links(g) == [(0, 1, "linear1", 0), (1, 2, "linear2", 0)]
    assert g.note == "" and g.layers[1].more == 0


def test_feature_maps_are_the_inputs_and_a_residual_add_joins_unit_to_unit():
    features = graph("spiral-features")  # x1, x2, x1², x1·x2, x2², sin x1, sin x2
    assert layers(features)[0] == ("concat1", 7, INPUT)
    assert layers(graph("circle-squares"))[0] == ("multiply1", 2, INPUT)
    residual = graph("residual")
    assert layers(residual)[1:4] == [("relu1", 16, HIDDEN), ("relu2", 16, HIDDEN),
                                     ("add1", 16, HIDDEN)]
    assert (1, 3, None, 0) in links(residual) and (2, 3, None, 0) in links(residual)


def test_a_wide_layer_shows_its_first_units_and_counts_the_rest():
    g = graph("digits")
    assert [(layer.shown, layer.more) for layer in g.layers] == [(16, 48), (16, 16), (10, 0)]
    assert MAX_UNITS == 16


def test_the_view_stops_where_units_cannot_be_followed_and_says_why():
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=3), d.add("Tanh"),
           d.add("PolynomialFeatures", degree=2), d.add("Linear", out_features=2),
           d.add("CrossEntropyLoss")]
    wire(d, *ids)
    g = neuron_graph(analyze(d))
    assert layers(g) == [(ids[0], 2, INPUT), (ids[2], 3, HIDDEN)]
    assert "PolynomialFeatures 1 changes the number of units without weights" in g.note
    assert "no weights" in neuron_graph(analyze(ge.load(EXAMPLES / "autograd.json"))).note


# ------------------------------------------------------------ the probe

def trainer(name: str) -> Trainer:
    d = ge.load(EXAMPLES / f"{name}.json")
    return Trainer(compile_diagram(d, seed=0), datasets.load(d.dataset), d.training)


def test_the_pictures_are_the_engines_unit_maps_and_the_weights_the_modules():
    t = trainer("xor")
    t.run_epoch()
    result = probes.neuron_view(t, resolution=20)
    grid = probes.Grid(result["bounds"], 20).points()
    for block_id in ("relu1", "linear2"):
        expected = inspection.unit_maps(t.net, block_id, grid, 20)["maps"]
        np.testing.assert_array_equal(result["maps"][block_id], expected)
    inputs = result["maps"]["input1"]  # x1 grows to the right, x2 upwards
    np.testing.assert_array_equal(inputs[0], grid[:, 0].reshape(20, 20))
    np.testing.assert_array_equal(inputs[1], grid[:, 1].reshape(20, 20))
    linear = t.net.modules["linear1"]
    np.testing.assert_array_equal(result["weights"]["linear1"]["weight"],
                                  linear.weight.detach().numpy())
    np.testing.assert_array_equal(result["weights"]["linear1"]["bias"],
                                  linear.bias.detach().numpy())


def test_without_an_input_plane_the_weights_come_without_pictures():
    result = probes.neuron_view(trainer("digits"))
    assert "note" in result and "maps" not in result
    assert result["weights"]["linear1"]["weight"].shape == (16, 16)  # the units shown


def test_the_canvas_neurons_come_from_the_same_unit_maps():
    t = trainer("circle")
    result = probes.neurons(t, resolution=12, max_units=8)
    grid = probes.Grid(result["bounds"], 12).points()
    for block_id, maps in result["maps"].items():
        np.testing.assert_array_equal(maps, inspection.unit_maps(t.net, block_id, grid, 12,
                                                                 8)["maps"])


# ------------------------------------------------------------ weights set by hand

def xor_with_a_weight(row: int = 3, column: int = 1, value: float = 0.5) -> ge.Diagram:
    d = ge.load(EXAMPLES / "xor.json")
    d.set_params("linear1", start_weights=[[row, column, value]])
    return d


def test_a_weight_set_by_hand_starts_the_run_and_the_rest_is_inits():
    plain = compile_diagram(ge.load(EXAMPLES / "xor.json"), seed=0)
    edited = compile_diagram(xor_with_a_weight(), seed=0)
    before = plain.modules["linear1"].weight.detach().clone()
    after = edited.modules["linear1"].weight.detach()
    assert after[3, 1].item() == 0.5
    before[3, 1] = 0.5
    assert torch.equal(before, after)


def test_weights_set_by_hand_are_saved_read_back_and_exported(tmp_path):
    d = xor_with_a_weight()
    ge.save(d, tmp_path / "x.json")
    saved = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    linear = next(b for b in saved["blocks"] if b["id"] == "linear1")
    assert linear["params"]["start_weights"] == [[3, 1, 0.5]]
    assert "start_weights" not in json.dumps(json.loads(
        (EXAMPLES / "xor.json").read_text(encoding="utf-8")))  # unset: not written
    again = ge.load(tmp_path / "x.json")
    assert again.block("linear1").params["start_weights"] == ((3, 1, 0.5),)
    source = ge.to_python(again)
    exported = import_source(source, tmp_path)
    (name,) = class_defs(source)
    module = getattr(exported, name)()
    assert module.layers[0].weight[3, 1].item() == 0.5


def test_typed_weights_are_read_as_the_inspector_shows_them():
    spec = ge.REGISTRY.get("Linear").param("start_weights")
    assert spec.coerce("3,1=0.5; 0,0=-1") == ((0, 0, -1.0), (3, 1, 0.5))
    for bad in ("3,1", "a,b=1", [[0, 0, float("nan")]], [[0, -1, 1.0]], [[0, 0, 1], [0, 0, 2]]):
        with pytest.raises(ValueError, match="start_weights"):
            spec.coerce(bad)


def test_a_weight_outside_its_layer_is_a_shape_error():
    d = xor_with_a_weight(row=3)
    d.set_params("linear1", out_features=2)
    (problem,) = [p for p in ge.validate(d) if p.is_error]
    assert problem.code == "shape-mismatch" and "row 3, column 1" in problem.message
