"""Training faults, headless: a loss that blows up stops training with a message
and keeps the last good epoch's weights; the training process reports
exceptions instead of dying, and ends quietly when the editor goes away."""

from __future__ import annotations

import io
import math
import os
import queue
import struct
import subprocess
import sys

import nets
import pytest
import torch
from paths import ROOT
from worker import Worker

import graph_engine as ge
from graph_engine.build.compiler import compile as compile_diagram
from graph_engine.data import datasets
from graph_engine.model.fileio import dumps
from graph_engine.server import frames
from graph_engine.server.process import EOF, _core, _read_commands
from graph_engine.training.trainer import Trainer, TrainingDiverged


def relu_net() -> ge.Diagram:
    """Diverges within one epoch at learning rate 1e6 (plain SGD)."""
    d, _ = nets.two_layer("ReLU", ge.DatasetSpec("circle", samples=200))
    d.training = d.training.with_(optimizer="sgd", lr=0.03, pace=0.0)
    return d


def trainer(d: ge.Diagram) -> Trainer:
    net = compile_diagram(d, seed=0)
    return Trainer(net, datasets.load(d.dataset), d.training, track_gradients=False)


def snapshot(model) -> dict:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def assert_same_weights(model, expected: dict) -> None:
    state = model.state_dict()
    assert state.keys() == expected.keys()
    for key, value in state.items():
        assert torch.isfinite(value).all(), key
        assert torch.equal(value, expected[key]), key


def test_a_huge_learning_rate_keeps_the_last_good_epoch():
    run = trainer(relu_net())
    for _ in range(3):
        run.run_epoch()
    good, history = snapshot(run.model), list(run.history)
    run.update_settings(run.settings.with_(lr=1e6))
    with pytest.raises(TrainingDiverged) as caught:
        run.run_epoch()
    message = str(caught.value)
    assert "infinite or NaN in epoch 4" in message  # what happened
    assert "learning rate 1e+06" in message and "divide it by 10" in message  # what to try
    assert_same_weights(run.model, good)
    assert run.epoch == 3 and run.history == history
    run.update_settings(run.settings.with_(lr=0.03))  # the student follows the advice
    metrics = run.run_epoch()
    assert run.epoch == 4 and math.isfinite(metrics["train_loss"])


def test_diverging_in_the_first_epoch_keeps_the_initial_weights():
    d = relu_net()
    d.training = d.training.with_(lr=1e6)
    run = trainer(d)
    initial = snapshot(run.model)
    with pytest.raises(TrainingDiverged, match="epoch 1"):
        run.run_epoch()
    assert_same_weights(run.model, initial)


def test_headless_train_stops_with_the_message_and_good_weights():
    result = ge.train(relu_net(), epochs=50, lr=1e6)
    assert result.stopped and "learning rate" in result.stopped
    assert len(result.history) < 50
    assert all(torch.isfinite(p).all() for p in result.model.state_dict().values())


# ------------------------------------------------------------------ weights that turn NaN

SQRT = "where(x > 0, sqrt(x), 0)"  # finite outputs, NaN gradients: sqrt of the negatives


def sqrt_net() -> ge.Diagram:
    d, _ = nets.two_layer("CustomActivation", ge.DatasetSpec("circle", samples=200),
                          formula=SQRT)
    return d


def test_nan_weights_stop_training_even_when_the_loss_stays_finite():
    run = trainer(sqrt_net())
    initial = snapshot(run.model)
    with pytest.raises(TrainingDiverged, match="The weights became infinite or NaN in "
                       "epoch 1") as caught:
        run.run_epoch()
    assert caught.value.quantity == "weights"
    assert "sqrt of a negative number" in str(caught.value)
    assert_same_weights(run.model, initial)
    assert run.epoch == 0 and run.history == []


def test_the_command_line_exits_1_and_saves_only_good_weights(tmp_path, capsys):
    from graph_engine import cli
    from graph_engine.build.weights import load_weights

    diagram, weights = tmp_path / "sqrt.json", tmp_path / "w.safetensors"
    ge.save(sqrt_net(), diagram)
    assert cli.main(["train", str(diagram), "--epochs", "5", "--save-weights",
                     str(weights)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("netcanvas: training diverged: the weights became infinite or NaN "
                          "in epoch 1, so training stopped and kept the initial weights.")
    assert err.endswith("check that no custom activation takes the log or sqrt of a negative "
                        "number.\n")
    model = compile_diagram(ge.load(diagram), seed=0).model
    initial = snapshot(model)
    load_weights(model, weights)
    assert_same_weights(model, initial)


def test_nan_weights_stop_the_fast_path_too(monkeypatch):
    """A NaN that reaches a weight inside the fast path's steps stops training at once."""
    run = trainer(relu_net())
    run.use_kernel = False  # the fast path's own steps, not the whole-epoch kernel's
    assert run._fast_applies()  # this network trains on the fast path
    run.run_epoch()
    good = snapshot(run.model)
    fast_epoch = run._fast.epoch

    def poisoned(*batches):
        fast_epoch(*batches)
        with torch.no_grad():
            run._fast.params()[1][0] = float("nan")  # one bias, as a NaN gradient leaves it

    monkeypatch.setattr(run._fast, "epoch", poisoned)
    with pytest.raises(TrainingDiverged, match="in epoch 2"):
        run.run_epoch()
    assert_same_weights(run.model, good)


# ------------------------------------------------------------------ the training process

def test_the_training_process_pauses_on_divergence_with_good_weights():
    worker = Worker()
    d = relu_net()
    worker.command(cmd="prepare", diagram=dumps(d), settings=d.training.to_dict(), run=1)
    worker.command(cmd="step")
    worker.command(cmd="step")
    good = snapshot(worker.server.trainer.model)
    worker.command(cmd="settings", settings=d.training.with_(lr=1e6).to_dict())
    worker.messages()
    worker.command(cmd="run", epochs=100)
    worker.train()
    last = worker.statuses()[-1]
    assert last["status"] == "paused"
    assert "infinite or NaN in epoch 3" in last["message"] and "learning rate" in last["message"]
    assert worker.server.trainer.epoch == 2
    assert_same_weights(worker.server.trainer.model, good)


@pytest.mark.parametrize("message", [
    {"cmd": "run", "epochs": None},
    {"cmd": "run"},
    {"cmd": "prepare", "diagram": "not a diagram", "settings": {}, "run": 2},
    {"cmd": "settings", "settings": {"lr": "fast"}},
    {"cmd": "settings", "settings": {"no_such_setting": 1}},
    {"cmd": "no-such-command"},
    {"cmd": "load_weights", "path": "/nowhere.safetensors", "run": 2},
    {"cmd": "export_onnx", "path": 7, "diagram": ""},
    ["not", "an", "object"],
])
def test_a_bad_command_is_reported_and_the_process_keeps_serving(message):
    worker = Worker()
    d = relu_net()
    worker.command(cmd="prepare", diagram=dumps(d), settings=d.training.to_dict(), run=1)
    worker.messages()
    worker.server._safely(worker.server.handle, message)
    reported = worker.messages()
    failed = [m for m in reported if m["type"] == "status" and m["status"] == "failed"]
    files = [m for m in reported if m["type"] == "file" and not m["ok"]]
    assert failed or files, reported
    text = (failed or files)[0]["message"]
    assert text and "Traceback" not in text
    if worker.server.trainer is None:  # a prepare that failed leaves no run: prepare again
        worker.command(cmd="prepare", diagram=dumps(d), settings=d.training.to_dict(), run=3)
    worker.command(cmd="step")  # and it still trains
    assert worker.server.trainer.epoch == 1
    assert worker.statuses()[-1]["status"] == "paused"


def test_rows_of_a_run_that_failed_are_not_sent_as_the_next_runs(monkeypatch):
    worker = Worker()
    d = relu_net()
    worker.command(cmd="prepare", diagram=dumps(d), settings=d.training.to_dict(), run=1)
    worker.command(cmd="run", epochs=10)
    run_epoch, calls = worker.server.trainer.run_epoch, []

    def second_fails():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("broken")
        return run_epoch()

    monkeypatch.setattr(worker.server.trainer, "run_epoch", second_fails)
    while worker.server.running:  # one row kept, then the failure (a slow machine may
        worker.server._safely(worker.server.train_a_little)  # send the row first)
    assert worker.statuses()[-1]["status"] == "failed"
    worker.command(cmd="prepare", diagram=dumps(d), settings=d.training.to_dict(), run=2)
    worker.command(cmd="step")
    history = [m for m in worker.messages() if m["type"] == "history"]
    assert [(m["run"], len(m["rows"])) for m in history if m["run"] == 2] == [(2, 1)]
    assert all(len(m["rows"]) == 1 for m in history)  # run 1's row only under run 1


def test_divergence_is_flagged_in_the_status_for_the_training_lints():
    worker = Worker()
    d = relu_net()
    d.training = d.training.with_(lr=1e6)
    worker.command(cmd="prepare", diagram=dumps(d), settings=d.training.to_dict(), run=1)
    worker.command(cmd="run", epochs=10)
    worker.train()
    last = worker.statuses()[-1]
    assert last["status"] == "paused" and last["reason"] == "diverged"


# ------------------------------------------------------------ the process, as the editor runs it

@pytest.fixture
def server():
    """``python -m graph_engine.server`` after its hello; killed if a test fails."""
    process = subprocess.Popen([sys.executable, "-m", "graph_engine.server"], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        assert frames.read_message(process.stdout)["type"] == "hello"
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)
        for stream in (process.stdin, process.stdout, process.stderr):
            stream.close()


def ended_quietly(process) -> None:
    assert process.wait(60) == 0
    assert process.stderr.read() == b""  # no traceback, no "Fatal Python error"


QUIT = frames.encode({"cmd": "quit", "seq": 1})


def frame(text: bytes, data: bytes = b"") -> bytes:
    """A frame as a hostile sender might write it."""
    return struct.pack(">IQ", len(text), len(data)) + text + data


UNREADABLE = {
    "stdin closed mid-header": QUIT[:5],
    "stdin closed mid-frame": QUIT[:-3],
    "a frame announcing 2 GB": struct.pack(">IQ", 2**31, 0) + b"{",
    "an array without a dtype": frame(b'{"cmd": "quit", "a": {"__array__": 0, "shape": [2]}}',
                                      b"\0" * 8),
    "an array of an unknown dtype": frame(b'{"cmd": "quit", "a": {"__array__": 0, '
                                          b'"dtype": "<U9", "shape": [1]}}', b"\0" * 36),
    "an array past the data": frame(b'{"cmd": "quit", "a": {"__array__": 0, '
                                    b'"dtype": "<f4", "shape": [1000000]}}', b"\0" * 8),
    "a negative array shape": frame(b'{"cmd": "quit", "a": {"__array__": 0, '
                                    b'"dtype": "<f4", "shape": [-1]}}'),
    "deeply nested JSON": frame(b"[" * 100_000 + b"]" * 100_000),
    "JSON that is not UTF-8": frame(b'{"cmd": "\xff"}'),
}


@pytest.mark.parametrize("ending", list(UNREADABLE))
def test_a_frame_the_reader_cannot_read_ends_the_command_stream(ending):
    """Whatever the reader meets, it queues the end (and the process then ends
    cleanly, as the tests below show for the real process)."""
    inbox: queue.Queue = queue.Queue()
    _read_commands(io.BytesIO(frames.encode({"cmd": "pause"}) + UNREADABLE[ending]), inbox)
    assert inbox.get_nowait() == {"cmd": "pause"}
    assert inbox.get_nowait() is EOF


def test_a_message_that_is_not_an_object_is_refused_and_serving_goes_on():
    worker = Worker()
    worker.server._safely(worker.server.handle, [1, 2])
    assert worker.statuses()[-1]["reason"] == "bad-request"


ENDINGS = {
    "quit, stdin still open": QUIT,  # how the editor quits: Python aborted here before
    "stdin closed": b"",
    "a corrupt frame": struct.pack(">IQ", 2**31, 0) + b"{",
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_the_process_ends_quietly_when_the_editor_goes(server, ending):
    server.stdin.write(ENDINGS[ending])
    server.stdin.flush()
    if ending.startswith("stdin closed"):
        server.stdin.close()
    ended_quietly(server)


@pytest.mark.parametrize("stdin_open", [False, True])
def test_the_process_ends_quietly_when_the_editor_vanishes_mid_run(server, stdin_open):
    d = relu_net()
    for message in ({"cmd": "prepare", "diagram": dumps(d), "settings": d.training.to_dict(),
                     "run": 1}, {"cmd": "run", "epochs": 10**9}):
        server.stdin.write(frames.encode(message))
    server.stdin.flush()
    while frames.read_message(server.stdout)["type"] != "history":
        pass  # training is under way
    server.stdout.close()  # nobody reads the results any more
    if not stdin_open:
        server.stdin.close()
    ended_quietly(server)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="Linux only")
def test_the_training_process_keeps_to_the_core_it_is_given():
    core = max(os.sched_getaffinity(0))
    process = subprocess.Popen([sys.executable, "-m", "graph_engine.server", "--core", str(core)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               cwd=ROOT)
    try:
        hello = frames.read_message(process.stdout)
        assert hello["type"] == "hello"
        assert os.sched_getaffinity(hello["pid"]) == {core}
    finally:
        process.stdin.close()
        assert process.wait(timeout=60) == 0
        process.stdout.close()


@pytest.mark.parametrize("argv, core", [([], None), (["--core", "1"], 1), (["--core", "x"], None),
                                        (["--core"], None), (["--core", "-1"], None)])
def test_only_a_well_formed_core_argument_is_taken(argv, core):
    assert _core(argv) == core
