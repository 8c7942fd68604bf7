"""Text notes on the canvas: added from the menu, edited by double-click,
dragged, deleted with Delete, each an undo step; saved with the diagram and
drawn in exported pictures."""

from __future__ import annotations

from guihelpers import click, mouse_drag, send_mouse
from PySide6.QtCore import QEvent, QPointF
from PySide6.QtGui import QImage

from gui import dialogs
from gui.canvas.notes import NoteItem


def _answer(monkeypatch, *texts):
    """ask_text answers ``texts`` in turn; the calls are recorded."""
    asked = []
    answers = list(texts)

    def ask(parent, title, label, text="", multiline=False):
        asked.append((title, text, multiline))
        return answers.pop(0)

    monkeypatch.setattr(dialogs, "ask_text", ask)
    return asked


def test_add_edit_move_delete_with_undo_and_redo(window, qtbot, monkeypatch):
    diagram, scene, stack = window.document.diagram, window.scene, window.document.undo_stack
    asked = _answer(monkeypatch, "Each unit draws\none line", "Each unit draws a line")
    menu = window.canvas_menus.at(QPointF(100, 300))
    entry = next(a for a in menu.actions() if a.text() == "Add &Note…")
    entry.trigger()
    [note] = diagram.notes
    assert (note.text, note.position) == ("Each unit draws\none line", (100.0, 300.0))
    item = scene.notes[note.id]
    assert isinstance(item, NoteItem) and item.text == note.text
    assert asked[0][2]  # several lines may be typed

    centre = item.sceneBoundingRect().center()
    send_mouse(window.view, QEvent.Type.MouseButtonDblClick, centre)
    assert diagram.note(note.id).text == "Each unit draws a line"
    assert asked[1][1] == "Each unit draws\none line"  # the dialog starts from the words

    mouse_drag(window.view, centre, centre + QPointF(80, 40))
    assert diagram.note(note.id).position == (180.0, 340.0)
    assert stack.undoText() == "Move note"

    click(window.view, item.sceneBoundingRect().center())
    assert scene.selected_note_ids() == [note.id]
    window.actions_by_name["delete"].trigger()
    assert diagram.notes == [] and note.id not in scene.notes

    for expected in [(180.0, 340.0), (100.0, 300.0)]:
        stack.undo()
        assert diagram.note(note.id).position == expected
    stack.undo()
    assert diagram.note(note.id).text == "Each unit draws\none line"
    assert scene.notes[note.id].text == "Each unit draws\none line"
    stack.undo()
    assert diagram.notes == [] and scene.notes == {}
    for _ in range(4):
        stack.redo()
    assert diagram.notes == []
    stack.undo()
    assert scene.notes[note.id].pos() == QPointF(180, 340)


def test_cancelled_or_refused_notes_change_nothing(window, monkeypatch):
    _answer(monkeypatch, None, "   ", "x" * 2001)
    for _ in range(3):
        window.actions_by_name["add_note"].trigger()
    assert window.document.diagram.notes == []
    assert not window.document.undo_stack.canUndo()
    assert "longer than 2000" in window.statusBar().currentMessage()


def test_notes_are_saved_reopened_and_drawn_in_exports(window, monkeypatch, tmp_path):
    _answer(monkeypatch, "Watch the boundary")
    window.edit.add_note(QPointF(0, 0))
    path = tmp_path / "noted.json"
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(path))
    assert window.files.save_as()
    window.files.new()
    assert window.scene.notes == {}
    assert window.files.open_path(str(path), ask=False)
    [note] = window.document.diagram.notes
    assert note.text == "Watch the boundary"
    item = window.scene.notes[note.id]
    picture = tmp_path / "canvas.png"
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(picture))
    window.files.export_image()
    image = QImage(str(picture))
    assert not image.isNull()
    paper = [image.pixelColor(x, y).name() for x in range(image.width())
             for y in range(0, image.height(), 4)]
    assert paper.count("#fef3c7") > 1000  # the note's paper, with its words on it
    assert item.sceneBoundingRect().height() >= 44
