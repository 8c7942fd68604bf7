"""Data sets, the public face: ``ge.datasets.names()``, ``info(spec)``, ``load(spec)``.

:func:`info` says what a data set is without generating it (validation needs
no more); :func:`load` generates or reads it and splits it into training and
test parts. Same spec, same data.
"""

from __future__ import annotations

from dataclasses import replace

from .builtin import names
from .catalogue import DATASETS
from .dataset import (
    CLASSIFICATION,
    REGRESSION,
    SIGNED_LABELS,
    Dataset,
    DatasetError,
    DatasetInfo,
    split,
)
from .spec import DatasetSpec, as_dataset_spec

__all__ = ["CLASSIFICATION", "DATASETS", "REGRESSION", "Dataset", "DatasetError",
           "DatasetInfo", "DatasetSpec", "info", "labelled", "load", "names", "split",
           "target_range"]


def info(spec) -> DatasetInfo:
    """What a data set is, without generating it (table files are read)."""
    spec = as_dataset_spec(spec)
    return labelled(DATASETS[spec.name].info(spec), spec)


def labelled(found: DatasetInfo, spec: DatasetSpec) -> DatasetInfo:
    """``found`` with the spec's label form; DatasetError if the data set cannot
    take it (−1/+1 labels need exactly two classes)."""
    if spec.labels == found.labels:
        return found
    if spec.labels == SIGNED_LABELS and not (found.is_classification and found.classes == 2):
        what = f"{found.classes} classes" if found.is_classification else "real-valued targets"
        raise DatasetError(f"−1/+1 labels are for two classes, but {found.name} has {what}: "
                           "set labels to 'index'")
    return replace(found, labels=spec.labels)


def target_range(spec) -> tuple[float, float] | None:
    """The smallest and the largest regression target of the data set, training and
    test rows alike; None for a classification set or one that cannot be loaded
    (validation says why elsewhere)."""
    try:
        data = load(spec)
    except (DatasetError, OSError, ValueError):
        return None
    if data.info.is_classification or not data.y_train.size + data.y_test.size:
        return None
    targets = data.y_all
    return float(targets.min()), float(targets.max())


def load(spec) -> Dataset:
    """Generate (or read) the data set and split it; same spec, same data."""
    spec = as_dataset_spec(spec)
    data = DATASETS[spec.name].make(spec)
    return replace(data, info=labelled(data.info, spec))
