"""Exercises in the editor: a student opens one, works under its locks, checks the
work and saves an answer; a teacher saves a diagram as an exercise."""

from __future__ import annotations

import json

import pytest
from guihelpers import click

import resources
from graph_engine.classroom import exercise as exercises
from graph_engine.model.parts import Wire
from gui import dialogs
from gui.classroom.authoring import ExerciseDialog
from gui.document import commands

EXERCISES = resources.EXERCISES


def open_exercise(window, qtbot, name: str):
    assert window.exercises.open_path(str(EXERCISES / f"{name}.json"), ask=False)
    qtbot.wait(20)
    return window.document.diagram


def wire_midpoint(window, wire):
    item = window.scene.wires[wire]
    return item.mapToScene(item.path().pointAtPercent(0.5))


def refused(window) -> str:
    """The refusal the student sees over the canvas."""
    return window.note.text() if window.note.isVisible() else ""


def test_open_exercise_shows_the_task_and_locks_its_blocks(window, qtbot):
    diagram = open_exercise(window, qtbot, "xor-hidden-layer")
    dock = window.exercises.dock
    assert dock.isVisible()
    task = window.exercises.panel.task.toPlainText()
    assert task.startswith("XOR with one hidden layer")
    assert "no hidden layer" in task and "#" not in task.splitlines()[0]  # rendered Markdown
    assert window.document.path == ""  # saving asks where: the exercise is never overwritten
    assert diagram.exercise == "XOR with one hidden layer"
    locked = {b for b, item in window.scene.blocks.items() if item.locked}
    assert locked == {"xor-input", "xor-loss"}
    assert window.exercises.check_action.isEnabled()


def test_a_locked_block_refuses_delete_edit_and_rename(window, qtbot):
    diagram = open_exercise(window, qtbot, "xor-hidden-layer")
    stack = window.document.undo_stack
    window.scene.select_blocks(["xor-input"])
    window.actions_by_name["delete"].trigger()
    assert "xor-input" in diagram and stack.count() == 0
    assert "Input 1 is locked by the exercise" in refused(window)

    inspector = window.inspector
    assert inspector.block_id == "xor-input"
    assert not any(e.widget.isEnabled() for e in inspector.editors.values())
    assert inspector._name_field().isReadOnly()
    inspector._set_param("features", 3)
    assert diagram.block("xor-input").params["features"] == 2
    assert "its settings cannot be changed" in inspector.error.text()
    inspector._rename("Features")
    assert diagram.block("xor-input").name == "Input 1" and stack.count() == 0

    window.scene.select_blocks(["linear1"])  # the student's own block is free
    window.actions_by_name["delete"].trigger()
    assert "linear1" not in diagram and stack.count() == 1


def test_a_wire_between_locked_blocks_cannot_be_rewired(window, qtbot):
    diagram = open_exercise(window, qtbot, "fix-softmax")
    fixed = Wire("softmax-input", "output", "softmax-hidden", "input")
    count = len(diagram.blocks)
    window.edit.insert_block("ReLU", fixed)
    assert diagram.has_wire(fixed) and len(diagram.blocks) == count
    assert "wire from Input 1 to Linear 1 is locked" in refused(window)
    window.scene.clearSelection()
    click(window.view, wire_midpoint(window, fixed))
    window.actions_by_name["delete"].trigger()
    assert diagram.has_wire(fixed)
    free = next(w for w in diagram.wires if w.dst == "softmax1")  # to the student's block
    window.edit.attempt(lambda: commands.RemoveItems(diagram, [], [free]))
    assert not diagram.has_wire(free)


def test_the_exercise_fixes_the_data_set_and_the_settings_but_not_the_pace(window, qtbot):
    diagram = open_exercise(window, qtbot, "xor-hidden-layer")
    dataset, training = diagram.dataset, diagram.training
    data = window.training.data_panel
    data.apply(dataset.with_(samples=dataset.samples * 2))
    assert diagram.dataset == dataset and "data set is fixed" in data.error.text()
    window.training.toolbar._change("lr", training.lr * 10)
    assert diagram.training.lr == training.lr
    assert "training settings are fixed" in refused(window)
    commands.set_training(window.document, "pace", 50.0)
    assert diagram.training.pace == 50.0


def test_check_my_work_lists_every_check_with_its_points(window, qtbot):
    open_exercise(window, qtbot, "xor-hidden-layer")
    panel = window.exercises.panel
    window.exercises.check_action.trigger()
    assert not panel.check_button.isEnabled() and panel.status.text().startswith("Checking")
    qtbot.waitUntil(lambda: panel.check_button.isEnabled(), timeout=60_000)
    task = exercises.load(EXERCISES / "xor-hidden-layer.json")
    assert panel.table.rowCount() == len(task.checks)
    rows = {panel.table.item(r, 1).text(): (panel.table.item(r, 0).text(),
                                            panel.table.item(r, 2).text())
            for r in range(panel.table.rowCount())}
    assert rows["valid"] == ("✓", "0 / 1")  # the untouched start passes it too
    assert rows["hidden-layer"][0] == "✗"
    assert panel.score.text() == "Score 0 / 9"  # doing nothing earns nothing
    window.scene.select_blocks(["linear1"])
    window.actions_by_name["delete"].trigger()
    qtbot.waitUntil(lambda: panel.status.text().startswith("These marks"), timeout=5000)


def test_a_saved_answer_reopens_under_its_exercise(window, qtbot, tmp_path, monkeypatch):
    open_exercise(window, qtbot, "xor-hidden-layer")
    window.edit.add_block("ReLU")
    path = tmp_path / "answer.json"
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(path))
    assert window.files.save()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["exercise"] == "XOR with one hidden layer" and saved["format"] == \
        "netcanvas-diagram"
    window.files.new()
    assert not window.exercises.dock.isVisible()
    assert window.files.open_path(str(path), ask=False)
    assert window.exercises.dock.isVisible()
    assert window.document.diagram.locks.blocks == {"xor-input", "xor-loss"}
    assert len(window.document.diagram.blocks) == 4


def test_an_answer_to_an_unknown_exercise_says_how_to_get_its_task(window, qtbot, tmp_path):
    diagram = exercises.load(EXERCISES / "xor-hidden-layer.json").student_diagram()
    diagram.exercise = "An exercise never opened here"
    path = tmp_path / "answer.json"
    from graph_engine import save

    save(diagram, path)
    assert window.files.open_path(str(path), ask=False)
    assert not window.exercises.dock.isVisible()
    assert "File → Open Exercise" in refused(window)
    assert not window.document.diagram.locks.any


@pytest.fixture
def xor(window, qtbot):
    assert window.files.open_path(str(resources.EXAMPLES / "xor.json"), ask=False)
    return window.document.diagram


def test_save_as_exercise_writes_what_open_exercise_reads(window, qtbot, xor, tmp_path,
                                                          monkeypatch):
    window.scene.select_blocks(["input1", "crossentropyloss1"])
    seen = {}

    def fill(dialog: ExerciseDialog) -> bool:
        seen["locked"] = dialog.locked_ids()
        dialog.title.setText("Solve XOR")
        dialog.task.setPlainText("## Solve XOR\n\nAdd a hidden layer.")
        dialog.add_check("uses-block")
        dialog.accept()
        return dialog.result_exercise is not None

    path = tmp_path / "solve-xor.json"
    monkeypatch.setattr(dialogs, "run_dialog", fill)
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(path))
    window.exercises.save_action.trigger()
    assert seen["locked"] == ["input1", "crossentropyloss1"]  # the canvas's selection
    made = exercises.load(path)
    # the locked blocks carry the exercise's own ids: an answer made from the example lacks them
    locked = ("solve-xor-input1", "solve-xor-crossentropyloss1")
    assert made.title == "Solve XOR" and made.locked == locked
    assert [c.kind for c in made.checks] == ["valid", "test-accuracy", "locked-unchanged",
                                             "uses-block"]
    assert {b.id for b in made.start.blocks} == set(locked)
    assert window.exercises.open_path(str(path), ask=False)
    assert len(window.document.diagram.blocks) == 2


def test_the_start_never_carries_the_solutions_texts(window, qtbot, xor):
    """The solution's title, description and notes stay out of what students get;
    the teacher writes the start's own title and description."""
    xor.title, xor.description = "SOLUTION: 8 ReLU units", "answer: add Linear(8) + ReLU"
    xor.add_note("the trick: ReLU between the layers")
    dialog = ExerciseDialog(xor, ["input1"], None, window)
    assert dialog.task.toPlainText() == ""  # the task is the teacher's to write
    dialog.title.setText("Solve XOR")
    dialog.start.setCurrentIndex(dialog.start.findData("whole"))
    dialog.start_title.setText("XOR: your start")
    dialog.start_description.setPlainText("Add what is missing.")
    dialog.accept()
    made = dialog.result_exercise
    assert made.start.title == "XOR: your start"
    assert made.start.description == "Add what is missing." and made.start.notes == []
    assert "SOLUTION" not in exercises.dumps(made) and "trick" not in exercises.dumps(made)
    dialog.deleteLater()


def test_a_regression_exercise_is_offered_regression_checks(window, qtbot):
    assert window.files.open_path(str(resources.EXAMPLES / "polynomial-mlp.json"), ask=False)
    dialog = ExerciseDialog(window.document.diagram, [], {"test_r2": 0.97, "test_rmse": 0.4},
                            window)
    offered = {dialog.rows[i].base.kind for i in range(len(dialog.rows))}
    assert offered == {"valid", "test-r2"}
    kinds = dialog.kind_box
    names = [kinds.itemData(i) for i in range(kinds.count())]
    assert "test-rmse" in names and "test-accuracy" not in names and "test-f1" not in names
    assert dialog.rows[1].check().min == 0.94
    dialog.deleteLater()


def test_a_bad_exercise_is_explained_in_the_dialog_and_nothing_is_written(window, qtbot,
                                                                          xor):
    dialog = ExerciseDialog(xor, ["input1"], None, window)
    dialog.start.setCurrentIndex(dialog.start.findData("empty"))
    dialog.accept()
    assert dialog.result_exercise is None
    assert "empty starting canvas cannot have locked blocks" in dialog.error.text()
    dialog.deleteLater()


def test_the_suggested_exercise_file_name_is_one_windows_takes(window, qtbot, xor,
                                                               monkeypatch):
    offered = []

    def fill(dialog: ExerciseDialog) -> bool:
        dialog.title.setText("Lesson 3: XOR?")
        dialog.accept()
        return dialog.result_exercise is not None

    monkeypatch.setattr(dialogs, "run_dialog", fill)
    monkeypatch.setattr(dialogs, "save_path",
                        lambda parent, title, suggestion, *a: offered.append(suggestion) or "")
    window.exercises.save_action.trigger()
    (suggestion,) = offered
    assert suggestion == "lesson-3--xor--exercise.json"
    from gui.editor.file_actions import _suggested_name

    xor.title = "Week 2: a *first* net?"  # Save As of an untitled diagram: the same rule
    assert _suggested_name(xor) == "week-2--a--first--net-.json"
