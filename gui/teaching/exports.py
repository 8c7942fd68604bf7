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

from graph_engine import DiagramError, to_python

from .. import dialogs
from ..document.document import Document
from ..document.outputs import Outputs
from ..shell import Shell
from ..training.files import TrainingFiles

ONNX_FILTER = "ONNX models (*.onnx);;All files (*)"
PYTHON_FILTER = "Python files (*.py);;All files (*)"


def _suggestion(document: Document, extension: str) -> str:
    stem = os.path.splitext(document.display_name)[0] if document.path else "network"
    folder = os.path.dirname(document.path) if document.path else ""
    return os.path.join(folder, stem + extension)


def diagram_source(diagram, analysis=None, problems=None) -> tuple[str | None, list[str]]:
    """(source, []) or (None, error messages); the editor passes its analysis and
    problems, so the diagram is not validated twice."""
    try:
        return to_python(diagram, analysis=analysis, problems=problems), []
    except DiagramError as error:
        return None, [d.message for d in error.diagnostics if d.is_error]
    except ValueError as error:  # a formula or parameter the exporter refuses
        return None, [str(error)]


class Exports(QObject):
    def __init__(self, document: Document, files: TrainingFiles, outputs: Outputs,
                 shell: Shell) -> None:
        window = shell.main_window()
        super().__init__(window)
        self.document, self.files, self.outputs, self.shell = document, files, outputs, shell
        self.onnx_action = QAction("&ONNX Model…", window)
        self.onnx_action.setStatusTip("Export the network, with its trained weights, as an "
                                      "ONNX model")
        self.onnx_action.triggered.connect(lambda checked=False: self.export_onnx())
        self.python_action = QAction("&Python Code…", window)
        self.python_action.setStatusTip("Save the network as standalone PyTorch code")
        self.python_action.triggered.connect(lambda checked=False: self.export_python())
        shell.menu("export").addAction(self.onnx_action)
        shell.menu("export").addAction(self.python_action)
        files.file_done.connect(self._file_done)
        self.busy = False

    # ------------------------------------------------------------ Python
    def export_python(self) -> None:
        document = self.document
        source, errors = diagram_source(document.diagram, *document.checked())
        if source is None:
            dialogs.show_error(self.shell.main_window(), "Export Python", "The diagram has "
                               "errors, so it has no code yet:\n\n" + "\n".join(errors))
            return
        self.save_python(source)

    def save_python(self, source: str) -> None:
        path = dialogs.save_path(self.shell.main_window(), "Save as Python",
                                 _suggestion(self.document, ".py"), PYTHON_FILTER)
        if not path:
            return
        path = dialogs.with_suffix(path, ".py")
        if self.outputs.refused("Export Python", path, "Python file"):
            return
        from graph_engine.build.export import export_python

        try:
            export_python(source, path)
        except OSError as error:
            dialogs.show_error(self.shell.main_window(), "Export Python",
                               f"{path} could not be written: {error.strerror or error}")
            return
        self.shell.tell(f"Saved the code to {path}")

    # ------------------------------------------------------------ ONNX
    def export_onnx(self) -> None:
        """The training process writes the file, with the trained weights when
        it holds a run of the network on screen (the status bar says which)."""
        document, parent = self.document, self.shell.main_window()
        if document.has_errors:
            dialogs.show_error(parent, "Export ONNX", "The diagram has errors, so it "
                               "cannot be exported: fix the problems listed in the Problems "
                               "panel first.")
            return
        if self.busy:
            self.shell.tell("An export is already running.")
            return
        path = dialogs.save_path(parent, "Export ONNX model",
                                 _suggestion(document, ".onnx"), ONNX_FILTER)
        if not path:
            return
        path = dialogs.with_suffix(path, ".onnx")
        if self.outputs.refused("Export ONNX", path, "ONNX model"):
            return
        self.busy = True
        self.shell.tell("Exporting the ONNX model…", 0)
        self.files.export_onnx(path)

    def _file_done(self, ok: bool, message: str) -> None:
        self.busy = False
