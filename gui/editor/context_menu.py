"""Right-click menus on the canvas: on a block, on a wire, on a note, on empty space.

Each entry runs an editing action (the Edit and Diagram menus' own QActions
where there is one), so a menu adds no behaviour of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from PySide6.QtCore import QPointF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from graph_engine import REGISTRY
from graph_engine.model.diagram import Wire
from graph_engine.model.wiring import fits_into

from ..canvas.notes import NoteItem
from ..canvas.scene import item_at
from ..document import commands
from .edit_actions import EditActions
from .help_window import show_help


class CanvasMenus:
    def __init__(self, edit: EditActions, actions: Mapping[str, QAction],
                 parent: QWidget) -> None:
        self.edit, self.actions, self.parent = edit, actions, parent
        self.scene, self.document = edit.scene, edit.document

    def at(self, pos: QPointF) -> QMenu:
        """The menu for a right-click at scene position ``pos``."""
        item = item_at(self.scene, pos)
        menu = QMenu(self.parent)
        if hasattr(item, "block_id"):
            self._block_entries(menu, item.block_id)
        elif isinstance(item, NoteItem):
            self._note_entries(menu, item)
        elif item is not None:
            self._wire_entries(menu, item.wire)
        else:
            self._canvas_entries(menu, pos)
        return menu

    def _block_entries(self, menu: QMenu, block_id: str) -> None:
        if block_id not in self.scene.selected_block_ids():
            self.scene.select_blocks([block_id])
        block = self.document.diagram.block(block_id)
        menu.addAction("&Rename…", lambda: self.edit.rename(block_id))
        for key in ("duplicate", "copy", "cut", "delete"):
            menu.addAction(self.actions[key])
        menu.addSeparator()
        menu.addAction(f"&Help on {block.type}",
                       lambda: show_help(self.parent, "blocks.md", block.type))

    def _note_entries(self, menu: QMenu, item: NoteItem) -> None:
        if not item.isSelected():
            self.scene.clearSelection()
            item.setSelected(True)
        menu.addAction("&Edit Note…", lambda: self.edit.edit_note(item.note_id))
        menu.addAction(self.actions["delete"])

    def _wire_entries(self, menu: QMenu, wire: Wire) -> None:
        diagram = self.document.diagram
        insert = menu.addMenu("&Insert Block")
        for category, specs in REGISTRY.by_category().items():
            names = [s.name for s in specs if fits_into(diagram, s, wire)]
            if names:
                sub = insert.addMenu(category.value)
                for name in names:
                    sub.addAction(name, partial(self.edit.insert_block, name, wire))
        insert.setEnabled(not insert.isEmpty())  # a wire of labels takes no block
        menu.addSeparator()
        src, dst = diagram.block(wire.src).name, diagram.block(wire.dst).name
        menu.addAction(f"&Delete Wire from {src} to {dst}", lambda: self._delete_wire(wire))

    def _delete_wire(self, wire: Wire) -> None:
        self.edit.attempt(lambda: commands.RemoveItems(self.document.diagram, [], [wire]))

    def _canvas_entries(self, menu: QMenu, pos: QPointF) -> None:
        add = menu.addMenu("&Add Block")
        for category, specs in REGISTRY.by_category().items():
            sub = add.addMenu(category.value)
            for spec in specs:
                sub.addAction(spec.name, partial(self.edit.add_block, spec.name, pos))
        menu.addAction("Add &Note…", lambda: self.edit.add_note(pos))
        menu.addAction(self.actions["paste"])
        menu.addSeparator()
        for key in ("select_all", "auto_layout", "fit"):
            menu.addAction(self.actions[key])
