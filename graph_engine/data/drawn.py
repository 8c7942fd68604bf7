"""Points drawn by hand: the ``points`` data set.

A teacher draws points in the Output plot (or copies a built-in set's and adds a
few); they are saved in the diagram file as ``[[x1, x2, label], ...]``: a class
index for classification, a value for regression (``"task": "regression"``).
Every point is checked as a file's values are: at most :data:`MAX_POINTS`,
finite numbers on TensorFlow Playground's plane, labels in range.

The split into training and test points is a function of each point alone (its
coordinates, its label and the seed), not of its place in the list: drawing or
erasing a point never moves another one between the two sets.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.text import quoted
from .dataset import CLASSIFICATION, PLANE, REGRESSION, Dataset, DatasetError, DatasetInfo

MAX_POINTS = 10_000
MAX_CLASSES = 10  # the class colours the plots have
MAX_VALUE = 1e6  # a regression value drawn or typed, either sign
TASKS = (CLASSIFICATION, REGRESSION)
FEATURES = ("x1", "x2")

Point = tuple[float, float, float]


def checked_points(value: object, task: str) -> tuple[Point, ...]:
    """``value`` as a tuple of (x1, x2, label) points, or ValueError naming the
    first point that is not one (labels: class indices, or values for regression)."""
    if task not in TASKS:
        shown = quoted(task) if isinstance(task, str) else type(task).__name__
        raise ValueError(f"task must be {' or '.join(TASKS)} (got {shown})")
    if not isinstance(value, (list, tuple)):
        raise ValueError("points must be a list of [x1, x2, label]")
    if len(value) > MAX_POINTS:
        raise ValueError(f"points has {len(value):,} entries; the limit is {MAX_POINTS:,}")
    fast = _all_fine(value, task)
    if fast is not None:
        return fast
    return tuple(_point(point, index, task) for index, point in enumerate(value))


def _all_fine(value: list | tuple, task: str) -> tuple[Point, ...] | None:
    """The points, checked at once with numpy when every one is fine (a stroke on ten
    thousand points takes milliseconds); None when one is not, for :func:`_point` to
    find and name."""
    if not all(type(p) in (list, tuple) and len(p) == 3 for p in value):
        return None
    flat = [v for point in value for v in point]
    if not set(map(type, flat)) <= {int, float}:  # bool is neither
        return None
    try:
        table = np.array(flat, dtype=np.float64).reshape(-1, 3)
    except OverflowError:
        return None
    x, labels = table[:, :2], table[:, 2]
    fine = bool(np.isfinite(table).all() and (np.abs(x) <= PLANE[1]).all())
    if task == REGRESSION:
        fine = fine and bool((np.abs(labels) <= MAX_VALUE).all())
        kept = labels.tolist()
    else:
        fine = fine and bool(((labels == np.round(labels)) & (labels >= 0)
                              & (labels < MAX_CLASSES)).all())
        kept = labels.astype(np.int64).tolist() if fine else []
    if not fine:
        return None
    return tuple(zip(x[:, 0].tolist(), x[:, 1].tolist(), kept, strict=True))


def _point(point: object, index: int, task: str) -> Point:
    where = f"points: point {index + 1}"
    if not isinstance(point, (list, tuple)) or len(point) != 3:
        raise ValueError(f"{where} must be [x1, x2, label], a list of three numbers")
    x1, x2, label = (_number(v, where) for v in point)
    low, high = PLANE[0], PLANE[1]
    for name, coordinate in (("x1", x1), ("x2", x2)):
        if not low <= coordinate <= high:
            raise ValueError(f"{where} has {name} = {coordinate:g}, outside the plane "
                             f"({low:g} to {high:g})")
    if task == REGRESSION:
        if abs(label) > MAX_VALUE:
            raise ValueError(f"{where} has the value {label:g}; values lie within "
                             f"±{MAX_VALUE:g}")
        return x1, x2, label
    if label != int(label) or not 0 <= label < MAX_CLASSES:
        raise ValueError(f"{where} has the label {label:g}: a class is a whole number from 0 "
                         f"to {MAX_CLASSES - 1}")
    return x1, x2, int(label)


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} must be [x1, x2, label], a list of three numbers")
    try:
        number = float(value)
    except OverflowError:  # a whole number of hundreds of digits
        raise ValueError(f"{where} holds a number too large") from None
    if not math.isfinite(number):
        raise ValueError(f"{where} holds a number that is not finite")
    return number


def as_lists(points: tuple[Point, ...]) -> list[list[float]]:
    """The points as the file writes them."""
    return [list(point) for point in points]


# ------------------------------------------------------------------ drawing

DECIMALS = 3  # a drawn or copied point's coordinates are kept to this many places


def on_plane(x1: float, x2: float) -> bool:
    return PLANE[0] <= x1 <= PLANE[1] and PLANE[2] <= x2 <= PLANE[3]


NUDGES = tuple(sorted(((dx, dy) for dx in range(-3, 4) for dy in range(-3, 4)),
                     key=lambda d: d[0] ** 2 + d[1] ** 2))  # in steps of 10^-DECIMALS


def added(points: tuple[Point, ...], new, label: float, seed: int = 0, ratio: float = 0.5,
          train: bool = True) -> tuple[tuple[Point, ...], int]:
    """``points`` with the (x1, x2) positions ``new`` drawn with ``label``, each placed
    (:func:`placed`) where the split puts it in the training set (or with ``train``
    False, the test set); and how many did not fit under MAX_POINTS (or lay off the
    plane)."""
    kept = [placed(x1, x2, label, seed, ratio, train) for x1, x2 in new if on_plane(x1, x2)]
    room = max(0, MAX_POINTS - len(points))
    return (*points, *kept[:room]), len(new) - min(len(kept), room)


def placed(x1: float, x2: float, label: float, seed: int, ratio: float, train: bool) -> Point:
    """The point drawn at (x1, x2), rounded, and moved by at most three thousandths
    (less than a pixel of the plot) to the nearest place whose hash puts it on the
    side of the split asked for: a point a teacher draws trains, unless drawn as a
    test point. Where none of those places does (a train ratio of 0.1, rarely), the
    rounded point as it is."""
    step = 10.0 ** -DECIMALS
    candidates = [(round(x1 + dx * step, DECIMALS), round(x2 + dy * step, DECIMALS), label)
                  for dx, dy in NUDGES]
    candidates = [c for c in candidates if on_plane(c[0], c[1])] or candidates[:1]
    shares = point_hash(np.array(candidates, dtype=np.float64), seed)
    wanted = (shares < ratio) == train
    return candidates[int(np.argmax(wanted))] if wanted.any() else candidates[0]


def erased(points: tuple[Point, ...], at, reach: tuple[float, float]) -> tuple[Point, ...]:
    """``points`` without those within ``reach`` (an ellipse's half axes, in x1 and x2:
    a circle of a few pixels on screen) of any position in ``at``."""
    if not points or not len(at):
        return points
    table, centres = np.asarray(points, dtype=np.float64)[:, :2], np.asarray(at, dtype=float)
    scaled = (table[:, None, :] - centres[None, :, :]) / np.asarray(reach)
    hit = ((scaled**2).sum(axis=2) <= 1).any(axis=1)
    return tuple(p for p, gone in zip(points, hit, strict=True) if not gone)


def copied(data: Dataset) -> tuple[tuple[Point, ...], str, int]:
    """A two-input data set's points (training and test) as points to draw on: the
    points, their task, and how many were left out (off the plane, a class beyond the
    colours, or past MAX_POINTS)."""
    task = CLASSIFICATION if data.info.is_classification else REGRESSION
    x, y = data.x_all.astype(np.float64), data.y_all.reshape(len(data.x_all), -1)[:, 0]
    keep = (np.abs(x) <= PLANE[1]).all(axis=1)
    keep &= (y < MAX_CLASSES) if task == CLASSIFICATION else (np.abs(y) <= MAX_VALUE)
    label = int if task == CLASSIFICATION else float
    points = tuple((round(float(a), DECIMALS), round(float(b), DECIMALS), label(c))
                   for (a, b), c in zip(x[keep], y[keep], strict=True))[:MAX_POINTS]
    return points, task, len(x) - len(points)


# ------------------------------------------------------------------ the data set

def points_info(spec) -> DatasetInfo:
    """What the drawn points make: DatasetError while they cannot train yet."""
    points = spec.points or ()
    if spec.task == REGRESSION:
        if len(points) < 2:
            raise DatasetError(f"draw at least two points (now {len(points)})")
        return DatasetInfo(spec.name, REGRESSION, 2, 0, 1,
                           f"{len(points):,} points drawn by hand, each with a value.")
    present = sorted({int(p[2]) for p in points})
    if len(present) < 2:
        now = f"{len(points)} point{'s' * (len(points) != 1)}" + \
            (f", all of class {present[0]}" if present else "")
        raise DatasetError(f"draw points of two classes at least (now {now})")
    classes = present[-1] + 1
    return DatasetInfo(spec.name, CLASSIFICATION, 2, classes, 1,
                       f"{len(points):,} points drawn by hand, {classes} classes.")


def load_points(spec) -> Dataset:
    info = points_info(spec)
    table = np.array(spec.points, dtype=np.float64).reshape(-1, 3)
    x = table[:, :2].astype(np.float32)
    if info.is_classification:
        y = table[:, 2].astype(np.int64)
        classes = tuple(str(i) for i in range(info.classes))
    else:
        y, classes = table[:, 2:].astype(np.float32), ()
    train = training_points(table, spec.seed, spec.train_ratio)
    return Dataset(info, x[train], y[train], x[~train], y[~train], FEATURES, classes, PLANE)


def training_points(table: np.ndarray, seed: int, ratio: float) -> np.ndarray:
    """True for the points that train: each point's own hash against ``ratio``; at
    least one point on each side."""
    share = point_hash(table, seed)
    train = share < ratio
    if train.all():
        train[int(share.argmax())] = False
    elif not train.any():
        train[int(share.argmin())] = True
    return train


_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
_SHIFTS = tuple(np.uint64(s) for s in (30, 27, 31, 11))


def point_hash(table: np.ndarray, seed: int) -> np.ndarray:
    """A number in [0, 1) for each (x1, x2, label) row, from its bits and the seed
    (splitmix64's mixing): the same point always gets the same number."""
    bits = np.ascontiguousarray(table, dtype=np.float64).view(np.uint64)
    state = np.full(len(table), seed, dtype=np.uint64)
    for column in range(bits.shape[1]):
        state = _mixed(state ^ bits[:, column])
    return (state >> _SHIFTS[3]).astype(np.float64) / 2.0**53


def _mixed(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> _SHIFTS[0])) * _MIX[0]  # uint64 arrays wrap around, as the mix wants
    z = (z ^ (z >> _SHIFTS[1])) * _MIX[1]
    return z ^ (z >> _SHIFTS[2])
