"""Inside the network: what each unit of the selected layer computes.

For two-input data sets every unit's output is a function of the point
(x1, x2), so it can be drawn as a small map over the input plane, as
TensorFlow Playground draws its neurons: the first layer's units are
straight edges, later ones combine them into curves. Hovering a tile shows
it large. The maps come from the ``units`` probe, live while training.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout

from ..plain_text import escape
from ..style import text_label as _label
from .heatmaps import Tile, diverging, plane_image
from .hub import ProbeView, error_text

COLUMNS = 4
RESOLUTION = 40
MAX_UNITS = 16
TILE = 40  # pixels: four rows of tiles beside the large map, in a dock 310 pixels tall


class UnitMaps(ProbeView):
    def __init__(self, hub, block, parent=None) -> None:
        super().__init__(hub, "inspector.units", "units", parent, block_id=block.id,
                         resolution=RESOLUTION, max_units=MAX_UNITS)
        self.setObjectName("unitMaps")
        self.setMinimumWidth(COLUMNS * (TILE + 4) + 230)
        self.block_id = block.id
        self.maps: np.ndarray | None = None
        self.current = 0
        self.tiles: list[Tile] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(_label("<b>Inside the network</b>", "sectionTitle", rich=True))
        self.note = _label("")
        layout.addWidget(self.note)
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        row = QHBoxLayout()
        row.addLayout(self.grid)
        self.large = self._large_plot()
        row.addWidget(self.large, 0, Qt.AlignmentFlag.AlignTop)
        row.addStretch(1)
        layout.addLayout(row)
        self.caption = _label("")
        layout.addWidget(self.caption)
        self.large.setVisible(False)

    def _large_plot(self) -> pg.PlotWidget:
        plot = pg.PlotWidget()
        plot.setFixedSize(200, 180)  # square plane plus axes: no stretched pixels
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.setAspectLocked(True)
        plot.setLabel("bottom", "x1")
        plot.setLabel("left", "x2")
        self.image = pg.ImageItem()
        plot.addItem(self.image)
        return plot

    # ------------------------------------------------------------ results
    def _block_name(self) -> str:
        """Looked up when drawn: the block may have been renamed since."""
        diagram = self.hub.controller.document.diagram
        return diagram.block(self.block_id).name if self.block_id in diagram else ""

    def show_result(self, result) -> None:
        if result is None:
            self._message("Press Step or Play: each unit's output over the input plane "
                          "appears here, updating while the network trains.")
            return
        if result.get("block_id") != self.block_id:
            return
        if "error" in result or "note" in result:
            self._message(error_text(result) if "error" in result else result["note"])
            return
        self.maps, self.bounds, self.units = result["maps"], result["bounds"], result["units"]
        shown = len(self.maps)
        more = f" (the first {shown} of {self.units})" if self.units > shown else ""
        self.note.setText(f"Each unit of {self._block_name()}{more} over the input plane "
                          "(blue +, orange −); hover a tile.")
        self._ensure_tiles(shown)
        for index, tile in enumerate(self.tiles):
            values = self.maps[index]
            tile.set_image(plane_image(values), f"unit {index + 1}: from "
                           f"{values.min():.3g} to {values.max():.3g}")
        self.show_unit(min(self.current, shown - 1))

    def _message(self, text: str) -> None:
        self.maps = None
        self.note.setText(text)
        self._ensure_tiles(0)
        self.large.setVisible(False)
        self.caption.setText("")

    def _ensure_tiles(self, count: int) -> None:
        if len(self.tiles) == count:
            return
        for tile in self.tiles:
            self.grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = []
        for index in range(count):
            tile = Tile(index, TILE)
            tile.hovered.connect(self.show_unit)
            self.grid.addWidget(tile, index // COLUMNS, index % COLUMNS)
            self.tiles.append(tile)

    def show_unit(self, index: int) -> None:
        """Show unit ``index`` large (what hovering a tile does)."""
        if self.maps is None or not 0 <= index < len(self.maps):
            return
        self.current = index
        for tile in self.tiles:
            tile.set_selected(tile.index == index)
        values = self.maps[index]
        x0, x1, y0, y1 = self.bounds
        self.image.setImage(diverging(values).transpose(1, 0, 2), levels=(0, 255))
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.large.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.large.setTitle(f"{escape(self._block_name())} · unit {index + 1}", size="9pt")
        self.large.setVisible(True)
        self.caption.setText(f"Output from {values.min():.3g} to {values.max():.3g}.")
