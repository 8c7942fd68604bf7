"""Drawing small heatmaps: the diverging colours and a cheap image tile.

Colours follow TensorFlow Playground and the output plot: orange below
zero, white at zero, blue above. A tile paints a QImage, so a layer's
sixteen unit maps cost sixteen image blits, not sixteen plot widgets; every
view of units paints its tiles with :func:`paint_tile`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from ..plots.output import values_image


def diverging(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """(rows, cols) values -> (rows, cols, 3) uint8; ``scale`` maps to full colour
    (default: the largest magnitude, so the map's shape always shows)."""
    values = np.nan_to_num(np.asarray(values, dtype=np.float64))
    if scale is None:
        scale = float(np.abs(values).max()) if values.size else 1.0
    return np.ascontiguousarray(values_image(values, scale).transpose(1, 0, 2))


def cell_colour(value: float, scale: float) -> QColor:
    """The colour of one number against ``scale``, as a heatmap draws it."""
    rgb = diverging(np.array([[value]]), scale)[0, 0]
    return QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]))


HEATMAP = 120  # pixels of a small matrix heatmap's longer side


def heatmap(values: np.ndarray, scale: float | None = None) -> QPixmap:
    """A matrix (rows, cols) as a picture, each cell a square of a few pixels."""
    values = np.asarray(values, dtype=np.float64)
    rgb = np.ascontiguousarray(diverging(values.reshape(values.shape[0], -1) if values.ndim
                                         else values.reshape(1, 1), scale))
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
    factor = max(1, HEATMAP // max(width, height))
    return QPixmap.fromImage(image).scaled(width * factor, height * factor)


def plane_image(values: np.ndarray, scale: float | None = None) -> QImage:
    """A map indexed [y, x] with y upwards, as an image with y upwards."""
    rgb = np.ascontiguousarray(diverging(values, scale)[::-1])
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class Tile(QWidget):
    """One unit's map, hoverable and clickable."""

    hovered = Signal(int)

    def __init__(self, index: int, size: int = 72, parent=None) -> None:
        super().__init__(parent)
        self.index = index
        self.image: QImage | None = None
        self.selected = False
        self.setFixedSize(QSize(size, size))
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_image(self, image: QImage, tip: str) -> None:
        self.image = image
        self.setToolTip(tip)
        self.update()

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    def enterEvent(self, event) -> None:
        super().enterEvent(event)
        self.hovered.emit(self.index)

    def mousePressEvent(self, event) -> None:
        self.hovered.emit(self.index)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        paint_tile(painter, QRectF(self.rect()).adjusted(1, 1, -1, -1), self.image,
                   str(self.index + 1), self.selected)
        painter.end()


SELECTED, BORDER = "#2563EB", "#CBD2DC"


def paint_tile(painter: QPainter, rect: QRectF, image: QImage | None, label: str = "",
               selected: bool = False) -> None:
    """One unit's picture as every view draws it (the selected block's tiles, the
    neurons on the canvas, the Neuron View): the map, a frame, and its name on a
    white chip, readable over any colour."""
    if image is not None:
        painter.drawImage(rect, image)
    else:  # no picture yet (or no input plane): a quiet grey square
        painter.fillRect(rect, QColor("#F3F4F6"))
    painter.setPen(QPen(QColor(SELECTED if selected else BORDER), 2 if selected else 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect)
    if not label or rect.height() < 20:
        return
    chip = QRectF(rect.left() + 2, rect.top() + 2,
                  painter.fontMetrics().horizontalAdvance(label) + 6, 14)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 215))
    painter.drawRoundedRect(chip, 3, 3)
    painter.setPen(QColor("#1F2933"))
    painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
