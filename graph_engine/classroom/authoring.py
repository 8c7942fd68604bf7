"""Making an exercise from a diagram: what the editor's "Save as Exercise…" calls.

A teacher draws (and usually trains) a solution, picks the blocks to lock,
writes the task and chooses checks. :func:`suggested_check` gives each check
kind a threshold from the diagram and its run (the accuracy it reached, its
parameter count, its output size), which the teacher then edits;
:func:`make_exercise` builds the exercise, with the diagram's data set and
training settings fixed, and reads it back through the exercise reader, so a
mistake is a :class:`~graph_engine.model.fileio.DiagramFileError` before
anything is written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..checks.analysis import analyze
from ..checks.validation import model_output
from ..core.enums import StrEnum
from ..model import fileio
from ..model.diagram import Diagram
from ..model.fileio import DiagramFileError
from . import exercise as exercises
from .exercise import Check, Exercise


class Start(StrEnum):
    """What the student's canvas starts with."""

    WHOLE = "whole"  # the diagram as it is (a diagram to fix)
    LOCKED = "locked"  # only the locked blocks and the wires between them (build the rest)
    EMPTY = "empty"


def suggested_check(kind: str, diagram: Diagram, metrics: dict | None = None,
                    block_type: str | None = None, code: str | None = None) -> Check:
    """A check of ``kind`` with a threshold the diagram (and its run's last
    ``metrics``, when it trained) would pass, a little slack given."""
    analysis = analyze(diagram)
    metrics = metrics or {}
    fields: dict = {}
    if kind == "test-accuracy":
        reached = _figure(metrics, "test_accuracy")
        least = math.floor((reached - 0.03) * 100) / 100 if reached is not None else 0.9
        fields["min"] = min(max(least, 0.0), 1.0)
    elif kind == "test-loss":
        reached = _figure(metrics, "test_loss")
        fields["max"] = _round_up(reached * 1.5) if reached is not None else 0.1
    elif kind == "max-parameters":
        fields["max"] = max(sum(analysis.param_count(b.id) for b in diagram.blocks), 1)
    elif kind == "uses-block":
        fields["type"], fields["min"] = block_type or _some_type(diagram), 1
    elif kind == "forbids-block":
        fields["type"] = block_type or _some_type(diagram)
    elif kind == "no-warning":
        fields["code"] = code or exercises.warning_codes()[0]
    elif kind == "output-shape":
        output = model_output(analysis)
        fields["features"] = (analysis.features.get(output) if output else None) or 1
    if kind not in exercises.KIND_FIELDS:
        raise ValueError(f"unknown check kind {kind!r}")
    return Check(id=kind, kind=kind, **fields)


def _figure(metrics: dict, key: str) -> float | None:
    value = metrics.get(key)
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _round_up(value: float) -> float:
    """``value`` rounded up to two significant digits."""
    if value <= 0:
        return 0.01
    scale = 10 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(value / scale) * scale


def _some_type(diagram: Diagram) -> str:
    """A block type to suggest: the diagram's first activation's, else its first block's."""
    from ..blocks.registry import REGISTRY, Role

    blocks = sorted(diagram.blocks, key=lambda b: b.spec.role != Role.ACTIVATION)
    return blocks[0].type if blocks else REGISTRY.names()[0]


def start_diagram(diagram: Diagram, locked: Iterable[str], start: Start) -> Diagram | None:
    """The student's starting diagram: a copy of ``diagram``, cut as ``start`` says."""
    if start == Start.EMPTY:
        return None
    copy = fileio.loads(fileio.dumps(diagram))
    copy.exercise = ""
    if start == Start.LOCKED:
        keep = set(locked)
        for block in copy.blocks:
            if block.id not in keep:
                copy.remove(block.id)
    return copy


def make_exercise(diagram: Diagram, title: str, task: str, locked: Iterable[str],
                  checks: Iterable[Check], start: Start = Start.LOCKED) -> Exercise:
    """The exercise, read back as a file would be: DiagramFileError says what is
    wrong (no data set, a check twice, a lock on a block the start lacks...)."""
    if diagram.dataset is None:
        raise DiagramFileError("the diagram has no data set: choose one in the Data tab, "
                               "grading trains every answer on it")
    locked = tuple(dict.fromkeys(locked))
    begin = start_diagram(diagram, locked, start)
    if begin is None and locked:
        raise DiagramFileError("an empty starting canvas cannot have locked blocks: start "
                               "from the locked blocks instead")
    exercise = Exercise(title=title, task=task, start=begin, locked=locked,
                        dataset=diagram.dataset, training=diagram.training,
                        checks=tuple(_unique_ids(list(checks))))
    return exercises.check(exercise)


def _unique_ids(checks: list[Check]) -> list[Check]:
    """Checks whose ids repeat get a number: two uses-block checks are
    ``uses-block`` and ``uses-block-2``."""
    from dataclasses import replace

    seen: dict[str, int] = {}
    unique = []
    for check in checks:
        seen[check.id] = seen.get(check.id, 0) + 1
        unique.append(check if seen[check.id] == 1 else
                      replace(check, id=f"{check.id}-{seen[check.id]}"))
    return unique
