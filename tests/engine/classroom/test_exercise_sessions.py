"""What an exercise fixes while a student works, how a teacher makes one from a
diagram, and "Check my work" in the training process."""

from __future__ import annotations

import json

import pytest
from worker import Worker

import resources
from graph_engine import load
from graph_engine.classroom import exercise as exercises
from graph_engine.classroom.authoring import (
    Start,
    fitting_kinds,
    make_exercise,
    suggested_check,
)
from graph_engine.classroom.grading import grade_diagram_steps, grade_steps
from graph_engine.model.fileio import DiagramFileError, dumps, loads
from graph_engine.model.locks import NO_LOCKS, LockedError
from graph_engine.model.parts import Wire

EXERCISES = resources.EXERCISES


def exercise(name: str):
    return exercises.load(EXERCISES / f"{name}.json")


# ------------------------------------------------------------------ locks
def test_the_student_diagram_answers_the_exercise_under_its_locks():
    task = exercise("xor-hidden-layer")
    diagram = task.student_diagram()
    assert diagram.exercise == task.title
    assert diagram.dataset == task.dataset and diagram.training == task.training
    assert diagram.locks.blocks == set(task.locked)
    assert diagram.locks.dataset and diagram.locks.training
    assert task.start.locks is NO_LOCKS  # the exercise's own start diagram stays free


def test_only_wires_between_two_locked_blocks_are_locked():
    """The task is often to put layers between fixed ends: a wire from a locked
    block to one the student may change can move."""
    locks = exercise("fix-softmax").locks()
    assert locks.wires == {Wire("softmax-input", "output", "softmax-hidden", "input")}
    assert exercise("xor-hidden-layer").locks().wires == set()


def test_locks_refuse_with_what_and_why():
    diagram = exercise("fix-softmax").student_diagram()
    names = {b.id: b.name for b in diagram.blocks}
    locks = diagram.locks
    with pytest.raises(LockedError, match=r"Input 1 is locked by the exercise .*cannot be "
                                          "deleted"):
        locks.check_remove(names, ["softmax1", "softmax-input"])
    with pytest.raises(LockedError, match="wire from Input 1 to Linear 1 is locked"):
        locks.check_remove(names, [], [Wire("softmax-input", "output", "softmax-hidden", "input")])
    with pytest.raises(LockedError, match=r"Linear 1 is locked .*settings cannot be changed"):
        locks.check_edit("softmax-hidden", "Linear 1")
    with pytest.raises(LockedError, match="data set is fixed"):
        locks.check_dataset()
    training = diagram.training
    with pytest.raises(LockedError, match=r"\(lr cannot change\)"):
        locks.check_training(training, training.with_(lr=training.lr * 2))
    locks.check_remove(names, ["softmax1"])  # the student's own blocks are free
    locks.check_edit("softmax1", "Softmax 1")
    locks.check_training(training, training.with_(pace=50.0))  # how fast it is shown


def test_a_saved_answer_holds_no_locks_but_names_its_exercise():
    diagram = exercise("xor-hidden-layer").student_diagram()
    again = loads(dumps(diagram))
    assert again.locks is NO_LOCKS
    assert again.exercise == "XOR with one hidden layer"
    assert json.loads(dumps(diagram))["exercise"] == "XOR with one hidden layer"


# ------------------------------------------------------------------ authoring
@pytest.fixture
def xor():
    return load(resources.EXAMPLES / "xor.json")


def test_every_check_kind_gets_a_threshold_the_exercise_accepts(xor):
    metrics = {"epoch": 20, "test_accuracy": 0.987, "test_loss": 0.0734}
    fitting = [kind.name for kind in fitting_kinds(xor)]
    assert "test-accuracy" in fitting and "test-r2" not in fitting
    checks = [suggested_check(kind, xor, metrics) for kind in fitting]
    made = make_exercise(xor, "Solve XOR", "Add a hidden layer.", ["input1"], checks)
    by_kind = {c.kind: c for c in made.checks}
    assert set(by_kind) == set(fitting)
    assert by_kind["test-accuracy"].min == pytest.approx(0.95)
    assert by_kind["test-loss"].max == pytest.approx(0.12)
    assert by_kind["max-parameters"].max == 82  # 2·16+16 + 16·2+2
    assert by_kind["output-shape"].features == 2
    assert by_kind["uses-block"].type == "ReLU"  # the diagram's activation


def test_without_a_run_the_thresholds_are_plain_defaults(xor):
    assert suggested_check("test-accuracy", xor).min == 0.9
    assert suggested_check("test-loss", xor, {"test_loss": float("nan")}).max == 0.1


@pytest.mark.parametrize("start, blocks", [(Start.WHOLE, 5), (Start.LOCKED, 2),
                                           (Start.EMPTY, None)])
def test_the_start_diagram_is_cut_as_chosen(xor, start, blocks):
    locked = [] if start == Start.EMPTY else ["input1", "crossentropyloss1"]
    made = make_exercise(xor, "Solve XOR", "", locked, [suggested_check("valid", xor)], start)
    if blocks is None:
        assert made.start is None
        return
    assert len(made.start.blocks) == blocks
    assert made.start.exercise == ""
    assert made.dataset == xor.dataset and made.training == xor.training


def test_a_made_exercise_saves_and_loads_as_itself(xor, tmp_path):
    checks = [suggested_check(k, xor) for k in ("valid", "uses-block", "uses-block")]
    made = make_exercise(xor, "Solve XOR", "# Task\n\nAdd a layer.", ["input1"], checks)
    assert [c.id for c in made.checks] == ["valid", "uses-block", "uses-block-2"]
    path = tmp_path / "solve-xor.json"
    exercises.save(made, path)
    assert exercises.dumps(exercises.load(path)) == exercises.dumps(made)


def test_what_cannot_be_an_exercise_is_refused_before_anything_is_written(xor):
    valid = [suggested_check("valid", xor)]
    with pytest.raises(DiagramFileError, match="empty starting canvas cannot have locked"):
        make_exercise(xor, "Solve XOR", "", ["input1"], valid, Start.EMPTY)
    with pytest.raises(DiagramFileError, match="at least one check"):
        make_exercise(xor, "Solve XOR", "", [], [])
    xor.dataset = None
    with pytest.raises(DiagramFileError, match="no data set"):
        make_exercise(xor, "Solve XOR", "", [], valid)


# ------------------------------------------------------------------ checking
def test_a_diagram_on_screen_grades_as_its_saved_file_does(tmp_path):
    task = exercise("xor-hidden-layer")
    solution = load(resources.EXAMPLES / "xor.json")
    path = tmp_path / "answer.json"
    path.write_text(dumps(solution), encoding="utf-8")
    *_, from_file = grade_steps(task, str(path))
    *_, on_screen = grade_diagram_steps(task, solution, str(path))
    assert [c.as_dict() for c in on_screen.checks] == [c.as_dict() for c in from_file.checks]
    assert on_screen.score == from_file.score


def test_check_my_work_answers_through_the_training_process():
    task = exercise("xor-hidden-layer")
    worker = Worker()
    worker.command(cmd="check", exercise=exercises.dumps(task),
                   diagram=dumps(task.student_diagram()), request=7)
    (reply,) = worker.of_type("checked")
    assert reply["request"] == 7
    result = reply["result"]
    assert result["max_score"] == task.max_score
    assert [c["id"] for c in result["checks"]] == [c.id for c in task.checks]
    marks = {c["id"]: c["passed"] for c in result["checks"]}
    assert marks["valid"] and not marks["hidden-layer"] and not marks["accuracy"]


def test_check_my_work_always_gets_an_answer():
    task = exercise("xor-hidden-layer")
    worker = Worker()
    worker.command(cmd="check", exercise="{not json", diagram="{}", request=1)
    worker.command(cmd="check", exercise=exercises.dumps(task), diagram="[]", request=2)
    first, second = (m["result"] for m in worker.of_type("checked"))
    assert first["error"].startswith("the exercise cannot be read")
    assert second["error"].startswith("unreadable") and second["score"] == 0
