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

import itertools
import json
import logging
import math
import random
import subprocess
import sys
import threading

import numpy as np
import pytest
import torch
from nets import chain
from paths import ROOT
from worker import Worker

import graph_engine as ge
from graph_engine.blocks.registry import REGISTRY, Function, Role
from graph_engine.data import datasets
from graph_engine.data.spec import DatasetSpec
from graph_engine.model.fileio import dumps
from graph_engine.model.settings import TrainingSettings
from graph_engine.training.fastpath import whole_epoch
from graph_engine.training.kernel import codes, epoch_kernel, loading
from graph_engine.training.metrics import accuracy
from graph_engine.training.trainer import Trainer, TrainingDiverged

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
        monkeypatch.setattr(run.schedule, "epoch_order", lambda: backwards)
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


def fresh_loading(monkeypatch, state=loading.State.IDLE) -> None:
    """The loading module as a new process finds it (this one's kernel stays loaded)."""
    monkeypatch.setattr(loading, "_state", state)
    monkeypatch.setattr(loading, "_kernel", None)
    monkeypatch.setattr(loading, "_changed", threading.Condition())


def test_a_kernel_that_fails_to_load_is_left_out_with_the_reason_logged(monkeypatch, caplog):
    def broken():
        raise RuntimeError("no machine code today")

    fresh_loading(monkeypatch, loading.State.LOADING)
    monkeypatch.setattr(epoch_kernel, "load", broken)
    with caplog.at_level(logging.DEBUG, logger=loading.__name__):
        loading._load(compile_missing=True)
    assert loading.kernel() is None and loading.settle() is None
    assert loading.state() is loading.State.UNAVAILABLE
    assert "no machine code today" in caplog.text and "fast path" in caplog.text


def test_a_kernel_not_in_the_cache_is_compiled_elsewhere_while_runs_take_the_fast_path(
        monkeypatch):
    """The loader says "compiling" before it compiles, and the helper process does it:
    a run that settles meanwhile takes the fast path without waiting."""
    fresh_loading(monkeypatch, loading.State.LOADING)
    cached, seen = [False], []

    def helper():
        seen.append(loading.settle(timeout=5))  # a run starting now: no kernel, no wait
        seen.append(loading.state())
        cached[0] = True  # the helper wrote numba's cache

    monkeypatch.setattr(epoch_kernel, "load", lambda: cached[0])
    monkeypatch.setattr(loading, "_compile_elsewhere", helper)
    loading._load(compile_missing=True)
    assert seen == [None, loading.State.COMPILING]
    assert loading.kernel() is epoch_kernel and loading.settle() is epoch_kernel


def test_a_grading_worker_never_compiles(monkeypatch):
    fresh_loading(monkeypatch, loading.State.LOADING)
    monkeypatch.setattr(epoch_kernel, "load", lambda: False)
    monkeypatch.setattr(loading, "_compile_elsewhere", lambda: pytest.fail("compiled"))
    loading._load(compile_missing=False)
    assert loading.state() is loading.State.UNAVAILABLE


def test_the_helper_process_leaves_a_cached_kernel_as_it_is():
    """``python -m ...loading`` compiles the kernel into numba's cache; with it there
    (this session loaded it), it finds it and ends."""
    done = subprocess.run([sys.executable, "-m", loading.__name__], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert epoch_kernel.load()


@pytest.mark.parametrize("state", [loading.State.COMPILING, loading.State.UNAVAILABLE])
def test_a_run_settled_on_the_fast_path_stays_there(monkeypatch, state):
    """A headless run decides its path once: the kernel becoming ready later (its
    compile done) changes nothing in the run, which equals the fast path's exactly."""
    d, settings = case(5)
    run, fast_path = trainer(d, settings), trainer(d, settings, kernel=False)
    monkeypatch.setattr(loading, "_state", state)
    run.settle_kernel()
    monkeypatch.setattr(loading, "_state", loading.State.READY)  # ready from now on
    run.train(30)
    fast_path.train(30)
    assert run._kernel is None and run.history == fast_path.history
    for key, value in run.model.state_dict().items():
        assert torch.equal(value, fast_path.model.state_dict()[key])


def test_a_run_settles_on_a_kernel_loaded_from_the_cache():
    d, settings = case(5)
    run = trainer(d, settings)
    run.settle_kernel()
    run.train(3)
    assert run._kernel is not None and run._kernel.runs == 3
    denied = trainer(d, settings)
    denied.settle_kernel(allowed=False)  # a grader that found no kernel for its run
    assert denied._kernel is None


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


# ------------------------------------------------------------ several epochs a call

def test_several_epochs_a_call_give_the_numbers_of_one_a_call(monkeypatch):
    """train() runs many epochs in each kernel call; each is evaluated and recorded
    exactly as run_epoch() records it, in the same batch orders (a classification: a
    regression's rows measure each epoch's outputs, one epoch a call)."""
    d, settings = next(case(s) for s in itertools.count(7) if case(s)[0].dataset == CIRCLE)
    batched, single = trainer(d, settings), trainer(d, settings)
    calls = []
    run = batched._kernel.run
    monkeypatch.setattr(batched._kernel, "run", lambda *a: calls.append(a[-1]) or run(*a))
    batched.train(150)
    for _ in range(150):
        single.run_epoch()
    assert len(calls) < 20 and sum(calls) == 150
    assert batched.history == single.history
    for key, value in batched.model.state_dict().items():
        assert torch.equal(value, single.model.state_dict()[key]), key
    assert torch.equal(batched.schedule.generator.get_state(),
                       single.schedule.generator.get_state())


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("lr", [0.3, 0.5])
def test_a_run_diverging_inside_a_call_ends_as_the_torch_path_does(seed, lr):
    """Linear regression with steps too long: the error grows by a factor each
    epoch until it overflows, in the middle of a call running many epochs. The
    rows before, the last good weights, the message and the state of the batch
    orders' generator are those of the torch path, epoch by epoch."""
    d = chain([("Linear", {"out_features": 1})], "MSELoss", REGRESSION)
    settings = TrainingSettings(optimizer="sgd", lr=lr, batch_size=10, seed=seed)
    runs = [trainer(d, settings), trainer(d, settings, kernel=False)]
    caught = []
    for run in runs:
        with pytest.raises(TrainingDiverged) as error:
            run.train(1000)
        caught.append((str(error.value), error.value.quantity, run.epoch))
    assert caught[0] == caught[1] and caught[0][2] >= 5
    kernel_run, torch_run = runs
    assert kernel_run._kernel.runs > kernel_run.epoch  # the epoch that diverged ran there
    assert torch.equal(kernel_run.schedule.generator.get_state(),
                       torch_run.schedule.generator.get_state())
    for key, value in kernel_run.model.state_dict().items():  # grown large: relative
        assert torch.allclose(value, torch_run.model.state_dict()[key], rtol=TOLERANCE), key
    for row_a, row_b in zip(kernel_run.history, torch_run.history, strict=True):
        assert row_a["train_loss"] == pytest.approx(row_b["train_loss"], rel=TOLERANCE)


def test_weights_that_turn_infinite_with_a_finite_loss_stop_the_kernel_too():
    """A hidden ReLU unit whose bias is -inf outputs 0 (the loss stays finite); the
    weights are not finite: both paths stop in epoch 1 with the initial weights."""
    d = chain([("Linear", {"out_features": 4}), ("ReLU", {}), ("Linear", {"out_features": 2})],
              "CrossEntropyLoss", CIRCLE)
    settings = TrainingSettings(optimizer="sgd", lr=0.05)
    caught = []
    for run in (trainer(d, settings), trainer(d, settings, kernel=False)):
        with torch.no_grad():
            run._fast.linears[0].bias[0] = -math.inf
        run.loaded_weights()
        with pytest.raises(TrainingDiverged) as error:
            run.train(5)
        assert run._fast.linears[0].bias[0] == -math.inf  # the initial weights are back
        caught.append((error.value.quantity, run.epoch, str(error.value)))
    assert caught[0] == caught[1] == (caught[0][0], 0, caught[0][2])
    assert caught[0][0] == "weights"


# ------------------------------------------------------------ what a student reads

@pytest.mark.parametrize(("tail", "loss", "labels"), [
    ([("Linear", {"out_features": 3})], "CrossEntropyLoss", None),  # argmax
    ([("Linear", {"out_features": 1})], "BCEWithLogitsLoss", None),  # logit above 0
    ([("Linear", {"out_features": 1}), ("Sigmoid", {})], "BCELoss", None),  # above 0.5
    ([("Linear", {"out_features": 1}), ("Tanh", {})], "MSELoss", "signed"),  # its sign
    ([("Linear", {"out_features": 3})], "MSELoss", None),  # one-hot targets: argmax
])
def test_losses_and_accuracies_are_torchs_on_the_kernels_outputs(tail, loss, labels):
    """The kernel evaluates the sets itself; its losses equal torch's loss on its
    outputs, and its accuracies metrics.accuracy's, to the last digit."""
    spec = DatasetSpec("blobs" if tail[0][1]["out_features"] == 3 else "circle", samples=90,
                       labels=labels or "index")
    d = chain([("Linear", {"out_features": 5}), ("Tanh", {}), *tail], loss, spec)
    run = trainer(d, TrainingSettings(optimizer="adam", lr=0.01))
    run.train(40)
    row, info = run.history[-1], run.data.info
    t = run.tensors
    for part, x, y, data_labels in (("train", t.x_train, t.y_train, run.data.y_train),
                                    ("test", t.x_test, t.y_test, run.data.y_test)):
        out = run.outputs[part]
        assert torch.allclose(out, run.model(x).detach(), rtol=0, atol=1e-6)
        assert row[f"{part}_loss"] == pytest.approx(float(run.loss_fn(out, y)), rel=1e-6)
        assert row[f"{part}_accuracy"] == accuracy(out, data_labels, run.net.loss_spec,
                                                   info.signed)


def test_the_kernels_tanh_is_within_one_unit_in_the_last_place():
    """Its own tanh (libm's cannot be vectorised) against float64's, rounded once."""
    bits = np.arange(0, np.float32(10.0).view(np.int32), 211, dtype=np.int32)
    x = np.concatenate([bits.view(np.float32), -bits.view(np.float32)[::5],
                        np.float32([0.0, -0.0, 1e-30, 9.09, 9.11, 50.0, np.inf, -np.inf])])
    ours = np.array([epoch_kernel.tanh(v) for v in x[:2000]] +
                    list(_tanh_all(x[2000:])), np.float32)
    exact = np.tanh(x.astype(np.float64)).astype(np.float32)
    ulps = np.abs(ours.view(np.int32).astype(np.int64) - exact.view(np.int32))
    assert ulps.max() <= 1 and (ulps > 0).mean() < 1e-4
    assert np.signbit(epoch_kernel.tanh(np.float32(-0.0)))
    assert np.isnan(epoch_kernel.tanh(np.float32(np.nan)))


def _tanh_all(x: np.ndarray) -> np.ndarray:
    """The kernel's tanh on every value, as its activation loop computes it."""
    acts = np.zeros((2, len(x)), np.float32)
    acts[0] = x
    epoch_kernel._activate(codes.TANH, np.float32(0), np.float32(0), acts, 0, 1, len(x))
    return acts[1]


WITHOUT_NUMBA = """
import json, sys
sys.modules["numba"] = None  # as if it were not installed
import graph_engine as ge
from graph_engine.training.kernel import loading
d = ge.load("resources/examples/playground-default.json")
run = ge.train(d, epochs=3)
print(json.dumps({"epochs": len(run.history), "state": loading.state().value,
                  "kernel": run.trainer._kernel is not None}))
"""


def test_without_numba_headless_training_runs_on_the_fast_path():
    done = subprocess.run([sys.executable, "-c", WITHOUT_NUMBA], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "epochs": 3, "state": "unavailable", "kernel": False}


def test_a_regression_runs_one_epoch_a_call_and_each_row_has_its_rmse_and_r2():
    d, settings = next(case(s) for s in itertools.count() if case(s)[0].dataset == REGRESSION)
    fast, torch_path = trainer(d, settings), trainer(d, settings, kernel=False)
    fast.train(5)
    torch_path.train(5)
    assert fast._kernel.runs == 5
    for mine, theirs in zip(fast.history, torch_path.history, strict=True):
        assert {"test_rmse", "test_r2", "train_rmse", "train_r2"} <= mine.keys()
        for key in ("test_rmse", "test_r2"):
            assert mine[key] == pytest.approx(theirs[key], rel=1e-4, abs=1e-5)
