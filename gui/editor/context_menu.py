"""Right-click menus on the canvas: on a block, on a wire, on empty space.

Each entry runs an action the window already has (the Edit and Diagram menus'
own QActions where there is one), so a menu adds no behaviour of its own.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QMenu

from graph_engine import REGISTRY
from graph_engine.model.wiring import fits_into

from ..canvas.scene import item_at


def canvas_menu(window, pos: QPointF) -> QMenu:
    """The menu for a right-click at scene position ``pos``."""
    item = item_at(window.scene, pos)
    menu = QMenu(window)
    if hasattr(item, "block_id"):
        _block_entries(window, menu, item.block_id)
    elif hasattr(item, "note_id"):
        _note_entries(window, menu, item)
    elif item is not None:
        _wire_entries(window, menu, item.wire)
    else:
        _canvas_entries(window, menu, pos)
    return menu


def _block_entries(window, menu: QMenu, block_id: str) -> None:
    from .help_window import show_help

    if block_id not in window.scene.selected_block_ids():
        window.scene.select_blocks([block_id])
    block = window.document.diagram.block(block_id)
    menu.addAction("&Rename…", lambda: window.edit.rename(block_id))
    actions = window.actions_by_name
    for key in ("duplicate", "copy", "cut", "delete"):
        menu.addAction(actions[key])
    menu.addSeparator()
    menu.addAction(f"&Help on {block.type}", lambda: show_help(window, "blocks.md", block.type))


def _note_entries(window, menu: QMenu, item) -> None:
    if not item.isSelected():
        window.scene.clearSelection()
        item.setSelected(True)
    menu.addAction("&Edit Note…", lambda: window.edit.edit_note(item.note_id))
    menu.addAction(window.actions_by_name["delete"])


def _wire_entries(window, menu: QMenu, wire) -> None:
    diagram = window.document.diagram
    edit = window.edit
    insert = menu.addMenu("&Insert Block")
    for category, specs in REGISTRY.by_category().items():
        names = [s.name for s in specs if fits_into(diagram, s, wire)]
        if names:
            sub = insert.addMenu(category.value)
            for name in names:
                sub.addAction(name, lambda n=name: edit.insert_block(n, wire))
    insert.setEnabled(not insert.isEmpty())  # a wire of labels takes no block
    menu.addSeparator()
    src, dst = diagram.block(wire.src).name, diagram.block(wire.dst).name
    menu.addAction(f"&Delete Wire from {src} to {dst}", lambda: _delete_wire(window, wire))


def _delete_wire(window, wire) -> None:
    from ..document import commands

    window.edit.attempt(lambda: commands.RemoveItems(window.document.diagram, [], [wire]))


def _canvas_entries(window, menu: QMenu, pos: QPointF) -> None:
    add = menu.addMenu("&Add Block")
    for category, specs in REGISTRY.by_category().items():
        sub = add.addMenu(category.value)
        for spec in specs:
            sub.addAction(spec.name, lambda n=spec.name: window.edit.add_block(n, pos))
    actions = window.actions_by_name
    menu.addAction("Add &Note…", lambda: window.edit.add_note(pos))
    menu.addAction(actions["paste"])
    menu.addSeparator()
    for key in ("select_all", "auto_layout", "fit"):
        menu.addAction(actions[key])
