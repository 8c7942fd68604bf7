"""The run as the editor keeps it between frames: the teaching history thinned
evenly, the curves' points between epochs, and one redraw per frame."""

from __future__ import annotations

from graph_engine.core import thinning
from gui.training.controller import FRAME_MS, Pacer, TrainingState


def row(epoch: int, taught: bool) -> dict:
    found = {"epoch": epoch, "train_loss": 1.0 / epoch, "test_loss": 1.0 / epoch}
    if taught:
        found.update(grad_norms={"a": 1.0}, weight_norms={"a": 2.0})
    return found


def test_a_long_run_keeps_its_teaching_numbers_evenly_at_most_500():
    state = TrainingState(run=1)
    for start in range(1, 4001, 37):  # rows arrive in batches, as the process sends them
        epochs = range(start, min(start + 37, 4001))
        last = epochs[-1]
        rows = [row(e, thinning.taught(e) or e == last) for e in epochs]
        state.accept_history(1, last, rows)
    kept = [r["epoch"] for r in state.history if "grad_norms" in r]
    assert kept == list(range(8, 4001, 8))  # stride 8 at 4,000 epochs: 500 of them
    assert len(kept) <= thinning.MAX_TAUGHT
    assert "weight_norms" not in state.history[6]


def test_a_short_run_keeps_every_epoch():
    state = TrainingState(run=1)
    state.accept_history(1, 50, [row(e, True) for e in range(1, 51)])
    assert [r["epoch"] for r in state.history if "grad_norms" in r] == list(range(1, 51))


def test_points_between_epochs_join_the_curve_and_a_retrained_epoch_replaces_them():
    state = TrainingState(run=1)
    state.accept_history(1, 1, [row(1, True)])
    for batch in (1, 2, 3):
        state.accept_point(1, 1, batch, 5, {"epoch": 1 + batch / 5, "train_loss": 0.5,
                                            "test_loss": 0.5})
    assert [p["epoch"] for p in state.curve] == [1, 1.2, 1.4, 1.6]
    assert (state.epoch, state.batch, state.batches, state.cut) == (1, 3, 5, 0)
    # the epoch diverged at its third step: its start came back and is trained again
    state.accept_point(1, 1, 1, 5, {"epoch": 1.2, "train_loss": 0.4, "test_loss": 0.4})
    assert [p["epoch"] for p in state.curve] == [1, 1.2] and state.cut == 1
    assert len(state.history) == 1
    assert not state.accept_point(2, 1, 2, 5, {"epoch": 1.4})  # another run's: dropped


def test_at_a_set_pace_the_messages_of_one_frame_make_one_redraw(qtbot):
    pacer = Pacer()
    drawn: list[int] = []
    pacer.due.connect(lambda: drawn.append(1))
    for _ in range(3):  # rows, a point and the probes of one frame
        pacer.arrived(10.0)
    qtbot.wait(FRAME_MS + 30)
    assert drawn == [1]
    pacer.arrived(10.0)
    qtbot.waitUntil(lambda: len(drawn) == 2, timeout=1000)
