"""Training and data, small and fast: seeds, resets, divergence, data sets and CSV files."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
import torch

import graph_engine as ge
from graph_engine.data import datasets
from graph_engine.data.csv_data import load_csv
from graph_engine.data.datasets import DatasetError
from graph_engine.data.spec import CsvSource, DatasetSpec
from graph_engine.training.trainer import Trainer, TrainingDiverged

SMALL_XOR = {"name": "xor", "samples": 80}


def classifier(hidden: int = 6) -> ge.Diagram:
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=hidden), d.add("Tanh"),
           d.add("Linear", out_features=2), d.add("CrossEntropyLoss")]
    for src, dst in pairwise(ids):
        d.connect(src, dst)
    return d


def regression() -> ge.Diagram:
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=1), d.add("MSELoss")]
    for src, dst in pairwise(ids):
        d.connect(src, dst)
    return d


def trainer_for(d: ge.Diagram, spec, **settings) -> Trainer:
    d.dataset = spec
    net = ge.compile(d, seed=0)
    return Trainer(net, datasets.load(d.dataset), ge.TrainingSettings(**settings))


def states_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# ------------------------------------------------------------ reproducibility

def test_same_seed_gives_identical_histories():
    first = ge.train(classifier(), dataset=SMALL_XOR, epochs=3, seed=5, lr=0.1)
    second = ge.train(classifier(), dataset=SMALL_XOR, epochs=3, seed=5, lr=0.1)
    assert first.history == second.history
    assert states_equal(first.model.state_dict(), second.model.state_dict())


def test_different_seeds_differ():
    first = ge.train(classifier(), dataset=SMALL_XOR, epochs=2, seed=1)
    second = ge.train(classifier(), dataset=SMALL_XOR, epochs=2, seed=2)
    assert first.history != second.history


def test_history_has_the_contract_keys():
    run = ge.train(classifier(), dataset=SMALL_XOR, epochs=2, optimizer="adam", lr=0.01,
                   batch_size=8)
    assert [h["epoch"] for h in run.history] == [1, 2]
    for entry in run.history:
        assert {"epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"} <= set(
            entry)
        assert 0.0 <= entry["test_accuracy"] <= 1.0
    assert run.settings.optimizer == "adam" and run.settings.batch_size == 8
    assert run.seconds >= 0 and run.stopped is None


def test_regression_history_has_no_accuracy():
    run = ge.train(regression(), dataset={"name": "reg-plane", "samples": 60}, epochs=2)
    assert "test_accuracy" not in run.history[-1]
    assert math.isfinite(run.history[-1]["test_loss"])


def test_train_does_not_change_the_diagram():
    d = classifier()
    ge.train(d, dataset=SMALL_XOR, epochs=1, lr=0.5)
    assert d.dataset is None and d.training == ge.TrainingSettings()


def test_train_uses_the_diagrams_own_settings():
    d = classifier()
    d.dataset = SMALL_XOR
    d.training = ge.TrainingSettings(epochs=2, lr=0.2, optimizer="momentum")
    run = ge.train(d)
    assert len(run.history) == 2 and run.settings.lr == 0.2


def test_train_without_a_dataset_is_refused():
    with pytest.raises(ValueError, match="no data set"):
        ge.train(classifier(), epochs=1)


def test_train_refuses_a_diagram_with_errors():
    d = classifier()
    d.set_params(d.blocks[0].id, features=3)
    with pytest.raises(ge.DiagramError):
        ge.train(d, dataset=SMALL_XOR, epochs=1)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "rmsprop", "adagrad"])
def test_every_optimizer_lowers_the_loss(optimizer):
    lr = 0.05 if optimizer in ("sgd", "momentum", "adagrad") else 0.01
    run = ge.train(classifier(), dataset={"name": "gauss", "samples": 100}, epochs=4,
                   optimizer=optimizer, lr=lr, seed=0)
    assert run.history[-1]["train_loss"] < run.history[0]["train_loss"] * 1.05


def test_regularisation_shrinks_the_weights():
    spec = {"name": "gauss", "samples": 100}
    plain = ge.train(classifier(), dataset=spec, epochs=5, lr=0.1)
    shrunk = ge.train(classifier(), dataset=spec, epochs=5, lr=0.1, l2=0.5)
    norm = lambda run: sum(float(p.detach().norm()) for p in run.model.parameters()
                           if p.dim() == 2)
    assert norm(shrunk) < norm(plain)


# ------------------------------------------------------------ the trainer

def test_reset_returns_to_the_initial_weights():
    trainer = trainer_for(classifier(), SMALL_XOR, lr=0.5)
    initial = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    trainer.train(2)
    assert not states_equal(trainer.model.state_dict(), initial)
    trainer.reset()
    assert states_equal(trainer.model.state_dict(), initial)
    assert trainer.epoch == 0 and trainer.history == []


def test_after_reset_the_run_repeats_exactly():
    trainer = trainer_for(classifier(), SMALL_XOR, lr=0.3)
    trainer.train(2)
    first = list(trainer.history)
    trainer.reset()
    trainer.train(2)
    assert trainer.history == first


def test_trainer_refuses_a_network_without_loss():
    d = ge.Diagram()
    d.connect(d.add("Input"), d.add("Linear", out_features=2))
    net = ge.compile(d)
    with pytest.raises(ValueError, match="no loss"):
        Trainer(net, datasets.load(SMALL_XOR), ge.TrainingSettings())


def test_gradient_norms_name_each_layer():
    d = classifier()
    trainer = trainer_for(d, SMALL_XOR)
    norms = trainer.measures.gradient_norms()
    linears = {b.id for b in d.blocks if b.type == "Linear"}
    assert set(norms) == linears and all(v > 0 for v in norms.values())


def test_predictions_are_probabilities():
    trainer = trainer_for(classifier(), SMALL_XOR)
    probs = trainer.measures.predict(np.zeros((5, 2), dtype=np.float32))
    assert probs.shape == (5, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    assert set(trainer.measures.predicted_classes(np.ones((3, 2)))) <= {0, 1}


# ------------------------------------------------------------ divergence

def test_huge_learning_rate_stops_with_finite_weights():
    d = regression()
    run = ge.train(d, dataset={"name": "reg-plane", "samples": 60}, epochs=5, lr=1e6)
    assert run.stopped and "learning rate" in run.stopped
    assert all(torch.isfinite(p).all() for p in run.model.parameters())
    d.dataset = {"name": "reg-plane", "samples": 60}
    initial = ge.compile(d, seed=0).model.state_dict()
    assert states_equal(run.model.state_dict(), initial)  # the last good weights


def test_trainer_raises_divergence_and_restores_weights():
    trainer = trainer_for(regression(), {"name": "reg-plane", "samples": 60}, lr=1e6)
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    with pytest.raises(TrainingDiverged):
        trainer.run_epoch()
    assert states_equal(trainer.model.state_dict(), before)
    assert trainer.epoch == 0 and trainer.history == []


# ------------------------------------------------------------ data sets

CONTRACT_NAMES = ("circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss", "moons",
                  "blobs", "polynomial", "digits", "iris")


def test_names_contain_the_contract_names():
    assert set(CONTRACT_NAMES) <= set(datasets.names())


REAL_SIZES = {"digits": 1797, "iris": 150, "breast-cancer": 569, "wine": 178, "diabetes": 442}


@pytest.mark.parametrize("name", datasets.names())
def test_each_dataset_loads_with_the_right_shapes(name):
    spec = DatasetSpec(name, samples=60)
    data = datasets.load(spec)
    info = data.info
    assert info == datasets.info(spec)
    for x, y in ((data.x_train, data.y_train), (data.x_test, data.y_test)):
        assert x.dtype == np.float32 and x.ndim == 2 and x.shape[1] == info.features
        assert np.isfinite(x).all() and len(y) == len(x)
        if info.is_classification:
            assert y.dtype == np.int64 and y.shape == (len(x),)
            assert y.min() >= 0 and y.max() < info.classes
        else:
            assert y.dtype == np.float32 and y.shape == (len(x), info.targets)
    total = len(data.x_train) + len(data.x_test)
    assert total == REAL_SIZES.get(name, 60)
    assert len(data.x_train) == round(total * 0.5)


@pytest.mark.parametrize("name", ["circle", "spiral", "moons", "reg-gauss"])
def test_same_seed_same_data_other_seed_other_data(name):
    first, again = (datasets.load(DatasetSpec(name, samples=50, noise=0.2)) for _ in range(2))
    other = datasets.load(DatasetSpec(name, samples=50, noise=0.2, seed=1))
    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_train, again.y_train)
    assert not np.array_equal(first.x_train, other.x_train)


@pytest.mark.parametrize("name, loader, features, classes", [
    ("breast-cancer", "load_breast_cancer", 30, 2), ("wine", "load_wine", 13, 3),
    ("diabetes", "load_diabetes", 10, 0)])
def test_scikit_learns_real_data_sets_as_scikit_learn_ships_them(name, loader, features,
                                                                classes):
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, loader)()
    data = datasets.load(name)
    assert data.info.features == features and data.info.classes == classes
    assert data.feature_names == tuple(bunch.feature_names)
    # standardised with the training rows: mean 0, deviation 1 per column over them
    x = data.x_train.astype(np.float64)
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(x.std(axis=0), 1, atol=1e-5)
    if classes:
        assert sorted(set(data.y_all.tolist())) == list(range(classes))
        assert np.bincount(data.y_all).tolist() == np.bincount(bunch.target).tolist()
    else:
        y = data.y_train
        assert abs(float(y.mean())) < 1e-5 and abs(float(y.std()) - 1) < 1e-5


@pytest.mark.parametrize("name, minimum", [("breast-cancer", 0.9), ("wine", 0.9)])
def test_a_linear_classifier_learns_the_real_classification_sets(name, minimum):
    info = datasets.info(name)
    d = ge.Diagram()
    d.connect(d.add("Input", features=info.features), d.add("Linear", out_features=info.classes))
    d.connect(d.blocks[1].id, d.add("CrossEntropyLoss"))
    run = ge.train(d, dataset=name, epochs=30, optimizer="adam", lr=0.01, batch_size=32)
    assert run.history[-1]["test_accuracy"] >= minimum


def test_a_linear_regression_explains_diabetes_progression():
    d = ge.Diagram()
    d.connect(d.add("Input", features=10), d.add("Linear", out_features=1))
    d.connect(d.blocks[1].id, d.add("MSELoss"))
    run = ge.train(d, dataset="diabetes", epochs=40, optimizer="adam", lr=0.01, batch_size=32)
    assert run.history[-1]["test_loss"] < 0.65  # standardised target: 1.0 is guessing the mean


def test_classification_sets_contain_every_class():
    for name in ("circle", "xor", "gauss", "spiral", "moons", "blobs"):
        data = datasets.load(DatasetSpec(name, samples=200))
        assert set(data.y_all) == set(range(data.info.classes)), name


def test_defaults_follow_tensorflow_playground():
    spec, settings = DatasetSpec("circle"), ge.TrainingSettings()
    assert (spec.samples, spec.train_ratio, spec.noise) == (500, 0.5, 0.0)
    assert (settings.batch_size, settings.lr) == (10, 0.03)


# ------------------------------------------------------------ CSV files

def csv_spec(path, **source) -> DatasetSpec:
    return DatasetSpec("csv", csv=CsvSource(str(path), **source))


def write_csv(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_few_integer_labels_is_classification(tmp_path):
    rows = "\n".join(f"{i * 0.1},{i % 3 - 1.5},{i % 3}" for i in range(30))
    path = write_csv(tmp_path, "a,b,label\n" + rows + "\n")
    data = load_csv(csv_spec(path))
    assert data.info.task == "classification" and data.info.classes == 3
    assert data.x_train.shape[1] == 2 and data.y_train.dtype == np.int64
    assert data.feature_names == ("a", "b") and data.class_names == ("0", "1", "2")
    assert abs(float(data.x_train.mean())) < 1e-5  # standardised on the training rows


def test_csv_with_real_targets_is_regression(tmp_path):
    rows = "\n".join(f"{i},{i * 0.37 + 0.01}" for i in range(20))
    path = write_csv(tmp_path, "x,y\n" + rows + "\n")
    data = load_csv(csv_spec(path, standardize=False))
    assert data.info.task == "regression" and data.y_train.shape[1] == 1
    assert data.y_train.dtype == np.float32
    assert sorted(data.x_all[:, 0].tolist()) == list(range(20))


def test_csv_text_labels_and_chosen_columns(tmp_path):
    path = write_csv(tmp_path, "name,size,kind,weight\n" + "\n".join(
        f"n{i},{i},{'cat' if i % 2 else 'dog'},{i * 2}" for i in range(12)) + "\n")
    data = load_csv(csv_spec(path, features=("size", "weight"), target="kind"))
    assert data.info.classes == 2 and data.class_names == ("cat", "dog")
    assert datasets.info(csv_spec(path, features=("size", "weight"), target="kind")).features == 2


def test_a_network_trains_on_a_csv_file(tmp_path):
    rows = "\n".join(f"{i % 7},{i % 5},{int(i % 7 > 3)}" for i in range(40))
    path = write_csv(tmp_path, "a,b,label\n" + rows + "\n")
    run = ge.train(classifier(), dataset=csv_spec(path), epochs=2)
    assert len(run.history) == 2


BAD_CSV = {
    "ragged row": ("a,b,label\n1,2,0\n3,4\n5,6,1\n", {}, "line 3 has 2 fields"),
    "text in a number column": ("a,b,label\n1,2,0\n3,oops,1\n5,6,1\n", {},
                                "line 3, column 'b': 'oops' is not a number"),
    "infinite value": ("a,b,label\n1,2,0\n3,inf,1\n5,6,1\n", {}, "line 3, column 'b'"),
    "empty file": ("", {}, "empty"),
    "header only": ("a,b,label\n", {}, "at least two data rows"),
    "missing target column": ("a,b,label\n1,2,0\n3,4,1\n", {"target": "class"},
                              "no column named 'class'"),
    "missing feature column": ("a,b,label\n1,2,0\n3,4,1\n", {"features": ("a", "z")},
                               "no feature column named 'z'"),
    "target as feature": ("a,b,label\n1,2,0\n3,4,1\n", {"features": ("a", "label")},
                          "cannot be a feature and the target"),
    "one class": ("a,b,label\n1,2,0\n3,4,0\n", {}, "single class"),
    "duplicate column": ("a,a,label\n1,2,0\n3,4,1\n", {}, "appears twice"),
    "blank header": ("a,,label\n1,2,0\n3,4,1\n", {}, "column 2 of the header has no name"),
    "one column": ("label\n0\n1\n", {}, "at least two columns"),
}


@pytest.mark.parametrize("case", list(BAD_CSV))
def test_bad_csv_files_raise_dataset_error(case, tmp_path):
    text, source, words = BAD_CSV[case]
    path = write_csv(tmp_path, text)
    with pytest.raises(DatasetError) as caught:
        load_csv(csv_spec(path, **source))
    assert words in str(caught.value)
    assert str(path) in str(caught.value)


def test_unreadable_csv_bytes_raise_dataset_error(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n\xff\xfe,1\n")
    with pytest.raises(DatasetError, match="not a readable CSV"):
        load_csv(csv_spec(path))


def test_missing_csv_file_raises_dataset_error(tmp_path):
    with pytest.raises(DatasetError, match="cannot read"):
        datasets.info(csv_spec(tmp_path / "gone.csv"))
