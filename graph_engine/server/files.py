"""The commands of the training process that write or read files: weights, ONNX,
and a table with the network's predictions. The process holds the network and its
weights, so it does the writing; each command answers with one FILE reply (ok,
message)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .protocol import Command, Reply, Status
from .run_commands import compile_text

if TYPE_CHECKING:
    from .process import Server

COMMANDS = (Command.SAVE_WEIGHTS, Command.LOAD_WEIGHTS, Command.EXPORT_ONNX,
            Command.PREDICT_TABLE)


class FileCommands:
    """The file commands of one :class:`~.process.Server`."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def save_weights(self, path: str, title: str) -> None:
        from ..build.weights import save_weights

        server = self.server
        trainer = server.trainer
        if trainer is None:
            server.send(Reply.FILE, ok=False, message="Train the network first: there are "
                        "no weights yet.")
            return
        try:
            save_weights(trainer.model, path, title)
        except (OSError, ValueError) as error:
            server.send(Reply.FILE, ok=False, message=f"{path} could not be written: "
                        f"{getattr(error, 'strerror', None) or error}")
            return
        server.send(Reply.FILE, ok=True, message=f"Saved the weights of epoch "
                    f"{trainer.epoch} to {path}")

    def load_weights(self, path: str, run: int) -> None:
        from ..build.weights import WeightsError, load_weights

        server = self.server
        trainer = server.held_trainer()
        try:
            load_weights(trainer.model, path)
        except WeightsError as error:
            server.send(Reply.FILE, ok=False, message=str(error))
            return
        server.running, server.run = False, run
        trainer.loaded_weights()
        # the editor starts the new run on this reply: the probes after it are of that
        # run, so every view draws the loaded network at once (sent before, they were
        # dropped as another run's, and the views stayed empty until the next step)
        server.send(Reply.FILE, ok=True, message=f"Loaded the weights from {path}")
        server.run_probes()
        server.status(Status.READY)

    def export_onnx(self, path: str, diagram: str) -> None:
        """Write the run's network with its weights; or, given a diagram, that
        network with the initial weights of its seed."""
        from ..build.export import ExportError, export_onnx

        server = self.server
        net, epoch = self._network(diagram)
        try:
            export_onnx(net, path)
        except (ExportError, OSError, ValueError) as error:
            server.send(Reply.FILE, ok=False, message=f"{path} could not be written: "
                        f"{getattr(error, 'strerror', None) or error}")
            return
        which = f"the weights of epoch {epoch}" if epoch else \
            "untrained weights: train the network first to export what it learns"
        server.send(Reply.FILE, ok=True, message=f"Exported {path} with {which}.")

    def predict_table(self, path: str, out: str) -> None:
        """Write the table ``path`` to ``out`` with the run's predictions added."""
        from ..training.prediction import predict_table

        server = self.server
        trainer = server.held_trainer()
        try:
            rows = predict_table(trainer.net, trainer.data, path, out)
        except OSError as error:
            server.send(Reply.FILE, ok=False, message=f"{out} could not be written: "
                        f"{error.strerror or error}")
            return
        except ValueError as error:  # the table does not fit the network, or is unreadable
            server.send(Reply.FILE, ok=False, message=str(error))
            return
        server.send(Reply.FILE, ok=True, message=f"Wrote {rows:,} predictions (the weights "
                    f"of epoch {trainer.epoch}) to {out}")

    def _network(self, diagram: str):
        """(compiled network, epoch of its weights) for an export."""
        if not diagram:
            trainer = self.server.held_trainer()
            return trainer.net, trainer.epoch
        return compile_text(diagram)[1], 0
