"""Installs the teaching views into the shell.

The Selected block dock (the selected block's activation curve and slope,
its weights, each unit's output over the input plane), docks for gradient
norms, activation histograms, the confusion matrix and the live code,
File → Export entries, and training lints in the Problems panel. Everything
they draw comes from the engine; views that need the training process hold
a probe only while they are visible.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt

from graph_engine.blocks.registry import Role
from graph_engine.data.views import has_input_plane as input_plane

from ..canvas.scene import DiagramScene
from ..canvas.view import CanvasView
from ..document.document import Document
from ..document.outputs import Outputs
from ..panels.problems import ProblemsPanel
from ..shell import Shell
from ..training.controller import TrainingController
from .activation_plot import ActivationPlot
from .code_panel import CodePanel
from .confusion import ConfusionPanel
from .exports import Exports
from .gradients import GradientPlot
from .histograms import HistogramPanel
from .hub import ProbeHub
from .neurons import CanvasNeurons
from .pictures import DockPictures
from .presentation import Presentation
from .selected import Section, SelectedBlockPanel
from .training_lints import TrainingLints
from .units import UnitMaps
from .weights import WeightMap, layer_shape
from .wire_weights import WireWeights

BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
UNIT_ROLES = (Role.LAYER, Role.ACTIVATION, Role.MERGE)  # blocks whose units the dock maps


def has_input_plane(document: Document) -> bool:
    """False when the diagram's data set is known not to have two inputs (an
    unreadable CSV counts as unknown: the probe will say what is wrong)."""
    info = document.analysis.info if document.analysis is not None else None
    return info is None or input_plane(info)


class TeachingUI(QObject):
    def __init__(self, document: Document, scene: DiagramScene, view: CanvasView,
                 controller: TrainingController, problems: ProblemsPanel, outputs: Outputs,
                 shell: Shell) -> None:
        super().__init__(shell.main_window())
        self.document, self.scene, self.shell = document, scene, shell
        self.hub = ProbeHub(controller, self)
        self.selected = SelectedBlockPanel(document, self._sections(),
                                           lambda block_id: scene.select_blocks([block_id]))
        scene.selectionChanged.connect(self._selection_changed)
        self.gradients = GradientPlot(self.hub, document)
        self.histograms = HistogramPanel(self.hub, document)
        self.confusion = ConfusionPanel(self.hub)
        self.exports = Exports(document, controller.files, outputs, shell)
        self.code = CodePanel(document, self.exports, shell)
        self._docks()
        self.pictures = DockPictures(outputs, shell)  # right-click → Export Picture…
        self.lints = TrainingLints(controller, document, problems, self)
        view_menu = shell.menu("view")
        self.neurons = CanvasNeurons(self.hub, scene, view)
        view_menu.addAction(self.neurons.action)
        self.wire_weights = WireWeights(self.hub, scene, document)
        view_menu.addAction(self.wire_weights.action)
        self.presentation = Presentation(shell, view)
        view_menu.addAction(self.presentation.action)
        # A new selection replaces the inspector page and deletes its views.
        scene.selectionChanged.connect(self.hub.sweep_soon)
        document.diagram_replaced.connect(self.hub.sweep_soon)

    def _docks(self) -> None:
        shell, window = self.shell, self.shell.main_window()
        shell.add_dock("selected", "Selected block", self.selected, BOTTOM)
        window.splitDockWidget(shell.dock("selected"), shell.dock("curves"),
                               Qt.Orientation.Horizontal)
        shell.add_dock("gradients", "Gradients", self.gradients, BOTTOM)
        shell.add_dock("histograms", "Activations", self.histograms, BOTTOM)
        shell.add_dock("confusion", "Confusion matrix", self.confusion, BOTTOM)
        for name in ("gradients", "histograms", "confusion", "problems"):
            window.tabifyDockWidget(shell.dock("curves"), shell.dock(name))
        shell.dock("curves").raise_()
        shell.add_dock("code", "Code", self.code, BOTTOM).visibilityChanged.connect(
            self.code.set_shown)
        window.tabifyDockWidget(shell.dock("curves"), shell.dock("code"))
        shell.dock("curves").raise_()  # (beside the Selected block, a tab bar would cut it)

    # ------------------------------------------------------------ selected block's views
    def _selection_changed(self) -> None:
        scene = self.scene
        if shiboken6.isValid(scene) and shiboken6.isValid(self.selected):  # not while closing
            self.selected.show_selection(scene.selected_block_ids())

    def _sections(self) -> list[Section]:
        hub = self.hub
        return [
            Section(lambda document, block: block.spec.role == Role.ACTIVATION,
                    lambda document, block: ActivationPlot(hub, document, block)),
            Section(lambda document, block: block.spec.dense,
                    lambda document, block: WeightMap(hub, block, layer_shape(document, block))),
            Section(lambda document, block: block.spec.role in UNIT_ROLES and
                    has_input_plane(document), lambda document, block: UnitMaps(hub, block)),
        ]
