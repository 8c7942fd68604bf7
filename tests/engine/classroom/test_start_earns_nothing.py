"""Doing nothing earns nothing: a check the untouched start already passes scores
only alongside a check the start fails, unless the exercise marks it given; a
check that needs a trained network is not passed when the network did not train."""

from __future__ import annotations

import json

import pytest
from answers import SETTINGS, linear_only, solved
from nets import in_a_row
from paths import EXERCISES

import graph_engine as ge
from graph_engine.classroom import exercise as ex
from graph_engine.classroom.grading import FREE_NOTE, grade_diagram_steps, start_passes
from graph_engine.model import fileio

SHIPPED = sorted(EXERCISES.glob("*.json"))


def graded(exercise: ex.Exercise, diagram: ge.Diagram):
    *_, result = grade_diagram_steps(exercise, diagram)
    return result, {c.id: c for c in result.checks}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_untouched_start_of_every_shipped_exercise_scores_nothing(path):
    exercise = ex.load(path)
    result, marks = graded(exercise, exercise.student_diagram())
    assert result.score == 0, result.checks
    assert any(c.passed for c in marks.values())  # it passes some, and they say why 0
    assert all(FREE_NOTE in c.message for c in marks.values() if c.passed)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_an_empty_diagram_scores_nothing(path):
    exercise = ex.load(path)
    result, _ = graded(exercise, ge.Diagram())
    assert result.score == 0 and result.error.startswith("the diagram has errors")


def exercise_with(*checks: dict, start: ge.Diagram | None) -> ex.Exercise:
    return ex.loads(json.dumps({
        "format": "netcanvas-exercise", "version": 1, "title": "T",
        "start": None if start is None else fileio.to_dict(start),
        "dataset": {"name": "xor", "samples": 200}, "training": SETTINGS,
        "checks": list(checks)}))


VALID = {"id": "valid", "kind": "valid", "points": 1}
NO_SOFTMAX = {"id": "clean", "kind": "no-warning", "code": "softmax-before-cross-entropy",
              "points": 2}
ACCURACY = {"id": "acc", "kind": "test-accuracy", "min": 0.9, "points": 3}


def test_checks_the_start_passes_count_alongside_one_it_fails():
    exercise = exercise_with(VALID, NO_SOFTMAX, ACCURACY, start=linear_only())
    assert start_passes(exercise) == {"valid", "clean"}
    result, marks = graded(exercise, solved())
    assert result.score == 6 and all(FREE_NOTE not in c.message for c in marks.values())


def test_a_start_handed_back_with_a_change_that_earns_nothing_scores_nothing():
    exercise = exercise_with(VALID, NO_SOFTMAX, ACCURACY, start=linear_only())
    answer = linear_only()
    answer.rename("linear1", "my layer")
    answer.move("linear1", 300.0, 40.0)
    result, marks = graded(exercise, answer)
    assert result.score == 0 and marks["valid"].passed and marks["clean"].passed


def test_a_given_check_scores_even_for_the_untouched_start():
    exercise = exercise_with({**VALID, "given": True}, NO_SOFTMAX, ACCURACY,
                             start=linear_only())
    assert start_passes(exercise) == {"valid", "clean"}
    result, marks = graded(exercise, linear_only())
    assert marks["valid"].points == 1 and marks["clean"].points == 0 and result.score == 1
    assert ex.loads(ex.dumps(exercise)).checks[0].given  # written and read back


def test_no_warning_checks_pass_only_a_diagram_without_errors():
    """An empty canvas has nothing to warn about, and no merit either: a no-warning
    check needs a network (an empty answer used to score 2 of 9 on XOR)."""
    exercise = exercise_with(VALID, NO_SOFTMAX, ACCURACY, start=None)
    assert start_passes(exercise) == frozenset()
    result, marks = graded(exercise, ge.Diagram())
    assert result.score == 0
    assert marks["clean"].message == "not run: the diagram has errors"
    result, _ = graded(exercise, solved())
    assert result.score == 6


def test_a_network_that_did_not_train_passes_no_trained_check():
    exercise = ex.loads(json.dumps({
        "format": "netcanvas-exercise", "version": 1, "title": "T", "dataset": "polynomial",
        "training": {"optimizer": "sgd", "lr": 1e5, "epochs": 5},
        "checks": [{"id": k, "kind": k, field: value, "given": True} for k, field, value in
                   (("test-loss", "max", 1e12), ("test-rmse", "max", 1e30),
                    ("test-r2", "min", -1.0))]}))
    line = in_a_row(("Input", {"features": 1}), ("Linear", {"out_features": 1}), ("MSELoss", {}))
    result, marks = graded(exercise, line)
    assert result.score == 0 and result.error.startswith("training diverged")
    assert all(c.message.startswith("not run: training diverged") for c in marks.values())
