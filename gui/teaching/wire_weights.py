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

import numpy as np

from ..canvas.scene import DiagramScene
from ..document.document import Document
from ..plain_text import escape
from .hub import ProbeHub
from .overlay import RunOverlay

PROBE = "canvas.wire_weights"


class WireWeights(RunOverlay):
    probe, probe_fn = PROBE, "wire_weights"

    def __init__(self, hub: ProbeHub, scene: DiagramScene, document: Document) -> None:
        self.scene, self.document = scene, document
        super().__init__(hub, scene, "&Weights on Wires", "Ctrl+Shift+W",
                         "Colour each wire into a layer by the sign of its weights and draw "
                         "it as wide as they are large, as it trains")
        document.diagram_replaced.connect(self.clear)

    def clear(self) -> None:
        for item in self.scene.wires.values():
            item.set_weights(None)

    def draw(self, result: dict) -> None:
        layers = result.get("layers", {})
        for wire, item in self.scene.wires.items():
            summary = layers.get(wire.dst)
            item.set_weights(None if summary is None else
                             (summary, describe(self._name(wire.dst), summary)))

    def _name(self, block_id: str) -> str:
        diagram = self.document.diagram
        return diagram.block(block_id).name if block_id in diagram else block_id


def describe(name: str, summary: dict) -> str:
    """The tooltip: what the wire's colour and width stand for, and the numbers."""
    rows, cols = summary["shape"]
    sample = np.asarray(summary["sample"])
    cells = "".join("<tr>" + "".join(f"<td align='right'>{v:+.2f}</td>" for v in row) +
                    ("<td>…</td>" if cols > sample.shape[1] else "") + "</tr>" for row in sample)
    more = "<tr><td>⋮</td></tr>" if rows > sample.shape[0] else ""
    return (f"<b>{escape(name)}'s weights W</b> ({rows} × {cols}): what this wire's "
            f"values are multiplied by.<br>mean {summary['mean']:+.3g} · mean |w| "
            f"{summary['mean_abs']:.3g} · min {summary['min']:+.3g} · max "
            f"{summary['max']:+.3g}<br>Colour: the sign of the mean weight (grey when "
            "positive and negative weights balance); width: the mean |w|."
            f"<table cellspacing='4'>{cells}{more}</table>")
