"""The training fast path gives the eager loop's numbers, bit for bit.

Each test trains the same diagram twice from the same seed: once with the
fast path (the Trainer's default where it applies) and once with
``fast=False`` (the eager autograd loop), and compares weights, histories and
optimizer state with ``torch.equal`` — no tolerance: the fast path calls the
same ATen kernels autograd calls, so any difference is a bug.
"""

from __future__ import annotations

import nets
import pytest
import torch

import graph_engine as ge
from graph_engine.data import datasets
from graph_engine.data.spec import DatasetSpec
from graph_engine.model.settings import TrainingSettings
from graph_engine.training.trainer import Trainer, TrainingDiverged

CIRCLE = DatasetSpec("circle", samples=120)
REGRESSION = DatasetSpec("reg-plane", samples=120)


def chain(blocks, loss="CrossEntropyLoss", dataset=CIRCLE) -> ge.Diagram:
    return nets.chain(blocks, loss, dataset)


def mlp(activation="Tanh", hidden=(6, 4), out=2, **params) -> list:
    blocks = []
    for width in hidden:
        blocks += [("Linear", {"out_features": width}), (activation, params)]
    return [*blocks, ("Linear", {"out_features": out})]


def trainer(d, settings, fast=True, track_gradients=False) -> Trainer:
    net = ge.compile(d, seed=settings.seed)
    # the fast path alone: the whole-epoch kernel agrees with it to rounding only
    t = Trainer(net, datasets.load(d.dataset), settings, track_gradients=track_gradients,
                fast=fast, kernel=False)
    assert (t._fast is not None) == fast
    return t


def assert_same(a: Trainer, b: Trainer) -> None:
    assert a.history == b.history
    sa, sb = a.model.state_dict(), b.model.state_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key


def both(d, epochs=3, **settings):
    s = TrainingSettings(**{"lr": 0.05, "batch_size": 7, **settings})
    fast, eager = trainer(d, s), trainer(d, s, fast=False)
    fast.train(epochs)
    eager.train(epochs)
    return fast, eager


ACTIVATIONS = [("ReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("Tanh", {}),
               ("Sigmoid", {}), ("ELU", {"alpha": 0.7}), ("GELU", {}),
               ("GELU", {"approximate": "tanh"}), ("SiLU", {}), ("Softplus", {"beta": 2.0}),
               ("Identity", {})]


@pytest.mark.parametrize(("activation", "params"), ACTIVATIONS)
def test_every_activation_gives_the_eager_numbers(activation, params):
    fast, eager = both(chain(mlp(activation, **params)), optimizer="adam")
    assert_same(fast, eager)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "rmsprop", "adagrad"])
def test_every_optimizer_gives_the_eager_numbers(optimizer):
    fast, eager = both(chain(mlp("ReLU")), optimizer=optimizer)
    assert_same(fast, eager)
    state_fast = fast.optimizer.state_dict()["state"]
    state_eager = eager.optimizer.state_dict()["state"]
    assert state_fast.keys() == state_eager.keys()
    for index, values in state_eager.items():
        for key, value in values.items():
            assert torch.equal(state_fast[index][key], value), (index, key)


LOSSES = [
    ([("Linear", {"out_features": 1})], "BCEWithLogitsLoss", CIRCLE),
    ([("Linear", {"out_features": 1}), ("Sigmoid", {})], "BCELoss", CIRCLE),
    ([("Linear", {"out_features": 2}), ("LogSoftmax", {})], "NLLLoss", CIRCLE),
    ([("Linear", {"out_features": 2})], "MSELoss", CIRCLE),
    ([("Linear", {"out_features": 2}), ("Softmax", {})], "MSELoss", CIRCLE),
    ([("Linear", {"out_features": 1})], "MSELoss", REGRESSION),
    ([("Linear", {"out_features": 1})], "HuberLoss", REGRESSION),
]


@pytest.mark.parametrize(("tail", "loss", "dataset"), LOSSES,
                         ids=[f"{loss}-{d.name}" for _, loss, d in LOSSES])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_every_loss_gives_the_eager_numbers(tail, loss, dataset, optimizer):
    blocks = [("Linear", {"out_features": 5}), ("Tanh", {}), *tail]
    fast, eager = both(chain(blocks, loss, dataset), optimizer=optimizer)
    assert_same(fast, eager)


@pytest.mark.parametrize("batch_size", [1, 3, 60, 500])
def test_odd_shapes_give_the_eager_numbers(batch_size):
    # one-unit layers, no biases, an activation before the first Linear, a
    # last batch of one row: the layouts where autograd's backward changes route
    blocks = [("ReLU", {}), ("Linear", {"out_features": 1, "bias": False}), ("Tanh", {}),
              ("Linear", {"out_features": 1}), ("ELU", {}), ("Linear", {"out_features": 2})]
    fast, eager = both(chain(blocks), batch_size=batch_size, optimizer="momentum")
    assert_same(fast, eager)


def test_the_playground_network_takes_the_fast_path():
    d = chain(mlp("Tanh", hidden=(4, 2)), dataset=DatasetSpec("circle"))
    t = trainer(d, TrainingSettings())
    assert t._fast_applies()


FALLBACKS = {
    "BatchNorm1d": [("Linear", {"out_features": 4}), ("BatchNorm1d", {}), ("ReLU", {}),
                    ("Linear", {"out_features": 2})],
    "Dropout": [("Linear", {"out_features": 4}), ("Dropout", {"p": 0.3}), ("ReLU", {}),
                ("Linear", {"out_features": 2})],
    "PReLU": mlp("PReLU"),
    "Step": mlp("Step"),
    "CustomActivation": mlp("CustomActivation", formula="where(x <= 0, alpha * x, x)"),
    "LayerNorm": [("Linear", {"out_features": 4}), ("LayerNorm", {}),
                  ("Linear", {"out_features": 2})],
}


@pytest.mark.parametrize("name", list(FALLBACKS))
def test_what_it_does_not_cover_falls_back_to_the_eager_loop(name):
    d = chain(FALLBACKS[name])
    t = trainer(d, TrainingSettings(), fast=False)
    from graph_engine.training import fastpath

    assert fastpath.build(t.model, t.loss_fn) is None
    t.train(2)  # and the eager loop trains it
    assert len(t.history) == 2


def test_a_residual_diagram_falls_back():
    d = ge.Diagram()
    x = d.add("Input", features=2)
    h = d.add("Linear", out_features=2)
    a = d.add("ReLU")
    s = d.add("Add")
    o = d.add("Linear", out_features=2)
    loss = d.add("CrossEntropyLoss")
    for src, dst in ((x, h), (h, a), (a, s), (x, s), (s, o), (o, loss)):
        d.connect(src, dst)
    d.dataset = CIRCLE
    net = ge.compile(d, seed=0)
    t = Trainer(net, datasets.load(CIRCLE), TrainingSettings(), track_gradients=False)
    assert t._fast is None
    t.train(1)


def test_a_loss_option_it_does_not_cover_falls_back():
    d = chain(mlp("ReLU"))
    loss = next(b for b in d.blocks if b.type == "CrossEntropyLoss")
    d.set_params(loss.id, label_smoothing=0.1)
    net = ge.compile(d, seed=0)
    assert Trainer(net, datasets.load(CIRCLE), TrainingSettings())._fast is None


def test_penalties_run_eagerly_and_settings_change_mid_run():
    d = chain(mlp("Tanh"))
    s = TrainingSettings(lr=0.05, batch_size=9, optimizer="sgd")
    fast, eager = trainer(d, s), trainer(d, s, fast=False)
    changes = [s.with_(lr=0.02), s.with_(l2=0.01), s.with_(l1=0.001, optimizer="momentum"),
               s.with_(optimizer="adam", batch_size=16), s.with_(optimizer="rmsprop"),
               s.with_(optimizer="adagrad", lr=0.1)]
    for settings in changes:
        for t in (fast, eager):
            t.update_settings(settings)
            t.train(2)
        assert fast._fast_applies() == (not (settings.l1 or settings.l2))
    assert_same(fast, eager)


def test_same_seed_same_numbers_other_seed_other_numbers():
    d = chain(mlp("ReLU"))
    runs = {}
    for seed in (3, 3, 4):
        t = trainer(d, TrainingSettings(seed=seed))
        t.train(3)
        runs.setdefault(seed, []).append(t)
    assert_same(*runs[3])
    assert runs[3][0].history != runs[4][0].history


def test_reset_goes_back_to_the_start_and_repeats_the_run():
    t = trainer(chain(mlp("Tanh")), TrainingSettings(optimizer="adam"))
    first = [p.clone() for p in t.model.parameters()]
    t.train(3)
    history = list(t.history)
    t.reset()
    assert t.epoch == 0 and not t.history
    assert all(torch.equal(a, b) for a, b in zip(first, t.model.parameters(), strict=True))
    t.train(3)
    assert t.history == history


def test_divergence_stops_as_the_eager_loop_does():
    d = chain(mlp("ReLU", hidden=(16, 16), out=1), "MSELoss", REGRESSION)
    s = TrainingSettings(lr=1e5, batch_size=5)
    results = []
    for fast in (True, False):
        t = trainer(d, s, fast=fast)
        with pytest.raises(TrainingDiverged):
            t.train(50)
        results.append(t)
    fast, eager = results
    assert fast.epoch == eager.epoch
    assert_same(fast, eager)  # the weights of the last good epoch, in both
    assert all(torch.isfinite(p).all() for p in fast.model.parameters())


def test_evaluate_predict_and_gradient_norms_match_the_eager_trainer():
    d = chain(mlp("SiLU"))
    s = TrainingSettings(optimizer="momentum")
    fast, eager = trainer(d, s, track_gradients=True), trainer(d, s, False, True)
    fast.train(2)
    eager.train(2)
    assert_same(fast, eager)  # histories include the gradient norms
    assert fast.evaluate() == eager.evaluate()
    points = datasets.load(CIRCLE).x_test
    assert (fast.measures.predict(points) == eager.measures.predict(points)).all()
    assert fast.measures.gradient_norms() == eager.measures.gradient_norms()
    assert fast.model.training


def test_the_weights_live_in_the_model():
    t = trainer(chain(mlp("Tanh")), TrainingSettings())
    weight = t.net.modules[next(b.id for b in t.net.plan.analysis.diagram.blocks
                                if b.type == "Linear")].weight
    before = weight.clone()
    t.train(1)
    assert not torch.equal(before, weight)  # trained in place, where probes read it
