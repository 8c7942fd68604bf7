"""The Selected block dock: what the selected block computes, seen whole.

Side by side, the teaching views of one block: an activation's curve f and
its slope f′, a layer's weight map, and each unit's output over the input
plane. Which views a block gets is decided by ``sections`` (callables that
ask the registry); the Inspector beside it keeps the block's name,
parameters and teaching text. A new selection replaces the page; the views
of the old one release their probes (the hub sweeps them). With nothing
selected, the page names the blocks that have something to show, each a
link that selects it on the canvas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from ..plain_text import escape
from ..style import text_label

HINT = ("Select a block on the canvas to see inside it: an activation's curve and slope, "
        "a layer's weights, and what each of its units computes over the input plane.")
MAX_LINKS = 24  # blocks named on the empty page; a large diagram gets "and N more"


@dataclass(frozen=True)
class Section:
    """One view of a block: whether the block gets it, and how it is made."""

    applies: Callable  # (document, block) -> bool
    make: Callable  # (document, block) -> QWidget


class SelectedBlockPanel(QScrollArea):
    def __init__(self, document, sections: list[Section], select: Callable,
                 parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.sections = sections
        self.select = select  # (block id) -> None: selects it on the canvas
        self.block_id: str | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        document.diagram_replaced.connect(lambda: self.show_block(None))
        document.analysed.connect(self._refresh)
        self.show_block(None)

    def shows_nothing(self) -> bool:
        """No block selected: the page only says how to pick one."""
        return self.block_id is None

    def show_selection(self, block_ids: list[str]) -> None:
        self.show_block(block_ids[0] if len(block_ids) == 1 else None)

    def show_block(self, block_id: str | None) -> None:
        """A page with the block's views, side by side (a hint without one)."""
        diagram = self.document.diagram
        self.block_id = block_id if block_id in diagram else None
        page = QWidget()
        page.setObjectName("selectedBlockPage")
        block = None if self.block_id is None else diagram.block(self.block_id)
        views = [] if block is None else \
            [section.make(self.document, block) for section in self.sections
             if section.applies(self.document, block)]
        if not views:
            column = QVBoxLayout(page)
            text = self._showable_text() if block is None else (
                f"{escape(block.name)} has no curve, weights or units to show.")
            label = text_label(text, "helpText", rich=True)  # names are escaped
            label.linkActivated.connect(lambda link: self.select(link.removeprefix("block:")))
            column.addWidget(label)
            column.setAlignment(Qt.AlignmentFlag.AlignTop)
        else:
            row = QHBoxLayout(page)
            row.setContentsMargins(8, 0, 8, 2)
            for view in views:
                row.addWidget(view, 0, Qt.AlignmentFlag.AlignTop)
            row.addStretch(1)
        self.setWidget(page)  # the old page and its views are deleted

    def showable(self) -> list:
        """The blocks that have a view, inputs first (the diagram's order while
        it has no analysis)."""
        document, diagram = self.document, self.document.diagram
        order = document.analysis.order if document.analysis is not None else \
            [b.id for b in diagram.blocks]
        blocks = [diagram.block(b) for b in order if b in diagram]
        return [b for b in blocks if any(s.applies(document, b) for s in self.sections)]

    def _showable_text(self) -> str:
        blocks = self.showable()
        if not blocks:
            return escape(HINT)
        links = " · ".join(f'<a href="block:{escape(b.id)}">{escape(b.name)}</a>'
                           for b in blocks[:MAX_LINKS])
        more = f" and {len(blocks) - MAX_LINKS} more" if len(blocks) > MAX_LINKS else ""
        return f"{escape(HINT)}<br><br>Or pick one: {links}{more}."

    def _refresh(self) -> None:
        """Undo may take the shown block away; an edit may change which blocks
        the empty page names."""
        if self.block_id is None or self.block_id not in self.document.diagram:
            self.show_block(None)

