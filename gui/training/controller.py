"""The training controller: the GUI side of training.

It owns the training process, decides when a run must be prepared again
(the network or the data changed), refuses to train a diagram with errors,
stops training when the diagram is edited, and polls the shared state on a
timer to announce progress to the plots.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from graph_engine.model.fileio import dumps, to_dict

from ..editor.document import Document
from .process import FAILED, IDLE, PREPARING, RUNNING, TrainingProcess, TrainingState

POLL_MS = 50  # the plots redraw at up to 20 Hz


def network_signature(diagram) -> str:
    """What a run depends on: blocks, parameters, wires and data set — not
    positions or names (moving a block must not stop training)."""
    data = to_dict(diagram)
    blocks = [(b["id"], b["type"], sorted(b["params"].items())) for b in data["blocks"]]
    return json.dumps([blocks, data["wires"], data["dataset"]], sort_keys=True, default=str)


class TrainingController(QObject):
    progressed = Signal()  # new history or probe results are in ``state``
    status_changed = Signal(str, str)  # status, message
    refused = Signal(str)  # why play was refused, or why training stopped

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.state = TrainingState()
        self.process = TrainingProcess(self.state, self)
        self.process.crashed.connect(self._crashed)
        self.file_done = self.process.file_done
        QCoreApplication.instance().aboutToQuit.connect(self.shutdown)
        self.probes: dict = {}
        self._signature: str | None = None
        self._after_prepare = None  # what to do once prepared
        self._seen_version = -1
        self._status, self._message = IDLE, ""
        self._wants_run = False  # play pressed, and the run not over yet
        self._run_seq = None  # sequence number of the last run command
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        document.analysed.connect(self._diagram_changed)
        document.diagram_replaced.connect(self._diagram_replaced)

    def warm_up(self) -> None:
        """Start the training process early, so torch is loaded before play."""
        self.process.start()

    # ------------------------------------------------------------ commands
    @property
    def status(self) -> str:
        return self._status

    @property
    def running(self) -> bool:
        return self._wants_run

    def play(self) -> bool:
        if self.running:
            return True
        if not self._can_train():
            return False
        self._wants_run, self._run_seq = True, None
        self._when_prepared(self._send_run)
        self._show_running()
        return True

    def _send_run(self) -> None:
        self._run_seq = self.process.send({"cmd": "run", "epochs": self._epochs_to_run()})

    def _show_running(self) -> None:
        self.status_changed.emit(RUNNING if self._wants_run else self._status, "")

    def pause(self) -> None:
        self._after_prepare = None
        was_running, self._wants_run = self._wants_run, False
        if self.process.alive:
            self.process.send({"cmd": "pause"})
        if was_running:
            self._show_running()

    def toggle(self) -> None:
        self.pause() if self.running else self.play()

    def step(self) -> bool:
        if self.running or not self._can_train():
            return False
        self._when_prepared(lambda: self.process.send({"cmd": "step"}))
        return True

    def reset(self) -> None:
        self.pause()
        if self._needs_prepare():
            self._signature = None
            with self.state.lock:
                self.state.clear()
            return
        self.process.send({"cmd": "reset"})

    def update_settings(self, settings) -> None:
        """Learning rate, batch size or optimizer changed: applied between epochs."""
        if self.state.prepared and self.process.alive:
            self.process.send({"cmd": "settings", "settings": settings.to_dict()})

    def set_probe(self, name: str, fn: str | None, **args) -> None:
        """Ask for ``graph_engine.training.probes.PROBES[fn](trainer, **args)`` several
        times a second; its result appears in ``state.probes[name]``. None removes it."""
        if fn is None:
            self.probes.pop(name, None)
        else:
            self.probes[name] = {"fn": fn, "args": args}
        if self.process.alive:
            self.process.send({"cmd": "probes", "probes": self.probes})

    def save_weights(self, path: str) -> None:
        self.pause()
        self.process.send({"cmd": "save_weights", "path": path,
                           "title": self.document.diagram.title})

    def load_weights(self, path: str) -> bool:
        if self.running or not self._can_train():
            return False
        self._when_prepared(lambda: self.process.send({"cmd": "load_weights", "path": path}))
        return True

    def shutdown(self) -> None:
        self.timer.stop()
        self.process.stop()

    # ------------------------------------------------------------ internals
    def _can_train(self) -> bool:
        document = self.document
        document.refresh()
        if document.has_errors:
            self.refused.emit("The diagram has errors, so it cannot train: fix the problems "
                              "listed in the Problems panel first.")
            return False
        if document.diagram.dataset is None:
            self.refused.emit("Choose a data set in the Data panel first.")
            return False
        if not any(b.spec.is_loss for b in document.diagram.blocks):
            self.refused.emit("The diagram has no loss, so there is nothing to minimise: add a "
                              "loss block (e.g. CrossEntropyLoss) and wire the output into it.")
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
        with self.state.lock:
            self.state.prepared = False
        self._set_status(PREPARING, "Compiling the network and loading the data…")
        self.process.send({"cmd": "probes", "probes": self.probes})
        self.process.send({"cmd": "prepare", "diagram": dumps(diagram),
                           "settings": diagram.training.to_dict()})

    def _epochs_to_run(self) -> int:
        limit = self.document.diagram.training.epochs
        epoch = self.state.epoch
        return limit - epoch if epoch < limit else limit

    def _diagram_changed(self) -> None:
        if self._signature is None:
            return
        if network_signature(self.document.diagram) == self._signature:
            return
        if self.running:
            self.pause()
            self.refused.emit("Training stopped: the network or its data set changed. Press "
                              "play to train the new network from fresh weights.")

    def _diagram_replaced(self) -> None:
        self.pause()
        self._signature = None
        with self.state.lock:
            self.state.clear()
            self.state.data, self.state.prepared = None, False
            self.state.status, self.state.message = IDLE, ""

    def _crashed(self, detail: str) -> None:
        self._after_prepare = None
        self._wants_run = False
        self.refused.emit("The training process stopped unexpectedly; press play to start "
                          "again." + (f" ({detail})" if detail else ""))

    def poll(self) -> None:
        with self.state.lock:
            version, status, message = self.state.version, self.state.status, \
                self.state.message
            prepared, seq = self.state.prepared, self.state.status_seq
        if version == self._seen_version:
            return
        self._seen_version = version
        if prepared and self._after_prepare is not None and status != PREPARING:
            then, self._after_prepare = self._after_prepare, None
            then()
        if status == FAILED or (self._wants_run and self._run_seq is not None
                                and seq >= self._run_seq and status != RUNNING):
            self._wants_run = False  # the run ended on its own (finished, diverged, failed)
        self._set_status(status, message)
        self.progressed.emit()

    def _set_status(self, status: str, message: str) -> None:
        if (status, message) != (self._status, self._message):
            self._status, self._message = status, message
            shown = RUNNING if self._wants_run else status
            self.status_changed.emit(shown, message)
