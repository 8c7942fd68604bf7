"""The training settings init and shuffle in the editor's Data tab: each change is one
undo step, and a changed init reaches the training process's next run."""

from __future__ import annotations

import nets
import torch

import graph_engine as ge
from graph_engine.build.weights import load_weights


def sigmoid_net() -> ge.Diagram:
    d, _ = nets.two_layer("Sigmoid", ge.DatasetSpec("circle", samples=100), 4)
    return d


def test_init_and_shuffle_are_undoable_settings_of_the_data_tab(window, qtbot):
    window.document.replace(sigmoid_net())
    editors = window.training.data_panel.training
    box = editors["init"].widget
    box.setCurrentIndex(box.findText("zeros"))
    box.activated.emit(box.currentIndex())
    editors["shuffle"].widget.setChecked(False)
    training = window.document.diagram.training
    assert (training.init, training.shuffle) == ("zeros", False)
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    training = window.document.diagram.training
    assert (training.init, training.shuffle) == ("default", True)
    qtbot.waitUntil(lambda: box.currentText() == "default", timeout=5000)  # on analysis
    assert editors["shuffle"].widget.isChecked()


def test_a_run_after_choosing_zeros_starts_from_zeros(window, qtbot, tmp_path):
    window.document.replace(sigmoid_net())
    controller = window.training.controller
    window.training.toolbar.step.trigger()
    qtbot.waitUntil(lambda: controller.state.epoch == 1, timeout=30000)
    box = window.training.data_panel.training["init"].widget
    box.setCurrentIndex(box.findText("zeros"))
    box.activated.emit(box.currentIndex())
    window.training.toolbar.step.trigger()  # the new init: a new run, from epoch 0
    qtbot.waitUntil(lambda: controller.state.epoch == 1 and controller.state.prepared,
                    timeout=30000)
    path = tmp_path / "w.safetensors"
    with qtbot.waitSignal(controller.files.file_done, timeout=10000) as signal:
        controller.files.save_weights(str(path))
    assert signal.args[0] is True
    net = ge.compile(window.document.diagram)
    load_weights(net.model, path)
    hidden = next(m for m in net.model.modules() if isinstance(m, torch.nn.Linear))
    assert torch.equal(hidden.weight, hidden.weight[:1].expand_as(hidden.weight))
