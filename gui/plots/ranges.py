"""Axis ranges that move in round steps while a run grows.

An axis whose range changes is redrawn (ticks, labels, its grid), and a range
fitted to the data changes at every epoch: at ten frames a second that was
most of what the editor spent drawing. These ranges end at 1, 2 or 5 × 10ⁿ
(whole decades on a log axis) and move only when the data leaves them or sits
far inside them.
"""

from __future__ import annotations

import numpy as np

SHRINK = 0.4  # a linear range shrinks once the data spans less than this share of it


def nice_above(value: float, steps=(1, 2, 5)) -> float:
    """The least of ``steps`` × 10ⁿ at or above ``value`` (> 0)."""
    scale = 10 ** np.floor(np.log10(value))
    for step in (*steps, 10):
        if step * scale >= value:
            return float(step * scale)
    return float(10 * scale)


def nice_limit(epochs: float) -> float:
    """The epoch axis's end, a little past the last epoch: it moves a few times a
    run, and the curves fill most of the plot."""
    return nice_above(max(10.0, epochs * 1.05), (1, 1.5, 2, 3, 4, 5, 6, 8))


class SteadyRange:
    """The value axis of curves that grow: :meth:`fit` answers the range to show,
    or None while the one shown still fits."""

    def __init__(self) -> None:
        self.range: tuple[float, float] | None = None  # in data units
        self.log = False

    def reset(self, log: bool | None = None) -> None:
        self.range = None
        if log is not None:
            self.log = log

    def fit(self, arrays) -> tuple[float, float] | None:
        """The view range for the data in ``arrays`` (exponents on a log axis);
        None when it is unchanged or there is nothing to show."""
        values = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays]) \
            if arrays else np.zeros(0)
        values = values[np.isfinite(values)]
        if self.log:
            values = values[values > 0]
        if not values.size:
            self.range = None
            return None
        low, high = float(values.min()), float(values.max())
        current = self.range
        if current is not None and current[0] <= low and high <= current[1] and \
                (self.log or high - current[0] >= SHRINK * (current[1] - current[0])):
            return None
        if self.log:
            bottom = float(np.floor(np.log10(low)))
            top = max(float(np.ceil(np.log10(high))), bottom + 1)
            self.range = (10 ** bottom, 10 ** top)
            return bottom, top
        self.range = (0.0 if low >= 0 else -nice_above(-low), nice_above(high) if high > 0
                      else 1.0)
        return self.range


class EpochRange:
    """The epoch axis: from 0 to :func:`nice_limit` of the last epoch."""

    def __init__(self) -> None:
        self.limit = 0.0

    def fit(self, last_epoch: float) -> tuple[float, float] | None:
        """The range to show, or None while the one shown still fits."""
        limit = nice_limit(last_epoch)
        if limit == self.limit:
            return None
        self.limit = limit
        return 0.0, limit


def show_range(plot, axis: str, shown: tuple[float, float]) -> None:
    """Fix ``plot``'s ``axis`` ("x" or "y") at ``shown``: no more auto-range."""
    plot.getPlotItem().vb.disableAutoRange(axis=axis)
    (plot.setXRange if axis == "x" else plot.setYRange)(*shown, padding=0)
