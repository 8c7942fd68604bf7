"""The whole-epoch kernel trains as the torch path does, to rounding.

The kernel computes in float32 as torch does, but its sums run in another
order than torch's matrix products and its tanh and exp are libm's, so it
agrees with the torch path to rounding, not bit for bit. Rounding grows where
training is chaotic: for the Playground network with momentum, two torch
runs whose initial weights differ by one part in 10^7 end 100 epochs 0.35
apart. So the grid below trains where a torch run is stable under rounding
(small data, moderate learning rates), and there the kernel must equal the
torch path (the fast path, itself bit-identical to autograd, or the eager
loop with penalties) to 1e-5 after 100 epochs, weights and losses.
"""

from __future__ import annotations

import logging
import random
import threading

import pytest
import torch
from nets import chain
from worker import Worker

import graph_engine as ge
from graph_engine.blocks.registry import REGISTRY, Function, Role
from graph_engine.data import datasets
from graph_engine.data.spec import DatasetSpec
from graph_engine.model.fileio import dumps
from graph_engine.model.settings import TrainingSettings
from graph_engine.training.fastpath import codes, epoch_kernel, loading, whole_epoch
from graph_engine.training.trainer import Trainer

CIRCLE = DatasetSpec("circle", samples=60)
REGRESSION = DatasetSpec("reg-plane", samples=60)
TOLERANCE = 1e-5
ACTIVATIONS = [("ReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("Tanh", {}),
               ("Sigmoid", {}), ("ELU", {"alpha": 0.7}), ("Softplus", {"beta": 2.0}),
               ("SiLU", {}), ("GELU", {}), ("GELU", {"approximate": "tanh"}), ("Identity", {})]
# (layers after the last hidden layer, loss, data set)
LOSSES = [([("Linear", {"out_features": 2})], "CrossEntropyLoss", CIRCLE),
          ([("Linear", {"out_features": 1})], "BCEWithLogitsLoss", CIRCLE),
          ([("Linear", {"out_features": 1}), ("Sigmoid", {})], "BCELoss", CIRCLE),
          ([("Linear", {"out_features": 2})], "MSELoss", CIRCLE),
          ([("Linear", {"out_features": 1})], "MSELoss", REGRESSION),
          ([("Linear", {"out_features": 1})], "HuberLoss", REGRESSION)]
LEARNING_RATES = {"sgd": 0.05, "momentum": 0.01, "adam": 0.005, "rmsprop": 0.002,
                  "adagrad": 0.005}


def trainer(d: ge.Diagram, settings: TrainingSettings, kernel: bool = True) -> Trainer:
    torch.set_num_threads(1)  # as every run does; a tiny op on many threads waits on the others
    net = ge.compile(d, seed=settings.seed)
    t = Trainer(net, datasets.load(d.dataset), settings, track_gradients=False, kernel=kernel)
    assert (t._kernel is not None) == kernel
    return t


def assert_close(a: Trainer, b: Trainer) -> None:
    for key, value in a.model.state_dict().items():
        assert torch.allclose(value, b.model.state_dict()[key], rtol=0, atol=TOLERANCE), key
    for row_a, row_b in zip(a.history, b.history, strict=True):
        for key in ("train_loss", "test_loss"):
            assert row_a[key] == pytest.approx(row_b[key], abs=TOLERANCE, rel=TOLERANCE)


def case(seed: int):
    """A random chain, loss, optimizer and penalty, the same for a seed."""
    rng = random.Random(seed)
    blocks = []
    for _ in range(rng.randint(1, 3)):
        name, params = rng.choice(ACTIVATIONS)
        blocks += [("Linear", {"out_features": rng.randint(1, 8)}), (name, params)]
    tail, loss, dataset = rng.choice(LOSSES)
    optimizer = rng.choice(list(LEARNING_RATES))
    # L1 makes a weight near 0 jump across it at every step; an adaptive optimizer makes
    # each jump lr long, and rounding decides its side: L1 goes with plain steps only.
    penalties = [{}, {}, {"l2": 0.001}] + [{"l1": 5e-5}] * (optimizer in ("sgd", "momentum"))
    penalty = rng.choice(penalties)
    settings = TrainingSettings(optimizer=optimizer, lr=LEARNING_RATES[optimizer], seed=seed,
                                batch_size=rng.choice([4, 10, 30]), **penalty)
    return chain(blocks + tail, loss, dataset), settings


@pytest.mark.parametrize("seed", range(24))
def test_random_chains_train_as_the_torch_path_does(seed):
    d, settings = case(seed)
    fast, torch_path = trainer(d, settings), trainer(d, settings, kernel=False)
    fast.train(100)
    torch_path.train(100)
    assert fast._kernel.runs == 100  # every epoch ran in the kernel
    assert_close(fast, torch_path)


def test_the_grid_covers_every_activation_loss_and_optimizer():
    seen = [case(seed) for seed in range(24)]
    types = {b.type for d, _ in seen for b in d.blocks}
    assert types >= {name for name, _ in ACTIVATIONS} | {loss for _, loss, _ in LOSSES}
    assert {s.optimizer for _, s in seen} == set(LEARNING_RATES)
    assert any(s.l1 for _, s in seen) and any(s.l2 for _, s in seen)


def test_switching_paths_mid_run_changes_nothing_beyond_rounding():
    d = chain([("Linear", {"out_features": 6}), ("Tanh", {}), ("Linear", {"out_features": 2})],
              "CrossEntropyLoss", CIRCLE)
    settings = TrainingSettings(optimizer="adam", lr=0.005, batch_size=7)
    mixed, torch_path = trainer(d, settings), trainer(d, settings, kernel=False)
    for epoch in range(100):
        mixed.use_kernel = epoch % 20 < 10  # ten epochs on each path in turn
        if epoch % 25 == 3:
            mixed.run_batch()  # one step on the fast path; the kernel finishes the epoch
        mixed.run_epoch()
    torch_path.train(100)
    assert_close(mixed, torch_path)
    mixed.update_settings(settings.with_(optimizer="momentum", lr=0.01))
    torch_path.update_settings(settings.with_(optimizer="momentum", lr=0.01))
    mixed.use_kernel = True
    mixed.train(20)
    torch_path.train(20)
    assert_close(mixed, torch_path)


def test_the_kernel_steps_in_the_order_the_trainer_draws(monkeypatch):
    d, settings = case(3)
    runs = [trainer(d, settings), trainer(d, settings, kernel=False)]
    backwards = torch.arange(len(runs[0].tensors.x_train) - 1, -1, -1)
    for run in runs:  # the same fixed order for both
        monkeypatch.setattr(run, "_epoch_order", lambda: backwards)
        run.train(20)
    assert_close(*runs)


def test_without_the_kernel_training_takes_the_fast_path_with_its_numbers(monkeypatch):
    d, settings = case(5)
    monkeypatch.setattr(loading, "kernel", lambda: None)  # numba missing, or failed
    without, fast_path = trainer(d, settings), trainer(d, settings, kernel=False)
    without.train(5)
    fast_path.train(5)
    assert without.history == fast_path.history
    for key, value in without.model.state_dict().items():
        assert torch.equal(value, fast_path.model.state_dict()[key])


def test_a_kernel_that_fails_to_load_is_left_out_with_the_reason_logged(monkeypatch, caplog):
    def broken():
        raise RuntimeError("no machine code today")

    monkeypatch.setattr(epoch_kernel, "check", broken)
    monkeypatch.setattr(loading, "_kernel", None)
    monkeypatch.setattr(loading, "_done", threading.Event())
    with caplog.at_level(logging.DEBUG, logger=loading.__name__):
        loading._load()
    assert loading.kernel() is None
    assert "no machine code today" in caplog.text and "fast path" in caplog.text


@pytest.mark.parametrize(("blocks", "loss"), [
    ([("Linear", {"out_features": 3}), ("Softmax", {}), ("Linear", {"out_features": 2})],
     "CrossEntropyLoss"),
    ([("Linear", {"out_features": 3}), ("CustomActivation", {"formula": "x * x"}),
      ("Linear", {"out_features": 2})], "CrossEntropyLoss"),
    ([("Linear", {"out_features": whole_epoch.WIDEST + 1}), ("ReLU", {}),
      ("Linear", {"out_features": 2})], "CrossEntropyLoss"),
    ([("Linear", {"out_features": 2}), ("LogSoftmax", {})], "NLLLoss"),
])
def test_what_the_kernel_does_not_cover_keeps_its_path(blocks, loss):
    d = chain(blocks, loss, CIRCLE)
    net = ge.compile(d, seed=0)
    t = Trainer(net, datasets.load(CIRCLE), TrainingSettings(), track_gradients=False)
    assert t._kernel is None
    t.train(1)


def test_the_kernel_computes_every_activation_the_catalogue_declares():
    declared = {spec.function(spec.defaults())[0] for spec in REGISTRY
                if spec.role == Role.ACTIVATION and spec.computes is not None}
    assert declared | {Function.GELU_TANH} == set(codes.ACTIVATIONS)
    losses = {spec.function(spec.defaults())[0] for spec in REGISTRY
              if spec.is_loss and spec.computes is not None}
    # NLLLoss reads log-probabilities, which a row-wise LogSoftmax makes: not a chain it runs
    assert losses - {Function.NLL} == set(codes.LOSSES)


@pytest.mark.parametrize(("pace", "kernel"), [(0.0, True), (50.0, False)])
def test_the_training_process_uses_the_kernel_as_fast_as_possible_only(pace, kernel):
    d, settings = case(1)
    settings = settings.with_(pace=pace)
    worker = Worker()
    worker.command(cmd="prepare", diagram=dumps(d), settings=settings.to_dict(), run=1)
    worker.command(cmd="run", epochs=3)
    worker.train()
    trainer = worker.server.trainer
    assert trainer.epoch == 3 and trainer._kernel.runs == (3 if kernel else 0)
    worker.command(cmd="settings", settings=settings.with_(pace=50.0 - pace).to_dict())
    assert trainer.use_kernel is not kernel
