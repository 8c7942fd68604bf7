"""The built-in data sets as a textbook prepares them: the real data sets are
standardised with the statistics of their training rows alone (checked against
scikit-learn's StandardScaler fitted on those rows), and Playground's sets have
Playground's sizes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import datasets as sk
from sklearn.preprocessing import StandardScaler

import graph_engine as ge
from graph_engine.data import datasets

RAW = {"iris": sk.load_iris, "wine": sk.load_wine, "breast-cancer": sk.load_breast_cancer,
       "diabetes": lambda: sk.load_diabetes(scaled=False)}


def split_rows(count: int, spec: ge.DatasetSpec) -> tuple[np.ndarray, np.ndarray]:
    """The rows the split gives to training and to testing, in order: a permutation
    of the spec's seed + 1, cut at the training share."""
    order = np.random.default_rng(spec.seed + 1).permutation(count)
    cut = round(count * spec.train_ratio)
    return order[:cut], order[cut:]


@pytest.mark.parametrize("name", sorted(RAW))
@pytest.mark.parametrize("seed", [0, 3])
def test_real_data_sets_are_standardised_with_the_training_rows_alone(name, seed):
    spec = ge.DatasetSpec(name, seed=seed, train_ratio=0.6)
    data = datasets.load(spec)
    raw = RAW[name]().data
    train, test = split_rows(len(raw), spec)
    scaler = StandardScaler().fit(raw[train])
    np.testing.assert_allclose(data.x_train, scaler.transform(raw[train]), atol=2e-5)
    np.testing.assert_allclose(data.x_test, scaler.transform(raw[test]), atol=2e-5)
    # the test rows were not part of the statistics: their means are not 0
    assert np.abs(data.x_test.mean(axis=0)).max() > 0.01


def test_the_diabetes_target_is_standardised_with_the_training_rows_too():
    spec = ge.DatasetSpec("diabetes")
    data = datasets.load(spec)
    target = sk.load_diabetes(scaled=False).target[:, None]
    train, test = split_rows(len(target), spec)
    scaler = StandardScaler().fit(target[train])
    np.testing.assert_allclose(data.y_train, scaler.transform(target[train]), atol=2e-5)
    np.testing.assert_allclose(data.y_test, scaler.transform(target[test]), atol=2e-5)
    assert data.y_train.dtype == np.float32 and abs(float(data.y_test.mean())) > 1e-3


@pytest.mark.parametrize("name, count", [("circle", 500), ("xor", 500), ("gauss", 500),
                                         ("spiral", 500), ("reg-plane", 1200),
                                         ("reg-gauss", 1200)])
def test_playgrounds_sets_have_playgrounds_sizes_unless_told(name, count):
    spec = ge.DatasetSpec(name)
    assert spec.samples == count
    data = datasets.load(spec)
    assert len(data.x_train) + len(data.x_test) == count
    assert ge.DatasetSpec(name, samples=80).samples == 80
    assert datasets.as_dataset_spec({"name": name}).samples == count
