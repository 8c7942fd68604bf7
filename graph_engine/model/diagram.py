"""The diagram model: blocks, wires, and the events that announce changes.

A :class:`Diagram` is the single source of truth. The editor mirrors it and
changes it only through these methods (wrapped in undo commands); the
validator, compiler and exporter read it. Nothing here knows about Qt.

Every value coming in passes the checks in :mod:`.values` (the file reader
uses the same ones) and the limits of :mod:`~graph_engine.core.limits`, so
what a diagram holds is exactly what its file says when saved.
"""

from __future__ import annotations

import re

from ..blocks.registry import REGISTRY
from ..core import limits
from ..core.events import Event
from ..data.spec import DatasetSpec, as_dataset_spec
from . import values
from .invariants import check_diagram
from .locks import NO_LOCKS, Locks
from .notes import NoteMethods
from .parts import Block, Checked, Note, Removed, Revisions, Wire, WireError
from .settings import TrainingSettings
from .wiring import describe_wire, plan_wire

__all__ = ["Block", "Diagram", "Note", "Removed", "Revisions", "Wire", "WireError"]

# the events after which a run of the diagram is of another network
NETWORK_EVENTS = frozenset({"block_added", "block_removed", "wire_added", "wire_removed",
                            "params_changed"})


class Diagram(NoteMethods):
    """Blocks and wires, plus the data set, the training settings and text notes."""

    def __init__(self) -> None:
        self._blocks: dict[str, Block] = {}
        self._wires: list[Wire] = []
        self._wire_set: set[Wire] = set()  # the same wires, for quick membership tests
        self._dataset: DatasetSpec | None = None
        self._training = TrainingSettings()
        self._title = ""
        self._description = ""
        self._exercise = ""  # the title of the exercise this diagram answers, if any
        self.locks: Locks = NO_LOCKS  # what an exercise fixes while a student edits; not saved
        self.revisions = Revisions()  # moves with each change of the network or the settings
        self.block_added = Event("block_added")  # (block)
        self.block_removed = Event("block_removed")  # (block)
        self.wire_added = Event("wire_added")  # (wire)
        self.wire_removed = Event("wire_removed")  # (wire)
        self.params_changed = Event("params_changed")  # (block)
        self.moved = Event("moved")  # (block)
        self.renamed = Event("renamed")  # (block)
        self.settings_changed = Event("settings_changed")  # ()
        self._init_notes()  # note_added, note_removed, note_changed
        self.changed = Event("changed")  # () after any of the above

    # ------------------------------------------------------------ reading
    @property
    def blocks(self) -> list[Block]:
        return list(self._blocks.values())

    @property
    def wires(self) -> list[Wire]:
        return list(self._wires)

    def block(self, block_id: str) -> Block:
        try:
            return self._blocks[block_id]
        except (KeyError, TypeError):
            raise ValueError(f"no block with id {block_id!r}") from None

    def __contains__(self, block_id: object) -> bool:
        return block_id in self._blocks

    def wires_into(self, block_id: str, port: str | None = None) -> list[Wire]:
        return [w for w in self._wires if w.dst == block_id and port in (None, w.dst_port)]

    def has_wire(self, wire: Wire) -> bool:
        return wire in self._wire_set

    # ------------------------------------------------------------ texts and settings
    # Each value is checked on its way in; the settings announce their change.
    title = Checked(values.title, announce=True)
    description = Checked(values.description, announce=True)
    exercise = Checked(values.exercise)
    dataset = Checked(as_dataset_spec, announce=True, revises="network")
    training = Checked(values.training_settings, announce=True, revises="settings")

    def lint(self) -> None:
        """Check the model's own bookkeeping (wire index, ports, params,
        positions); raise InvariantError naming a broken invariant."""
        check_diagram(self._blocks, self._wires, self._wire_set)

    # ------------------------------------------------------------ blocks
    def add(self, type: str, **params) -> str:
        """Add a block of ``type`` with ``params``; return its id.

        An unknown type or a parameter out of bounds raises ValueError and
        adds nothing."""
        return self.add_block(type, params)

    def add_block(self, type: str, params: dict | None = None, position=(0.0, 0.0),
                  block_id: str | None = None, name: str | None = None) -> str:
        """Add a block; a bad type, parameter, position, id or name, a taken
        id or a full diagram raises ValueError and adds nothing."""
        self.check_room(blocks=1)
        spec = REGISTRY.get(type)
        params = spec.coerce_params(params or {})
        point = _point(position)
        if block_id is None:
            block_id, index = self._new_id(type)
            default = f"{type} {index}"
        else:
            block_id = values.block_id(block_id)
            if block_id in self._blocks:
                raise ValueError(f"a block with id {block_id!r} already exists")
            default = block_id
        name = values.block_name("" if name is None else name, fallback=default)
        block = Block(block_id, type, params, point, name)
        self._blocks[block_id] = block
        self._emit(self.block_added, block)
        return block_id

    def _new_id(self, type: str) -> tuple[str, int]:
        stem = re.sub(r"[^a-z0-9]", "", type.lower())
        names = {b.name for b in self._blocks.values()}
        index = 1
        while f"{stem}{index}" in self._blocks or f"{type} {index}" in names:
            index += 1
        return f"{stem}{index}", index

    def remove(self, block_id: str) -> Removed:
        """Remove a block and every wire touching it; return what was removed."""
        block = self.block(block_id)
        removed = Removed(block, list(self._blocks).index(block_id))
        for index in reversed(range(len(self._wires))):
            wire = self._wires[index]
            if block_id in (wire.src, wire.dst):
                removed.wires.insert(0, (index, wire))
                del self._wires[index]
                self._wire_set.discard(wire)
                self._emit(self.wire_removed, wire)
        del self._blocks[block_id]
        self._emit(self.block_removed, block)
        return removed

    def restore(self, removed: Removed) -> None:
        """Undo :meth:`remove`: the block and its wires come back in place."""
        block = removed.block
        if block.id in self._blocks:
            raise ValueError(f"a block with id {block.id!r} already exists")
        items = list(self._blocks.items())
        items.insert(removed.index, (block.id, block))
        self._blocks = dict(items)
        self._emit(self.block_added, block)
        for index, wire in removed.wires:
            self._wires.insert(index, wire)
            self._wire_set.add(wire)
            self._emit(self.wire_added, wire)

    def move(self, block_id: str, x: float, y: float) -> None:
        block = self.block(block_id)
        block.position = _point((x, y))
        self._emit(self.moved, block)

    def check_params(self, block_id: str, params: dict) -> dict:
        """``params`` as :meth:`set_params` would store them (checked against the
        registry), or ValueError saying why not."""
        spec = self.block(block_id).spec
        return {name: spec.param(name).coerce(value) for name, value in params.items()}

    def set_params(self, block_id: str, **params) -> dict:
        """Change parameters (checked against the registry); return the old
        values of the changed ones. Bad values raise ValueError, change nothing."""
        block = self.block(block_id)
        new = self.check_params(block_id, params)
        old = {name: block.params.get(name, block.spec.param(name).default) for name in new}
        block.params = {**block.params, **new}
        self._emit(self.params_changed, block)
        return old

    def rename(self, block_id: str, name: str) -> str:
        """Give a block a new name (surrounding spaces dropped); return the old one."""
        name = values.block_name(name)
        block = self.block(block_id)
        old, block.name = block.name, name
        self._emit(self.renamed, block)
        return old

    # ------------------------------------------------------------ wires
    def connect(self, src: str, dst: str, src_port: str | None = None,
                dst_port: str | None = None) -> Wire:
        """Wire ``src`` to ``dst``. Without ``dst_port`` the first free input
        port that takes the wire is used. A wire that would make a cycle, go to
        a full port or join ports of different kinds raises WireError."""
        wire = self.check_wire(src, dst, src_port, dst_port)
        self.check_room(wires=1)
        self._wires.append(wire)
        self._wire_set.add(wire)
        self._emit(self.wire_added, wire)
        return wire

    def check_wire(self, src: str, dst: str, src_port: str | None = None,
                   dst_port: str | None = None) -> Wire:
        """The wire :meth:`connect` would make, or WireError saying why not."""
        return plan_wire(self, src, dst, src_port, dst_port)

    def disconnect(self, wire: Wire) -> int:
        """Remove ``wire``; return its index for :meth:`insert_wire`."""
        try:
            index = self._wires.index(wire)
        except ValueError:
            raise ValueError(f"there is no wire {describe_wire(self, wire)}") from None
        del self._wires[index]
        self._wire_set.discard(wire)
        self._emit(self.wire_removed, wire)
        return index

    def insert_wire(self, wire: Wire, index: int | None = None) -> None:
        """Put a wire in without the editing checks (undo, file loading).
        Its blocks and ports must exist; validation reports the rest."""
        for block_id, port, side in ((wire.src, wire.src_port, "output"),
                                     (wire.dst, wire.dst_port, "input")):
            spec = self.block(block_id).spec
            (spec.output_port if side == "output" else spec.input_port)(port)
        if wire in self._wire_set:
            raise WireError(f"a wire {describe_wire(self, wire)} exists already")
        self.check_room(wires=1)
        self._wires.insert(len(self._wires) if index is None else index, wire)
        self._wire_set.add(wire)
        self._emit(self.wire_added, wire)

    def check_room(self, blocks: int = 0, wires: int = 0, notes: int = 0) -> None:
        """ValueError (WireError for wires) unless ``blocks`` more blocks, ``wires``
        more wires and ``notes`` more notes fit within MAX_BLOCKS, MAX_WIRES and
        MAX_NOTES."""
        if len(self._blocks) + blocks > limits.MAX_BLOCKS:
            raise ValueError(f"a diagram holds at most {limits.MAX_BLOCKS} blocks "
                             f"(this one has {len(self._blocks)})")
        if len(self._wires) + wires > limits.MAX_WIRES:
            raise WireError(f"a diagram holds at most {limits.MAX_WIRES} wires "
                            f"(this one has {len(self._wires)})")
        if len(self.notes) + notes > limits.MAX_NOTES:
            raise ValueError(f"a diagram holds at most {limits.MAX_NOTES} notes")

    def _emit(self, event: Event, *args) -> None:
        if event.name in NETWORK_EVENTS:
            self.revisions.network += 1
        event.emit(*args)
        self.changed.emit()

    def __repr__(self) -> str:
        return f"<Diagram {len(self._blocks)} blocks, {len(self._wires)} wires>"


def _point(position) -> tuple[float, float]:
    """Rounded to POSITION_DECIMALS, then bounded: what is stored is what is saved."""
    return values.position(position)
