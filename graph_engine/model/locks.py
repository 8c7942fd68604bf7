"""What an exercise fixes in the diagram a student works on.

An exercise may lock blocks (their type, parameters and name, and the wires it
draws between two of them), the data set and the training settings. A :class:`Locks` held
by the Diagram (``diagram.locks``) answers, before an edit is made, whether it
may be: each ``check_*`` raises :class:`LockedError` (a ValueError) saying
what is locked and by what, so the editor refuses the edit with that message
before it reaches the undo stack. Locks are a property of the editing session,
not of the file: a saved diagram holds none, and grading checks locked blocks
itself (the ``locked-unchanged`` check).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from .parts import Wire
from .settings import TrainingSettings

# Settings that change how training is shown, not what it computes: a student may
# set them whatever the exercise fixes.
FREE_SETTINGS = frozenset({"pace", "pace_unit"})


class LockedError(ValueError):
    """An edit of something the exercise locked."""


@dataclass(frozen=True)
class Locks:
    blocks: frozenset[str] = frozenset()
    wires: frozenset[Wire] = frozenset()  # wires the exercise drew between locked blocks
    dataset: bool = False
    training: bool = False
    owner: str = "the exercise"  # who locked them, as a message names it

    @property
    def any(self) -> bool:
        return bool(self.blocks or self.wires or self.dataset or self.training)

    def check_remove(self, names: dict[str, str], block_ids: Iterable[str],
                     wires: Iterable[Wire] = ()) -> None:
        """Deleting blocks and wires; ``names``: block id -> the name shown."""
        for block_id in block_ids:
            if block_id in self.blocks:
                raise LockedError(f"{names.get(block_id, block_id)} is locked by "
                                  f"{self.owner}: it cannot be deleted")
        for wire in wires:
            if wire in self.wires:
                raise LockedError(f"the wire from {names.get(wire.src, wire.src)} to "
                                  f"{names.get(wire.dst, wire.dst)} is locked by "
                                  f"{self.owner}: it cannot be removed")

    def check_edit(self, block_id: str, name: str) -> None:
        """Changing a block's parameters or name."""
        if block_id in self.blocks:
            raise LockedError(f"{name} is locked by {self.owner}: its settings cannot "
                              "be changed")

    def check_dataset(self) -> None:
        if self.dataset:
            raise LockedError(f"the data set is fixed by {self.owner}")

    def check_training(self, old: TrainingSettings, new: TrainingSettings) -> None:
        if not self.training:
            return
        changed = [f.name for f in fields(TrainingSettings)
                   if f.name not in FREE_SETTINGS and getattr(old, f.name) != getattr(new, f.name)]
        if changed:
            raise LockedError(f"the training settings are fixed by {self.owner} "
                              f"({', '.join(changed)} cannot change)")


NO_LOCKS = Locks()
