"""The one visual palette: category colours, severity colours, fonts, sizes."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

import resources
from graph_engine.blocks.registry import Category
from graph_engine.model import layout

RESOURCES = resources.FOLDER  # the shipped files, wherever NetCanvas is installed

CATEGORY_COLOURS = {
    Category.DATA: "#2563EB",
    Category.LAYERS: "#7C3AED",
    Category.ACTIVATIONS: "#059669",
    Category.OUTPUT: "#C026D3",
    Category.MERGE: "#0891B2",
    Category.LOSSES: "#E11D48",
}

SEVERITY_COLOURS = {"error": "#DC2626", "warning": "#D97706", "hint": "#2563EB"}

CANVAS_BACKGROUND = "#F6F7F9"
GRID_MINOR = "#ECEEF2"
GRID_MAJOR = "#DFE2E8"
BLOCK_FILL = "#FFFFFF"
BLOCK_BORDER = "#CBD2DC"
TEXT = "#1F2933"
TEXT_MUTED = "#6B7280"
WIRE = "#7B8494"
WIRE_SELECTED = "#2563EB"
SELECTION = "#2563EB"
PORT_HIGHLIGHT = "#16A34A"

GRID_STEP = 20
# The size auto layout plans with: large enough that a network read at 70 % zoom
# has text of 11 px or more.
BLOCK_WIDTH, BLOCK_HEIGHT = (int(side) for side in layout.BLOCK)
HEADER_HEIGHT = 30
PORT_RADIUS = 6


def category_colour(category: Category) -> QColor:
    return QColor(CATEGORY_COLOURS.get(category, "#64748B"))


def ui_font(point_size: float = 9.5, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def mono_font(point_size: float = 9.5) -> QFont:
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(point_size)
    return font


def style_sheet() -> str:
    path = resources.STYLE_SHEET
    if not path.exists():
        return ""
    icons = resources.ICONS.as_posix()  # url() in a style sheet wants a full path
    return path.read_text(encoding="utf-8").replace("{ICONS}", icons)


def text_label(text: str, name: str = "helpText", selectable: bool = False,
               rich: bool = False):
    """A wrapped QLabel styled by its object name (helpText, sectionTitle...). Its
    text is plain, as written, unless ``rich``: NetCanvas's own markup, in which any
    text from a file is escaped (gui/plain_text.py)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
