"""The confusion matrix: which classes the network mixes up, live.

Rows are the true classes, columns the predicted ones; the diagonal holds
the correct answers. Cells are shaded by the share of their row, so a
small class's mistakes show as clearly as a large one's. The training
process counts both sets at every epoch (up to twenty classes), so the
matrix shown is always the latest epoch's, whenever the view opens. Under
it, each class's precision, recall and F1 and their macro averages, as the
engine computes them from the same counts (:mod:`graph_engine.training.measures`).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from graph_engine.core.epochs import EpochRow
from graph_engine.core.limits import MAX_CONFUSION_CLASSES
from graph_engine.training.measures import ClassMeasures, from_confusion

from ..style import text_label
from .hub import HistoryView

WHITE, BLUE = np.array([255.0, 255.0, 255.0]), np.array([8.0, 119.0, 189.0])
MAX_NUMBERS = 12  # classes; beyond this the counts would not fit their cells


def shade(matrix: np.ndarray) -> np.ndarray:
    """Counts -> (rows, cols, 3) colours: white to blue by share of the row."""
    totals = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    return (WHITE + (BLUE - WHITE) * share[..., None]).astype(np.uint8)


class ConfusionPanel(HistoryView):
    def __init__(self, hub, parent=None) -> None:
        super().__init__(hub.controller, parent)
        self.setObjectName("confusionPanel")
        self.matrix: np.ndarray | None = None
        self.class_names: list[str] = []
        self.texts: list[pg.TextItem] = []
        self.split = QComboBox()
        self.split.addItem("Test set", "test")
        self.split.addItem("Training set", "train")
        self.split.setToolTip("Count the predictions on the test set (what the network has "
                              "never trained on) or on the training set")
        self.split.activated.connect(lambda i: self.redraw())
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.getViewBox().invertY(True)
        self.plot.setLabel("bottom", "predicted class")
        self.plot.setLabel("left", "true class")
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.caption = text_label("", "helpText")
        self.measures = measures_table()
        row = QHBoxLayout()
        row.addWidget(self.caption, 1)
        row.addWidget(self.split)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot, 1)
        layout.addLayout(row)
        layout.addWidget(self.measures)

    def clear(self) -> None:
        self.matrix = None
        self.measures.setRowCount(0)
        self.image.clear()
        self._numbers(np.zeros((0, 0), dtype=int))
        self.plot.getAxis("bottom").setTicks(None)
        self.plot.getAxis("left").setTicks(None)
        self.caption.setText(self._hint())

    def _hint(self) -> str:
        info = self.controller.state.info
        if info is not None and not info.is_classification:
            return (f"{info.name} is a regression data set: a confusion matrix counts "
                    "classes, so it needs a classification data set.")
        if info is not None and info.classes > MAX_CONFUSION_CLASSES:
            return (f"{info.name} has {info.classes} classes: the matrix is drawn for up to "
                    f"{MAX_CONFUSION_CLASSES}.")
        return "Train a classifier to see which classes it confuses."

    def add_rows(self, new: list[EpochRow], history: list[EpochRow]) -> None:
        self.redraw()

    def redraw(self) -> None:
        history = self.controller.state.history
        counts = next((row["confusion"] for row in reversed(history) if "confusion" in row),
                      None)
        if counts is None:
            self.clear()
            return
        split = self.split.currentData()
        names = self.controller.state.class_names
        matrix = np.asarray(counts[split], dtype=np.int64)
        if len(names) != len(matrix):
            names = [str(i) for i in range(len(matrix))]
        self.draw(matrix, names, split)

    def draw(self, matrix: np.ndarray, class_names: list[str], split: str) -> None:
        self.matrix, self.class_names = matrix, list(class_names)
        n = len(matrix)
        self.image.setImage(shade(matrix).transpose(1, 0, 2), levels=(0, 255))
        self.image.setRect(QRectF(0, 0, n, n))
        ticks = [(i + 0.5, name) for i, name in enumerate(self.class_names)]
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.getAxis("left").setTicks([ticks])
        self.plot.setRange(xRange=(0, n), yRange=(0, n), padding=0.02)
        self._numbers(matrix)
        total, correct = int(matrix.sum()), int(np.trace(matrix))
        part = "Test set" if split == "test" else "Training set"
        share = f" ({correct / total:.1%})" if total else ""
        self.caption.setText(f"{part}: {correct} of {total} correct{share}. Rows: the true "
                             "class; columns: the prediction. Off the diagonal: mistakes.")
        show_measures(self.measures, from_confusion(matrix, self.class_names))

    def _numbers(self, matrix: np.ndarray) -> None:
        n = len(matrix)
        cells = [(c, r) for r in range(n) for c in range(n)] if n <= MAX_NUMBERS else []
        if len(cells) != len(self.texts):
            for text in self.texts:
                self.plot.removeItem(text)
            self.texts = [pg.TextItem(anchor=(0.5, 0.5)) for _ in cells]
            for text in self.texts:
                self.plot.addItem(text)
        totals = matrix.sum(axis=1) if n else []
        for text, (c, r) in zip(self.texts, cells, strict=True):
            dark = totals[r] and matrix[r, c] / totals[r] > 0.55
            text.setColor("#FFFFFF" if dark else "#111827")
            text.setText(str(int(matrix[r, c])))
            text.setPos(c + 0.5, r + 0.5)


ROW_HEIGHT = 22
MAX_ROWS_SHOWN = 4
MEASURE_COLUMNS = ("class", "precision", "recall", "F1", "samples")
MEASURE_HELP = ("precision: of the samples predicted as this class, the share that are; "
                "recall: of the samples of this class, the share found; F1: their harmonic "
                "mean; the macro average weighs every class alike")


def measures_table() -> QTableWidget:
    table = QTableWidget(0, len(MEASURE_COLUMNS))
    table.setObjectName("classMeasures")
    table.setHorizontalHeaderLabels(MEASURE_COLUMNS)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setToolTip(MEASURE_HELP)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    table.setVerticalScrollMode(QTableWidget.ScrollMode.ScrollPerPixel)
    return table


def show_measures(table: QTableWidget, found: ClassMeasures) -> None:
    """One row per class, then the macro averages (the table's items show plain text)."""
    rows = [(name, p, r, f, str(n)) for name, p, r, f, n in
            zip(found.classes, found.precision, found.recall, found.f1, found.support,
                strict=True)]
    rows.append(("macro average", found.macro_precision, found.macro_recall,
                 found.macro_f1, str(sum(found.support))))
    table.setRowCount(len(rows))
    shown = min(len(rows), MAX_ROWS_SHOWN)  # more classes scroll; the matrix keeps its room
    table.setFixedHeight(table.horizontalHeader().sizeHint().height() + shown * ROW_HEIGHT + 4)
    for index, row in enumerate(rows):
        for column, value in enumerate(row):
            item = QTableWidgetItem(value if isinstance(value, str) else f"{value:.3f}")
            if column:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(index, column, item)
