"""The training process's replies, taken into the run on screen.

:class:`~gui.training.controller.TrainingController` sends the commands;
:class:`Replies` hears what comes back. Every reply names its run: a result of
the current run goes into the controller's :class:`TrainingState` and is drawn
at the next frame (at once at a pace the frames can follow), another run's is
dropped. A status, the data set's description and a crash also settle what
the controller asked for (:class:`Asked`): a run that ended on its own, a
step waiting for the run to be prepared, a network the process no longer holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from graph_engine.core.epochs import CurvePoint, EpochRow
from graph_engine.server.protocol import Reason, Status

from ..document.document import NetworkRevision
from .process import TrainingProcess
from .refusals import Refusal

if TYPE_CHECKING:
    from .controller import TrainingController

CRASHED = "The training process stopped unexpectedly; press play to start again."


@dataclass
class Asked:
    """What the controller asked of the training process and the replies settle
    (used on the GUI thread only)."""

    network: NetworkRevision | None = None  # the network revision it was asked to prepare
    then: Callable[[], None] | None = None  # what to do once prepared
    running: bool = False  # play pressed, and the run not over yet
    run_seq: int | None = None  # sequence number of the last run command


class Replies(QObject):
    """Listens to ``process`` for ``controller``, whose :class:`Asked` it settles."""

    def __init__(self, controller: TrainingController, asked: Asked,
                 process: TrainingProcess) -> None:
        super().__init__(controller)
        self.controller, self.asked = controller, asked
        process.status.connect(self._status)
        process.prepared.connect(self._prepared)
        process.history.connect(self._history)
        process.probes.connect(self._probes)
        process.batch.connect(self._batch)
        process.point.connect(self._point)
        process.crashed.connect(self._crashed)

    def _status(self, status: Status, reason: Reason, message: str, seq: int, run: int) -> None:
        asked, state = self.asked, self.controller.state
        if asked.run_seq is not None and seq >= asked.run_seq and status != Status.RUNNING:
            asked.running = False  # the run ended on its own (finished, diverged, failed)
        if status == Status.FAILED:
            asked.running, asked.then = False, None
            if reason == Reason.DIAGRAM_ERRORS:
                state.prepared, asked.network = False, None
        if run != state.run and status != Status.FAILED:
            return
        state.diverged = reason == Reason.DIVERGED
        self.controller.set_status(status, message)
        self.controller.pacer.soon()

    def _history(self, run: int, epoch: int, rows: list[EpochRow]) -> None:
        if self.controller.state.accept_history(run, epoch, rows):  # another run's is dropped
            self.controller.pacer.arrived(self.controller.pace)

    def _probes(self, run: int, epoch: int, results: dict) -> None:
        if self.controller.state.accept_probes(run, epoch, results):
            self.controller.pacer.arrived(self.controller.pace)

    def _batch(self, run: int, epoch: int, batch: int, batches: int, loss: float) -> None:
        if self.controller.state.accept_batch(run, epoch, batch, batches, loss):
            self.controller.pacer.soon()

    def _point(self, run: int, epoch: int, batch: int, batches: int, row: dict) -> None:
        if self.controller.state.accept_point(run, epoch, batch, batches, CurvePoint(**row)):
            self.controller.pacer.arrived(self.controller.pace)

    def _prepared(self, run: int, data: dict) -> None:
        if self.controller.state.accept_prepared(run, data):
            then, self.asked.then = self.asked.then, None
            if then is not None:
                then()

    def _crashed(self, detail: str) -> None:
        self.asked.then = None
        self.asked.running = False
        self.controller.state.prepared = False
        self.controller.set_status(Status.FAILED, CRASHED)
        self.controller.refused.emit(Refusal.CRASHED, CRASHED + (f" ({detail})" if detail else ""))
