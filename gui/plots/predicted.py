"""Predicted against true values: the Output plot for a regression with more than
two inputs, where there is no input plane to colour.

Each test point sits at (its true value, the network's prediction), in the
target's own units, with the diagonal where a perfect prediction would put
it: points above it are predicted too high, below it too low. The engine's
probe (:func:`graph_engine.training.probes.predicted`) gives the values and R².
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

POINT = "#2563EB"
DIAGONAL = "#6B7280"
HINT = ("Press play: each test point appears here at its true value (across) and the value "
        "the network predicts (up), with the diagonal of a perfect prediction.")


class PredictedView:
    """The points and the diagonal, drawn into an Output plot's ``plot``."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self.plot = plot
        self.points = pg.ScatterPlotItem(size=7, brush=pg.mkBrush(POINT),
                                         pen=pg.mkPen("w", width=1), symbol="o")
        self.diagonal = pg.PlotDataItem(pen=pg.mkPen(DIAGONAL, width=1.5,
                                                     style=Qt.PenStyle.DashLine))
        self.shown = False

    def show(self, result: dict) -> str:
        """Draw ``result`` (the probe's); return the plot's caption."""
        true, pred = np.asarray(result["true"]), np.asarray(result["pred"])
        if not self.shown:
            for item in (self.diagonal, self.points):
                self.plot.addItem(item)
            self.plot.setLabel("bottom", "true value")
            self.plot.setLabel("left", "predicted value")
            self.shown = True
        self.points.setData(true, pred)
        finite = np.concatenate([true, pred])
        finite = finite[np.isfinite(finite)]
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        self.diagonal.setData([low, high], [low, high])
        self.plot.setRange(xRange=(low, high), yRange=(low, high), padding=0.05)
        r2 = result.get("r2")
        fit = f" R² on these test points: {r2:.3f}." if r2 is not None else ""
        return ("Each test point at its true value (across) and the network's prediction "
                "(up), in the target's own units; on the dashed diagonal the prediction is "
                f"right, above it too high, below it too low.{fit}")

    def hide(self) -> None:
        if self.shown:
            for item in (self.diagonal, self.points):
                self.plot.removeItem(item)
            self.shown = False
