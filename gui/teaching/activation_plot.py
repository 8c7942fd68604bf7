"""The inspector's activation plot: f(x) and its slope f′(x).

The curve is computed by the engine (autograd gives f′) in a background
thread, because the editor loads torch only when first needed. Activations
with learnable parameters (PReLU, a custom formula's alpha) also claim a
probe: once the network trains, the plot shows the learned shape.
"""

from __future__ import annotations

import threading

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout

from ..style import text_label
from ..tasks import run_in_background
from .hub import ProbeView

F_COLOUR, DF_COLOUR = "#111827", "#059669"
DASH = Qt.PenStyle.DashLine


_IMPORTING = threading.Lock()


def local_curve(type_name: str, params: dict, features: int) -> dict:
    """The untrained curve (parameters at their starting values). It runs on pool
    threads; two first imports of torch at once could meet a half-made module,
    so they take turns."""
    with _IMPORTING:
        from graph_engine.training.inspection import activation_curve, activation_module

    return activation_curve(activation_module(type_name, params, features), features)


def _probe_args(block, features: int) -> dict:
    return {"block_id": block.id, "features": features, "params": dict(block.params)}


class ActivationPlot(ProbeView):
    def __init__(self, hub, document, block, parent=None) -> None:
        analysis = document.analysis
        features = (analysis.input_features(block.id) if analysis else None) or 1
        learnable = block.spec.param_count(block.params, features) > 0
        super().__init__(hub, "inspector.activation", "activation" if learnable else None,
                         parent, **_probe_args(block, features))
        self.document, self.block_id, self.features = document, block.id, features
        self.setObjectName("activationPlot")
        self.setMinimumWidth(280)
        self.plot = pg.PlotWidget()
        self.plot.setFixedHeight(180)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "x")
        self.plot.addLegend(offset=(8, 8))
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#9CA3AF")))
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen("#9CA3AF")))
        self.f_curve = self.plot.plot([], [], pen=pg.mkPen(F_COLOUR, width=2.5), name="f(x)",
                                      connect="finite")
        self.df_curve = self.plot.plot([], [], pen=pg.mkPen(DF_COLOUR, width=2, style=DASH),
                                       name="f′(x)", connect="finite")
        self.caption = text_label("", "helpText")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        title = QLabel("<b>Activation and its slope</b>")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        layout.addWidget(self.plot)
        layout.addWidget(self.caption)
        self.curve: dict | None = None  # what is drawn
        self.trained = False
        self._key: tuple | None = None  # the block's curve being computed
        document.block_changed.connect(self._block_changed)
        self._compute()

    def _block_changed(self, block_id: str) -> None:
        if block_id != self.block_id or block_id not in self.document.diagram:
            return
        block = self.document.diagram.block(block_id)
        self.trained = False
        self.set_probe_args(**_probe_args(block, self.features))
        self._compute()

    def _compute(self) -> None:
        block = self.document.diagram.block(self.block_id)
        key = (block.type, tuple(sorted(block.params.items())), self.features)
        self._key = key
        args = (block.type, dict(block.params), self.features)

        def done(result):
            if self._key == key and not self.trained:
                self.draw(result, trained_epoch=None)

        run_in_background(lambda: local_curve(*args), done, self._failed, owner=self)

    def _failed(self, message: str) -> None:
        self.caption.setText(f"Cannot plot this activation: {message}")

    def show_result(self, result) -> None:
        if result is None and self.trained:  # a new run: back to the untrained curve
            self.trained = False
            self._key = None
            self._compute()
            return
        if not result or "error" in result or result.get("block_id") != self.block_id:
            return  # keep the untrained curve
        self.trained = True
        self.draw(result, trained_epoch=self.hub.controller.state.probe_epoch)

    def draw(self, curve: dict, trained_epoch: int | None) -> None:
        self.curve = curve
        self.f_curve.setData(curve["xs"], curve["f"])
        self.df_curve.setData(curve["xs"], curve["df"])
        self.caption.setText(self._describe(curve, trained_epoch))

    @staticmethod
    def _describe(curve: dict, trained_epoch: int | None) -> str:
        text = ("Dashed: the slope f′(x), computed by autograd — the factor backpropagation "
                "multiplies the gradient by at each input.")
        params = curve.get("params") or {}
        if params:
            values = ", ".join(f"{name} = {value:.3g}" for name, value in params.items())
            when = "starting values" if trained_epoch is None else \
                f"learned, epoch {trained_epoch}"
            text += f" Learnable: {values} ({when})."
        return text
