"""One epoch of a run's history, as the trainer records it, the training process
sends it to the editor, the editor plots it and ``train --json`` prints it.

A typed dict: a row is a plain dict (what ``ge.train(...).history`` has always
held, and what travels as JSON), and its keys are declared once, here, so mypy
checks every place that writes or reads one.
"""

from __future__ import annotations

from typing import TypedDict


class _Measured(TypedDict):
    epoch: int  # epochs trained so far (1 for the first)
    train_loss: float  # on the whole training set, after the epoch
    test_loss: float


class EpochRow(_Measured, total=False):
    train_accuracy: float  # classification only
    test_accuracy: float
    train_rmse: float  # regression only: the root-mean-square error in the target's units
    test_rmse: float
    train_r2: float  # regression only: the coefficient of determination
    test_r2: float
    grad_norms: dict[str, float]  # block id -> gradient norm (teaching rows)
    weight_norms: dict[str, float]  # block id -> weight norm (teaching rows)
    confusion: dict[str, list[list[int]]]  # "train" / "test" -> counts (teaching rows)


class TeachingNumbers(TypedDict, total=False):
    """What the training process adds to some rows for the teaching views."""

    grad_norms: dict[str, float]
    weight_norms: dict[str, float]
    confusion: dict[str, list[list[int]]]


class CurvePoint(TypedDict, total=False):
    """A point of the curves between two epochs, at a set pace: the losses and
    accuracies (a regression's RMSE and R²) of an EpochRow after a fractional number
    of epochs."""

    epoch: float  # 2.4: two epochs and 40 per cent of the third
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    train_rmse: float
    test_rmse: float
    train_r2: float
    test_r2: float
