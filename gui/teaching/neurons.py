"""Neurons on the canvas, as TensorFlow Playground draws them: under every
activation block, a small live map per unit of its output over the input
plane (blue positive, orange negative), updating while the network trains.
Large layers show their first units and "+10 more". View → Neuron View
draws the whole network this way, unit by unit.

View → Neurons on Canvas turns them on and off; the ``neurons`` probe runs
only while they are on, and a new run clears them (the run identity the
other views compare against).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

from .. import style
from ..canvas.scene import DiagramScene
from ..canvas.view import CanvasView
from .heatmaps import paint_tile, plane_image
from .hub import ProbeHub
from .overlay import RunOverlay

TILE, GAP = 28.0, 4.0  # scene units: a unit's map, and the room between two
MORE = 64.0  # room for "+10 more" after the tiles
SHOWN = 6  # units drawn per block; the rest are counted
PROBE = "canvas.neurons"


class NeuronStrip(QGraphicsItem):
    """The units of one block, in a row under it."""

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.setPos(0, style.BLOCK_HEIGHT + 8)
        self.images: list[QImage] = []
        self.more = 0
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_maps(self, maps: np.ndarray, units: int) -> None:
        self.prepareGeometryChange()  # "+N more" widens it
        self.images = [plane_image(m) for m in maps[:SHOWN]]
        self.more = max(units - len(self.images), 0)
        lows = [f"{m.min():.2g}…{m.max():.2g}" for m in maps[:SHOWN]]
        self.setToolTip("Each unit's output over the input plane (blue +, orange −): "
                        + ", ".join(f"unit {i + 1} {r}" for i, r in enumerate(lows)))
        self.update()

    def boundingRect(self) -> QRectF:
        width = max(style.BLOCK_WIDTH, len(self.images) * (TILE + GAP) + (MORE if self.more
                                                                            else 0))
        return QRectF(0, 0, width, TILE + 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        for index, image in enumerate(self.images):
            paint_tile(painter, QRectF(index * (TILE + GAP), 0, TILE, TILE), image)
        if self.more:  # beside the tiles, never cut off by the block's width
            painter.setPen(QColor(style.TEXT_MUTED))
            painter.setFont(style.ui_font(9))
            x = len(self.images) * (TILE + GAP)
            painter.drawText(QRectF(x, 0, MORE, TILE),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             f"+{self.more} more")


class CanvasNeurons(RunOverlay):
    probe, probe_fn = PROBE, "neurons"
    probe_args: ClassVar[dict] = {"resolution": 24, "max_units": SHOWN}

    def __init__(self, hub: ProbeHub, scene: DiagramScene, view: CanvasView) -> None:
        self.strips: dict[str, NeuronStrip] = {}
        self.scene, self.view = scene, view
        super().__init__(hub, scene, "&Neurons on Canvas", "Ctrl+Shift+N",
                         "Show each unit of the activation blocks as a small map of its "
                         "output over the input plane, as it trains")

    def clear(self) -> None:
        for strip in self.strips.values():
            _remove(strip)
        self.strips = {}

    def draw(self, result: dict) -> None:
        maps = result.get("maps", {})
        for block_id in list(self.strips):
            strip = self.strips[block_id]
            if block_id not in maps or not shiboken6.isValid(strip):
                _remove(self.strips.pop(block_id))
        added = False
        for block_id, block_maps in maps.items():
            item = self.scene.blocks.get(block_id)
            if item is None:
                continue
            shown = self.strips.get(block_id)
            if shown is None or shown.parentItem() is not item:
                _remove(shown)
                shown = self.strips[block_id] = NeuronStrip(item)
                added = True
            shown.set_maps(block_maps, result["units"][block_id])
        if added:  # the drawing grew: a view showing all of it keeps showing all of it
            self.view.refit()


def _remove(strip: NeuronStrip | None) -> None:
    """Take a strip off the canvas, unless its block (and it) are gone already."""
    if strip is not None and shiboken6.isValid(strip) and strip.scene() is not None:
        strip.scene().removeItem(strip)
