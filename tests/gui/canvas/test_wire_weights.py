"""Weights on the wires: a wire into a layer with a weight matrix is drawn by
that layer's weights while the network trains (colour by the sign of the mean,
width by the mean |w|), says the numbers on hover, and goes back to a plain
wire on Reset, New or when turned off."""

from __future__ import annotations

import nets
import numpy as np
from guihelpers import step
from PySide6.QtGui import QColor, QPainter, QPixmap

import graph_engine as ge
from gui.canvas.items import NEGATIVE, POSITIVE


def _trained(window, qtbot):
    d, ids = nets.two_layer("Tanh", ge.DatasetSpec("circle", samples=100), 5)
    d.training = d.training.with_(optimizer="adam", lr=0.03, epochs=1000)
    window.document.replace(d)
    step(window, qtbot, 2)
    scene = window.scene
    into = {w.dst: item for w, item in scene.wires.items()}
    probes = window.training.controller.state.probes
    # drawn at the next frame: the newest result, once it is on the wire
    qtbot.waitUntil(lambda: into[ids["hidden"]].weights is not None and
                    into[ids["hidden"]].weights is
                    probes["canvas.wire_weights"]["layers"][ids["hidden"]], timeout=15000)
    return d, ids, into


def test_wires_into_dense_layers_show_their_weights(window, qtbot):
    d, ids, into = _trained(window, qtbot)
    controller = window.training.controller
    dense = {b.id for b in d.blocks if b.spec.dense}
    for block_id, item in into.items():
        assert (item.weights is not None) == (block_id in dense), block_id
    item = into[ids["hidden"]]
    weight = controller.state.probes["canvas.wire_weights"]["layers"][ids["hidden"]]
    assert item.weights is weight and tuple(weight["shape"]) == (5, 2)
    tip = item.toolTip()
    assert "Linear 1's weights W</b> (5 × 2)" in tip and f"{weight['mean_abs']:.3g}" in tip
    # What the student sees: the wire painted in the sign's colour, wider than a plain one.
    pen = _pen(item)
    signed = POSITIVE if weight["mean"] >= 0 else NEGATIVE
    other = NEGATIVE if weight["mean"] >= 0 else POSITIVE
    assert _distance(pen.color(), signed) < _distance(pen.color(), other)
    assert pen.widthF() == np.clip(2 + 8 * weight["mean_abs"], 2, 12)
    assert _painted(item, pen.color())


def test_weights_leave_the_wires_on_reset_new_and_when_turned_off(window, qtbot):
    _, ids, into = _trained(window, qtbot)
    weights = window.teaching.wire_weights
    window.training.toolbar.reset.trigger()
    qtbot.waitUntil(lambda: into[ids["hidden"]].weights is None, timeout=5000)
    assert into[ids["hidden"]].toolTip() == ""
    step(window, qtbot, 1)
    qtbot.waitUntil(lambda: into[ids["hidden"]].weights is not None, timeout=15000)
    weights.action.setChecked(False)
    assert all(item.weights is None for item in window.scene.wires.values())
    assert "canvas.wire_weights" not in window.training.controller.probes
    weights.action.setChecked(True)
    window.document.undo_stack.setClean()
    window.files.new()
    assert window.scene.wires == {}


def _pen(item):
    from gui.canvas.items import weight_pen

    return weight_pen(item.weights)


def _distance(a: QColor, b: QColor) -> float:
    return sum(abs(x - y) for x, y in zip(a.getRgbF()[:3], b.getRgbF()[:3], strict=True))


def _painted(item, colour: QColor) -> bool:
    """The wire's own picture holds its weight colour."""
    rect = item.boundingRect()
    pixmap = QPixmap(int(rect.width()) + 2, int(rect.height()) + 2)
    pixmap.fill(QColor("white"))
    painter = QPainter(pixmap)
    painter.translate(-rect.left(), -rect.top())
    item.paint(painter, None)
    painter.end()
    image = pixmap.toImage()
    return any(_distance(image.pixelColor(x, y), colour) < 0.05
               for x in range(image.width()) for y in range(image.height()))
