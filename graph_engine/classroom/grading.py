"""Grading one diagram against an exercise, in this process.

:func:`grade_steps` yields twice for a diagram that trains: first the checks
that need no training (so a time or memory limit that stops training later
still leaves the points they earned), then every check. The diagram is graded
with the exercise's data set and training settings, whatever it says itself,
and with the settings' seed, so the same file always gets the same score.
The network itself is run by :mod:`.network`. :mod:`.pool` runs this in worker
processes; results travel as JSON.

Doing nothing earns nothing: the exercise's untouched start is graded too
(:func:`start_passes`), and a check it already passes (unless the exercise
marks it ``given``) earns its points only alongside a check the start fails
(:func:`free_points`). A given check is no such progress.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..checks.analysis import analyze
from ..checks.validation import validate
from ..model import fileio
from ..model.diagram import Diagram
from ..model.fileio import DiagramFileError
from . import flags as flagging
from .checks import judge
from .exercise import Exercise
from .kinds import KINDS, Facts, Need
from .network import NetworkCache, fingerprint, run_network

FREE_NOTE = ("no points: the untouched start passes this too; it counts alongside a check "
             "the start fails")


def number(value: float) -> float:
    """A score as JSON shows it: whole numbers without ".0", others to 4 places."""
    return int(value) if float(value).is_integer() else round(float(value), 4)


@dataclass
class CheckResult:
    id: str
    passed: bool
    points: float  # earned: the check's points when it passed (and counts), else 0
    message: str

    def as_dict(self) -> dict:
        return {"id": self.id, "passed": self.passed, "points": number(self.points),
                "message": self.message}


@dataclass
class FileResult:
    """One row of the gradebook. ``checks`` of a partial result hold only the
    checks decided so far; ``plot`` is the thumbnail's data, ``digest`` and
    ``network`` fingerprint the file and its network (none of them in the JSON)."""

    file: str
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    plot: dict | None = None
    flags: list[str] = field(default_factory=list)  # what the file itself shows
    digest: str | None = None  # sha256 of the file's bytes
    network: str | None = None  # sha256 of its network (network_key), None if unreadable
    copies: flagging.Copies = field(default_factory=flagging.Copies)  # found among the files

    @property
    def score(self) -> float:
        return sum(check.points for check in self.checks)

    def all_flags(self, named: bool = True) -> list[str]:
        """The row's flags; without ``named``, copies do not name the other files."""
        return [*self.flags, *self.copies.texts(named)]

    def as_dict(self) -> dict:
        """The result as DESIGN.md's grade JSON states it."""
        return {"file": self.file, "score": number(self.score),
                "max_score": number(self.max_score), "seconds": round(self.seconds, 3),
                "error": self.error, "checks": [c.as_dict() for c in self.checks],
                "flags": self.all_flags()}

    def to_message(self) -> dict:
        return {**self.as_dict(), "plot": self.plot, "own_flags": self.flags,
                "digest": self.digest, "network": self.network}

    @classmethod
    def from_message(cls, data: dict) -> FileResult:
        checks = [CheckResult(str(c["id"]), bool(c["passed"]), _finite(c["points"]),
                              str(c["message"])) for c in data["checks"]]
        error = data["error"]
        return cls(str(data["file"]), _finite(data["max_score"]), checks,
                   _finite(data["seconds"]), None if error is None else str(error),
                   data.get("plot") if isinstance(data.get("plot"), dict) else None,
                   [str(f) for f in data.get("own_flags") or []],
                   _text_or_none(data.get("digest")), _text_or_none(data.get("network")))


def _finite(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    return float(value)


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def completed(exercise: Exercise, partial: FileResult | None, file: str, reason: str,
              short: str) -> FileResult:
    """A row for a file whose grading stopped (unreadable, time, memory, a crash):
    the checks decided before it stopped keep their marks, the others fail,
    saying ``short``; ``reason`` is the row's error."""
    done = {c.id: c for c in partial.checks} if partial is not None else {}
    checks = [done.get(c.id) or CheckResult(c.id, False, 0, f"not run: {short}")
              for c in exercise.checks]
    result = FileResult(file, exercise.max_score, checks, error=reason)
    if partial is not None:
        result.flags, result.digest, result.network = \
            partial.flags, partial.digest, partial.network
    return result


def _scored(exercise: Exercise, facts: Facts, needs=None) -> list[CheckResult]:
    """The checks whose kinds need one of ``needs`` (all when None), judged on ``facts``."""
    results = []
    for check in exercise.checks:
        if needs is not None and KINDS.get(check.kind).need not in needs:
            continue
        passed, message = judge(check, facts, exercise)
        if not passed and check.hint:
            message = f"{message}. Hint: {check.hint}"
        results.append(CheckResult(check.id, passed, check.points if passed else 0, message))
    return results


def free_points(exercise: Exercise, checks: list[CheckResult],
                start: frozenset[str]) -> list[CheckResult]:
    """``checks`` with the rule for the checks the untouched start passes (``start``):
    each, unless ``given``, earns nothing unless the answer also earns a check the
    start fails."""
    if any(c.points > 0 and c.id not in start for c in checks):
        return checks
    given = {c.id for c in exercise.checks if c.given}
    return [CheckResult(c.id, c.passed, 0, f"{c.message} ({FREE_NOTE})")
            if c.id in start and c.id not in given and c.passed and c.points > 0 else c
            for c in checks]


def grade_steps(exercise: Exercise, path: str, plot: bool = False, memory: int | None = None,
                cache: NetworkCache | None = None, kernel: bool = True) -> Iterator[FileResult]:
    """Yield a partial result (the checks that need no training), then the final one.
    A file that cannot be read or has errors yields the final result at once.
    ``memory``: bytes a network may need to train (validation's estimate);
    ``cache``: outcomes of networks met before, in this process; ``kernel``: the
    whole-epoch kernel may train it."""
    try:
        diagram, digest = fileio.read_file(path, _read_with_digest)
    except DiagramFileError as error:
        yield completed(exercise, None, path, f"unreadable: {error.reason}",
                        "the file cannot be read")
        return
    for result in grade_diagram_steps(exercise, diagram, path, plot, memory, cache,
                                      kernel=kernel):
        result.digest = digest
        yield result


def _read_with_digest(raw: bytes) -> tuple[Diagram, str]:
    return fileio.loads(raw), hashlib.sha256(raw).hexdigest()


def grade_diagram_steps(exercise: Exercise, diagram: Diagram, file: str = "",
                        plot: bool = False, memory: int | None = None,
                        cache: NetworkCache | None = None,
                        free: frozenset[str] | None = None,
                        kernel: bool = True) -> Iterator[FileResult]:
    """:func:`grade_steps` of a diagram already read (the editor's "Check my
    work"); ``file`` names it in the result. The diagram's data set and
    training settings are replaced by the exercise's. ``free``: the checks the
    untouched start passes (found, and kept, by :func:`start_passes` if None)."""
    if free is None:
        free = start_passes(exercise, memory, cache, kernel)
    result = FileResult(file, exercise.max_score,
                        flags=flagging.own_flags(exercise, diagram, start_network(exercise)),
                        network=fingerprint(diagram))
    diagram.dataset, diagram.training = exercise.dataset, exercise.training
    analysis = analyze(diagram)
    facts = Facts(diagram, validate(diagram, analysis), analysis)
    if facts.errors:
        facts.not_run = "the diagram has errors"
        result.checks = free_points(exercise, _scored(exercise, facts), free)
        result.error = f"the diagram has errors: {facts.errors[0].message}"
        yield result
        return
    result.checks = free_points(exercise, _scored(exercise, facts, {Need.DIAGRAM, Need.NETWORK}),
                                free)
    yield result
    outcome = run_network(exercise, facts, plot, memory, cache, kernel)
    result.error, result.plot = outcome.failure, outcome.plot
    result.checks = free_points(exercise, _scored(exercise, facts), free)
    yield result


# ------------------------------------------------------------------ the untouched start

_STARTS: OrderedDict[str, frozenset[str]] = OrderedDict()
KEPT_STARTS = 4


def start_passes(exercise: Exercise, memory: int | None = None,
                 cache: NetworkCache | None = None, kernel: bool = True) -> frozenset[str]:
    """The ids of the checks the exercise's untouched start passes (``given`` ones
    too): graded once per exercise in a process (the start trains like any
    answer, so a start handed back unchanged costs nothing more with ``cache``)."""
    key = exercise_key(exercise)
    found = _STARTS.get(key)
    if found is None:
        *_, result = grade_diagram_steps(exercise, exercise.student_diagram(), memory=memory,
                                         cache=cache, free=frozenset(), kernel=kernel)
        found = frozenset(c.id for c in result.checks if c.passed)
        _STARTS[key] = found
        while len(_STARTS) > KEPT_STARTS:
            _STARTS.popitem(last=False)
    return found


def exercise_key(exercise: Exercise) -> str:
    from .exercise import dumps

    return dumps(exercise)


@functools.lru_cache(maxsize=8)  # by identity: an exercise is read once per run
def start_network(exercise: Exercise) -> str:
    """The fingerprint of the untouched start's network (an empty canvas's too)."""
    return fingerprint(exercise.student_diagram())
