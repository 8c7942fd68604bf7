"""The editor with a large diagram (figure 4, second half) and the output
plot's boundary update (figure 6), in an offscreen main window.

Opening is timed from ``files.open_path`` to the window painted: the file
read, the scene built (500 block items, their wires), the analysis and one
paint. A drag step is one mouse move of a block with the button held —
the item's move, its wires' new paths — and Qt painting what changed.
"""

from __future__ import annotations

import os
import tempfile
import time

import graph_engine as ge

from .common import WALL, Figure, median, ms, seconds
from .diagrams import residual_diagram
from .networks import playground_diagram
from .qt import application, close, main_window


def _open(app, window, path: str) -> None:
    window.files.open_path(path, ask=False)
    app.processEvents()  # deferred analysis, layout
    window.repaint()
    app.processEvents()


def _drag_steps(app, window, moves: int) -> list[float]:
    """Seconds per mouse move while dragging the block in the middle."""
    from PySide6.QtCore import QEvent, QPointF

    from .qt import LEFT, NO_BUTTON, send_mouse

    view, scene = window.view, window.scene
    blocks = window.document.diagram.blocks
    item = scene.blocks[blocks[len(blocks) // 2].id]
    view.centerOn(item)
    app.processEvents()
    start = item.sceneBoundingRect().center()
    send_mouse(view, QEvent.Type.MouseButtonPress, start)
    times = []
    for i in range(1, moves + 1):
        point = start + QPointF(4.0 * i, 2.0 * i)
        t = time.perf_counter()
        send_mouse(view, QEvent.Type.MouseMove, point, NO_BUTTON, LEFT)
        app.processEvents()  # Qt paints what the move changed
        times.append(time.perf_counter() - t)
    send_mouse(view, QEvent.Type.MouseButtonRelease, point, LEFT, NO_BUTTON)
    app.processEvents()
    window.document.undo_stack.undo()
    return times


def editor_figures(blocks: int = 500, rounds: int = 5, moves: int = 30) -> list[Figure]:
    app = application()
    window = main_window(app)
    folder = tempfile.mkdtemp(prefix="netcanvas-bench-")
    big, small = os.path.join(folder, "big.json"), os.path.join(folder, "small.json")
    ge.save(residual_diagram(blocks), big)
    ge.save(residual_diagram(10), small)
    opens = {"big": [], "small": []}
    for _ in range(rounds):
        for name, path in (("big", big), ("small", small)):
            opens[name].append(seconds(lambda p=path: _open(app, window, p), 1, WALL))
    _open(app, window, small)
    drag_small = median(_drag_steps(app, window, moves))
    _open(app, window, big)
    window.view.fit()
    drag_fit = median(_drag_steps(app, window, moves))
    window.view.set_zoom(1.0)
    drag_big = median(_drag_steps(app, window, moves))
    close(window)
    return [
        Figure("4.open", f"open and show the {blocks}-block diagram in the editor",
               ms(median(opens["big"])), "ms", goal=1000, higher_is_better=False,
               reference=f"a 10-block diagram: {ms(median(opens['small'])):.0f} ms",
               note="read, scene built, analysis, one paint"),
        Figure("4.drag", f"one drag step of a block in the {blocks}-block diagram",
               ms(drag_big), "ms", goal=16.7, higher_is_better=False,
               reference=f"10-block diagram {ms(drag_small):.1f} ms; zoomed out to show all "
                         f"{blocks} blocks {ms(drag_fit):.1f} ms",
               note="mouse move, wires follow, Qt repaints; goal: one 60 Hz frame"),
    ]


def boundary_figure(resolution: int = 200, rounds: int = 20) -> Figure:
    """Figure 6: the 200x200 boundary probe and its drawing in the output plot."""
    import torch

    from graph_engine.data import datasets
    from graph_engine.training import probes
    from graph_engine.training.trainer import Trainer

    torch.set_num_threads(1)
    app = application()
    window = main_window(app)
    d = playground_diagram()
    trainer = Trainer(ge.compile(d, seed=0), datasets.load(d.dataset), d.training,
                      track_gradients=False)
    for _ in range(20):
        trainer.run_epoch()
    output = window.training.output
    output.set_data(trainer.data)
    app.processEvents()
    evaluate, draw = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = probes.boundary(trainer, resolution=resolution)
        t1 = time.perf_counter()
        output.show_output(result)
        output.plot.viewport().repaint()
        t2 = time.perf_counter()
        evaluate.append(t1 - t0)
        draw.append(t2 - t1)
    close(window)
    total = [a + b for a, b in zip(evaluate, draw, strict=True)]
    return Figure("6.boundary-update", f"boundary update: {resolution}x{resolution} grid "
                  "evaluated, drawn, repainted", ms(median(total)), "ms", goal=20,
                  higher_is_better=False,
                  reference=f"evaluation {ms(median(evaluate)):.1f} ms + drawing and repaint "
                            f"{ms(median(draw)):.1f} ms",
                  note="the editor asks for 100x100 while training")
