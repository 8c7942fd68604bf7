"""Asking the network in the Output plot: type inputs (or click a point of the plane)
and read the prediction, class probabilities or the value.

The row under the plot takes raw inputs, as the data set's file has them, separated
by commas; a click on the plane fills them in (a standardised set's coordinates turned
back into its own units) and marks the point. The answer comes from the training
process (the ``predict`` probe, :mod:`graph_engine.training.prediction`), for the
weights of the run on screen, and follows the run as it trains; the row only asks and
shows.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from graph_engine.data.views import has_input_plane

from ..style import text_label
from .output import OutputPlot

MAX_NAMED = 4  # feature names the placeholder spells out
PLACEHOLDER_MAX = 60


class AskRow(QWidget):
    """"Ask the network: [x1, x2] Ask → the answer", under the Output plot."""

    asked = Signal(list)  # the raw inputs of one row

    def __init__(self, output: OutputPlot) -> None:
        super().__init__(output)
        self.output = output
        self.field = QLineEdit()
        self.field.setToolTip("The network's inputs in the data set's own units, separated "
                              "by commas; or click a point of the plot")
        self.field.returnPressed.connect(self.ask)
        self.button = QPushButton("Ask")
        self.button.setToolTip("Ask the trained network about these inputs")
        self.button.clicked.connect(self.ask)
        self.answer = text_label("", "helpText", selectable=True)  # plain text: class names
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Ask the network"))
        row.addWidget(self.field, 1)
        row.addWidget(self.button)
        row.addWidget(self.answer, 2)
        self.marker = pg.ScatterPlotItem(size=16, symbol="+", pen=pg.mkPen("#111827", width=2.5))
        self.marker.setZValue(30)
        output.plot.addItem(self.marker)
        output.add_row(self)
        output.clicked.connect(self._clicked)
        self.data = None

    def set_data(self, data) -> None:
        """The data set asked about: its feature names guide the typing."""
        self.data = data
        self.marker.setData([])
        self.answer.setText("")
        names = list(data.feature_names) if data is not None else []
        shown = ", ".join(names[:MAX_NAMED]) + (", …" if len(names) > MAX_NAMED else "")
        self.field.setPlaceholderText(shown[:PLACEHOLDER_MAX])
        self.setEnabled(data is not None)

    def _clicked(self, x: float, y: float) -> None:
        features = self.output.features_at(x, y)
        if features is None or self.data is None:
            return
        raw = self.data.inputs.back(np.array([features]))[0] if self.data.inputs is not None \
            else np.array(features)
        self.field.setText(", ".join(f"{v:.4g}" for v in raw))
        self.ask()

    def ask(self) -> None:
        try:
            values = [float(part) for part in self.field.text().split(",")]
        except ValueError:
            self.answer.setText("Type numbers separated by commas, e.g. 0.5, -1.2.")
            return
        self._mark(values)
        self.answer.setText("Asking…")
        self.asked.emit(values)

    def _mark(self, values: list[float]) -> None:
        data = self.data
        if data is None or not has_input_plane(data.info) or len(values) != 2:
            self.marker.setData([])
            return
        point = data.inputs.forward(np.array([values]))[0] if data.inputs is not None \
            else values
        self.marker.setData([float(point[0])], [float(point[1])])

    def show_answer(self, result: dict | None, epoch: int) -> None:
        """The probe's answer (its first row) after ``epoch`` epochs."""
        if result is None:
            return
        if "error" in result:
            self.answer.setText(str(result["error"]).removeprefix("ValueError: "))
            return
        self.answer.setText(f"{answer_text(result['rows'][0])} (epoch {epoch})")

    def waiting(self, text: str) -> None:
        self.answer.setText(text)


def answer_text(row: dict) -> str:
    """"class above: 97% (below: 3%)", or "value 0.4213"."""
    if "value" in row:
        return "value " + ", ".join(f"{v:.4g}" for v in row["value"])
    chances = sorted(row["probabilities"].items(), key=lambda item: -item[1])
    best, rest = chances[0], chances[1:4]
    others = ", ".join(f"{name}: {p:.0%}" for name, p in rest)
    return f"class {best[0]}: {best[1]:.0%}" + (f" ({others})" if others else "")
