"""Training faults in the editor: divergence pauses with advice, a dead or
confused training process is reported, and play works again afterwards."""

from __future__ import annotations

import math
import os
import signal

import nets

import graph_engine as ge
from graph_engine.server import frames


def relu_net(lr: float = 0.03) -> ge.Diagram:
    d, _ = nets.two_layer("ReLU", ge.DatasetSpec("circle", samples=200))
    d.training = d.training.with_(optimizer="sgd", lr=lr, epochs=100000)
    return d


def message(window) -> str:
    return window.statusBar().currentMessage()


def play_until(window, qtbot, epochs: int, timeout: int = 60000) -> None:
    """Press play; wait for ``epochs`` new epochs (counted from 0 when the run
    is prepared afresh, so the old run's count cannot satisfy it)."""
    controller = window.training.controller
    fresh = controller._needs_prepare()
    target = epochs if fresh else controller.state.epoch + epochs
    window.training.toolbar.play.trigger()
    qtbot.waitUntil(lambda: controller.running and controller.state.prepared
                    and controller.state.epoch >= target, timeout=timeout)
    assert window.training.toolbar.play.text() == "Pause"


def set_learning_rate(window, text: str) -> None:
    box = window.training.toolbar.lr
    box.setEditText(text)
    box.lineEdit().editingFinished.emit()


def test_a_huge_learning_rate_pauses_with_what_happened_and_what_to_try(window, qtbot):
    window.document.replace(relu_net())
    controller = window.training.controller
    play_until(window, qtbot, 2)
    set_learning_rate(window, "1e6")  # while it runs, as a student would
    assert window.document.diagram.training.lr == 1e6
    qtbot.waitUntil(lambda: not controller.running, timeout=30000)
    qtbot.waitUntil(lambda: "infinite or NaN" in message(window), timeout=5000)
    assert "learning rate 1e+06" in message(window) and "divide it by 10" in message(window)
    assert controller.status == "paused"
    assert window.training.toolbar.play.text() == "Play"
    qtbot.wait(500)
    assert "infinite or NaN" in message(window)  # the advice stays in view
    codes = [d.code for d in window.problems.extra]  # and the problems panel explains it
    assert codes == ["diverging-loss"]
    history, epoch = list(controller.state.history), controller.state.epoch
    assert epoch == len(history) >= 2
    assert all(math.isfinite(row["train_loss"]) for row in history)  # no NaN reached the plots
    set_learning_rate(window, "0.03")  # follow the advice: training goes on
    play_until(window, qtbot, 2, timeout=30000)
    assert controller.state.epoch >= epoch + 2


def test_a_killed_training_process_is_reported_and_play_trains_again(window, qtbot):
    window.document.replace(relu_net())
    controller = window.training.controller
    play_until(window, qtbot, 2)
    os.kill(controller.process.process.processId(), signal.SIGKILL)
    qtbot.waitUntil(lambda: not controller.running, timeout=20000)
    qtbot.waitUntil(lambda: "stopped unexpectedly" in message(window), timeout=20000)
    assert "press play" in message(window)
    qtbot.waitUntil(lambda: window.training.toolbar.play.text() == "Play", timeout=10000)
    play_until(window, qtbot, 3)  # a fresh process, the same diagram
    qtbot.waitUntil(lambda: controller.status == "running", timeout=5000)
    assert controller.process.alive
    window.training.toolbar.play.trigger()  # and pause still pauses it
    qtbot.waitUntil(lambda: controller.status == "paused", timeout=20000)
    assert window.training.toolbar.play.text() == "Play"


def test_an_exception_in_the_training_process_is_shown_and_play_works(window, qtbot):
    window.document.replace(relu_net())
    controller = window.training.controller
    play_until(window, qtbot, 1)
    controller.pause()
    qtbot.waitUntil(lambda: controller.status != "running", timeout=5000)
    pid = controller.process.process.processId()
    # a command it cannot follow, written past the editor's own checks
    controller.process.process.write(frames.encode({"cmd": "run", "epochs": None, "seq": 99}))
    qtbot.waitUntil(lambda: controller.status == "failed", timeout=10000)
    assert "'epochs' must be int" in message(window)
    epoch = controller.state.epoch
    play_until(window, qtbot, 2)
    assert controller.state.epoch >= epoch + 2
    assert controller.process.process.processId() == pid  # the same process kept serving
