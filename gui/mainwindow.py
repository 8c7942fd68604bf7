"""The main window: canvas in the centre, palette, inspector, problems and
undo history in docks, menus, toolbar and status bar. Where the docks go, and
how big they are, is :mod:`~gui.dock_layout`'s.

It is the one place that composes the editor: it makes the document, the
canvas and each feature, and hands every feature what it uses (the document,
the training controller, the canvas) and itself only as a
:class:`~gui.shell.Shell` (telling the student, docks, menus). It holds no
diagram logic: files and edits live in :mod:`~gui.editor.file_actions` and
:mod:`~gui.editor.edit_actions`, drawing in the canvas, state in the
:class:`~gui.document.document.Document`. docs/architecture.md has the plan.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QUndoView,
    QWidget,
)

from . import screen
from .canvas.note import CanvasNote
from .canvas.scene import DiagramScene
from .canvas.view import CanvasView
from .classroom.session import ExerciseSession
from .dock_layout import DockLayout
from .document.document import Document
from .document.outputs import Outputs
from .editor.context_menu import CanvasMenus
from .editor.edit_actions import EditActions
from .editor.file_actions import FileActions
from .editor.help import ShortcutsDialog, show_shortcuts
from .editor.help_window import HelpWindow, help_on_selection, show_help
from .editor.recovery import Recovery
from .menus import build_actions, build_menus, build_toolbar
from .panels.inspector import Inspector
from .panels.palette import Palette
from .panels.problems import ProblemsPanel
from .shell import STATUS_MS
from .teaching.backprop import BackpropUI
from .teaching.neuron_view import NeuronView
from .teaching.ui import TeachingUI
from .training.ui import TrainingUI

LEFT, BOTTOM = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
PREFERRED = QSize(1400, 880)  # the window's size where the screen has room for it


class MainWindow(QMainWindow):
    """The composition root, and the :class:`~gui.shell.Shell` its features see."""

    def __init__(self, restore_layout: bool = True) -> None:
        super().__init__()
        self.setObjectName("NetCanvasMainWindow")
        self.document = Document(self)
        self.scene = DiagramScene(self.document, self)  # keep a reference: see Qt docs
        self.view = CanvasView(self.scene, self)
        self.setCentralWidget(self.view)
        self.note = CanvasNote(self.view.viewport())
        self.outputs = Outputs(self.document, self)
        self.files = FileActions(self.document, self.view, self.outputs, self)
        self.edit = EditActions(self.document, self.scene, self.view, self)
        self.docks: dict[str, QDockWidget] = {}
        self.menus: dict[str, QMenu] = {}
        self._make_docks()
        self._make_menus()
        self._make_status_bar()
        self._make_features()
        self._connect()
        screen.fit_window(self, PREFERRED)  # a laptop's 1280×800 gets all of its room
        self.dock_layout = DockLayout(self, self.docks, restore_layout,
                                      self.exercises.settle_dock)
        self.update_recent_menu()
        self.update_title()

    # ------------------------------------------------------------ building
    def _make_docks(self) -> None:
        self.block_palette = Palette()  # not "palette": QWidget.palette() is the colours
        self.inspector = Inspector(self.document)
        self.problems = ProblemsPanel(self.document)
        self.history = QUndoView(self.document.undo_stack)
        self.history.setEmptyLabel("<opened>")
        self.add_dock("palette", "Blocks", self.block_palette, LEFT)
        self.add_dock("inspector", "Inspector", self.inspector, LEFT)
        self.splitDockWidget(self.docks["palette"], self.docks["inspector"],
                             Qt.Orientation.Vertical)
        self.add_dock("problems", "Problems", self.problems, BOTTOM)
        self.add_dock("history", "Undo History", self.history, LEFT)
        self.tabifyDockWidget(self.docks["palette"], self.docks["history"])
        self.docks["palette"].raise_()

    def _make_menus(self) -> None:
        own = {"reset_layout": self.reset_layout, "about": self.about,
               "guide": self.help_on_selection,
               "blocks_reference": lambda: show_help(self, "blocks.md"),
               "shortcuts": lambda: show_shortcuts(self)}
        self.actions_by_name = build_actions(self, self.files, self.edit, self.view,
                                             self.document.undo_stack, own)
        self.menus = build_menus(self, self.actions_by_name, self.files)
        self.file_menu, self.export_menu = self.menus["file"], self.menus["export"]
        self.examples_menu, self.view_menu = self.menus["examples"], self.menus["view"]
        self.toolbar = build_toolbar(self, self.actions_by_name)
        for dock in self.docks.values():
            self.menus["panels"].addAction(dock.toggleViewAction())
        self.canvas_menus = CanvasMenus(self.edit, self.actions_by_name, self)

    def _make_features(self) -> None:
        document, scene = self.document, self.scene
        self.training = TrainingUI(document, self.outputs, self)
        controller = self.training.controller
        # inside-the-network views, code, exports
        self.teaching = TeachingUI(document, scene, self.view, controller, self.problems,
                                   self.outputs, self)
        # the network unit by unit, in place of the block view
        self.neuron_view = NeuronView(self.teaching.hub, document, self.training.output, self)
        # one sample stepped forward and back
        self.backprop = BackpropUI(self.teaching.hub, document, scene, self.training.output,
                                   self)
        self.teaching.pictures.watch(self.backprop.dock, "backprop")  # right-click → Export
        # a task, its locks, Check My Work
        self.exercises = ExerciseSession(document, self.files, scene, controller,
                                         self.outputs, self)
        # autosave while modified; offers it after a crash
        self.recovery = Recovery(document, self.files, self)

    # ------------------------------------------------------------ the shell
    def main_window(self) -> QMainWindow:
        return self

    def add_dock(self, name: str, title: str, widget: QWidget,
                 area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        if "panels" in self.menus:
            self.menus["panels"].addAction(dock.toggleViewAction())
        return dock

    def dock(self, name: str) -> QDockWidget:
        return self.docks[name]

    def menu(self, name: str) -> QMenu:
        return self.menus[name]

    def action(self, name: str) -> QAction:
        return self.actions_by_name[name]

    def tell(self, message: str, ms: int = STATUS_MS, refusal: bool = False) -> None:
        """A message in the status bar; a refusal ("Not connected: …") also over the
        canvas, where the student is looking."""
        self.statusBar().showMessage(message, ms)
        if refusal:
            self.note.say(message)

    # ------------------------------------------------------------ help
    def help_on_selection(self) -> HelpWindow:
        return help_on_selection(self, self.document.diagram, self.scene.selected_block_ids())

    @property
    def help_window(self) -> HelpWindow | None:
        return self.findChild(HelpWindow)

    @property
    def shortcuts_dialog(self) -> ShortcutsDialog | None:
        return self.findChild(ShortcutsDialog)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.dock_layout.shown()

    def _make_status_bar(self) -> None:
        self.problem_label = QLabel()
        self.zoom_label = QLabel("100%")
        self.statusBar().addPermanentWidget(self.problem_label)
        self.statusBar().addPermanentWidget(self.zoom_label)

    def _connect(self) -> None:
        self.block_palette.block_requested.connect(lambda t: self.edit.add_block(t))
        self.view.block_dropped.connect(self.edit.drop_block)
        self.view.menu_requested.connect(lambda pos, at: self.canvas_menus.at(pos).exec(at))
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z:.0%}"))
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.status_message.connect(self.tell)
        self.scene.note_edit_requested.connect(self.edit.edit_note)
        # every refusal, from whichever door-keeper asked, is said the same way
        self.document.refused.connect(lambda message: self.tell(message, refusal=True))
        self.files.recent_changed.connect(self.update_recent_menu)
        self.files.opened.connect(self.diagram_opened)
        self.problems.blocks_activated.connect(self.focus_blocks)
        self.problems.changed.connect(self._show_counts)
        self._show_counts()
        self.document.analysed.connect(self.view.refresh_hint)
        self.document.diagram_replaced.connect(self.view.refresh_hint)
        self.document.modified_changed.connect(lambda _: self.update_title())
        self.document.path_changed.connect(lambda _: self.update_title())
        self.document.diagram_replaced.connect(self.update_title)
        self.document.analysed.connect(self.update_title)  # Diagram → Properties

    # ------------------------------------------------------------ reacting
    def _selection_changed(self) -> None:
        self.inspector.show_selection(self.scene.selected_block_ids())

    def focus_blocks(self, block_ids: list[str]) -> None:
        self.scene.select_blocks(block_ids)
        rect = self.scene.blocks_rect(block_ids)
        if not rect.isEmpty():
            self.view.centerOn(rect.center())

    def _show_counts(self) -> None:
        counts = self.problems.counts()
        parts = [f"{counts[k]} {k}{'s' if counts[k] > 1 else ''}"
                 for k in ("error", "warning", "hint") if counts.get(k)]
        self.problem_label.setText(" · ".join(parts) if parts else "No problems")
        total = sum(counts.values())  # its tab says so when another tab is in front
        self.docks["problems"].setWindowTitle(f"Problems ({total})" if total else "Problems")
        colour = "#B91C1C" if counts.get("error") else "#92400E" if counts.get("warning") \
            else "#166534"
        self.problem_label.setStyleSheet(f"color: {colour}; padding: 0 8px;")

    def update_title(self) -> None:
        name = self.document.display_name
        if not self.document.path and self.document.diagram.title:
            name = self.document.diagram.title
        self.setWindowTitle(f"{name}[*] — NetCanvas")
        self.setWindowModified(self.document.modified)

    def update_recent_menu(self) -> None:
        menu = self.menus["recent"]
        menu.clear()
        paths = self.files.recent()
        for path in paths:
            action = menu.addAction(path)
            action.triggered.connect(lambda checked=False, p=path: self.files.open_path(p))
        if paths:
            menu.addSeparator()
            menu.addAction("Clear Recent Files", self.files.clear_recent)
        menu.setEnabled(bool(paths))

    def diagram_opened(self, example: bool) -> None:
        """Hook after a file or example opens (the description is shown)."""
        description = self.document.diagram.description
        if example and description:
            self.statusBar().showMessage(description.split("\n")[0], 15000)

    # ------------------------------------------------------------ layout, closing
    def reset_layout(self) -> None:
        self.dock_layout.reset()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.dock_layout.save()
        self.training.shutdown()
        self.recovery.finish()  # a clean exit leaves nothing to recover
        event.accept()

    def about(self) -> None:
        QMessageBox.about(self, "About NetCanvas",
                          "<h3>NetCanvas</h3><p>Learn how neural networks work by drawing "
                          "them. Diagrams compile to real PyTorch modules and train while "
                          "you watch.</p>")
