"""The measures the engine computes, shown: precision, recall and F1 under the
confusion matrix (on either set), RMSE and R² on the curves of a regression, and
predicted against true values in the Output plot for many inputs."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from guihelpers import step
from sklearn.metrics import precision_recall_fscore_support

import graph_engine as ge
from graph_engine.data.views import OutputView
from graph_engine.training.measures import from_confusion
from gui.teaching.confusion import show_measures


def load(window, diagram: ge.Diagram) -> None:
    window.files.show(diagram)


def chain(blocks, dataset: str) -> ge.Diagram:
    d = ge.Diagram()
    ids = [d.add(kind, **params) for kind, params in blocks]
    for src, dst in pairwise(ids):
        d.connect(src, dst)
    d.dataset = dataset
    d.training = d.training.with_(optimizer="adam", lr=0.02, epochs=500)
    return d


def cells(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_the_measures_table_shows_the_engines_figures(window):
    true = np.array([0, 0, 1, 1, 2, 2, 2, 1])
    pred = np.array([0, 1, 1, 1, 2, 0, 2, 2])
    matrix = np.zeros((3, 3), int)
    np.add.at(matrix, (true, pred), 1)
    table = window.teaching.confusion.measures
    show_measures(table, from_confusion(matrix, ["cat", "dog", "<b>eel</b>"]))
    p, r, f, n = precision_recall_fscore_support(true, pred, zero_division=0)
    rows = cells(table)
    assert [row[0] for row in rows] == ["cat", "dog", "<b>eel</b>", "macro average"]
    for row, expected in zip(rows, zip(p, r, f, n, strict=True), strict=False):
        assert [float(v) for v in row[1:4]] == pytest.approx(expected[:3], abs=5e-4)
        assert int(row[4]) == expected[3]
    assert float(rows[3][3]) == pytest.approx(f.mean(), abs=5e-4)


def test_the_confusion_view_gives_the_measures_of_the_set_shown(window, qtbot):
    load(window, chain([("Input", {"features": 2}), ("Linear", {"out_features": 6}),
                        ("Tanh", {}), ("Linear", {"out_features": 2}),
                        ("CrossEntropyLoss", {})], "xor"))
    window.docks["confusion"].raise_()
    confusion = window.teaching.confusion
    step(window, qtbot, 2)
    qtbot.waitUntil(lambda: confusion.matrix is not None, timeout=10000)
    expected = from_confusion(confusion.matrix)
    assert cells(confusion.measures)[-1][3] == f"{expected.macro_f1:.3f}"
    assert int(cells(confusion.measures)[-1][4]) == confusion.matrix.sum()
    confusion.split.setCurrentIndex(1)
    confusion.split.activated.emit(1)
    assert int(cells(confusion.measures)[-1][4]) == confusion.matrix.sum()  # the training set


def test_a_regression_offers_rmse_and_r2_and_predicted_against_true(window, qtbot):
    load(window, chain([("Input", {"features": 10}), ("Linear", {"out_features": 8}),
                        ("ReLU", {}), ("Linear", {"out_features": 1}), ("MSELoss", {})],
                       "diabetes"))
    window.docks["curves"].raise_()
    step(window, qtbot, 3)
    curves = window.training.curves
    qtbot.waitUntil(lambda: curves.series.size == 3, timeout=10000)
    assert curves.measure.isVisibleTo(curves) and curves.accuracy.metric == "rmse"
    history = window.training.controller.state.history
    assert list(curves.accuracy.values["test"]) == [row["test_rmse"] for row in history]
    assert 20 < history[-1]["test_rmse"] < 200  # the diabetes target's own units
    assert "RMSE in the target's units" in curves.loss.more(2)
    curves.measure.setCurrentIndex(curves.measure.findData("r2"))
    curves.measure.activated.emit(curves.measure.currentIndex())
    assert curves.accuracy.metric == "r2"
    assert list(curves.accuracy.values["test"]) == [row["test_r2"] for row in history]

    output = window.training.output
    qtbot.waitUntil(lambda: output.predicted.shown, timeout=10000)
    true, pred = output.predicted.points.getData()
    assert len(true) == len(pred) > 50 and float(np.abs(true).max()) > 20  # own units
    assert "diagonal" in output.note.text() and "R²" in output.note.text()


def test_a_classifier_keeps_its_accuracy_plot(window, qtbot):
    load(window, chain([("Input", {"features": 2}), ("Linear", {"out_features": 2}),
                        ("CrossEntropyLoss", {})], "xor"))
    step(window, qtbot, 1)
    curves = window.training.curves
    qtbot.waitUntil(lambda: curves.series.size == 1, timeout=10000)
    assert not curves.measure.isVisibleTo(curves) and curves.accuracy.metric == "accuracy"
    assert window.training.output.predicted.shown is False
    assert output_kind(window) != OutputView.PREDICTED


def output_kind(window):
    return window.training.output._kind
