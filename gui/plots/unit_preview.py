"""One unit's picture shown large in the Output plot, as Playground shows the
neuron under the mouse: the unit's output over the input plane takes the place
of the network's output, under the data points, until the mouse leaves it.

The plot keeps drawing its own output underneath; the preview only covers it,
so nothing of the run is lost when it goes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from .output import OutputPlot, values_image


class UnitPreview:
    def __init__(self, output: OutputPlot) -> None:
        self.output = output
        self.image = pg.ImageItem()
        self.image.setVisible(False)
        output.plot.addItem(self.image)
        # above the output's own picture, below the points (same z: stacking order)
        self.image.setZValue(output.image.zValue())
        self.image.stackBefore(output.test_points)
        self.title = pg.TextItem(color="#111827", anchor=(0, 0),
                                 fill=pg.mkBrush(255, 255, 255, 225))
        self.title.setParentItem(output.plot.getViewBox())  # fixed in the corner
        self.title.setPos(6, 4)
        self.title.setVisible(False)
        self.shown: str | None = None  # what is previewed: a key the caller chose

    def show(self, key: str, values: np.ndarray, bounds: tuple, title: str) -> None:
        """Cover the output with ``values`` (a map indexed [y, x] over ``bounds``)."""
        x0, x1, y0, y1 = bounds
        scale = float(np.abs(values).max()) if values.size else 1.0
        self.image.setImage(values_image(np.nan_to_num(values), scale), levels=(0, 255))
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.title.setText(title)  # a TextItem shows plain text
        self.shown = key
        self.image.setVisible(True)
        self.title.setVisible(True)

    def hide(self) -> None:
        self.shown = None
        self.image.setVisible(False)
        self.title.setVisible(False)
