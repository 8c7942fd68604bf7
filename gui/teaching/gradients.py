"""Gradient norms per layer over time, on a log scale.

The vanishing-gradient lesson made visible: in a deep stack of Sigmoids
the first layers' curves sit orders of magnitude below the last layer's,
while a ReLU stack keeps them close. The training process records the
norms in the run's history (every epoch of a short run, evenly thinned in a
long one), so the view draws the whole run, even one that trained while it
was hidden.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from graph_engine.core import thinning
from graph_engine.core.epochs import EpochRow

from ..plain_text import escape
from ..plots import CLASS_COLOURS, LINE_WIDTH
from ..plots.grid import add_grid
from ..plots.ranges import EpochRange, SteadyRange, show_range
from ..style import text_label
from .hub import HistoryView

LEGEND_ROWS = 6
FLOOR = 1e-10  # a zero norm (a Step blocks every gradient) cannot sit on a log axis


def legend_html(entries: list[str], rows: int = LEGEND_ROWS) -> str:
    """Entries in columns of ``rows``, so a deep network's legend fits a short dock."""
    columns = [entries[i:i + rows] for i in range(0, len(entries), rows)]
    cells = "".join(f"<td style='padding-right:10px'>{'<br>'.join(c)}</td>" for c in columns)
    return f"<b>Layers, from the input</b><table><tr>{cells}</tr></table>"


class GradientPlot(HistoryView):
    def __init__(self, hub, document, parent=None) -> None:
        super().__init__(hub.controller, parent)
        self.setObjectName("gradientPlot")
        self.document = document
        self.series: dict[str, tuple[list, list]] = {}  # block id -> (epochs, norms)
        self._epoch_drawn = 0  # the last epoch of the rows drawn
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setLogMode(y=True)
        self.grid = add_grid(self.plot.getPlotItem())  # showGrid redraws the axes each frame
        item = self.plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.y_range = SteadyRange()
        self.y_range.reset(log=True)
        self.x_range = EpochRange()
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "norm (log)")
        self.plot.getAxis("left").enableAutoSIPrefix(False)  # no "(x0.001)" on a log axis
        self.curves: dict[str, pg.PlotDataItem] = {}
        # The legend sits beside the plot: inside a short dock it would hide the curves.
        self.legend = QLabel()
        self.legend.setObjectName("gradientLegend")
        self.legend.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.legend.setMinimumWidth(130)
        # Its values change at every frame: a label that resized with them would lay
        # out the plot beside it (and redraw its axes) every time.
        self.legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Ignored)
        self._legend_for: list[str] = []  # the layers the legend's width was set for
        self.caption = text_label("", "helpText")
        row = QHBoxLayout()
        row.addWidget(self.plot, 1)
        row.addWidget(self.legend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row, 1)
        layout.addWidget(self.caption)

    def add_rows(self, new: list[EpochRow], history: list[EpochRow]) -> None:
        """Add the new rows' norms; when the run's history thinned its older ones
        (:mod:`~graph_engine.core.thinning`), draw the rows it kept anew."""
        last = history[-1]["epoch"]
        if self._thinned_since(last):
            taught = self.controller.state.taught
            new = [history[i] for i in taught if i < len(history)]
            self.clear()
        self._epoch_drawn = last
        self._add(new)

    def _thinned_since(self, last: int) -> bool:
        """The history dropped norms this view drew: a longer stride, or the newest
        row of the last batch (kept while newest) off the stride."""
        drawn = self._epoch_drawn
        if not drawn or not self.series:
            return False
        return thinning.stride(last) != thinning.stride(drawn) or \
            not thinning.taught(drawn, last)

    def _add(self, new: list[EpochRow]) -> None:
        for row in new:
            norms = row.get("grad_norms")
            if norms is None:
                continue
            if set(norms) != set(self.series):
                self.clear()  # another network: cannot happen within a run, but be sure
                self.series = {b: ([], []) for b in norms}
            for block_id, norm in norms.items():
                epochs, values = self.series[block_id]
                epochs.append(row["epoch"])
                values.append(max(float(norm), FLOOR))
        if self.series:
            self.draw()

    def clear(self) -> None:
        self._epoch_drawn = 0  # the last epoch of the rows drawn
        for curve in self.curves.values():
            self.plot.removeItem(curve)
        self.legend.clear()
        self._legend_for = []
        self.curves, self.series = {}, {}
        self.y_range.reset()
        self.x_range = EpochRange()
        self.plot.getViewBox().enableAutoRange()
        self.caption.setText("Train the network to see how large the gradient is at each "
                             "layer: one curve per layer with weights, every epoch.")

    def _fit(self, values: list, last_epoch: float) -> None:
        """Round ranges that move rarely: a range refitted at every epoch redraws
        the axes at every frame."""
        for axis, shown in (("x", self.x_range.fit(last_epoch)),
                            ("y", self.y_range.fit(values))):
            if shown is not None:
                show_range(self.plot, axis, shown)

    def draw(self) -> None:
        diagram = self.document.diagram
        entries = []
        for index, (block_id, (epochs, values)) in enumerate(self.series.items()):
            colour = CLASS_COLOURS[index % len(CLASS_COLOURS)]
            curve = self.curves.get(block_id)
            if curve is None:
                curve = self.plot.plot([], [], pen=pg.mkPen(colour, width=LINE_WIDTH))
                self.curves[block_id] = curve
            curve.setData(np.asarray(epochs, dtype=float), np.asarray(values))
            name = diagram.block(block_id).name if block_id in diagram else block_id
            entries.append(f"<span style='color:{colour}'>━━</span> {index + 1}. "
                           f"{escape(name)} <span style='color:#6B7280'>{values[-1]:.2g}</span>")
        text = legend_html(entries)
        if text != self.legend.text():
            self.legend.setText(text)
            if self._legend_for != list(self.series):  # sized once per network
                self._legend_for = list(self.series)
                self.legend.setFixedWidth(max(130, self.legend.sizeHint().width() + 24))
        self._fit([values for _, values in self.series.values()],
                  max((epochs[-1] for epochs, _ in self.series.values() if epochs), default=0))
        zeros = any(min(v) <= FLOOR for _, v in self.series.values() if v)
        self.caption.setText("How strongly the loss pulls on each layer's weights. Curves far "
                             "below the last layer's: "
                             "the gradient vanishes on its way back, and those layers learn "
                             "slowly." + (" A norm of exactly 0 is drawn at 10⁻¹⁰." if zeros
                                          else ""))
