"""Thumbnails of a trained network's output for the HTML report, without Qt.

:func:`probe` (in the grading worker) reduces the boundary probe of
:mod:`graph_engine.training.probes` to a few hundred small numbers that travel
as JSON; :func:`svg` (in the parent) draws them as an inline SVG: the decision
regions (or the prediction over the plane) with the test points, or the fitted
curve through them. Only numbers go into the SVG, each formatted here.
"""

from __future__ import annotations

import math

RESOLUTION = 20  # cells per side of a boundary thumbnail
MAX_POINTS = 80  # test points drawn
CURVE_POINTS = 60
SIZE = 96  # pixels per side
BUCKETS = 3  # shades of confidence (boundary) or value (heatmap: 5)
HEAT_BUCKETS = 5
COLOURS = ("#f28e2b", "#4e79a7", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948",
           "#ff9da7", "#9c755f", "#bab0ac")
SHADES = (0.2, 0.45, 0.75)


def probe(trainer) -> dict | None:
    """The thumbnail's data for a trained ``trainer``, or None if its data set has no
    picture of its input plane or curve (images and projections have no thumbnail)."""
    from ..data.views import OutputView, output_view
    from ..training.probes import boundary

    if output_view(trainer.data.info) not in (OutputView.BOUNDARY, OutputView.HEATMAP,
                                              OutputView.CURVE):
        return None
    found = boundary(trainer, resolution=RESOLUTION)
    if found is None:
        return None
    data = trainer.data
    step = max(1, len(data.x_test) // MAX_POINTS)
    x, y = data.x_test[::step][:MAX_POINTS], data.y_test[::step][:MAX_POINTS]
    bounds = [round(float(b), 4) for b in found["bounds"]]
    if found["kind"] == "curve":
        every = max(1, len(found["xs"]) // CURVE_POINTS)
        return {"kind": "curve", "bounds": bounds,
                "line": [[_r(a), _r(b)] for a, b in zip(found["xs"][::every],
                                                        found["ys"][::every], strict=True)],
                "points": [[_r(a[0]), _r(b.ravel()[0])] for a, b in zip(x, y, strict=True)]}
    if found["kind"] == "boundary":
        probs = found["probs"]
        best = probs.argmax(axis=2)
        bucket = ((probs.max(axis=2) - 1 / probs.shape[2]) * BUCKETS /
                  max(1 - 1 / probs.shape[2], 1e-9)).clip(0, BUCKETS - 1).astype(int)
        cells = (best * BUCKETS + bucket).tolist()
        points = [[_r(a[0]), _r(a[1]), int(b)] for a, b in zip(x, y, strict=True)]
    else:
        values = found["values"]
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) / (high - low) if high > low else values * 0
        cells = (scaled * HEAT_BUCKETS).clip(0, HEAT_BUCKETS - 1).astype(int).tolist()
        points = [[_r(a[0]), _r(a[1]), 0] for a in x]
    return {"kind": found["kind"], "bounds": bounds, "cells": cells, "points": points}


def _r(value) -> float:
    number = float(value)
    return round(number, 4) if math.isfinite(number) else 0.0


# ------------------------------------------------------------------ drawing

def svg(plot: dict | None, size: int = SIZE) -> str:
    """An inline ``<svg>`` for ``plot`` (from :func:`probe`), or "" if there is none
    or it is malformed (a report never fails on one thumbnail)."""
    if not plot:
        return ""
    try:
        body = _curve(plot, size) if plot["kind"] == "curve" else _grid(plot, size)
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError):
        return ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 {size} {size}" role="img">'
            f'<rect width="{size}" height="{size}" fill="#fff" stroke="#ccc"/>{body}</svg>')


def _grid(plot: dict, size: int) -> str:
    cells = plot["cells"]
    rows, heat = len(cells), plot["kind"] != "boundary"
    cell = size / rows
    parts = []
    for i, row in enumerate(cells):
        top = (rows - 1 - i) * cell  # row 0 is the lowest y
        start = 0
        for j in range(1, len(row) + 1):
            if j == len(row) or row[j] != row[start]:
                parts.append(f'<rect x="{start * cell:.1f}" y="{top:.1f}" '
                             f'width="{(j - start) * cell:.1f}" height="{cell:.1f}" '
                             f'{_fill(int(row[start]), heat)}/>')
                start = j
    parts = ['<g shape-rendering="crispEdges">', *parts, "</g>"]  # no seams between cells
    x0, x1, y0, y1 = (float(b) for b in plot["bounds"])
    for px, py, label in plot["points"]:
        cx = (float(px) - x0) / (x1 - x0) * size
        cy = size - (float(py) - y0) / (y1 - y0) * size
        colour = "#333" if heat else COLOURS[int(label) % len(COLOURS)]
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="1.6" fill="{colour}" '
                     'stroke="#222" stroke-width="0.3"/>')
    return "".join(parts)


def _fill(code: int, heat: bool) -> str:
    if heat:
        return f'fill="#4e79a7" fill-opacity="{0.1 + 0.8 * code / (HEAT_BUCKETS - 1):.2f}"'
    colour = COLOURS[(code // BUCKETS) % len(COLOURS)]
    return f'fill="{colour}" fill-opacity="{SHADES[code % BUCKETS]:.2f}"'


def _curve(plot: dict, size: int) -> str:
    line = [(float(a), float(b)) for a, b in plot["line"]]
    points = [(float(a), float(b)) for a, b in plot["points"]]
    x0, x1 = float(plot["bounds"][0]), float(plot["bounds"][1])
    ys = [b for _, b in line + points]
    y0, y1 = min(ys), max(ys)
    pad = (y1 - y0) * 0.05 or 1.0
    y0, y1 = y0 - pad, y1 + pad

    def at(a: float, b: float) -> str:
        return f"{(a - x0) / (x1 - x0) * size:.1f},{size - (b - y0) / (y1 - y0) * size:.1f}"

    dots = "".join(f'<circle cx="{at(a, b).split(",")[0]}" cy="{at(a, b).split(",")[1]}" '
                   'r="1.4" fill="#888"/>' for a, b in points)
    path = " ".join(at(a, b) for a, b in line)
    return dots + f'<polyline points="{path}" fill="none" stroke="#e15759" stroke-width="1.5"/>'
