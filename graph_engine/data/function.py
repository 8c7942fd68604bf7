"""Classes from a function: the ``function`` data set.

Points lie uniformly over TensorFlow Playground's plane (x1 and x2 from −6 to 6,
not standardised). With a ``boundary`` f(x1), a point above the curve
x2 = f(x1) is class 1 and one on or below it class 0, so a student watches a
network approximate the curve; with a ``target`` f(x1, x2), each point's value
is the formula's, a regression set. Noise moves the place where the formula
is read, up to ±noise × 6 in each direction (clipped to the plane), as
Playground jitters its points before labelling them: noisy points near the
curve get the other class.

A formula goes through the safe formula parser (:mod:`..core.formula`, never
eval) with x1 (and x2) as its only names, and is bounded as a custom
activation's. Validation evaluates it over a grid of the plane first: a
formula that is not finite there, or that leaves every point in one class,
is a problem with a message saying where.
"""

from __future__ import annotations

import numpy as np

from ..core.formula import MAX_LENGTH, Formula, evaluate_numpy, parse
from ..core.text import checked_text
from .dataset import CLASSIFICATION, PLANE, REGRESSION, Dataset, DatasetError, DatasetInfo, split

BOUNDARY_NAMES = ("x1",)  # a curve x2 = f(x1)
TARGET_NAMES = ("x1", "x2")
GRID = 241  # points per side where validation reads the formula (a step of 0.05)
MAX_TARGET = 1e6  # a target value, either sign
CLASS_NAMES = ("below", "above")
FEATURES = ("x1", "x2")


def check(spec) -> None:
    """ValueError unless the spec has one formula, and it parses."""
    if bool(spec.boundary) == bool(spec.target):
        raise ValueError("the function data set takes a boundary (class 1 above the curve "
                         "x2 = f(x1), e.g. \"sin(x1)\") or a target (a value f(x1, x2), e.g. "
                         "\"x1 * x2\"), one of the two")
    formula(spec)


def formula(spec) -> Formula:
    """The spec's formula, parsed; ValueError naming the key when it does not."""
    key, text, names = (("boundary", spec.boundary, BOUNDARY_NAMES) if spec.boundary
                        else ("target", spec.target, TARGET_NAMES))
    checked_text(text, key, MAX_LENGTH)
    try:
        return parse(text, names, parameters=False)
    except ValueError as error:
        raise ValueError(f"{key}: {error}") from None


def function_info(spec) -> DatasetInfo:
    """What the formula makes, checked over a grid of the plane."""
    parsed = formula(spec)
    axis = np.linspace(PLANE[0], PLANE[1], GRID)
    if spec.boundary:
        _check_curve(parsed, axis, _values(parsed, {"x1": axis}, axis[:, None]))
        return DatasetInfo(spec.name, CLASSIFICATION, 2, 2, 1, "Points over the plane: class "
                           f"1 above the curve x2 = {parsed.text}, class 0 below.")
    x1, x2 = (a.ravel() for a in np.meshgrid(axis, axis))
    _values(parsed, {"x1": x1, "x2": x2}, np.stack([x1, x2], axis=1), MAX_TARGET)
    return DatasetInfo(spec.name, REGRESSION, 2, 0, 1,
                       f"Points over the plane with the value {parsed.text}.")


def _values(parsed: Formula, variables: dict, where: np.ndarray,
            limit: float = np.inf) -> np.ndarray:
    """The formula at ``variables``; DatasetError naming the first point (a row of
    ``where``) where it is not a finite number within ±``limit``."""
    values = np.broadcast_to(evaluate_numpy(parsed.tree, variables), where.shape[:1])
    bad = ~np.isfinite(values) | (np.abs(values) > limit)
    if bad.any():
        row = where[int(bad.argmax())]
        at = ", ".join(f"{n} = {v:.3g}" for n, v in zip(FEATURES[:len(row)], row, strict=True))
        what = "not a finite number" if not np.isfinite(values[bad.argmax()]) else \
            f"beyond ±{limit:g}"
        raise DatasetError(f"{parsed.text} is {what} at {at}: choose a formula defined over "
                           f"the whole plane ({PLANE[0]:g} to {PLANE[1]:g})")
    return values


def _check_curve(parsed: Formula, axis: np.ndarray, curve: np.ndarray) -> None:
    """DatasetError when the curve passes above or below the whole plane."""
    for side, outside, label in (("above", curve >= PLANE[3], 0), ("below", curve < PLANE[2], 1)):
        if outside.all():
            raise DatasetError(f"the curve x2 = {parsed.text} passes {side} the plane "
                               f"(x2 from {PLANE[2]:g} to {PLANE[3]:g}) everywhere, so every "
                               f"point would be class {label}: shift or scale it to cross "
                               "the plane")


def load_function(spec) -> Dataset:
    info = function_info(spec)
    parsed = formula(spec)
    rng = np.random.default_rng(spec.seed)
    points = rng.uniform(PLANE[0], PLANE[1], (spec.samples, 2))
    jitter = rng.uniform(PLANE[0], PLANE[1], points.shape) * spec.noise
    read = np.clip(points + jitter, PLANE[0], PLANE[1])  # where the formula is read
    if spec.boundary:
        curve = _values(parsed, {"x1": read[:, 0]}, read[:, :1])
        y = (read[:, 1] > curve).astype(np.int64)
        _check_both_classes(parsed, y)
        classes: tuple[str, ...] = CLASS_NAMES
    else:
        y = _values(parsed, {"x1": read[:, 0], "x2": read[:, 1]}, read, MAX_TARGET)
        y, classes = y.astype(np.float32)[:, None], ()
    return split(info, points.astype(np.float32), y, spec.seed, spec.train_ratio, FEATURES,
                 classes, PLANE)


def _check_both_classes(parsed: Formula, y: np.ndarray) -> None:
    if y.min() == y.max():
        raise DatasetError(f"all {len(y)} points lie {CLASS_NAMES[int(y[0])]} the curve x2 = "
                           f"{parsed.text}: draw more samples, or move the curve into the "
                           "plane")
