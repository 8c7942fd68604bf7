"""Drawing a data set in the Output plot, and asking the trained network about inputs.

The mouse events are real ones sent to the plot's viewport; every stroke is one undo
step that calls Diagram methods; the network's answers are checked against the
compiled module with the run's weights, saved by the editor and loaded with torch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from guihelpers import LEFT, NO_BUTTON, click, mouse_drag, send_mouse, step
from paths import EXAMPLES
from PySide6.QtCore import QEvent, QPointF, Qt
from safetensors.torch import load_file

import graph_engine as ge
from graph_engine.data import drawn
from gui import dialogs
from gui.plots.drawing import RESET
from gui.plots.output import FADED

RIGHT = Qt.MouseButton.RightButton


def open_example(window, name: str) -> ge.Diagram:
    assert window.files.open_path(str(EXAMPLES / f"{name}.json"), ask=False)
    return window.document.diagram


@pytest.fixture
def plot(window, qtbot):
    dock = window.docks["output"]
    dock.setFloating(True)  # a plot large enough to click on
    dock.resize(560, 620)
    dock.show()
    return window.training.output


def shown(window, qtbot, plot):
    """Wait until the plot shows the diagram's data set as it is now."""
    spec = window.document.diagram.dataset
    qtbot.waitUntil(lambda: plot.data is not None and window.training.data_panel._shown == spec,
                    timeout=30_000)
    qtbot.wait(30)


def at(plot, x: float, y: float) -> QPointF:
    return plot.plot.getViewBox().mapViewToScene(QPointF(x, y))


def right_click(plot, x: float, y: float) -> None:
    send_mouse(plot.plot, QEvent.Type.MouseButtonPress, at(plot, x, y), RIGHT, RIGHT)
    send_mouse(plot.plot, QEvent.Type.MouseButtonRelease, at(plot, x, y), RIGHT, NO_BUTTON)


def near(points, x: float, y: float, tolerance: float) -> list:
    return [p for p in points if abs(p[0] - x) < tolerance and abs(p[1] - y) < tolerance]


def test_three_clicks_on_xor_are_three_undo_steps_over_its_points(window, qtbot, plot):
    d = open_example(window, "xor")
    shown(window, qtbot, plot)
    drawing, stack = window.training.drawing, window.document.undo_stack
    drawing.button.setChecked(True)
    drawing.bar.classes.button(1).setChecked(True)
    pixel = max(plot.plot.getViewBox().viewPixelSize())
    for x, y in ((-3.0, 3.0), (-2.5, 3.5), (-3.5, 2.5)):
        click(plot.plot, at(plot, x, y))
    assert stack.count() == 3 and stack.undoText() == "Draw 1 point"
    assert stack.text(0) == "Draw 1 point on xor's points"
    spec = d.dataset
    assert spec.name == "points" and len(spec.points) == 503  # xor's 500, and three
    for x, y in ((-3.0, 3.0), (-2.5, 3.5), (-3.5, 2.5)):
        (point,) = near(spec.points[500:], x, y, 2 * pixel + 0.01)
        assert point[2] == 1
    train = drawn.training_points(np.array(spec.points, dtype=float), spec.seed,
                                  spec.train_ratio)
    assert train[500:].all()  # a point drawn trains
    xor = ge.datasets.load(ge.DatasetSpec("xor", samples=500))
    copied = sorted(map(tuple, np.round(xor.x_all.astype(float), 3).tolist()))
    assert sorted(p[:2] for p in spec.points[:500]) == copied
    assert "Added 1 point." in drawing.bar.note.text() and RESET in drawing.bar.note.text()
    stack.undo()
    assert len(d.dataset.points) == 502
    for _ in range(2):
        stack.undo()
    assert d.dataset.name == "xor" and d.dataset.samples == 500
    stack.redo()
    assert len(d.dataset.points) == 501
    d.lint()


def test_a_drag_paints_several_and_the_eraser_removes_them_in_one_step(window, qtbot, plot):
    d = open_example(window, "xor")
    shown(window, qtbot, plot)
    drawing, stack = window.training.drawing, window.document.undo_stack
    drawing.start()  # as the Data panel's "Points drawn by hand" does
    assert stack.count() == 1 and len(d.dataset.points) == 500
    drawing.clear()
    assert stack.undoText() == "Clear the drawn points" and d.dataset.points == ()
    mouse_drag(plot.plot, at(plot, -4, 0), at(plot, 4, 0), steps=12)
    painted = len(d.dataset.points)
    assert painted >= 5 and stack.undoText() == f"Draw {painted} points"
    assert all(abs(p[1]) < 0.2 and p[2] == 0 for p in d.dataset.points)
    drawing.bar.eraser.setChecked(True)
    mouse_drag(plot.plot, at(plot, -4.5, 0), at(plot, 0, 0), steps=12)
    left = d.dataset.points
    assert 0 < len(left) < painted and all(p[0] > -0.6 for p in left)
    assert stack.undoText().startswith("Erase ")
    drawing.bar.eraser.setChecked(False)
    drawing.bar.test.setChecked(True)
    click(plot.plot, at(plot, 2, 2))
    assert not drawn.training_points(np.array(d.dataset.points, dtype=float), 0, 0.5)[-1]
    stack.undo()
    right_click(plot, *left[-1][:2])
    assert len(d.dataset.points) == len(left) - 1
    stack.undo()
    stack.undo()
    assert len(d.dataset.points) == painted
    assert [b.params["features"] for b in d.blocks if b.type == "Input"] == [2]


def test_points_off_the_plane_and_past_the_limit_are_refused_with_a_note(window, qtbot, plot):
    d = open_example(window, "xor")
    full = tuple((0.0, 0.0, i % 2) for i in range(drawn.MAX_POINTS))
    d.dataset = ge.DatasetSpec("points", points=full)
    shown(window, qtbot, plot)
    drawing = window.training.drawing
    drawing.button.setChecked(True)
    click(plot.plot, at(plot, 1, 1))
    assert len(d.dataset.points) == drawn.MAX_POINTS
    assert "at most 10,000 points" in drawing.bar.note.text()
    plot.plot.getViewBox().setRange(xRange=(-10, 10), yRange=(-10, 10), padding=0)
    qtbot.wait(20)
    click(plot.plot, at(plot, 8, 0))
    assert "on the plane" in drawing.bar.note.text()


def test_drawing_on_a_regression_set_draws_values(window, qtbot, plot):
    d = open_example(window, "regression-gauss")
    shown(window, qtbot, plot)
    drawing = window.training.drawing
    drawing.button.setChecked(True)
    bar = drawing.bar
    assert bar.value.isVisible() and not bar.classes.buttons()
    bar.scale.resize(200, 18)
    bar.scale._pick(150)  # three quarters along: half the largest value
    assert bar.value.value() == pytest.approx(0.5 * bar.scale.scale, abs=1e-3)
    bar.value.setValue(0.75)
    click(plot.plot, at(plot, 2, 2))
    spec = d.dataset
    assert spec.task == "regression" and spec.points[-1][2] == 0.75
    assert ge.datasets.info(spec).task == "regression"


def test_choosing_points_drawn_by_hand_in_the_data_panel_starts_drawing(window, qtbot, plot):
    d = open_example(window, "circle")
    shown(window, qtbot, plot)
    panel = window.training.data_panel
    index = panel.choice.findData("points")
    panel.choice.setCurrentIndex(index)
    panel._chosen(index)
    assert window.training.drawing.active and d.dataset.name == "points"
    assert len(d.dataset.points) == 500 and window.document.undo_stack.count() == 1
    shown(window, qtbot, plot)
    editors = panel.editors
    assert not editors["samples"].widget.isEnabled() and editors["seed"].widget.isEnabled()


def test_a_reset_runs_picture_stays_faded_while_drawing(window, qtbot, plot):
    open_example(window, "xor")
    shown(window, qtbot, plot)
    step(window, qtbot, 2)
    qtbot.waitUntil(plot.has_image, timeout=30_000)
    window.training.drawing.button.setChecked(True)
    click(plot.plot, at(plot, 3, 3))
    shown(window, qtbot, plot)
    assert plot.has_image() and plot.image.opacity() == pytest.approx(FADED)
    step(window, qtbot, 1)
    qtbot.waitUntil(lambda: plot.image.opacity() == 1.0, timeout=30_000)


def test_a_stroke_on_a_locked_data_set_is_refused_and_said(window, qtbot, plot):
    d = open_example(window, "xor")
    shown(window, qtbot, plot)
    from graph_engine.model.locks import Locks

    d.locks = Locks(dataset=True)
    window.training.drawing.button.setChecked(True)
    click(plot.plot, at(plot, 1, 1))
    assert d.dataset.name == "xor" and window.document.undo_stack.count() == 0
    assert window.training.drawing.bar.note.text().startswith("Not drawn:")


# ------------------------------------------------------------------ asking

def trained_weights(window, qtbot, tmp_path, epochs: int = 3):
    step(window, qtbot, epochs)
    done = []
    window.training.controller.files.file_done.connect(lambda ok, text: done.append(ok))
    window.training.controller.files.save_weights(str(tmp_path / "w.safetensors"))
    qtbot.waitUntil(lambda: bool(done), timeout=30_000)
    model = ge.compile(window.document.diagram).model
    model.load_state_dict(load_file(str(tmp_path / "w.safetensors")))
    return model.eval()


def probabilities(model, rows) -> np.ndarray:
    with torch.no_grad():
        return torch.softmax(model(torch.tensor(rows, dtype=torch.float32)), dim=1).numpy()


def test_typed_inputs_get_the_modules_answer(window, qtbot, plot, tmp_path):
    open_example(window, "xor")
    shown(window, qtbot, plot)
    model = trained_weights(window, qtbot, tmp_path)
    row = window.training.ask_row
    row.field.setText("-3, 3.5")
    row.ask()
    controller = window.training.controller
    qtbot.waitUntil(lambda: "epoch 3" in row.answer.text(), timeout=30_000)
    found = controller.state.probes["ask"]["rows"][0]
    expected = probabilities(model, [[-3, 3.5]])[0]
    assert list(found["probabilities"].values()) == pytest.approx(expected.tolist(), abs=1e-6)
    best = int(expected.argmax())
    assert row.answer.text().startswith(f"class {best}: {expected[best]:.0%}")
    assert row.marker.getData()[0].tolist() == [-3.0]
    row.field.setText("1, two")
    row.ask()
    assert "Type numbers separated by commas" in row.answer.text()
    row.field.setText("1, 2, 3")
    row.ask()
    qtbot.waitUntil(lambda: "takes 2 inputs" in row.answer.text(), timeout=30_000)


def test_a_click_on_the_plane_asks_about_that_point(window, qtbot, plot, tmp_path):
    open_example(window, "xor")
    shown(window, qtbot, plot)
    model = trained_weights(window, qtbot, tmp_path, epochs=1)
    click(plot.plot, at(plot, 2.0, -3.0))
    row = window.training.ask_row
    x, y = (float(v) for v in row.field.text().split(","))
    pixel = max(plot.plot.getViewBox().viewPixelSize())
    assert abs(x - 2) < 2 * pixel + 0.01 and abs(y + 3) < 2 * pixel + 0.01
    qtbot.waitUntil(lambda: "epoch 1" in row.answer.text(), timeout=30_000)
    found = window.training.controller.state.probes["ask"]["rows"][0]
    assert list(found["probabilities"].values()) == pytest.approx(
        probabilities(model, [[x, y]])[0].tolist(), abs=1e-6)


def test_predict_on_a_table_writes_the_table_with_the_predictions(window, qtbot, plot, tmp_path,
                                                                   monkeypatch):
    open_example(window, "xor")
    shown(window, qtbot, plot)
    model = trained_weights(window, qtbot, tmp_path)
    pd.DataFrame({"x1": [1.0, -4.0], "x2": [2.0, 1.5]}).to_csv(tmp_path / "new.csv",
                                                               index=False)
    monkeypatch.setattr(dialogs, "open_path", lambda *a, **k: str(tmp_path / "new.csv"))
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(tmp_path / "out"))
    said = []
    window.training.controller.files.file_done.connect(lambda ok, text: said.append(text))
    window.training.asking.action.trigger()
    qtbot.waitUntil(lambda: bool(said), timeout=30_000)
    assert said[-1].startswith("Wrote 2 predictions (the weights of epoch 3)")
    out = pd.read_csv(tmp_path / "out.csv")
    np.testing.assert_allclose(out[["p(0)", "p(1)"]].to_numpy(),
                               probabilities(model, [[1, 2], [-4, 1.5]]), atol=1e-6)
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(tmp_path / "new.csv"))
    shown_errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text:
                        shown_errors.append(text))
    window.training.asking.action.trigger()
    assert shown_errors and "new.csv" in shown_errors[-1]  # never over its input


def test_before_any_training_the_row_says_how_to_get_an_answer(window, qtbot, plot):
    open_example(window, "xor")
    shown(window, qtbot, plot)
    row = window.training.ask_row
    row.field.setText("1, 1")
    row.ask()
    assert "Press play" in row.answer.text()


def test_the_function_dialog_says_what_the_engine_says(window, qtbot):
    from gui.panels.function_dialog import FunctionDialog

    dialog = FunctionDialog(window, None)
    qtbot.addWidget(dialog)
    assert dialog.ok.isEnabled() and dialog.formula.text() == "3 * sin(x1)"
    dialog.formula.setText("log(x1)")
    assert not dialog.ok.isEnabled() and "not a finite number at x1 = -6" in \
        dialog.error.text()
    dialog.formula.setText("sin(x2)")
    assert "unknown name 'x2'" in dialog.error.text()
    dialog.target.setChecked(True)
    assert dialog.ok.isEnabled() and "with the value sin(x2)" in dialog.about.text()
    dialog.accept()
    assert dialog.spec.target == "sin(x2)" and dialog.spec.boundary == ""


def test_choosing_classes_from_a_function_is_one_undo_step(window, qtbot, plot, monkeypatch):
    d = open_example(window, "xor")
    from gui.panels import function_dialog

    made = ge.DatasetSpec("function", boundary="abs(x1)", seed=4)
    monkeypatch.setattr(function_dialog, "choose_function", lambda parent, current: made)
    panel = window.training.data_panel
    panel._chosen(panel.choice.findData("function"))
    assert d.dataset == made and window.document.undo_stack.undoText() == \
        "Use data set function"
    shown(window, qtbot, plot)
    assert plot.data.info.description.startswith("Points over the plane: class 1 above")
    assert LEFT  # the helpers' button names stay in use
