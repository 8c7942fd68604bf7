"""Making an exercise from a diagram: what the editor's "Save as Exercise…" calls.

A teacher draws (and usually trains) a solution, picks the blocks to lock,
writes the task and chooses checks. :func:`fitting_kinds` says which check
kinds fit the diagram's data set (no accuracy for regression);
:func:`suggested_check` gives a check a threshold from the diagram and its run
(the accuracy or R² it reached, its parameter count, its output size), which
the teacher then edits; :func:`make_exercise` builds the exercise, with the
diagram's data set and training settings fixed, and reads it back through the
exercise reader, so a mistake is a
:class:`~graph_engine.model.fileio.DiagramFileError` before anything is
written. The student's start never carries the solution's title,
description or notes, and its locked blocks get ids of this exercise, so an
answer that did not start from it can be told (:mod:`.flags`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from ..checks.analysis import analyze
from ..core.enums import StrEnum
from ..core.limits import MAX_ID
from ..model import fileio
from ..model.diagram import Diagram
from ..model.fileio import DiagramFileError
from . import exercise as exercises
from .exercise import Exercise
from .kinds import KINDS, Check, CheckKind, Situation


class Start(StrEnum):
    """What the student's canvas starts with."""

    WHOLE = "whole"  # the diagram as it is (a diagram to fix)
    LOCKED = "locked"  # only the locked blocks and the wires between them (build the rest)
    EMPTY = "empty"


def fitting_kinds(diagram: Diagram) -> list[CheckKind]:
    """The check kinds that fit the diagram's data set (every kind without one)."""
    from ..data.datasets import info

    try:
        found = info(diagram.dataset) if diagram.dataset is not None else None
    except ValueError:  # a table that cannot be read: the dialog says so on saving
        found = None
    return [kind for kind in KINDS if found is None or not kind.unfit(found)]


def suggested_check(kind: str, diagram: Diagram, metrics: Mapping | None = None,
                    block_type: str | None = None, code: str | None = None) -> Check:
    """A check of ``kind`` with a threshold the diagram (and its run's last
    ``metrics``, when it trained) would pass, a little slack given."""
    declared = KINDS.get(kind)
    situation = Situation(diagram, analyze(diagram), metrics or {}, block_type, code)
    fields = declared.suggest(situation) if declared.suggest is not None else {}
    return Check(id=kind, kind=kind, **fields)


def start_diagram(diagram: Diagram, locked: Iterable[str], start: Start, title: str = "",
                  description: str = "") -> Diagram | None:
    """The student's starting diagram: a copy of ``diagram``, cut as ``start`` says,
    with the ``title`` and ``description`` given (never the solution's) and no notes."""
    if start == Start.EMPTY:
        return None
    copy = fileio.loads(fileio.dumps(diagram))
    copy.exercise = ""
    copy.title, copy.description = title, description
    for note in copy.notes:
        copy.remove_note(note.id)
    if start == Start.LOCKED:
        keep = set(locked)
        for block in copy.blocks:
            if block.id not in keep:
                copy.remove(block.id)
    return copy


def make_exercise(diagram: Diagram, title: str, task: str, locked: Iterable[str],
                  checks: Iterable[Check], start: Start = Start.LOCKED, start_title: str = "",
                  start_description: str = "") -> Exercise:
    """The exercise, read back as a file would be: DiagramFileError says what is
    wrong (no data set, a check twice, a lock on a block the start lacks, a check
    that does not fit the data set...)."""
    if diagram.dataset is None:
        raise DiagramFileError("the diagram has no data set: choose one in the Data tab, "
                               "grading trains every answer on it")
    locked = tuple(dict.fromkeys(locked))
    begin = start_diagram(diagram, locked, start, start_title, start_description)
    if begin is None and locked:
        raise DiagramFileError("an empty starting canvas cannot have locked blocks: start "
                               "from the locked blocks instead")
    exercise = Exercise(title=title, task=task, start=begin, locked=locked,
                        dataset=diagram.dataset, training=diagram.training,
                        checks=tuple(_unique_ids(list(checks))))
    exercise = exercises.check(_own_ids(exercise))
    exercises.refuse_unfit(exercise)
    return exercise


def _own_ids(exercise: Exercise) -> Exercise:
    """``exercise`` with its locked blocks renamed ``<exercise>-<id>``: a diagram that
    did not start from this exercise (the example it was made from) lacks them."""
    start = exercise.start
    if start is None or not exercise.locked:
        return exercise
    tag = _slug(exercise.title)
    names = {b: f"{tag}-{b}"[:MAX_ID] for b in exercise.locked}
    document = fileio.to_dict(start)
    for block in document["blocks"]:
        block["id"] = names.get(block["id"], block["id"])
    for wire in document["wires"]:
        for end in ("from", "to"):
            wire[end][0] = names.get(wire[end][0], wire[end][0])
    return replace(exercise, start=fileio.from_document(document),
                   locked=tuple(names[b] for b in exercise.locked))


def _slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words)[:24].strip("-") or "exercise"


def _unique_ids(checks: list[Check]) -> list[Check]:
    """Checks whose ids repeat get a number: two uses-block checks are
    ``uses-block`` and ``uses-block-2``."""
    seen: dict[str, int] = {}
    unique = []
    for check in checks:
        seen[check.id] = seen.get(check.id, 0) + 1
        unique.append(check if seen[check.id] == 1 else
                      replace(check, id=f"{check.id}-{seen[check.id]}"))
    return unique
