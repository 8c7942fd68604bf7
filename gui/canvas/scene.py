"""The scene mirrors the document's Diagram and turns gestures into commands.

It keeps a block id -> item map, which :class:`~.mirror.DiagramMirror` updates
from the Diagram's events (orange-canvas-core's ``canvas/scene.py`` is the model). Dragging blocks,
drawing wires and dropping palette entries end in undo commands; the items
never change the Diagram themselves.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QUndoCommand
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from graph_engine import Wire, WireError
from graph_engine.blocks.registry import PortKind
from graph_engine.checks.analysis import wire_features
from graph_engine.core.diagnostics import Severity, sort_key

from .. import style
from ..document import commands
from ..document.document import Document
from ..plain_text import escape
from .items import INPUT_SIDE, OUTPUT_SIDE, BlockItem, PortItem, WireItem, wire_path
from .mirror import DiagramMirror
from .notes import NoteItem


class DiagramScene(QGraphicsScene):
    status_message = Signal(str)  # what an edit did, for the status bar
    note_edit_requested = Signal(str)  # a note's id: double-clicked

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.blocks: dict[str, BlockItem] = {}
        self.wires: dict[Wire, WireItem] = {}
        self.notes: dict[str, NoteItem] = {}
        self._drag_start: dict[str, tuple[float, float]] = {}
        self._note_start: dict[str, tuple[float, float]] = {}
        self._wiring: _WireDrag | None = None
        self.setSceneRect(QRectF(-4000, -3000, 8000, 6000))
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.mirror = DiagramMirror(self)
        document.diagram_replaced.connect(self.rebuild)
        document.analysed.connect(self.show_analysis)
        self.rebuild()

    # ------------------------------------------------------------ mirroring
    @property
    def diagram(self):
        return self.document.diagram

    def rebuild(self) -> None:
        self.mirror.rebuild()
        self.show_analysis()

    def show_analysis(self) -> None:
        """Parameter counts, wire shapes and problem outlines from the analysis."""
        analysis = self.document.analysis
        if analysis is None or analysis.diagram is not self.mirror.diagram:
            return
        for block_id, item in self.blocks.items():
            item.refresh(self.diagram.block(block_id), analysis.param_count(block_id))
            item.set_problems(*_problem_summary(self.document.problems_for(block_id)))
        for wire, wire_item in self.wires.items():
            size = wire_features(analysis, wire)
            labels = wire_item.source.spec.kind == PortKind.TARGET
            wire_item.set_label("labels" if labels else (f"N×{size}" if size else ""))

    # ------------------------------------------------------------ selection
    def selected_block_ids(self) -> list[str]:
        return [i.block_id for i in self.selectedItems() if isinstance(i, BlockItem)]

    def selected_wires(self) -> list:
        return [i.wire for i in self.selectedItems() if isinstance(i, WireItem)]

    def selected_note_ids(self) -> list[str]:
        return [i.note_id for i in self.selectedItems() if isinstance(i, NoteItem)]

    def select_blocks(self, block_ids) -> None:
        self.clearSelection()
        for block_id in block_ids:
            if block_id in self.blocks:
                self.blocks[block_id].setSelected(True)

    def blocks_rect(self, block_ids=None) -> QRectF:
        items = [self.blocks[b] for b in (block_ids or self.blocks) if b in self.blocks]
        rect = QRectF()
        for item in items:
            rect = rect.united(item.sceneBoundingRect())
        return rect

    def content_rect(self) -> QRectF:
        """Everything drawn: blocks with what hangs under them (their neurons),
        wires with their labels, and notes."""
        rect = self.blocks_rect()
        for item in self.blocks.values():  # ports and neurons; a port's hidden name is not drawn
            for child in item.childItems():
                if child.isVisible():
                    rect = rect.united(child.sceneBoundingRect())
        for other in [*self.wires.values(), *self.notes.values()]:
            rect = rect.united(other.sceneBoundingRect())
        return rect

    # ------------------------------------------------------------ moving
    def dragging(self, block_id: str) -> bool:
        """The block is being moved by the mouse (not placed by the diagram)."""
        return block_id in self._drag_start

    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)
        self._drag_start = {b: (i.pos().x(), i.pos().y()) for b, i in self.blocks.items()
                            if i.isSelected()}
        self._note_start = {n: (i.pos().x(), i.pos().y()) for n, i in self.notes.items()
                            if i.isSelected()}

    def mouseMoveEvent(self, event) -> None:
        if self._wiring is not None:
            self._wiring.move(event.scenePos())
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._wiring is not None:
            # The port the drag began on holds the mouse until it is let go: left
            # holding it, it would take the next press anywhere on the canvas.
            grabber = self.mouseGrabberItem()
            if grabber is not None:
                grabber.ungrabMouse()
            self._finish_wire(event.scenePos())
            return
        super().mouseReleaseEvent(event)
        self._commit_moves()

    def _commit_moves(self) -> None:
        """One undo step for everything a drag moved (blocks and notes)."""
        diagram = self.diagram
        moves = _moved(self._drag_start, self.blocks, lambda b: diagram.block(b).position)
        notes = _moved(self._note_start, self.notes, lambda n: diagram.note(n).position)
        self._drag_start, self._note_start = {}, {}
        if not (moves or notes):
            return
        made = self.document.apply(lambda: _move_command(diagram, moves, notes), "Not moved")
        if made is None:  # dragged past the canvas's limits: back where they were
            for block_id in moves:
                self.blocks[block_id].setPos(*diagram.block(block_id).position)
            for note_id in notes:
                self.notes[note_id].setPos(*diagram.note(note_id).position)

    # ------------------------------------------------------------ wiring
    def start_wire(self, port: PortItem, pos: QPointF) -> None:
        self._wiring = _WireDrag(self, port)
        self._wiring.move(pos)

    def _finish_wire(self, pos: QPointF) -> None:
        drag, self._wiring = self._wiring, None
        if drag is None:
            return
        target = drag.port_at(pos) or drag.block_at(pos)
        drag.clear()
        if target is None:
            return
        # the wiring rules and the diagram's limits refuse through the document's door
        made = self.document.apply(lambda: commands.Connect(self.diagram, drag.plan(target)),
                                   "Not connected")
        if made is not None:
            wire = made.wire
            self.status_message.emit(f"Connected {self.diagram.block(wire.src).name} to "
                                     f"{self.diagram.block(wire.dst).name}")

    # ------------------------------------------------------------ background
    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        rect = QRectF(rect)
        painter.fillRect(rect, QColor(style.CANVAS_BACKGROUND))
        step = style.GRID_STEP
        left, top = int(rect.left()) - int(rect.left()) % step, int(rect.top()) - int(
            rect.top()) % step
        scale = painter.worldTransform().m11()
        if scale * step < 6:
            return
        minor, major = QPen(QColor(style.GRID_MINOR), 0), QPen(QColor(style.GRID_MAJOR), 0)
        x = left
        while x < rect.right():
            painter.setPen(major if x % (step * 5) == 0 else minor)
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            painter.setPen(major if y % (step * 5) == 0 else minor)
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += step


def item_at(scene: QGraphicsScene, pos: QPointF, reach: float = 6.0):
    """The block, else the note, else the wire, under ``pos`` (a wire within
    ``reach``), else None."""
    area = QRectF(pos.x() - reach, pos.y() - reach, 2 * reach, 2 * reach)
    found = []
    for item in scene.items(area):  # a port or a label stands for its block or wire
        while item is not None and not isinstance(item, BlockItem | WireItem | NoteItem):
            item = item.parentItem()
        if item is not None:
            found.append(item)
    for kind in (BlockItem, NoteItem, WireItem):
        for item in found:
            if isinstance(item, kind):
                return item
    return None


def _move_command(diagram, moves: dict, notes: dict) -> QUndoCommand:
    """One command for the blocks and notes a drag moved; ValueError past the limits."""
    made: list[QUndoCommand] = [commands.MoveBlocks(diagram, moves)] if moves else []
    if notes:
        made.append(commands.MoveNotes(diagram, notes))
    return made[0] if len(made) == 1 else commands.Macro("Move blocks and notes", made)


def _moved(start: dict, items: dict, position) -> dict:
    """id -> (its position in the diagram, where its item is now), for the items
    a drag moved from ``start``."""
    moves = {}
    for key, old in start.items():
        item = items.get(key)
        if item is not None and (item.pos().x(), item.pos().y()) != old:
            moves[key] = (position(key), (item.pos().x(), item.pos().y()))
    return moves


def _problem_summary(problems) -> tuple[Severity | None, str]:
    if not problems:
        return None, ""
    worst = min(problems, key=sort_key).severity
    lines = "".join(f"<li>{escape(p.message)}</li>" for p in problems)  # messages quote names
    return worst, f"<ul style='margin:0'>{lines}</ul>"


class _WireDrag:
    """A wire being drawn from a port: a rubber-band curve, and the ports
    that would accept it highlighted."""

    def __init__(self, scene: DiagramScene, port: PortItem) -> None:
        self.scene, self.port = scene, port
        self.item = QGraphicsPathItem()
        pen = QPen(QColor(style.WIRE_SELECTED), 2, Qt.PenStyle.DashLine)
        self.item.setPen(pen)
        self.item.setZValue(10)
        scene.addItem(self.item)
        self.candidates = self._compatible_ports()
        for candidate in self.candidates:
            candidate.set_highlight(True)

    def _compatible_ports(self) -> list[PortItem]:
        found = []
        side = INPUT_SIDE if self.port.side == OUTPUT_SIDE else OUTPUT_SIDE
        for item in self.scene.blocks.values():
            for other in (item.inputs if side == INPUT_SIDE else item.outputs).values():
                src, dst = self.ends(other)
                try:
                    self.scene.diagram.check_wire(src.block_id, dst.block_id, src.spec.name,
                                                  dst.spec.name)
                except WireError:
                    continue
                found.append(other)
        return found

    def ends(self, other: PortItem) -> tuple[PortItem, PortItem]:
        return (self.port, other) if self.port.side == OUTPUT_SIDE else (other, self.port)

    def move(self, pos: QPointF) -> None:
        start = self.port.scene_anchor()
        path = wire_path(start, pos) if self.port.side == OUTPUT_SIDE else wire_path(pos, start)
        self.item.setPath(path)

    def port_at(self, pos: QPointF) -> PortItem | None:
        for item in self.scene.items(pos):
            if isinstance(item, PortItem) and item is not self.port:
                return item
        return None

    def block_at(self, pos: QPointF) -> BlockItem | None:
        """Dropped on a block's body: the engine picks the first free port."""
        for item in self.scene.items(pos):
            if isinstance(item, BlockItem) and item is not self.port.block_item:
                return item
        return None

    def plan(self, target):
        """The wire to make, or WireError: to a port, or to a block's first
        free port that takes it."""
        diagram = self.scene.diagram
        if isinstance(target, PortItem):
            src, dst = self.ends(target)
            return diagram.check_wire(src.block_id, dst.block_id, src.spec.name, dst.spec.name)
        if self.port.side == OUTPUT_SIDE:
            return diagram.check_wire(self.port.block_id, target.block_id, self.port.spec.name)
        return diagram.check_wire(target.block_id, self.port.block_id, None, self.port.spec.name)

    def clear(self) -> None:
        for candidate in self.candidates:
            candidate.set_highlight(False)
        self.scene.removeItem(self.item)
