"""Asking the trained network: the Output plot's Ask row, and File → Predict on a Table….

The row asks the training process for the ``predict`` probe on the inputs typed (or
clicked); the process answers with the weights of the run on screen each time it
runs its probes, so the answer follows training. Predict on a Table… asks the
process to write a table with the predictions added (``PREDICT_TABLE``), as it
writes weights.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from .. import dialogs
from ..document.outputs import Outputs
from ..panels.csv_dialog import CSV_FILTER
from ..plots.asking import AskRow
from ..shell import Shell
from .controller import TrainingController

PROBE = "ask"
OUT_FILTER = "CSV (*.csv);;TSV (*.tsv);;Parquet (*.parquet)"
NOT_YET = "Press play (or load weights): the network answers once it is compiled."


class Asking(QObject):
    def __init__(self, controller: TrainingController, row: AskRow, outputs: Outputs,
                 shell: Shell) -> None:
        super().__init__(controller)
        self.controller, self.row, self.outputs, self.shell = controller, row, outputs, shell
        row.asked.connect(self.ask)
        controller.progressed.connect(self._update)
        controller.run_changed.connect(self._new_run)
        self.action = QAction("&Predict on a Table…", shell.main_window())
        self.action.setStatusTip("Run the trained network on a table and save it with the "
                                 "predictions added")
        self.action.triggered.connect(self.predict_table)
        menu = shell.menu("file")
        menu.insertAction(shell.menu("export").menuAction(), self.action)

    def ask(self, row: list[float]) -> None:
        self.controller.set_probe(PROBE, "predict", rows=[row])
        if not self.controller.current:
            self.row.waiting(NOT_YET)

    def _new_run(self, _run: int) -> None:
        """The answer shown belonged to the run before: ask again."""
        if PROBE in self.controller.probes:
            self.row.waiting("Asking…" if self.controller.current else NOT_YET)

    def _update(self) -> None:
        if PROBE in self.controller.probes:
            state = self.controller.state
            self.row.show_answer(state.probes.get(PROBE), state.probe_epoch)

    def predict_table(self) -> None:
        window = self.shell.main_window()
        path = dialogs.open_path(window, "Predict on a table", file_filter=CSV_FILTER)
        if not path:
            return
        stem = os.path.splitext(os.path.basename(path))[0]
        out = dialogs.save_path(window, "Save the table with the predictions",
                                f"{stem}-predicted.csv", OUT_FILTER)
        if not out:
            return
        out = dialogs.with_suffix(out, ".csv", ".tsv", ".parquet")
        if not self.outputs.refused("Predictions", out, "table", also=(path,)):
            self.controller.files.predict_table(path, out)
