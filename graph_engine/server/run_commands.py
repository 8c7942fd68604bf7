"""The commands of the training process that make and drive its run: prepare,
run, pause, step (an epoch or a mini-batch), reset, settings and probes.

The :class:`~.process.Server` holds the run and trains it between commands;
these handlers only change what it holds and answer with a status. A command
that cannot be done now raises :class:`Refused`, which the server reports as a
FAILED status with the reason it carries.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

from .protocol import Reason, Reply, Status

if TYPE_CHECKING:
    from .process import Server


class Refused(Exception):
    """A command that cannot be done now; the status says why."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class RunCommands:
    """The run commands of one :class:`~.process.Server`."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def prepare(self, diagram: str, settings: dict, run: int) -> None:
        import torch

        from ..data import datasets
        from ..training.trainer import Trainer

        server = self.server
        server.running, server.run, server.trainer = False, run, None
        server.pending_rows = []  # rows of the run before: never stamped with this one
        server.status(Status.PREPARING, "Compiling the network and loading the data…")
        torch.set_num_threads(1)
        training = _settings(settings)
        work, net = compile_text(diagram, training.seed)
        if work.dataset is None:
            raise Refused(Reason.BAD_REQUEST, "Choose a data set in the Data panel first.")
        data = datasets.load(work.dataset)
        server.trainer = Trainer(net, data, training, track_gradients=False)
        server.trainer.use_kernel = training.pace <= 0  # the kernel, as fast as possible only
        server.send(Reply.PREPARED, run=run, data=describe_data(data))
        server.run_probes()
        server.status(Status.READY)

    def run(self, epochs: int) -> None:
        server = self.server
        server.held_trainer()
        server.running, server.remaining = True, epochs
        server.next_due = time.perf_counter()
        server.status(Status.RUNNING)

    def pause(self) -> None:
        if self.server.running:
            self.server.stop(Status.PAUSED)

    def step(self) -> None:
        server = self.server
        server.held_trainer()
        if not server.running and server.epoch():
            server.flush_rows(due=True)
            server.run_probes()
            server.status(Status.PAUSED)

    def step_batch(self) -> None:
        server = self.server
        trainer = server.held_trainer()
        if server.running or not server.epoch(trainer.run_batch):
            return
        server.flush_rows(due=True)
        batch = trainer.batch or trainer.batches  # 0 again: that batch ended the epoch
        epoch = trainer.epoch + (1 if trainer.batch else 0)
        server.send(Reply.BATCH, run=server.run, epoch=trainer.epoch, batch=batch,
                    batches=trainer.batches, loss=trainer.batch_loss)
        if not server.send_point():
            return
        server.run_probes()
        server.status(Status.PAUSED, f"Stepped mini-batch {batch} of {trainer.batches} in "
                      f"epoch {epoch}: its loss was {trainer.batch_loss:.4g} before the step.")

    def reset(self, run: int) -> None:
        server = self.server
        trainer = server.held_trainer()
        server.running, server.run = False, run
        trainer.reset()
        server.pending_rows = []
        server.run_probes()
        server.status(Status.READY, "Weights reset to their initial values.")

    def settings(self, settings: dict) -> None:
        trainer = self.server.trainer
        if trainer is not None:
            training = _settings(settings)
            trainer.update_settings(training)
            trainer.use_kernel = training.pace <= 0

    def probes(self, probes: dict) -> None:
        server = self.server
        server.probes = dict(probes)
        if not server.running:
            server.run_probes()


def compile_text(diagram: str, seed: int | None = None):
    """(diagram, compiled network) from the diagram file text the editor sent."""
    from ..build.compiler import compile as compile_diagram
    from ..core.diagnostics import DiagramError
    from ..model.fileio import DiagramFileError, loads

    try:
        work = loads(diagram)
        return work, compile_diagram(work, seed=work.training.seed if seed is None else seed)
    except DiagramError as error:
        raise Refused(Reason.DIAGRAM_ERRORS, _errors(error)) from None
    except DiagramFileError as error:
        raise Refused(Reason.BAD_REQUEST, str(error)) from None


def _settings(values: dict):
    from ..model.settings import TrainingSettings

    try:
        return TrainingSettings(**values)
    except TypeError as error:
        raise Refused(Reason.BAD_REQUEST, f"unknown training setting: {error}") from None


def _errors(error) -> str:
    errors = [d.message for d in error.diagnostics if d.is_error]
    return "The diagram has errors: " + " ".join(errors[:3])


def describe_data(data) -> dict:
    """What the editor needs to know of the run's data set: its description and a
    fingerprint to check its own copy against (never the arrays themselves)."""
    return {"info": dataclasses.asdict(data.info), "fingerprint": data.fingerprint(),
            "class_names": [str(name) for name in data.class_names]}
