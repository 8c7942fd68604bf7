"""Lints from the training metrics, shown in the Problems panel.

A loss that grows (learning rate too high) or hardly moves (too low, or
vanishing gradients) is only visible once the network trains, so these
come from the run's history instead of the diagram. They are recomputed
at most once a second while training, since a history can be long. A
diverging loss stays listed until the run is reset: with a learning rate
that high the loss often spikes and falls back within a second, and the
warning must not vanish before the student has read it.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject

from graph_engine.checks.lints import training_lints
from graph_engine.core.diagnostics import WARNING

from ..document.document import Document
from ..panels.problems import ProblemsPanel
from ..training.controller import TrainingController

INTERVAL = 1.0  # seconds between checks while training
STICKY = ("diverging-loss",)


class TrainingLints(QObject):
    def __init__(self, controller: TrainingController, document: Document,
                 problems: ProblemsPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller, self.document, self.problems = controller, document, problems
        self._seen = -1  # history length last checked
        self._checked_at = 0.0
        self._diverged = False
        self._kept: dict = {}  # sticky lints of this run, by code
        self.controller.progressed.connect(self.check)
        self.controller.run_changed.connect(self._run_changed)

    def _run_changed(self) -> None:
        self._kept, self._seen, self._diverged = {}, -1, False
        self._show([])

    def check(self) -> None:
        state = self.controller.state
        history, size, diverged = state.history, len(state.history), state.diverged
        if size == self._seen and diverged == self._diverged:
            return
        self._diverged = diverged
        now = time.monotonic()
        if size > self._seen > 0 and now - self._checked_at < INTERVAL \
                and self.controller.running:
            return
        self._seen, self._checked_at = size, now
        explained = any(d.severity == WARNING for d in self.document.diagnostics)
        lints = training_lints(history, diverged=diverged, explained=explained)
        self._kept.update({d.code: d for d in lints if d.code in STICKY})
        codes = {d.code for d in lints}
        self._show(lints + [d for code, d in self._kept.items() if code not in codes])

    def _show(self, lints: list) -> None:
        problems = self.problems
        if [(d.code, d.message) for d in lints] != \
                [(d.code, d.message) for d in problems.extra]:
            problems.set_extra(lints)
