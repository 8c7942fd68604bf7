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


MATRIX_SIDE = 300  # pixels a matrix picture spans at most: a large layer's cells shrink
CELL = (52, 24)  # the largest cell, wide and high: room for a number such as -0.42
NUMBERED = (34, 14)  # a cell at least this wide and high prints its number
TITLE = 18  # pixels above the cells for the matrix's name


def matrix_picture(values: np.ndarray, scale: float | None = None, title: str = "") -> QPixmap:
    """A matrix (rows, cols), a row per unit, as a picture to read: each cell as
    wide and high as the picture's bounds allow (never a strip a few pixels wide),
    coloured by its value, with its number when the cell has room; ``title`` above."""
    values = np.asarray(values, dtype=np.float64)
    matrix = values.reshape(values.shape[0], -1) if values.ndim else values.reshape(1, 1)
    rows, cols = matrix.shape
    rgb = diverging(matrix, scale)
    width = int(np.clip(MATRIX_SIDE // max(cols, 1), 3, CELL[0]))
    height = int(np.clip(MATRIX_SIDE // max(rows, 1), 3, CELL[1]))
    top = TITLE if title else 0
    pixmap = QPixmap(max(cols * width, 8 * len(title)) + 1, rows * height + top + 1)
    pixmap.fill(QColor("white"))
    painter = QPainter(pixmap)
    font = painter.font()
    font.setPixelSize(11)
    painter.setFont(font)
    if title:
        painter.setPen(QColor("#1F2933"))
        painter.drawText(QRectF(0, 0, pixmap.width(), top), Qt.AlignmentFlag.AlignLeft, title)
    numbered = width >= NUMBERED[0] and height >= NUMBERED[1]
    for r in range(rows):
        for c in range(cols):
            cell = QRectF(c * width, top + r * height, width, height)
            painter.fillRect(cell, QColor(*(int(v) for v in rgb[r, c])))
            if numbered:
                painter.setPen(QColor("#111827"))
                painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, short(matrix[r, c]))
    if width >= 8 and height >= 8:  # the grid, where cells are large enough to tell apart
        painter.setPen(QPen(QColor("#D1D5DB"), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for r in range(rows):
            for c in range(cols):
                painter.drawRect(QRectF(c * width, top + r * height, width, height))
    painter.end()
    return pixmap


def short(value: float) -> str:
    """A number in a few characters: -0.42, 0.0031 as 3.1e-03, 0 as 0."""
    if value == 0 or 0.01 <= abs(value) < 100:
        return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"
    return f"{value:.1e}"


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
