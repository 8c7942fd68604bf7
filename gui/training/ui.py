"""Installs training into the shell: the controller, the toolbar, the Data,
Output and Curves docks (the Output plot with its drawing mode and Ask row), and
File → Save/Load Weights and Predict on a Table…."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QScrollArea, QToolBar

from graph_engine.data.dataset import Dataset

from .. import dialogs
from ..document.document import Document
from ..document.outputs import Outputs
from ..panels.data_panel import DataPanel
from ..plots.asking import AskRow
from ..plots.curves import CurvesPanel
from ..plots.drawing import PointDrawing
from ..plots.output import OutputPlot
from ..shell import Shell
from .asking import Asking
from .controller import Drawn, TrainingController
from .refusals import Refusal
from .toolbar import TrainingToolbar

WEIGHTS_FILTER = "Weights (*.safetensors);;All files (*)"
RIGHT, BOTTOM = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea


def _scrolling(widget):
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


class TrainingUI(QObject):
    def __init__(self, document: Document, outputs: Outputs, shell: Shell) -> None:
        window = shell.main_window()
        super().__init__(window)
        self.document, self.outputs, self.shell = document, outputs, shell
        self.controller = TrainingController(document, self)
        self.toolbar = TrainingToolbar(document, self.controller, shell)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar.settings_bar)
        window.installEventFilter(self)
        self.data_panel = DataPanel(document, window)
        self.output = OutputPlot()
        self.curves = CurvesPanel()
        self.output.export_button.clicked.connect(
            lambda: outputs.export_picture(self.output.plot, "output"))
        self.curves.export_button.clicked.connect(
            lambda: outputs.export_picture(self.curves.plots, "training-curves"))
        self.curves.pin_button.clicked.connect(self.pin_run)
        shell.add_dock("output", "Output", self.output, RIGHT)  # not a block type: a title
        shell.add_dock("data", "Data", _scrolling(self.data_panel), RIGHT)
        window.tabifyDockWidget(shell.dock("inspector"), shell.dock("data"))
        shell.dock("inspector").raise_()
        shell.add_dock("curves", "Training curves", self.curves, BOTTOM)
        self._weights_menu()
        self.drawing = PointDrawing(document, self.output)  # points drawn in the plot
        self.ask_row = AskRow(self.output)
        self.asking = Asking(self.controller, self.ask_row, outputs, shell)
        self.data_panel.draw_requested.connect(self._draw)
        self._data: Dataset | None = None
        self._checked: tuple = ()  # (fingerprint, data) compared last
        self.drawn = Drawn()  # the run and output the output plot and curves show
        self._cut = 0  # the run's curve cuts the curves have drawn
        self.controller.set_probe("output", "boundary", resolution=100)
        self.data_panel.preview_loaded.connect(self._preview)
        if document.diagram.dataset is None:
            self._preview(None)  # the panel showed its first data set before this listened
        self.controller.progressed.connect(self.update_views)
        self.controller.run_changed.connect(self.update_views)
        self.controller.refused.connect(self._refused)
        self.controller.files.file_done.connect(self._file_done)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.shell.main_window() and event.type() == QEvent.Type.Resize:
            self.fit_toolbars()
        return False

    def fit_toolbars(self) -> None:
        """The training settings share the first toolbar row when it is wide
        enough for all of them, else they wrap onto a second row: every control
        stays reachable, at 1280 pixels wide too."""
        window, settings = self.shell.main_window(), self.toolbar.settings_bar
        others = [bar for bar in window.findChildren(QToolBar) if bar is not settings
                  and window.toolBarArea(bar) == Qt.ToolBarArea.TopToolBarArea
                  and not bar.isHidden()]
        needed = sum(bar.sizeHint().width() for bar in [*others, settings]) + 24
        wrapped = window.toolBarBreak(settings)
        if needed > window.width() and not wrapped:
            window.insertToolBarBreak(settings)
        elif needed <= window.width() and wrapped:
            window.removeToolBarBreak(settings)

    def _weights_menu(self) -> None:
        menu, window = self.shell.menu("file"), self.shell.main_window()
        first = self.shell.menu("export").menuAction()
        self.save_weights = QAction("Save &Weights…", window)
        self.save_weights.setStatusTip("Save the trained weights as a safetensors file")
        self.save_weights.triggered.connect(self._save_weights)
        self.load_weights = QAction("&Load Weights…", window)
        self.load_weights.setStatusTip("Load trained weights from a safetensors file")
        self.load_weights.triggered.connect(self._load_weights)
        menu.insertAction(first, self.save_weights)
        menu.insertAction(first, self.load_weights)

    def _preview(self, data: Dataset | None) -> None:
        """The output plot shows the chosen data set's points: the editor's own
        copy, which the run's fingerprint vouches for (the data never travels)."""
        self._data = data
        self.drawn.forget_result()
        self.output.show_output(None)
        self.output.set_data(data)
        self.drawing.data_shown()
        self.ask_row.set_data(data)
        if data is None:
            self.output.show_message("Choose a data set (Data tab), then press play.")

    def _draw(self) -> None:
        """"Points drawn by hand" chosen in the Data panel: draw in the Output plot."""
        self.shell.dock("output").show()
        self.shell.dock("output").raise_()
        self.drawing.start()

    def _check_data(self, fingerprint: str) -> None:
        """The run's data set and the points on screen come from the same spec in
        two processes; their fingerprints must agree (checked once per pair)."""
        pair = (fingerprint, id(self._data))
        if not fingerprint or self._data is None or pair == self._checked:
            return
        self._checked = pair
        if self._data.fingerprint() != fingerprint:
            self.shell.tell("The points shown differ from the data set the network trains on: "
                            "choose the data set again in the Data panel.", 15000)

    def update_views(self) -> None:
        state = self.controller.state
        if self.drawn.new_run(state.run):  # a new run: nothing of the old one stays
            self.output.show_output(None)
            self.curves.clear()
            self._cut = state.cut
        if state.cut != self._cut:  # points taken back: the curves are drawn anew
            self._cut = state.cut
            self.curves.clear()
        self._check_data(state.fingerprint)
        self.curves.show_history(state.curve)  # append-only: only new rows are converted
        output = state.probes.get("output")
        if self.drawn.new_result(output):
            self.output.show_output(output)
            if output:
                self.drawing.trained()

    def pin_run(self) -> bool:
        """Pin the curves on screen, named by the diagram and its last epoch."""
        name = self.document.diagram.title or self.document.display_name
        label = f"{name} · epoch {self.controller.state.epoch} (test)"
        if not self.curves.pin(label):
            self.shell.tell("Nothing to pin yet: train the network first.", refusal=True)
            return False
        return True

    def _refused(self, why: Refusal, message: str) -> None:
        self.shell.tell(message, refusal=True)
        if why is Refusal.ERRORS:
            self.shell.dock("problems").show()
            self.shell.dock("problems").raise_()

    def _save_weights(self) -> None:
        path = dialogs.save_path(self.shell.main_window(), "Save weights",
                                 "weights.safetensors", WEIGHTS_FILTER)
        if not path:
            return
        path = dialogs.with_suffix(path, ".safetensors")
        if not self.outputs.refused("Weights", path, "weights file"):
            self.controller.files.save_weights(path)

    def _load_weights(self) -> None:
        path = dialogs.open_path(self.shell.main_window(), "Load weights",
                                 file_filter=WEIGHTS_FILTER)
        if path:
            self.controller.files.load_weights(path)

    def _file_done(self, ok: bool, message: str) -> None:
        if ok:
            self.shell.tell(message)
        else:
            dialogs.show_error(self.shell.main_window(), "File", message)

    def shutdown(self) -> None:
        self.controller.shutdown()
