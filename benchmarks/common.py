"""What every benchmark shares: a figure record and interleaved timing.

The machine running a benchmark is rarely quiet (a laptop on battery, CI
neighbours, other test runs), so no figure is an absolute time taken alone:
each is measured beside its reference in the same run, the two interleaved
round by round, and reported as the median over rounds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass
class Figure:
    """One line of the table: a measured value, what it is compared with, its goal."""

    key: str  # stable id, e.g. "2.headless-vs-eager"
    title: str
    value: float
    unit: str  # "x" for a ratio, "ms", "Hz", "epochs/s"
    goal: float | None = None
    higher_is_better: bool = True
    reference: str = ""  # what the value was measured beside, with its own number
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        return self.value >= self.goal if self.higher_is_better else self.value <= self.goal

    def as_dict(self) -> dict:
        return {**asdict(self), "met": self.met}


# CPU time of this thread: what the work costs, whatever else the machine
# runs meanwhile (torch runs on this one thread: set_num_threads(1)).
CPU = time.thread_time
WALL = time.perf_counter


def seconds(fn: Callable[[], object], number: int, clock=CPU) -> float:
    """Time of one call of ``fn``, averaged over ``number`` calls."""
    start = clock()
    for _ in range(number):
        fn()
    return (clock() - start) / number


def interleaved(fns: dict[str, Callable[[], object]], rounds: int, number: int,
                clock=CPU) -> dict:
    """Time each function ``number`` times per round, in turn, for ``rounds``
    rounds (the order rotates so none always runs first). Returns, per name,
    the list of per-call times, one per round."""
    names = list(fns)
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(seconds(fns[name], number, clock))
    return times


def median_ratio(numerator: list[float], denominator: list[float]) -> float:
    """Median over rounds of numerator/denominator, measured in the same round."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(value_seconds: float) -> float:
    return value_seconds * 1000.0
