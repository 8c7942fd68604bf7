"""Every view belongs to the document and the run on screen.

Train one network until every view has drawn something, then Open another
example, New, Reset or Load Weights: each view must show the new document
and run, or nothing; never a number of the run before.
"""

from __future__ import annotations

import nets
import pytest
from guihelpers import step
from paths import EXAMPLES

import graph_engine as ge
from gui.teaching.hub import ProbeView


def raise_dock(window, qtbot, name: str, drawn) -> None:
    window.docks[name].show()
    window.docks[name].raise_()
    qtbot.waitUntil(lambda: bool(drawn()), timeout=15000)


def trained_everywhere(window, qtbot):
    """A small classifier trained three epochs, with every view showing it."""
    d, ids = nets.two_layer("Tanh", ge.DatasetSpec("circle", samples=100), 5)
    d.training = d.training.with_(optimizer="adam", lr=0.03, epochs=1000)
    window.document.replace(d)
    step(window, qtbot, 3)
    teaching, training = window.teaching, window.training
    raise_dock(window, qtbot, "gradients", lambda: teaching.gradients.series)
    raise_dock(window, qtbot, "histograms", lambda: teaching.histograms.layers)
    raise_dock(window, qtbot, "confusion", lambda: teaching.confusion.matrix is not None)
    raise_dock(window, qtbot, "curves", lambda: training.curves.series.size == 3)
    window.scene.select_blocks([ids["hidden"]])
    weights = window.teaching.selected.widget().findChild(object, "weightMap")
    qtbot.waitUntil(lambda: weights.weight is not None, timeout=15000)
    qtbot.waitUntil(lambda: training.output.has_image(), timeout=15000)
    assert "Epoch 3" in training.toolbar.epoch_label.text()
    return d


def probe_views(window) -> list[ProbeView]:
    return window.findChildren(ProbeView)


def assert_nothing_stale(window) -> None:
    """Each view shows the current run (whatever it has of it) or nothing."""
    controller = window.training.controller
    state = controller.state
    teaching, training = window.teaching, window.training
    limit = window.document.diagram.training.epochs
    assert state.epoch == 0 and not state.history
    assert training.toolbar.epoch_label.text() == f"Epoch 0 / {max(state.target, 0) or limit:,}"
    assert training.curves.series.size == 0
    assert len(training.curves.loss.train.getData()[0] or []) == 0
    assert teaching.gradients.series == {} and not teaching.gradients.curves
    assert teaching.confusion.matrix is None
    output = training.drawn.result
    assert output is None or output is state.probes.get("output")
    if output is None:
        assert not training.output.has_image()
    for view in probe_views(window):
        assert view.drawn.run in (None, state.run)
        assert view.drawn.result is None or view.drawn.result is state.probes.get(
            view.probe_name), \
            f"{type(view).__name__} shows a result of another run"
    histograms = teaching.histograms
    blocks = {b.id for b in window.document.diagram.blocks}
    assert all(layer["block_id"] in blocks for layer in histograms.layers)


def settle(window, qtbot) -> None:
    """Let the process answer whatever it was asked, then compare."""
    qtbot.wait(600)
    window.training.controller.pacer.now()
    qtbot.wait(50)


def test_open_another_example_shows_nothing_of_the_first(window, qtbot):
    trained_everywhere(window, qtbot)
    assert window.files.open_path(str(EXAMPLES / "regression-gauss.json"), ask=False)
    settle(window, qtbot)
    assert_nothing_stale(window)
    assert "regression" in window.teaching.confusion.caption.text() or \
        "Train a classifier" in window.teaching.confusion.caption.text()


def test_new_shows_nothing_of_the_old_document(window, qtbot):
    trained_everywhere(window, qtbot)
    window.document.undo_stack.setClean()
    window.files.new()
    settle(window, qtbot)
    assert_nothing_stale(window)
    assert not window.training.output.has_image()


def test_reset_shows_the_initial_weights_only(window, qtbot):
    trained_everywhere(window, qtbot)
    window.training.toolbar.reset.trigger()
    settle(window, qtbot)
    assert_nothing_stale(window)


def test_load_weights_starts_a_new_run_at_epoch_0(window, qtbot, tmp_path):
    trained_everywhere(window, qtbot)
    files = window.training.controller.files
    done = []
    files.file_done.connect(lambda ok, message: done.append(ok))
    path = str(tmp_path / "w.safetensors")
    files.save_weights(path)
    qtbot.waitUntil(lambda: done == [True], timeout=15000)
    assert files.load_weights(path)
    qtbot.waitUntil(lambda: done == [True, True], timeout=15000)
    settle(window, qtbot)
    assert_nothing_stale(window)
    assert "Epoch 0" in window.training.toolbar.epoch_label.text()


def test_at_a_pace_in_steps_every_step_is_a_frame_and_the_curves_grow_between_epochs(
        window, qtbot):
    """10 optimizer steps a second, 5 to an epoch: each step is drawn (the boundary,
    the curves at fractional epochs), and each epoch's row is in the curves too."""
    d, _ = nets.two_layer("Tanh", ge.DatasetSpec("circle", samples=100), 5)
    d.training = d.training.with_(optimizer="adam", lr=0.03, epochs=2, pace=10.0,
                                  pace_unit="steps")
    window.document.replace(d)
    controller, output = window.training.controller, window.training.output
    pictures: list[int] = []
    output.image.sigImageChanged.connect(lambda: pictures.append(controller.state.batch))
    window.training.toolbar.play.trigger()
    qtbot.waitUntil(lambda: controller.state.epoch == 2 and not controller.running,
                    timeout=30000)
    qtbot.wait(100)
    epochs = window.training.curves.series["epoch"].tolist()
    assert epochs == pytest.approx([0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2])
    assert len(pictures) >= 9  # a boundary for (almost) every step: frames join at most
    assert window.training.toolbar.pace.currentData() == (10.0, "steps")
    assert window.training.toolbar.pace.currentText() == "10 steps/s"


def test_gradients_opened_after_a_run_behind_another_tab_show_every_epoch(window, qtbot):
    """The vanishing-gradient lesson: train deep-sigmoid with the curves in front,
    then open Gradients: all seven layers, every epoch."""
    assert window.files.open_path(str(EXAMPLES / "deep-sigmoid.json"), ask=False)
    from gui.document import commands

    commands.set_training(window.document, "epochs", 8)
    window.docks["curves"].raise_()
    controller = window.training.controller
    window.training.toolbar.play.trigger()
    qtbot.waitUntil(lambda: controller.state.epoch == 8 and not controller.running,
                    timeout=60000)
    window.docks["gradients"].raise_()
    gradients = window.teaching.gradients
    qtbot.waitUntil(lambda: len(gradients.series) == 7, timeout=10000)
    assert all(epochs == list(range(1, 9)) for epochs, _ in gradients.series.values())
    first, last = gradients.series["linear1"][1][-1], gradients.series["linear7"][1][-1]
    assert first < last / 100  # the gradient vanishes on its way back


def test_neurons_on_the_canvas_follow_the_run(window, qtbot):
    """Each activation block's units appear under it while training, and a new
    document shows none of them."""
    d, ids = nets.two_layer("Tanh", ge.DatasetSpec("circle", samples=100), 5)
    d.training = d.training.with_(optimizer="adam", lr=0.03, epochs=1000)
    window.document.replace(d)
    neurons = window.teaching.neurons
    assert neurons.action.isChecked()
    step(window, qtbot, 1)
    qtbot.waitUntil(lambda: ids["act"] in neurons.strips, timeout=15000)
    strip = neurons.strips[ids["act"]]
    assert len(strip.images) == 5 and strip.more == 0
    assert strip.parentItem() is window.scene.blocks[ids["act"]]
    window.document.undo_stack.setClean()
    window.files.new()
    settle(window, qtbot)
    assert neurons.strips == {}
    neurons.action.setChecked(False)
    assert "canvas.neurons" not in window.training.controller.probes


def test_a_pinned_run_stays_faded_and_labelled_while_the_next_one_trains(window, qtbot):
    d, _ = nets.two_layer("Sigmoid", ge.DatasetSpec("circle", samples=100), 5)
    d.title = "Sigmoid net"
    d.training = d.training.with_(optimizer="adam", lr=0.03, epochs=1000)
    window.document.replace(d)
    curves = window.training.curves
    assert not window.training.pin_run()  # nothing trained yet
    step(window, qtbot, 2)
    qtbot.waitUntil(lambda: curves.series.size == 2, timeout=10000)
    assert window.training.pin_run()
    (label, items), = curves.pins
    assert label == "Sigmoid net · epoch 2 (test)" and len(items[0].getData()[0]) == 2
    window.training.toolbar.reset.trigger()  # a new run: its own curves clear, the pin stays
    settle(window, qtbot)
    assert curves.series.size == 0 and len(curves.pins) == 1
    assert items[0] in curves.loss.getPlotItem().items
    curves.unpin_button.click()
    assert curves.pins == [] and items[0] not in curves.loss.getPlotItem().items


def test_only_the_newest_confusion_counts_are_kept_while_a_run_grows():
    """The confusion view draws the newest counts; a long run keeps no others."""
    from gui.training.controller import TrainingState

    state = TrainingState(run=1)
    counts = {"test": [[1, 0], [0, 1]], "train": [[2, 0], [0, 2]]}
    batches = [[{"epoch": 1, "confusion": counts}, {"epoch": 2}],
               [{"epoch": 3, "confusion": counts}, {"epoch": 4, "confusion": counts}],
               [{"epoch": 5}]]
    for rows in batches:
        assert state.accept_history(1, rows[-1]["epoch"], rows)
    assert [row["epoch"] for row in state.history if "confusion" in row] == [4]
    assert len(state.history) == 5
