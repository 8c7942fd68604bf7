"""What a network's output means: targets, predictions, accuracy, probabilities.

A loss declares (in the registry) what its input is: logits, probabilities,
a binary logit, a value. These functions turn that into what the trainer
and the plots need, without knowing which block type produced it.
"""

from __future__ import annotations

import numpy as np
import torch

from ..blocks.registry import LossSpec, LossTarget, Prediction


def prepare_target(y: np.ndarray, loss: LossSpec, classification: bool, outputs: int,
                   signed: bool = False):
    """The data set's labels in the form ``loss`` expects; ``signed``: the data
    set presents its two classes as −1 and +1 (one column)."""
    if signed:
        return torch.as_tensor(2 * np.asarray(y) - 1, dtype=torch.float32).reshape(-1, 1)
    if loss.target == LossTarget.CLASS_INDEX:
        return torch.as_tensor(y, dtype=torch.long)
    if loss.target == LossTarget.BINARY:
        return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
    if classification:  # a regression loss on class labels: one-hot targets
        return torch.nn.functional.one_hot(torch.as_tensor(y, dtype=torch.long),
                                           outputs).float()
    return torch.as_tensor(y, dtype=torch.float32).reshape(len(y), -1)


def class_threshold(loss: LossSpec | None, signed: bool, columns: int) -> float | None:
    """The value of the output's first column above which a sample is class 1
    (for −1/+1 labels its sign), or None when the class is the column with the
    largest value."""
    if signed or (loss is not None and loss.prediction == Prediction.BINARY_LOGIT):
        return 0.0
    if loss is not None and loss.prediction == Prediction.BINARY_PROBABILITY:
        return 0.5
    return 0.5 if columns == 1 else None


def predicted_classes(output: torch.Tensor, loss: LossSpec | None,
                      signed: bool = False) -> torch.Tensor:
    """Class indices from the model's output (:func:`class_threshold`)."""
    threshold = class_threshold(loss, signed, output.shape[1])
    if threshold is not None:
        return (output[:, 0] > threshold).long()
    return output.argmax(dim=1)


def probabilities(output: torch.Tensor, loss: LossSpec | None,
                  signed: bool = False) -> torch.Tensor:
    """Class probabilities (N, classes) from the model's output, for plots; an
    output between −1 and +1 reads as the probability (ŷ + 1) / 2 of class 1."""
    if signed:
        p = ((output[:, :1] + 1) / 2).clamp(0, 1)
        return torch.cat([1 - p, p], dim=1)
    kind = loss.prediction if loss is not None else Prediction.PROBABILITIES
    if kind == Prediction.LOGITS:
        return torch.softmax(output, dim=1)
    if kind == Prediction.LOG_PROBABILITIES:
        return output.exp()
    if kind in (Prediction.BINARY_LOGIT, Prediction.BINARY_PROBABILITY):
        p = torch.sigmoid(output[:, :1]) if kind == Prediction.BINARY_LOGIT else output[:, :1]
        p = p.clamp(0, 1)
        return torch.cat([1 - p, p], dim=1)
    return output.clamp(0, 1)


def accuracy(output: torch.Tensor, y: np.ndarray | torch.Tensor, loss: LossSpec | None,
             signed: bool = False) -> float:
    """The share of samples whose predicted class is their label (a class index)."""
    labels = torch.as_tensor(y, dtype=torch.long).reshape(-1)
    return float((predicted_classes(output, loss, signed) == labels).float().mean())


def confusion_matrix(output: torch.Tensor, y, loss: LossSpec | None, classes: int,
                     signed: bool = False) -> np.ndarray:
    """Rows: true class; columns: predicted class."""
    labels = torch.as_tensor(y, dtype=torch.long).reshape(-1)
    predicted = predicted_classes(output, loss, signed).clamp(0, classes - 1)
    matrix = torch.zeros(classes * classes, dtype=torch.long)
    matrix.index_add_(0, labels * classes + predicted, torch.ones_like(labels))
    return matrix.reshape(classes, classes).numpy()
