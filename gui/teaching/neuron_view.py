"""View → Neuron View: the network drawn as TensorFlow Playground draws it.

Instead of the block view (which stays the editing view, a toggle away), the
centre of the window shows the inputs, every unit and every weight: each unit a
picture of its live output over the input plane, each weight a line from unit
to unit, blue or orange by its sign and as wide as it is large. What is drawn
is the engine's (:func:`graph_engine.checks.neurons.neuron_graph` for the
layers, the ``neuron_view`` probe for the pictures and weights). Hovering a
unit shows its picture large in the Output plot; hovering a weight shows its
value and the unit's formula; clicking a weight sets its starting value, one
undoable edit of the dense block's ``start_weights``, after which the run starts
again from the initial weights with it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QInputDialog,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from graph_engine.blocks.registry import Role
from graph_engine.checks.neurons import INPUT, OUTPUT, NeuronGraph, neuron_graph

from .. import style
from ..document import commands
from ..document.document import Document
from ..plain_text import show_plain, tooltip
from ..plots.output import OutputPlot
from ..plots.unit_preview import UnitPreview
from ..shell import Shell
from ..training.controller import Drawn
from .heatmaps import plane_image
from .hub import ProbeHub, error_text
from .neuron_items import MoreItem, NodeItem, WeightLine, layout

PROBE = "neuron_view"
RESOLUTION = 40  # pixels of a unit's picture over the plane
PLAY_HINT = "Press Play: each unit shows what it computes over the input plane as it learns."


class NeuronCanvas(QGraphicsView):
    """The drawing, laid out anew whenever its size changes."""

    resized = Signal()

    def __init__(self, scene: QGraphicsScene) -> None:
        super().__init__(scene)
        self.setObjectName("neuronView")
        self.setRenderHint(self.renderHints().Antialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setBackgroundBrush(QColor("#FFFFFF"))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.setSceneRect(0, 0, self.viewport().width(), self.viewport().height())
        self.resized.emit()


class NeuronView(QObject):
    def __init__(self, hub: ProbeHub, document: Document, output: OutputPlot,
                 shell: Shell) -> None:
        super().__init__(shell.main_window())
        self.hub, self.document, self.shell = hub, document, shell
        self.controller = hub.controller
        self.preview = UnitPreview(output)
        self.scene = QGraphicsScene(self)
        self.canvas = NeuronCanvas(self.scene)
        self.caption = style.text_label("", "helpText")
        self.page = QWidget()
        column = QVBoxLayout(self.page)
        column.setContentsMargins(0, 0, 0, 4)
        column.addWidget(self.canvas, 1)
        column.addWidget(self.caption)
        self._install(shell)
        self.graph = NeuronGraph()
        self.nodes: dict[tuple[int, int], NodeItem] = {}
        self.lines: list[WeightLine] = []
        self.drawn = Drawn()
        self.result: dict | None = None
        self.told = ""  # what the view says after a weight was set by hand
        self.action = QAction("Neuron &View", shell.main_window())
        self.action.setCheckable(True)
        self.action.setShortcut("Ctrl+Shift+U")
        self.action.setStatusTip("Draw the network unit by unit, as TensorFlow Playground "
                                 "does; the block view is where you edit")
        self.action.toggled.connect(self._toggled)
        shell.menu("view").addAction(self.action)
        self.canvas.resized.connect(self.rebuild)
        document.analysed.connect(self.rebuild)
        document.diagram_replaced.connect(self._replaced)
        self.controller.progressed.connect(self.refresh)
        self.controller.run_changed.connect(self.refresh)

    def _install(self, shell: Shell) -> None:
        """The block view and this one share the centre of the window."""
        window = shell.main_window()
        blocks = window.takeCentralWidget()
        assert blocks is not None  # the main window made the block view its centre
        self.blocks = blocks
        self.stack = QStackedWidget()
        self.stack.addWidget(self.blocks)
        self.stack.addWidget(self.page)
        window.setCentralWidget(self.stack)

    @property
    def on(self) -> bool:
        return self.action.isChecked()

    def _toggled(self, on: bool) -> None:
        self.stack.setCurrentWidget(self.page if on else self.blocks)
        if on:
            self.hub.claim(PROBE, self, PROBE, resolution=RESOLUTION)
            self.rebuild()
            self.controller.show_start()  # the starting weights, before any Play
        else:
            self.hub.release(PROBE, self)
            self.preview.hide()

    def _replaced(self) -> None:
        self.told = ""
        self.preview.hide()

    # ------------------------------------------------------------ the drawing
    def rebuild(self) -> None:
        """Lay the layers out for the diagram on screen and the view's size, then
        draw the newest result on them."""
        if not self.on:
            return
        analysis = self.document.analysis
        self.graph = neuron_graph(analysis) if analysis is not None else NeuronGraph()
        self.preview.hide()
        self.scene.clear()
        self.nodes, self.lines = {}, []
        layers = self.graph.layers
        size = self.canvas.viewport().size()
        places = layout([layer.shown + (1 if layer.more else 0) for layer in layers],
                        size.width(), size.height())
        for index, (layer, place) in enumerate(zip(layers, places, strict=True)):
            self._layer_items(index, layer, place)
        for link in self.graph.links:
            self._link_items(link)
        self.draw(self.result)

    def _layer_items(self, index: int, layer, place) -> None:
        for unit in range(layer.shown):
            node = NodeItem(f"{index}:{unit}", self._unit_label(index, unit), place.side,
                            self._node_hovered)
            node.setPos(place.centres[unit])
            self.scene.addItem(node)
            self.nodes[(index, unit)] = node
        if layer.more:
            more = MoreItem(layer.more, place.side)
            more.setPos(place.centres[-1])
            self.scene.addItem(more)
        title = QGraphicsSimpleTextItem(self._layer_title(index))  # plain text
        title.setFont(style.ui_font(9, bold=True))
        title.setBrush(QColor(style.TEXT_MUTED))
        box = title.boundingRect()
        right = self.canvas.viewport().width() - box.width() - 4  # never cut at an edge
        title.setPos(max(4.0, min(place.title.x() - box.width() / 2, right)),
                     place.title.y() - box.height() / 2)
        self.scene.addItem(title)

    def _link_items(self, link) -> None:
        src, dst = self.graph.layers[link.src], self.graph.layers[link.dst]
        half = {i: self.nodes[(i, 0)].side / 2 for i in (link.src, link.dst)
                if (i, 0) in self.nodes}
        pairs = [(j, i) for j in range(dst.shown) for i in range(src.shown)] if link.dense \
            else [(link.offset + i, i) for i in range(src.shown) if link.offset + i < dst.shown]
        for row, column in pairs:
            start, end = self.nodes[(link.src, column)].pos(), self.nodes[(link.dst, row)].pos()
            start.setX(start.x() + half[link.src])
            end.setX(end.x() - half[link.dst])
            key = (link.dense, row, column) if link.dense else None
            line = WeightLine(start, end, key, self._line_hovered, self._line_clicked)
            self.scene.addItem(line)
            self.lines.append(line)

    def _layer_title(self, index: int) -> str:
        layer = self.graph.layers[index]
        name = self._name(layer.block_id)
        if layer.role == INPUT:
            return "Inputs" if self._is_input_block(layer.block_id) else f"Inputs · {name}"
        return f"{'Output · ' if layer.role == OUTPUT else ''}{name} · {layer.units}"

    def _unit_label(self, index: int, unit: int) -> str:
        layer = self.graph.layers[index]
        if layer.role == INPUT and self._is_input_block(layer.block_id):
            return f"x{unit + 1}"
        return str(unit + 1)

    def _is_input_block(self, block_id: str) -> bool:
        analysis = self.document.analysis
        return analysis is not None and block_id in analysis.diagram and \
            block_id in {b.id for b in analysis.blocks_with_role(Role.INPUT)}

    def _name(self, block_id: str) -> str:
        diagram = self.document.diagram
        return diagram.block(block_id).name if block_id in diagram else block_id

    # ------------------------------------------------------------ the run
    def refresh(self) -> None:
        """Draw the newest result of the run on screen; forget another run's."""
        if self.drawn.new_run(self.controller.state.run):
            self.result = None
            self.draw(None)
        if self.on and self.drawn.new_result(result := self.hub.result(PROBE)):
            self.result = result
            self.draw(result)

    def draw(self, result: dict | None) -> None:
        maps = (result or {}).get("maps", {})
        for (index, unit), node in self.nodes.items():
            block_id = self.graph.layers[index].block_id
            found = maps.get(block_id)
            values = found[unit] if found is not None and unit < len(found) else None
            node.set_image(None if values is None else plane_image(values),
                           tooltip(self.unit_text(index, unit, values)))
        weights = (result or {}).get("weights", {})
        for line in self.lines:
            if line.key is not None and line.key[0] in weights:
                dense, row, column = line.key
                rows, columns = weights[dense]["weight"].shape
                if row >= rows or column >= columns:
                    continue  # a result of the network before an edit
                line.set_weight(float(weights[dense]["weight"][row, column]))
                line.setToolTip(tooltip(self.weight_text(line)))
        self._caption(result)
        self._update_preview()

    def _caption(self, result: dict | None) -> None:
        if result is not None and "error" in result:
            text = error_text(result)
        else:
            notes = [self.graph.note, (result or {}).get("note", "")]
            if result is None:
                notes.append(PLAY_HINT)
            notes.append(self.told)
            text = " ".join(n for n in notes if n) or ("Hover a unit to see its picture "
                                                        "large in the Output plot; hover a "
                                                        "weight for its value, click it to "
                                                        "set it.")
        show_plain(self.caption, text)

    # ------------------------------------------------------------ words
    def unit_text(self, index: int, unit: int, values) -> str:
        layer = self.graph.layers[index]
        words = f"{self._name(layer.block_id)}, unit {unit + 1}"
        if layer.role == INPUT:
            words = (f"input {self._unit_label(index, unit)}" if self._is_input_block(
                layer.block_id) else f"column {unit + 1} of {self._name(layer.block_id)}")
        formula = self.formula(index, unit)
        span = "" if values is None else \
            f" Over the plane it goes from {np.min(values):.3g} to {np.max(values):.3g}."
        return f"{words}{': ' + formula if formula else ''}.{span}"

    def formula(self, index: int, unit: int) -> str:
        """The unit as its weights compute it: "ReLU(0.42·x1 − 0.13·x2 + 0.1)"."""
        layer = self.graph.layers[index]
        weights = (self.result or {}).get("weights", {}).get(layer.dense or "")
        if layer.dense is None or weights is None or unit >= len(weights["weight"]):
            return ""
        source = next(k.src for k in self.graph.links if k.dst == index)
        terms = [f"{w:+.3g}·{self._unit_name(source, i)}"
                 for i, w in enumerate(weights["weight"][unit])]
        more = self.graph.layers[source].more
        bias = weights["bias"]
        body = " ".join(terms) + (f" + … ({more} more)" if more else "") + \
            (f" {float(bias[unit]):+.3g}" if bias is not None else "")
        outer = self.document.diagram.block(layer.block_id).type \
            if layer.block_id != layer.dense and layer.block_id in self.document.diagram else ""
        return f"{outer}({body})" if outer else body

    def _unit_name(self, index: int, unit: int) -> str:
        layer = self.graph.layers[index]
        if layer.role == INPUT:
            return self._unit_label(index, unit) if self._is_input_block(layer.block_id) \
                else f"f{unit + 1}"
        return f"h{unit + 1}"

    def weight_text(self, line: WeightLine) -> str:
        dense, row, column = line.key  # type: ignore[misc]
        link = next(k for k in self.graph.links if k.dense == dense)
        source = self._unit_name(link.src, column)
        return (f"w = {line.value:+.4g}: the weight of {self._name(dense)} from {source} to "
                f"unit {row + 1} ({self._name(self.graph.layers[link.dst].block_id)}). "
                f"Unit {row + 1} = {self.formula(link.dst, row)}. Click to set it.")

    # ------------------------------------------------------------ hover and click
    def _node_hovered(self, node: NodeItem, entered: bool) -> None:
        if entered:
            self.preview.shown = node.key
        elif self.preview.shown == node.key:
            self.preview.hide()
        self._update_preview()

    def _update_preview(self) -> None:
        """The hovered unit's picture large in the Output plot, live while it trains."""
        key, result = self.preview.shown, self.result or {}
        if key is None:
            return
        index, unit = (int(n) for n in key.split(":"))
        block_id = self.graph.layers[index].block_id if index < len(self.graph.layers) else ""
        maps = result.get("maps", {})
        if block_id not in maps or unit >= len(maps[block_id]):
            self.preview.hide()
            return
        title = f"{self._name(block_id)} · {self._unit_label(index, unit)}"
        self.preview.show(key, maps[block_id][unit], result["bounds"], title)

    def _line_hovered(self, line: WeightLine, entered: bool) -> None:
        if entered:
            show_plain(self.caption, self.weight_text(line))
        else:
            self._caption(self.result)

    def _line_clicked(self, line: WeightLine) -> None:
        dense, row, column = line.key  # type: ignore[misc]
        value, ok = QInputDialog.getDouble(
            self.shell.main_window(), "Set a weight",
            f"Starting value of this weight of {self._name(dense)} (row {row}, column "
            f"{column}; now {line.value:+.4g}).\nThe run starts again from the initial "
            "weights, with this one.", line.value, -1e6, 1e6, 4)
        if ok:
            self.set_weight(dense, row, column, value)

    def set_weight(self, dense: str, row: int, column: int, value: float) -> bool:
        """Set one starting weight of ``dense`` by hand: one undoable edit."""
        diagram = self.document.diagram
        block = diagram.block(dense)
        name = block.spec.start_weights_param
        if name is None:
            return False
        entries = {(r, c): v for r, c, v in block.spec.start_weights(block.params)}
        entries[(row, column)] = value
        changes = {name: [[r, c, v] for (r, c), v in entries.items()]}
        if self.document.apply(lambda: commands.SetParams(diagram, dense, changes),
                               "Not changed") is None:
            return False
        self.told = (f"You set a weight of {block.name} (row {row}, column {column}) to "
                     f"{value:g}: the run was reset and starts from the initial weights with "
                     "it (Edit → Undo takes it back).")
        self.controller.show_start()
        self._caption(self.result)
        return True

