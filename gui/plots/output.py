"""The network's output over the input space: decision boundary, fit curve, heatmap.

Two-input classification: each class its own colour, shaded by confidence,
training points filled and test points hollow. Two-input regression: a
heatmap of the prediction. One-input regression: the fitted curve through
the points. The probabilities themselves come from the engine's probes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from graph_engine.data.views import OutputView, output_view

from ..plain_text import escape
from ..style import text_label
from . import CLASS_COLOURS
from .predicted import HINT as PREDICTED_HINT
from .predicted import PredictedView

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
SAMPLES_HINT = {
    OutputView.IMAGES: "Press play: the first test images appear here with the class the "
                       "network predicts for each.",
    OutputView.PROJECTION: "Press play: the test points appear here on the training set's two "
                           "principal axes, coloured by what the network predicts.",
    OutputView.PREDICTED: PREDICTED_HINT,
}
MOSAIC_COLUMNS = 8
GAP = 1  # pixels between two images of the mosaic


def image_mosaic(images: np.ndarray, wrong: np.ndarray) -> np.ndarray:
    """(n, side, side) grey images -> one (x, y, 3) picture, MOSAIC_COLUMNS wide,
    white between them; a wrong one framed in red."""
    n, side = images.shape[0], images.shape[1]
    cell, tall = side + GAP, side + label_band(side)
    rows = -(-n // MOSAIC_COLUMNS)
    picture = np.full((rows * tall, MOSAIC_COLUMNS * cell, 3), 255, dtype=np.uint8)
    low, high = float(images.min()), float(images.max())
    grey = (255 * (1 - (images - low) / max(high - low, 1e-9))).astype(np.uint8)  # dark ink
    for index in range(n):
        row, col = divmod(index, MOSAIC_COLUMNS)
        y, x = row * tall, col * cell
        picture[y:y + side, x:x + side] = grey[index][..., None]
        if wrong[index]:
            picture[y:y + side, x] = picture[y:y + side, x + side - 1] = (220, 38, 38)
            picture[y, x:x + side] = picture[y + side - 1, x:x + side] = (220, 38, 38)
    return picture.transpose(1, 0, 2)  # ImageItem reads [x, y]


def label_band(side: int) -> int:
    """Pixels under each image of the mosaic for its label."""
    return max(4, side * 4 // 5)


PICK_PIXELS = 8  # a click this close to a test point picks it
FADED = 0.35  # the opacity of a reset run's picture kept while drawing


class OutputPlot(QWidget):
    # a left click on the input plane, in data coordinates (a drag that pans or
    # zooms is no click, so the plot's own mouse gestures stay as they were)
    clicked = Signal(float, float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.plot.setAspectLocked(False)
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=False, y=False)
        self.image = pg.ImageItem()
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#111827", width=2.5))
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("w", width=1))
        self.test_points = pg.ScatterPlotItem(size=7, brush=pg.mkBrush("w"))
        # Test rings under the training dots, so both stay visible where they overlap.
        # the sample the Backprop tab traces, on top of everything
        self.picked = pg.ScatterPlotItem(size=18, symbol="star", brush=pg.mkBrush("#FACC15"),
                                         pen=pg.mkPen("#111827", width=1.5))
        for item in (self.image, self.test_points, self.curve, self.train_points, self.picked):
            self.plot.addItem(item)
        self.note = text_label("", "helpText")
        # says the picture is a preview (a step applied in the Backprop dock), not the run
        self.preview_note = text_label("", "previewNote")
        self.preview_note.hide()
        self.show_test = QCheckBox("Show test data")
        self.show_test.setChecked(True)
        self.show_test.setToolTip("Show the test points (rings) as well as the training points")
        self.show_test.toggled.connect(self.test_points.setVisible)
        self.discrete = QCheckBox("Discretize output")
        self.discrete.setToolTip("Colour only the predicted class (or the sign of the "
                                 "value), without shading by how sure the network is")
        self.discrete.toggled.connect(lambda on: self._draw(self._result))
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save this plot as a PNG or SVG picture")
        options = QHBoxLayout()
        for widget in (self.show_test, self.discrete):
            options.addWidget(widget)
        options.addStretch(1)
        # the buttons (a tool's, then Export) in a column beside the note: the dock stays
        # narrow on a laptop
        self.buttons = QVBoxLayout()
        self.buttons.setSpacing(2)
        self.buttons.addWidget(self.export_button)
        self.buttons.addStretch(1)
        below = QHBoxLayout()
        below.addWidget(self.note, 1)
        below.addLayout(self.buttons)
        self.rows = layout = QVBoxLayout(self)  # tools (drawing, asking) add rows below
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.preview_note)
        layout.addWidget(self.plot, 1)
        layout.addLayout(options)
        layout.addLayout(below)
        self._data = None
        self._result: dict | None = None  # the picture drawn
        self._run_result: dict | None = None  # the run's last picture, shown after a preview
        self._bounds: tuple | None = None  # the plane (or mosaic) the image covers
        self._kind: str | None = None  # of the result drawn last
        self.labels: list[pg.TextItem] = []  # the predicted label over each test image
        self.predicted = PredictedView(self.plot)  # a regression with more than two inputs
        # while points are drawn, the last picture stays, faded, when its run is reset
        self.fade_stale = False
        self.show_message("Press play to train: the network's output appears here.")

    def add_button(self, widget: QWidget) -> None:
        """A tool's button beside the note, above Export."""
        self.buttons.insertWidget(self.buttons.count() - 2, widget)

    def add_row(self, widget: QWidget) -> None:
        """A row of a tool under the plot's options, above the note and Export."""
        self.rows.insertWidget(self.rows.count() - 1, widget)

    @property
    def data(self):
        """The data set whose points are drawn (None: none)."""
        return self._data

    def show_message(self, text: str) -> None:
        self.note.setText(text)

    def picture(self) -> QWidget:
        """What Export saves: the plot, without the controls under it."""
        return self.plot

    def set_data(self, data) -> None:
        """Overlay the data set's points (train filled, test hollow)."""
        self._data = data
        self._bounds = self._kind = None  # framed anew below
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
        elif view in (OutputView.IMAGES, OutputView.PROJECTION, OutputView.PREDICTED):
            for item in (self.train_points, self.test_points):
                item.setData([])
            self.show_message(SAMPLES_HINT[view])
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
        names = [escape(n) for n in data.feature_names[:2]]  # a table's column names
        self.plot.setLabel("bottom", names[0] if names else "x1")
        self.plot.setLabel("left", names[1] if len(names) > 1 else "x2")
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
        """The run's picture; while a preview is shown, kept for when it ends (a
        probe sent again for another view is still the run's, not a step's)."""
        self._run_result = result
        if not self.previewing:
            self._draw(result)

    @property
    def previewing(self) -> bool:
        return not self.preview_note.isHidden()

    def show_preview(self, result: dict | None, note: str) -> None:
        """Draw ``result`` in place of the run's picture, marked by ``note`` until
        :meth:`end_preview`."""
        self.preview_note.setText(note)
        self.preview_note.show()
        self._draw(result)

    def end_preview(self) -> None:
        """The run's picture again."""
        if self.previewing:
            self.preview_note.hide()
            self._draw(self._run_result)

    def _draw(self, result: dict | None) -> None:
        self._result = result
        discrete = self.discrete.isChecked()
        kind = result.get("kind") if result and "error" not in result else None
        if kind != self._kind:  # another kind of view: its own labels, axes and range
            self._kind, self._bounds = kind, None
            self._clear_samples()
        if not result and self.fade_stale and self.has_image():
            self.image.setOpacity(FADED)  # the old run's picture, where points are drawn
            return
        if not result or "error" in result:
            self.image.clear()
            self.curve.setData([], [])
            if result and "error" in result:
                self.show_message(result["error"])
            return
        if result["kind"] == OutputView.IMAGES:
            self._images(result)
            return
        if result["kind"] == OutputView.PROJECTION:
            self._projection(result)
            return
        if result["kind"] == OutputView.PREDICTED:
            self.image.clear()
            self.show_message(self.predicted.show(result))
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
        self.image.setOpacity(1.0)
        if self._bounds != (x0, x1, y0, y1):  # a new frame of the same plane costs no axes
            self._bounds = (x0, x1, y0, y1)
            self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    # ------------------------------------------------------------ more than two inputs
    def _images(self, result: dict) -> None:
        """The first test images in a grid, each with its predicted label; a wrong
        prediction gets a red frame and the true label in brackets."""
        images, true, pred = result["images"], result["true"], result["pred"]
        self.image.setImage(image_mosaic(images, pred != true), levels=(0, 255))
        side = images.shape[1]
        cell, tall, cols = side + GAP, side + label_band(side), MOSAIC_COLUMNS
        rows = -(-len(images) // cols)
        if self._bounds != (len(images), cell, tall):  # laid out once, relabelled after
            self._bounds = (len(images), cell, tall)
            self._clear_samples()
            self.image.setRect(QRectF(0, 0, cols * cell, rows * tall))
            for index in range(len(images)):
                text = pg.TextItem("", anchor=(0, 0.15))
                row, col = divmod(index, cols)
                text.setPos(col * cell, row * tall + side)  # under its image (y points down)
                self.plot.addItem(text)
                self.labels.append(text)
            self.plot.getViewBox().invertY(True)
            for side_name in ("left", "bottom"):
                self.plot.hideAxis(side_name)  # pixels of a mosaic: no axis to read
            self.plot.setRange(xRange=(0, cols * cell), yRange=(0, rows * tall), padding=0.01)
        for text, p, t in zip(self.labels, pred, true, strict=True):
            text.setText(str(p) if p == t else f"{p} ({t})",
                         color="#111827" if p == t else "#DC2626")
        wrong = int((pred != true).sum())
        self.show_message(f"The first {len(images)} test images with the class the network "
                          f"predicts: {wrong} wrong (red frame, true class in brackets).")

    def _projection(self, result: dict) -> None:
        """Test points on the two principal axes of the training set, coloured by
        the prediction; a misclassified point is a red cross."""
        points, true, pred = result["points"], result["true"], result["pred"]
        classification = self._data is None or self._data.info.is_classification
        if classification:
            colours = [pg.mkColor(CLASS_COLOURS[int(c) % len(CLASS_COLOURS)]) for c in pred]
            wrong = pred != true
        else:
            scale = float(np.abs(true).max()) or 1.0
            rgb = values_image(np.asarray(pred, dtype=float).reshape(1, -1), scale)[:, 0, :]
            colours, wrong = [pg.mkColor(*c) for c in rgb], np.zeros(len(pred), dtype=bool)
        self.test_points.setData(points[:, 0], points[:, 1], brush=_shared(colours, pg.mkBrush),
                                 pen=pg.mkPen("w", width=1), symbol="o")
        self.train_points.setData(points[wrong, 0], points[wrong, 1], symbol="x", size=11,
                                  pen=pg.mkPen("#DC2626", width=2), brush=pg.mkBrush("#DC2626"))
        self.plot.setLabel("bottom", "principal axis 1")
        self.plot.setLabel("left", "principal axis 2")
        self.plot.getViewBox().invertY(False)
        self.plot.autoRange()
        what = "the predicted class" if classification else "the predicted value"
        self.show_message(f"Test points on the training set's two principal axes, coloured "
                          f"by {what}" + (f"; {int(wrong.sum())} misclassified (red crosses)."
                                          if classification else "."))

    def _clear_samples(self) -> None:
        for text in self.labels:
            self.plot.removeItem(text)
        self.labels = []
        self.predicted.hide()
        view = self.plot.getViewBox()
        if view.yInverted():
            view.invertY(False)
        for side_name in ("left", "bottom"):
            if not self.plot.getAxis(side_name).isVisible():  # showing again redraws it
                self.plot.showAxis(side_name)

    # ------------------------------------------------------------ picking a sample
    def _plane(self) -> OutputView | None:
        """The view when the plot is the input plane (or the 1-input curve), else None."""
        if self._data is None:
            return None
        view = output_view(self._data.info)
        return view if view in (OutputView.BOUNDARY, OutputView.HEATMAP,
                                OutputView.CURVE) else None

    def _clicked(self, event) -> None:
        box = self.plot.getViewBox()
        if event.button() != Qt.MouseButton.LeftButton or event.double() or \
                self._plane() is None or not box.sceneBoundingRect().contains(event.scenePos()):
            return
        point = box.mapSceneToView(event.scenePos())
        self.clicked.emit(point.x(), point.y())

    def test_point_near(self, x: float, y: float, pixels: float = PICK_PIXELS) -> int | None:
        """The index of the test point drawn nearest (x, y), if within ``pixels``."""
        view, data = self._plane(), self._data
        if view is None or data is None or not len(data.x_test):
            return None
        xs = data.x_test[:, 0]
        ys = data.y_test[:, 0] if view is OutputView.CURVE else data.x_test[:, 1]
        width, height = self.plot.getViewBox().viewPixelSize()
        distance = np.hypot((xs - x) / (width or 1.0), (ys - y) / (height or 1.0))
        nearest = int(distance.argmin())
        return nearest if distance[nearest] <= pixels else None

    def features_at(self, x: float, y: float) -> list[float] | None:
        """The input features of a point of the plane: (x, y), or x for a curve."""
        view = self._plane()
        if view is None:
            return None
        return [x] if view is OutputView.CURVE else [x, y]

    def mark(self, features) -> None:
        """Mark the sample being traced (its two features) with a star; None
        (or a sample not on the input plane) marks nothing."""
        if features is None or len(features) != 2 or self._plane() not in (
                OutputView.BOUNDARY, OutputView.HEATMAP):
            self.picked.setData([])
            return
        self.picked.setData([float(features[0])], [float(features[1])])

    def has_image(self) -> bool:
        return self.image.image is not None
