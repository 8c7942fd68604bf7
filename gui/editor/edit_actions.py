"""Editing the canvas: add, delete, cut/copy/paste, duplicate, select all, layout.

Each action becomes one undo command, applied through the document's one
door (:meth:`~gui.document.document.Document.apply`). The clipboard carries a fragment of
the diagram as JSON, so blocks can be pasted into another window or file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QMimeData, QObject, QPointF
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QApplication

from graph_engine import REGISTRY
from graph_engine.model.layout import free_position, layered_positions, room_for

from .. import dialogs
from ..canvas.items import snapped
from ..canvas.scene import DiagramScene, item_at
from ..canvas.view import CanvasView
from ..document import commands
from ..document.document import Document
from ..shell import Shell
from ..style import BLOCK_HEIGHT, BLOCK_WIDTH

C = TypeVar("C", bound=QUndoCommand)

FRAGMENT_MIME = "application/x-netcanvas-fragment"
PASTE_OFFSET = 30.0


class EditActions(QObject):
    def __init__(self, document: Document, scene: DiagramScene, view: CanvasView,
                 shell: Shell) -> None:
        super().__init__(document)
        self.document, self.scene, self.view, self.shell = document, scene, view, shell
        self._paste_count = 0

    def attempt(self, make: Callable[[], C]) -> C | None:
        """Make a command with ``make()`` and apply it through the document's door
        (which says why, when the diagram refuses it). The command, or None."""
        return self.document.apply(make)

    # ------------------------------------------------------------ adding
    def add_block(self, type_name: str, position: QPointF | None = None) -> str:
        if position is None:  # double-click or Enter: a free spot near the view's centre
            centre = self.view.center_scene_pos() - QPointF(BLOCK_WIDTH / 2,
                                                            BLOCK_HEIGHT / 2)
            x, y = free_position(self.document.diagram, (centre.x(), centre.y()))
            position = QPointF(x, y)
        position = snapped(position)
        command = self.attempt(lambda: commands.AddBlock(self.document.diagram, type_name,
                                                         (position.x(), position.y())))
        if command is None:
            return ""
        block_id = command.block_id or ""
        self.scene.select_blocks([block_id])
        self.shell.tell(f"Added {command.name}", 3000)
        return block_id

    def drop_block(self, type_name: str, position: QPointF) -> str:
        """A block dropped from the palette: onto a wire, it goes into that wire."""
        item = item_at(self.scene, position)
        wire = getattr(item, "wire", None)
        if wire is not None and not hasattr(item, "block_id"):
            return self.insert_block(type_name, wire, position)
        return self.add_block(type_name, position)

    def insert_block(self, type_name: str, wire, position: QPointF | None = None) -> str:
        """A new block into ``wire``, placed where it was dropped or between its ends;
        the blocks it would land on move aside (:func:`room_for`), in the same step."""
        diagram = self.document.diagram
        if position is None:
            (x0, y0), (x1, y1) = diagram.block(wire.src).position, diagram.block(wire.dst).position
            position = QPointF((x0 + x1) / 2, (y0 + y1) / 2)
        else:
            position = position - QPointF(BLOCK_WIDTH / 2, BLOCK_HEIGHT / 2)
        position = snapped(position)
        at, moves = room_for(diagram, (position.x(), position.y()))
        command = self.attempt(lambda: commands.InsertBlock(diagram, type_name, wire, at,
                                                            moves))
        if command is None:
            return ""
        block_id = command.block_id or ""
        self.scene.select_blocks([block_id])
        return block_id

    def rename(self, block_id: str) -> None:
        block = self.document.diagram.block(block_id)
        name = dialogs.ask_text(self.shell.main_window(), "Rename block",
                                f"New name for {block.name}:", block.name)
        if name is not None and name != block.name:
            self.attempt(lambda: commands.Rename(self.document.diagram, block_id, name))

    def edit_properties(self) -> None:
        diagram = self.document.diagram
        answer = dialogs.ask_properties(self.shell.main_window(), diagram.title,
                                        diagram.description)
        if answer is not None and answer != (diagram.title, diagram.description):
            self.attempt(lambda: commands.SetProperties(diagram, *answer))

    # ------------------------------------------------------------ notes
    def add_note(self, position: QPointF | None = None) -> str:
        """Ask for a note's words and put it at ``position`` (else near the view's
        centre); its id, or "" when cancelled or refused."""
        text = dialogs.ask_text(self.shell.main_window(), "Add note", "Text of the note:",
                                multiline=True)
        if not text or not text.strip():
            return ""
        if position is None:
            position = self.view.center_scene_pos()
        position = snapped(position)
        command = self.attempt(lambda: commands.AddNote(self.document.diagram, text,
                                                        (position.x(), position.y())))
        return command.note_id or "" if command is not None else ""

    def edit_note(self, note_id: str) -> None:
        note = self.document.diagram.note(note_id)
        text = dialogs.ask_text(self.shell.main_window(), "Edit note", "Text of the note:",
                                note.text, multiline=True)
        if text is not None and text != note.text:
            self.attempt(lambda: commands.EditNote(self.document.diagram, note_id, text))

    # ------------------------------------------------------------ removing
    def delete(self) -> None:
        block_ids, wires = self.scene.selected_block_ids(), self.scene.selected_wires()
        notes = self.scene.selected_note_ids()
        if block_ids or wires or notes:
            self.attempt(lambda: commands.RemoveItems(self.document.diagram, block_ids, wires,
                                                      note_ids=notes))

    def cut(self) -> None:
        block_ids, wires = self.scene.selected_block_ids(), self.scene.selected_wires()
        if block_ids:  # copied only when it can be cut: once the command is made
            self.attempt(lambda: self._copied(commands.RemoveItems(
                self.document.diagram, block_ids, wires, text="Cut")))

    def _copied(self, command: C) -> C:
        self.copy()
        return command

    # ------------------------------------------------------------ clipboard
    def fragment(self, block_ids: list[str]) -> dict:
        diagram = self.document.diagram
        chosen = set(block_ids)
        blocks = [{"id": b.id, "type": b.type, "params": dict(b.params),
                   "position": list(b.position)} for b in diagram.blocks if b.id in chosen]
        wires = [[w.src, w.src_port, w.dst, w.dst_port] for w in diagram.wires
                 if w.src in chosen and w.dst in chosen]
        return {"netcanvas-fragment": 1, "blocks": blocks, "wires": wires}

    def copy(self) -> None:
        block_ids = self.scene.selected_block_ids()
        if not block_ids:
            return
        text = json.dumps(self.fragment(block_ids))
        mime = QMimeData()
        mime.setData(FRAGMENT_MIME, text.encode("utf-8"))
        mime.setText(text)
        QApplication.clipboard().setMimeData(mime)
        self._paste_count = 0

    def paste(self) -> None:
        mime = QApplication.clipboard().mimeData()
        if mime is None or not mime.hasFormat(FRAGMENT_MIME):
            self.shell.tell("Nothing to paste: copy some blocks first", 3000)
            return
        fragment = _read_fragment(bytes(mime.data(FRAGMENT_MIME).data()).decode("utf-8"))
        if fragment is None:
            self.shell.tell("The clipboard does not hold blocks", 3000)
            return
        self._paste_count += 1
        self._insert(fragment, self._paste_count * PASTE_OFFSET, "Paste")

    def duplicate(self) -> None:
        block_ids = self.scene.selected_block_ids()
        if block_ids:
            self._insert(self.fragment(block_ids), PASTE_OFFSET, "Duplicate")

    def _insert(self, fragment: dict, offset: float, text: str) -> None:
        wires = [tuple(w) for w in fragment["wires"]]
        command = self.attempt(lambda: commands.AddFragment(
            self.document.diagram, fragment["blocks"], wires, (offset, offset), text))
        if command is not None:
            self.scene.select_blocks(list(command.ids.values()))

    # ------------------------------------------------------------ selection, layout
    def select_all(self) -> None:
        self.scene.select_blocks(list(self.scene.blocks))

    def auto_layout(self) -> None:
        diagram = self.document.diagram
        if not diagram.blocks:
            return
        viewport = self.view.viewport()
        positions = layered_positions(diagram, aspect=max(viewport.width(), 1) /
                                      max(viewport.height(), 1))
        moves = {b: (diagram.block(b).position, p) for b, p in positions.items()
                 if diagram.block(b).position != p}
        if moves:
            self.attempt(lambda: commands.MoveBlocks(diagram, moves, text="Auto layout"))
        self.view.fit()


def _read_fragment(text: str) -> dict | None:
    """The clipboard's fragment, or None if it is not one (it may come from
    anywhere, so every field is checked before use)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    ok = isinstance(data, dict) and isinstance(data.get("blocks"), list) and isinstance(
        data.get("wires"), list)
    if not ok:
        return None
    for wire in data["wires"]:
        if not (isinstance(wire, list) and len(wire) == 4
                and all(isinstance(w, str) for w in wire)):
            return None
    for block in data["blocks"]:
        if not (isinstance(block, dict) and isinstance(block.get("id"), str)
                and isinstance(block.get("type"), str) and isinstance(block.get("params"), dict)
                and isinstance(block.get("position"), list) and len(block["position"]) == 2):
            return None
    try:
        specs = {b["id"]: REGISTRY.get(b["type"]) for b in data["blocks"]}
        for block in data["blocks"]:
            block["params"] = specs[block["id"]].coerce_params(block["params"])
            block["position"] = [float(v) for v in block["position"]]
            if not all(math.isfinite(v) and abs(v) < 1e9 for v in block["position"]):
                return None
        for wire in data["wires"]:
            src, src_port, dst, dst_port = wire
            specs[src].output_port(src_port)
            specs[dst].input_port(dst_port)
    except (ValueError, TypeError, KeyError):
        return None
    return data
