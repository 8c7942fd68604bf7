"""The measures a student reads besides the loss, each checked against an independent
computation: precision, recall and F1 per class and their macro averages against
scikit-learn's precision_recall_fscore_support; RMSE and R² against numpy and
scikit-learn's r2_score; a table's continuous target standardised by its training
rows, its errors told in its own units."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from nets import two_layer
from sklearn.metrics import precision_recall_fscore_support, r2_score

import graph_engine as ge
from graph_engine.cli import main
from graph_engine.data import datasets
from graph_engine.data.spec import CsvSource
from graph_engine.training.measures import class_measures, from_confusion, regression_measures
from graph_engine.training.metrics import confusion_matrix

torch.set_num_threads(1)


@pytest.mark.parametrize("seed", range(6))
def test_per_class_measures_equal_scikit_learns(seed):
    rng = np.random.default_rng(seed)
    classes = int(rng.integers(2, 7))
    true = rng.integers(0, classes, 300)
    predicted = np.where(rng.random(300) < 0.6, true, rng.integers(0, classes, 300))
    if seed == 0:
        predicted[predicted == classes - 1] = 0  # a class never predicted: precision 0
    matrix = confusion_matrix(torch.nn.functional.one_hot(torch.as_tensor(predicted), classes)
                              .float(), true, None, classes)
    found = from_confusion(matrix)
    labels = list(range(classes))
    p, r, f, support = precision_recall_fscore_support(true, predicted, labels=labels,
                                                       zero_division=0)
    assert np.allclose(found.precision, p) and np.allclose(found.recall, r)
    assert np.allclose(found.f1, f) and list(found.support) == support.tolist()
    macro = precision_recall_fscore_support(true, predicted, labels=labels, average="macro",
                                            zero_division=0)
    assert np.allclose([found.macro_precision, found.macro_recall, found.macro_f1], macro[:3])


def test_a_trained_classifier_s_measures_are_those_of_its_predictions():
    diagram, ids = two_layer(dataset="iris")
    diagram.set_params(ids["input"], features=4)  # iris: four inputs, three classes
    diagram.set_params(ids["out"], out_features=3)
    run = ge.train(diagram, epochs=5, seed=0)
    found = class_measures(run.trainer, "test")
    predicted = run.trainer.measures.predicted_classes(run.dataset.x_test)
    p, r, f, _ = precision_recall_fscore_support(run.dataset.y_test, predicted,
                                                 labels=[0, 1, 2], zero_division=0)
    assert np.allclose(found.f1, f) and np.allclose(found.precision, p)
    assert np.allclose(found.recall, r)
    assert found.classes == run.dataset.class_names


def test_rmse_and_r2_equal_numpys_and_scikit_learns():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(200, 2)).astype(np.float32)
    out = y + rng.normal(scale=0.3, size=y.shape).astype(np.float32)
    std = (2.0, 10.0)
    rmse, r2 = regression_measures(torch.as_tensor(out), torch.as_tensor(y), std)
    own = (out - y) * np.asarray(std)
    assert rmse == pytest.approx(float(np.sqrt((own ** 2).mean())), rel=1e-6)
    assert r2 == pytest.approx(r2_score(y, out), rel=1e-6)
    assert regression_measures(torch.zeros(3, 1), torch.zeros(3, 1))[1] == 1.0  # constant


def write_prices(path) -> None:
    """A table whose target is in the hundreds of thousands, as house prices are."""
    rng = np.random.default_rng(0)
    x = rng.uniform(50, 250, size=(300, 2))
    price = 2000 * x[:, 0] + 500 * x[:, 1] + rng.normal(scale=5000, size=300)
    path.write_text("area,rooms,price\n" + "".join(
        f"{a:.1f},{b:.1f},{p:.0f}\n" for (a, b), p in zip(x, price, strict=True)))


def test_a_continuous_target_is_standardised_by_the_training_rows(tmp_path):
    write_prices(tmp_path / "prices.csv")
    spec = ge.DatasetSpec("csv", csv=CsvSource(str(tmp_path / "prices.csv"), target="price"))
    data = datasets.load(spec)
    mean, std = data.outputs.shift, data.outputs.scale
    assert std[0] == pytest.approx(float(data.in_target_units(data.y_train).std()), rel=1e-4)
    assert abs(float(data.y_train.mean())) < 1e-4 and float(data.y_train.std()) == \
        pytest.approx(1, abs=1e-4)
    raw = np.loadtxt(tmp_path / "prices.csv", delimiter=",", skiprows=1)[:, 2]
    assert mean[0] == pytest.approx(float(data.in_target_units(data.y_train).mean()), rel=1e-5)
    assert set(np.round(data.in_target_units(data.y_all)[:, 0]).astype(int)) == \
        set(raw.astype(int))


def test_train_json_tells_a_tables_errors_in_its_own_units(tmp_path, capsys):
    write_prices(tmp_path / "prices.csv")
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=1), d.add("MSELoss")]
    d.connect(ids[0], ids[1])
    d.connect(ids[1], ids[2])
    ge.save(d, tmp_path / "net.json")
    assert main(["train", str(tmp_path / "net.json"), "--dataset",
                 str(tmp_path / "prices.csv"), "--target", "price", "--epochs", "30",
                 "--optimizer", "adam", "--lr", "0.05", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["train_loss"] < 1  # standardised: not 1e10
    assert 3000 < out["test_rmse"] < 20_000  # the noise is 5,000 in the table's units
    assert out["test_r2"] > 0.9 and "per_class" not in out
    assert set(out["history"][-1]) >= {"train_rmse", "test_rmse", "train_r2", "test_r2"}
    assert out["target"]["std"][0] > 10_000


def test_train_json_gives_the_per_class_measures(tmp_path, capsys):
    diagram, _ = two_layer(dataset="xor")
    ge.save(diagram, tmp_path / "xor.json")
    assert main(["train", str(tmp_path / "xor.json"), "--epochs", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    found = out["per_class"]
    assert found["set"] == "test" and found["classes"] == ["0", "1"]
    assert set(found) >= {"precision", "recall", "f1", "support", "macro"}
    assert found["macro"]["f1"] == pytest.approx(np.mean(found["f1"]))


def test_target_without_a_table_and_an_unknown_table_are_usage_errors(tmp_path, capsys):
    diagram, _ = two_layer(dataset="xor")
    ge.save(diagram, tmp_path / "xor.json")
    assert main(["train", str(tmp_path / "xor.json"), "--target", "y"]) == 2
    assert "--target names a column of a table file" in capsys.readouterr().err
    assert main(["train", str(tmp_path / "xor.json"), "--dataset", "nope.csv"]) == 2
    assert "--dataset nope.csv: no such table file" in capsys.readouterr().err


def test_exercises_lists_the_shipped_exercises_with_their_paths(capsys):
    import resources

    assert main(["exercises"]) == 0
    out = capsys.readouterr().out
    for path in resources.exercises():
        assert path.stem in out and str(path) in out
    assert "XOR with one hidden layer" in out
    assert main(["exercises", "--paths"]) == 0
    assert capsys.readouterr().out.split() == [str(p) for p in resources.exercises()]
