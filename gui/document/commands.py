"""Undo commands: every user edit, each calling only Diagram methods.

Modelled on orange-canvas-core's ``document/commands.py``: a command keeps
what it needs to undo itself (a removed block and its wires, old parameter
values, old positions). Composite edits are one command over many blocks.

A command that adds or changes something checks it when it is made, with the
checks the Diagram itself applies (:mod:`graph_engine.model.values`,
``Diagram.check_room``, ``Diagram.check_params``): a refused edit raises
ValueError before it reaches the undo stack, since a ``redo`` that raises
would leave a command on the stack that did nothing. Commands are pushed
only by :meth:`~gui.document.document.Document.apply`, which says why an
edit was refused.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from graph_engine import REGISTRY, Diagram, Wire
from graph_engine.blocks.registry import Role
from graph_engine.model import values
from graph_engine.model.settings import TrainingSettings
from graph_engine.model.wiring import fits_into

from .document import Document


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _names(diagram: Diagram) -> dict[str, str]:
    return {b.id: b.name for b in diagram.blocks}


class AddBlock(QUndoCommand):
    def __init__(self, diagram: Diagram, type_name: str, position, params=None) -> None:
        diagram.check_room(blocks=1)
        params = REGISTRY.get(type_name).coerce_params(dict(params or {}))
        super().__init__(f"Add {type_name}")
        self.diagram, self.type_name = diagram, type_name
        self.position, self.params = values.position(position), params
        self.block_id: str | None = None
        self.name: str | None = None

    def redo(self) -> None:
        self.block_id = self.diagram.add_block(self.type_name, self.params, self.position,
                                               self.block_id, self.name)
        self.name = self.diagram.block(self.block_id).name

    def undo(self) -> None:
        self.diagram.remove(_made(self.block_id))


def _made(item_id: str | None) -> str:
    """The id a command's redo gave its block or note (undo comes after redo)."""
    assert item_id is not None, "undone before it was done"
    return item_id


class RemoveItems(QUndoCommand):
    """Delete blocks (with their wires), loose wires and notes; undo puts all back."""

    def __init__(self, diagram: Diagram, block_ids, wires=(), text: str = "",
                 note_ids=()) -> None:
        block_ids, wires = list(block_ids), [w for w in wires
                                             if w.src not in block_ids and w.dst not in block_ids]
        diagram.locks.check_remove(_names(diagram), block_ids, wires)
        self.note_ids = list(note_ids)
        super().__init__(text or _remove_text(diagram, block_ids, wires, self.note_ids))
        self.diagram, self.block_ids, self.wires = diagram, block_ids, wires
        self._removed: list = []
        self._wire_indices: list[tuple[int, Wire]] = []
        self._notes: list = []  # (note, index) as removed

    def redo(self) -> None:
        self._wire_indices = [(self.diagram.disconnect(w), w) for w in self.wires]
        self._removed = [self.diagram.remove(b) for b in self.block_ids]
        self._notes = [self.diagram.remove_note(n) for n in self.note_ids]

    def undo(self) -> None:
        for note, index in reversed(self._notes):
            self.diagram.add_note(note.text, note.position, note.id, index)
        for removed in reversed(self._removed):
            self.diagram.restore(removed)
        for index, wire in reversed(self._wire_indices):
            self.diagram.insert_wire(wire, index)


def _remove_text(diagram: Diagram, block_ids, wires, note_ids=()) -> str:
    if len(block_ids) == 1 and not wires and not note_ids:
        return f"Delete {diagram.block(block_ids[0]).name}"
    parts = [_plural(len(items), word) for items, word in
             ((block_ids, "block"), (wires, "wire"), (note_ids, "note")) if items]
    return "Delete " + " and ".join(parts)


class Connect(QUndoCommand):
    def __init__(self, diagram: Diagram, wire: Wire) -> None:
        diagram.check_room(wires=1)
        src, dst = diagram.block(wire.src).name, diagram.block(wire.dst).name
        super().__init__(f"Connect {src} to {dst}")
        self.diagram, self.wire = diagram, wire

    def redo(self) -> None:
        self.diagram.insert_wire(self.wire)

    def undo(self) -> None:
        self.diagram.disconnect(self.wire)


class MoveBlocks(QUndoCommand):
    """Positions before and after; one step however many blocks moved."""

    def __init__(self, diagram: Diagram, moves: dict, text: str = "") -> None:
        # id -> ((old x, old y), (new x, new y)), the new ones as the diagram will keep them
        moves = {block_id: (old, values.position(new)) for block_id, (old, new) in moves.items()}
        super().__init__(text or _move_text(diagram, moves))
        self.diagram = diagram
        self.moves = moves

    def _place(self, block_id: str, point: tuple[float, float]) -> None:
        self.diagram.move(block_id, *point)

    def redo(self) -> None:
        for block_id, (_, new) in self.moves.items():
            self._place(block_id, new)

    def undo(self) -> None:
        for block_id, (old, _) in self.moves.items():
            self._place(block_id, old)


def _move_text(diagram: Diagram, moves: dict) -> str:
    if len(moves) == 1:
        return f"Move {diagram.block(next(iter(moves))).name}"
    return "Move " + _plural(len(moves), "block")


class Macro(QUndoCommand):
    """Several commands as one undo step. The children are kept in a Python
    list (not as Qt children) so their Python redo/undo stay alive."""

    def __init__(self, text: str, children: list[QUndoCommand]) -> None:
        super().__init__(text)
        self.children_ = list(children)

    def redo(self) -> None:
        for child in self.children_:
            child.redo()

    def undo(self) -> None:
        for child in reversed(self.children_):
            child.undo()


class SetParams(QUndoCommand):
    def __init__(self, diagram: Diagram, block_id: str, changes: dict) -> None:
        block = diagram.block(block_id)
        diagram.locks.check_edit(block_id, block.name)
        names = ", ".join(changes)
        super().__init__(f"Set {names} of {block.name}")
        self.diagram, self.block_id = diagram, block_id
        self.new = diagram.check_params(block_id, changes)
        self.old = {k: block.params.get(k, block.spec.param(k).default) for k in changes}

    def redo(self) -> None:
        self.diagram.set_params(self.block_id, **self.new)

    def undo(self) -> None:
        self.diagram.set_params(self.block_id, **self.old)


class Rename(QUndoCommand):
    def __init__(self, diagram: Diagram, block_id: str, name: str) -> None:
        self.old = diagram.block(block_id).name
        diagram.locks.check_edit(block_id, self.old)
        name = values.block_name(name)
        super().__init__(f"Rename {self.old} to {name}")
        self.diagram, self.block_id, self.new = diagram, block_id, name

    def redo(self) -> None:
        self.diagram.rename(self.block_id, self.new)

    def undo(self) -> None:
        self.diagram.rename(self.block_id, self.old)


class AddFragment(QUndoCommand):
    """Paste or duplicate: new blocks (fresh ids) and the wires between them."""

    def __init__(self, diagram: Diagram, blocks: list[dict], wires: list[tuple], offset,
                 text: str = "Paste") -> None:
        diagram.check_room(blocks=len(blocks), wires=len(wires))
        dx, dy = offset
        self.positions = [values.position((b["position"][0] + dx, b["position"][1] + dy),
                                          "a pasted block's position") for b in blocks]
        super().__init__(f"{text} {_plural(len(blocks), 'block')}")
        self.diagram, self.blocks, self.wires = diagram, blocks, wires
        self.ids: dict[str, str] = {}  # fragment id -> diagram id
        self.names: dict[str, str] = {}

    def redo(self) -> None:
        for record, position in zip(self.blocks, self.positions, strict=True):
            key = record["id"]
            self.ids[key] = self.diagram.add_block(record["type"], record["params"], position,
                                                   self.ids.get(key), self.names.get(key))
            self.names[key] = self.diagram.block(self.ids[key]).name
        for src, src_port, dst, dst_port in self.wires:
            self.diagram.insert_wire(Wire(self.ids[src], src_port, self.ids[dst], dst_port))

    def undo(self) -> None:
        for record in reversed(self.blocks):
            self.diagram.remove(self.ids[record["id"]])


class SetDataset(QUndoCommand):
    def __init__(self, diagram: Diagram, dataset, text: str = "Change data set") -> None:
        diagram.locks.check_dataset()
        super().__init__(text)
        self.diagram, self.new, self.old = diagram, dataset, diagram.dataset

    def redo(self) -> None:
        self.diagram.dataset = self.new

    def undo(self) -> None:
        self.diagram.dataset = self.old


class SetTraining(QUndoCommand):
    def __init__(self, diagram: Diagram, settings: TrainingSettings | dict,
                 text: str = "Change training settings") -> None:
        if isinstance(settings, dict):  # changes: the settings record checks them
            settings = diagram.training.with_(**settings)
        diagram.locks.check_training(diagram.training, settings)
        super().__init__(text)
        self.diagram, self.new, self.old = diagram, settings, diagram.training

    def redo(self) -> None:
        self.diagram.training = self.new

    def undo(self) -> None:
        self.diagram.training = self.old


def use_dataset(diagram: Diagram, dataset, features: int, text: str) -> Macro:
    """One undo step: the data set, and every Input block resized to its ``features``."""
    steps: list[QUndoCommand] = [SetDataset(diagram, dataset)]
    steps += [SetParams(diagram, b.id, {"features": features}) for b in diagram.blocks
              if b.spec.role == Role.INPUT and b.params["features"] != features]
    return Macro(text, steps)


def set_training(document: Document, name: str, value, **more) -> SetTraining | None:
    """One undoable change of a training setting (and of the ``more`` that go with
    it, as the pace and its unit) through the document's door; the settings record
    checks (and converts) the values, once. The command, or None: unchanged, or
    refused (the document said why)."""
    diagram = document.diagram

    def make() -> SetTraining | None:
        command = SetTraining(diagram, {name: value, **more})
        if command.new == command.old:
            return None
        command.setText(f"Set {name} to {getattr(command.new, name)}")
        return command

    return document.apply(make, "Not changed")


class InsertBlock(QUndoCommand):
    """A new block put into a wire: source → new block → target, one step; the
    blocks in its way moved aside (``moves``: block id -> new position) in it too."""

    def __init__(self, diagram: Diagram, type_name: str, wire: Wire, position,
                 moves: dict | None = None) -> None:
        diagram.check_room(blocks=1, wires=1)
        diagram.locks.check_remove(_names(diagram), [], [wire])
        spec = REGISTRY.get(type_name)
        if not fits_into(diagram, spec, wire):
            raise ValueError(f"a {type_name} block cannot go into this wire: it needs one "
                             "input and an output of the kinds the wire joins")
        self.add = AddBlock(diagram, type_name, position)
        self.aside = MoveBlocks(diagram, {b: (diagram.block(b).position, p)
                                          for b, p in (moves or {}).items()})
        super().__init__(f"Insert {type_name} between {diagram.block(wire.src).name} and "
                         f"{diagram.block(wire.dst).name}")
        self.diagram, self.wire, self.spec = diagram, wire, spec
        self._index = 0
        self._wires: list[Wire] = []

    @property
    def block_id(self) -> str | None:
        return self.add.block_id

    def redo(self) -> None:
        self.aside.redo()
        self._index = self.diagram.disconnect(self.wire)
        self.add.redo()
        new, wire = _made(self.add.block_id), self.wire
        self._wires = [Wire(wire.src, wire.src_port, new, self.spec.inputs[0].name),
                       Wire(new, self.spec.outputs[0].name, wire.dst, wire.dst_port)]
        for made in self._wires:
            self.diagram.insert_wire(made)

    def undo(self) -> None:
        for made in reversed(self._wires):
            self.diagram.disconnect(made)
        self.add.undo()
        self.diagram.insert_wire(self.wire, self._index)
        self.aside.undo()


class SetProperties(QUndoCommand):
    """The diagram's title and description (Diagram → Properties)."""

    def __init__(self, diagram: Diagram, title: str, description: str) -> None:
        self.new = (values.title(title), values.description(description))
        self.old = (diagram.title, diagram.description)
        super().__init__("Edit the diagram's title and description")
        self.diagram = diagram

    def redo(self) -> None:
        self.diagram.title, self.diagram.description = self.new

    def undo(self) -> None:
        self.diagram.title, self.diagram.description = self.old


class AddNote(QUndoCommand):
    """A text note on the canvas."""

    def __init__(self, diagram: Diagram, text: str, position) -> None:
        diagram.check_room(notes=1)
        # not self.text: that would hide QUndoCommand.text() from Python callers
        self.words, self.position = values.note_text(text), values.position(position)
        super().__init__("Add note")
        self.diagram = diagram
        self.note_id: str | None = None

    def redo(self) -> None:
        self.note_id = self.diagram.add_note(self.words, self.position, self.note_id)

    def undo(self) -> None:
        self.diagram.remove_note(_made(self.note_id))


class EditNote(QUndoCommand):
    """New words for a note."""

    def __init__(self, diagram: Diagram, note_id: str, text: str) -> None:
        self.old, self.new = diagram.note(note_id).text, values.note_text(text)
        super().__init__("Edit note")
        self.diagram, self.note_id = diagram, note_id

    def redo(self) -> None:
        self.diagram.set_note_text(self.note_id, self.new)

    def undo(self) -> None:
        self.diagram.set_note_text(self.note_id, self.old)


class MoveNotes(MoveBlocks):
    """Notes dragged on the canvas: id -> (old position, new position)."""

    def __init__(self, diagram: Diagram, moves: dict) -> None:
        super().__init__(diagram, moves, "Move note" if len(moves) == 1
                         else "Move " + _plural(len(moves), "note"))

    def _place(self, note_id: str, point: tuple[float, float]) -> None:
        self.diagram.move_note(note_id, *point)
