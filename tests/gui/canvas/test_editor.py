"""The editor driven through its real widgets: drops, wires, moves, undo, inspector."""

from __future__ import annotations

import pytest
from guihelpers import block_centre, mouse_drag, port_pos
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QSpinBox

from graph_engine.model import fileio
from gui import dialogs
from gui.canvas.items import snapped
from gui.editor.file_actions import example_paths


def add(window, type_name, x, y, **params):
    diagram = window.document.diagram
    block_id = diagram.add_block(type_name, params, (x, y))
    window.document.refresh()
    return block_id


def test_dropping_a_palette_entry_adds_a_block(window):
    item = window.block_palette.item_for("Linear")
    mime = window.block_palette.tree.mimeData([item])
    viewport = window.view.viewport()
    target = QPoint(300, 200)
    actions = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    at = QPointF(target)
    enter = QDragEnterEvent(target, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDragMoveEvent(target, actions, mime, buttons, mods))
    QApplication.sendEvent(viewport, QDropEvent(at, actions, mime, buttons, mods,
                                                QEvent.Type.Drop))
    blocks = window.document.diagram.blocks
    assert [b.type for b in blocks] == ["Linear"]
    expected = snapped(window.view.mapToScene(target))  # the nearest grid point
    assert blocks[0].position == (expected.x(), expected.y())
    assert window.scene.blocks[blocks[0].id].pos() == expected
    assert window.document.undo_stack.count() == 1
    assert "Linear 1" in window.scene.blocks[blocks[0].id].name


def test_double_click_in_palette_adds_at_view_centre(window, qtbot):
    item = window.block_palette.item_for("ReLU")
    window.block_palette.tree.itemDoubleClicked.emit(item, 0)
    assert [b.type for b in window.document.diagram.blocks] == ["ReLU"]


def test_wiring_two_blocks_with_the_mouse(window):
    x = add(window, "Input", 0, 0, features=2)
    h = add(window, "Linear", 260, 40, out_features=8)
    mouse_drag(window.view, port_pos(window, x, "output", "output"),
               port_pos(window, h, "input", "input"))
    wires = window.document.diagram.wires
    assert len(wires) == 1 and (wires[0].src, wires[0].dst) == (x, h)
    window.document.refresh()
    assert window.scene.wires[wires[0]].label_text == "N×2"
    assert window.document.undo_stack.undoText().startswith("Connect")


def test_dropping_a_wire_on_a_block_uses_its_first_free_port(window):
    x = add(window, "Input", 0, 0, features=2)
    loss = add(window, "MSELoss", 300, 0)
    mouse_drag(window.view, port_pos(window, x, "output", "output"), block_centre(window, loss))
    wires = window.document.diagram.wires
    assert [(w.src, w.dst, w.dst_port) for w in wires] == [(x, loss, "input")]


def test_a_refused_wire_is_not_made_says_why_over_the_canvas_and_lets_go_of_the_mouse(window):
    t = add(window, "Target", 0, 0)
    h = add(window, "Linear", 260, 0)
    mouse_drag(window.view, port_pos(window, t, "output", "target"),
               port_pos(window, h, "input", "input"))
    assert window.document.diagram.wires == []
    assert "labels" in window.statusBar().currentMessage()
    assert window.document.undo_stack.count() == 0
    # A refusal is also said over the canvas, where the student is looking. The port
    # the drag began on let go of the mouse: the next drag wires what it is asked
    # to (it went to the refused port before), and a wire made is only reported in
    # the status bar.
    assert window.note.isVisible() and window.note.text().startswith("Not connected:")
    window.note.hide()
    x = add(window, "Input", 0, 200, features=2)
    mouse_drag(window.view, port_pos(window, x, "output", "output"),
               port_pos(window, h, "input", "input"))
    assert window.statusBar().currentMessage().startswith("Connected")
    assert not window.note.isVisible()


def test_a_wire_that_makes_a_loop_is_refused(window):
    a = add(window, "Linear", 0, 0)
    b = add(window, "ReLU", 260, 0)
    window.document.diagram.connect(a, b)
    mouse_drag(window.view, port_pos(window, b, "output", "output"),
               port_pos(window, a, "input", "input"))
    assert len(window.document.diagram.wires) == 1
    assert "loop" in window.statusBar().currentMessage()


def test_delete_then_undo_restores_the_block_and_its_wires(window):
    d = window.document.diagram
    x, h, r = add(window, "Input", 0, 0), add(window, "Linear", 250, 0), add(window, "ReLU", 500, 0)
    d.connect(x, h)
    d.connect(h, r)
    before = fileio.to_dict(d)
    window.scene.select_blocks([h])
    window.actions_by_name["delete"].trigger()
    assert h not in d and d.wires == []
    assert h not in window.scene.blocks and not window.scene.wires
    window.document.undo_stack.undo()
    assert fileio.to_dict(d) == before
    assert len(window.scene.wires) == 2


def test_moving_two_blocks_is_one_undo_step(window):
    d = window.document.diagram
    a, b = add(window, "Linear", 0, 0), add(window, "ReLU", 300, 0)
    window.scene.select_blocks([a, b])
    start = block_centre(window, a)
    mouse_drag(window.view, start, start + QPointF(100, 60))
    assert d.block(a).position == (100, 60) and d.block(b).position == (400, 60)
    stack = window.document.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Move 2 blocks"
    stack.undo()
    assert d.block(a).position == (0, 0) and d.block(b).position == (300, 0)
    assert window.scene.blocks[a].pos() == QPointF(0, 0)


def test_an_inspector_edit_and_its_undo(window):
    d = window.document.diagram
    h = add(window, "Linear", 0, 0, out_features=8)
    window.scene.select_blocks([h])
    editor = window.inspector.editors["out_features"]
    assert isinstance(editor.widget, QSpinBox)
    editor.widget.setValue(16)
    assert d.block(h).params["out_features"] == 16
    assert window.scene.blocks[h].title == "Linear · 16 out"
    window.document.undo_stack.undo()
    assert d.block(h).params["out_features"] == 8
    assert window.inspector.editors["out_features"].widget.value() == 8


def test_a_bad_formula_is_refused_with_a_message_and_changes_nothing(window):
    d = window.document.diagram
    c = add(window, "CustomActivation", 0, 0)
    window.scene.select_blocks([c])
    field = window.inspector.editors["formula"].widget
    before = d.block(c).params["formula"]
    field.setText("x.__class__")
    field.textEdited.emit(field.text())
    field.editingFinished.emit()
    assert d.block(c).params["formula"] == before
    assert "unexpected character" in window.inspector.error.text()
    assert window.document.undo_stack.count() == 0


def test_problems_are_listed_and_clicking_one_selects_its_blocks(window, qtbot):
    h = add(window, "Linear", 0, 0)
    problems = window.problems
    codes = [problems.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole + 1).code
             for i in range(problems.topLevelItemCount())]
    assert "no-input" in codes and "port-open" in codes
    assert window.scene.blocks[h].severity == "error"
    row = codes.index("port-open")
    problems.itemClicked.emit(problems.topLevelItem(row), 1)
    assert window.scene.selected_block_ids() == [h]


def test_copy_paste_and_duplicate_make_new_blocks_with_their_wires(window):
    d = window.document.diagram
    a, b = add(window, "Linear", 0, 0), add(window, "ReLU", 250, 0)
    d.connect(a, b)
    window.scene.select_blocks([a, b])
    window.actions_by_name["copy"].trigger()
    window.actions_by_name["paste"].trigger()
    assert len(d.blocks) == 4 and len(d.wires) == 2
    window.actions_by_name["duplicate"].trigger()
    assert len(d.blocks) == 6 and len(d.wires) == 3
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert len(d.blocks) == 2 and len(d.wires) == 1


def test_auto_layout_is_one_undoable_step(window):
    d = window.document.diagram
    x, h, loss = add(window, "Input", 500, 300), add(window, "Linear", -40, 90), add(
        window, "MSELoss", 10, 10)
    d.connect(x, h)
    d.connect(h, loss)
    window.actions_by_name["auto_layout"].trigger()
    xs = [d.block(b).position[0] for b in (x, h, loss)]
    assert xs == sorted(xs) and len(set(xs)) == 3
    window.document.undo_stack.undo()
    assert d.block(x).position == (500, 300)


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_opening_each_example_shows_all_its_blocks(window, path):
    assert window.files.open_example(str(path))
    diagram = window.document.diagram
    assert set(window.scene.blocks) == {b.id for b in diagram.blocks}
    assert len(window.scene.wires) == len(diagram.wires)
    assert not window.document.modified


def test_closing_with_unsaved_changes_asks(window, monkeypatch):
    add(window, "Linear", 0, 0)
    window.document.undo_stack.push(_noop_command())
    asked = []
    monkeypatch.setattr(dialogs, "ask_unsaved", lambda parent, name: asked.append(name)
                        or "cancel")
    assert not window.close()
    assert asked and window.isVisible()
    monkeypatch.setattr(dialogs, "ask_unsaved", lambda parent, name: "discard")
    assert window.close()


def test_save_and_open_round_trip_through_the_file_actions(window, tmp_path, monkeypatch):
    d = window.document.diagram
    x = add(window, "Input", 0, 0)
    window.edit.add_block("Linear", QPointF(250, 0))
    h = next(b.id for b in d.blocks if b.type == "Linear")
    d.connect(x, h)
    path = tmp_path / "mine.json"
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(path))
    assert window.files.save()
    assert not window.document.modified and "mine.json" in window.windowTitle()
    window.files.new()
    assert window.document.diagram.blocks == []
    assert window.files.open_path(str(path))
    assert [b.type for b in window.document.diagram.blocks] == ["Input", "Linear"]
    assert len(window.document.diagram.wires) == 1


def test_opening_a_bad_file_shows_why_and_keeps_the_diagram(window, tmp_path, monkeypatch):
    add(window, "Linear", 0, 0)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append(text))
    assert not window.files.open_path(str(bad), ask=False)
    assert shown and "not valid JSON" in shown[0]
    assert [b.type for b in window.document.diagram.blocks] == ["Linear"]


def _noop_command():
    from PySide6.QtGui import QUndoCommand

    return QUndoCommand("touch")
