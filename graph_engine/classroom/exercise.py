"""Exercise files: a task, a starting diagram, the data set, the settings and the checks.

Versioned JSON (``"format": "netcanvas-exercise"``, ``"version": 1``), read
like a diagram file: bounded, parsed into typed records, every problem a
:class:`~graph_engine.model.fileio.DiagramFileError` saying what and where.
The starting diagram is a diagram document read by the diagram reader, the
data set and the training settings by its record readers, so an exercise
holds nothing a diagram file could not. Whatever :func:`save` writes,
:func:`load` reads back. See docs/exercise-format.md.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from typing import cast

from ..core import limits
from ..core.files import check_path, copy_into, write_atomic
from ..core.params import FLOAT, ParamSpec
from ..core.text import checked_id, checked_text
from ..data.catalogue import DATASETS
from ..data.spec import DatasetSpec
from ..model import fileio, values
from ..model.diagram import Diagram
from ..model.fileio import DiagramFileError, read_checked, read_keys, read_list
from ..model.locks import Locks
from ..model.settings import TrainingSettings
from .checks import short, warning_codes
from .kinds import KINDS, Check

__all__ = ["FORMAT", "KINDS", "VERSION", "Check", "Exercise", "check", "dumps", "load", "loads",
           "save", "warning_codes"]

FORMAT = "netcanvas-exercise"
VERSION = 1
MAX_BYTES = fileio.MAX_BYTES + (1 << 20)  # a diagram, the task and the checks
MAX_TASK = 20_000  # characters of the task's Markdown
MAX_CHECKS = 100
MAX_HINT = 1000
MAX_POINTS = 1000.0

TOP_KEYS = {"format", "version", "title", "task", "start", "locked", "dataset", "training",
            "checks"}
REQUIRED = {"format", "version", "title", "dataset", "training", "checks"}
COMMON_KEYS = {"id", "kind", "points", "hidden", "given", "hint"}


@dataclass(frozen=True, eq=False)
class Exercise:
    title: str
    dataset: DatasetSpec
    training: TrainingSettings
    checks: tuple[Check, ...]
    task: str = ""
    start: Diagram | None = None
    locked: tuple[str, ...] = field(default=())

    @property
    def max_score(self) -> float:
        return sum(check.points for check in self.checks)

    def locked_blocks(self) -> dict[str, tuple[str, dict]]:
        """Locked block id -> (type, params) as the start diagram has it."""
        start = self.start
        if start is None:
            return {}
        return {b: (start.block(b).type, dict(start.block(b).params)) for b in self.locked}

    def locks(self) -> Locks:
        """What a student's editor keeps fixed: the locked blocks, the wires the start
        diagram draws between two of them, the data set and the training settings.
        A wire from a locked block to one the student may change can move: the
        task is often to put layers between the fixed ends."""
        locked = frozenset(self.locked)
        wires = frozenset(w for w in self.start.wires if w.src in locked and w.dst in locked) \
            if self.start is not None else frozenset()
        return Locks(locked, wires, dataset=True, training=True,
                     owner=f"the exercise \u201c{self.title}\u201d")

    def student_diagram(self) -> Diagram:
        """The diagram a student starts from: a copy of the start diagram (or an
        empty one) with the exercise's data set and settings, answering this
        exercise, under its locks."""
        diagram = fileio.loads(fileio.dumps(self.start)) if self.start is not None \
            else Diagram()
        diagram.dataset, diagram.training = self.dataset, self.training
        diagram.exercise = self.title
        diagram.locks = self.locks()
        return diagram

    def to_dict(self, folder: str | None = None) -> dict:
        """The document; with ``folder`` (where it is saved), a table file inside that
        folder is written relative to it, so the two move together."""
        start = None if self.start is None else fileio.to_dict(self.start, folder)
        return {
            "format": FORMAT, "version": VERSION, "title": self.title, "task": self.task,
            "start": start, "locked": list(self.locked),
            "dataset": fileio.relative(self.dataset, folder).to_dict(),
            "training": self.training.to_dict(),
            "checks": [check.to_dict() for check in self.checks],
        }


# ------------------------------------------------------------------ writing

def dumps(exercise: Exercise, folder: str | None = None) -> str:
    return json.dumps(exercise.to_dict(folder), indent=2, allow_nan=False,
                      ensure_ascii=False) + "\n"


def save(exercise: Exercise, path: str | os.PathLike) -> list[str]:
    """Write atomically, with the table file the exercise reads beside it: a table
    elsewhere is copied into the exercise's folder first (:func:`copy_into`), so
    the exercise and its data are handed out, moved and graded together. Returns
    the copies made. On failure the old file is untouched and OSError propagates."""
    check(exercise)  # what is saved must load again
    target = os.path.abspath(check_path(path))
    folder = os.path.dirname(target)
    exercise, copied = _data_beside(exercise, folder)
    write_atomic(target, dumps(exercise, folder))
    return copied


def _data_beside(exercise: Exercise, folder: str) -> tuple[Exercise, list[str]]:
    """``exercise`` reading its data files from inside ``folder``, each copied there
    if it lies elsewhere; and the copies made."""
    copies: dict[str, str] = {}

    def move(path: str) -> str:
        if not os.path.relpath(os.path.abspath(path), folder).startswith(os.pardir):
            return path
        copies[path] = copy_into(path, folder)
        return copies[path]

    moved = DATASETS[exercise.dataset.name].moved(exercise.dataset, move)
    if not copies:
        return exercise, []
    start = exercise.start
    if start is not None and start.dataset == exercise.dataset:
        start = fileio.loads(fileio.dumps(start))
        start.dataset = moved
    return replace(exercise, dataset=moved, start=start), list(copies.values())


def check(exercise: Exercise) -> Exercise:
    """``exercise`` read back from its own document: DiagramFileError if it holds
    anything a file may not (so a GUI learns before writing, not on opening)."""
    return loads(dumps(exercise))


# ------------------------------------------------------------------ reading

def load(path: str | os.PathLike) -> Exercise:
    """Read an exercise file; any problem raises DiagramFileError."""
    exercise = fileio.read_file(path, loads, MAX_BYTES, "the exercise")
    folder = os.path.dirname(os.path.abspath(path))  # a relative CSV lies beside the exercise
    start = exercise.start
    if start is not None and start.dataset is not None:
        start.dataset = fileio.anchored(start.dataset, folder)
    exercise = replace(exercise, dataset=fileio.anchored(exercise.dataset, folder))
    if _files(exercise):
        refuse_unfit(exercise)
    return exercise


def loads(raw: bytes | str) -> Exercise:
    doc = fileio.parse_json(raw, "an exercise file")
    fileio.check_format(doc, FORMAT, VERSION, "exercise", "the exercise")
    read_keys(doc, TOP_KEYS, REQUIRED, "the exercise")
    start = _read_start(doc.get("start"))
    checks = read_list(doc["checks"], "checks", MAX_CHECKS)
    exercise = Exercise(
        title=_title(doc["title"]),
        task=read_checked(checked_text, doc.get("task", ""), "the task", MAX_TASK, True),
        start=start,
        locked=_read_locked(doc.get("locked", []), start),
        dataset=_read_dataset(doc["dataset"]),
        training=fileio.read_training(doc["training"]),
        checks=tuple(_read_check(c, i) for i, c in enumerate(checks)),
    )
    _refuse_twice([c.id for c in exercise.checks], "check id")
    if not exercise.checks:
        raise DiagramFileError("\"checks\" is empty: an exercise needs at least one check")
    if not _files(exercise):  # a file is read where its path means something: load
        refuse_unfit(exercise)
    return exercise


def _files(exercise: Exercise) -> tuple[str, ...]:
    """The files the exercise's data set reads (a table's), as its registry entry says."""
    return DATASETS[exercise.dataset.name].files(exercise.dataset)


def refuse_unfit(exercise: Exercise) -> None:
    """DiagramFileError for a check whose kind does not fit the exercise's data set
    (test accuracy on a regression set): a check that cannot apply would give every
    student 0. A table file is read to know what it holds."""
    from ..data.datasets import DatasetError, info

    try:
        found = info(exercise.dataset)
    except (DatasetError, ValueError) as error:
        raise DiagramFileError(f"the exercise's data set cannot be read: {error}") from None
    for item in exercise.checks:
        unfit = KINDS.get(item.kind).unfit(found)
        if unfit:
            hint = " (use test-r2, test-rmse or test-loss)" if not found.is_classification \
                else " (use test-accuracy, test-f1 or test-loss)"
            raise DiagramFileError(f"check {item.id!r}: {unfit}{hint}")


def _title(value: object) -> str:
    title = read_checked(values.title, value)
    if not title.strip():
        raise DiagramFileError("the title is empty: name the exercise")
    return title


def _read_start(value: object) -> Diagram | None:
    if value is None:
        return None
    try:
        return fileio.from_document(value)
    except DiagramFileError as error:
        raise DiagramFileError(f"\"start\": {error.reason}") from None


def _read_dataset(value: object) -> DatasetSpec:
    spec = fileio.read_dataset(value)
    if spec is None:
        raise DiagramFileError("\"dataset\" is null: an exercise fixes the data set grading "
                               "uses")
    return spec


def _read_locked(value: object, start: Diagram | None) -> tuple[str, ...]:
    ids = [read_checked(values.block_id, v, "a locked block id")
           for v in read_list(value, "locked", limits.MAX_BLOCKS)]
    _refuse_twice(ids, "locked block id")
    for block_id in ids:
        if start is None or block_id not in start:
            raise DiagramFileError(f"\"locked\": {block_id!r} is not a block of the start "
                                   "diagram")
    return tuple(ids)


def _refuse_twice(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise DiagramFileError(f"the {what} {item!r} appears twice")
        seen.add(item)


def _read_check(value: object, index: int) -> Check:
    where = f"check {index + 1}"
    if not isinstance(value, dict):
        raise DiagramFileError(f"{where} must be a JSON object")
    if value.get("kind") not in KINDS:  # a list or an object is no kind either
        raise DiagramFileError(f"{where}: \"kind\" must be one of {', '.join(KINDS.names())} "
                               f"(got {short(value.get('kind'))})")
    kind = KINDS.get(value["kind"])
    read_keys(value, COMMON_KEYS | set(kind.field_names()), {"id", "kind", *kind.required},
              where)
    check_id = read_checked(checked_id, value["id"], f"{where}: \"id\"", limits.MAX_ID)
    try:
        return Check(check_id, kind.name, points=_points(value.get("points", 1)),
                     hidden=_flag(value, "hidden"), given=_flag(value, "given"),
                     hint=checked_text(value.get("hint", ""), "the hint", MAX_HINT, True),
                     **kind.read(value))
    except ValueError as error:
        raise DiagramFileError(f"check {check_id!r}: {error}") from None


POINTS = ParamSpec("points", FLOAT, 1.0, "Points the check is worth.", minimum=0.0,
                   maximum=MAX_POINTS)


def _points(value: object) -> float:
    number = cast(float, POINTS.coerce(value))
    return int(number) if float(number).is_integer() else number


def _flag(check: dict, name: str) -> bool:
    value = check.get(name, False)
    if not isinstance(value, bool):
        raise ValueError(f"\"{name}\" must be true or false (got {short(value)})")
    return value
