"""The items of the Neuron View and where they go.

A unit is a square node showing its picture (:func:`~.heatmaps.paint_tile`); a
weight is a line from unit to unit, blue when positive and orange when negative,
as wide as it is large; a layer wider than the view draws shows "+N more".
:func:`layout` places the layers as columns across the view, as large as the
view allows: a layer too tall for one column wraps into several side by side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from .. import style
from .heatmaps import paint_tile

POSITIVE, NEGATIVE = QColor(8, 119, 189), QColor(245, 147, 34)  # as the output plot
LARGEST, SMALLEST = 96.0, 24.0  # pixels of a node's side
MARGIN, TITLE = 12.0, 20.0  # around the drawing; above each column for its name
HOVER_WIDTH = 9.0  # a thin line is hovered within this many pixels


@dataclass(frozen=True)
class Place:
    """Where one layer's units go: the centre of each slot (the units shown, then
    "+N more" when there is one), and the side of a node."""

    centres: list[QPointF]
    side: float
    title: QPointF


def layout(slots: list[int], width: float, height: float) -> list[Place]:
    """Each layer's slots placed in ``width`` × ``height`` pixels, left to right, at
    the largest node size that fits (SMALLEST at least)."""
    side = LARGEST
    while side > SMALLEST and _width(slots, side, height) > width - 2 * MARGIN:
        side -= 2
    rows = _rows(side, height)
    places, x = [], MARGIN
    for count in slots:
        columns = max(1, math.ceil(count / rows))
        per_column = math.ceil(count / columns)
        pitch = side * 1.25
        top = TITLE + MARGIN + (height - TITLE - 2 * MARGIN - per_column * pitch) / 2
        centres = [QPointF(x + (i // per_column) * pitch + side / 2,
                           top + (i % per_column) * pitch + side / 2) for i in range(count)]
        span = columns * pitch - side * 0.25
        places.append(Place(centres, side, QPointF(x + span / 2, MARGIN + TITLE / 2)))
        x += span + _gap(side)
    return places


def _rows(side: float, height: float) -> int:
    return max(1, int((height - TITLE - 2 * MARGIN + side * 0.25) // (side * 1.25)))


def _gap(side: float) -> float:
    """Room between two layers for their weight lines."""
    return max(2.4 * side, 70.0)


def _width(slots: list[int], side: float, height: float) -> float:
    rows = _rows(side, height)
    spans = [max(1, math.ceil(n / rows)) * side * 1.25 - side * 0.25 for n in slots]
    return sum(spans) + _gap(side) * (len(slots) - 1)


class NodeItem(QGraphicsItem):
    """One unit: its picture, its name, hover and tooltip."""

    def __init__(self, key: str, label: str, side: float, hovered) -> None:
        super().__init__()
        self.key, self.label, self.side = key, label, side
        self.image: QImage | None = None
        self.hovered = hovered  # called with (item, True/False)
        self.selected = False
        self.setAcceptHoverEvents(True)
        self.setZValue(2)  # over the weight lines

    def boundingRect(self) -> QRectF:
        return QRectF(-self.side / 2 - 1, -self.side / 2 - 1, self.side + 2, self.side + 2)

    def set_image(self, image: QImage | None, tip: str) -> None:
        self.image = image
        self.setToolTip(tip)
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        half = self.side / 2
        painter.setFont(style.ui_font(8))
        paint_tile(painter, QRectF(-half, -half, self.side, self.side), self.image,
                   self.label, self.selected)

    def hoverEnterEvent(self, event) -> None:
        self.selected = True
        self.update()
        self.hovered(self, True)

    def hoverLeaveEvent(self, event) -> None:
        self.selected = False
        self.update()
        self.hovered(self, False)


class MoreItem(QGraphicsItem):
    """The units of a layer that are not drawn, counted: "+N more"."""

    def __init__(self, more: int, side: float) -> None:
        super().__init__()
        self.more, self.side = more, side
        self.setZValue(2)
        self.setToolTip(f"{more} more units in this layer: the view draws the first "
                        "16 and their weights; the block view has them all.")

    def boundingRect(self) -> QRectF:
        return QRectF(-self.side / 2, -self.side / 2, self.side, self.side)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(QPen(QColor(style.TEXT_MUTED), 1, Qt.PenStyle.DashLine))
        painter.setBrush(QColor("#F9FAFB"))
        painter.drawRoundedRect(self.boundingRect().adjusted(1, 1, -1, -1), 6, 6)
        painter.setFont(style.ui_font(8 if self.side < 48 else 10, bold=True))
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, f"+{self.more}\nmore")


class WeightLine(QGraphicsPathItem):
    """One weight (or a one-to-one link of a merge), from unit to unit."""

    def __init__(self, start: QPointF, end: QPointF, key: tuple | None, hovered, clicked) -> None:
        super().__init__()
        path = QPainterPath(start)
        path.lineTo(end)
        self.setPath(path)
        self.key = key  # (dense block id, row, column); None for a link without a weight
        self.hovered, self.clicked = hovered, clicked
        self.value = 0.0
        self.setZValue(0)
        if key is None:
            self.setPen(QPen(QColor("#9CA3AF"), 1.2, Qt.PenStyle.DashLine))
            return
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.set_weight(0.0)

    def set_weight(self, value: float) -> None:
        """Blue for a positive weight, orange for a negative one, as wide as it is large."""
        self.value = value
        colour = QColor(POSITIVE if value >= 0 else NEGATIVE)
        colour.setAlpha(220)
        self.setPen(QPen(colour, line_width(value), Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(max(HOVER_WIDTH, self.pen().widthF()))
        return stroker.createStroke(self.path())

    def hoverEnterEvent(self, event) -> None:
        self.setZValue(1)
        self.hovered(self, True)

    def hoverLeaveEvent(self, event) -> None:
        self.setZValue(0)
        self.hovered(self, False)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked(self)
            event.accept()


def line_width(value: float) -> float:
    """Pixels for a weight of ``value``: 0.5 for none, growing with |w| to 8."""
    return min(0.5 + 2.5 * abs(value), 8.0) if math.isfinite(value) else 8.0
