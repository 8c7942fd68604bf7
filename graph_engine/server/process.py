"""The training process: ``python -m graph_engine.server.process``.

The editor runs training in this separate process so that neither side
waits for the other: the student's window stays smooth and training gets a
core of its own. Commands arrive as frames on stdin, results leave as
frames on stdout (see :mod:`frames`): the history of metrics in batches,
probe results a dozen times a second, and status changes.

Commands: prepare (diagram JSON, settings), run (epochs), pause, step,
reset, settings, probes, save_weights, load_weights, quit.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
import traceback

from . import frames

EOF = {"cmd": "__eof__"}  # queued by the reader when stdin ends: the editor is gone
SEND_INTERVAL = 0.03  # seconds between history batches while running
PROBE_INTERVAL = 0.06  # between probe runs: every other history batch, ~15 Hz


class EditorGone(Exception):
    """The editor no longer reads our stdout: there is nobody to report to."""


class Server:
    def __init__(self, out) -> None:
        self.out = out
        self.inbox: queue.Queue = queue.Queue()
        self.trainer = None
        self.probes: dict = {}
        self.pending_rows: list = []
        self.running = False
        self.remaining = 0
        self.seq = 0  # the last command handled, echoed in status messages
        self.last_send = self.last_probe = 0.0

    # ------------------------------------------------------------ output
    def send(self, message: dict) -> None:
        data = frames.encode(message)
        try:
            self.out.write(data)
            self.out.flush()
        except OSError:  # a broken pipe: the editor quit or crashed
            raise EditorGone from None

    def status(self, status: str, message: str = "", **extra) -> None:
        self.send({"type": "status", "status": status, "message": message, "seq": self.seq,
                   **extra})

    def flush_rows(self) -> None:
        if self.pending_rows:
            self.send({"type": "history", "rows": self.pending_rows,
                       "epoch": self.trainer.epoch})
            self.pending_rows = []
        self.last_send = time.perf_counter()

    def run_probes(self) -> None:
        from ..training.probes import run_probe

        if self.trainer is None or not self.probes:
            return
        results = {name: run_probe(self.trainer, spec) for name, spec in self.probes.items()}
        self.send({"type": "probes", "epoch": self.trainer.epoch, "results": results})
        self.last_probe = time.perf_counter()

    # ------------------------------------------------------------ commands
    def handle(self, message: dict) -> bool:
        """Do one command; False means quit."""
        if not isinstance(message, dict):
            self.status("failed", "a command must be a JSON object")
            return True
        command = message.get("cmd")
        self.seq = message.get("seq", self.seq)
        handler = getattr(self, f"cmd_{command}", None)
        if handler is None:
            self.status("failed", f"unknown command {command!r}")
            return True
        return handler(message) is not False

    def cmd_quit(self, message) -> bool:
        return False

    def cmd_prepare(self, message) -> None:
        import torch

        from ..build.compiler import compile as compile_diagram
        from ..data import datasets
        from ..model.fileio import loads
        from ..model.settings import TrainingSettings
        from ..training.trainer import Trainer

        self.running = False
        self.status("preparing", "Compiling the network and loading the data…")
        torch.set_num_threads(1)
        diagram = loads(message["diagram"])
        settings = TrainingSettings(**message["settings"])
        net = compile_diagram(diagram, seed=settings.seed)
        data = datasets.load(diagram.dataset)
        self.trainer = Trainer(net, data, settings, track_gradients=False)
        self.send({"type": "prepared", "data": _data_message(data)})
        self.run_probes()
        self.status("ready")

    def cmd_run(self, message) -> None:
        if self.trainer is not None:
            self.running, self.remaining = True, int(message["epochs"])
            self.status("running")

    def cmd_pause(self, message) -> None:
        if self.running:
            self.stop("paused")

    def cmd_step(self, message) -> None:
        if self.trainer is not None and not self.running:
            if self.epoch():
                self.flush_rows()
                self.run_probes()
                self.status("paused")

    def cmd_reset(self, message) -> None:
        if self.trainer is not None:
            self.running = False
            self.trainer.reset()
            self.pending_rows = []
            self.send({"type": "reset"})
            self.run_probes()
            self.status("ready", "Weights reset to their initial values.")

    def cmd_settings(self, message) -> None:
        from ..model.settings import TrainingSettings

        if self.trainer is not None:
            self.trainer.update_settings(TrainingSettings(**message["settings"]))

    def cmd_probes(self, message) -> None:
        self.probes = dict(message["probes"])
        if not self.running:
            self.run_probes()

    def cmd_save_weights(self, message) -> None:
        from ..build.weights import save_weights

        if self.trainer is None:
            self.send({"type": "file", "ok": False,
                       "message": "Train the network first: there are no weights yet."})
            return
        try:
            save_weights(self.trainer.model, message["path"], message.get("title", ""))
        except OSError as error:
            self.send({"type": "file", "ok": False, "message": f"{message['path']} could not "
                       f"be written: {error.strerror or error}"})
            return
        self.send({"type": "file", "ok": True, "message": f"Saved the weights of epoch "
                   f"{self.trainer.epoch} to {message['path']}"})

    def cmd_load_weights(self, message) -> None:
        from ..build.weights import WeightsError, load_weights

        try:
            load_weights(self.trainer.model, message["path"])
        except WeightsError as error:
            self.send({"type": "file", "ok": False, "message": str(error)})
            return
        self.run_probes()
        self.send({"type": "file", "ok": True,
                   "message": f"Loaded the weights from {message['path']}"})

    # ------------------------------------------------------------ training
    def epoch(self) -> bool:
        from ..training.trainer import TrainingDiverged

        try:
            metrics = self.trainer.run_epoch()
        except TrainingDiverged as error:
            self.flush_rows()
            self.running = False
            self.run_probes()
            self.status("paused", str(error), diverged=True)  # for training_lints(diverged=)
            return False
        self.pending_rows.append(metrics)
        return True

    def stop(self, status: str, message: str = "") -> None:
        self.running = False
        self.flush_rows()
        self.run_probes()
        self.status(status, message)

    def train_a_little(self) -> None:
        """Epochs until it is time to send, or the run is over."""
        deadline = time.perf_counter() + SEND_INTERVAL
        while self.running and self.remaining > 0 and self.inbox.empty():
            if not self.epoch():
                return
            self.remaining -= 1
            if time.perf_counter() >= deadline:
                break
        if not self.running:
            return
        self.flush_rows()
        if self.remaining <= 0:
            self.stop("finished", f"Finished {self.trainer.epoch} epochs.")
        elif time.perf_counter() - self.last_probe >= PROBE_INTERVAL:
            self.run_probes()

    # ------------------------------------------------------------ main loop
    def serve(self) -> None:
        """Handle commands until quit, the end of stdin, or an editor that stopped
        listening; all three end the process quietly."""
        try:
            self._serve()
        except EditorGone:
            return

    def _serve(self) -> None:
        while True:
            try:
                message = self.inbox.get_nowait() if self.running else self.inbox.get()
            except queue.Empty:
                message = None
            if message is EOF:
                return
            if message is not None:
                if not self._safely(self.handle, message):
                    return
                continue
            self._safely(self.train_a_little)

    def _safely(self, fn, *args) -> bool:
        try:
            result = fn(*args)
        except EditorGone:
            raise
        except Exception as error:  # noqa: BLE001 - report, keep serving
            self.running = False
            self.status("failed", describe(error))
            return True
        return result is not False


def describe(error: Exception) -> str:
    from ..core.diagnostics import DiagramError

    if isinstance(error, DiagramError):
        return "The diagram has errors; see the Problems panel."
    if isinstance(error, ValueError):
        return str(error)
    frame = traceback.extract_tb(error.__traceback__)[-1:]
    where = f" ({os.path.basename(frame[0].filename)}:{frame[0].lineno})" if frame else ""
    return f"Training stopped by an internal error: {type(error).__name__}: {error}{where}"


def _data_message(data) -> dict:
    info = data.info
    return {"name": info.name, "task": info.task, "features": info.features,
            "classes": info.classes, "targets": info.targets, "description": info.description,
            "x_train": data.x_train, "y_train": data.y_train, "x_test": data.x_test,
            "y_test": data.y_test, "feature_names": list(data.feature_names),
            "class_names": list(data.class_names),
            "bounds": list(data.bounds) if data.bounds else None}


def _read_commands(stream, inbox: queue.Queue) -> None:
    """Queue each command; the end of stdin, a frame cut short or a corrupt
    one queue EOF (the editor is gone, or cannot be understood)."""
    try:
        while True:
            inbox.put(frames.read_message(stream))
    except (EOFError, OSError, ValueError):
        inbox.put(EOF)


def _warm_up() -> None:
    """Import the heavy libraries now, while the student is still drawing;
    commands that arrive meanwhile wait in the inbox."""
    import sklearn.datasets  # noqa: F401
    import torch

    torch.set_num_threads(1)


def main() -> int:
    # The protocol owns the real stdout; anything printed goes to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # Commands are read unbuffered from a copy of stdin: a daemon thread blocked
    # in sys.stdin.buffer holds its lock, and Python aborts at exit ("could not
    # acquire lock for <stdin>") when quit arrives while stdin is still open.
    commands = os.fdopen(os.dup(sys.stdin.fileno()), "rb", buffering=0)
    server = Server(out)
    reader = threading.Thread(target=_read_commands, args=(commands, server.inbox),
                              daemon=True)
    reader.start()
    try:
        server.send({"type": "hello", "pid": os.getpid()})
        _warm_up()
        server.serve()
    except EditorGone:
        pass
    finally:
        _close_quietly(out)
    return 0


def _close_quietly(out) -> None:
    """Close stdout without "Exception ignored … BrokenPipeError" when the
    editor has stopped reading."""
    try:
        out.close()
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
