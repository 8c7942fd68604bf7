"""Every check kind, passing and failing, graded in this process (no workers):
the verdicts, the points, the messages, hidden thresholds and hints. (The rule
for checks the untouched start passes is tested in test_start_earns_nothing.py;
here each check is ``given``, so it scores whenever it passes.)"""

from __future__ import annotations

import json

import pytest
from answers import SETTINGS, linear_only, solved
from nets import in_a_row

import graph_engine as ge
from graph_engine.classroom import exercise as ex
from graph_engine.classroom.grading import grade_steps
from graph_engine.model import fileio


def make_exercise(*checks: dict, start: ge.Diagram | None = None, locked=(),
                  dataset="xor") -> ex.Exercise:
    return ex.loads(json.dumps({
        "format": "netcanvas-exercise", "version": 1, "title": "T",
        "start": None if start is None else fileio.to_dict(start), "locked": list(locked),
        "dataset": {"name": dataset, "samples": 200}, "training": SETTINGS,
        "checks": list(checks)}))


def with_softmax() -> ge.Diagram:
    return in_a_row(("Input", {"features": 2}), ("Linear", {"out_features": 8}), ("ReLU", {}),
                 ("Linear", {"out_features": 2}), ("Softmax", {"dim": 1}),
                 ("CrossEntropyLoss", {}))


def fitting() -> ge.Diagram:
    """A curve for the polynomial data set."""
    return in_a_row(("Input", {"features": 1}), ("Linear", {"out_features": 16}), ("Tanh", {}),
                 ("Linear", {"out_features": 1}), ("MSELoss", {}))


def line() -> ge.Diagram:
    return in_a_row(("Input", {"features": 1}), ("Linear", {"out_features": 1}), ("MSELoss", {}))


def broken() -> ge.Diagram:
    d = linear_only()
    d.add("Linear", out_features=3)  # nothing feeds it: an error
    return d


def grade(exercise: ex.Exercise, diagram: ge.Diagram, tmp_path, plot: bool = False):
    path = tmp_path / "answer.json"
    ge.save(diagram, path)
    steps = list(grade_steps(exercise, str(path), plot))
    return steps[-1]


def only(result):
    assert len(result.checks) == 1
    return result.checks[0]


CASES = [
    ({"id": "c", "kind": "valid"}, solved, True, "the diagram has no errors"),
    ({"id": "c", "kind": "valid"}, broken, False, "[port-open]"),
    ({"id": "c", "kind": "no-warning", "code": "softmax-before-cross-entropy"}, solved, True,
     "no softmax-before-cross-entropy warning"),
    ({"id": "c", "kind": "no-warning", "code": "softmax-before-cross-entropy"}, with_softmax,
     False, "expects raw logits"),
    ({"id": "c", "kind": "test-accuracy", "min": 0.9}, solved, True, "(needed ≥ 90.0 %)"),
    ({"id": "c", "kind": "test-accuracy", "min": 0.9}, linear_only, False, "test accuracy"),
    ({"id": "c", "kind": "test-loss", "max": 0.3}, solved, True, "(needed ≤ 0.3)"),
    ({"id": "c", "kind": "test-loss", "max": 0.3}, linear_only, False, "test loss"),
    ({"id": "c", "kind": "max-parameters", "max": 50}, solved, True, "42 trainable parameters"),
    ({"id": "c", "kind": "max-parameters", "max": 5}, linear_only, False,
     "6 trainable parameters (needed ≤ 5)"),
    ({"id": "c", "kind": "uses-block", "type": "ReLU"}, solved, True, "1 ReLU block"),
    ({"id": "c", "kind": "uses-block", "type": "Linear", "min": 2}, linear_only, False,
     "1 Linear block (needed ≥ 2)"),
    ({"id": "c", "kind": "forbids-block", "type": "Softmax"}, solved, True, "no Softmax block"),
    ({"id": "c", "kind": "forbids-block", "type": "Softmax"}, with_softmax, False,
     "this exercise forbids Softmax"),
    ({"id": "c", "kind": "output-shape", "features": 2}, solved, True, "outputs 2 features"),
    ({"id": "c", "kind": "output-shape", "features": 3}, solved, False,
     "outputs 2 features (needed = 3)"),
    ({"id": "c", "kind": "test-f1", "min": 0.9}, solved, True, "test macro F1 "),
    ({"id": "c", "kind": "test-f1", "min": 0.9}, linear_only, False, "(needed ≥ 0.9)"),
    ({"id": "c", "kind": "test-r2", "min": 0.9}, fitting, True, "test R² 0.9"),
    ({"id": "c", "kind": "test-r2", "min": 0.5}, line, False, "(needed ≥ 0.5)"),
    ({"id": "c", "kind": "test-rmse", "max": 1.0}, fitting, True, "test RMSE "),
    ({"id": "c", "kind": "test-rmse", "max": 1.0}, line, False, "(needed ≤ 1)"),
]


@pytest.mark.parametrize(("check", "diagram", "passes", "message"), CASES,
                         ids=[f"{c['kind']}-{'pass' if p else 'fail'}" for c, _, p, _ in CASES])
def test_each_check_kind_passes_and_fails(check, diagram, passes, message, tmp_path):
    dataset = "polynomial" if check["kind"] in ("test-r2", "test-rmse") else "xor"
    result = grade(make_exercise({**check, "points": 2, "given": True}, dataset=dataset),
                   diagram(), tmp_path)
    mark = only(result)
    assert mark.passed is passes, mark.message
    assert mark.points == (2 if passes else 0) and result.score == mark.points
    assert message in mark.message


def locked_exercise() -> ex.Exercise:
    start = linear_only()
    return make_exercise({"id": "c", "kind": "locked-unchanged"}, start=start,
                         locked=("input1", "crossentropyloss1"))


def test_locked_blocks_kept_pass(tmp_path):
    exercise = locked_exercise()
    answer = fileio.loads(fileio.dumps(exercise.start))
    answer.add("Linear", out_features=4)  # more blocks are fine
    assert only(grade(exercise, answer, tmp_path)).passed


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.remove("crossentropyloss1"), "'crossentropyloss1' was deleted"),
    (lambda d: d.set_params("input1", features=3), "'input1' has other parameters"),
])
def test_a_deleted_or_edited_locked_block_fails(change, message, tmp_path):
    exercise = locked_exercise()
    answer = fileio.loads(fileio.dumps(exercise.start))
    change(answer)
    mark = only(grade(exercise, answer, tmp_path))
    assert not mark.passed and message in mark.message


def test_a_locked_block_replaced_by_another_type_fails(tmp_path):
    exercise = locked_exercise()
    answer = fileio.to_dict(exercise.start)
    answer["blocks"][2].update(type="MSELoss", params={})
    (tmp_path / "answer.json").write_text(json.dumps(answer))
    mark = list(grade_steps(exercise, str(tmp_path / "answer.json")))[-1].checks[0]
    assert not mark.passed and "is a MSELoss, not a CrossEntropyLoss" in mark.message


def test_a_hidden_threshold_is_left_out_and_a_hint_added_on_failure(tmp_path):
    exercise = make_exercise({"id": "acc", "kind": "test-accuracy", "min": 0.99,
                              "hidden": True, "hint": "add a hidden layer"})
    mark = only(grade(exercise, linear_only(), tmp_path))
    assert not mark.passed
    assert "0.99" not in mark.message and "99" not in mark.message and "needed" not in mark.message
    assert mark.message.endswith("Hint: add a hidden layer")


def test_a_diagram_with_errors_scores_its_structure_and_says_why_nothing_ran(tmp_path):
    exercise = make_exercise({"id": "v", "kind": "valid"},
                             {"id": "t", "kind": "uses-block", "type": "Linear", "min": 2},
                             {"id": "a", "kind": "test-accuracy", "min": 0.5},
                             {"id": "p", "kind": "max-parameters", "max": 100})
    result = grade(exercise, broken(), tmp_path)
    marks = {c.id: c for c in result.checks}
    assert result.error.startswith("the diagram has errors: ")
    assert marks["t"].passed and result.score == 1
    assert marks["a"].message == marks["p"].message == "not run: the diagram has errors"


def test_grading_uses_the_exercise_data_set_and_settings_not_the_file(tmp_path):
    exercise = make_exercise({"id": "a", "kind": "test-accuracy", "min": 0.9})
    diagram = solved()
    diagram.dataset = "circle"
    diagram.training = ge.TrainingSettings(epochs=1, lr=1e-7)
    mark = only(grade(exercise, diagram, tmp_path))
    assert mark.passed and "after 15 epochs" in mark.message


def test_a_partial_result_comes_first_with_the_checks_that_need_no_network(tmp_path):
    exercise = make_exercise({"id": "v", "kind": "valid"},
                             {"id": "a", "kind": "test-accuracy", "min": 0.5})
    path = tmp_path / "answer.json"
    ge.save(solved(), path)
    steps = grade_steps(exercise, str(path))
    first = next(steps)
    assert [c.id for c in first.checks] == ["v"]
    assert [c.id for c in list(steps)[-1].checks] == ["v", "a"]


def test_an_unreadable_file_scores_zero_with_its_reason(tmp_path):
    exercise = make_exercise({"id": "v", "kind": "valid"})
    (tmp_path / "x.json").write_text("{oops")
    result = list(grade_steps(exercise, str(tmp_path / "x.json")))[-1]
    assert result.score == 0 and result.error.startswith("unreadable: not valid JSON")
    assert result.checks[0].message == "not run: the file cannot be read"


def test_a_diverging_network_fails_its_trained_checks_with_the_reason(tmp_path):
    exercise = ex.loads(json.dumps({
        "format": "netcanvas-exercise", "version": 1, "title": "T", "dataset": "polynomial",
        "training": {"optimizer": "sgd", "lr": 1e5, "epochs": 5},
        "checks": [{"id": "l", "kind": "test-loss", "max": 1.0}]}))
    d = in_a_row(("Input", {"features": 1}), ("Linear", {"out_features": 1}), ("MSELoss", {}))
    result = grade(exercise, d, tmp_path)
    assert result.error.startswith("training diverged: the loss became infinite or NaN")
    assert result.checks[0].message.startswith("not run: training diverged")


@pytest.mark.parametrize(("diagram", "dataset", "kind"), [
    (solved, "xor", "boundary"),
    (lambda: in_a_row(("Input", {"features": 1}), ("Linear", {"out_features": 4}), ("Tanh", {}),
                   ("Linear", {"out_features": 1}), ("MSELoss", {})), "polynomial", "curve"),
])
def test_the_thumbnail_data_is_small_json(diagram, dataset, kind, tmp_path):
    exercise = make_exercise({"id": "v", "kind": "valid"}, dataset=dataset)
    result = grade(exercise, diagram(), tmp_path, plot=True)
    assert result.plot["kind"] == kind
    assert len(json.dumps(result.plot)) < 20_000


def test_a_data_set_without_an_input_plane_grades_without_a_thumbnail(tmp_path):
    """Iris has four inputs: the editor shows a projection, a report no thumbnail."""
    exercise = make_exercise({"id": "v", "kind": "valid"},
                             {"id": "acc", "kind": "test-accuracy", "min": 0.0}, dataset="iris")
    iris = in_a_row(("Input", {"features": 4}), ("Linear", {"out_features": 3}),
                 ("CrossEntropyLoss", {}))
    result = grade(exercise, iris, tmp_path, plot=True)
    assert result.error is None and result.plot is None
    assert [c.passed for c in result.checks] == [True, True]


def test_a_network_met_again_is_not_trained_again_and_scores_the_same(tmp_path, monkeypatch):
    from graph_engine.classroom import network

    exercise = make_exercise({"id": "a", "kind": "test-accuracy", "min": 0.9},
                             {"id": "p", "kind": "max-parameters", "max": 100})
    runs = []
    real_run = network._run
    monkeypatch.setattr(network, "_run", lambda *args: runs.append(1) or real_run(*args))
    cache = network.NetworkCache()
    first, second = solved(), solved()
    for block in second.blocks:  # other names and places: the same network
        second.rename(block.id, f"my {block.id}")
        second.move(block.id, 100.0, 50.0)
    results = []
    for index, diagram in enumerate((first, second, linear_only())):
        path = tmp_path / f"{index}.json"
        ge.save(diagram, path)
        results.append(list(grade_steps(exercise, str(path), cache=cache))[-1])
    assert len(runs) == 2
    assert [c.as_dict() for c in results[0].checks] == [c.as_dict() for c in results[1].checks]
    assert results[2].score < results[0].score
