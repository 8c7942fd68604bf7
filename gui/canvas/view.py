"""The canvas view: zoom, pan, fit, and accepting blocks dropped from the palette."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter
from PySide6.QtWidgets import QGraphicsView, QWidget

from ..mime import BLOCK_MIME, block_type
from .scene import DiagramScene

MIN_ZOOM, MAX_ZOOM = 0.2, 3.0
MARGIN = 16.0  # scene units around the drawing when it is fitted
EMPTY_HINT = ("Drag blocks here from the palette on the left,\n"
              "or open a lesson with File → Open Example.")


class CanvasView(QGraphicsView):
    block_dropped = Signal(str, QPointF)  # block type, scene position
    menu_requested = Signal(QPointF, QPoint)  # right-click: scene position, screen position
    zoom_changed = Signal(float)

    def __init__(self, scene: DiagramScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.diagram_scene = scene
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)  # the grid is static
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pan_from: QPointF | None = None
        self._space = False
        self._empty = True
        self._fitted = False  # showing the whole drawing, as fit() left it: keep it so

    # ------------------------------------------------------------ empty canvas
    def refresh_hint(self) -> None:
        """Show or hide the empty-canvas hint after an edit."""
        empty = not self.diagram_scene.blocks
        if empty != self._empty:
            self._empty = empty
            self.viewport().update()

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        super().drawForeground(painter, rect)
        if not self._empty:
            return
        painter.save()
        painter.resetTransform()  # viewport coordinates: the hint stays put while panning
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        painter.setFont(font)
        painter.setPen(QColor("#6B7280"))
        painter.drawText(QRectF(self.viewport().rect()), Qt.AlignmentFlag.AlignCenter,
                         EMPTY_HINT)
        painter.restore()

    # ------------------------------------------------------------ zoom
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        self._fitted = False  # the user's own zoom stays as they chose it
        self._scale_to(factor)

    def _scale_to(self, factor: float) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self.scale(factor / self.zoom, factor / self.zoom)
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * 1.2)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / 1.2)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit(self, rect: QRectF | None = None) -> None:
        """Show ``rect`` (default: the whole drawing, with its wires, notes and
        neurons). Showing the whole drawing, the view keeps it whole when its
        size or the drawing changes, until the user zooms or pans."""
        self._fitted = rect is None
        rect = rect if rect is not None else self.diagram_scene.content_rect()
        if rect.isEmpty():
            self._scale_to(1.0)
            self.centerOn(0, 0)
            return
        margin = MARGIN
        self.fitInView(rect.adjusted(-margin, -margin, margin, margin),
                       Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1.25:
            self._scale_to(1.25)
        self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom)

    def refit(self) -> None:
        """Fit again if the view shows the whole drawing (its content or size changed)."""
        if self._fitted:
            self.fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.refit()

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom(self.zoom * (1.15 ** steps))
        event.accept()

    def center_scene_pos(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    # ------------------------------------------------------------ panning
    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if event.matches(QKeySequence.StandardKey.ZoomIn) or event.key() == Qt.Key.Key_Plus:
            self.zoom_in()
            return
        if event.matches(QKeySequence.StandardKey.ZoomOut) or event.key() == Qt.Key.Key_Minus:
            self.zoom_out()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event) -> None:
        middle = event.button() == Qt.MouseButton.MiddleButton
        if middle or (self._space and event.button() == Qt.MouseButton.LeftButton):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            h, v = self.horizontalScrollBar(), self.verticalScrollBar()
            self._fitted = False
            h.setValue(h.value() - int(delta.x()))
            v.setValue(v.value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space
                                      else Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event) -> None:
        self.menu_requested.emit(self.mapToScene(event.pos()), event.globalPos())
        event.accept()

    # ------------------------------------------------------------ dropping
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        type_name = block_type(event.mimeData())
        if type_name is None:
            super().dropEvent(event)
            return
        self.block_dropped.emit(type_name, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()
