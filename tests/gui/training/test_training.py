"""Training in the running editor: play, live plots, a responsive event loop."""

from __future__ import annotations

import time

import nets
import pytest
from PySide6.QtCore import QElapsedTimer, QTimer

import graph_engine as ge


def two_layer(dataset="circle", hidden=8):
    d, _ = nets.two_layer("Tanh", dataset, hidden)
    # as fast as possible, as these tests were written for (a new diagram's default
    # pace is 10 epochs a second, for watching)
    d.training = d.training.with_(optimizer="adam", lr=0.03, epochs=100000, pace=0.0)
    return d


@pytest.mark.timing
def test_play_trains_with_live_plots_and_a_responsive_event_loop(window, qtbot):
    window.document.replace(two_layer())
    ui = window.training
    lateness = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(10)

    def tick():
        lateness.append(clock.restart() - 10)

    ticker.timeout.connect(tick)
    ui.toolbar.play.trigger()
    qtbot.waitUntil(lambda: ui.controller.state.epoch > 0, timeout=30000)
    clock.start()
    ticker.start()
    qtbot.wait(1000)
    ticker.stop()
    ui.controller.pause()
    qtbot.waitUntil(lambda: not ui.controller.running, timeout=5000)
    qtbot.wait(300)  # the pause reaches the process; the last rows come back
    epoch = ui.controller.state.epoch
    assert epoch > 10
    qtbot.waitUntil(lambda: f"Epoch {epoch:,}" in ui.toolbar.epoch_label.text(), timeout=2000)
    # the data the curve holds, not what it draws: thousands of epochs a second
    # (the whole-epoch kernel) make more points than pixels, which pyqtgraph thins
    curve = ui.curves.loss.train
    xs, ys = curve.xData, curve.yData
    assert xs is not None and len(xs) == epoch and ys[-1] < ys[0]
    assert ui.output.has_image()
    assert len(lateness) > 20
    assert max(lateness) < 100, f"the event loop was blocked for {max(lateness)} ms"


def test_training_a_diagram_with_errors_is_refused(window, qtbot):
    d = two_layer()
    d.add("Linear")  # an unwired block: port-open error
    window.document.replace(d)
    window.training.toolbar.play.trigger()
    assert not window.training.controller.running
    assert "Problems" in window.statusBar().currentMessage()


def test_editing_while_training_stops_and_says_why(window, qtbot):
    window.document.replace(two_layer())
    controller = window.training.controller
    window.training.toolbar.play.trigger()
    qtbot.waitUntil(lambda: controller.state.epoch > 2, timeout=30000)
    linear = next(b for b in window.document.diagram.blocks if b.type == "Linear")
    window.scene.select_blocks([linear.id])
    window.inspector.editors["out_features"].widget.setValue(12)
    qtbot.waitUntil(lambda: not controller.running, timeout=5000)
    assert "changed" in window.statusBar().currentMessage()


def test_step_and_reset(window, qtbot):
    window.document.replace(two_layer())
    controller = window.training.controller
    window.training.toolbar.step.trigger()
    qtbot.waitUntil(lambda: controller.state.epoch == 1, timeout=30000)
    window.training.toolbar.step.trigger()
    qtbot.waitUntil(lambda: controller.state.epoch == 2, timeout=10000)
    window.training.toolbar.reset.trigger()
    qtbot.waitUntil(lambda: controller.state.epoch == 0, timeout=10000)
    qtbot.wait(100)
    assert window.training.curves.loss.train.getData()[0] is None or \
        len(window.training.curves.loss.train.getData()[0]) == 0


def test_changing_the_learning_rate_is_undoable_and_reaches_the_trainer(window, qtbot):
    window.document.replace(two_layer())
    box = window.training.toolbar.lr
    box.setEditText("0.001")
    box.lineEdit().editingFinished.emit()
    assert window.document.diagram.training.lr == 0.001
    window.document.undo_stack.undo()
    assert window.document.diagram.training.lr == 0.03
    assert box.currentText() == "0.03"


def test_choosing_a_data_set_resizes_the_input_in_one_step(window):
    window.document.replace(two_layer())
    panel = window.training.data_panel
    panel.apply(ge.DatasetSpec("iris"))
    d = window.document.diagram
    assert d.dataset.name == "iris"
    assert next(b for b in d.blocks if b.type == "Input").params["features"] == 4
    window.document.undo_stack.undo()
    assert d.dataset.name == "circle"
    assert next(b for b in d.blocks if b.type == "Input").params["features"] == 2


def test_save_weights_after_training(window, qtbot, tmp_path):
    from graph_engine.build.weights import load_weights

    window.document.replace(two_layer())
    controller = window.training.controller
    window.training.toolbar.step.trigger()
    qtbot.waitUntil(lambda: controller.state.epoch == 1, timeout=30000)
    path = tmp_path / "w.safetensors"
    with qtbot.waitSignal(controller.files.file_done, timeout=10000) as signal:
        controller.files.save_weights(str(path))
    assert signal.args[0] is True and path.exists()
    net = ge.compile(two_layer())
    load_weights(net.model, path)
    time.sleep(0)
