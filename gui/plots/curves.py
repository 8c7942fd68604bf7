"""Loss and accuracy curves over epochs, with a log-scale option and values on hover.

For regression the second plot offers the RMSE (in the target's own units: a
table's target trains standardised, the error is told as the table has it)
and R² instead of an accuracy; the engine puts both in every epoch row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from graph_engine.core.epochs import CurvePoint, EpochRow

from ..plain_text import escape
from ..style import text_label
from . import LINE_WIDTH, TEST_COLOUR, TRAIN_COLOUR
from .grid import add_grid
from .ranges import EpochRange, SteadyRange, show_range


class CurvePlot(pg.PlotWidget):
    """Train and test curves of one metric, with a hover read-out."""

    def __init__(self, title: str, metric: str, parent=None) -> None:
        super().__init__(parent)
        self.metric = metric
        self.setTitle(title, size="10pt")
        self.setLabel("bottom", "epoch")
        self.setLabel("left", title.lower())
        self.grid = add_grid(self.getPlotItem())  # showGrid repaints the axes every frame
        self.getAxis("left").enableAutoSIPrefix(False)
        self.setMouseEnabled(x=False, y=False)
        self.setMenuEnabled(False)
        # Loss falls and accuracy rises: keep each legend out of its curves' way, in
        # a corner, whole however small the plot (pinned runs are named below them).
        self.addLegend(offset=(-10, 5) if metric == "loss" else (-10, -5))
        item = self.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.train = self.plot([], [], pen=pg.mkPen(TRAIN_COLOUR, width=LINE_WIDTH), name="train")
        self.test = self.plot([], [], pen=pg.mkPen(TEST_COLOUR, width=LINE_WIDTH), name="test")
        dashed = pg.mkPen("#9CA3AF", style=Qt.PenStyle.DashLine)
        self.cursor = pg.InfiniteLine(angle=90, pen=dashed)
        self.readout = pg.TextItem(color="#111827", anchor=(0, 1),
                                   fill=pg.mkBrush(255, 255, 255, 220))
        for extra in (self.cursor, self.readout):
            extra.setVisible(False)
            self.addItem(extra, ignoreBounds=True)
        self.epochs = np.zeros(0)
        self.values = {"train": np.zeros(0), "test": np.zeros(0)}
        self.more: Callable[[int], str] | None = None  # more read-out for the epoch at an index
        self.scene().sigMouseMoved.connect(self._hover)

    def show_metric(self, metric: str, title: str, label: str) -> bool:
        """Another measure on this plot (accuracy, RMSE, R²): its title and axis;
        False when it shows that one already."""
        if metric == self.metric:
            return False
        self.metric = metric
        self.setTitle(title, size="10pt")
        self.setLabel("left", label)
        return True

    def set_data(self, epochs: np.ndarray, train: np.ndarray, test: np.ndarray) -> None:
        self.epochs, self.values = epochs, {"train": train, "test": test}
        self.train.setData(epochs, train)
        self.test.setData(epochs, test)

    def add_pinned(self, epochs: np.ndarray, values: np.ndarray,
                   colour: str) -> pg.PlotDataItem:
        """A pinned run's test curve: faded and dashed (named under the plots, where a
        long name wraps instead of being clipped at the plot's edge)."""
        pen = pg.mkPen(pinned_colour(colour), width=LINE_WIDTH, style=Qt.PenStyle.DashLine)
        return self.plot(np.array(epochs), np.array(values), pen=pen)

    def clear_data(self) -> None:
        self.set_data(np.zeros(0), np.zeros(0), np.zeros(0))
        self.cursor.setVisible(False)
        self.readout.setVisible(False)

    def _hover(self, pos) -> None:
        view = self.getPlotItem().vb
        if not len(self.epochs) or not self.sceneBoundingRect().contains(pos):
            self.cursor.setVisible(False)
            self.readout.setVisible(False)
            return
        x = view.mapSceneToView(pos).x()
        index = int(np.clip(np.searchsorted(self.epochs, x), 0, len(self.epochs) - 1))
        epoch = self.epochs[index]
        train, test = self.values["train"][index], self.values["test"][index]
        self.cursor.setPos(epoch)
        more = self.more(index) if self.more is not None else ""
        self.readout.setText(f"epoch {epoch_text(epoch)}\ntrain {train:.4g}\n"
                             f"test  {test:.4g}{more}")
        y_range = view.viewRange()[1]
        self.readout.setPos(epoch, y_range[0] + 0.97 * (y_range[1] - y_range[0]))
        self.cursor.setVisible(True)
        self.readout.setVisible(True)

def epoch_text(epoch: float) -> str:
    """A whole epoch as a whole number, a point inside one with its fraction (2.4)."""
    return f"{int(epoch)}" if float(epoch).is_integer() else f"{epoch:.2f}".rstrip("0")


PIN_COLOURS = ("#6B7280", "#A855F7", "#0D9488", "#CA8A04")  # one per pinned run


def pinned_colour(colour: str) -> QColor:
    return QColor(colour).lighter(130)


# Each column of the curves, read from a row by its declared field; a row without
# it (a regression has no accuracy) leaves a gap. The curves draw the epochs' rows
# and, at a set pace, points between them at fractional epochs.
Row = EpochRow | CurvePoint
COLUMNS: dict[str, Callable[[Row], float]] = {
    "epoch": lambda row: row.get("epoch", np.nan),
    "train_loss": lambda row: row.get("train_loss", np.nan),
    "test_loss": lambda row: row.get("test_loss", np.nan),
    "train_accuracy": lambda row: row.get("train_accuracy", np.nan),
    "test_accuracy": lambda row: row.get("test_accuracy", np.nan),
    "train_rmse": lambda row: row.get("train_rmse", np.nan),
    "test_rmse": lambda row: row.get("test_rmse", np.nan),
    "train_r2": lambda row: row.get("train_r2", np.nan),
    "test_r2": lambda row: row.get("test_r2", np.nan),
}
# The second plot's measures: its title, and the columns' stem. A regression's rows
# have no accuracy, a classifier's no RMSE or R².
MEASURES = {"accuracy": ("Accuracy", "accuracy"),
            "rmse": ("RMSE (the target's units)", "RMSE"), "r2": ("R²", "R²")}
REGRESSION_MEASURES = ("rmse", "r2")


class Series:
    """Growing columns of the history, converted incrementally (a long run
    has hundreds of thousands of epochs; each redraw adds only the new ones)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.size = 0
        self.columns = {k: np.zeros(256) for k in COLUMNS}

    def extend(self, rows: Sequence[Row]) -> None:
        needed = self.size + len(rows)
        if needed > len(self.columns["epoch"]):
            capacity = max(needed, 2 * len(self.columns["epoch"]))
            for key, column in self.columns.items():
                grown = np.zeros(capacity)
                grown[:self.size] = column[:self.size]
                self.columns[key] = grown
        for key, column in self.columns.items():
            field = COLUMNS[key]
            values = np.asarray([field(row) for row in rows], dtype=float)
            values[~np.isfinite(values)] = np.nan  # an infinite loss is a gap, not a spike
            column[self.size:needed] = values
        self.size = needed

    def __getitem__(self, key: str) -> np.ndarray:
        return self.columns[key][:self.size]  # a view: redraws copy nothing




class CurvesPanel(QWidget):
    """The loss plot (log scale on request) beside the accuracy plot."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.loss = CurvePlot("Loss", "loss")
        self.accuracy = CurvePlot("Accuracy", "accuracy")
        self.accuracy.setYRange(0, 1.02)
        self.accuracy.getPlotItem().vb.disableAutoRange(axis="y")
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setToolTip("Show the loss on a logarithmic axis: small changes late in "
                                  "training become visible")
        self.log_scale.toggled.connect(self._log_scale)
        self.measure = QComboBox()  # for regression: which error the second plot shows
        for key in REGRESSION_MEASURES:
            self.measure.addItem(MEASURES[key][0], key)
        self.measure.setToolTip("For regression: the root-mean-square error in the target's "
                                "own units, or R² (1: a perfect fit; 0: no better than "
                                "predicting the mean)")
        self.measure.activated.connect(lambda _index: self._show_measure())
        self.measure.setVisible(False)
        self.plots = QWidget()  # the two plots side by side, the pins below: what Export saves
        column = QVBoxLayout(self.plots)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.loss, 1)
        row.addWidget(self.accuracy, 1)
        column.addLayout(row, 1)
        self.pinned = text_label("", "helpText", rich=True)  # the pinned runs' names
        self.pinned.setObjectName("pinnedRuns")
        self.pinned.hide()
        column.addWidget(self.pinned)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the curves as a PNG or SVG picture")
        self.pin_button = QPushButton("Pin Run")
        self.pin_button.setToolTip("Keep this run's test curves, faded, to compare them with "
                                   "the next run (deep Sigmoid, then deep ReLU)")
        self.unpin_button = QPushButton("Clear Pins")
        self.unpin_button.clicked.connect(self.clear_pins)
        self.pins: list[tuple[str, list]] = []  # label, the plot items drawn for it
        options = QHBoxLayout()
        options.addWidget(self.log_scale)
        options.addWidget(self.measure)
        options.addStretch(1)
        for button in (self.pin_button, self.unpin_button, self.export_button):
            options.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plots, 1)
        layout.addLayout(options)
        self.series = Series()
        self._x_range = EpochRange()
        self._loss_range = SteadyRange()
        self._set_x_range(0)  # the axes a run starts with, before any run

    def picture(self) -> QWidget:
        """What Export saves: the two plots and the pinned runs' names."""
        return self.plots

    def pin(self, label: str) -> bool:
        """Keep the curves shown now, labelled, under the runs that follow."""
        s = self.series
        if not s.size:
            return False
        colour = PIN_COLOURS[len(self.pins) % len(PIN_COLOURS)]
        items = [self.loss.add_pinned(s["epoch"], s["test_loss"], colour)]
        shown = f"test_{self.accuracy.metric}"
        if self.accuracy.isVisible() and np.isfinite(s[shown]).any():
            items.append(self.accuracy.add_pinned(s["epoch"], s[shown], colour))
        self.pins.append((label, items))
        self._name_pins()
        return True

    def clear_pins(self) -> None:
        for _, items in self.pins:
            for item in items:
                plot = self.loss if item in self.loss.getPlotItem().items else self.accuracy
                plot.removeItem(item)
        self.pins = []
        self._name_pins()

    def _name_pins(self) -> None:
        """Each pinned run's name beside a dash of its colour, wrapping as it needs."""
        names = [f'<span style="color:{pinned_colour(PIN_COLOURS[i % len(PIN_COLOURS)]).name()}'
                 f'">┄┄┄</span>&nbsp;{escape(label)}' for i, (label, _) in
                 enumerate(self.pins)]
        self.pinned.setText("Pinned: " + " &nbsp; ".join(names))
        self.pinned.setVisible(bool(names))

    def clear(self) -> None:
        """Nothing of the run drawn (pinned runs stay), the axes as before any run."""
        self.series.clear()
        self.loss.clear_data()
        self.accuracy.clear_data()
        self._x_range = EpochRange()
        self._set_x_range(0)
        self._loss_range.reset()
        self._fit_loss()

    def show_history(self, history: Sequence[Row]) -> None:
        """Show ``history`` (the whole run so far: rows and the points between them,
        in order); only new rows are converted.
        A new run must be cleared first (:meth:`clear`)."""
        if len(history) < self.series.size:
            self.clear()
        if len(history) == self.series.size:
            return
        self.series.extend(history[self.series.size:])
        s = self.series
        self._set_x_range(s.columns["epoch"][s.size - 1])
        self.loss.set_data(s["epoch"], s["train_loss"], s["test_loss"])
        self._fit_loss()
        regression = "train_rmse" in history[-1]  # a regression's rows have it
        self.measure.setVisible(regression)
        self.loss.more = self._errors_at if regression else None
        self.accuracy.setVisible(regression or "train_accuracy" in history[-1])
        self._show_measure()

    def _errors_at(self, index: int) -> str:
        """The loss's read-out for a regression: its errors in the target's own units."""
        s = self.series
        return (f"\nRMSE in the target's units: train {s['train_rmse'][index]:.4g}, test "
                f"{s['test_rmse'][index]:.4g}")

    def _show_measure(self) -> None:
        """The second plot: accuracy for a classifier, the chosen error for a regression."""
        s = self.series
        metric = self.measure.currentData() if self.measure.isVisible() else "accuracy"
        if not s.size or not self.accuracy.isVisible():
            return
        changed = self.accuracy.show_metric(metric, *MEASURES[metric])
        self.accuracy.set_data(s["epoch"], s[f"train_{metric}"], s[f"test_{metric}"])
        if not changed:  # the axis is set once per measure: a frame moves no axis
            return
        view = self.accuracy.getPlotItem().vb
        if metric == "accuracy":
            view.disableAutoRange(axis="y")
            self.accuracy.setYRange(0, 1.02)
        else:  # an error in the table's units has no fixed range
            view.enableAutoRange(axis="y")

    def _log_scale(self, on: bool) -> None:
        self.loss.setLogMode(y=on)
        self._loss_range.reset(log=on)
        self._fit_loss()

    def _fit_loss(self) -> None:
        """The loss axis in round steps (:mod:`.ranges`), the pinned runs included."""
        shown = self._loss_range.fit([item.yData for item in self.loss.listDataItems()
                                      if item.yData is not None])
        if shown is not None:
            show_range(self.loss, "y", shown)
        elif self._loss_range.range is None:
            self.loss.getPlotItem().vb.enableAutoRange(axis="y")

    def _set_x_range(self, last_epoch: float) -> None:
        shown = self._x_range.fit(last_epoch)
        if shown is not None:
            for plot in (self.loss, self.accuracy):
                show_range(plot, "x", shown)
