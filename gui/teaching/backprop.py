"""The Backprop dock: step through one sample, forward block by block, then back.

Choose a sample of the test set (or type its features, and a label if you
like), or click a point in the Output plot, press Trace, then Next and Back
(F10 and Shift+F10). Each step selects its block on the canvas, labels the
wires with the values they carry (forward) or their gradients (backward,
:mod:`gui.canvas.wire_values`) and lists the block's units: forward, what it
received and computed; backward, the gradient at its output and, for an
activation, the chain rule upstream × f′(input) = downstream with f′ marked
on the activation's slope curve; for a Linear layer dL/dW beside W. Cells
are coloured by sign and by size against the largest value of the whole
pass, so a vanishing gradient fades from block to block.

The weights are those of the run on screen (its ``state_dict`` probe) once
the network has trained, else the initial weights of the diagram's seed.
Apply one step changes the dock's own copy of them (:mod:`.backprop_update`),
never the run's; Undo step puts the copy back as it was.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from graph_engine.model.diagram import Wire
from graph_engine.model.fileio import dumps

from ..canvas.scene import DiagramScene
from ..canvas.wire_values import WireValues
from ..document.document import Document, NetworkRevision
from ..plain_text import escape
from ..plots.output import OutputPlot
from ..shell import Shell
from ..style import text_label
from ..tasks import run_in_background
from .backprop_steps import (
    BACKWARD,
    FORWARD,
    UNSHADED,
    Sample,
    Walk,
    chain_rule,
    first_row,
    row_labels,
    strongest,
    unit_rows,
    wire_text,
    wire_values,
)
from .backprop_update import StepPreview, UpdateView, WeightSteps, apply_step
from .heatmaps import cell_colour, matrix_picture
from .hub import ProbeHub, ProbeView

MAX_ROWS = 64  # units listed; a wider layer lists its first ones
TABLE_ROWS = 12  # rows the table shows before it scrolls
SLOPE_WIDTH = 340  # the activation's slope curve, wide
STEP_ROOM, STEP_SHARE = 360, 0.4  # the dock's height when it comes to the front, at most
HINT = ("Pick a test sample by its number and press Trace, or click a point in the Output "
        "plot (a click between points traces those features).")


class StepView(QWidget):
    """One step: the block's units as a coloured table, the chain rule at the
    selected unit, and a picture of the block's local derivative."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.walk: Walk | None = None
        self.names: dict[str, str] = {}
        self.unit = 0
        self.title = text_label("", "sectionTitle")
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("backpropTable")
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.currentCellChanged.connect(lambda row, *_: self.select_unit(row))
        self.rule = text_label("", "helpText", selectable=True)
        self.rule.setObjectName("chainRule")
        self.weights = QLabel()
        self.weights.setObjectName("weightMaps")
        self.slope = pg.PlotWidget()
        self.slope.setFixedSize(SLOPE_WIDTH, 150)
        self.slope.setMenuEnabled(False)
        self.slope.setMouseEnabled(x=False, y=False)
        self.slope.setLabel("bottom", "input")
        self.slope_curve = self.slope.plot([], [], pen=pg.mkPen("#059669", width=2))
        self.slope_mark = self.slope.plot([], [], pen=None, symbol="o", symbolSize=9,
                                          symbolBrush="#DC2626")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.rule):  # the rule above the fold, always read
            layout.addWidget(widget)
        # the units' table, and the block's picture beside it (below it in a narrow dock)
        self.beside = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.beside.addWidget(self.table, 1, Qt.AlignmentFlag.AlignTop)
        pictures = QVBoxLayout()
        for widget in (self.weights, self.slope):
            pictures.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        pictures.addStretch(1)
        self.beside.addLayout(pictures)
        layout.addLayout(self.beside, 1)
        self.show_walk(None)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """The picture beside the table where the dock is wide enough for both."""
        picture = self.weights.pixmap().width() if self.weights.isVisibleTo(self) else \
            SLOPE_WIDTH if self.slope.isVisibleTo(self) else 0
        wide = self.width() >= self.table.minimumWidth() + picture + 12
        self.beside.setDirection(QBoxLayout.Direction.LeftToRight if wide else
                                 QBoxLayout.Direction.TopToBottom)

    def show_walk(self, walk: Walk | None, names: dict[str, str] | None = None) -> None:
        self.walk, self.names, self.unit = walk, names or {}, 0
        self.refresh()

    def refresh(self) -> None:
        walk = self.walk
        self.weights.setVisible(False)
        self.slope.setVisible(False)
        if walk is None:
            self.title.setText("Trace a sample to step through its backprop.")
            self.table.setRowCount(0)
            self.rule.setText("")
            return
        step = walk.step
        phase = "Forward" if step.phase == FORWARD else "Backward"
        name = self.names.get(step.block["id"], step.block["id"])
        self.title.setText(f"{phase} {step.number} of {step.of}: {name}")
        self._fill(step, walk.scale[step.phase])
        self.select_unit(min(self.unit, max(self.table.rowCount() - 1, 0)))

    def _fill(self, step, scale: float) -> None:
        columns, rows = unit_rows(step)
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setRowCount(min(len(rows), MAX_ROWS))
        for r, row in enumerate(rows[:MAX_ROWS]):
            for c, value in enumerate(row):
                item = QTableWidgetItem(f"{value:.4g}")
                if columns[c] not in UNSHADED:  # a slope is a factor, a label no value
                    item.setBackground(cell_colour(value, scale))
                self.table.setItem(r, c, item)
        self.table.setVerticalHeaderLabels(row_labels(step, min(len(rows), MAX_ROWS)))
        self.table.resizeColumnsToContents()
        self.table.setMinimumWidth(  # every column seen: the picture beside it takes the rest
            self.table.verticalHeader().sizeHint().width() + 4 +
            self.table.verticalScrollBar().sizeHint().width() +
            sum(self.table.columnWidth(c) for c in range(len(columns))))
        shown = min(len(rows), TABLE_ROWS)  # as tall as its rows: the picture beside it
        header = self.table.horizontalHeader().sizeHint().height()
        scroll = self.table.horizontalScrollBar().sizeHint().height()  # if it needs one
        self.table.setFixedHeight(header + scroll + 4 +
                                  shown * self.table.verticalHeader().defaultSectionSize())

    def select_unit(self, row: int) -> None:
        if self.walk is None or row < 0:
            return
        self.unit = row
        step = self.walk.step
        self.rule.setText(chain_rule(step, row, self.names))
        if step.phase == BACKWARD and "curve" in step.block:
            self._mark_slope(step.block, row)
        elif step.phase == BACKWARD and step.block["param_grads"].get("weight") is not None \
                and np.asarray(step.block["params"]["weight"]).ndim == 2:
            self._show_weights(step.block)
        self._arrange()

    def _mark_slope(self, block: dict, unit: int) -> None:
        curve = block["curve"]
        x = first_row(next(iter(block["inputs"].values())))[unit]
        slope = first_row(block["slopes"])[unit]
        self.slope_curve.setData(curve["xs"], curve["df"])
        self.slope_mark.setData([x], [slope])
        self.slope.setTitle(f"f′ of {escape(self.names.get(block['id'], block['id']))}, "
                            f"marked at unit {unit + 1}'s input")
        self.slope.setVisible(True)

    def _show_weights(self, block: dict) -> None:
        weight = np.asarray(block["params"]["weight"], dtype=np.float64)
        grad = np.asarray(block["param_grads"]["weight"], dtype=np.float64)
        shape = "×".join(map(str, weight.shape))
        left = matrix_picture(weight, title=f"W ({shape})")
        right = matrix_picture(grad, title="dL/dW")
        canvas = QPixmap(left.width() + right.width() + 16, max(left.height(),
                                                                right.height()))
        canvas.fill(QColor("white"))
        painter = QPainter(canvas)
        painter.drawPixmap(0, 0, left)
        painter.drawPixmap(left.width() + 16, 0, right)
        painter.end()
        self.weights.setPixmap(canvas)
        self.weights.setToolTip("Left: W (unit × input). Right: dL/dW, the gradient at the "
                                "output times the input, unit by unit.")
        self.weights.setVisible(True)
        self.rule.setText(self.rule.text() + ". Left W, right dL/dW: a row per unit, a "
                          "column per input; blue positive, orange negative.")


class BackpropPanel(ProbeView):
    """The dock's widget: which sample, Trace, Next/Back, the step shown, and
    Apply one step / Undo step on the dock's own copy of the weights."""

    step_changed = Signal(str)  # the id of the block the step is at
    cleared = Signal()  # no trace any more
    stepped = Signal(object)  # the last step applied here (its data), or None: no step

    def __init__(self, hub, document, parent=None) -> None:
        super().__init__(hub, "backprop.weights", "state_dict", parent)
        self.setObjectName("backpropPanel")
        self.document = document
        self.weights: dict | None = None  # the run's weights, once trained
        self.weights_epoch = 0
        self.steps = WeightSteps()  # the dock's own weights, after Apply one step
        self.walk: Walk | None = None
        self.traced: Sample | None = None  # the sample of the walk
        self.busy = False
        self.started: NetworkRevision = (-1, -1, "")  # the network the background work began on
        self._build()
        hub.controller.run_changed.connect(lambda _run: self._forget_weights())

    def _build(self) -> None:
        self.test_choice = QRadioButton("Test sample")
        self.test_choice.setChecked(True)
        self.index = QSpinBox()
        self.index.setRange(0, 1_000_000)
        self.typed_choice = QRadioButton("Features")
        self.features = QLineEdit()
        self.features.setPlaceholderText("0.5, -1.2")
        self.label = QLineEdit()
        self.label.setPlaceholderText("label (optional)")
        self.features.returnPressed.connect(self.trace)
        self.trace_button = _button("Trace", self.trace)
        self.back_button = _button("◀ Back", lambda: self.move_by(-1), "Shift+F10")
        self.next_button = _button("Next ▶", lambda: self.move_by(1), "F10")
        self.apply_button = _button("Apply one step", self.apply_step)
        self.apply_button.setToolTip("One optimizer step of the training settings on the "
                                     "traced sample alone; the run on screen is not changed")
        self.undo_button = _button("Undo step", self.undo_step)
        self.undo_button.setToolTip("Back to the weights before the last step applied here "
                                    "(a training action: the diagram's undo is not involved)")
        self.status = text_label(HINT, "helpText")
        self.view, self.update_view_ = StepView(), UpdateView()
        self.pages = QStackedWidget()
        for page in (self.view, self.update_view_):
            self.pages.addWidget(page)
        self._lay_out()
        self._buttons()

    def _lay_out(self) -> None:
        rows = QVBoxLayout(self)
        for widgets in ((self.test_choice, self.index, self.typed_choice, self.features,
                         self.label),
                        (self.trace_button, self.back_button, self.next_button,
                         self.apply_button, self.undo_button)):
            line = QHBoxLayout()
            for widget in widgets:
                line.addWidget(widget)
            rows.addLayout(line)
        rows.addWidget(self.status)
        # The steps scroll: a tall one (a slope plot, two matrices) never grows the dock,
        # so the window stays on the screen and Next and Back stay under the mouse.
        scroll = QScrollArea()
        scroll.setObjectName("backpropSteps")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.pages)
        rows.addWidget(scroll, 1)

    def shows_nothing(self) -> bool:
        """No sample traced and no step applied: only the controls to start."""
        return self.walk is None and not self.steps

    # ------------------------------------------------------------ weights
    def show_result(self, result) -> None:
        if result is None or "error" in result:
            return
        if self.hub.controller.current:
            if result["epoch"] != self.weights_epoch:  # the run moved on: its weights win
                self._drop_steps()
            self.weights, self.weights_epoch = result["weights"], result["epoch"]
            self._buttons()

    def _forget_weights(self) -> None:
        self.weights, self.weights_epoch = None, 0
        self._drop_steps()
        self._buttons()

    def _drop_steps(self) -> None:
        if self.steps:
            self.steps.clear()
            self.stepped.emit(None)

    def current_weights(self) -> dict | None:
        """What Trace and Apply one step start from: the dock's own weights after
        its steps, else the run's, else None (the seed's initial weights)."""
        if self.steps.weights is not None:
            return self.steps.weights
        return self.weights if self.hub.controller.current else None

    def _which(self) -> str:
        run = self.weights if self.hub.controller.current else None
        which = f"the weights of epoch {self.weights_epoch}" if run is not None else \
            f"the initial weights of seed {self.document.diagram.training.seed}"
        count = len(self.steps)
        return which + (f" after {count} step{'s' if count > 1 else ''} applied here"
                        if count else "")

    # ------------------------------------------------------------ tracing
    def sample(self) -> Sample:
        """The sample the controls name; ValueError with a message if unreadable."""
        if self.test_choice.isChecked():
            return Sample(index=self.index.value())
        features = _numbers(self.features.text(), "the features")
        label = _numbers(self.label.text(), "the label") if self.label.text().strip() \
            else None
        return Sample(index=None, features=tuple(features),
                      label=None if label is None else tuple(label))

    def pick_test(self, index: int) -> None:
        self.test_choice.setChecked(True)
        self.index.setValue(index)
        self.trace()

    def pick_features(self, features: list[float]) -> None:
        self.typed_choice.setChecked(True)
        self.features.setText(", ".join(f"{v:.3g}" for v in features))
        self.label.clear()
        self.trace()

    def trace(self) -> None:
        if self.busy or not self._ready():
            return
        try:
            sample = self.sample()
        except ValueError as error:
            self.status.setText(str(error))
            return
        text, which, weights = dumps(self.document.diagram), self._which(), \
            self.current_weights()
        names = {b.id: b.name for b in self.document.diagram.blocks}
        self._start("Tracing…")
        run_in_background(lambda: _compute(text, sample, weights),
                          lambda data: self._traced(data, sample, names, which),
                          lambda message: self._failed(f"Cannot trace: {message}"), owner=self)

    def _ready(self) -> bool:
        self.document.checked()  # fresh after any edit; not redone
        if self.document.has_errors:
            self.status.setText("The diagram has errors: fix them in the Problems panel, "
                                "then trace.")
        return not self.document.has_errors

    def _start(self, message: str) -> None:
        self.busy = True
        self.started = self.document.network_revision
        self.status.setText(message)
        self._buttons()

    def _stale(self) -> bool:
        """The network changed while the background work ran: its result is of
        another network, so it is dropped (and the student told)."""
        stale = self.document.network_revision != self.started
        if stale:
            self._failed("The network changed meanwhile: press Trace again.")
        return stale

    def _traced(self, data: dict, sample: Sample, names: dict[str, str], which: str) -> None:
        if self._stale():
            return
        self.busy = False
        self.walk, self.traced = Walk(data), sample
        loss = data["loss"]
        self.status.setText(f"x = {_short(data['x'])}, with {which}; "
                            + (f"loss {loss:.4g}." if loss is not None else
                               "no label: L is the sum of the output."))
        self.view.show_walk(self.walk, names)
        self.pages.setCurrentWidget(self.view)
        self._moved()

    def _failed(self, message: str) -> None:
        self.busy = False
        self.status.setText(message)
        self._buttons()

    def clear(self) -> None:
        """Forget the trace (the network changed): no steps, no walk."""
        self.walk, self.traced = None, None
        self._drop_steps()
        self.view.show_walk(None)
        self.pages.setCurrentWidget(self.view)
        self.status.setText(HINT)
        self._buttons()
        self.cleared.emit()

    # ------------------------------------------------------------ one step
    def apply_step(self) -> None:
        """One optimizer step on the traced sample, from the weights Trace uses."""
        if self.busy or self.traced is None or not self._ready():
            return
        sample = self.traced
        text, weights = dumps(self.document.diagram), self.current_weights()
        self._start("Applying one step…")
        run_in_background(lambda: apply_step(text, sample, weights),
                          self._applied,
                          lambda message: self._failed(f"Cannot apply a step: {message}"),
                          owner=self)

    def _applied(self, data: dict) -> None:
        if self._stale():
            return
        self.busy = False
        self.steps.push(data)
        self.stepped.emit(data)
        self.update_view_.show_step(data, len(self.steps))
        self.pages.setCurrentWidget(self.update_view_)
        self.status.setText("Step applied: the Output plot previews the network after it. "
                            "Trace again to follow the sample through the new weights; Undo "
                            "step puts the old ones back.")
        self._buttons()

    def undo_step(self) -> None:
        if self.busy or self.steps.undo() is None:
            return
        self.stepped.emit(self.steps.applied[-1] if self.steps else None)
        if self.steps.applied:
            self.update_view_.show_step(self.steps.applied[-1], len(self.steps))
        else:
            self.pages.setCurrentWidget(self.view)
        self.status.setText(f"Step undone: Trace uses {self._which()} again.")
        self._buttons()

    # ------------------------------------------------------------ stepping
    def move_by(self, by: int) -> None:  # not move(): that is QWidget.move
        if self.walk is not None and self.walk.move(by):
            self.view.refresh()
            self.pages.setCurrentWidget(self.view)
            self._moved()

    def _moved(self) -> None:
        self._buttons()
        if self.walk is not None:
            self.step_changed.emit(self.walk.step.block["id"])

    def _buttons(self) -> None:
        walk, idle = self.walk, not self.busy
        self.trace_button.setEnabled(idle)
        self.back_button.setEnabled(walk is not None and not walk.at_start)
        self.next_button.setEnabled(walk is not None and not walk.at_end)
        self.apply_button.setEnabled(idle and walk is not None)
        self.undo_button.setEnabled(idle and len(self.steps) > 0)


def _button(text: str, action, key: str = "") -> QPushButton:
    button = QPushButton(text)
    button.clicked.connect(action)
    if key:
        button.setShortcut(QKeySequence(key))
    return button


def _compute(text: str, sample: Sample, weights: dict | None) -> dict:
    from .backprop_steps import compute

    return compute(text, sample, weights)


def _numbers(text: str, what: str) -> list[float]:
    try:
        return [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"Type {what} as numbers separated by commas, e.g. 0.5, -1.2.") \
            from None


def _short(values) -> str:
    row = first_row(values)
    shown = ", ".join(f"{v:.3g}" for v in row[:6])
    return f"[{shown}{', …' if row.size > 6 else ''}]"


class BackpropUI:
    """Adds the Backprop dock, beside the Selected block, and follows its steps
    on the canvas: each step selects its block and labels the wires with the
    values (forward) or gradients (backward) they carry. A click in the Output
    plot picks the sample while the dock is open."""

    def __init__(self, hub: ProbeHub, document: Document, scene: DiagramScene,
                 output: OutputPlot, shell: Shell) -> None:
        self.document, self.scene, self.output = document, scene, output
        self.window = shell.main_window()
        self.panel = BackpropPanel(hub, document)
        self.dock = dock = shell.add_dock("backprop", "Backprop", self.panel,
                                          Qt.DockWidgetArea.BottomDockWidgetArea)
        # Beside the Selected block: the run's tab group is full, and stepping
        # through one sample is a look at the network, not at the run.
        shell.main_window().tabifyDockWidget(shell.dock("selected"), dock)
        shell.dock("selected").raise_()
        self.preview = StepPreview(self.panel, output, document)  # the Output plot after a step
        self.wire_values = WireValues(scene)
        self.traced = document.network_revision  # the network traced
        self.panel.step_changed.connect(self._step)
        self.panel.cleared.connect(self.show_wires)
        dock.visibilityChanged.connect(self._dock_visibility)
        document.diagram_replaced.connect(self.panel.clear)
        document.undo_stack.indexChanged.connect(lambda _index: self._edited())
        output.clicked.connect(self._plot_clicked)

    def _step(self, block_id: str) -> None:
        self.traced = self.document.network_revision
        self.scene.select_blocks([block_id] if block_id in self.document.diagram else [])
        self.show_wires()

    def show_wires(self) -> None:
        """The walk's numbers on the wires, its sample starred in the Output
        plot; nothing without a walk or with the dock closed."""
        walk = self.panel.walk
        shown = walk is not None and not self.dock.isHidden()
        self.output.mark(first_row(walk.data["x"]) if walk is not None and shown else None)
        if walk is None or not shown:
            self.wire_values.clear()
            return
        phase = walk.step.phase
        symbol, scale = ("x" if phase == FORWARD else "g"), walk.scale[phase]
        self.wire_values.show({
            Wire(w["src"], w["src_port"], w["dst"], w["dst_port"]):
                (wire_text(values, symbol), cell_colour(strongest(values), scale))
            for w, values in wire_values(walk)})

    def _edited(self) -> None:
        """An edit of the network clears the trace; a move only moves the tags."""
        if self.panel.walk is None and not self.panel.steps:
            return
        if self.document.network_revision != self.traced:
            self.panel.clear()
        else:
            self.wire_values.place()

    def _dock_visibility(self, visible: bool) -> None:
        if visible:
            self.show_wires()
            self._make_room()
        elif self.dock.isHidden():  # closed, not only behind another tab
            self.show_wires()

    def _make_room(self) -> None:
        """Brought to the front in a short dock (a laptop's screen), the tab grows once to
        show a step's table under its controls; the canvas gives the room, and the
        buttons stay put while the student steps."""
        room = min(STEP_ROOM, int(self.window.height() * STEP_SHARE))
        if not self.dock.isFloating() and self.dock.height() < room:
            self.window.resizeDocks([self.dock], [room], Qt.Orientation.Vertical)

    def _plot_clicked(self, x: float, y: float) -> None:
        if self.dock.isHidden() or self.panel.busy:
            return
        plot = self.output
        index = plot.test_point_near(x, y)
        if index is not None:
            self.panel.pick_test(index)
        elif (features := plot.features_at(x, y)) is not None:
            self.panel.pick_features(features)
