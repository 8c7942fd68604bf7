"""What a data set is: its description, its arrays, and the split into training and test.

Classification labels are class indices (int64, shape N), whatever form
the loss reads them in (``DatasetInfo.labels``: the indices, or −1/+1);
regression targets are float32 of shape (N, targets). Features are float32
(N, F).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

CLASSIFICATION = "classification"
REGRESSION = "regression"
INDEX_LABELS = "index"  # class indices 0, 1, …: what CrossEntropyLoss and the BCE losses read
SIGNED_LABELS = "signed"  # two classes as −1.0 and +1.0, TensorFlow Playground's form
LABEL_FORMS = (INDEX_LABELS, SIGNED_LABELS)
# TensorFlow Playground's plane, x0, x1, y0, y1: the Output plot's frame for its sets,
# where points are drawn and where a function data set spreads its points
PLANE = (-6.0, 6.0, -6.0, 6.0)


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    task: str
    features: int
    classes: int = 0  # classification only
    targets: int = 1  # regression only
    description: str = ""
    # what reading a file changed, for the reader: rows dropped, values filled, columns
    # one-hot encoded ("" for the built-in sets and a clean file)
    note: str = ""
    labels: str = INDEX_LABELS  # how the labels reach the loss (LABEL_FORMS)

    @property
    def is_classification(self) -> bool:
        return self.task == CLASSIFICATION

    @property
    def signed(self) -> bool:
        """Two classes presented to the loss as −1/+1 (one output, a squared loss)."""
        return self.labels == SIGNED_LABELS

    @property
    def outputs(self) -> int:
        """Output units a network needs: classes (one for −1/+1 labels), or targets."""
        if self.signed:
            return 1
        return self.classes if self.is_classification else self.targets


@dataclass(frozen=True, eq=False)
class Scaling:
    """How a raw column becomes what the network sees: (raw − shift) / scale, column by
    column (statistics of the training rows, float64)."""

    shift: np.ndarray
    scale: np.ndarray

    def forward(self, raw: np.ndarray) -> np.ndarray:
        return (np.asarray(raw, dtype=np.float64) - self.shift) / self.scale

    def back(self, scaled: np.ndarray) -> np.ndarray:
        return np.asarray(scaled, dtype=np.float64) * self.scale + self.shift


@dataclass
class Dataset:
    info: DatasetInfo
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()
    bounds: tuple[float, float, float, float] | None = None  # x0, x1, y0, y1 for 2-D sets
    # standardised columns: how raw features became the inputs, and raw targets the targets
    # (None: the raw values are what the network sees)
    inputs: Scaling | None = None
    outputs: Scaling | None = None
    # a table's feature columns as its file names them, with the values of a text column
    # one-hot encoded (empty: each feature is a column of numbers, named as features are),
    # and its other columns (target, split) a table to predict may carry along
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    label_columns: tuple[str, ...] = ()

    def in_target_units(self, values: np.ndarray) -> np.ndarray:
        """Predicted (or target) values of a standardised target in its own units."""
        values = np.asarray(values, dtype=np.float64)
        return values if self.outputs is None else self.outputs.back(values)

    @property
    def x_all(self) -> np.ndarray:
        return np.concatenate([self.x_train, self.x_test])

    @property
    def y_all(self) -> np.ndarray:
        return np.concatenate([self.y_train, self.y_test])

    def fingerprint(self) -> str:
        """A short hash of the arrays: two processes that made the same data set
        from the same spec compare fingerprints instead of sending the data."""
        digest = hashlib.sha256()
        for array in (self.x_train, self.y_train, self.x_test, self.y_test):
            digest.update(str((array.dtype.str, array.shape)).encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:32]


class DatasetError(ValueError):
    """A data set that cannot be made or read; the message says why."""


def split(info: DatasetInfo, x, y, seed: int, train_ratio: float, feature_names=(),
          class_names=(), bounds=None) -> Dataset:
    """Shuffle with the spec's seed and cut into training and test parts."""
    order = np.random.default_rng(seed + 1).permutation(len(x))
    cut = max(1, min(len(x) - 1, round(len(x) * train_ratio)))
    train, test = order[:cut], order[cut:]
    return Dataset(info, x[train], y[train], x[test], y[test], tuple(feature_names),
                   tuple(class_names), bounds)
