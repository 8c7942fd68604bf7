"""Points drawn by hand and classes from a function: the two data sets a teacher makes.

Their classes are checked against the formula computed independently (math, not the
formula parser); their file records round-trip; hostile records are refused on
reading with the key named; validation says what is wrong with a formula that is
not finite over the plane or leaves one class.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import graph_engine as ge
from graph_engine.data import datasets
from graph_engine.data.drawn import MAX_POINTS, point_hash, training_points
from graph_engine.data.spec import DatasetSpec

XOR_CORNERS = [[-3.0, -3.0, 1], [3.0, 3.0, 1], [-3.0, 3.0, 0], [3.0, -3.0, 0]]


def document(dataset) -> dict:
    return {"format": "netcanvas-diagram", "version": 1, "blocks": [], "wires": [],
            "dataset": dataset}


def read(tmp_path, dataset) -> ge.Diagram:
    path = tmp_path / "net.json"
    path.write_text(json.dumps(document(dataset)), encoding="utf-8")
    return ge.load(path)


def small_net(outputs: int = 2, loss: str = "CrossEntropyLoss") -> ge.Diagram:
    d = ge.Diagram()
    x, h = d.add("Input", features=2), d.add("Linear", out_features=8)
    d.connect(x, h)
    d.connect(h, a := d.add("Tanh"))
    d.connect(a, o := d.add("Linear", out_features=outputs))
    d.connect(o, d.add(loss))
    return d


# ------------------------------------------------------------------ points

def test_drawn_points_are_the_data_set_in_the_files_form(tmp_path):
    d = read(tmp_path, {"name": "points", "points": XOR_CORNERS, "train_ratio": 0.5,
                        "seed": 4})
    assert d.dataset.points == tuple(tuple(p) for p in XOR_CORNERS)
    ge.save(d, tmp_path / "again.json")
    written = json.loads((tmp_path / "again.json").read_text())["dataset"]
    assert written == {"name": "points", "train_ratio": 0.5, "seed": 4, "points": XOR_CORNERS}
    data = datasets.load(d.dataset)
    assert data.info.classes == 2 and data.bounds == (-6.0, 6.0, -6.0, 6.0)
    rows = sorted([*zip(map(tuple, data.x_all.tolist()), data.y_all.tolist(), strict=True)])
    assert rows == sorted(((p[0], p[1]), p[2]) for p in XOR_CORNERS)


def test_regression_points_say_so_and_keep_their_values(tmp_path):
    points = [[0.0, 0.0, 0.25], [1.0, -2.0, -1.5], [2.0, 5.5, 3.0]]
    d = read(tmp_path, {"name": "points", "points": points, "task": "regression"})
    data = datasets.load(d.dataset)
    assert not data.info.is_classification
    assert sorted(data.y_all[:, 0].tolist()) == [-1.5, 0.25, 3.0]
    assert d.dataset.to_dict()["task"] == "regression"


def test_a_drawn_point_never_moves_another_between_training_and_test():
    rng = np.random.default_rng(0)
    table = np.column_stack([rng.uniform(-6, 6, (300, 2)), rng.integers(0, 2, 300)])
    before = training_points(table, 7, 0.5)
    more = np.vstack([table, [[1.0, 1.0, 0.0], [2.0, -2.0, 1.0]]])
    after = training_points(more, 7, 0.5)
    assert (after[:300] == before).all()
    assert (training_points(table[::-1], 7, 0.5) == before[::-1]).all()  # order is no matter
    assert 0.4 < before.mean() < 0.6
    assert not (training_points(table, 8, 0.5) == before).all()  # the seed chooses
    assert (point_hash(table, 7) == point_hash(table.copy(), 7)).all()


def test_two_points_always_give_a_training_and_a_test_point():
    for seed in range(20):
        train = training_points(np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]), seed, 0.9)
        assert train.sum() == 1


@pytest.mark.parametrize("points, words", [
    ([], "draw points of two classes at least (now 0 points)"),
    ([[1.0, 1.0, 1]], "now 1 point, all of class 1"),
    ([[1.0, 1.0, 0], [2.0, 2.0, 0]], "now 2 points, all of class 0"),
])
def test_points_that_cannot_train_yet_are_a_validation_problem(points, words):
    d = small_net()
    d.dataset = DatasetSpec("points", points=points)
    problems = [p for p in ge.validate(d) if p.code == "dataset"]
    assert len(problems) == 1 and words in problems[0].message


@pytest.mark.parametrize("points, words", [
    ("x", '"dataset": points must be a list of [x1, x2, label]'),
    ([[0, 0]], "point 1 must be [x1, x2, label], a list of three numbers"),
    ([[0, 0, 0], [0, "1", 1]], "point 2 must be [x1, x2, label]"),
    ([[0, 0, 0], [0, True, 1]], "point 2 must be [x1, x2, label]"),
    ([[0, 0, 0], [0, 1e300, 1]], "points: point 2 has x2 = 1e+300, outside the plane"),
    ([[0, 0, 0], [0, 10**400, 1]], "points: point 2 holds a number too large"),
    ([[7.5, 0, 0]], "points: point 1 has x1 = 7.5, outside the plane (-6 to 6)"),
    ([[0, -6.01, 0]], "points: point 1 has x2 = -6.01, outside the plane"),
    ([[0, 0, 10]], "points: point 1 has the label 10: a class is a whole number from 0 to 9"),
    ([[0, 0, 0.5]], "point 1 has the label 0.5"),
    ([[0, 0, -1]], "point 1 has the label -1"),
    ([[0, 0, 0]] * (MAX_POINTS + 1), "points has 10,001 entries; the limit is 10,000"),
    ([[[0, 0, 0]]], "point 1 must be [x1, x2, label]"),
])
def test_hostile_points_are_refused_naming_the_key(tmp_path, points, words):
    with pytest.raises(ge.DiagramFileError) as caught:
        read(tmp_path, {"name": "points", "points": points})
    assert words in str(caught.value)


def test_nan_in_points_is_refused_where_it_stands(tmp_path):
    text = json.dumps(document({"name": "points", "points": [[0, 0, 0], [1, 2, 1]]}))
    (tmp_path / "nan.json").write_text(text.replace("2, 1]", "NaN, 1]"), encoding="utf-8")
    with pytest.raises(ge.DiagramFileError, match='NaN is not allowed in a diagram file, at '
                       '"dataset", "points", item 2, item 2'):
        ge.load(tmp_path / "nan.json")
    (tmp_path / "huge.json").write_text(text.replace("2, 1]", "1e400, 1]"), encoding="utf-8")
    with pytest.raises(ge.DiagramFileError, match="points: point 2 holds a number that is "
                       "not finite"):
        ge.load(tmp_path / "huge.json")


def test_a_points_record_refuses_what_points_do_not_read(tmp_path):
    with pytest.raises(ge.DiagramFileError, match='"dataset" has an unknown key "noise" '
                       r"\(allowed: labels, name, points, seed, task, train_ratio\)"):
        read(tmp_path, {"name": "points", "points": XOR_CORNERS, "noise": 0.1})
    with pytest.raises(ge.DiagramFileError, match="task must be classification or regression"):
        read(tmp_path, {"name": "points", "points": XOR_CORNERS, "task": "clustering"})
    with pytest.raises(ge.DiagramFileError, match="needs its points"):
        read(tmp_path, {"name": "points"})


def test_a_network_learns_drawn_points():
    d = small_net()
    rng = np.random.default_rng(1)
    xy = rng.uniform(-5, 5, (200, 2))
    d.dataset = DatasetSpec("points", points=[[*p, int(p[0] * p[1] > 0)] for p in xy.round(3)])
    run = ge.train(d, epochs=60, optimizer="adam", lr=0.03)
    assert run.history[-1]["test_accuracy"] >= 0.85


# ------------------------------------------------------------------ function

def test_the_function_sets_classes_are_the_formulas():
    """Class 1 exactly where x2 > sin(x1), computed with math, point by point."""
    data = datasets.load(DatasetSpec("function", boundary="sin(x1)", samples=400, seed=3))
    assert data.info.classes == 2 and data.class_names == ("below", "above")
    for (x1, x2), label in zip(data.x_all.astype(np.float64), data.y_all, strict=True):
        assert label == int(x2 > math.sin(x1))
    assert 0.3 < data.y_all.mean() < 0.7
    assert data.x_all.min() >= -6 and data.x_all.max() <= 6 and data.inputs is None


def test_a_cubic_and_a_bend_class_their_points_as_written():
    for formula, f in (("x1**3/9 - x1", lambda v: v**3 / 9 - v), ("abs(x1) - 2", abs)):
        data = datasets.load(DatasetSpec("function", boundary=formula, samples=300))
        expected = [int(x2 > (f(x1) if formula.startswith("x1") else abs(x1) - 2))
                    for x1, x2 in data.x_all.astype(np.float64)]
        assert data.y_all.tolist() == expected


def test_a_target_formula_gives_the_value_at_each_point():
    data = datasets.load(DatasetSpec("function", target="x1 * x2 / 6", samples=100))
    assert not data.info.is_classification
    x = data.x_all.astype(np.float64)
    np.testing.assert_allclose(data.y_all[:, 0], x[:, 0] * x[:, 1] / 6, rtol=1e-6, atol=1e-6)


def test_noise_moves_points_near_the_curve_to_the_other_class():
    clean = datasets.load(DatasetSpec("function", boundary="0.5 * x1", samples=500))
    noisy = datasets.load(DatasetSpec("function", boundary="0.5 * x1", samples=500,
                                      noise=0.2))
    np.testing.assert_array_equal(clean.x_all, noisy.x_all)  # the same points
    flipped = clean.y_all != noisy.y_all
    assert 0 < flipped.mean() < 0.4
    near = np.abs(clean.x_all[:, 1] - 0.5 * clean.x_all[:, 0])
    assert near[flipped].mean() < near[~flipped].mean()


@pytest.mark.parametrize("dataset, words", [
    ({"boundary": "log(x1)"}, "log(x1) is not a finite number at x1 = -6: choose a formula "
                              "defined over the whole plane (-6 to 6)"),
    ({"boundary": "1 / x1"}, "1 / x1 is not a finite number at x1 = 0"),
    ({"boundary": "x1**2 + 7"}, "the curve x2 = x1**2 + 7 passes above the plane (x2 from "
                                "-6 to 6) everywhere, so every point would be class 0"),
    ({"boundary": "-10 - abs(x1)"}, "passes below the plane"),
    ({"target": "exp(x1 * x2)"}, "exp(x1 * x2) is beyond ±1e+06 at x1 = -6, x2 = -6"),
    ({"target": "sqrt(x1) * x2"}, "sqrt(x1) * x2 is not a finite number at x1 = -6, x2 = -6"),
])
def test_a_formula_that_cannot_make_the_data_is_a_validation_problem(dataset, words):
    d = small_net()
    d.dataset = {"name": "function", **dataset}
    problems = [p for p in ge.validate(d) if p.code == "dataset"]
    assert len(problems) == 1 and words in problems[0].message, problems


@pytest.mark.parametrize("dataset, words", [
    ({}, "takes a boundary"),
    ({"boundary": "sin(x1)", "target": "x1"}, "one of the two"),
    ({"boundary": "sin(x2)"}, "boundary: unknown name 'x2': write the formula in x1"),
    ({"boundary": "sin(x)"}, "unknown name 'x'"),
    ({"boundary": "alpha * x1"}, "unknown name 'alpha'"),
    ({"target": "x1 * y"}, "target: unknown name 'y': write the formula in x1 and x2"),
    ({"boundary": "__import__('os')"}, "boundary: "),
    ({"boundary": "x1." + "0" * 400}, "boundary is longer than 300 characters"),
    ({"boundary": 3}, "boundary must be a formula (text)"),
    ({"boundary": "x1\x07"}, "boundary contains the control character U+0007"),
    ({"boundary": "2"}, "the formula must use x1"),
    ({"boundary": "sin(x1)", "points": XOR_CORNERS}, 'unknown key "points"'),
])
def test_a_function_record_is_checked_on_reading(tmp_path, dataset, words):
    with pytest.raises(ge.DiagramFileError) as caught:
        read(tmp_path, {"name": "function", **dataset})
    assert words in str(caught.value)


def test_a_function_set_round_trips_and_a_network_bends_to_the_curve(tmp_path):
    d = small_net()
    d.dataset = {"name": "function", "boundary": "2 * sin(x1)", "samples": 400, "noise": 0.0,
                 "seed": 2}
    ge.save(d, tmp_path / "sine.json")
    written = json.loads((tmp_path / "sine.json").read_text())["dataset"]
    assert written == {"name": "function", "samples": 400, "noise": 0.0, "train_ratio": 0.5,
                       "seed": 2, "boundary": "2 * sin(x1)"}
    again = ge.load(tmp_path / "sine.json")
    assert again.dataset == d.dataset
    run = ge.train(again, epochs=80, optimizer="adam", lr=0.02)
    assert run.history[-1]["test_accuracy"] >= 0.9


def test_checking_a_formula_does_not_load_torch():
    """The editor validates on its own thread: a function set must not import torch."""
    code = ("import sys, graph_engine as ge\n"
            "d = ge.Diagram(); d.add('Input', features=2)\n"
            "d.dataset = {'name': 'function', 'boundary': 'erf(x1) + softplus(x1)'}\n"
            "ge.validate(d); ge.datasets.load(d.dataset)\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# ------------------------------------------------------------------ drawing's arithmetic

def test_drawing_adds_rounded_points_up_to_the_limit():
    from graph_engine.data.drawn import added

    points, refused = added(((0.0, 0.0, 0),), [(1.23456, -2.5), (7.0, 0.0)], 1)
    assert len(points) == 2 and points[0] == (0.0, 0.0, 0) and refused == 1
    x1, x2, label = points[1]
    assert abs(x1 - 1.235) <= 0.0031 and abs(x2 + 2.5) <= 0.0031 and label == 1
    assert (round(x1, 3), round(x2, 3)) == (x1, x2)  # kept to three decimals
    full = ((0.0, 0.0, 0),) * (MAX_POINTS - 1)
    points, refused = added(full, [(1.0, 1.0), (2.0, 2.0)], 1)
    assert len(points) == MAX_POINTS and refused == 1


def test_the_eraser_removes_the_points_within_its_reach():
    from graph_engine.data.drawn import erased

    points = ((0.0, 0.0, 0), (0.5, 0.0, 1), (0.0, 0.5, 1), (3.0, 3.0, 0))
    assert erased(points, [(0.0, 0.0)], (0.6, 0.3)) == ((0.0, 0.5, 1), (3.0, 3.0, 0))
    assert erased(points, [(0.0, 0.0), (3.0, 3.05)], (0.1, 0.1)) == points[1:3]
    assert erased((), [(0.0, 0.0)], (1.0, 1.0)) == ()


def test_a_built_in_sets_points_are_copied_onto_the_plane():
    from graph_engine.data.drawn import copied

    data = datasets.load(DatasetSpec("blobs", samples=300, noise=0.5))
    points, task, left_out = copied(data)
    inside = (np.abs(data.x_all) <= 6).all(axis=1)
    assert task == "classification" and left_out == int((~inside).sum()) > 0
    assert len(points) == int(inside.sum())
    assert sorted(p[2] for p in points) == sorted(data.y_all[inside].tolist())
    values, task, _ = copied(datasets.load(DatasetSpec("reg-plane", samples=50)))
    assert task == "regression" and isinstance(values[0][2], float)
    DatasetSpec("points", points=values, task=task)  # what is copied is a valid data set


def test_a_drawn_point_is_placed_on_the_side_of_the_split_asked_for():
    """Within three thousandths (under a pixel) of where it was drawn."""
    from graph_engine.data.drawn import added

    rng = np.random.default_rng(5)
    clicks = rng.uniform(-5.9, 5.9, (200, 2)).tolist()
    for ratio, train in ((0.5, True), (0.5, False), (0.2, True), (0.9, False)):
        points, _ = added((), clicks, 1, seed=3, ratio=ratio, train=train)
        shares = point_hash(np.array(points, dtype=np.float64), 3)
        assert ((shares < ratio) == train).mean() > 0.97
        moved = np.abs(np.array(points)[:, :2] - np.array(clicks))
        assert moved.max() <= 0.0035
