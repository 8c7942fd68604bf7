"""Files the training process writes or reads for the editor: weights, ONNX, and a
table with the network's predictions.

The process holds the network and its weights, so it does the writing; this
asks it, and reports through ``file_done``. Loading weights starts a new run:
the views then show those weights, not the training that came before.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from graph_engine.server.protocol import Command


class TrainingFiles(QObject):
    file_done = Signal(bool, str)  # weights saved or loaded, a model exported: ok, message

    def __init__(self, controller) -> None:
        super().__init__(controller)
        self.controller = controller
        self._loading_run: int | None = None  # the run Load Weights will start
        controller.process.file_done.connect(self._done)

    def save_weights(self, path: str) -> None:
        controller = self.controller
        controller.pause()
        if not controller.current:
            self.file_done.emit(False, "Train the network first: there are no trained "
                                "weights of the network on screen yet.")
            return
        controller.process.send(Command.SAVE_WEIGHTS, path=path,
                                title=controller.document.diagram.title)

    def load_weights(self, path: str) -> bool:
        controller = self.controller
        if controller.running or not controller.can_train():
            return False

        def load() -> None:
            self._loading_run = controller.next_run()
            controller.process.send(Command.LOAD_WEIGHTS, path=path, run=self._loading_run)

        controller.when_prepared(load)
        return True

    def export_onnx(self, path: str) -> None:
        """The process writes the model: the trained weights when it holds a run of
        the network on screen, else the seed's initial weights."""
        controller = self.controller
        diagram = "" if controller.current else controller.document.diagram
        controller.process.send(Command.EXPORT_ONNX, path=path, diagram=diagram)

    def predict_table(self, path: str, out: str) -> None:
        """The process writes the table ``path`` to ``out`` with the predictions of the
        run on screen; without one there is nothing to ask."""
        controller = self.controller
        controller.pause()
        if not controller.current:
            self.file_done.emit(False, "Train the network first (or load weights): there is "
                                "no trained network on screen to ask yet.")
            return
        controller.process.send(Command.PREDICT_TABLE, path=path, out=out)

    def _done(self, ok: bool, message: str) -> None:
        if self._loading_run is not None:
            run, self._loading_run = self._loading_run, None
            if ok:
                self.controller.start_run(run)
        self.file_done.emit(ok, message)
