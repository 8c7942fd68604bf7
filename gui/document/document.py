"""The open document: a Diagram, its file, its undo stack and its diagnostics.

Everything the editor shows reads from here. Edits arrive as undo commands;
after any change the diagram is re-analysed and re-validated once the event
loop is idle, and ``analysed`` carries the result to the views.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from graph_engine import Diagram
from graph_engine.checks.analysis import Analysis, analyze
from graph_engine.checks.validation import validate


class Document(QObject):
    diagram_replaced = Signal()  # a new Diagram object (New, Open)
    analysed = Signal()  # analysis and diagnostics are fresh
    block_changed = Signal(str)  # a block's params or name changed (at once, not deferred)
    path_changed = Signal(str)
    modified_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        # a method, not a lambda: Qt drops it before the stack's own destructor reports "clean"
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.diagram = Diagram()
        self.path = ""
        self.analysis: Analysis | None = None
        self.diagnostics: list = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self._listen(self.diagram)
        self.refresh()

    def _listen(self, diagram: Diagram, on: bool = True) -> None:
        for event, handler in ((diagram.changed, self._schedule),
                               (diagram.params_changed, self._block_changed),
                               (diagram.renamed, self._block_changed)):
            (event.connect if on else event.disconnect)(handler)

    def _clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    def _block_changed(self, block) -> None:
        self.block_changed.emit(block.id)

    # ------------------------------------------------------------ state
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

    # ------------------------------------------------------------ validation
    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def refresh(self) -> None:
        """Analyse and validate now (normally called once per burst of edits)."""
        self._timer.stop()
        self.analysis = analyze(self.diagram)
        self.diagnostics = validate(self.diagram, self.analysis)
        self.analysed.emit()

    def checked(self) -> tuple[Analysis, list]:
        """The analysis and diagnostics of the diagram as it is now (a pending
        refresh runs first), for the engine calls that take them."""
        if self._timer.isActive():
            self.refresh()
        return self.analysis, self.diagnostics

    def problems_for(self, block_id: str) -> list:
        return [d for d in self.diagnostics if block_id in d.block_ids]

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)
