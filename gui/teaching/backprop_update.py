"""Apply one step: the update the traced sample's gradients make, and its undo.

:func:`apply_step` runs in a background thread, as the trace does: one
optimizer step of the diagram's training settings on the sample (a batch of
one), from the weights the trace used (``graph_engine.training.one_step``).
:class:`UpdateView` shows the loss before and after and, for each parameter
tensor, its change Δw: a table with each tensor's norm and the selected one's
matrix. :class:`StepPreview` draws the network after the step in the Output
plot. :class:`WeightSteps` keeps the Backprop dock's own copy of the weights
after each step, so "Undo step" puts back exactly the weights before. The run
on screen is never changed: the training process keeps its own.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from graph_engine.model.fileio import dumps
from graph_engine.model.presets import optimizer_label

from ..document.document import Document
from ..plots.output import OutputPlot
from ..style import text_label
from ..tasks import run_in_background
from .backprop_steps import Sample, sample_xy
from .heatmaps import matrix_picture

UNCHANGED_RUN = ("The run on screen is not changed: the step applies to this dock's copy "
                 "of the weights, which Trace now uses.")


def apply_step(diagram_text: str, sample: Sample, weights: dict | None) -> dict:
    """One optimizer step on the sample from ``weights`` (None: the seed's
    initial ones), as plain data (``one_step.as_data``)."""
    from .activation_plot import _IMPORTING  # first imports of torch take turns

    with _IMPORTING:
        from graph_engine.model.fileio import loads
        from graph_engine.training.one_step import as_data, one_step
        from graph_engine.training.trace import dataset_sample

    diagram = loads(diagram_text)
    x, y = sample_xy(diagram, sample, dataset_sample)
    return as_data(one_step(diagram, x, y, weights=weights), diagram)


def step_picture(diagram_text: str, weights: dict) -> dict | None:
    """What the Output plot draws for the network with ``weights`` (those after the
    dock's steps), computed as the training process computes the run's picture."""
    from .activation_plot import _IMPORTING  # first imports of torch take turns

    with _IMPORTING:
        from graph_engine.model.fileio import loads
        from graph_engine.training.one_step import picture

    return picture(loads(diagram_text), weights)


class StepPreview:
    """The Output plot previews the network after the Backprop dock's last step,
    marked as a preview; with no step left (Undo step, the run moving on, an
    edit), the run's picture comes back. Each step's picture is computed once, in
    the background, and kept with the step for Undo step to show again."""

    def __init__(self, panel, output: OutputPlot, document: Document) -> None:
        self.panel, self.output, self.document = panel, output, document
        panel.stepped.connect(self.show)

    def show(self, step: dict | None) -> None:
        if step is None:
            self.output.end_preview()
        elif "picture" in step:
            self._draw(step)
        else:
            text, started = dumps(self.document.diagram), self.document.network_revision
            run_in_background(lambda: step_picture(text, step["weights"]),
                              lambda found: self._computed(step, found, started),
                              self._failed, owner=self.panel)

    def _computed(self, step: dict, found: dict | None, started) -> None:
        step["picture"] = found
        applied = self.panel.steps.applied
        if started == self.document.network_revision and applied and applied[-1] is step:
            self._draw(step)  # still the last step, of the network on screen

    def _draw(self, step: dict) -> None:
        if step["picture"] is None:  # a data set with nothing to draw
            self.output.end_preview()
            return
        count = len(self.panel.steps)
        self.output.show_preview(step["picture"], PREVIEW.format(
            count=count, steps="step" if count == 1 else "steps"))

    def _failed(self, message: str) -> None:
        self.panel.status.setText(f"The Output plot cannot show the step: {message}")


PREVIEW = ("Preview: the network after {count} {steps} in the Backprop tab, not the run. "
           "Undo step brings the run back.")


class WeightSteps:
    """The steps the dock applied, newest last, each the step's data (its
    ``weights`` are those after it); undo pops one, and the weights before it are
    the previous step's, or (none left) those the dock had from elsewhere."""

    def __init__(self) -> None:
        self.applied: list[dict] = []

    def push(self, data: dict) -> None:
        self.applied.append(data)

    def undo(self) -> dict | None:
        return self.applied.pop() if self.applied else None

    def clear(self) -> None:
        self.applied = []

    @property
    def weights(self) -> dict | None:
        """The weights after the last step, or None when the dock has none of its own."""
        return self.applied[-1]["weights"] if self.applied else None

    def __len__(self) -> int:
        return len(self.applied)


def summary(data: dict) -> str:
    """The step in words: batch, optimizer, loss before and after, the rule."""
    before, after = data["loss_before"], data["loss_after"]
    change = "lower" if after < before else "not lower" if np.isfinite(after) else \
        "not a number: the learning rate is far too high"
    penalty = " (L includes the L1/L2 penalty of the settings)" if data["penalised"] else ""
    rule = data["rule"] if data["optimizer"] == "sgd" else \
        f"Not plain SGD, so the update is the optimizer's own rule. {data['rule']}"
    name = optimizer_label(data["optimizer"])
    return (f"One {name} step with lr {data['lr']:g} on this sample alone (a "
            f"batch of one). Loss on the sample: {before:.4g} before, {after:.4g} after "
            f"({change}). {rule}{penalty}.")


class UpdateView(QWidget):
    """The step applied: what it did to the loss and to every parameter."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.data: dict | None = None
        self.title = text_label("", "sectionTitle")
        self.text = text_label("", "helpText")
        self.text.setObjectName("stepSummary")
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("stepTable")
        self.table.setHorizontalHeaderLabels(["parameter", "shape", "‖Δw‖", "largest |Δw|"])
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setMinimumHeight(110)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.currentCellChanged.connect(lambda row, *_: self.select(row))
        self.picture = QLabel()
        self.picture.setObjectName("deltaMap")
        self.caption = text_label("", "helpText")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.text):
            layout.addWidget(widget)
        beside = QHBoxLayout()  # the table, and the selected tensor's Δw beside it
        beside.addWidget(self.table, 3)
        picture = QVBoxLayout()
        picture.addWidget(self.picture)
        picture.addWidget(self.caption)
        picture.addStretch(1)
        beside.addLayout(picture, 2)
        layout.addLayout(beside, 1)

    def show_step(self, data: dict, steps: int) -> None:
        self.data = data
        self.title.setText(f"Step {steps} applied to the traced sample")
        self.text.setText(f"{summary(data)} {UNCHANGED_RUN}")
        params = data["params"]
        self.table.setRowCount(len(params))
        for row, p in enumerate(params):
            delta = np.asarray(p["delta"])
            cells = (f"{p['block_name']} {p['name']}", "×".join(map(str, delta.shape)) or "1",
                     f"{p['norm']:.4g}", f"{np.abs(delta).max(initial=0.0):.4g}")
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.selectRow(0)
        self.select(0)

    def select(self, row: int) -> None:
        if self.data is None or not 0 <= row < len(self.data["params"]):
            return
        p = self.data["params"][row]
        delta, grad = np.asarray(p["delta"]), np.asarray(p["grad"])
        self.picture.setPixmap(matrix_picture(delta, title=f"Δ{p['name']}"))
        self.caption.setText(f"Δw of {p['block_name']} {p['name']} (a row per unit; blue "
                             f"up, orange down), {_example(p, delta, grad, self.data)}")


def _example(p: dict, delta: np.ndarray, grad: np.ndarray, data: dict) -> str:
    """The rule at the entry that moved most, with its numbers."""
    flat = int(np.abs(delta).argmax()) if delta.size else 0
    at = np.unravel_index(flat, delta.shape) if delta.ndim else ()
    where = f"{p['name']}[{', '.join(map(str, at))}]" if at else p["name"]
    g, d = float(grad.reshape(-1)[flat]), float(delta.reshape(-1)[flat])
    if data["optimizer"] == "sgd":
        return f"largest at {where}: Δw = −lr · dL/dw = −{data['lr']:g} × {g:.4g} = {d:.4g}."
    name = optimizer_label(data["optimizer"])
    return f"largest at {where}: dL/dw = {g:.4g}, Δw = {d:.4g} by {name}'s rule."
