"""Numbers on wires: a small tag at each wire's middle, under its shape label.

The Backprop dock uses it while it steps through one sample: forward, the
values a wire carries; backward, the gradient it carries. The tags are items
of their own, added to the scene beside the wires (the wires themselves are
not changed); :meth:`WireValues.place` puts them back at their wires' middles
after blocks moved.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from .. import style
from .items import LABEL_POINTS

GAP = 4.0  # pixels between the wire and the tag under it


class ValueTag(QGraphicsItem):
    """A rounded tag with one line of text on a colour (the value's sign and size)."""

    def __init__(self, text: str, colour: QColor) -> None:
        super().__init__()
        self.text, self.colour = text, colour
        self.font = style.ui_font(LABEL_POINTS)
        width = QFontMetricsF(self.font).horizontalAdvance(text)
        height = QFontMetricsF(self.font).height()
        self.rect = QRectF(0, 0, width + 10, height + 4)
        self.setZValue(5)  # above the wires and the blocks they pass
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go to the canvas

    def boundingRect(self) -> QRectF:
        return self.rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(style.GRID_MAJOR).darker(130), 1))
        painter.setBrush(self.colour)
        painter.drawRoundedRect(self.rect, 5, 5)
        painter.setPen(QColor(style.TEXT))
        painter.setFont(self.font)
        painter.drawText(self.rect, Qt.AlignmentFlag.AlignCenter, self.text)


class WireValues:
    """The tags on the wires of one scene, by wire."""

    def __init__(self, scene) -> None:
        self.scene = scene  # a DiagramScene: its ``wires`` maps Wire -> WireItem
        self.tags: dict[object, ValueTag] = {}

    def show(self, labels: dict) -> None:
        """Tag each wire of ``labels`` (Wire -> (text, colour)); untag the others."""
        self.clear()
        for wire, (text, colour) in labels.items():
            if wire in self.scene.wires:
                tag = ValueTag(text, colour)
                self.scene.addItem(tag)
                self.tags[wire] = tag
        self.place()

    def place(self) -> None:
        """Each tag centred under its wire's middle; a tag whose wire went, gone."""
        for wire, tag in list(self.tags.items()):
            item = self.scene.wires.get(wire)
            if item is None:
                self.scene.removeItem(tag)
                del self.tags[wire]
                continue
            middle = item.path().pointAtPercent(0.5)
            tag.setPos(QPointF(middle.x() - tag.rect.width() / 2, middle.y() + GAP))

    def clear(self) -> None:
        for tag in self.tags.values():
            if shiboken6.isValid(tag) and tag.scene() is self.scene:  # a rebuild deletes them
                self.scene.removeItem(tag)
        self.tags = {}

    def texts(self) -> dict:
        """Wire -> the text on its tag (what the student reads)."""
        return {wire: tag.text for wire, tag in self.tags.items()}
