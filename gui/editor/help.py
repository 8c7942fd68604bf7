"""The Help menu: the guide, the block reference, and the keyboard shortcuts.

The shortcut list is read from the window's own actions, so it cannot fall
out of step with the menus and toolbars.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import resources

DOCS = resources.docs()  # shipped in the installed package, or the checkout's docs/

# What the mouse does on the canvas: gestures have no QAction to read.
GESTURES = (
    ("Add a block", "Drag it from the palette, or double-click it"),
    ("Wire two blocks", "Drag from an output port (right) to an input port (left)"),
    ("Select several blocks", "Drag a rubber band, or Ctrl+click"),
    ("Pan", "Middle button drag, or hold Space and drag"),
    ("Zoom", "Mouse wheel"),
)


def _plain(text: str) -> str:
    return text.replace("&", "").replace("…", "").strip()


def _no_keyboard_has(keys: str) -> bool:
    """F13 to F35: platform aliases (Qt lists F14 for Undo on some systems) that
    a student's keyboard does not have."""
    return keys.startswith("F") and keys[1:].isdigit() and int(keys[1:]) > 12


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(what, keys) for every action of the window that has a shortcut."""
    rows: dict[str, str] = {}
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        keys = [k for k in keys if k and not _no_keyboard_has(k)]
        name = _plain(action.text())
        if keys and name and name not in rows:
            rows[name] = ", ".join(keys)
    return sorted(rows.items())


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard Shortcuts")
        rows = [*shortcut_rows(window), *GESTURES]
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Action", "Keys or mouse"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (name, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 620)


def show_shortcuts(window: QWidget) -> ShortcutsDialog:
    """The shortcuts of ``window``'s actions in a dialog it keeps (a child of it)."""
    dialog = ShortcutsDialog(window)
    dialog.open()  # not modal: the student can keep it beside the canvas
    return dialog
