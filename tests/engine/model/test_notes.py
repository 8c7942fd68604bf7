"""Text notes on the canvas: kept by the Diagram, checked like every value,
saved under the optional "notes" key and read back exactly; a file without
notes is written as before, and the network ignores them."""

from __future__ import annotations

import json

import pytest

import graph_engine as ge
from graph_engine.core import limits
from graph_engine.model.fileio import DiagramFileError, dumps, loads


def _diagram() -> ge.Diagram:
    d = ge.Diagram()
    x = d.add("Input", features=2)
    h = d.add("Linear", out_features=3)
    d.connect(x, h)
    return d


def test_notes_are_added_edited_moved_and_removed_with_events():
    d = _diagram()
    seen = []
    for event in (d.note_added, d.note_removed, d.note_changed):
        event.connect(lambda note, name=event.name: seen.append((name, note.id)))
    first = d.add_note("Two inputs:\nx1 and x2", (10.004, -20))
    second = d.add_note("The hidden layer")
    assert (first, second) == ("note1", "note2")
    assert d.note(first).position == (10.0, -20.0)
    assert d.set_note_text(first, "changed") == "Two inputs:\nx1 and x2"
    assert d.move_note(second, 5, 6) == (0.0, 0.0)
    note, index = d.remove_note(first)
    assert (note.text, index) == ("changed", 0)
    d.add_note(note.text, note.position, note.id, index)
    assert [n.id for n in d.notes] == ["note1", "note2"]
    assert seen == [("note_added", "note1"), ("note_added", "note2"), ("note_changed", "note1"),
                    ("note_changed", "note2"), ("note_removed", "note1"),
                    ("note_added", "note1")]


@pytest.mark.parametrize("call, message", [
    (lambda d: d.add_note("x" * (limits.MAX_NOTE + 1)), "longer than"),
    (lambda d: d.add_note("bell\a"), "control character"),
    (lambda d: d.add_note("x", ("a", 1)), "position"),
    (lambda d: d.add_note("x", note_id="note1"), "already exists"),
    (lambda d: d.set_note_text("nope", "x"), "no note"),
    (lambda d: d.move_note("note1", float("nan"), 0), "position"),
])
def test_bad_notes_are_refused_and_change_nothing(call, message):
    d = _diagram()
    d.add_note("kept", (1, 2))
    before = dumps(d)
    with pytest.raises(ValueError, match=message):
        call(d)
    assert dumps(d) == before


def test_a_canvas_holds_at_most_max_notes():
    d = ge.Diagram()
    for _ in range(limits.MAX_NOTES):
        d.add_note("n")
    with pytest.raises(ValueError, match=f"at most {limits.MAX_NOTES} notes"):
        d.add_note("one too many")


def test_notes_round_trip_and_a_file_without_notes_has_no_key(tmp_path):
    d = _diagram()
    assert "notes" not in json.loads(dumps(d))
    d.add_note("Ünïcode 😀\n\ttabbed", (12.345, 6))
    d.add_note("second", (-1, 1e6))
    path = tmp_path / "net.json"
    ge.save(d, path)
    again = ge.load(path)
    assert again.notes == d.notes
    assert dumps(again) == dumps(d)
    assert json.loads(path.read_text())["notes"][0] == {
        "id": "note1", "text": "Ünïcode 😀\n\ttabbed", "position": [12.35, 6.0]}


@pytest.mark.parametrize("notes, message", [
    ("a note", '"notes" must be a list'),
    ([{"id": "n", "text": "x"}], 'note 1 lacks the key "position"'),
    ([{"id": "n", "text": "x", "position": [0, 0], "colour": "red"}],
     'note 1 has an unknown key "colour"'),
    ([{"id": "n", "text": 3, "position": [0, 0]}], "note 'n': \"text\" must be text"),
    ([{"id": "n", "text": "x", "position": "here"}], "note 'n': \"position\" must be two"),
    ([{"id": "n", "text": "x", "position": [0, 0]}] * 2, "note 'n': a note with id 'n' already"),
    ([{"id": "n", "text": "x", "position": [0, 0]}] * (limits.MAX_NOTES + 1),
     f'"notes" has {limits.MAX_NOTES + 1} entries'),
])
def test_bad_notes_in_a_file_are_refused_naming_where(notes, message):
    document = json.loads(dumps(_diagram()))
    document["notes"] = notes
    with pytest.raises(DiagramFileError, match=message):
        loads(json.dumps(document))


def test_the_network_ignores_notes():
    plain, noted = _diagram(), _diagram()
    noted.add_note("def hack(): pass  # not code", (0, 200))
    assert ge.to_python(noted) == ge.to_python(plain)
    assert [p.code for p in ge.validate(noted)] == [p.code for p in ge.validate(plain)]
