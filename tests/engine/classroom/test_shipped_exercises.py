"""The exercises in resources/exercises/: a correct answer earns every point, the
starting diagram (the mistake the task is about) and other wrong answers do not."""

from __future__ import annotations

from answers import insert_hidden
from paths import EXERCISES

import graph_engine as ge
from graph_engine.classroom import exercise as ex
from graph_engine.classroom.grading import grade_steps
from graph_engine.model import fileio


def start(name: str) -> tuple[ex.Exercise, ge.Diagram]:
    """The exercise and a copy of its start diagram, as the student opens it."""
    exercise = ex.load(EXERCISES / f"{name}.json")
    assert exercise.start is not None
    return exercise, fileio.loads(fileio.dumps(exercise.start))


def graded(exercise: ex.Exercise, diagram: ge.Diagram, tmp_path):
    path = tmp_path / "answer.json"
    ge.save(diagram, path)
    result = list(grade_steps(exercise, str(path)))[-1]
    return result, {c.id: c.passed for c in result.checks}


def test_xor_with_a_hidden_layer(tmp_path):
    exercise, diagram = start("xor-hidden-layer")
    result, marks = graded(exercise, diagram, tmp_path)
    assert not marks["accuracy"] and not marks["hidden-layer"] and result.score < 5
    insert_hidden(diagram, "xor-input", "linear1", 8, "ReLU")
    result, marks = graded(exercise, diagram, tmp_path)
    assert result.score == exercise.max_score, result.checks


def test_xor_with_two_stacked_linear_layers_is_not_a_hidden_layer(tmp_path):
    exercise, diagram = start("xor-hidden-layer")
    insert_hidden(diagram, "xor-input", "linear1", 8, "Identity")
    _result, marks = graded(exercise, diagram, tmp_path)
    assert marks["hidden-layer"] and not marks["activation"] and not marks["accuracy"]


def test_xor_with_a_changed_loss_loses_the_locked_points(tmp_path):
    exercise, diagram = start("xor-hidden-layer")
    insert_hidden(diagram, "xor-input", "linear1", 8, "Tanh")
    diagram.set_params("xor-loss", label_smoothing=0.1)
    _result, marks = graded(exercise, diagram, tmp_path)
    assert marks["accuracy"] and not marks["locked"]


def test_fix_the_softmax(tmp_path):
    exercise, diagram = start("fix-softmax")
    result, marks = graded(exercise, diagram, tmp_path)
    assert not marks["no-softmax"] and not marks["loss"] and not marks["accuracy"]
    assert marks["valid"] and marks["locked"]
    diagram.remove("softmax1")
    diagram.connect("linear2", "softmax-loss")
    result, marks = graded(exercise, diagram, tmp_path)
    assert result.score == exercise.max_score, result.checks


def test_fixing_the_softmax_by_deleting_the_output_layer_fails_the_shape(tmp_path):
    exercise, diagram = start("fix-softmax")
    diagram.remove("softmax1")
    diagram.remove("linear2")
    diagram.connect("relu1", "softmax-loss")
    _result, marks = graded(exercise, diagram, tmp_path)
    assert not marks["outputs"]


def test_polynomial_on_a_budget(tmp_path):
    exercise, diagram = start("polynomial-budget")
    result, marks = graded(exercise, diagram, tmp_path)
    assert not marks["fit"] and marks["budget"]
    insert_hidden(diagram, "poly-input", "linear1", 6, "Tanh")  # 3 * 6 + 1 = 19 parameters
    result, marks = graded(exercise, diagram, tmp_path)
    assert result.score == exercise.max_score, result.checks


def test_polynomial_over_the_budget_fits_but_loses_the_budget_points(tmp_path):
    exercise, diagram = start("polynomial-budget")
    insert_hidden(diagram, "poly-input", "linear1", 16, "Tanh")  # 49 parameters
    _result, marks = graded(exercise, diagram, tmp_path)
    assert marks["fit"] and not marks["budget"]
