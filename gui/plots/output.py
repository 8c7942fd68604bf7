"""The network's output over the input space: decision boundary, fit curve, heatmap.

Two-input classification: each class its own colour, shaded by confidence,
training points filled and test points hollow. Two-input regression: a
heatmap of the prediction. One-input regression: the fitted curve through
the points. The probabilities themselves come from the engine's probes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from graph_engine.data.views import OutputView, output_view

from ..style import text_label
from . import CLASS_COLOURS

NEGATIVE, POSITIVE = np.array([245, 147, 34]), np.array([8, 119, 189])


def class_rgb(index: int) -> np.ndarray:
    colour = QColor(CLASS_COLOURS[index % len(CLASS_COLOURS)])
    return np.array([colour.red(), colour.green(), colour.blue()], dtype=np.float32)


def classes_image(probs: np.ndarray, discrete: bool = False) -> np.ndarray:
    """(y, x, classes) probabilities -> (x, y, 3) uint8 colours: the winning
    class's colour, paler where the network is unsure (``discrete``: one shade
    per class, the boundary sharp, as Playground's "Discretize output")."""
    classes = probs.shape[-1]
    winner = probs.argmax(axis=-1)
    confidence = (probs.max(axis=-1) - 1 / classes) / (1 - 1 / classes)
    if discrete:
        confidence = np.full_like(confidence, 0.8)
    palette = np.stack([class_rgb(i) for i in range(classes)])
    strength = (0.12 + 0.6 * np.clip(confidence, 0, 1))[..., None]
    rgb = 255 + (palette[winner] - 255) * strength
    return np.clip(rgb, 0, 255).astype(np.uint8).transpose(1, 0, 2)


def _shared(colours: list, make) -> list:
    """One brush or pen per distinct colour, shared by the points that have it:
    pyqtgraph renders a symbol for every distinct brush object."""
    made: dict = {}
    for colour in colours:
        if colour.rgba() not in made:
            made[colour.rgba()] = make(colour)
    return [made[c.rgba()] for c in colours]


def values_image(values: np.ndarray, scale: float, discrete: bool = False) -> np.ndarray:
    """(y, x) values -> (x, y, 3): orange below zero, blue above, white at 0
    (``discrete``: only the sign, full orange or blue)."""
    t = np.clip(values / max(scale, 1e-6), -1, 1)[..., None]
    if discrete:
        t = np.sign(t) * 0.8
    rgb = np.where(t < 0, 255 + (NEGATIVE - 255) * -t, 255 + (POSITIVE - 255) * t)
    return rgb.astype(np.uint8).transpose(1, 0, 2)


POINTS_2D = "Filled points: training set · rings: test set."


class OutputPlot(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(False)
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=False, y=False)
        self.image = pg.ImageItem()
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#111827", width=2.5))
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("w", width=1))
        self.test_points = pg.ScatterPlotItem(size=7, brush=pg.mkBrush("w"))
        # Test rings under the training dots, so both stay visible where they overlap.
        for item in (self.image, self.test_points, self.curve, self.train_points):
            self.plot.addItem(item)
        self.note = text_label("", "helpText")
        self.show_test = QCheckBox("Show test data")
        self.show_test.setChecked(True)
        self.show_test.setToolTip("Show the test points (rings) as well as the training points")
        self.show_test.toggled.connect(self.test_points.setVisible)
        self.discrete = QCheckBox("Discretize output")
        self.discrete.setToolTip("Colour only the predicted class (or the sign of the "
                                 "value), without shading by how sure the network is")
        self.discrete.toggled.connect(lambda on: self.show_output(self._result))
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save this plot as a PNG or SVG picture")
        options = QHBoxLayout()
        for widget in (self.show_test, self.discrete):
            options.addWidget(widget)
        options.addStretch(1)
        options.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot, 1)
        layout.addLayout(options)
        layout.addWidget(self.note)
        self._data = None
        self._result: dict | None = None
        self.show_message("Press play to train: the network's output appears here.")

    def show_message(self, text: str) -> None:
        self.note.setText(text)

    def set_data(self, data) -> None:
        """Overlay the data set's points (train filled, test hollow)."""
        self._data = data
        if data is None:
            for item in (self.train_points, self.test_points):
                item.setData([])
            return
        info = data.info
        view = output_view(info)
        if view in (OutputView.BOUNDARY, OutputView.HEATMAP):
            self._points_2d(data)
        elif view is OutputView.CURVE:
            self._points_1d(data)
        else:
            for item in (self.train_points, self.test_points):
                item.setData([])
            self.show_message(f"{info.name} has {info.features} features: there is no input "
                              "plane to draw. Watch the curves and the confusion matrix.")

    def _colours(self, data, y) -> list:
        if data.info.is_classification:
            return [pg.mkColor(CLASS_COLOURS[int(c) % len(CLASS_COLOURS)]) for c in y]
        scale = float(np.abs(data.y_all).max()) or 1.0
        rgb = values_image(np.asarray(y, dtype=float).reshape(1, -1), scale)[:, 0, :]
        return [pg.mkColor(*c) for c in rgb]

    def _points_2d(self, data) -> None:
        train = self._colours(data, data.y_train.reshape(-1))
        test = self._colours(data, data.y_test.reshape(-1))
        self.train_points.setData(data.x_train[:, 0], data.x_train[:, 1],
                                  brush=_shared(train, pg.mkBrush), symbol="o")
        self.test_points.setData(data.x_test[:, 0], data.x_test[:, 1], brush=pg.mkBrush("w"),
                                 pen=_shared(test, lambda c: pg.mkPen(c, width=2)), symbol="o")
        self.plot.setLabel("bottom", data.feature_names[0] if data.feature_names else "x1")
        self.plot.setLabel("left", data.feature_names[1] if data.feature_names else "x2")
        self._frame(data)
        self.show_message(f"{POINTS_2D} Press play: the background shows what the network "
                          "predicts.")

    def _frame(self, data) -> None:
        if data.bounds:
            x0, x1, y0, y1 = data.bounds
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        else:
            self.plot.autoRange()

    def _points_1d(self, data) -> None:
        self.train_points.setData(data.x_train[:, 0], data.y_train[:, 0],
                                  brush=pg.mkBrush("#2563EB"), symbol="o")
        self.test_points.setData(data.x_test[:, 0], data.y_test[:, 0], brush=pg.mkBrush("w"),
                                 pen=pg.mkPen("#E11D48", width=2), symbol="o")
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "y")
        self._frame(data)
        self.show_message("Blue: training points · red rings: test points · line: the "
                          "network's prediction.")

    def show_output(self, result: dict | None) -> None:
        self._result = result
        discrete = self.discrete.isChecked()
        if not result or "error" in result:
            self.image.clear()
            self.curve.setData([], [])
            if result and "error" in result:
                self.show_message(result["error"])
            return
        x0, x1, y0, y1 = result["bounds"]
        if result["kind"] == OutputView.CURVE:
            self.image.clear()
            self.curve.setData(result["xs"], result["ys"])
            return
        self.curve.setData([], [])
        if result["kind"] == OutputView.BOUNDARY:
            rgb = classes_image(result["probs"], discrete)
            self.show_message(f"{POINTS_2D} Background: the predicted class, paler where the "
                              "network is less sure.")
        else:
            scale = float(np.abs(self._data.y_all).max()) if self._data is not None else 1.0
            rgb = values_image(result["values"], scale, discrete)
            self.show_message(f"{POINTS_2D} Background: the predicted value.")
        self.image.setImage(rgb, levels=(0, 255))
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def has_image(self) -> bool:
        return self.image.image is not None
