"""Text notes on the canvas, as the Diagram holds them.

A teacher writes a few words beside the network ("these units draw the
lines of the cross"). Notes are kept in order with ids of their own, checked
on the way in like every other value (:mod:`.values`, MAX_NOTES), announced
with events so the editor can mirror them, and saved under the file's
optional "notes" key. Validation, compilation and code export ignore them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.events import Event
from . import values
from .parts import Note


class NoteMethods:
    """The Diagram's note methods (a mixin: the Diagram provides ``_emit`` and
    ``check_room``)."""

    _emit: Callable[..., None]
    check_room: Callable[..., None]

    def _init_notes(self) -> None:
        self._notes: dict[str, Note] = {}
        self.note_added = Event("note_added")  # (note)
        self.note_removed = Event("note_removed")  # (note)
        self.note_changed = Event("note_changed")  # (note): its text or position

    @property
    def notes(self) -> list[Note]:
        return list(self._notes.values())

    def note(self, note_id: str) -> Note:
        try:
            return self._notes[note_id]
        except (KeyError, TypeError):
            raise ValueError(f"no note with id {note_id!r}") from None

    def add_note(self, text: str, position=(0.0, 0.0), note_id: str | None = None,
                 index: int | None = None) -> str:
        """Add a note (at ``index`` in the list, default last); return its id. Bad
        text, position or id, a taken id or a full canvas raise ValueError."""
        self.check_room(notes=1)
        text, point = values.note_text(text), values.position(position, "a note's position")
        if note_id is None:
            number = 1
            while f"note{number}" in self._notes:
                number += 1
            note_id = f"note{number}"
        note_id = values.block_id(note_id, "a note id")
        if note_id in self._notes:
            raise ValueError(f"a note with id {note_id!r} already exists")
        items = list(self._notes.items())
        items.insert(len(items) if index is None else index, (note_id, Note(note_id, text, point)))
        self._notes = dict(items)
        self._emit(self.note_added, self._notes[note_id])
        return note_id

    def remove_note(self, note_id: str) -> tuple[Note, int]:
        """Remove a note; return it and its index, for :meth:`add_note` to put back."""
        note = self.note(note_id)
        index = list(self._notes).index(note_id)
        del self._notes[note_id]
        self._emit(self.note_removed, note)
        return note, index

    def set_note_text(self, note_id: str, text: str) -> str:
        """Give a note new words; return the old ones."""
        note = self.note(note_id)
        old, note.text = note.text, values.note_text(text)
        self._emit(self.note_changed, note)
        return old

    def move_note(self, note_id: str, x: float, y: float) -> tuple[float, float]:
        """Move a note; return where it was."""
        note = self.note(note_id)
        point = values.position((x, y), "a note's position")
        old, note.position = note.position, point
        self._emit(self.note_changed, note)
        return old
