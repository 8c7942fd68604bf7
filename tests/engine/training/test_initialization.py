"""The training settings ``init`` (the starting weights) and ``shuffle`` (the batch order).

Each scheme is checked against what it promises (zeros keeps a layer's units
identical through training; playground's ranges; Xavier's and He's spreads),
in the compiled network, the file, the exported code and ``ge.train``; shuffle
off is checked against a plain torch loop over the data set in its order.
"""

from __future__ import annotations

import math
import runpy

import pytest
import torch
from commands import run_cli
from nets import wire

import graph_engine as ge
from graph_engine.data import datasets
from graph_engine.model.initializers import INITIALIZERS
from graph_engine.training.trainer import Trainer, to_tensors

WIDE = 64  # units of the layer whose spread is measured


def network(hidden: int = 4, activation: str = "Sigmoid", init: str = "default") -> ge.Diagram:
    d = ge.Diagram()
    wire(d, d.add("Input", features=2), d.add("Linear", out_features=hidden), d.add(activation),
          d.add("Linear", out_features=2), d.add("CrossEntropyLoss"))
    d.dataset = {"name": "circle", "samples": 200}
    d.training = ge.TrainingSettings(init=init, optimizer="sgd", lr=0.3)
    return d


def dense(model: torch.nn.Module) -> list[torch.nn.Linear]:
    return [m for m in model.modules() if isinstance(m, torch.nn.Linear)]


def identical_units(layer: torch.nn.Linear) -> bool:
    """Every output unit of ``layer`` has the same weights and bias as the first."""
    weight, bias = layer.weight.detach(), layer.bias.detach()
    return torch.equal(weight, weight[:1].expand_as(weight)) and \
        torch.equal(bias, bias[:1].expand_as(bias))


def test_every_scheme_is_a_choice_of_the_setting_and_the_command_line():
    choices = ge.TrainingSettings.__dataclass_fields__["init"]
    assert choices.default == "default"
    for name in INITIALIZERS:
        assert ge.TrainingSettings(init=name).init == name
    with pytest.raises(ValueError, match="init must be one of"):
        ge.TrainingSettings(init="ones")


def test_default_is_pytorchs_own_weights():
    d = network()
    ours = ge.compile(d, seed=5).model
    torch.manual_seed(5)
    theirs = [torch.nn.Linear(2, 4), torch.nn.Linear(4, 2)]
    for mine, reference in zip(dense(ours), theirs, strict=True):
        assert torch.equal(mine.weight, reference.weight)
        assert torch.equal(mine.bias, reference.bias)


def test_zeros_keeps_every_hidden_unit_identical_through_training():
    run = ge.train(network(init="zeros"), epochs=20)
    hidden, out = dense(run.model)
    assert torch.count_nonzero(hidden.weight) > 0  # it learned, but every unit alike
    assert identical_units(hidden)
    assert torch.equal(out.weight, out.weight[:, :1].expand_as(out.weight))
    other = ge.train(network(init="default"), epochs=20)
    assert other.history[-1]["test_accuracy"] > run.history[-1]["test_accuracy"] + 0.2


def test_playground_draws_weights_in_half_a_unit_and_biases_of_a_tenth():
    model = ge.compile(network(hidden=WIDE, init="playground"), seed=1).model
    for layer in dense(model):
        assert -0.5 <= layer.weight.min() < -0.4 and 0.4 < layer.weight.max() < 0.5
        assert torch.equal(layer.bias, torch.full_like(layer.bias, 0.1))


@pytest.mark.parametrize("init, spread", [
    ("xavier", lambda fan_in, fan_out: math.sqrt(2 / (fan_in + fan_out))),
    ("he", lambda fan_in, fan_out: math.sqrt(2 / fan_in)),
])
def test_xavier_and_he_draw_their_spread_and_zero_biases(init, spread):
    d = ge.Diagram()
    wire(d, d.add("Input", features=WIDE), d.add("Linear", out_features=WIDE),
          d.add("Linear", out_features=2))
    d.training = ge.TrainingSettings(init=init)
    for layer in dense(ge.compile(d, seed=2).model):
        fan_out, fan_in = layer.weight.shape
        measured = float(layer.weight.detach().std())
        assert measured == pytest.approx(spread(fan_in, fan_out), rel=0.1)
        assert torch.count_nonzero(layer.bias) == 0


def test_a_linear_layer_without_bias_is_initialised_too():
    d = ge.Diagram()
    wire(d, d.add("Input", features=3), d.add("Linear", out_features=2, bias=False))
    d.training = ge.TrainingSettings(init="playground")
    (layer,) = dense(ge.compile(d, seed=0).model)
    assert layer.bias is None and layer.weight.abs().max() < 0.5


def test_init_is_saved_read_back_and_left_out_at_its_default(tmp_path):
    path = tmp_path / "net.json"
    ge.save(network(init="he"), path)
    assert ge.load(path).training.init == "he"
    assert '"init": "he"' in path.read_text(encoding="utf-8")
    ge.save(network(), path)
    assert '"init"' not in path.read_text(encoding="utf-8")


def test_train_takes_init_as_an_override():
    run = ge.train(network(), epochs=1, init="zeros")
    assert identical_units(dense(run.model)[0])
    assert run.settings.init == "zeros"


@pytest.mark.parametrize("init", sorted(set(INITIALIZERS) - {"default"}))
def test_the_exported_code_starts_from_the_same_scheme(init, tmp_path):
    d = network(hidden=WIDE, init=init)
    source = ge.to_python(d)
    assert f"init {init!r}" in source
    path = tmp_path / "net.py"
    path.write_text(source, encoding="utf-8")
    torch.manual_seed(3)
    exported = runpy.run_path(str(path))[ge.build.codegen.class_name(d)]()
    ours = ge.compile(d, seed=3).model
    for mine, theirs in zip(dense(ours), dense(exported), strict=True):
        if init in ("zeros", "playground"):
            assert torch.equal(mine.bias, theirs.bias)
        spreads = [float(layer.weight.detach().std()) for layer in (mine, theirs)]
        assert spreads[0] == pytest.approx(spreads[1], rel=0.25)


def test_the_command_line_trains_from_the_init_it_is_given(tmp_path):
    path = tmp_path / "net.json"
    ge.save(network(), path)
    weights = tmp_path / "w.safetensors"
    result = run_cli("train", path, "--epochs", "1", "--init", "zeros", "--save-weights",
                     weights)
    assert result.returncode == 0, result.stderr
    net = ge.compile(ge.load(path))
    ge.build.weights.load_weights(net.model, weights)
    assert identical_units(dense(net.model)[0])
    assert run_cli("train", path, "--init", "ones").returncode == 2


# ------------------------------------------------------------------ shuffle

def one_epoch_by_hand(d: ge.Diagram) -> list[torch.Tensor]:
    """One epoch of plain SGD over the training set in its own order, in torch."""
    net = ge.compile(d, seed=d.training.seed)
    data = to_tensors(net, datasets.load(d.dataset))
    optimizer = torch.optim.SGD(net.model.parameters(), lr=d.training.lr)
    size = d.training.batch_size
    for start in range(0, len(data.x_train), size):
        optimizer.zero_grad()
        net.loss_fn(net.model(data.x_train[start:start + size]),
                    data.y_train[start:start + size]).backward()
        optimizer.step()
    return [p.detach() for p in net.model.parameters()]


@pytest.mark.parametrize("fast", [True, False])
def test_shuffle_off_keeps_the_data_sets_order_in_every_epoch(fast):
    d = network()
    d.training = d.training.with_(shuffle=False)
    net = ge.compile(d, seed=d.training.seed)
    trainer = Trainer(net, datasets.load(d.dataset), d.training, fast=fast)
    trainer.run_epoch()
    for ours, by_hand in zip(trainer.model.parameters(), one_epoch_by_hand(d), strict=True):
        torch.testing.assert_close(ours.detach(), by_hand, rtol=1e-5, atol=1e-6)


def test_shuffle_on_reshuffles_each_epoch_and_off_does_not():
    shuffled = ge.train(network(), epochs=3, seed=0)
    reseeded = ge.train(network(), epochs=3, seed=0, shuffle=False)
    assert shuffled.history != reseeded.history
    # shuffle off: the order does not depend on the seed, so from the same weights
    # two seeds train the same
    start = ge.compile(network(), seed=0).model.state_dict()
    first = ge.train(network(), epochs=3, seed=0, shuffle=False, weights=start)
    second = ge.train(network(), epochs=3, seed=9, shuffle=False, weights=start)
    assert first.history == second.history


def test_shuffle_is_saved_read_back_and_left_out_at_its_default(tmp_path):
    d = network()
    d.training = d.training.with_(shuffle=False)
    path = tmp_path / "net.json"
    ge.save(d, path)
    assert ge.load(path).training.shuffle is False
    ge.save(network(), path)
    assert '"shuffle"' not in path.read_text(encoding="utf-8")
