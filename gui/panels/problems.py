"""The problems panel: the diagnostics of the last validation, live.

Clicking a problem selects and centres its blocks; "Why?" opens the
student-facing explanation of the problem's code.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QHeaderView,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from graph_engine.checks.explanations import explanation
from graph_engine.checks.readiness import listed_problems

from .. import style
from ..document.document import Document
from ..plain_text import tooltip

DIAGNOSTIC_ROLE = Qt.ItemDataRole.UserRole + 1


def severity_icon(severity: str, size: int = 14) -> QIcon:
    """A filled circle (error), triangle (warning) or ring (hint)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(style.SEVERITY_COLOURS.get(severity, "#6B7280"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    if severity == "warning":
        from PySide6.QtCore import QPointF
        from PySide6.QtGui import QPolygonF

        painter.drawPolygon(QPolygonF([QPointF(size / 2, 1), QPointF(size - 1, size - 1),
                                       QPointF(1, size - 1)]))
    else:
        painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.setPen(QColor("#FFFFFF"))
    font = painter.font()
    font.setBold(True)
    font.setPixelSize(size - 5)
    painter.setFont(font)
    mark = {"error": "×", "warning": "!", "hint": "i"}.get(severity, "?")
    painter.drawText(pixmap.rect().adjusted(0, 2 if severity == "warning" else 0, 0, 0),
                     Qt.AlignmentFlag.AlignCenter, mark)
    painter.end()
    return QIcon(pixmap)


MESSAGE, BLOCKS = 1, 2
ROW_HEIGHT = 28  # room for the "Why?" button


class WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped message at the column's current width
    (Qt's own size hint measures the text on one line)."""

    def sizeHint(self, option, index) -> QSize:
        hint = super().sizeHint(option, index)
        if index.column() not in (MESSAGE, BLOCKS):
            return hint
        view = self.parent()
        if not isinstance(view, QTreeWidget):
            return hint
        width = max(view.columnWidth(index.column()) - 12, 40)
        text = str(index.data() or "")
        bounds = QFontMetrics(option.font).boundingRect(
            QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text)
        return QSize(hint.width(), max(bounds.height() + 10, ROW_HEIGHT))


class ProblemsPanel(QTreeWidget):
    blocks_activated = Signal(list)  # block ids to select and centre
    changed = Signal()  # the listed problems changed (for the status bar's counts)

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.setColumnCount(4)
        self.setHeaderLabels(["", "Problem", "Blocks", ""])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setIconSize(QSize(14, 14))
        self.setWordWrap(True)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MESSAGE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(BLOCKS, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.setColumnWidth(BLOCKS, 130)
        self.setItemDelegate(WrappingDelegate(self))
        self._relayout = QTimer(self, singleShot=True, interval=0)
        self._relayout.timeout.connect(self.doItemsLayout)  # re-wrap at the new width
        header.sectionResized.connect(lambda *_: self._relayout.start())
        self.itemClicked.connect(self._clicked)
        self.extra: list = []  # diagnostics from outside validation (training lints)
        document.analysed.connect(self.refresh)
        self.refresh()

    def set_extra(self, diagnostics: list) -> None:
        self.extra = list(diagnostics)
        self.refresh()

    def refresh(self) -> None:
        self.clear()
        diagram = self.document.diagram
        for diagnostic in self.all():
            names = ", ".join(diagram.block(b).name for b in diagnostic.block_ids
                              if b in diagram)
            item = QTreeWidgetItem(self, ["", diagnostic.message, names, ""])
            item.setSizeHint(3, QSize(64, ROW_HEIGHT))
            item.setIcon(0, severity_icon(diagnostic.severity))
            item.setToolTip(0, f"{diagnostic.severity} · {diagnostic.code}")
            item.setToolTip(1, tooltip(f"{diagnostic.message}\n[{diagnostic.code}]"))
            item.setData(0, DIAGNOSTIC_ROLE, diagnostic)
            if explanation(diagnostic.code):
                self._why_button(item, diagnostic)
        self.changed.emit()

    def _why_button(self, item: QTreeWidgetItem, diagnostic) -> None:
        button = QPushButton("Why?")
        button.setObjectName("whyButton")
        button.setToolTip("Explain this problem")
        button.setMinimumHeight(24)
        button.clicked.connect(lambda: self.explain(diagnostic))
        cell = QWidget()  # keeps the button its own height in a tall, wrapped row
        layout = QVBoxLayout(cell)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        self.setItemWidget(item, 3, cell)

    def explain(self, diagnostic) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(f"Why? {diagnostic.code}")
        box.setIcon(QMessageBox.Icon.Information)
        box.setTextFormat(Qt.TextFormat.MarkdownText)
        box.setText(explanation(diagnostic.code))
        box.open()

    def all(self) -> list:
        """The diagram's problems and what stops it training (errors first), then
        the training lints."""
        document = self.document
        return [*listed_problems(document.diagram, document.diagnostics,
                                 document.training_problems), *self.extra]

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for diagnostic in self.all():
            found[diagnostic.severity] = found.get(diagnostic.severity, 0) + 1
        return found

    def _clicked(self, item: QTreeWidgetItem, column: int) -> None:
        diagnostic = item.data(0, DIAGNOSTIC_ROLE)
        if diagnostic is not None and diagnostic.block_ids:
            self.blocks_activated.emit(list(diagnostic.block_ids))
