"""What the editor lets a user make, ``save`` writes and ``load`` reads back.

Random edits go through the editor's real undo commands (add, paste, move
anywhere within the limits, rename with hostile text, set parameters, wire,
undo): a command the diagram would refuse raises ValueError when it is made
and never reaches the stack, as the inspector relies on. The result is saved
and loaded, and must be the same diagram. The inspector's name field keeps
to the limit and says why it refuses a name.

``make fuzz`` sets NETCANVAS_FUZZ_EXAMPLES; the default run is short.
"""

from __future__ import annotations

import os
import tempfile

from hostile import TYPES, fuzz_settings, hostile_text, params_for, position
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

import graph_engine as ge
from graph_engine import REGISTRY
from graph_engine.core import limits
from graph_engine.model import fileio
from gui.document import commands

app = QApplication.instance() or QApplication([])
FOLDER = tempfile.mkdtemp(prefix="netcanvas-editor-roundtrip-")


class Editor:
    """A diagram and an undo stack, edited as the editor's actions do."""

    def __init__(self) -> None:
        self.diagram = ge.Diagram()
        self.stack = QUndoStack()

    def push(self, make, *args) -> None:
        """Make a command; one the diagram refuses raises before the stack sees it."""
        count = self.stack.count()
        try:
            command = make(self.diagram, *args)
        except ValueError:
            assert self.stack.count() == count
            return
        self.stack.push(command)

    def ids(self) -> list[str]:
        return [b.id for b in self.diagram.blocks]


def edit(editor: Editor, data) -> None:
    d, ids = editor.diagram, editor.ids()
    kind = data.draw(st.sampled_from(["add", "add", "rename", "move", "param", "wire",
                                      "paste", "undo"]))
    if kind == "add" or not ids:
        spec = REGISTRY.get(data.draw(st.sampled_from(TYPES)))
        editor.push(commands.AddBlock, spec.name, data.draw(position()),
                    data.draw(params_for(spec)))
    elif kind == "rename":
        editor.push(commands.Rename, data.draw(st.sampled_from(ids)),
                    data.draw(hostile_text(limits.MAX_NAME)))
    elif kind == "move":
        chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
        new = data.draw(position())
        editor.push(commands.MoveBlocks, {b: (d.block(b).position, new) for b in chosen})
    elif kind == "param":
        block = d.block(data.draw(st.sampled_from(ids)))
        params = data.draw(params_for(block.spec))
        if params:
            editor.push(commands.SetParams, block.id, params)
    elif kind == "wire":
        try:
            wire = d.check_wire(data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids)))
        except ValueError:
            return
        editor.push(commands.Connect, wire)
    elif kind == "paste":
        blocks = [{"id": b.id, "type": b.type, "params": dict(b.params),
                   "position": list(b.position)} for b in d.blocks[:3]]
        offset = data.draw(st.sampled_from([30.0, 0.005, 1e9, -2e9]))
        editor.push(commands.AddFragment, blocks, [], (offset, offset))
    elif editor.stack.canUndo():
        editor.stack.undo()


@fuzz_settings(100)
@given(st.data())
def test_what_the_editor_makes_loads_again_unchanged(data):
    editor = Editor()
    for _ in range(data.draw(st.integers(1, 25))):
        edit(editor, data)
    path = os.path.join(FOLDER, "net.json")
    ge.save(editor.diagram, path)
    assert fileio.to_dict(ge.load(path)) == fileio.to_dict(editor.diagram)
    editor.stack.clear()


def test_refused_edits_never_reach_the_stack():
    editor = Editor()
    editor.push(commands.AddBlock, "ReLU", (0, 0))
    block = editor.ids()[0]
    for make, args in [(commands.Rename, (block, "a\x1bb")), (commands.Rename, (block, "  ")),
                       (commands.Rename, (block, "n" * 80)),
                       (commands.AddBlock, ("ReLU", (2e9, 0))),
                       (commands.MoveBlocks, ({block: ((0, 0), (0, float("nan")))},)),
                       (commands.AddFragment, ([{"id": block, "type": "ReLU", "params": {},
                                                 "position": [0, 0]}], [], (2e9, 2e9)))]:
        editor.push(make, *args)
    assert editor.stack.count() == 1 and len(editor.diagram.blocks) == 1
    assert editor.diagram.block(block).name == "ReLU 1"


# ------------------------------------------------------------------ the inspector

def select_new(window, type_name: str) -> tuple[str, QLineEdit]:
    command = commands.AddBlock(window.document.diagram, type_name, (0, 0))
    window.document.undo_stack.push(command)
    window.scene.select_blocks([command.block_id])
    return command.block_id, window.inspector.widget().findChild(QLineEdit, "blockName")


def test_a_long_name_typed_in_the_inspector_is_cut_at_the_limit_and_loads(window, tmp_path):
    block, field = select_new(window, "Linear")
    assert field.maxLength() == limits.MAX_NAME
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, "n" * 80)
    QTest.keyClick(field, Qt.Key.Key_Return)
    diagram = window.document.diagram
    assert diagram.block(block).name == "n" * limits.MAX_NAME
    ge.save(diagram, tmp_path / "net.json")
    assert ge.load(tmp_path / "net.json").block(block).name == "n" * limits.MAX_NAME


def test_a_name_the_diagram_refuses_is_put_back_with_the_reason(window):
    block, field = select_new(window, "Linear")
    count = window.document.undo_stack.count()
    field.setText("evil\u202ename")  # pasted: a direction override
    field.editingFinished.emit()
    assert window.document.diagram.block(block).name == "Linear 1"
    assert window.document.undo_stack.count() == count
    assert field.text() == "Linear 1"
    assert "U+202E" in window.inspector.error.text()
    assert "U+202E" in window.statusBar().currentMessage()


def test_a_block_past_the_limit_is_refused_in_the_status_bar(window, monkeypatch):
    monkeypatch.setattr(limits, "MAX_BLOCKS", 2)
    window.edit.add_block("Input")
    window.edit.add_block("ReLU")
    assert window.edit.add_block("Linear") == ""  # no traceback from the palette's slot
    assert len(window.document.diagram.blocks) == 2
    assert window.document.undo_stack.count() == 2
    assert "at most 2 blocks" in window.statusBar().currentMessage()


def test_a_drag_past_the_canvas_limit_snaps_back(window, qtbot):
    block_id = window.edit.add_block("ReLU")
    item = window.scene.blocks[block_id]
    window.scene._drag_start = {block_id: window.document.diagram.block(block_id).position}
    item.setPos(limits.MAX_POSITION * 2, 0)
    window.scene._commit_moves()
    assert item.pos().x() == window.document.diagram.block(block_id).position[0]
    assert window.document.undo_stack.count() == 1  # only the add
