"""File → Export → ONNX Model… and Python Code…: the network taken away.

The training process writes the ONNX file: it holds the network, its
weights and torch already, so nothing is compiled twice and the editor
never loads torch. Python source is generated here, from the diagram. Neither export may
write over the open diagram or its CSV data set.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from .. import dialogs
from ..editor.file_actions import output_refused

ONNX_FILTER = "ONNX models (*.onnx);;All files (*)"
PYTHON_FILTER = "Python files (*.py);;All files (*)"


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
        hub.controller.files.file_done.connect(self._file_done)
        self.busy = False

    def _status(self, text: str, ms: int = 8000) -> None:
        self.window.statusBar().showMessage(text, ms)

    # ------------------------------------------------------------ Python
    def export_python(self) -> None:
        from .code_panel import diagram_source

        document = self.window.document
        source, errors = diagram_source(document.diagram, *document.checked())
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
        """The training process writes the file, with the trained weights when
        it holds a run of the network on screen (the status bar says which)."""
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
        self._status("Exporting the ONNX model…", 0)
        self.hub.controller.files.export_onnx(path)

    def _file_done(self, ok: bool, message: str) -> None:
        self.busy = False
