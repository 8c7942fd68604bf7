"""The editor's end of the training process (see graph_engine.server).

:class:`TrainingProcess` starts ``python -m graph_engine.server`` with
QProcess, sends it commands of the typed protocol and turns the replies
into Qt signals as their bytes arrive, so the GUI never blocks on training
and never polls. If the process dies, the next command starts a fresh one
and ``crashed`` says what happened.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

import graph_engine
from graph_engine.server import frames
from graph_engine.server.protocol import Command, ProtocolError, Reply, command, read_reply

from . import cores


class TrainingProcess(QObject):
    status = Signal(object, object, str, int, int)  # Status, Reason, message, seq, run
    prepared = Signal(int, dict)  # run, the data set's description and fingerprint
    history = Signal(int, int, list)  # run, epoch, rows
    probes = Signal(int, int, dict)  # run, epoch, results
    file_done = Signal(bool, str)  # a file written or read (weights, ONNX): ok, message
    batch = Signal(int, int, int, int, float)  # run, epoch, batch, batches, loss
    point = Signal(int, int, int, int, dict)  # run, epoch, batch, batches, the curves' point
    checked = Signal(int, dict)  # request, result: "Check my work" graded
    crashed = Signal(str)  # the process ended unasked, or spoke out of protocol

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None
        self.reader = frames.FrameReader()
        self._stopping = False
        self._errors = b""
        self.seq = 0

    def start(self) -> None:
        """Start the process now (torch imports there while the user works)."""
        if self.alive:
            return
        self.reader = frames.FrameReader()
        process = QProcess(self)
        process.setProgram(sys.executable)
        process.setArguments(["-m", "graph_engine.server", *cores.server_arguments()])
        process.setProcessEnvironment(_same_engine())
        process.readyReadStandardOutput.connect(self._read)
        process.readyReadStandardError.connect(self._read_errors)
        process.finished.connect(self._finished)
        self._errors = b""
        self.process = process
        self._stopping = False
        process.start()

    @property
    def alive(self) -> bool:
        return self.process is not None and \
            self.process.state() != QProcess.ProcessState.NotRunning

    def _running(self) -> QProcess:
        """The process, started if it is not running."""
        if self.process is None or not self.alive:
            self.start()
        assert self.process is not None  # start() made it
        return self.process

    def send(self, kind: Command, **fields) -> int:
        """Send a command; return its sequence number."""
        process = self._running()
        self.seq += 1
        process.write(frames.encode(command(kind, self.seq, **fields)))
        return self.seq

    def stop(self, wait_ms: int = 3000) -> None:
        process = self.process
        if process is None or not self.alive:
            return
        self._stopping = True
        process.write(frames.encode(command(Command.QUIT, self.seq + 1)))
        process.closeWriteChannel()
        if not process.waitForFinished(wait_ms):
            process.kill()
            process.waitForFinished(1000)

    # ------------------------------------------------------------ reading
    def _read(self) -> None:
        if self.process is None:
            return
        chunk = bytes(self.process.readAllStandardOutput().data())
        try:
            for message in self.reader.feed(chunk):
                self._dispatch(*read_reply(message))
        except (frames.FrameError, ProtocolError) as error:
            self._abandon(f"the training process sent something unreadable ({error})")

    def _abandon(self, detail: str) -> None:
        """Out of protocol: end the process; the next command starts a new one."""
        self._stopping = True
        if self.process is not None:
            self.process.kill()
        self.crashed.emit(detail)

    def _read_errors(self) -> None:
        if self.process is not None:
            errors = bytes(self.process.readAllStandardError().data())
            self._errors = (self._errors + errors)[-4000:]

    def _dispatch(self, kind: Reply, fields: dict) -> None:
        if kind is Reply.STATUS:
            self.status.emit(fields["status"], fields["reason"], fields["message"],
                             fields["seq"], fields["run"])
        elif kind is Reply.HISTORY:
            self.history.emit(fields["run"], fields["epoch"], fields["rows"])
        elif kind is Reply.PROBES:
            self.probes.emit(fields["run"], fields["epoch"], fields["results"])
        elif kind is Reply.PREPARED:
            self.prepared.emit(fields["run"], fields["data"])
        elif kind is Reply.FILE:
            self.file_done.emit(fields["ok"], fields["message"])
        elif kind is Reply.CHECKED:
            self.checked.emit(fields["request"], fields["result"])
        elif kind is Reply.BATCH:
            self.batch.emit(fields["run"], fields["epoch"], fields["batch"],
                            fields["batches"], fields["loss"])
        elif kind is Reply.POINT:
            self.point.emit(fields["run"], fields["epoch"], fields["batch"],
                            fields["batches"], fields["row"])

    def _finished(self, code: int, status) -> None:
        if self._stopping:
            return
        detail = self._errors.decode("utf-8", "replace").strip().splitlines()[-3:]
        self.crashed.emit(" ".join([f"exit code {code}:", *detail]))


def _same_engine() -> QProcessEnvironment:
    """The environment with this editor's own graph_engine first on the path, so
    the process trains with the code the editor validated and saved with (not
    another copy installed elsewhere)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(graph_engine.__file__)))
    environment = QProcessEnvironment.systemEnvironment()
    paths = [root, *[p for p in environment.value("PYTHONPATH", "").split(os.pathsep) if p]]
    environment.insert("PYTHONPATH", os.pathsep.join(paths))
    return environment
