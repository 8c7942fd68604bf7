"""The Backprop dock: step through one sample, forward block by block, then back.

Choose a sample of the test set (or type its features, and a label if you
like), press Trace, then Next and Back (F10 and Shift+F10). Each step selects
its block on the canvas and lists the block's units: forward, what it
received and computed; backward, the gradient at its output and, for an
activation, the chain rule upstream × f′(input) = downstream with f′ marked
on the activation's slope curve; for a Linear layer dL/dW beside W. Cells
are coloured by sign and by size against the largest value of the whole
pass, so a vanishing gradient fades from block to block.

The weights are those of the run on screen (its ``state_dict`` probe) once
the network has trained, else the initial weights of the diagram's seed.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from graph_engine.model.fileio import dumps

from ..style import text_label
from ..tasks import run_in_background
from .backprop_steps import BACKWARD, FORWARD, Sample, Walk, chain_rule, first_row, unit_rows
from .heatmaps import diverging
from .hub import ProbeView

MAX_ROWS = 64  # units listed; a wider layer lists its first ones
HEATMAP = 120  # pixels of a W or dL/dW heatmap's longer side


def cell_colour(value: float, scale: float) -> QColor:
    rgb = diverging(np.array([[value]]), scale)[0, 0]
    return QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]))


def heatmap(values: np.ndarray, scale: float | None = None) -> QPixmap:
    rgb = np.ascontiguousarray(diverging(values, scale))
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
    factor = max(1, HEATMAP // max(width, height))
    return QPixmap.fromImage(image).scaled(width * factor, height * factor)


class StepView(QWidget):
    """One step: the block's units as a coloured table, the chain rule at the
    selected unit, and a picture of the block's local derivative."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.walk: Walk | None = None
        self.names: dict[str, str] = {}
        self.unit = 0
        self.title = text_label("", "sectionTitle")
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("backpropTable")
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setMinimumHeight(110)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.currentCellChanged.connect(lambda row, *_: self.select_unit(row))
        self.rule = text_label("", "helpText", selectable=True)
        self.rule.setObjectName("chainRule")
        self.weights = QLabel()
        self.weights.setObjectName("weightMaps")
        self.slope = pg.PlotWidget()
        self.slope.setFixedHeight(150)
        self.slope.setMenuEnabled(False)
        self.slope.setMouseEnabled(x=False, y=False)
        self.slope.setLabel("bottom", "input")
        self.slope_curve = self.slope.plot([], [], pen=pg.mkPen("#059669", width=2))
        self.slope_mark = self.slope.plot([], [], pen=None, symbol="o", symbolSize=9,
                                          symbolBrush="#DC2626")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.table, self.rule, self.weights, self.slope):
            layout.addWidget(widget)
        self.show_walk(None)

    def show_walk(self, walk: Walk | None, names: dict[str, str] | None = None) -> None:
        self.walk, self.names, self.unit = walk, names or {}, 0
        self.refresh()

    def refresh(self) -> None:
        walk = self.walk
        self.weights.setVisible(False)
        self.slope.setVisible(False)
        if walk is None:
            self.title.setText("Trace a sample to step through its backprop.")
            self.table.setRowCount(0)
            self.rule.setText("")
            return
        step = walk.step
        phase = "Forward" if step.phase == FORWARD else "Backward"
        name = self.names.get(step.block["id"], step.block["id"])
        self.title.setText(f"{phase} {step.number} of {step.of}: {name}")
        self._fill(step, walk.scale[step.phase])
        self.select_unit(min(self.unit, max(self.table.rowCount() - 1, 0)))

    def _fill(self, step, scale: float) -> None:
        columns, rows = unit_rows(step)
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setRowCount(min(len(rows), MAX_ROWS))
        for r, row in enumerate(rows[:MAX_ROWS]):
            for c, value in enumerate(row):
                item = QTableWidgetItem(f"{value:.4g}")
                if columns[c] != "× f′(input)":  # a slope is a factor, not a value
                    item.setBackground(cell_colour(value, scale))
                self.table.setItem(r, c, item)

    def select_unit(self, row: int) -> None:
        if self.walk is None or row < 0:
            return
        self.unit = row
        step = self.walk.step
        self.rule.setText(chain_rule(step, row, self.names))
        if step.phase == BACKWARD and "curve" in step.block:
            self._mark_slope(step.block, row)
        elif step.phase == BACKWARD and step.block["param_grads"].get("weight") is not None \
                and np.asarray(step.block["params"]["weight"]).ndim == 2:
            self._show_weights(step.block)

    def _mark_slope(self, block: dict, unit: int) -> None:
        curve = block["curve"]
        x = first_row(next(iter(block["inputs"].values())))[unit]
        slope = first_row(block["slopes"])[unit]
        self.slope_curve.setData(curve["xs"], curve["df"])
        self.slope_mark.setData([x], [slope])
        self.slope.setTitle(f"f′ of {self.names.get(block['id'], block['id'])}, "
                            f"marked at unit {unit + 1}'s input")
        self.slope.setVisible(True)

    def _show_weights(self, block: dict) -> None:
        weight = np.asarray(block["params"]["weight"], dtype=np.float64)
        grad = np.asarray(block["param_grads"]["weight"], dtype=np.float64)
        left, right = heatmap(weight), heatmap(grad)
        canvas = QPixmap(left.width() + right.width() + 12, max(left.height(),
                                                                right.height()))
        canvas.fill(QColor("white"))
        painter = QPainter(canvas)
        painter.drawPixmap(0, 0, left)
        painter.drawPixmap(left.width() + 12, 0, right)
        painter.end()
        self.weights.setPixmap(canvas)
        self.weights.setToolTip("Left: W (unit × input). Right: dL/dW, the gradient at the "
                                "output times the input, unit by unit.")
        self.weights.setVisible(True)
        self.rule.setText(self.rule.text() + ". Left W, right dL/dW: a row per unit, a "
                          "column per input; blue positive, orange negative.")


class BackpropPanel(ProbeView):
    """The dock's widget: which sample, Trace, Next/Back and the step shown."""

    step_changed = Signal(str)  # the id of the block the step is at

    def __init__(self, hub, document, parent=None) -> None:
        super().__init__(hub, "backprop.weights", "state_dict", parent)
        self.setObjectName("backpropPanel")
        self.document = document
        self.weights: dict | None = None  # the run's weights, once trained
        self.weights_epoch = 0
        self.walk: Walk | None = None
        self.busy = False
        self._build()
        hub.controller.run_changed.connect(lambda _run: self._forget_weights())

    def _build(self) -> None:
        self.test_choice = QRadioButton("Test sample")
        self.test_choice.setChecked(True)
        self.index = QSpinBox()
        self.index.setRange(0, 1_000_000)
        self.typed_choice = QRadioButton("Features")
        self.features = QLineEdit()
        self.features.setPlaceholderText("0.5, -1.2")
        self.label = QLineEdit()
        self.label.setPlaceholderText("label (optional)")
        self.trace_button = QPushButton("Trace")
        self.trace_button.clicked.connect(self.trace)
        self.features.returnPressed.connect(self.trace)
        self.back_button = QPushButton("◀ Back")
        self.back_button.setShortcut(QKeySequence("Shift+F10"))
        self.back_button.clicked.connect(lambda: self.move(-1))
        self.next_button = QPushButton("Next ▶")
        self.next_button.setShortcut(QKeySequence("F10"))
        self.next_button.clicked.connect(lambda: self.move(1))
        self.status = text_label("", "helpText")
        self.view = StepView()
        rows = QVBoxLayout(self)
        for widgets in ((self.test_choice, self.index, self.typed_choice, self.features),
                        (self.label, self.trace_button, self.back_button, self.next_button)):
            line = QHBoxLayout()
            for widget in widgets:
                line.addWidget(widget)
            rows.addLayout(line)
        rows.addWidget(self.status)
        rows.addWidget(self.view, 1)
        self._buttons()

    # ------------------------------------------------------------ weights
    def show_result(self, result) -> None:
        if result is None or "error" in result:
            return
        if self.hub.controller.current:
            self.weights, self.weights_epoch = result["weights"], result["epoch"]

    def _forget_weights(self) -> None:
        self.weights, self.weights_epoch = None, 0

    # ------------------------------------------------------------ tracing
    def sample(self) -> Sample:
        """The sample the controls name; ValueError with a message if unreadable."""
        if self.test_choice.isChecked():
            return Sample(index=self.index.value())
        features = _numbers(self.features.text(), "the features")
        label = _numbers(self.label.text(), "the label") if self.label.text().strip() \
            else None
        return Sample(index=None, features=tuple(features),
                      label=None if label is None else tuple(label))

    def trace(self) -> None:
        document = self.document
        document.refresh()
        if document.has_errors:
            self.status.setText("The diagram has errors: fix them in the Problems panel, "
                                "then trace.")
            return
        try:
            sample = self.sample()
        except ValueError as error:
            self.status.setText(str(error))
            return
        weights = self.weights if self.hub.controller.current else None
        which = f"the weights of epoch {self.weights_epoch}" if weights is not None else \
            f"the initial weights of seed {document.diagram.training.seed}"
        text = dumps(document.diagram)
        names = {b.id: b.name for b in document.diagram.blocks}
        self.busy = True
        self.status.setText("Tracing…")
        self._buttons()
        run_in_background(lambda: _compute(text, sample, weights),
                          lambda data: self._traced(data, names, which),
                          self._failed, owner=self)

    def _traced(self, data: dict, names: dict[str, str], which: str) -> None:
        self.busy = False
        self.walk = Walk(data)
        loss = data["loss"]
        self.status.setText(f"x = {_short(data['x'])}, with {which}; "
                            + (f"loss {loss:.4g}." if loss is not None else
                               "no label: L is the sum of the output."))
        self.view.show_walk(self.walk, names)
        self._moved()

    def _failed(self, message: str) -> None:
        self.busy = False
        self.status.setText(f"Cannot trace: {message}")
        self._buttons()

    # ------------------------------------------------------------ stepping
    def move(self, by: int) -> None:
        if self.walk is not None and self.walk.move(by):
            self.view.refresh()
            self._moved()

    def _moved(self) -> None:
        self._buttons()
        if self.walk is not None:
            self.step_changed.emit(self.walk.step.block["id"])

    def _buttons(self) -> None:
        walk = self.walk
        self.trace_button.setEnabled(not self.busy)
        self.back_button.setEnabled(walk is not None and not walk.at_start)
        self.next_button.setEnabled(walk is not None and not walk.at_end)


def _compute(text: str, sample: Sample, weights: dict | None) -> dict:
    from .backprop_steps import compute

    return compute(text, sample, weights)


def _numbers(text: str, what: str) -> list[float]:
    try:
        return [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"Type {what} as numbers separated by commas, e.g. 0.5, -1.2.") \
            from None


def _short(values) -> str:
    row = first_row(values)
    shown = ", ".join(f"{v:.3g}" for v in row[:6])
    return f"[{shown}{', …' if row.size > 6 else ''}]"


class BackpropUI:
    """Adds the Backprop dock, beside the training curves, and follows its steps
    on the canvas by selecting the block of each step."""

    def __init__(self, window) -> None:
        self.panel = BackpropPanel(window.teaching.hub, window.document)
        dock = window.add_dock("backprop", "Backprop", self.panel,
                               Qt.DockWidgetArea.BottomDockWidgetArea)
        window.tabifyDockWidget(window.docks["curves"], dock)
        window.docks["curves"].raise_()
        self.panel.step_changed.connect(lambda block_id: window.scene.select_blocks(
            [block_id] if block_id in window.document.diagram else []))
