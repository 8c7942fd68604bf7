"""Training at a pace the eye can follow, one mini-batch at a time, and the
teaching numbers the training process records at every epoch."""

from __future__ import annotations

import itertools
import time

import nets
import numpy as np
import pytest
import torch
from worker import Worker

import graph_engine as ge
from graph_engine.build.compiler import compile as compile_diagram
from graph_engine.core import thinning
from graph_engine.data import datasets
from graph_engine.model.fileio import dumps
from graph_engine.model.settings import PACES
from graph_engine.server import pacing
from graph_engine.training import teaching
from graph_engine.training.trainer import Trainer

CIRCLE = ge.DatasetSpec("circle", samples=100)


def diagram(**training) -> ge.Diagram:
    d, _ = nets.two_layer("Tanh", CIRCLE)
    d.training = d.training.with_(optimizer="adam", lr=0.01, batch_size=10, **training)
    return d


def trainer(d: ge.Diagram, fast: bool = True) -> Trainer:
    return Trainer(compile_diagram(d, seed=0), datasets.load(d.dataset), d.training, fast=fast)


def weights(t: Trainer) -> list[np.ndarray]:
    return [p.detach().numpy().copy() for p in t.model.parameters()]


def prepared(d: ge.Diagram) -> Worker:
    worker = Worker()
    worker.command(cmd="prepare", diagram=dumps(d), settings=d.training.to_dict(), run=1)
    worker.messages()
    return worker


# ------------------------------------------------------------ one mini-batch

def test_an_epoch_stepped_batch_by_batch_is_the_epoch():
    d = diagram()
    whole, stepped = trainer(d, fast=False), trainer(d, fast=False)
    expected = whole.run_epoch()
    assert stepped.batches == 5  # 50 training samples in batches of 10
    results = [stepped.run_batch() for _ in range(stepped.batches)]
    assert results[:-1] == [None] * 4 and stepped.epoch == 1
    assert results[-1]["train_loss"] == pytest.approx(expected["train_loss"], abs=1e-6)
    for a, b in zip(weights(whole), weights(stepped), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_step_finishes_the_epoch_a_batch_step_began():
    d = diagram()
    whole, mixed = trainer(d), trainer(d)
    whole.run_epoch()
    mixed.run_batch()
    mixed.run_batch()
    assert (mixed.epoch, mixed.batch) == (0, 2)
    mixed.run_epoch()  # the three batches left, not a whole new epoch
    assert (mixed.epoch, mixed.batch) == (1, 0)
    for a, b in zip(weights(whole), weights(mixed), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_the_batch_loss_is_the_loss_before_the_step():
    t = trainer(diagram())
    x, y = t.schedule.batched()[0][0], t.schedule.batched()[1][0]
    with torch.no_grad():
        before = float(t.loss_fn(t.model(x), y))
    t.run_batch()
    assert t.batch_loss == pytest.approx(before, abs=1e-6)


def test_the_process_steps_one_batch_and_says_where_it_is():
    worker = prepared(diagram(pace=0.0))
    worker.command(cmd="step_batch")
    batch = worker.of_type("batch")
    assert [(m["run"], m["epoch"], m["batch"], m["batches"]) for m in batch] == [(1, 0, 1, 5)]
    for _ in range(4):
        worker.command(cmd="step_batch")
    messages = worker.messages()
    rows = [r for m in messages if m["type"] == "history" for r in m["rows"]]
    assert [r["epoch"] for r in rows] == [1]
    last = [m for m in messages if m["type"] == "batch"][-1]
    assert (last["epoch"], last["batch"], last["batches"]) == (1, 5, 5)
    assert "mini-batch 5 of 5 in epoch 1" in [m for m in messages
                                               if m["type"] == "status"][-1]["message"]


# ------------------------------------------------------------ pace

def test_frames_per_steps_keep_20_frames_a_second_at_every_pace():
    """A set pace draws a frame after every k optimizer steps, k as the pace needs:
    every step while there are fewer than FRAME_RATE a second, else at least 20 and
    at most 2 x FRAME_RATE frames a second."""
    for pace, unit in PACES:
        for batches in (1, 5, 10, 25, 50, 100, 1000):
            rate = ge.TrainingSettings(pace=pace, pace_unit=unit).steps_per_second(batches)
            if rate <= 0:
                continue
            k = pacing.frame_steps(rate)
            frames = pacing.frames_per_second(rate)
            assert frames == pytest.approx(rate / k)
            if rate < 20:
                assert k == 1  # every step is a frame of its own
            else:
                assert 20 <= frames <= 2 * pacing.FRAME_RATE, (pace, unit, batches)
    assert [pacing.frame_steps(r) for r in (2, 25, 30, 50, 75, 250, 1250)] == \
        [1, 1, 1, 2, 3, 10, 50]


def test_the_pace_counts_epochs_or_steps():
    epochs = ge.TrainingSettings(pace=2.0)
    steps = ge.TrainingSettings(pace=2.0, pace_unit="steps")
    assert epochs.steps_per_second(25) == 50.0 and steps.steps_per_second(25) == 2.0
    assert ge.TrainingSettings(pace=0.0).steps_per_second(25) == 0.0
    assert "pace_unit" not in epochs.to_dict() and steps.to_dict()["pace_unit"] == "steps"
    with pytest.raises(ValueError, match="pace_unit"):
        ge.TrainingSettings(pace_unit="minutes")


def test_stepping_in_frames_gives_the_epochs_numbers():
    d = diagram()
    whole, framed = trainer(d), trainer(d)
    whole.use_kernel = framed.use_kernel = False  # as at a set pace: the fast path
    expected = [whole.run_epoch() for _ in range(2)]
    rows = [framed.run_steps(k) for k in (2, 2, 1, 3, 2)]  # 5 batches an epoch
    assert rows[:2] == [None, None] and rows[3] is None
    assert [rows[2], rows[4]] == expected
    for a, b in zip(weights(whole), weights(framed), strict=True):
        np.testing.assert_array_equal(a, b)


def test_at_a_set_pace_frames_come_between_epochs_with_points_and_probes():
    # 2 epochs/s of 5 batches: 10 steps a second, so every step is a frame
    worker = prepared(diagram(pace=2.0))
    worker.command(cmd="probes", probes={"output": {"fn": "boundary", "args": {}}})
    worker.messages()
    start = time.perf_counter()
    worker.command(cmd="run", epochs=2)
    worker.train()
    seconds = time.perf_counter() - start
    messages = worker.messages()
    rows = [r["epoch"] for m in messages if m["type"] == "history" for r in m["rows"]]
    points = [m["row"]["epoch"] for m in messages if m["type"] == "point"]
    assert rows == [1, 2]
    assert points == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.2, 1.4, 1.6, 1.8])
    assert seconds >= 9 / 10  # the first step at once, then one every 100 ms
    assert sum(m["type"] == "probes" for m in messages) >= 10  # a picture every frame
    point = next(m["row"] for m in messages if m["type"] == "point")
    assert set(point) == {"epoch", "train_loss", "test_loss", "train_accuracy",
                          "test_accuracy"}


def test_a_pace_in_steps_trains_that_many_steps_a_second():
    worker = prepared(diagram(pace=20.0, pace_unit="steps"))
    start = time.perf_counter()
    worker.command(cmd="run", epochs=2)  # 10 steps
    worker.train()
    assert time.perf_counter() - start == pytest.approx(9 / 20, abs=0.15)
    assert worker.server.trainer.epoch == 2


def test_as_fast_as_possible_sends_epochs_in_batches():
    worker = prepared(diagram(pace=0.0, epochs=40))
    worker.command(cmd="run", epochs=40)
    assert worker.server.wait() == 0.0
    worker.train()
    rows = [r for m in worker.of_type("history") for r in m["rows"]]
    assert len(rows) == 40


def test_the_pace_can_change_while_training():
    worker = prepared(diagram(pace=1.0, pace_unit="steps"))
    worker.command(cmd="run", epochs=3)
    worker.server._safely(worker.server.train_a_little)  # the first step is due at once
    assert worker.server.trainer.batch == 1 and worker.server.wait() > 0.5
    worker.command(cmd="settings", settings=diagram(pace=0.0).training.to_dict())
    assert worker.server.wait() == 0.0
    worker.train()
    assert worker.server.trainer.epoch == 3


def test_the_pace_is_saved_with_the_diagram(tmp_path):
    d = diagram(pace=5.0)
    ge.save(d, tmp_path / "d.json")
    assert ge.load(tmp_path / "d.json").training.pace == 5.0
    assert ge.Diagram().training.pace == 10.0  # a new diagram: watchable


# ------------------------------------------------------------ teaching history

def test_at_a_set_pace_every_row_carries_the_teaching_numbers():
    worker = prepared(diagram(pace=200.0))
    worker.command(cmd="run", epochs=3)
    worker.train()
    rows = [r for m in worker.of_type("history") for r in m["rows"]]
    assert len(rows) == 3
    _, ids = nets.two_layer("Tanh", CIRCLE)
    for row in rows:
        assert set(row["grad_norms"]) == {ids["hidden"], ids["out"]}
        assert set(row["weight_norms"]) == {ids["hidden"], ids["out"]}
        assert np.asarray(row["confusion"]["test"]).sum() == 50
        assert np.asarray(row["confusion"]["train"]).sum() == 50


def test_recording_leaves_the_run_unchanged():
    """The teaching numbers use no random numbers of the run and change no weights:
    a run that records them trains exactly as one that does not."""
    d = ge.Diagram()
    chain = [d.add("Input", features=2), d.add("Linear", out_features=8), d.add("ReLU"),
             d.add("Dropout", p=0.5), d.add("Linear", out_features=2),
             d.add("CrossEntropyLoss")]
    for src, dst in itertools.pairwise(chain):
        d.connect(src, dst)
    d.dataset = CIRCLE
    plain, recorded = trainer(d), trainer(d)
    torch.manual_seed(0)  # Dropout draws from the global generator
    for _ in range(3):
        plain.run_epoch()
    torch.manual_seed(0)
    for _ in range(3):
        recorded.run_epoch()
        teaching.record(recorded)
    for a, b in zip(weights(plain), weights(recorded), strict=True):
        np.testing.assert_array_equal(a, b)


def test_gradient_norms_are_autograds_on_the_recorded_samples():
    t = trainer(diagram())
    t.run_epoch()
    norms = teaching.gradient_norms(t)
    x = t.tensors.x_train[:teaching.GRADIENT_SAMPLES]
    y = t.tensors.y_train[:teaching.GRADIENT_SAMPLES]
    t.model.zero_grad()
    t.loss_fn(t.model(x), y).backward()
    for block_id, module in t.net.modules.items():
        grads = [p.grad for p in module.parameters()]
        if grads:
            expected = float(torch.sqrt(sum((g * g).sum() for g in grads)))
            assert norms[block_id] == pytest.approx(expected, rel=1e-5)


def test_as_fast_as_possible_a_short_run_keeps_them_for_every_epoch():
    worker = prepared(diagram(pace=0.0))
    worker.command(cmd="run", epochs=30)
    worker.train()
    rows = [r for m in worker.of_type("history") for r in m["rows"]]
    assert [r["epoch"] for r in rows if "grad_norms" in r] == list(range(1, 31))


def test_a_long_run_thins_them_evenly_the_stride_doubling():
    assert [thinning.stride(n) for n in (1, 500, 501, 1000, 1001, 4000, 10**6)] == \
        [1, 1, 2, 2, 4, 8, 2048]
    kept = [e for e in range(1, 1201) if thinning.taught(e, 1200)]
    assert kept == list(range(4, 1201, 4)) and len(kept) <= thinning.MAX_TAUGHT
    # what the process records as it goes includes what the editor keeps at the end
    assert set(kept) <= {e for e in range(1, 1201) if thinning.taught(e)}


def test_a_step_records_them_for_its_epoch():
    worker = prepared(diagram(pace=0.0))
    worker.command(cmd="step")
    (row,) = [r for m in worker.of_type("history") for r in m["rows"]]
    assert "grad_norms" in row and "weight_norms" in row


# ------------------------------------------------------------ more than two inputs

def linear_model(features: int, classes: int, dataset: str) -> ge.Diagram:
    d = ge.Diagram()
    chain = [d.add("Input", features=features), d.add("Linear", out_features=classes),
             d.add("CrossEntropyLoss")]
    for src, dst in itertools.pairwise(chain):
        d.connect(src, dst)
    d.dataset = ge.DatasetSpec(dataset)
    return d


def test_the_output_picture_for_images_and_for_many_features():
    from graph_engine.training.probes import boundary

    t = trainer(linear_model(64, 10, "digits"))
    t.run_epoch()
    picture = boundary(t)
    assert picture["kind"] == "images" and picture["images"].shape == (48, 8, 8)
    assert (picture["pred"] == t.measures.predicted_classes(t.data.x_test[:48])).all()
    assert (picture["true"] == t.data.y_test[:48].reshape(-1)).all()

    t = trainer(linear_model(13, 3, "wine"))
    picture = boundary(t)
    assert picture["kind"] == "projection"
    assert picture["points"].shape == (len(t.data.x_test), 2)
    # the first axis carries the most variance of the training set
    spread = picture["points"].var(axis=0)
    assert spread[0] >= spread[1]
