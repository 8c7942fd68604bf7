"""The training controller: the GUI side of training.

It owns the training process, decides when a run must be prepared again
(the network or the data changed), refuses to train a diagram that cannot,
and keeps :class:`TrainingState`, what the views draw. It sends the
commands; :class:`~gui.training.replies.Replies` takes in what the process
sends back, and settles what was asked (:class:`~gui.training.replies.Asked`).

Every run has a number. A new one begins whenever what is on screen would
stop describing the document: New, Open, Recover, Reset, Load Weights, or
an edit to the network or its data. ``run_changed`` tells every view to
forget what it drew, and results of any other run are dropped as they
arrive, so no view can show another document's numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from graph_engine.core import thinning
from graph_engine.core.epochs import CurvePoint, EpochRow
from graph_engine.data.dataset import DatasetInfo
from graph_engine.model.diagram import Diagram
from graph_engine.model.settings import TrainingSettings
from graph_engine.server.protocol import Command, Status

from ..document.document import Document
from .files import TrainingFiles
from .process import TrainingProcess
from .refusals import Refusal, refusal
from .replies import Asked, Replies

# At a set pace the training process sends its frames at 25-50 a second
# (graph_engine.server.pacing); the views draw each, at most this often, so the
# messages of one frame (rows, a point, probes) make one redraw.
FRAME_MS = 20
# As fast as possible, fewer frames (11 Hz) leave more of the machine to training.
FULL_SPEED_FRAME_MS = 90


@dataclass
class TrainingState:
    """What the GUI knows of the current run (used on the GUI thread only)."""

    run: int = 0
    status: Status = Status.IDLE
    message: str = ""
    epoch: int = 0
    target: int = 0  # the epoch the current play ends at (0: not played yet)
    history: list[EpochRow] = field(default_factory=list)  # one row per epoch
    # what the curves draw: every row of history and, at a set pace, the points
    # between two epochs (their epochs fractional); cut counts the times points were
    # taken back (a diverged epoch trained again), so a view knows to draw anew
    curve: list[EpochRow | CurvePoint] = field(default_factory=list)
    cut: int = 0
    taught: list[int] = field(default_factory=list)  # rows with teaching numbers, in order
    confused: int = 0  # the row of history with the newest confusion counts
    probes: dict = field(default_factory=dict)  # name -> latest result
    probe_epoch: int = 0
    info: DatasetInfo | None = None  # the run's data set, once prepared
    fingerprint: str = ""  # of the run's data set, to compare with the editor's copy
    class_names: list = field(default_factory=list)  # of the run's data set
    prepared: bool = False
    diverged: bool = False  # the run stopped on a NaN or infinite loss or weights
    batch: int = 0  # mini-batches stepped one by one into the epoch under way
    batches: int = 0  # mini-batches in an epoch

    def accept_prepared(self, run: int, data: dict) -> bool:
        """Take the run's data set description; False if it is another run's."""
        if run != self.run:
            return False
        self.prepared = True
        self.info = DatasetInfo(**data["info"])
        self.fingerprint = data["fingerprint"]
        self.class_names = list(data["class_names"])
        return True

    def accept_history(self, run: int, epoch: int, rows: list[EpochRow]) -> bool:
        if run != self.run:
            return False
        confused = [i for i, row in enumerate(rows) if "confusion" in row]
        if confused:  # only the newest counts are drawn: a long run keeps no others
            for row in (*self.history[self.confused:], *rows[:confused[-1]]):
                row.pop("confusion", None)
            self.confused = len(self.history) + confused[-1]
        start = len(self.history)
        self.history.extend(rows)
        self.taught.extend(start + i for i, row in enumerate(rows) if "grad_norms" in row)
        self._thin()
        if rows:
            self._extend_curve(rows[0]["epoch"], rows)
        self.epoch, self.batch = epoch, 0
        return True

    def _thin(self) -> None:
        """Keep the teaching numbers of the epochs :mod:`thinning` keeps at the length
        the run has reached, and of the newest row (the weights as they are now)."""
        if not self.taught:
            return
        last = self.history[-1]["epoch"]
        kept = [i for i in self.taught[:-1] if thinning.taught(self.history[i]["epoch"], last)]
        for index in set(self.taught[:-1]) - set(kept):
            for key in ("grad_norms", "weight_norms"):
                self.history[index].pop(key, None)  # type: ignore[misc]
        self.taught = [*kept, self.taught[-1]]

    def accept_point(self, run: int, epoch: int, batch: int, batches: int,
                     row: CurvePoint) -> bool:
        """A point of the curves inside an epoch, at a set pace."""
        if run != self.run:
            return False
        self._extend_curve(row["epoch"], [row])
        self.epoch, self.batches = epoch, batches
        self.batch = batch if batch < batches else 0
        return True

    def _extend_curve(self, first: float, rows: list) -> None:
        """Add ``rows`` to the curve, after taking back any point at or past the first
        of them (an epoch trained again after a divergence restored its start)."""
        keep = len(self.curve)
        while keep and self.curve[keep - 1]["epoch"] >= first:
            keep -= 1
        if keep < len(self.curve):
            del self.curve[keep:]
            self.cut += 1
        self.curve.extend(rows)

    def accept_batch(self, run: int, epoch: int, batch: int, batches: int,
                     loss: float) -> bool:
        if run != self.run:
            return False
        self.epoch, self.batches = epoch, batches
        self.batch = batch if batch < batches else 0  # the last one ended the epoch
        return True

    def accept_probes(self, run: int, epoch: int, results: dict) -> bool:
        if run != self.run:
            return False
        self.probes.update(results)
        self.probe_epoch = epoch
        return True


class Drawn:
    """What a view of the run on screen has drawn: which run, and the last probe
    result. Every view asks it before drawing, so none keeps another run's numbers
    (New, Open, Reset, Load Weights and edits start a new run)."""

    def __init__(self) -> None:
        self.run: int | None = None
        self.result = None

    def new_run(self, run: int) -> bool:
        """True when ``run`` is not the run drawn: the view must forget what it drew."""
        if run == self.run:
            return False
        self.run, self.result = run, None
        return True

    def new_result(self, result) -> bool:
        """True for a result not drawn yet (None never is one)."""
        if result is None or result is self.result:
            return False
        self.result = result
        return True

    def forget_result(self) -> None:
        self.result = None


class Pacer(QObject):
    """Turns a stream of arrivals into redraws at most once a frame."""

    due = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.now)
        self._last = 0.0
        self.frame_ms = FRAME_MS

    def soon(self) -> None:
        if not self._timer.isActive():
            wait = self.frame_ms - (time.perf_counter() - self._last) * 1000
            self._timer.start(max(0, int(wait)))

    def arrived(self, pace: float) -> None:
        """New results of a run at ``pace`` (0: as fast as possible): drawn at the
        next frame. At a set pace the training process sends its own frames, each
        drawn (its messages together); as fast as possible, fewer frames leave more
        of the machine to training."""
        self.frame_ms = FRAME_MS if pace > 0 else FULL_SPEED_FRAME_MS
        self.soon()

    def now(self) -> None:
        self._timer.stop()
        self._last = time.perf_counter()
        self.due.emit()


def epochs_to_run(limit: int, epoch: int) -> int:
    """Up to the diagram's epoch limit; on a finished run, as many again."""
    return limit - epoch if epoch < limit else limit


class TrainingController(QObject):
    progressed = Signal()  # new history or probe results of the current run
    status_changed = Signal(str, str)  # status shown, message
    refused = Signal(object, str)  # Refusal, what to tell the student
    run_changed = Signal(int)  # a new run: views forget what they drew

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.state = TrainingState()
        self.pacer = Pacer(self)  # redraws at most once a frame
        self.pacer.due.connect(self.progressed)
        self.process = TrainingProcess(self)
        self._asked = Asked()  # what the process was asked for; its replies settle it
        self.replies = Replies(self, self._asked, self.process)
        self.files = TrainingFiles(self)
        app = QCoreApplication.instance()
        if app is not None:  # a test may build a controller without an application
            app.aboutToQuit.connect(self.shutdown)
        self.probes: dict = {}
        self._sent: TrainingSettings | None = None  # the settings the process trains with
        self._runs = 0
        self._followed: Diagram | None = None  # the diagram whose settings it follows
        self._settings_seen = 0  # that diagram's settings revision, as last sent on
        document.analysed.connect(self._diagram_changed)
        document.diagram_replaced.connect(self._diagram_replaced)
        self._follow()

    # ------------------------------------------------------------ commands
    @property
    def status(self) -> Status:
        return self.state.status

    @property
    def running(self) -> bool:
        return self._asked.running

    @property
    def pace(self) -> float:
        """Epochs a second of the run: the process's settings once sent, else the diagram's."""
        return (self._sent or self.document.diagram.training).pace

    @property
    def current(self) -> bool:
        """The process holds a run of the network on screen."""
        return not self._needs_prepare()

    def play(self, epochs: int | None = None, pace: float | None = None) -> bool:
        """Train up to the diagram's epoch limit (or ``epochs`` more) at the
        diagram's pace (or ``pace``, for this run only: the document keeps its own)."""
        if self.running:
            return True
        if not self.can_train():
            return False
        self._asked.running, self._asked.run_seq = True, None
        self.when_prepared(lambda: self._send_run(epochs, pace))
        self._show_status()
        return True

    def _send_run(self, epochs: int | None, pace: float | None) -> None:
        if epochs is None:
            epochs = epochs_to_run(self.document.diagram.training.epochs, self.state.epoch)
        self._send_settings(self.document.diagram.training.with_(pace=pace))  # None: its own
        self.state.target = self.state.epoch + epochs
        self._asked.run_seq = self.process.send(Command.RUN, epochs=epochs)

    def show_start(self) -> None:
        """Compile the network on screen without training it, so a view shows its
        starting weights before any Play (nothing when it cannot train: Play says why)."""
        if self.running or not self._needs_prepare():
            return
        _, diagnostics = self.document.checked()
        if refusal(diagnostics, self.document.training_problems) is None:
            self.when_prepared(lambda: None)

    def pause(self) -> None:
        self._asked.then = None
        was_running, self._asked.running = self._asked.running, False
        if self.process.alive:
            self.process.send(Command.PAUSE)
        if was_running:
            self._show_status()

    def step(self, batch: bool = False) -> bool:
        """Train one epoch (the rest of the one under way), or with ``batch`` one
        optimizer step on the next mini-batch."""
        if self.running or not self.can_train():
            return False
        kind = Command.STEP_BATCH if batch else Command.STEP
        self.when_prepared(lambda: self.process.send(kind))
        return True

    def reset(self) -> None:
        self.pause()
        self.start_run()
        if self._needs_prepare():
            self._asked.network = None
            return
        self.process.send(Command.RESET, run=self.state.run)

    def _follow(self) -> None:
        """Listen to the training settings of the diagram on screen, on the model itself."""
        if self._followed is not None:
            self._followed.settings_changed.disconnect(self._settings_changed)
        self._followed = diagram = self.document.diagram
        self._settings_seen = diagram.revisions.settings
        diagram.settings_changed.connect(self._settings_changed)

    def _settings_changed(self) -> None:
        """Learning rate, batch size, optimizer or pace changed in the diagram (its
        title and data set announce themselves alike: the revision tells): the
        process applies them between epochs."""
        diagram = self.document.diagram
        if diagram.revisions.settings == self._settings_seen:
            return
        self._settings_seen = diagram.revisions.settings
        if self.state.prepared and self.process.alive:
            self._send_settings(diagram.training)
        self._diagram_changed()  # a new init is a new network to train

    def _send_settings(self, settings: TrainingSettings) -> None:
        """Send the settings unless the process trains with them already."""
        if settings != self._sent:
            self._sent = settings
            self.process.send(Command.SETTINGS, settings=settings)

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

    def shutdown(self) -> None:
        self.pacer.blockSignals(True)
        self.process.stop()

    # ------------------------------------------------------------ runs
    def next_run(self) -> int:
        """A number for a new run (what Load Weights asks the process to start)."""
        self._runs += 1
        return self._runs

    def start_run(self, number: int | None = None) -> None:
        """Forget the run on screen; results of any other run are dropped."""
        if number is None:
            number = self.next_run()
        old = self.state
        self.state = TrainingState(run=number, status=old.status, info=old.info,
                                   fingerprint=old.fingerprint, prepared=old.prepared,
                                   class_names=old.class_names)
        self.run_changed.emit(number)
        self.pacer.now()

    def can_train(self) -> bool:
        _, diagnostics = self.document.checked()  # fresh after any edit; not redone
        why = refusal(diagnostics, self.document.training_problems)
        if why is not None:
            self.refused.emit(*why)
        return why is None

    def _needs_prepare(self) -> bool:
        return self._asked.network != self.document.network_revision or \
            not self.state.prepared or not self.process.alive

    def when_prepared(self, then) -> None:
        """Run ``then()`` once the process holds a run of the network on screen."""
        if not self._needs_prepare():
            then()
            return
        diagram = self.document.diagram
        self._asked.network = self.document.network_revision
        self._asked.then = then
        self.start_run()
        self.state.prepared, self.state.info = False, None
        self.set_status(Status.PREPARING, "Compiling the network and loading the data…")
        self.process.send(Command.PROBES, probes=self.probes)
        self._sent = diagram.training
        self.process.send(Command.PREPARE, diagram=diagram, settings=self._sent,
                          run=self.state.run)

    def _diagram_changed(self) -> None:
        if self._asked.network is None or self.document.network_revision == self._asked.network:
            return
        was_running = self.running
        self.pause()
        self._asked.network = None  # the process's network is not the one on screen
        self.state.prepared = False
        self.start_run()
        if was_running:
            self.refused.emit(Refusal.EDITED, "Training stopped: the network or its data set "
                              "changed. Press play to train the new network from fresh "
                              "weights.")

    def _diagram_replaced(self) -> None:
        self._follow()
        self.pause()
        self._asked.network = None
        self.state.prepared, self.state.info, self.state.fingerprint = False, None, ""
        self.start_run()
        self.set_status(Status.IDLE, "")

    # ------------------------------------------------------------ showing
    def set_status(self, status: Status, message: str) -> None:
        """The run's status as the process (or the controller) knows it, shown."""
        self.state.status, self.state.message = status, message
        self._show_status()

    def _show_status(self) -> None:
        shown = Status.RUNNING if self._asked.running else self.state.status
        self.status_changed.emit(shown.value, self.state.message)
