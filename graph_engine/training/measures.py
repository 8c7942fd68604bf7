"""Measures of a network a student reads besides the loss, computed here once.

Classification: precision, recall and F1 of each class and their macro
averages (the plain mean over the classes), from a confusion matrix, as
scikit-learn's ``precision_recall_fscore_support`` gives them with
``zero_division=0`` (a class never predicted has precision 0, one never
present recall 0). Regression: the root-mean-square error in the target's own
units (a standardised target is scaled back) and the coefficient of
determination R² (averaged over target columns, as ``r2_score`` does).
The confusion view, ``train --json``, grading's ``test-f1``, ``test-rmse``
and ``test-r2`` and the curves all read these. Importing this module does not
import torch (the editor reads its confusion counts here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..core.epochs import EpochRow

if TYPE_CHECKING:  # the editor reads the measures of its confusion counts without torch
    import torch

    from ..data.dataset import Scaling
    from .trainer import Trainer


@dataclass(frozen=True)
class ClassMeasures:
    """Precision, recall, F1 and support (true samples) of each class."""

    classes: tuple[str, ...]
    precision: tuple[float, ...]
    recall: tuple[float, ...]
    f1: tuple[float, ...]
    support: tuple[int, ...]

    @property
    def macro_precision(self) -> float:
        return _mean(self.precision)

    @property
    def macro_recall(self) -> float:
        return _mean(self.recall)

    @property
    def macro_f1(self) -> float:
        return _mean(self.f1)

    def to_dict(self) -> dict:
        """As ``train --json`` prints it: lists in class order, and the macro averages."""
        return {"classes": list(self.classes), "precision": list(self.precision),
                "recall": list(self.recall), "f1": list(self.f1),
                "support": list(self.support),
                "macro": {"precision": self.macro_precision, "recall": self.macro_recall,
                          "f1": self.macro_f1}}


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else 0.0


def _share(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """top / bottom, 0 where bottom is 0."""
    return np.divide(top, bottom, out=np.zeros(len(top)), where=bottom > 0)


def from_confusion(matrix, class_names: Sequence[str] = ()) -> ClassMeasures:
    """The measures of a confusion matrix (rows: true class, columns: predicted)."""
    counts = np.asarray(matrix, dtype=np.float64)
    hits, predicted, actual = np.diag(counts), counts.sum(axis=0), counts.sum(axis=1)
    names = tuple(class_names) if len(class_names) == len(counts) else \
        tuple(str(i) for i in range(len(counts)))
    return ClassMeasures(names, tuple(_share(hits, predicted).tolist()),
                         tuple(_share(hits, actual).tolist()),
                         tuple(_share(2 * hits, predicted + actual).tolist()),
                         tuple(int(a) for a in actual))


def class_measures(trainer: Trainer, part: str = "test") -> ClassMeasures | None:
    """The measures on ``part`` ("train" or "test") of the trainer's last evaluation;
    None for regression (or before any evaluation)."""
    from .metrics import confusion_matrix

    data, output = trainer.data, trainer.outputs.get(part)
    if not data.info.is_classification or output is None:
        return None
    labels = data.y_test if part == "test" else data.y_train
    matrix = confusion_matrix(output, labels, trainer.net.loss_spec, data.info.classes,
                              data.info.signed)
    return from_confusion(matrix, data.class_names)


def regression_measures(output: torch.Tensor, target: torch.Tensor,
                        scale: Sequence[float] | None = None) -> tuple[float, float] | None:
    """(RMSE in the target's own units, R²) of ``output`` against ``target`` (both
    (N, targets), the target as the loss reads it); ``scale``: each target column's
    standard deviation when the target was standardised. None if the shapes differ."""
    import torch

    if output.shape != target.shape or not len(target):
        return None
    out, y = output.detach().double(), target.detach().double()
    squares = ((out - y) ** 2).sum(dim=0)
    spread = ((y - y.mean(dim=0)) ** 2).sum(dim=0)
    units = torch.ones(y.shape[1], dtype=torch.float64) if scale is None else \
        torch.as_tensor(scale, dtype=torch.float64)
    rmse = float(((squares / len(y)) * units**2).mean().sqrt())
    # a constant target: R² is 1 for a perfect fit, else 0 (scikit-learn's convention)
    r2 = torch.where(spread > 0, 1 - squares / spread.clamp_min(1e-300),
                     (squares == 0).double())
    return rmse, float(r2.mean())


def add_regression(row: EpochRow, outputs: dict[str, torch.Tensor],
                   targets: dict[str, torch.Tensor], scaling: Scaling | None) -> None:
    """Put each set's RMSE (the target's own units) and R² into an epoch's ``row``;
    ``scaling``: how a standardised target was scaled."""
    for part in ("train", "test"):
        found = regression_measures(outputs[part], targets[part],
                                    None if scaling is None else scaling.scale.tolist())
        if found is None:
            return
        row[f"{part}_rmse"], row[f"{part}_r2"] = found  # type: ignore[literal-required]
