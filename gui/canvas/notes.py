"""A text note on the canvas: a sticky note of wrapped text beside the network.

It draws the Diagram's note and holds nothing else: the scene moves it when
the note moves, a finished drag becomes one MoveNotes command, and a
double-click asks the editor to change its words (an EditNote command).
"""

from __future__ import annotations

from typing import Protocol, cast

from PySide6.QtCore import QRectF, Qt, SignalInstance
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsTextItem

from .. import style


class NoteScene(Protocol):
    """What a note asks of the scene it is drawn in (the DiagramScene)."""

    note_edit_requested: SignalInstance  # a note's id: double-clicked


NOTE_WIDTH = 230.0
PADDING = 10.0
NOTE_POINTS = 11.0
MIN_HEIGHT = 44.0
PAPER, EDGE = "#FEF3C7", "#F59E0B"


class NoteItem(QGraphicsItem):
    def __init__(self, note) -> None:
        super().__init__()
        self.note_id = note.id
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(-0.5)  # above the wires, below the blocks
        self.label = QGraphicsTextItem(self)
        self.label.setFont(style.ui_font(NOTE_POINTS))
        self.label.setDefaultTextColor(QColor(style.TEXT))
        self.label.setTextWidth(NOTE_WIDTH - 2 * PADDING)
        self.label.setPos(PADDING - 4, PADDING - 4)  # the text frame's own margin is 4
        self.label.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.height = MIN_HEIGHT
        self.show_note(note)

    @property
    def text(self) -> str:
        return self.label.toPlainText()

    def show_note(self, note) -> None:
        """Draw the note's words and place it where the diagram says."""
        if note.text != self.text:
            self.prepareGeometryChange()
            self.label.setPlainText(note.text)  # plain: a note's words are never markup
            self.height = max(MIN_HEIGHT, self.label.boundingRect().height() + 2 * PADDING - 8)
            self.setToolTip("Double-click to edit this note; drag to move it")
        if (self.pos().x(), self.pos().y()) != note.position:
            self.setPos(*note.position)

    def boundingRect(self) -> QRectF:
        return QRectF(-3, -3, NOTE_WIDTH + 6, self.height + 6)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(0, 0, NOTE_WIDTH, self.height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 24))
        painter.drawRect(rect.translated(2, 3))
        painter.setBrush(QColor(PAPER))
        selected = self.isSelected()
        painter.setPen(QPen(QColor(style.SELECTION if selected else EDGE), 2.5 if selected else 1))
        painter.drawRect(rect)

    def mouseDoubleClickEvent(self, event) -> None:
        scene = self.scene()
        if scene is not None and event.button() == Qt.MouseButton.LeftButton:
            cast(NoteScene, scene).note_edit_requested.emit(self.note_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)
