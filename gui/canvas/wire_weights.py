"""Weights on the wires, as TensorFlow Playground draws them: while and after
the network trains, a wire that feeds a layer with a weight matrix takes its
colour from the sign of that layer's mean weight (blue +, orange −, grey
when the signs balance) and its width from the mean |w|; hovering it shows
the numbers. A wire joins two blocks, not two units, so it shows the whole
matrix summarised, and says so.

View → Weights on Wires turns it on and off; the ``wire_weights`` probe runs
only while it is on, and a new run (New, Open, Reset, an edit) clears it.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

PROBE = "canvas.wire_weights"


class WireWeights(QObject):
    def __init__(self, window, hub) -> None:
        super().__init__(window)
        self.window, self.hub = window, hub
        self._last = None
        self._run: int | None = None
        self.action = QAction("&Weights on Wires", window)
        self.action.setCheckable(True)
        self.action.setChecked(True)
        self.action.setShortcut("Ctrl+Shift+W")
        self.action.setStatusTip("Colour each wire into a layer by the sign of its weights and "
                                 "draw it as wide as they are large, as it trains")
        self.action.toggled.connect(self._toggled)
        hub.controller.progressed.connect(self.refresh)
        hub.controller.run_changed.connect(self.refresh)
        window.document.diagram_replaced.connect(self.clear)
        self._toggled(True)

    def _toggled(self, on: bool) -> None:
        if on:
            self.hub.claim(PROBE, self, "wire_weights")
        else:
            self.hub.release(PROBE, self)
            self.clear()

    def clear(self) -> None:
        self._last = None
        for item in self.window.scene.wires.values():
            item.set_weights(None)

    def refresh(self) -> None:
        """Draw the newest summary of the run on screen; forget another run's."""
        run = self.hub.controller.state.run
        if run != self._run:
            self._run = run
            self.clear()
        if not self.action.isChecked():
            return
        result = self.hub.result(PROBE)
        if result is None or result is self._last or "layers" not in result:
            return
        self._last = result
        layers = result["layers"]
        for wire, item in self.window.scene.wires.items():
            summary = layers.get(wire.dst)
            item.set_weights(None if summary is None else
                             (summary, describe(self._name(wire.dst), summary)))

    def _name(self, block_id: str) -> str:
        diagram = self.window.document.diagram
        return diagram.block(block_id).name if block_id in diagram else block_id


def describe(name: str, summary: dict) -> str:
    """The tooltip: what the wire's colour and width stand for, and the numbers."""
    rows, cols = summary["shape"]
    sample = np.asarray(summary["sample"])
    cells = "".join("<tr>" + "".join(f"<td align='right'>{v:+.2f}</td>" for v in row) +
                    ("<td>…</td>" if cols > sample.shape[1] else "") + "</tr>" for row in sample)
    more = "<tr><td>⋮</td></tr>" if rows > sample.shape[0] else ""
    return (f"<b>{html.escape(name)}'s weights W</b> ({rows} × {cols}): what this wire's "
            f"values are multiplied by.<br>mean {summary['mean']:+.3g} · mean |w| "
            f"{summary['mean_abs']:.3g} · min {summary['min']:+.3g} · max "
            f"{summary['max']:+.3g}<br>Colour: the sign of the mean weight (grey when "
            "positive and negative weights balance); width: the mean |w|."
            f"<table cellspacing='4'>{cells}{more}</table>")
