"""The Selected block dock: what the selected block computes, seen whole.

Side by side, the teaching views of one block: an activation's curve f and
its slope f′, a layer's weight map, and each unit's output over the input
plane. Which views a block gets is decided by ``sections`` (callables that
ask the registry); the Inspector beside it keeps the block's name,
parameters and teaching text. A new selection replaces the page; the views
of the old one release their probes (the hub sweeps them).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from ..style import text_label

HINT = ("Select a block on the canvas to see inside it: an activation's curve and slope, "
        "a layer's weights, and what each of its units computes over the input plane.")


class SelectedBlockPanel(QScrollArea):
    def __init__(self, document, sections: list, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.sections = sections  # callables (document, block) -> QWidget | None
        self.block_id: str | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        document.diagram_replaced.connect(lambda: self.show_block(None))
        document.analysed.connect(self._gone)
        self.show_block(None)

    def show_selection(self, block_ids: list[str]) -> None:
        self.show_block(block_ids[0] if len(block_ids) == 1 else None)

    def show_block(self, block_id: str | None) -> None:
        """A page with the block's views, side by side (a hint without one)."""
        diagram = self.document.diagram
        self.block_id = block_id if block_id in diagram else None
        page = QWidget()
        page.setObjectName("selectedBlockPage")
        views = [] if self.block_id is None else \
            [w for w in (make(self.document, diagram.block(self.block_id))
                         for make in self.sections) if w is not None]
        if not views:
            layout = QVBoxLayout(page)
            text = HINT if self.block_id is None else (
                f"{diagram.block(self.block_id).name} has no curve, weights or units to show.")
            layout.addWidget(text_label(text, "helpText"))
            layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        else:
            layout = QHBoxLayout(page)
            layout.setContentsMargins(8, 0, 8, 2)
            for view in views:
                layout.addWidget(view, 0, Qt.AlignmentFlag.AlignTop)
            layout.addStretch(1)
        self.setWidget(page)  # the old page and its views are deleted

    def _gone(self) -> None:
        """Undo may take the shown block away."""
        if self.block_id is not None and self.block_id not in self.document.diagram:
            self.show_block(None)
