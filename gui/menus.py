"""The main window's menus and toolbar, with the platform's standard shortcuts.

Part of the composition root: each entry is an action of a feature the
window composed (files, edits, the view, the undo stack) or of the window
itself (``own``: quit, layout, about, help), handed in by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar

from .canvas.view import CanvasView
from .editor.edit_actions import EditActions
from .editor.file_actions import FileActions, example_paths, example_title

SK = QKeySequence.StandardKey


def _action(window: QMainWindow, text: str, slot: Callable[[], object], shortcut=None,
            tip: str = "", icon: QStyle.StandardPixmap | None = None) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        if isinstance(shortcut, (list, tuple)):
            action.setShortcuts([QKeySequence(s) for s in shortcut])
        elif isinstance(shortcut, SK):
            action.setShortcuts(shortcut)
        else:
            action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    action.triggered.connect(lambda checked=False: slot())
    return action


def build_actions(window: QMainWindow, files: FileActions, edit: EditActions,
                  view: CanvasView, stack: QUndoStack,
                  own: Mapping[str, Callable[[], object]]) -> dict[str, QAction]:
    """Every action of the menus by name; ``own`` holds the window's own slots:
    reset_layout, about, guide, blocks_reference, shortcuts."""
    SP = QStyle.StandardPixmap
    actions = {
        "new": _action(window, "&New", files.new, SK.New, "Start a new diagram",
                       SP.SP_FileIcon),
        "open": _action(window, "&Open…", files.open, SK.Open, "Open a diagram file",
                        SP.SP_DialogOpenButton),
        "save": _action(window, "&Save", files.save, SK.Save, "Save the diagram",
                        SP.SP_DialogSaveButton),
        "save_as": _action(window, "Save &As…", files.save_as, SK.SaveAs,
                           "Save the diagram under a new name"),
        "export_image": _action(window, "Export Canvas &Image…", files.export_image, None,
                                "Save the canvas as a PNG or SVG picture"),
        "quit": _action(window, "&Quit", window.close, SK.Quit, "Quit NetCanvas"),
        "cut": _action(window, "Cu&t", edit.cut, SK.Cut, "Cut the selected blocks"),
        "copy": _action(window, "&Copy", edit.copy, SK.Copy, "Copy the selected blocks"),
        "paste": _action(window, "&Paste", edit.paste, SK.Paste, "Paste blocks"),
        "duplicate": _action(window, "D&uplicate", edit.duplicate, "Ctrl+D",
                             "Duplicate the selected blocks"),
        "delete": _action(window, "&Delete", edit.delete, [QKeySequence(SK.Delete).toString(),
                                                           "Backspace"],
                          "Delete the selected blocks, wires and notes"),
        "select_all": _action(window, "Select &All", edit.select_all, SK.SelectAll),
        "add_note": _action(window, "Add &Note…", edit.add_note, "Ctrl+Shift+T",
                            "Put a text note on the canvas, saved with the diagram"),
        "zoom_in": _action(window, "Zoom &In", view.zoom_in, SK.ZoomIn),
        "zoom_out": _action(window, "Zoom &Out", view.zoom_out, SK.ZoomOut),
        "zoom_reset": _action(window, "&Actual Size", view.reset_zoom, "Ctrl+0"),
        "fit": _action(window, "&Fit to View", view.fit, "Ctrl+Shift+F",
                       "Show the whole diagram"),
        "properties": _action(window, "&Properties…", edit.edit_properties, None,
                              "Edit the diagram's title and description"),
        "auto_layout": _action(window, "Auto &Layout", edit.auto_layout, "Ctrl+L",
                               "Arrange the blocks in layers, left to right"),
        "reset_layout": _action(window, "&Reset Window Layout", own["reset_layout"]),
        "about": _action(window, "&About NetCanvas", own["about"]),
        "guide": _action(window, "NetCanvas &Guide", own["guide"],
                         SK.HelpContents, "How to build, train and inspect a network; with a "
                         "block selected, that block's entry"),
        "blocks_reference": _action(window, "&Block Reference", own["blocks_reference"], None,
                                    "Every block: formula, parameters, when to use it"),
        "shortcuts": _action(window, "&Keyboard Shortcuts", own["shortcuts"],
                             "Ctrl+/", "Every shortcut and canvas gesture"),
    }
    undo = stack.createUndoAction(window, "&Undo")
    undo.setShortcuts(SK.Undo)
    undo.setIcon(window.style().standardIcon(SP.SP_ArrowBack))
    redo = stack.createRedoAction(window, "&Redo")
    redo.setShortcuts(_with(QKeySequence.keyBindings(SK.Redo), "Ctrl+Y"))
    redo.setIcon(window.style().standardIcon(SP.SP_ArrowForward))
    actions["undo"], actions["redo"] = undo, redo
    for action in actions.values():
        window.addAction(action)  # shortcuts work wherever the focus is
    return actions


def build_menus(window: QMainWindow, actions: Mapping[str, QAction],
                files: FileActions) -> dict[str, QMenu]:
    """The menu bar; the menus features add to, by name (file, recent, examples,
    export, view, panels, diagram)."""
    bar = window.menuBar()
    menus: dict[str, QMenu] = {}
    file_menu = menus["file"] = bar.addMenu("&File")
    for key in ("new", "open"):
        file_menu.addAction(actions[key])
    menus["recent"] = file_menu.addMenu("Open &Recent")
    examples = menus["examples"] = file_menu.addMenu("Open &Example")
    for path in example_paths():
        title, about = example_title(path)
        action = examples.addAction(title.replace("&", "&&"))  # a title's "&" is no shortcut
        action.setStatusTip(about)
        action.setData(str(path))
        action.triggered.connect(lambda checked=False, p=str(path): files.open_example(p))
    file_menu.addSeparator()
    for key in ("save", "save_as"):
        file_menu.addAction(actions[key])
    file_menu.addSeparator()
    menus["export"] = file_menu.addMenu("E&xport")
    menus["export"].addAction(actions["export_image"])
    file_menu.addSeparator()
    file_menu.addAction(actions["quit"])

    edit_menu = bar.addMenu("&Edit")
    _fill(edit_menu, actions, ("undo", "redo", None, "cut", "copy", "paste", "duplicate",
                               "delete", None, "add_note", "select_all"))

    view_menu = menus["view"] = bar.addMenu("&View")
    for key in ("zoom_in", "zoom_out", "zoom_reset", "fit"):
        view_menu.addAction(actions[key])
    view_menu.addSeparator()
    menus["panels"] = view_menu.addMenu("&Panels")
    view_menu.addAction(actions["reset_layout"])

    menus["diagram"] = bar.addMenu("&Diagram")
    menus["diagram"].addAction(actions["auto_layout"])
    menus["diagram"].addAction(actions["properties"])

    help_menu = bar.addMenu("&Help")
    _fill(help_menu, actions, ("guide", "blocks_reference", "shortcuts", None, "about"))
    return menus


def _fill(menu: QMenu, actions: Mapping[str, QAction], keys: tuple[str | None, ...]) -> None:
    """The actions named by ``keys`` in order, None for a separator."""
    for key in keys:
        menu.addSeparator() if key is None else menu.addAction(actions[key])


def build_toolbar(window: QMainWindow, actions: Mapping[str, QAction]) -> QToolBar:
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("mainToolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    for key in ("new", "open", "save", None, "undo", "redo"):
        toolbar.addSeparator() if key is None else toolbar.addAction(actions[key])
    return toolbar


def _with(keys: list[QKeySequence], extra: str) -> list[QKeySequence]:
    """The platform's keys for an action, plus one users of other platforms expect."""
    sequence = QKeySequence(extra)
    return keys if sequence in keys else [*keys, sequence]
