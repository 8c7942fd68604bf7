"""File → Export → ONNX Model… and Python Code…: the network taken away.

The ONNX export compiles the diagram in the editor (torch loads here the
first time, which takes a few seconds, so it runs in the background). If
the network has trained, its learned weights come from the training
process through the ``state_dict`` probe; otherwise the file holds the
seed's initial weights, and the status bar says so. Neither export may
write over the open diagram or its CSV data set; both are written atomically.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction

from graph_engine.model.fileio import dumps, loads

from .. import dialogs
from ..editor.file_actions import output_refused
from ..tasks import run_in_background

ONNX_FILTER = "ONNX models (*.onnx);;All files (*)"
PYTHON_FILTER = "Python files (*.py);;All files (*)"
WEIGHTS_PROBE = "export.weights"
WEIGHTS_TIMEOUT_MS = 5000


def onnx_job(diagram_json: str, path: str, weights: dict | None) -> bool:
    """Compile, load ``weights`` if they fit, export; True if they were used."""
    import torch

    from graph_engine.build.compiler import compile as compile_diagram
    from graph_engine.build.export import export_onnx

    diagram = loads(diagram_json)
    net = compile_diagram(diagram, seed=diagram.training.seed)
    used = False
    if weights:
        try:
            net.model.load_state_dict({k: torch.as_tensor(v) for k, v in weights.items()})
            used = True
        except (RuntimeError, KeyError):  # the network changed since it trained
            used = False
    try:
        export_onnx(net, path)
    except OSError as error:  # the old file, if any, is untouched
        raise OSError(f"{path} could not be written: {error.strerror or error}.") from None
    return used


def _suggestion(document, extension: str) -> str:
    stem = os.path.splitext(document.display_name)[0] if document.path else "network"
    folder = os.path.dirname(document.path) if document.path else ""
    return os.path.join(folder, stem + extension)


class Exports(QObject):
    def __init__(self, window, hub) -> None:
        super().__init__(window)
        self.window, self.hub = window, hub
        self.onnx_action = QAction("&ONNX Model…", window)
        self.onnx_action.setStatusTip("Export the network, with its trained weights, as an "
                                      "ONNX model")
        self.onnx_action.triggered.connect(lambda checked=False: self.export_onnx())
        self.python_action = QAction("&Python Code…", window)
        self.python_action.setStatusTip("Save the network as standalone PyTorch code")
        self.python_action.triggered.connect(lambda checked=False: self.export_python())
        window.export_menu.addAction(self.onnx_action)
        window.export_menu.addAction(self.python_action)
        self._pending: tuple[str, str] | None = None  # (diagram JSON, path) awaiting weights
        self._token = object()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(WEIGHTS_TIMEOUT_MS)
        self._timer.timeout.connect(lambda: self._weights_arrived(None))
        hub.controller.progressed.connect(self._progressed)
        self.busy = False

    def _status(self, text: str, ms: int = 8000) -> None:
        self.window.statusBar().showMessage(text, ms)

    # ------------------------------------------------------------ Python
    def export_python(self) -> None:
        from .code_panel import diagram_source

        source, errors = diagram_source(self.window.document.diagram)
        if source is None:
            dialogs.show_error(self.window, "Export Python", "The diagram has errors, so it "
                               "has no code yet:\n\n" + "\n".join(errors))
            return
        self.save_python(source)

    def save_python(self, source: str) -> None:
        path = dialogs.save_path(self.window, "Save as Python",
                                 _suggestion(self.window.document, ".py"), PYTHON_FILTER)
        if not path:
            return
        path = dialogs.with_suffix(path, ".py")
        if output_refused(self.window, "Export Python", path, "Python file"):
            return
        from graph_engine.build.export import export_python

        try:
            export_python(source, path)
        except OSError as error:
            dialogs.show_error(self.window, "Export Python", f"{path} could not be written: "
                               f"{error.strerror or error}")
            return
        self._status(f"Saved the code to {path}")

    # ------------------------------------------------------------ ONNX
    def export_onnx(self) -> None:
        document = self.window.document
        if document.has_errors:
            dialogs.show_error(self.window, "Export ONNX", "The diagram has errors, so it "
                               "cannot be exported: fix the problems listed in the Problems "
                               "panel first.")
            return
        if self.busy:
            self._status("An export is already running.")
            return
        path = dialogs.save_path(self.window, "Export ONNX model",
                                 _suggestion(document, ".onnx"), ONNX_FILTER)
        if not path:
            return
        path = dialogs.with_suffix(path, ".onnx")
        if output_refused(self.window, "Export ONNX", path, "ONNX model"):
            return
        self.busy = True
        diagram_json = dumps(document.diagram)
        state = self.hub.controller.state
        with state.lock:
            trained = state.prepared and state.epoch > 0
        if not trained:
            self._run(diagram_json, path, None, None)
            return
        self._pending = (diagram_json, path)
        self._status("Fetching the trained weights…", 0)
        self.hub.claim(WEIGHTS_PROBE, self._token, "state_dict")
        self._timer.start()

    def _progressed(self) -> None:
        if self._pending is not None:
            result = self.hub.result(WEIGHTS_PROBE)
            if result is not None:
                self._weights_arrived(result)

    def _weights_arrived(self, result) -> None:
        self._timer.stop()
        self.hub.release(WEIGHTS_PROBE, self._token)
        if self._pending is None:
            return
        (diagram_json, path), self._pending = self._pending, None
        ok = result is not None and "weights" in result
        self._run(diagram_json, path, result["weights"] if ok else None,
                  result["epoch"] if ok else None)

    def _run(self, diagram_json: str, path: str, weights, epoch) -> None:
        self._status("Exporting the ONNX model… (the first export loads PyTorch, which takes "
                     "a few seconds)", 0)

        def done(used: bool) -> None:
            self.busy = False
            which = f"the weights of epoch {epoch}" if used else \
                "untrained weights: train the network first to export what it learns"
            self._status(f"Exported {path} with {which}.", 12000)

        def failed(message: str) -> None:
            self.busy = False
            self.window.statusBar().clearMessage()
            dialogs.show_error(self.window, "Export ONNX", message)

        run_in_background(lambda: onnx_job(diagram_json, path, weights), done, failed)
