"""Flags on a gradebook's rows: what a teacher should look at, never a change of score.

:func:`own_flags` reads one answer against its exercise (in the worker that
grades it): a file that records another exercise's title, one that did not
start from the exercise (none of the exercise's locked blocks is in it, by
id), the untouched start handed back. :func:`find_copies` compares the rows
of a whole run (in the grader): files identical byte for byte, and files
whose networks are identical once positions, names and notes are set aside
(:func:`~.network.network_key`). Untouched starts are alike by nature and are
not called copies of each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model.diagram import Diagram
from .network import fingerprint

if TYPE_CHECKING:
    from .exercise import Exercise
    from .grading import FileResult

NAMED = 5  # other files a flag names; more are counted


@dataclass(frozen=True)
class Copies:
    """The other files a row's file is a copy of."""

    identical: tuple[str, ...] = ()  # byte for byte
    same_network: tuple[str, ...] = ()  # the same network, not the same bytes

    def texts(self, named: bool = True) -> list[str]:
        """The flags; without ``named`` (a student's feedback), the others are counted."""
        found = []
        for others, what in ((self.identical, "identical to"),
                             (self.same_network, "the same network (positions, names and "
                                                 "notes aside) as")):
            if others:
                found.append(f"{what} {_listed(others) if named else _counted(others)}")
        return found


def _listed(names: Sequence[str]) -> str:
    more = len(names) - NAMED
    return ", ".join(names[:NAMED]) + (f" and {more} more" if more > 0 else "")


def _counted(names: Sequence[str]) -> str:
    return f"{len(names)} other file{'s' * (len(names) != 1)} handed in"


def own_flags(exercise: Exercise, diagram: Diagram, start_network: str) -> list[str]:
    """What one answer shows by itself; ``start_network``: the fingerprint of the
    untouched start's network (:func:`~.grading.start_network`)."""
    flags = []
    if diagram.exercise and diagram.exercise != exercise.title:
        flags.append(f"answers another exercise: the file names \u201c{diagram.exercise}\u201d,"
                     f" this is \u201c{exercise.title}\u201d")
    if exercise.locked and not any(block_id in diagram for block_id in exercise.locked):
        flags.append("not started from the exercise: none of its locked blocks ("
                     f"{_listed(exercise.locked)}) is in the file")
    elif fingerprint(diagram) == start_network:
        flags.append("the starting diagram, unchanged")
    return flags


def find_copies(results: Sequence[FileResult], start_network: str,
                name: Callable[[str], str]) -> None:
    """Set each row's :class:`Copies` from the whole run's rows (``name``: how a
    file is named in a report)."""
    by_digest = _groups(results, lambda r: r.digest if r.network != start_network else None)
    by_network = _groups(results, lambda r: r.network if r.network != start_network else None)
    for result in results:
        same_bytes = [o for o in by_digest.get(result.digest, []) if o is not result]
        seen = {id(o) for o in same_bytes}
        same_net = [o for o in by_network.get(result.network, [])
                    if o is not result and id(o) not in seen]
        result.copies = Copies(tuple(name(o.file) for o in same_bytes),
                               tuple(name(o.file) for o in same_net))


def _groups(results: Sequence[FileResult], key) -> dict:
    groups: dict = {}
    for result in results:
        found = key(result)
        if found is not None:
            groups.setdefault(found, []).append(result)
    return groups
