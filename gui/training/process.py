"""The editor's end of the training process (see graph_engine.server.process).

:class:`TrainingProcess` starts ``python -m graph_engine.server.process`` with
QProcess, sends it commands and turns the frames it writes into
:class:`TrainingState` updates. Reading happens when Qt says bytes arrived,
so the GUI never blocks on training; if the process dies, the next command
starts a fresh one and the user is told what happened.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QProcess, Signal

from graph_engine.data.datasets import Dataset, DatasetInfo
from graph_engine.server import frames

IDLE, PREPARING, READY, RUNNING, PAUSED, FINISHED, FAILED = (
    "idle", "preparing", "ready", "running", "paused", "finished", "failed")


@dataclass
class TrainingState:
    """What the GUI knows of the run; hold ``lock`` while reading or writing."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    status: str = IDLE
    message: str = ""
    status_seq: int = 0  # the command the last status answered
    epoch: int = 0
    history: list = field(default_factory=list)
    probes: dict = field(default_factory=dict)  # name -> latest result
    probe_epoch: int = 0
    version: int = 0  # bumped on every change
    data: Dataset | None = None
    prepared: bool = False
    diverged: bool = False  # the run stopped on a NaN or infinite loss

    def bump(self) -> None:
        self.version += 1

    def clear(self) -> None:
        self.history, self.probes, self.epoch, self.probe_epoch = [], {}, 0, 0
        self.bump()


def dataset_from_message(data: dict) -> Dataset:
    info = DatasetInfo(data["name"], data["task"], data["features"], data["classes"],
                       data["targets"], data["description"])
    bounds = tuple(data["bounds"]) if data["bounds"] else None
    return Dataset(info, data["x_train"], data["y_train"], data["x_test"], data["y_test"],
                   tuple(data["feature_names"]), tuple(data["class_names"]), bounds)


class TrainingProcess(QObject):
    file_done = Signal(bool, str)  # weights saved or loaded
    crashed = Signal(str)

    def __init__(self, state: TrainingState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.process: QProcess | None = None
        self.reader = frames.FrameReader()
        self._stopping = False
        self.seq = 0

    def start(self) -> None:
        """Start the process now (torch imports there while the user works)."""
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            return
        self.reader = frames.FrameReader()
        process = QProcess(self)
        process.setProgram(sys.executable)
        process.setArguments(["-m", "graph_engine.server.process"])
        process.readyReadStandardOutput.connect(self._read)
        process.readyReadStandardError.connect(self._read_errors)
        process.finished.connect(self._finished)
        self._errors = b""
        self.process = process
        self._stopping = False
        with self.state.lock:  # the last process's "failed" must not end the next run
            if self.state.status == FAILED:
                self.state.status, self.state.message = IDLE, ""
        process.start()

    @property
    def alive(self) -> bool:
        return self.process is not None and \
            self.process.state() != QProcess.ProcessState.NotRunning

    def send(self, message: dict) -> int:
        """Send a command; return its sequence number."""
        if not self.alive:
            self.start()
        self.seq += 1
        self.process.write(frames.encode({**message, "seq": self.seq}))
        return self.seq

    def stop(self, wait_ms: int = 3000) -> None:
        if not self.alive:
            return
        self._stopping = True
        self.process.write(frames.encode({"cmd": "quit"}))
        self.process.closeWriteChannel()
        if not self.process.waitForFinished(wait_ms):
            self.process.kill()
            self.process.waitForFinished(1000)

    # ------------------------------------------------------------ reading
    def _read(self) -> None:
        chunk = bytes(self.process.readAllStandardOutput())
        try:
            messages = self.reader.feed(chunk)
        except ValueError as error:
            self.crashed.emit(str(error))
            return
        for message in messages:
            self._dispatch(message)

    def _read_errors(self) -> None:
        self._errors = (self._errors + bytes(self.process.readAllStandardError()))[-4000:]

    def _dispatch(self, message: dict) -> None:
        kind = message.get("type")
        state = self.state
        with state.lock:
            if kind == "status":
                state.status, state.message = message["status"], message["message"]
                state.diverged = bool(message.get("diverged"))
                state.status_seq = message["seq"]
            elif kind == "history":
                state.history.extend(message["rows"])
                state.epoch = message["epoch"]
            elif kind == "probes":
                state.probes.update(message["results"])
                state.probe_epoch = message["epoch"]
            elif kind == "prepared":
                state.clear()
                state.data = dataset_from_message(message["data"])
                state.prepared = True
            elif kind == "reset":
                state.clear()
            state.bump()
        if kind == "file":
            self.file_done.emit(message["ok"], message["message"])

    def _finished(self, code: int, status) -> None:
        with self.state.lock:
            self.state.prepared = False
            if not self._stopping:
                self.state.status = FAILED
                self.state.message = ("The training process stopped unexpectedly "
                                      f"(exit code {code}); press play to start again.")
            self.state.bump()
        if not self._stopping:
            detail = self._errors.decode("utf-8", "replace").strip().splitlines()[-3:]
            self.crashed.emit(" ".join(detail))
