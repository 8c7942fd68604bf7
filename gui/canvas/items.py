"""Graphics items for blocks, ports and wires. They draw; they hold no truth.

A :class:`BlockItem` shows one block of the diagram; its position, name and
parameters are read from the Diagram and written back only through undo
commands (the scene turns a finished drag into one Move command).
"""

from __future__ import annotations

from typing import Protocol, cast

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsSimpleTextItem,
    QStyleOptionGraphicsItem,
)

from graph_engine.blocks.registry import PortKind, PortSpec
from graph_engine.core.diagnostics import Severity

from .. import style

BLOCK_POINTS = 12.0  # a block's text: 11 px or more on screen at 70 % zoom
LABEL_POINTS = 10.5  # wire shapes and port names

INPUT_SIDE, OUTPUT_SIDE = "input", "output"


class CanvasScene(Protocol):
    """What the items ask of the scene they are drawn in (the DiagramScene)."""

    def start_wire(self, port: PortItem, pos: QPointF) -> None: ...

    def dragging(self, block_id: str) -> bool: ...


class PortItem(QGraphicsItem):
    """A port on a block's edge; named on hover, highlighted while wiring."""

    def __init__(self, block_item: BlockItem, spec: PortSpec, side: str) -> None:
        super().__init__(block_item)
        self.block_item, self.spec, self.side = block_item, spec, side
        self.hovered = False
        self.highlight = False  # a compatible target while a wire is dragged
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(self._tooltip())
        self.label = QGraphicsSimpleTextItem(spec.name, self)
        self.label.setFont(style.ui_font(LABEL_POINTS))
        self.label.setBrush(QColor(style.TEXT_MUTED))
        self.label.setVisible(False)
        width = self.label.boundingRect().width()
        self.label.setPos(-width - 10 if side == INPUT_SIDE else 10, -18)

    @property
    def block_id(self) -> str:
        return self.block_item.block_id

    def _tooltip(self) -> str:
        kind = "labels" if self.spec.kind == PortKind.TARGET else "N × features"
        help_text = f"<br>{self.spec.help}" if self.spec.help else ""
        return f"<b>{self.spec.name}</b> ({self.side}, {kind}){help_text}"

    def boundingRect(self) -> QRectF:
        r = style.PORT_RADIUS + 4
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self.boundingRect())
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        r = style.PORT_RADIUS + (2 if self.hovered or self.highlight else 0)
        fill = QColor(style.PORT_HIGHLIGHT) if self.highlight else QColor(style.BLOCK_FILL)
        if self.spec.kind == PortKind.TARGET and not self.highlight:
            fill = QColor("#FDE7EC")
        painter.setPen(QPen(style.category_colour(self.block_item.category), 2))
        painter.setBrush(fill)
        painter.drawEllipse(QPointF(0, 0), r, r)

    def scene_anchor(self) -> QPointF:
        return self.mapToScene(QPointF(0, 0))

    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        self.label.setVisible(True)
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.label.setVisible(self.highlight)
        self.update()

    def set_highlight(self, on: bool) -> None:
        if on != self.highlight:
            self.highlight = on
            self.label.setVisible(on or self.hovered)
            self.update()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            cast(CanvasScene, self.scene()).start_wire(self, event.scenePos())
            event.accept()
        else:
            super().mousePressEvent(event)


class BlockItem(QGraphicsItem):
    """One block: a rounded card with a coloured header and its ports."""

    def __init__(self, block) -> None:
        super().__init__()
        self.block_id = block.id
        self.category = block.spec.category
        self.title, self.name, self.detail = "", "", ""
        self.severity: Severity | None = None
        self.locked = False  # fixed by an exercise: a padlock in the header
        self.wires: list[WireItem] = []
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.inputs = self._make_ports(block.spec.inputs, INPUT_SIDE)
        self.outputs = self._make_ports(block.spec.outputs, OUTPUT_SIDE)
        self.refresh(block)
        self.setPos(*block.position)

    def _make_ports(self, specs, side: str) -> dict[str, PortItem]:
        ports = {}
        x = 0 if side == INPUT_SIDE else style.BLOCK_WIDTH
        for index, spec in enumerate(specs):
            port = PortItem(self, spec, side)
            step = style.BLOCK_HEIGHT / (len(specs) + 1)
            port.setPos(x, step * (index + 1) if len(specs) > 1 else style.BLOCK_HEIGHT / 2)
            ports[spec.name] = port
        return ports

    def port(self, side: str, name: str) -> PortItem:
        return (self.inputs if side == INPUT_SIDE else self.outputs)[name]

    def refresh(self, block, param_count: int | None = None) -> None:
        """Re-read the texts from the block (after params or name changed)."""
        self.title = block.label  # elided to the header's width when painted
        self.name = block.name
        if param_count is not None:
            self.detail = "no parameters" if param_count == 0 else _count_text(param_count)
        self.update()

    def set_problems(self, severity: Severity | None, tooltip: str) -> None:
        self.severity = severity
        self.setToolTip(tooltip)
        self.update()

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-4, -4, style.BLOCK_WIDTH + 8, style.BLOCK_HEIGHT + 8)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, style.BLOCK_WIDTH, style.BLOCK_HEIGHT), 7, 7)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(0, 0, style.BLOCK_WIDTH, style.BLOCK_HEIGHT)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 22))
        painter.drawRoundedRect(rect.translated(0, 2), 7, 7)
        painter.setBrush(QColor(style.BLOCK_FILL))
        painter.setPen(QPen(QColor(style.BLOCK_BORDER), 1))
        painter.drawRoundedRect(rect, 7, 7)
        self._paint_header(painter, rect)
        self._paint_texts(painter, rect)
        self._paint_outline(painter, rect)

    def _paint_header(self, painter: QPainter, rect: QRectF) -> None:
        header = QPainterPath()
        header.addRoundedRect(QRectF(0, 0, rect.width(), style.HEADER_HEIGHT), 7, 7)
        square = QPainterPath()
        square.addRect(QRectF(0, style.HEADER_HEIGHT / 2, rect.width(), style.HEADER_HEIGHT / 2))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.category_colour(self.category))
        painter.drawPath(header.united(square))
        painter.setPen(QColor("#FFFFFF"))
        painter.setFont(style.ui_font(BLOCK_POINTS, bold=True))
        room = rect.width() - (44 if self.locked else 20)
        _draw_elided(painter, QRectF(10, 0, room, style.HEADER_HEIGHT), self.title)
        if self.locked:
            _paint_padlock(painter, QPointF(rect.width() - 22, style.HEADER_HEIGHT / 2))

    def _paint_texts(self, painter: QPainter, rect: QRectF) -> None:
        painter.setPen(QColor(style.TEXT))
        painter.setFont(style.ui_font(BLOCK_POINTS))
        top = style.HEADER_HEIGHT + 4
        _draw_elided(painter, QRectF(10, top, rect.width() - 20, 26), self.name)
        painter.setPen(QColor(style.TEXT_MUTED))
        painter.setFont(style.ui_font(BLOCK_POINTS - 1))
        _draw_elided(painter, QRectF(10, top + 26, rect.width() - 20, 24), self.detail)

    def _paint_outline(self, painter: QPainter, rect: QRectF) -> None:
        colour = None
        if self.severity in style.SEVERITY_COLOURS and self.severity != Severity.HINT:
            colour = QColor(style.SEVERITY_COLOURS[self.severity])
        if self.isSelected():
            colour = QColor(style.SELECTION)
        if colour is None:
            return
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(colour, 2.5))
        painter.drawRoundedRect(rect.adjusted(-1.5, -1.5, 1.5, 1.5), 8, 8)
        if self.isSelected() and self.severity in (Severity.ERROR, Severity.WARNING):
            painter.setPen(QPen(QColor(style.SEVERITY_COLOURS[self.severity]), 2,
                                Qt.PenStyle.DashLine))
            painter.drawRoundedRect(rect.adjusted(-4, -4, 4, 4), 10, 10)

    def itemChange(self, change, value):
        scene = self.scene()
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and \
                scene is not None and cast(CanvasScene, scene).dragging(self.block_id):
            return snapped(value)  # a hand drag snaps; the model's own positions stay exact
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for wire in self.wires:
                wire.update_path()
        return super().itemChange(change, value)


def _paint_padlock(painter: QPainter, centre: QPointF) -> None:
    """A white padlock, 12 px wide, centred on ``centre``."""
    painter.setPen(QPen(QColor("#FFFFFF"), 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(centre.x() - 4, centre.y() - 9, 8, 10), 0, 180 * 16)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#FFFFFF"))
    painter.drawRoundedRect(QRectF(centre.x() - 6, centre.y() - 3, 12, 10), 2, 2)


def snapped(point: QPointF) -> QPointF:
    """The nearest point of the half grid: where a dragged or added block lands."""
    step = style.GRID_STEP / 2
    return QPointF(round(point.x() / step) * step, round(point.y() / step) * step)


def _count_text(count: int) -> str:
    return f"{count:,} parameter" + ("" if count == 1 else "s")


class WireItem(QGraphicsPathItem):
    """A smooth wire between two ports, labelled with its shape (N×F)."""

    def __init__(self, wire, source: PortItem, target: PortItem) -> None:
        super().__init__()
        self.wire, self.source, self.target = wire, source, target
        self.setZValue(-1)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.hovered = False
        self.label = QGraphicsSimpleTextItem("", self)
        self.label.setFont(style.ui_font(LABEL_POINTS))
        self.label.setBrush(QColor(style.TEXT_MUTED))
        self.label_text = ""
        self.weights: dict | None = None  # the summary of the weights of the layer it feeds
        self._shape, self._bounds = QPainterPath(), QRectF()
        source.block_item.wires.append(self)
        target.block_item.wires.append(self)
        self.update_path()

    def detach(self) -> None:
        for block in (self.source.block_item, self.target.block_item):
            if self in block.wires:
                block.wires.remove(self)

    def set_label(self, text: str) -> None:
        if text != self.label_text:
            self.label_text = text
            self.label.setText(text)
            self._place_label()
            self.update()

    def set_weights(self, weights: tuple[dict, str] | None) -> None:
        """Draw the wire by the weights of the layer it feeds ((summary, tooltip)),
        or plainly (None)."""
        summary, tip = weights if weights is not None else (None, "")
        if summary is self.weights:
            return
        self.weights = summary
        self.setToolTip(tip)
        self.update()  # the bounds (the 12-wide stroke) already hold the widest pen

    def update_path(self) -> None:
        self.prepareGeometryChange()
        self.setPath(wire_path(self.source.scene_anchor(), self.target.scene_anchor(),
                               self.target.block_item.scenePos().y()))
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        self._shape = stroker.createStroke(self.path())
        self._place_label()

    def _place_label(self) -> None:
        self.prepareGeometryChange()
        rect = self.label.boundingRect()
        start, end = self.source.scene_anchor(), self.target.scene_anchor()
        if wrapped(start, end):  # under the run back, at its right end: clear of the neurons
            top = self.target.block_item.scenePos().y()
            self.label.setPos(start.x() + STUB - rect.width() - 8, top - STUB + 2)
        else:
            mid = self.path().pointAtPercent(0.5)
            self.label.setPos(mid.x() - rect.width() / 2, mid.y() - rect.height() - 3)
        label = self.label.mapRectToParent(rect).adjusted(-5, -2, 5, 2)
        self._bounds = self._shape.boundingRect().adjusted(-2, -2, 2, 2).united(label)

    def shape(self) -> QPainterPath:
        return self._shape

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = self.isSelected()
        colour = QColor(style.WIRE_SELECTED if selected or self.hovered else style.WIRE)
        if self.source.spec.kind == PortKind.TARGET:
            colour = QColor("#E11D48") if not selected else colour
        pen = QPen(colour, 3 if selected else 2)
        if self.weights is not None and not (selected or self.hovered):
            pen = weight_pen(self.weights)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.label_text:
            rect = self.label.mapRectToParent(self.label.boundingRect()).adjusted(-4, -1, 4, 1)
            painter.setPen(QPen(QColor(style.GRID_MAJOR), 1))
            painter.setBrush(QBrush(QColor(style.CANVAS_BACKGROUND)))
            painter.drawRoundedRect(rect, 6, 6)

    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()


STUB = 18.0  # how far a wire going back to a lower row runs out of its port and into the next
CORNER = 10.0


POSITIVE, NEGATIVE = QColor("#0877BD"), QColor("#F59322")  # as the output plot's classes
MAX_WIRE = 12.0  # the widest weighted wire, in scene units


def weight_pen(summary: dict) -> QPen:
    """Colour by the sign of the mean weight, fading to the plain wire's grey as
    positive and negative weights balance; width by the mean |w|."""
    mean, size = summary["mean"], summary["mean_abs"]
    share = min(abs(mean) / size, 1.0) if size > 0 else 0.0  # 1: every weight one sign
    share = 0.5 + 0.5 * share
    plain, signed = QColor(style.WIRE), POSITIVE if mean >= 0 else NEGATIVE

    def mix(p: float, s: float) -> float:
        return p + (s - p) * share

    colour = QColor.fromRgbF(mix(plain.redF(), signed.redF()),
                             mix(plain.greenF(), signed.greenF()),
                             mix(plain.blueF(), signed.blueF()))
    return QPen(colour, min(2.0 + 8.0 * size, MAX_WIRE))


def wire_path(start: QPointF, end: QPointF, top: float | None = None) -> QPainterPath:
    """A cubic curve leaving and entering horizontally; a wire back to the start
    of a lower row (a long chain wrapped like text) runs along the gap above
    that row instead (``top``: the y of the target block's top), clear of the
    blocks and the neurons under them."""
    if wrapped(start, end):
        return _wrapped_path(start, end, end.y() - style.BLOCK_HEIGHT / 2 if top is None else top)
    path = QPainterPath(start)
    bend = max(40.0, abs(end.x() - start.x()) * 0.5)
    path.cubicTo(QPointF(start.x() + bend, start.y()), QPointF(end.x() - bend, end.y()), end)
    return path


def wrapped(start: QPointF, end: QPointF) -> bool:
    """A wire from the end of one row back to the start of a lower one."""
    return end.x() < start.x() - 2 * STUB and end.y() - start.y() > style.BLOCK_HEIGHT


def _wrapped_path(start: QPointF, end: QPointF, top: float) -> QPainterPath:
    """Out of the port, down into the gap above the row of ``end``, back left,
    down and into the port: straight runs with rounded corners."""
    gap_y = top - STUB
    right, left = start.x() + STUB, end.x() - STUB
    corners = [QPointF(right, start.y()), QPointF(right, gap_y), QPointF(left, gap_y),
               QPointF(left, end.y())]
    path = QPainterPath(start)
    points = [start, *corners, end]
    for before, corner, after in zip(points, points[1:], points[2:], strict=False):
        path.lineTo(_towards(corner, before, CORNER))
        path.quadTo(corner, _towards(corner, after, CORNER))
    path.lineTo(end)
    return path


def _towards(point: QPointF, other: QPointF, distance: float) -> QPointF:
    """The point ``distance`` from ``point`` on the way to ``other``."""
    line = other - point
    length = max((line.x() ** 2 + line.y() ** 2) ** 0.5, 1e-9)
    return point + line * (min(distance, length / 2) / length)


def _draw_elided(painter: QPainter, box: QRectF, text: str) -> None:
    """One line of text, ending in "…" when it is wider than ``box``."""
    shown = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(box.width()))
    painter.drawText(box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)
