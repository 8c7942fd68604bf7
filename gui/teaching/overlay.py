"""A canvas overlay that follows the run: the neurons under the blocks, the
weights on the wires.

Each is turned on and off by its own View menu action, is fed by one probe
that runs only while it is on, draws only a result it has not drawn yet,
and forgets everything when the run changes (New, Open, Reset, Load
Weights, an edit): the run identity every view compares against.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from ..training.controller import Drawn
from .hub import ProbeHub


class RunOverlay(QObject):
    """Subclasses set ``probe`` (claim name), ``probe_fn`` and ``probe_args``, and
    implement ``clear()`` and ``draw(result)``."""

    probe = ""
    probe_fn = ""
    probe_args: ClassVar[dict] = {}

    def __init__(self, hub: ProbeHub, parent: QObject, text: str, shortcut: str,
                 tip: str) -> None:
        super().__init__(parent)
        self.hub = hub
        self.drawn = Drawn()
        self.action = QAction(text, parent)
        self.action.setCheckable(True)
        self.action.setChecked(True)
        self.action.setShortcut(shortcut)
        self.action.setStatusTip(tip)
        self.action.toggled.connect(self._toggled)
        hub.controller.progressed.connect(self.refresh)
        hub.controller.run_changed.connect(self.refresh)
        self._toggled(True)

    def _toggled(self, on: bool) -> None:
        if on:
            self.hub.claim(self.probe, self, self.probe_fn, **self.probe_args)
        else:
            self.hub.release(self.probe, self)
            self.drawn.forget_result()
            self.clear()

    def refresh(self) -> None:
        """Draw the newest result of the run on screen; forget another run's."""
        if self.drawn.new_run(self.hub.controller.state.run):
            self.clear()
        if self.action.isChecked() and self.drawn.new_result(result := self.hub.result(self.probe)):
            self.draw(result)

    def clear(self) -> None:
        raise NotImplementedError

    def draw(self, result: dict) -> None:
        raise NotImplementedError
