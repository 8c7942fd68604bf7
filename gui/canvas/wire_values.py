"""Numbers on wires: a small tag at each wire's middle, under its shape label.

The Backprop dock uses it while it steps through one sample: forward, the
values a wire carries; backward, the gradient it carries. The tags are items
of their own, added to the scene beside the wires (the wires themselves are
not changed); :meth:`WireValues.place` puts them back at their wires' middles
after blocks moved. A tag that would cover a block (a short wire between
two blocks side by side) goes under the blocks, with a dotted line up to
its wire.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from .. import style
from .items import LABEL_POINTS

GAP = 4.0  # pixels between the wire and the tag under it
SHIFTS = (0.0, 0.6, -0.6, 1.1, -1.1)  # sideways tries, in tag widths, before going lower


class ValueTag(QGraphicsItem):
    """A rounded tag with one line of text on a colour (the value's sign and size)."""

    def __init__(self, text: str, colour: QColor) -> None:
        super().__init__()
        self.text, self.colour = text, colour
        self.font = style.ui_font(LABEL_POINTS)
        width = QFontMetricsF(self.font).horizontalAdvance(text)
        height = QFontMetricsF(self.font).height()
        self.rect = QRectF(0, 0, width + 10, height + 4)
        self.leader = QPointF(self.rect.width() / 2, 0)  # its wire's middle, in tag coordinates
        self.setZValue(5)  # above the wires and the blocks they pass
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go to the canvas

    def set_leader(self, wire_middle: QPointF) -> None:
        self.prepareGeometryChange()
        self.leader = wire_middle

    def _leader_end(self) -> QPointF:
        """Where the dotted line to the wire leaves the tag: its top edge."""
        return QPointF(min(max(self.leader.x(), 6.0), self.rect.width() - 6.0), 0)

    def boundingRect(self) -> QRectF:
        line = QRectF(self.leader, self._leader_end()).normalized()
        return self.rect.united(line).adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.leader.y() < -GAP - 1:  # the tag had to move away from its wire
            painter.setPen(QPen(QColor(style.TEXT_MUTED), 1, Qt.PenStyle.DotLine))
            painter.drawLine(self.leader, self._leader_end())
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
            if item is None or not shiboken6.isValid(tag):  # the wire went, or a rebuild
                if shiboken6.isValid(tag):
                    self.scene.removeItem(tag)
                del self.tags[wire]
                continue
            middle = item.path().pointAtPercent(0.5)
            spot = self._free_spot(tag, middle)
            tag.setPos(spot)
            tag.set_leader(middle - spot)

    def _free_spot(self, tag: ValueTag, middle: QPointF) -> QPointF:
        """The tag's top left: under the wire's middle, else a little to a side,
        else further down past what covers it (blocks, shape labels, other tags)."""
        obstacles = self._obstacles(tag)
        width, top = tag.rect.width(), middle.y() + GAP
        for _ in range(len(obstacles) + 1):  # each move down passes one obstacle at least
            below: list[QRectF] = []
            for shift in SHIFTS:
                left = middle.x() - width / 2 + shift * width
                covered = [r for r in obstacles if r.intersects(tag.rect.translated(left, top))]
                if not covered:
                    return QPointF(left, top)
                below = below or covered  # the place right under the middle
            top = max(r.bottom() for r in below) + GAP
        return QPointF(middle.x() - width / 2, top)

    def _obstacles(self, tag: ValueTag) -> list[QRectF]:
        rects = [b.sceneBoundingRect() for b in self.scene.blocks.values()]
        rects += [w.label.sceneBoundingRect() for w in self.scene.wires.values()
                  if w.label.text()]
        placed = list(self.tags.values())
        rects += [t.rect.translated(t.pos()) for t in placed[:placed.index(tag)]]
        return rects

    def clear(self) -> None:
        for tag in self.tags.values():
            if shiboken6.isValid(tag) and tag.scene() is self.scene:  # a rebuild deletes them
                self.scene.removeItem(tag)
        self.tags = {}

    def texts(self) -> dict:
        """Wire -> the text on its tag (what the student reads)."""
        return {wire: tag.text for wire, tag in self.tags.items()}
