"""The training process: ``python -m graph_engine.server``.

The editor runs training in this separate process so that neither side
waits for the other: the student's window stays smooth and training gets a
core of its own. Commands arrive as frames on stdin and results leave as
frames on stdout, both in the typed protocol of :mod:`protocol`: the history
of metrics in batches, probe results a dozen times a second, and status
changes, each stamped with the run it belongs to.
"""

from __future__ import annotations

import functools
import os
import queue
import sys
import threading
import time
import traceback
from typing import TYPE_CHECKING

from ..core import thinning
from ..core.epochs import EpochRow
from . import checking, frames, pacing
from .files import COMMANDS as FILE_COMMANDS
from .files import FileCommands
from .protocol import Command, ProtocolError, Reason, Reply, Status, read_command, reply
from .run_commands import Refused, RunCommands

if TYPE_CHECKING:  # torch is imported once the process has said hello
    from ..training.trainer import Trainer

EOF = object()  # queued by the reader when stdin ends: the editor is gone
SEND_INTERVAL = 0.09  # seconds between history batches as fast as possible: one per frame drawn
CATCH_UP = 0.25  # seconds a set pace may fall behind and make up
PROBE_INTERVAL = 0.09  # between probe runs as fast as possible: ~11 Hz, the frames the editor draws


class EditorGone(Exception):
    """The editor no longer reads our stdout: there is nobody to report to."""


class Server:
    """The run this process holds, trained between commands, and what it tells the
    editor about it. Each command is handled by its own module: the run commands by
    :class:`~.run_commands.RunCommands`, the file commands by
    :class:`~.files.FileCommands`, "Check my work" by :mod:`checking`."""

    def __init__(self, out) -> None:
        self.out = out
        self.files = FileCommands(self)
        self.runs = RunCommands(self)
        self.inbox: queue.Queue = queue.Queue()
        self.trainer: Trainer | None = None
        self.run = 0  # the editor's number for the run this process holds
        self.probes: dict = {}
        self.pending_rows: list[EpochRow] = []
        self.running = False
        self.remaining = 0
        self.seq = 0  # the last command handled, echoed in status messages
        self.last_probe = 0.0
        self.next_due = 0.0  # when the next frame's steps may start, at a set pace

    # ------------------------------------------------------------ output
    def send(self, kind: Reply, **fields) -> None:
        data = frames.encode(reply(kind, **fields))
        try:
            self.out.write(data)
            self.out.flush()
        except OSError:  # a broken pipe: the editor quit or crashed
            raise EditorGone from None

    def status(self, status: Status, message: str = "", reason: Reason = Reason.NONE) -> None:
        self.send(Reply.STATUS, status=status, reason=reason, message=message, seq=self.seq,
                  run=self.run)

    def flush_rows(self, due: bool = False) -> None:
        """Send the rows of the run held now; without a run there are none to send.
        With ``due`` (a run that stops, a step) the last row gets the teaching
        numbers too, so the views show the weights as they are left."""
        if self.pending_rows and self.trainer is not None:
            if due:
                self.record_teaching(due=True)
            self.send(Reply.HISTORY, run=self.run, epoch=self.trainer.epoch,
                      rows=self.pending_rows)
        self.pending_rows = []

    def send_point(self) -> bool:
        """A point of the curves inside the epoch under way (its losses and
        accuracies on the whole sets, at a fractional epoch), so a slow pace draws a
        line that grows step by step; nothing between epochs. False if the loss is
        no longer finite (the run stops as at the end of an epoch)."""
        from ..training.trainer import TrainingDiverged

        trainer = self.trainer
        if trainer is None or not trainer.batch:
            return True
        try:
            row = dict(trainer.midway())
        except TrainingDiverged as error:
            self.diverged(error)
            return False
        row["epoch"] = trainer.epoch + trainer.batch / trainer.batches
        self.send(Reply.POINT, run=self.run, epoch=trainer.epoch, batch=trainer.batch,
                  batches=trainer.batches, row=row)
        return True

    def run_probes(self) -> None:
        from ..training.probes import run_probe

        if self.trainer is None or not self.probes:
            return
        results = {name: run_probe(self.trainer, spec) for name, spec in self.probes.items()}
        self.send(Reply.PROBES, run=self.run, epoch=self.trainer.epoch, results=results)
        self.last_probe = time.perf_counter()

    def held_trainer(self) -> Trainer:
        if self.trainer is None:
            raise Refused(Reason.NO_RUN, "There is no network yet: press play to compile it.")
        return self.trainer

    # ------------------------------------------------------------ commands
    def handle(self, message: object) -> bool:
        """Do one command; False means quit."""
        try:
            kind, self.seq, fields = read_command(message)
        except ProtocolError as error:
            self.status(Status.FAILED, str(error), Reason.BAD_REQUEST)
            return True
        if kind is Command.QUIT:
            return False
        try:
            if kind in FILE_COMMANDS:
                getattr(self.files, kind.value)(**fields)
            elif kind in checking.COMMANDS:
                checking.check(self, **fields)
            else:
                getattr(self.runs, kind.value)(**fields)
        except Refused as error:
            self.running = False
            self.status(Status.FAILED, str(error), error.reason)
        return True

    # ------------------------------------------------------------ training
    def epoch(self, step=None) -> bool:
        """Train one epoch (or ``step``, a part of one); its row joins the rows to
        send when an epoch ended. False if it diverged."""
        from ..training.trainer import TrainingDiverged

        trainer = self.held_trainer()
        try:
            metrics = (step or trainer.run_epoch)()
        except TrainingDiverged as error:
            self.diverged(error)
            return False
        if metrics is not None:
            self.pending_rows.append(metrics)
            self.record_teaching()
        return True

    def diverged(self, error: Exception) -> None:
        """The run stops on a loss or weights no longer finite (the trainer has put
        the last good epoch's weights back): say so, and show those weights."""
        self.flush_rows()
        self.running = False
        self.run_probes()
        self.status(Status.PAUSED, str(error), Reason.DIVERGED)

    def record_teaching(self, due: bool = False) -> None:
        """The teaching numbers (:mod:`..training.teaching`) on the last row, the epoch
        just trained, if it has none and it is ``due`` or one of the epochs
        :mod:`~graph_engine.core.thinning` keeps: every epoch of a short run, evenly
        thinned in a long one (the editor thins the older ones alike)."""
        from ..training import teaching

        trainer = self.held_trainer()
        if not self.pending_rows or "grad_norms" in self.pending_rows[-1]:
            return
        last = self.pending_rows[-1]
        if last.get("epoch") == trainer.epoch and (due or thinning.taught(trainer.epoch)):
            # A copy: the trainer's own history keeps its few numbers per epoch.
            row = last.copy()
            row.update(teaching.record(trainer))
            self.pending_rows[-1] = row

    def stop(self, status: Status, message: str = "") -> None:
        self.running = False
        self.flush_rows(due=True)
        if not self.send_point():
            return
        self.run_probes()
        self.status(status, message)

    def train_a_little(self) -> None:
        """At a set pace, the frame that is due; as fast as possible, epochs until it
        is time to send, or the run is over."""
        if self.held_trainer().settings.pace > 0:
            self.paced_frame()
            return
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
            self.stop(Status.FINISHED, f"Finished {self.held_trainer().epoch} epochs.")
        elif time.perf_counter() - self.last_probe >= PROBE_INTERVAL:
            self.run_probes()

    def paced_frame(self) -> None:
        """The frame that is due: its optimizer steps (:func:`pacing.frame_steps`),
        then the rows of the epochs they ended, a point of the curves when they end
        inside an epoch, and the probes, so the views draw every frame."""
        now = time.perf_counter()
        if now < self.next_due:
            return
        trainer = self.held_trainer()
        rate = trainer.settings.steps_per_second(trainer.batches)
        steps = pacing.frame_steps(rate)
        # a frame woken late is made up by the next ones (the pace holds on a busy
        # machine), but never more than CATCH_UP seconds of them at once
        self.next_due = max(self.next_due + steps / rate, now - CATCH_UP)
        if not self.paced_steps(steps):
            return
        if self.remaining <= 0:
            self.stop(Status.FINISHED, f"Finished {trainer.epoch} epochs.")
            return
        self.flush_rows()
        if self.send_point():
            self.run_probes()

    def paced_steps(self, count: int) -> bool:
        """``count`` optimizer steps, across the end of an epoch if need be, never past
        the end of the run; False if they diverged."""
        trainer = self.held_trainer()
        while count > 0 and self.remaining > 0:
            take = min(count, trainer.batches - trainer.batch)
            if not self.epoch(functools.partial(trainer.run_steps, take)):
                return False
            count -= take
            if trainer.batch == 0:  # that step ended an epoch
                self.remaining -= 1
        return True

    def wait(self) -> float | None:
        """How long to wait for a command: for ever when not training, until the
        next frame is due at a set pace, else not at all."""
        if not self.running:
            return None
        trainer = self.trainer
        if trainer is None or trainer.settings.pace <= 0:
            return 0.0
        return max(0.0, self.next_due - time.perf_counter())

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
            wait = self.wait()
            try:
                message = self.inbox.get_nowait() if wait == 0 else self.inbox.get(timeout=wait)
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
        except ValueError as error:  # settings out of bounds, an unreadable data set
            self.running = False
            self.status(Status.FAILED, str(error), Reason.BAD_REQUEST)
            return True
        except Exception as error:  # noqa: BLE001 - report, keep serving
            self.running = False
            self.status(Status.FAILED, internal_error(error), Reason.INTERNAL)
            return True
        return result is not False


def internal_error(error: Exception) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1:]
    where = f" ({os.path.basename(frame[0].filename)}:{frame[0].lineno})" if frame else ""
    return f"Training stopped by an internal error: {type(error).__name__}: {error}{where}"


def _read_commands(stream, inbox: queue.Queue) -> None:
    """Queue each command; the end of stdin, or any frame that cannot be read
    (cut short, corrupt, hostile), queues EOF: the editor is gone, or cannot be
    understood, and the process ends cleanly either way."""
    try:
        while True:
            inbox.put(frames.read_message(stream))
    except Exception:  # noqa: BLE001 - whatever the reader meets ends the process cleanly
        inbox.put(EOF)


def _warm_up() -> None:
    """Import the heavy libraries now, while the student is still drawing;
    commands that arrive meanwhile wait in the inbox."""
    import sklearn.datasets  # noqa: F401
    import torch

    from ..training.kernel import loading

    torch.set_num_threads(1)
    loading.start()  # the whole-epoch kernel, in the background: nothing waits for it


def main(argv: list[str] | None = None) -> int:
    """Serve the editor; ``--core N`` runs this process on core N alone (the
    editor keeps off it, see gui/training/cores.py)."""
    _run_on(_core(sys.argv[1:] if argv is None else argv))
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
        server.send(Reply.HELLO, pid=os.getpid())
        _warm_up()
        server.serve()
    except EditorGone:
        pass
    finally:
        _close_quietly(out)
    return 0


MAX_CORE = 1 << 16  # a core number beyond any machine's is no core


def _core(argv: list[str]) -> int | None:
    """The core of ``--core N``; None for anything else (as documented, a bad
    ``--core`` is ignored, whatever it holds: "²" is a digit to str.isdigit but
    no number, and a 23-digit number fits no CPU set)."""
    if len(argv) != 2 or argv[0] != "--core":
        return None
    text = argv[1]
    if not (text.isascii() and text.isdecimal() and len(text) <= len(str(MAX_CORE))):
        return None
    core = int(text)
    return core if core < MAX_CORE else None


def _run_on(core: int | None) -> None:
    """Keep this process (and the threads it starts later) on ``core``; where
    that cannot be done, run wherever the system likes."""
    if core is None or not hasattr(os, "sched_setaffinity"):
        return
    try:
        os.sched_setaffinity(0, {core})
    except (OSError, OverflowError, ValueError):  # no such core here
        pass


def _close_quietly(out) -> None:
    """Close stdout without "Exception ignored … BrokenPipeError" when the
    editor has stopped reading."""
    try:
        out.close()
    except (OSError, ValueError):
        pass
