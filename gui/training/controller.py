"""The training controller: the GUI side of training.

It owns the training process, decides when a run must be prepared again
(the network or the data changed), refuses to train a diagram that cannot,
and keeps :class:`TrainingState`, what the views draw.

Every run has a number. A new one begins whenever what is on screen would
stop describing the document: New, Open, Recover, Reset, Load Weights, or
an edit to the network or its data. ``run_changed`` tells every view to
forget what it drew, and results of any other run are dropped as they
arrive, so no view can show another document's numbers.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from enum import Enum

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from graph_engine.data.dataset import DatasetInfo
from graph_engine.model.fileio import dumps, to_dict
from graph_engine.server.protocol import Command, Reason, Status

from ..editor.document import Document
from .process import TrainingProcess

FRAME_MS = 40  # views redraw at most this often (25 Hz), however fast results come


class Refusal(Enum):
    """Why play (or an export) was refused, or why training stopped."""

    ERRORS = "errors"  # the diagram has errors: the Problems panel lists them
    NO_DATASET = "no-dataset"
    NO_LOSS = "no-loss"
    EDITED = "edited"  # the network changed while it trained
    CRASHED = "crashed"  # the training process ended unasked


def network_signature(diagram) -> str:
    """What a run depends on: blocks, parameters, wires and data set — not
    positions or names (moving a block must not stop training)."""
    data = to_dict(diagram)
    blocks = [(b["id"], b["type"], sorted(b["params"].items())) for b in data["blocks"]]
    return json.dumps([blocks, data["wires"], data["dataset"]], sort_keys=True, default=str)


@dataclass
class TrainingState:
    """What the GUI knows of the current run (used on the GUI thread only)."""

    run: int = 0
    status: Status = Status.IDLE
    message: str = ""
    epoch: int = 0
    target: int = 0  # the epoch the current play ends at (0: not played yet)
    history: list = field(default_factory=list)  # one metrics dict per epoch
    probes: dict = field(default_factory=dict)  # name -> latest result
    probe_epoch: int = 0
    info: DatasetInfo | None = None  # the run's data set, once prepared
    fingerprint: str = ""  # of the run's data set, to compare with the editor's copy
    prepared: bool = False
    diverged: bool = False  # the run stopped on a NaN or infinite loss or weights


class TrainingController(QObject):
    progressed = Signal()  # new history or probe results of the current run
    status_changed = Signal(str, str)  # status shown, message
    refused = Signal(object, str)  # Refusal, what to tell the student
    run_changed = Signal(int)  # a new run: views forget what they drew
    file_done = Signal(bool, str)  # weights saved or loaded, a model exported

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.state = TrainingState()
        self.process = TrainingProcess(self)
        self._connect_process()
        QCoreApplication.instance().aboutToQuit.connect(self.shutdown)
        self.probes: dict = {}
        self._signature: str | None = None  # of the network the process holds
        self._after_prepare = None  # what to do once prepared
        self._wants_run = False  # play pressed, and the run not over yet
        self._run_seq: int | None = None  # sequence number of the last run command
        self._loading_run: int | None = None  # the run Load Weights will start
        self._runs = 0
        self._frame = QTimer(self)
        self._frame.setSingleShot(True)
        self._frame.timeout.connect(self._emit_progress)
        self._last_frame = 0.0
        document.analysed.connect(self._diagram_changed)
        document.diagram_replaced.connect(self._diagram_replaced)

    def _connect_process(self) -> None:
        process = self.process
        process.status.connect(self._status)
        process.prepared.connect(self._prepared)
        process.history.connect(self._history)
        process.probes.connect(self._probes)
        process.file_done.connect(self._file_done)
        process.crashed.connect(self._crashed)

    def warm_up(self) -> None:
        """Start the training process early, so torch is loaded before play."""
        self.process.start()

    # ------------------------------------------------------------ commands
    @property
    def status(self) -> Status:
        return self.state.status

    @property
    def running(self) -> bool:
        return self._wants_run

    @property
    def current(self) -> bool:
        """The process holds a run of the network on screen."""
        return not self._needs_prepare()

    def play(self) -> bool:
        if self.running:
            return True
        if not self._can_train():
            return False
        self._wants_run, self._run_seq = True, None
        self._when_prepared(self._send_run)
        self._show_status()
        return True

    def _send_run(self) -> None:
        epochs = self._epochs_to_run()
        self.state.target = self.state.epoch + epochs
        self._run_seq = self.process.send(Command.RUN, epochs=epochs)

    def pause(self) -> None:
        self._after_prepare = None
        was_running, self._wants_run = self._wants_run, False
        if self.process.alive:
            self.process.send(Command.PAUSE)
        if was_running:
            self._show_status()

    def toggle(self) -> None:
        self.pause() if self.running else self.play()

    def step(self) -> bool:
        if self.running or not self._can_train():
            return False
        self._when_prepared(lambda: self.process.send(Command.STEP))
        return True

    def reset(self) -> None:
        self.pause()
        self._new_run()
        if self._needs_prepare():
            self._signature = None
            return
        self.process.send(Command.RESET, run=self.state.run)

    def update_settings(self, settings) -> None:
        """Learning rate, batch size or optimizer changed: applied between epochs."""
        if self.state.prepared and self.process.alive:
            self.process.send(Command.SETTINGS, settings=settings.to_dict())

    def set_probe(self, name: str, fn: str | None, **args) -> None:
        """Ask for ``graph_engine.training.probes.PROBES[fn](trainer, **args)``
        several times a second; its result appears in ``state.probes[name]``.
        None removes it."""
        if fn is None:
            self.probes.pop(name, None)
        else:
            self.probes[name] = {"fn": fn, "args": args}
        if self.process.alive:
            self.process.send(Command.PROBES, probes=self.probes)

    def save_weights(self, path: str) -> None:
        self.pause()
        if not self.current:
            self.file_done.emit(False, "Train the network first: there are no trained "
                                "weights of the network on screen yet.")
            return
        self.process.send(Command.SAVE_WEIGHTS, path=path, title=self.document.diagram.title)

    def load_weights(self, path: str) -> bool:
        if self.running or not self._can_train():
            return False

        def load() -> None:
            self._runs += 1
            self._loading_run = self._runs
            self.process.send(Command.LOAD_WEIGHTS, path=path, run=self._runs)

        self._when_prepared(load)
        return True

    def export_onnx(self, path: str) -> None:
        """The training process writes the model: the trained weights when it holds
        a run of the network on screen, else the seed's initial weights."""
        diagram = "" if self.current else dumps(self.document.diagram)
        self.process.send(Command.EXPORT_ONNX, path=path, diagram=diagram)

    def shutdown(self) -> None:
        self._frame.stop()
        self.process.stop()

    # ------------------------------------------------------------ runs
    def _new_run(self, number: int | None = None) -> None:
        """Forget the run on screen; results of any other run are dropped."""
        if number is None:
            self._runs += 1
            number = self._runs
        info, fingerprint, prepared = self.state.info, self.state.fingerprint, \
            self.state.prepared
        self.state = TrainingState(run=number, status=self.state.status,
                                   info=info, fingerprint=fingerprint, prepared=prepared)
        self.run_changed.emit(number)
        self._emit_progress()

    def _can_train(self) -> bool:
        document = self.document
        document.refresh()
        if document.has_errors:
            self.refused.emit(Refusal.ERRORS, "The diagram has errors, so it cannot train: "
                              "fix the problems listed in the Problems panel first.")
            return False
        if document.diagram.dataset is None:
            self.refused.emit(Refusal.NO_DATASET, "Choose a data set in the Data panel first.")
            return False
        if not any(b.spec.is_loss for b in document.diagram.blocks):
            self.refused.emit(Refusal.NO_LOSS, "The diagram has no loss, so there is nothing "
                              "to minimise: add a loss block (e.g. CrossEntropyLoss) and wire "
                              "the output into it.")
            return False
        return True

    def _needs_prepare(self) -> bool:
        return self._signature != network_signature(self.document.diagram) or \
            not self.state.prepared or not self.process.alive

    def _when_prepared(self, then) -> None:
        if not self._needs_prepare():
            then()
            return
        diagram = self.document.diagram
        self._signature = network_signature(diagram)
        self._after_prepare = then
        self._new_run()
        self.state.prepared, self.state.info = False, None
        self._set_status(Status.PREPARING, "Compiling the network and loading the data…")
        self.process.send(Command.PROBES, probes=self.probes)
        self.process.send(Command.PREPARE, diagram=dumps(diagram),
                          settings=diagram.training.to_dict(), run=self.state.run)

    def _epochs_to_run(self) -> int:
        """Up to the diagram's epoch limit; on a finished run, as many again."""
        limit = self.document.diagram.training.epochs
        epoch = self.state.epoch
        return limit - epoch if epoch < limit else limit

    def _diagram_changed(self) -> None:
        if self._signature is None or \
                network_signature(self.document.diagram) == self._signature:
            return
        was_running = self.running
        self.pause()
        self._signature = None  # the process's network is not the one on screen
        self.state.prepared = False
        self._new_run()
        if was_running:
            self.refused.emit(Refusal.EDITED, "Training stopped: the network or its data set "
                              "changed. Press play to train the new network from fresh "
                              "weights.")

    def _diagram_replaced(self) -> None:
        self.pause()
        self._signature = None
        self.state.prepared, self.state.info, self.state.fingerprint = False, None, ""
        self._new_run()
        self._set_status(Status.IDLE, "")

    # ------------------------------------------------------------ replies
    def _status(self, status: Status, reason: Reason, message: str, seq: int, run: int) -> None:
        if self._run_seq is not None and seq >= self._run_seq and status != Status.RUNNING:
            self._wants_run = False  # the run ended on its own (finished, diverged, failed)
        if status == Status.FAILED:
            self._wants_run, self._after_prepare = False, None
            if reason == Reason.DIAGRAM_ERRORS:
                self.state.prepared, self._signature = False, None
        if run != self.state.run and status != Status.FAILED:
            return
        self.state.diverged = reason == Reason.DIVERGED
        self._set_status(status, message)
        self._schedule_progress()

    def _prepared(self, run: int, data: dict) -> None:
        if run != self.state.run:
            return
        self.state.prepared = True
        self.state.info = DatasetInfo(data["name"], data["task"], data["features"],
                                      data["classes"], data["targets"], data["description"])
        self.state.fingerprint = data["fingerprint"]
        then, self._after_prepare = self._after_prepare, None
        if then is not None:
            then()

    def _history(self, run: int, epoch: int, rows: list) -> None:
        if run == self.state.run:
            self.state.history.extend(rows)
            self.state.epoch = epoch
            self._schedule_progress()

    def _probes(self, run: int, epoch: int, results: dict) -> None:
        if run == self.state.run:
            self.state.probes.update(results)
            self.state.probe_epoch = epoch
            self._schedule_progress()

    def _file_done(self, ok: bool, message: str) -> None:
        if self._loading_run is not None:
            run, self._loading_run = self._loading_run, None
            if ok:
                self._new_run(run)
        self.file_done.emit(ok, message)

    def _crashed(self, detail: str) -> None:
        self._after_prepare = None
        self._wants_run = False
        self.state.prepared = False
        self._set_status(Status.FAILED, "The training process stopped unexpectedly; press "
                         "play to start again.")
        self.refused.emit(Refusal.CRASHED, "The training process stopped unexpectedly; press "
                          "play to start again." + (f" ({detail})" if detail else ""))

    # ------------------------------------------------------------ showing
    def _schedule_progress(self) -> None:
        """Redraw soon, at most once a frame, however fast results arrive."""
        if not self._frame.isActive():
            wait = FRAME_MS - (time.perf_counter() - self._last_frame) * 1000
            self._frame.start(max(0, int(wait)))

    def _emit_progress(self) -> None:
        self._frame.stop()
        self._last_frame = time.perf_counter()
        self.progressed.emit()

    def _set_status(self, status: Status, message: str) -> None:
        self.state.status, self.state.message = status, message
        self._show_status()

    def _show_status(self) -> None:
        shown = Status.RUNNING if self._wants_run else self.state.status
        self.status_changed.emit(shown.value, self.state.message)
