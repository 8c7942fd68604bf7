"""The block palette: every registered block type, grouped by category.

Entries come from the registry (never a hand-written list). Dragging an
entry carries its type name as :data:`gui.mime.BLOCK_MIME`; double-clicking asks for
the block at the centre of the view. Typing in the filter selects the first block
that matches (Up and Down pick another) and Enter adds it, at a free spot near the
view's centre, as a double-click would.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from graph_engine import REGISTRY

from .. import style
from ..mime import BLOCK_MIME, block_mime

TYPE_ROLE = Qt.ItemDataRole.UserRole + 1


def swatch(colour: QColor, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    painter.end()
    return QIcon(pixmap)


class PaletteTree(QTreeWidget):
    """The tree itself: starts a real drag with the block's mime data."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setRootIsDecorated(True)
        self.setIndentation(12)
        self.setIconSize(QSize(14, 14))
        self.setUniformRowHeights(True)

    def mimeData(self, items) -> QMimeData:
        type_name = items[0].data(0, TYPE_ROLE) if items else None
        return block_mime(type_name) if type_name else QMimeData()

    def mimeTypes(self) -> list[str]:
        return [BLOCK_MIME]

    def startDrag(self, actions) -> None:
        item = self.currentItem()
        type_name = item.data(0, TYPE_ROLE) if item else None
        if item is None or not type_name:
            return
        drag = QDrag(self)
        drag.setMimeData(block_mime(type_name))
        drag.setPixmap(item.icon(0).pixmap(18, 18))
        drag.exec(Qt.DropAction.CopyAction)


class Palette(QWidget):
    block_requested = Signal(str)  # double-click: add this type at the view centre

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter blocks…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.filter.returnPressed.connect(self._add_chosen)
        self.filter.installEventFilter(self)  # Up and Down move through the matches
        self.tree = PaletteTree()
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree)
        self._populate()

    def _populate(self) -> None:
        for category, specs in REGISTRY.by_category().items():
            group = QTreeWidgetItem(self.tree, [category])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            icon = swatch(style.category_colour(category))
            for spec in specs:
                item = QTreeWidgetItem(group, [spec.name])
                item.setData(0, TYPE_ROLE, spec.name)
                item.setIcon(0, icon)
                item.setToolTip(0, f"<b>{spec.name}</b>: {spec.teaching.summary}<br>"
                                   f"<code>{spec.teaching.formula}</code>")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsDragEnabled)
            group.setExpanded(True)

    def _groups(self) -> list[tuple[QTreeWidgetItem, list[QTreeWidgetItem]]]:
        """Each category's item with its blocks' items."""
        groups = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        return [(group, [child for j in range(group.childCount())
                         if (child := group.child(j)) is not None])
                for group in groups if group is not None]

    def item_for(self, type_name: str) -> QTreeWidgetItem | None:
        for _, items in self._groups():
            for item in items:
                if item.data(0, TYPE_ROLE) == type_name:
                    return item
        return None

    def apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for group, items in self._groups():
            shown = 0
            for item in items:
                spec = REGISTRY.get(item.data(0, TYPE_ROLE))
                match = not needle or needle in spec.name.lower() or \
                    needle in spec.teaching.summary.lower() or needle in group.text(0).lower()
                item.setHidden(not match)
                shown += match
            group.setHidden(shown == 0)
        current = self.tree.currentItem()
        if needle and (current is None or current.isHidden() or not current.data(0, TYPE_ROLE)):
            self._choose(0)  # the first match, for Enter

    def shown_items(self) -> list[QTreeWidgetItem]:
        """The block entries the filter shows, in palette order."""
        return [item for group, items in self._groups() if not group.isHidden()
                for item in items if not item.isHidden()]

    def _choose(self, step: int) -> None:
        """Select the shown entry ``step`` places after the current one (0: the first)."""
        shown = self.shown_items()
        if not shown:
            return
        current = self.tree.currentItem()
        index = shown.index(current) + step if step and current in shown else 0
        item = shown[max(0, min(index, len(shown) - 1))]
        self.tree.setCurrentItem(item)
        self.tree.scrollToItem(item)

    def _add_chosen(self) -> None:
        item = self.tree.currentItem()
        if item is None or item.isHidden() or not item.data(0, TYPE_ROLE):
            self._choose(0)
            item = self.tree.currentItem()
        if item is not None and not item.isHidden() and item.data(0, TYPE_ROLE):
            self.block_requested.emit(item.data(0, TYPE_ROLE))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.filter and event.type() == QEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._choose(1 if event.key() == Qt.Key.Key_Down else -1)
            return True
        return super().eventFilter(watched, event)

    def _double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.block_requested.emit(type_name)
