"""The scene's items kept in step with the Diagram, from its events.

One item per block, wire and note, in the scene's ``blocks``, ``wires`` and
``notes`` maps; :meth:`DiagramMirror.rebuild` starts over for a new Diagram
(New, Open) and listens to it from then on.
"""

from __future__ import annotations

from graph_engine.model.diagram import Block, Diagram, Note, Wire

from .items import INPUT_SIDE, OUTPUT_SIDE, BlockItem, WireItem
from .notes import NoteItem


class DiagramMirror:
    def __init__(self, scene) -> None:  # the DiagramScene that owns it
        self.scene = scene
        self.diagram: Diagram | None = None  # the Diagram mirrored, whose events are listened to

    def rebuild(self) -> None:
        scene = self.scene
        self._listen(False)
        scene.clear()
        for items in (scene.blocks, scene.wires, scene.notes):
            items.clear()
        self.diagram = diagram = scene.diagram
        for block in diagram.blocks:
            self.add_block(block)
        for wire in diagram.wires:
            self.add_wire(wire)
        for note in diagram.notes:
            self.add_note(note)
        self._listen(True)

    def _listen(self, on: bool) -> None:
        d = self.diagram
        if d is None:
            return
        for event, handler in (
                (d.block_added, self.add_block), (d.block_removed, self.remove_block),
                (d.wire_added, self.add_wire), (d.wire_removed, self.remove_wire),
                (d.params_changed, self.refresh_block), (d.renamed, self.refresh_block),
                (d.moved, self.move_block), (d.note_added, self.add_note),
                (d.note_removed, self.remove_note), (d.note_changed, self.note_changed)):
            (event.connect if on else event.disconnect)(handler)

    # ------------------------------------------------------------ blocks
    def add_block(self, block: Block) -> None:
        item = BlockItem(block)
        item.set_locked(self.diagram is not None and block.id in self.diagram.locks.blocks)
        self.scene.blocks[block.id] = item
        self.scene.addItem(item)

    def remove_block(self, block: Block) -> None:
        self._drop(self.scene.blocks, block.id)

    def refresh_block(self, block: Block) -> None:
        self.scene.blocks[block.id].refresh(block)

    def move_block(self, block: Block) -> None:
        item = self.scene.blocks[block.id]
        if (item.pos().x(), item.pos().y()) != block.position:
            item.setPos(*block.position)

    def _drop(self, items: dict, key) -> None:
        item = items.pop(key, None)
        if item is not None:
            self.scene.removeItem(item)

    # ------------------------------------------------------------ wires and notes
    def add_wire(self, wire: Wire) -> None:
        blocks = self.scene.blocks
        source = blocks[wire.src].port(OUTPUT_SIDE, wire.src_port)
        target = blocks[wire.dst].port(INPUT_SIDE, wire.dst_port)
        item = WireItem(wire, source, target)
        self.scene.wires[wire] = item
        self.scene.addItem(item)

    def remove_wire(self, wire: Wire) -> None:
        item = self.scene.wires.pop(wire, None)
        if item is not None:
            item.detach()
            self.scene.removeItem(item)

    def add_note(self, note: Note) -> None:
        item = self.scene.notes[note.id] = NoteItem(note)
        self.scene.addItem(item)

    def remove_note(self, note: Note) -> None:
        self._drop(self.scene.notes, note.id)

    def note_changed(self, note: Note) -> None:
        self.scene.notes[note.id].show_note(note)
