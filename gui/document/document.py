"""The open document: a Diagram, its file, its undo stack and its diagnostics.

Everything the editor shows reads from here. Every edit comes in through one
door, :meth:`Document.apply`: the undo command is made (the model checks the
values as it is made) and pushed, or the model's refusal is said once, by
``refused``, which the window shows the same way whoever asked. After any
change the diagram is re-analysed and re-validated once the event loop is
idle, and ``analysed`` carries the result to the views.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from graph_engine import Diagram
from graph_engine.checks.analysis import Analysis, analyze
from graph_engine.checks.readiness import training_problems
from graph_engine.checks.validation import validate
from graph_engine.core.diagnostics import Diagnostic
from graph_engine.model.sources import input_files

C = TypeVar("C", bound=QUndoCommand)

# (the diagram shown, its network revision, its init): what a run of it depends on
NetworkRevision = tuple[int, int, str]


class Document(QObject):
    diagram_replaced = Signal()  # a new Diagram object (New, Open)
    analysed = Signal()  # analysis and diagnostics are fresh
    block_changed = Signal(str)  # a block's params or name changed (at once, not deferred)
    path_changed = Signal(str)
    modified_changed = Signal(bool)
    refused = Signal(str)  # an edit the model refused: why, for the student
    training_changed = Signal()  # the diagram's training settings changed (at once)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        # a method, not a lambda: Qt drops it before the stack's own destructor reports "clean"
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.diagram = Diagram()
        self.path = ""
        self.analysis: Analysis | None = None
        self.diagnostics: list[Diagnostic] = []
        self.training_problems: list[Diagnostic] = []  # what stops a valid diagram training
        self.refusal = ""  # why the last edit asked for was refused ("" when it was made)
        self._generation = 0  # how many diagrams were shown before this one
        self._settings_seen = 0  # the settings revision training_changed last announced
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self._listen(self.diagram)
        self.refresh()

    def _listen(self, diagram: Diagram, on: bool = True) -> None:
        for event, handler in ((diagram.changed, self._schedule),
                               (diagram.params_changed, self._block_changed),
                               (diagram.renamed, self._block_changed),
                               (diagram.settings_changed, self._settings_changed)):
            (event.connect if on else event.disconnect)(handler)

    def _clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    def _block_changed(self, block) -> None:
        self.block_changed.emit(block.id)

    def _settings_changed(self) -> None:
        """The diagram announces its title, data set and settings alike; only a
        new settings revision is a change of the training settings."""
        if self.diagram.revisions.settings != self._settings_seen:
            self._settings_seen = self.diagram.revisions.settings
            self.training_changed.emit()

    # ------------------------------------------------------------ state
    @property
    def network_revision(self) -> NetworkRevision:
        """Changes whenever a run of the diagram on screen would be of another network
        (another diagram shown, an edit of blocks, parameters, wires or data set, or
        other starting weights); a move, a rename or a note keeps it."""
        return self._generation, self.diagram.revisions.network, self.diagram.training.init

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        if self.path:
            return os.path.basename(self.path)
        return self.diagram.title or "Untitled"  # an example opens with its title

    def replace(self, diagram: Diagram, path: str = "") -> None:
        """Show another diagram (New, Open); the undo history starts over."""
        self._listen(self.diagram, on=False)
        self.diagram = diagram
        self._generation += 1
        self._settings_seen = diagram.revisions.settings
        self._listen(self.diagram)
        self.undo_stack.clear()
        self.set_path(path)
        self.refresh()
        self.diagram_replaced.emit()
        self.analysed.emit()

    def set_path(self, path: str) -> None:
        self.path = path
        self.path_changed.emit(path)

    def mark_saved(self) -> None:
        self.undo_stack.setClean()

    def inputs(self) -> list[str]:
        """The files the diagram reads (its own file, a table data set): never written over."""
        return input_files(self.diagram, self.path or None)

    # ------------------------------------------------------------ editing
    def apply(self, make: Callable[[], C | None], verb: str = "Not done") -> C | None:
        """The one door for edits: make the undo command (the model refuses a bad
        value, a full diagram or a locked block with ValueError as it is made) and
        push it. A refusal changes nothing: ``refused`` says "<verb>: why" and
        :attr:`refusal` keeps it for the panel that asked. ``make`` may return None
        for an edit that would change nothing. The command, or None."""
        try:
            command = make()
        except ValueError as error:
            self.refusal = f"{verb}: {error}"
            self.refused.emit(self.refusal)
            return None
        self.refusal = ""
        if command is not None:
            self.undo_stack.push(command)
        return command

    # ------------------------------------------------------------ validation
    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def refresh(self) -> None:
        """Analyse and validate now (normally called once per burst of edits), and
        say what would stop the diagram training (Play asks, without checking again)."""
        self._timer.stop()
        self.analysis = analyze(self.diagram)
        self.diagnostics = validate(self.diagram, self.analysis)
        self.training_problems = training_problems(self.diagram, self.diagnostics)
        self.analysed.emit()

    def checked(self) -> tuple[Analysis, list[Diagnostic]]:
        """The analysis and diagnostics of the diagram as it is now (a pending
        refresh runs first), for the engine calls that take them."""
        if self._timer.isActive() or self.analysis is None:
            self.refresh()
        assert self.analysis is not None  # refresh() made it
        return self.analysis, self.diagnostics

    def problems_for(self, block_id: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if block_id in d.block_ids]

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)
