"""Grading one diagram against an exercise, in this process.

:func:`grade_steps` yields twice for a diagram that trains: first the checks
that need no training (so a time or memory limit that stops training later
still leaves the points they earned), then every check. The diagram is graded
with the exercise's data set and training settings, whatever it says itself,
and with the settings' seed, so the same file always gets the same score.
The network itself is run by :mod:`.network`. :mod:`.pool` runs this in worker
processes; results travel as JSON.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..checks.analysis import analyze
from ..checks.validation import validate
from ..model.diagram import Diagram
from ..model.fileio import DiagramFileError, load
from .checks import COMPILED, TRAINED, Facts, judge
from .exercise import Exercise
from .network import NetworkCache, run_network


def number(value: float) -> float:
    """A score as JSON shows it: whole numbers without ".0", others to 4 places."""
    return int(value) if float(value).is_integer() else round(float(value), 4)


@dataclass
class CheckResult:
    id: str
    passed: bool
    points: float  # earned: the check's points when it passed, else 0
    message: str

    def as_dict(self) -> dict:
        return {"id": self.id, "passed": self.passed, "points": number(self.points),
                "message": self.message}


@dataclass
class FileResult:
    """One row of the gradebook. ``checks`` of a partial result hold only the
    checks decided so far; ``plot`` is the thumbnail's data (not in the JSON)."""

    file: str
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    plot: dict | None = None

    @property
    def score(self) -> float:
        return sum(check.points for check in self.checks)

    def as_dict(self) -> dict:
        """The result as DESIGN.md's grade JSON states it."""
        return {"file": self.file, "score": number(self.score),
                "max_score": number(self.max_score), "seconds": round(self.seconds, 3),
                "error": self.error, "checks": [c.as_dict() for c in self.checks]}

    def to_message(self) -> dict:
        return {**self.as_dict(), "plot": self.plot}

    @classmethod
    def from_message(cls, data: dict) -> FileResult:
        checks = [CheckResult(str(c["id"]), bool(c["passed"]), _finite(c["points"]),
                              str(c["message"])) for c in data["checks"]]
        error = data["error"]
        return cls(str(data["file"]), _finite(data["max_score"]), checks,
                   _finite(data["seconds"]), None if error is None else str(error),
                   data.get("plot") if isinstance(data.get("plot"), dict) else None)


def _finite(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    return float(value)


def completed(exercise: Exercise, partial: FileResult | None, file: str, reason: str,
              short: str) -> FileResult:
    """A row for a file whose grading stopped (unreadable, time, memory, a crash):
    the checks decided before it stopped keep their marks, the others fail,
    saying ``short``; ``reason`` is the row's error."""
    done = {c.id: c for c in partial.checks} if partial is not None else {}
    checks = [done.get(c.id) or CheckResult(c.id, False, 0, f"not run: {short}")
              for c in exercise.checks]
    return FileResult(file, exercise.max_score, checks, error=reason)


def _scored(exercise: Exercise, facts: Facts, kinds=None) -> list[CheckResult]:
    """The checks of ``kinds`` (all when None), judged on ``facts``."""
    results = []
    for check in exercise.checks:
        if kinds is not None and check.kind not in kinds:
            continue
        passed, message = judge(check, facts, exercise)
        if not passed and check.hint:
            message = f"{message}. Hint: {check.hint}"
        results.append(CheckResult(check.id, passed, check.points if passed else 0, message))
    return results


def grade_steps(exercise: Exercise, path: str, plot: bool = False, memory: int | None = None,
                cache: NetworkCache | None = None, kernel: bool = True) -> Iterator[FileResult]:
    """Yield a partial result (the checks that need no network), then the final one.
    A file that cannot be read or has errors yields the final result at once.
    ``memory``: bytes a network may need to train (validation's estimate);
    ``cache``: outcomes of networks met before, in this process; ``kernel``: the
    whole-epoch kernel may train it."""
    try:
        diagram = load(path)
    except DiagramFileError as error:
        yield completed(exercise, None, path, f"unreadable: {error.reason}",
                        "the file cannot be read")
        return
    yield from grade_diagram_steps(exercise, diagram, path, plot, memory, cache, kernel)


def grade_diagram_steps(exercise: Exercise, diagram: Diagram, file: str = "",
                        plot: bool = False, memory: int | None = None,
                        cache: NetworkCache | None = None,
                        kernel: bool = True) -> Iterator[FileResult]:
    """:func:`grade_steps` of a diagram already read (the editor's "Check my
    work"); ``file`` names it in the result. The diagram's data set and
    training settings are replaced by the exercise's."""
    diagram.dataset, diagram.training = exercise.dataset, exercise.training
    analysis = analyze(diagram)
    facts = Facts(diagram, validate(diagram, analysis), analysis)
    later = TRAINED | COMPILED
    result = FileResult(file, exercise.max_score)
    if facts.errors:
        facts.not_run = "the diagram has errors"
        result.checks = _scored(exercise, facts)
        result.error = f"the diagram has errors: {facts.errors[0].message}"
        yield result
        return
    early = {c.kind for c in exercise.checks} - later
    result.checks = _scored(exercise, facts, early)
    yield result
    outcome = run_network(exercise, facts, plot, memory, cache, kernel)
    result.error, result.plot = outcome.failure, outcome.plot
    result.checks = _scored(exercise, facts)
    yield result
