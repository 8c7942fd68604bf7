"""The training process refuses what it cannot do, whatever it is sent: a bad
``--core`` is ignored (as documented) whatever it holds, and a run of 0 or -5
epochs is a malformed command, refused at the door, not one epoch trained."""

from __future__ import annotations

import subprocess
import sys

import pytest
from nets import two_layer
from paths import ROOT
from worker import Worker

from graph_engine.model.fileio import dumps
from graph_engine.server import frames
from graph_engine.server.process import _core, _run_on

BAD_CORES = ["²", "٣", "1" * 23, "65536", "+1", " 1", "1.0", "", "0x1"]


@pytest.mark.parametrize("text", BAD_CORES)
def test_a_bad_core_is_no_core(text):
    assert _core(["--core", text]) is None


def test_a_core_no_machine_has_is_ignored():
    _run_on(2**40)  # neither OverflowError nor OSError escapes


@pytest.mark.parametrize("text", ["²", "1" * 23])
def test_the_process_says_hello_whatever_its_core_argument_holds(text):
    process = subprocess.Popen([sys.executable, "-m", "graph_engine.server", "--core", text],
                               cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        assert frames.read_message(process.stdout)["type"] == "hello"
    finally:
        process.stdin.close()
        assert process.wait(timeout=60) == 0
        assert process.stderr.read() == b""  # no traceback
        process.stdout.close()
        process.stderr.close()


@pytest.mark.parametrize("epochs", [0, -5])
def test_a_run_of_no_epochs_is_refused_and_trains_nothing(epochs):
    worker = Worker()
    d = two_layer(dataset="xor")[0]
    worker.command(cmd="prepare", diagram=dumps(d), settings=d.training.to_dict(), run=1)
    worker.command(cmd="run", epochs=epochs)
    worker.train()
    last = worker.statuses()[-1]
    assert last["status"] == "failed" and last["reason"] == "bad-request"
    assert "'epochs' must be from 1 to" in last["message"]
    assert not worker.of_type("history") and worker.server.trainer.epoch == 0
