"""The inspector's weight heatmap: a Linear layer's W and b, live.

Row i of W holds the weights unit i gives each input; the bias is drawn as
one more column, apart. Blue is positive, orange negative, as elsewhere.
Small matrices also print their numbers.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QVBoxLayout

from ..style import text_label as _label
from .heatmaps import diverging
from .hub import ProbeView, error_text

MAX_LABELLED = 64  # cells; beyond this the numbers would not be readable
MAX_LABELLED_ROWS = 10  # units: more, and each row is too thin for its numbers
MAX_LABELLED_COLUMNS = 7  # columns, the bias's included: more, and the numbers overlap
GAP = 0.4  # between W and the bias column, in cells


def layer_shape(document, block) -> tuple[int, int, bool] | None:
    """(units, inputs, has a bias) of a dense layer's weights, as the analysis
    and the registry know them before any weights exist; None while unknown."""
    a = document.analysis
    rows = a.features.get(block.id) if a is not None else None
    cols = a.input_features(block.id) if a is not None else None
    if not rows or not cols:
        return None
    return rows, cols, block.spec.param_count(block.params, cols) > rows * cols


class WeightMap(ProbeView):
    def __init__(self, hub, block, shape: tuple[int, int, bool] | None = None,
                 parent=None) -> None:
        super().__init__(hub, "inspector.weights", "weights", parent, block_id=block.id)
        self.setObjectName("weightMap")
        self.setMinimumWidth(280)
        self.block_id = block.id
        self.shape = shape  # the layer's size: the axes fit it before the weights arrive
        self.weight: np.ndarray | None = None
        self.bias: np.ndarray | None = None
        self.texts: list[pg.TextItem] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(_label("<b>Weights</b>", "sectionTitle", rich=True))
        self.plot = pg.PlotWidget()
        self.plot.setFixedHeight(180)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setLabel("bottom", "input")
        self.plot.setLabel("left", "unit")
        self.plot.getViewBox().invertY(True)  # unit 1 on top, as the matrix is written
        self.image = pg.ImageItem()
        self.bias_image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.plot.addItem(self.bias_image)
        layout.addWidget(self.plot)
        self.caption = _label("")
        layout.addWidget(self.caption)

    def show_result(self, result) -> None:
        if result is None:
            self.weight = self.bias = None
            self.image.clear()
            self.bias_image.clear()
            self._numbers(np.zeros((0, 0)), None)
            if self.shape is not None:
                self._frame(*self.shape)
            self.caption.setText("Press Step or Play to see the weights; they update "
                                 "while the network trains.")
            return
        if result.get("block_id") != self.block_id:
            return
        if "error" in result:
            self.caption.setText(error_text(result))
            return
        self.draw(result["weight"], result.get("bias"))

    def draw(self, weight: np.ndarray, bias: np.ndarray | None) -> None:
        self.weight, self.bias = weight, bias
        rows, cols = weight.shape
        scale = float(max(np.abs(weight).max(), np.abs(bias).max() if bias is not None else 0))
        scale = scale or 1.0
        # ImageItem reads [x, y]: columns are inputs, rows are units.
        self.image.setImage(diverging(weight, scale).transpose(1, 0, 2), levels=(0, 255))
        self.image.setRect(QRectF(0, 0, cols, rows))
        if bias is not None:
            self.bias_image.setImage(diverging(bias[:, None], scale).transpose(1, 0, 2),
                                     levels=(0, 255))
            self.bias_image.setRect(QRectF(cols + GAP, 0, 1, rows))
        self.bias_image.setVisible(bias is not None)
        self.shape = (rows, cols, bias is not None)
        self._frame(*self.shape)
        self._numbers(weight, bias)
        self.caption.setText(f"W is {rows} × {cols}: row i holds the weights unit i gives "
                             "each input" + (", and the last column is the bias b" if bias
                                             is not None else "") +
                             f". Colour scale ±{scale:.3g}.")

    def _frame(self, rows: int, cols: int, has_bias: bool) -> None:
        """Axes for a layer of ``rows`` units and ``cols`` inputs: every cell in view."""
        self._ticks(rows, cols, has_bias)
        width = cols + (1 + GAP if has_bias else 0)
        self.plot.setRange(xRange=(0, width), yRange=(0, rows), padding=0.02)

    def _ticks(self, rows: int, cols: int, has_bias: bool) -> None:
        step_x, step_y = max(1, cols // 12), max(1, rows // 12)
        bottom = [(i + 0.5, str(i + 1)) for i in range(0, cols, step_x)]
        if has_bias:
            bottom.append((cols + GAP + 0.5, "b"))
        self.plot.getAxis("bottom").setTicks([bottom])
        self.plot.getAxis("left").setTicks([[(i + 0.5, str(i + 1))
                                             for i in range(0, rows, step_y)]])

    def _numbers(self, weight: np.ndarray, bias: np.ndarray | None) -> None:
        rows, cols = weight.shape
        cells = [(c + 0.5, r + 0.5, weight[r, c]) for r in range(rows) for c in range(cols)]
        if bias is not None:
            cells += [(cols + GAP + 0.5, r + 0.5, bias[r]) for r in range(rows)]
        columns = cols + (1 if bias is not None else 0)
        if len(cells) > MAX_LABELLED or rows > MAX_LABELLED_ROWS or \
                columns > MAX_LABELLED_COLUMNS:
            cells = []
        if len(cells) != len(self.texts):  # reuse the items while training: same count
            for text in self.texts:
                self.plot.removeItem(text)
            self.texts = [pg.TextItem(color="#111827", anchor=(0.5, 0.5)) for _ in cells]
            for text in self.texts:
                self.plot.addItem(text)
        for text, (x, y, value) in zip(self.texts, cells, strict=True):
            text.setText(f"{value:.2f}")
            text.setPos(x, y)
