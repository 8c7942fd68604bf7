"""The data panel: choose the data set and its settings, with a preview.

Data sets come from the engine's registry: the built-in sets by name, then a
table file, points drawn by hand and classes from a function, each made the way
its origin says (a dialog, or the Output plot's drawing mode). Their settings
are editors generated from ``DATASET_PARAMS``, enabled where the data set reads
them. A change is one undo step; when the new data set has another number of
features, the Input blocks follow in the same step. The preview is generated off
the GUI thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from graph_engine.data import datasets
from graph_engine.data.catalogue import DATASETS
from graph_engine.data.registry import Origin
from graph_engine.data.spec import DATASET_PARAMS, DatasetSpec
from graph_engine.model.settings import TRAINING_PARAMS

from ..document import commands
from ..document.document import Document
from ..plots import CLASS_COLOURS
from ..style import text_label
from ..tasks import run_in_background
from .param_widgets import ParamEditor


class DataPanel(QWidget):
    preview_loaded = Signal(object)  # the chosen data set (a Dataset), or None
    draw_requested = Signal()  # "Points drawn by hand" chosen: the Output plot draws

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.choice = QComboBox()
        for kind in DATASETS:
            self.choice.addItem(kind.shown, kind.name)
            self.choice.setItemData(self.choice.count() - 1, kind.description,
                                    Qt.ItemDataRole.ToolTipRole)
        self.choice.activated.connect(self._chosen)
        self.description = text_label("", "helpText")
        self.editors = {p.name: ParamEditor(p, p.default, self) for p in DATASET_PARAMS}
        self.error = text_label("", "errorText")
        form = QFormLayout()
        form.addRow("Data set", self.choice)
        for name, editor in self.editors.items():
            editor.committed.connect(self._setting)
            editor.error_changed.connect(self.error.setText)
            form.addRow(name.replace("_", " "), editor.widget)
        self.training = {p.name: ParamEditor(p, p.default, self) for p in TRAINING_PARAMS}
        training_form = QFormLayout()
        for name, editor in self.training.items():
            editor.committed.connect(self._training_setting)
            editor.error_changed.connect(self.error.setText)
            training_form.addRow(name.replace("_", " "), editor.widget)
        title = QLabel("Training")
        title.setObjectName("sectionTitle")
        self.preview = pg.PlotWidget()
        self.preview.setMenuEnabled(False)
        self.preview.setMouseEnabled(x=False, y=False)
        self.preview.setMinimumHeight(160)
        self.points = pg.ScatterPlotItem(size=5, pen=None)
        self.preview.addItem(self.points)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.description)
        layout.addWidget(self.preview, 1)
        layout.addWidget(title)
        layout.addLayout(training_form)
        self._generation = 0
        document.diagram_replaced.connect(self.show_dataset)
        document.analysed.connect(self._maybe_refresh)
        self._shown: DatasetSpec | None = None
        self.show_dataset()

    # ------------------------------------------------------------ showing
    def _maybe_refresh(self) -> None:
        if self.document.diagram.dataset != self._shown:
            self.show_dataset()
        else:
            self.show_training()

    def show_training(self) -> None:
        settings = self.document.diagram.training
        for name, editor in self.training.items():
            editor.set_value(getattr(settings, name))

    def _training_setting(self, name: str, value) -> None:
        commands.set_training(self.document, name, value)
        if self.document.refusal:  # out of bounds, or fixed by an exercise
            self.show_training()
            self.error.setText(f"{self.document.refusal}.")

    def show_dataset(self) -> None:
        self.show_training()
        spec = self.document.diagram.dataset
        self._shown = spec
        name = spec.name if spec else None
        index = self.choice.findData(name) if name else -1
        self.choice.setCurrentIndex(index)
        reads = DATASETS[spec.name].keys if spec else ()
        for key, editor in self.editors.items():
            editor.set_value(getattr(spec, key) if spec else editor.spec.default)
            editor.widget.setEnabled(key in reads or (spec is not None and key == "labels"))
        self.error.setText("")
        if spec is None:
            self.description.setText("No data set yet: choose one to train on.")
            self.points.setData([])
            self.preview_loaded.emit(None)
            return
        self.description.setText(self._describe(spec))
        self._load_preview(spec)

    def _describe(self, spec: DatasetSpec) -> str:
        try:
            info = datasets.info(spec)
        except ValueError as error:
            return f"This data set cannot be used yet: {error}"
        kind = f"{info.classes} classes" if info.is_classification else "regression"
        note = f" Reading it: {info.note}" if info.note else ""
        return f"{info.description} {info.features} features, {kind}.{note}"

    def _load_preview(self, spec: DatasetSpec) -> None:
        self._generation += 1
        generation = self._generation
        run_in_background(lambda: datasets.load(spec),
                          lambda data: self._show_points(data, generation),
                          lambda message: self.error.setText(message), owner=self)

    def _show_points(self, data, generation: int) -> None:
        if generation != self._generation:
            return  # a newer choice is on its way
        x, y = data.x_all, data.y_all
        if x.shape[1] >= 2:
            px, py = x[:, 0], x[:, 1]
        else:
            px, py = x[:, 0], y.reshape(-1)
        if data.info.is_classification:
            # one brush per class, shared: pyqtgraph renders a symbol per distinct brush
            palette = [pg.mkBrush(c) for c in CLASS_COLOURS]
            brushes = [palette[int(c) % len(palette)] for c in y]
        else:
            brushes = [pg.mkBrush("#2563EB")] * len(x)
        self.points.setData(px, py, brush=brushes)
        self.preview.setTitle(f"{len(x)} samples" + (" (first two features)"
                                                    if x.shape[1] > 2 else ""), size="9pt")
        self.preview_loaded.emit(data)

    # ------------------------------------------------------------ changing
    def _chosen(self, index: int) -> None:
        kind, current = DATASETS[self.choice.itemData(index)], self.document.diagram.dataset
        if kind.origin == Origin.DRAWN:
            self.show_dataset()  # the drawing makes the data set, from the points shown
            self.draw_requested.emit()
            return
        if kind.origin == Origin.GENERATED:
            spec: DatasetSpec | None = DatasetSpec(kind.name, **self._kept(current, kind.keys))
        else:
            spec = self._made_in_dialog(kind.origin, current)
        if spec is None:
            self.show_dataset()
            return
        self.apply(spec)

    def _kept(self, current: DatasetSpec | None, reads: tuple[str, ...]) -> dict:
        """The settings of the data set shown that the next one reads too."""
        if current is None:
            return {}
        keep = {k: getattr(current, k) for k in self.editors
                if (k in reads and k in DATASETS[current.name].keys) or k == "labels"}
        if keep.get("samples") == DATASETS[current.name].samples:
            del keep["samples"]  # the old set's own count: the new one takes its own
        return keep

    def _made_in_dialog(self, origin: Origin, current: DatasetSpec | None) -> DatasetSpec | None:
        if origin == Origin.TABLE:
            from .csv_dialog import choose_csv

            return choose_csv(self, current)
        from .function_dialog import choose_function

        return choose_function(self, current)

    def _setting(self, name: str, value) -> None:
        spec = self.document.diagram.dataset
        if spec is not None:
            self.apply(lambda: spec.with_(**{name: value}))

    def apply(self, spec: DatasetSpec | Callable[[], DatasetSpec]) -> None:
        """One undo step: the new data set (or what makes it: the spec checks its
        settings), and Input blocks resized to it; a refusal is shown below the fields."""
        diagram = self.document.diagram

        def make() -> QUndoCommand | None:
            new = spec() if callable(spec) else spec
            if new == diagram.dataset:
                return None
            features = datasets.info(new).features  # a table that cannot be read refuses
            return commands.use_dataset(diagram, new, features, change_text(diagram.dataset, new))

        if self.document.apply(make, "Not changed") is None and self.document.refusal:
            self.show_dataset()
            self.error.setText(f"{self.document.refusal}.")


def change_text(old: DatasetSpec | None, new: DatasetSpec) -> str:
    """The undo step's name: the data set chosen, or the one setting changed."""
    if old is None or old.name != new.name:
        return f"Use data set {new.name}"
    changed = [k for k, v in new.to_dict().items() if old.to_dict().get(k) != v]
    values = new.to_dict()
    if any(isinstance(values[k], dict) for k in changed):  # the table's source or options
        path = next((values[k].get("path") for k in changed if isinstance(values[k], dict)
                     and values[k].get("path")), "")
        return f"Import {os.path.basename(path)}" if path else f"Change data set {new.name}"
    if len(changed) == 1:
        return f"Set {changed[0].replace('_', ' ')} of {new.name} to {values[changed[0]]}"
    return f"Change data set {new.name}"
