"""Activation histograms: how each activation layer's outputs are spread.

One small plot per activation layer, over the training set. A ReLU unit
that outputs 0 for every sample is dead: it passes no gradient back and
never recovers, and the title counts them. Saturated Sigmoids pile up at 0
and 1, which is the vanishing gradient seen from the other side.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QGridLayout, QVBoxLayout

from ..plain_text import escape
from ..style import text_label
from .hub import ProbeView, error_text

MAX_LAYERS = 8
BAR, DEAD = "#0877BD", "#DC2626"


class HistogramPanel(ProbeView):
    def __init__(self, hub, document, parent=None) -> None:
        super().__init__(hub, "dock.histograms", "histograms", parent)
        self.setObjectName("histogramPanel")
        self.document = document
        self.plots: list[pg.PlotWidget] = []
        self.bars: list[pg.PlotDataItem] = []
        self.layers: list[dict] = []
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        self.caption = text_label("", "helpText")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.grid, 1)
        layout.addWidget(self.caption)

    def show_result(self, result) -> None:
        if result is None:
            self.layers = []
            self._ensure_plots(0)
            self.caption.setText("Train the network to see the outputs of each "
                                 "activation layer over the training set.")
            return
        if "error" in result:
            self.caption.setText(error_text(result))
            return
        self.layers = result["layers"][:MAX_LAYERS]
        if not self.layers:
            self._ensure_plots(0)
            self.caption.setText("This network has no activation layers: without them it is "
                                 "one linear map, whatever its depth.")
            return
        self._ensure_plots(len(self.layers))
        for plot, bars, layer in zip(self.plots, self.bars, self.layers, strict=True):
            self._draw(plot, bars, layer)
        dead = sum(layer["dead"] for layer in self.layers)
        self.caption.setText("How often each output value occurs over the training set; "
                             "outputs of exactly 0 are counted in the title, not drawn. "
                             + (f"{dead} dead units: they output 0 for every sample, so no "
                                "gradient reaches their weights." if dead else
                                "Dead units (0 for every sample) would show in red."))

    def _draw(self, plot: pg.PlotWidget, bars: pg.PlotDataItem, layer: dict) -> None:
        diagram = self.document.diagram
        block_id = layer["block_id"]
        name = diagram.block(block_id).name if block_id in diagram else block_id
        bars.setData(layer["edges"], layer["counts"], stepMode="center", fillLevel=0,
                     brush=pg.mkBrush(BAR + "AA"), pen=pg.mkPen(BAR))
        dead, units = layer["dead"], layer["units"]
        stats = [f"{layer['zeros'] / max(layer['values'], 1):.0%} zeros"] if layer["zeros"] \
            else []
        stats.append(f"<span style='color:{DEAD}'>{dead}/{units} dead</span>" if dead
                     else f"{units} units")
        # Two lines: the plots are narrow when a deep network has many layers.
        plot.setTitle(f"<b>{escape(name)}</b><br>{' · '.join(stats)}", size="8pt")

    def _ensure_plots(self, count: int) -> None:
        if len(self.plots) == count:
            return
        for plot in self.plots:
            self.grid.removeWidget(plot)
            plot.deleteLater()
        self.plots, self.bars = [], []
        columns = count if count <= 5 else (count + 1) // 2  # one row when it fits
        for index in range(count):
            plot = pg.PlotWidget()
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.setLabel("bottom", "output")
            plot.getAxis("left").setWidth(34)
            for side in ("left", "bottom"):  # counts and outputs as they are, no "×0.001"
                plot.getAxis(side).enableAutoSIPrefix(False)
            plot.setMinimumHeight(110)
            bars = plot.plot([], [])
            self.grid.addWidget(plot, index // columns, index % columns)
            self.plots.append(plot)
            self.bars.append(bars)
