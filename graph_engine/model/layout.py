"""Auto layout: a layered left-to-right arrangement computed from the graph.

Each block goes to the column of its longest path from a source; blocks in
a column are ordered by the mean row of their feeders (a barycentre pass),
so wires cross as little as such a simple method allows. A long chain wraps
like a line of text: the columns continue on a band below, starting at the
left again, with as many columns per band as make the whole drawing fill a
window of the given aspect ratio at the largest zoom.
"""

from __future__ import annotations

import math

import networkx as nx

from ..blocks.registry import Role
from .diagram import Diagram
from .graph import build_graph

COLUMN = 250.0  # from one column's left edge to the next (room for the wire's shape)
ROW = 130.0  # from one row to the next within a column
BAND_GAP = 64.0  # between two bands: room for the units drawn under a block
BLOCK = (190.0, 90.0)  # the size of a block on the canvas (the editor draws it so)
MARGIN = 40.0  # room planned around the drawing when choosing how many columns fit
ASPECT = 1.66  # width / height of the canvas in a 1400x880 window
UNWRAPPED = 4  # networks this many columns deep or less stay on one band


def layered_positions(diagram: Diagram, origin=(0.0, 0.0),
                      aspect: float = ASPECT) -> dict[str, tuple[float, float]]:
    graph = build_graph(diagram)
    layers = _layers(diagram, graph)
    rows: dict[str, float] = {}
    for members in layers:
        members.sort(key=lambda b: (diagram.block(b).spec.role == Role.TARGET,
                                    _barycentre(graph, b, rows)))
        offset = (len(members) - 1) / 2
        for index, block_id in enumerate(members):
            rows[block_id] = index - offset
    per_band = columns_per_band([len(m) for m in layers], aspect)
    tops = _band_tops(layers, rows, per_band)
    positions = {}
    for column, members in enumerate(layers):
        band, x = divmod(column, per_band)
        for block_id in members:
            positions[block_id] = (origin[0] + x * COLUMN,
                                   origin[1] + tops[band] + rows[block_id] * ROW)
    return positions


def columns_per_band(heights: list[int], aspect: float = ASPECT) -> int:
    """How many columns go on one band: the count whose drawing, fitted into a
    window of ``aspect``, comes out largest. ``heights``: blocks per column."""
    n = len(heights)
    if n <= UNWRAPPED:
        return max(n, 1)

    def scale(k: int) -> float:  # the window height the drawing needs
        bands = [max(heights[i:i + k]) for i in range(0, n, k)]
        width = (k - 1) * COLUMN + BLOCK[0] + 2 * MARGIN
        height = sum((b - 1) * ROW + BLOCK[1] for b in bands) + \
            (len(bands) - 1) * BAND_GAP + 2 * MARGIN
        return max(width / aspect, height)

    return min(range(UNWRAPPED, n + 1), key=lambda k: (scale(k), -k))


def _band_tops(layers: list[list[str]], rows: dict[str, float], per_band: int) -> list[float]:
    """The y of each band's middle row, bands stacked with BAND_GAP between them."""
    tops: list[float] = []
    y = 0.0
    for start in range(0, len(layers), per_band):
        band = [rows[b] for members in layers[start:start + per_band] for b in members]
        low, high = min(band, default=0.0), max(band, default=0.0)
        if tops:
            y += -low * ROW
        tops.append(y)
        y += high * ROW + BLOCK[1] + BAND_GAP
    return tops


def _layers(diagram: Diagram, graph: nx.DiGraph) -> list[list[str]]:
    """Columns by longest path; blocks on cycles are placed after the rest."""
    acyclic = graph.copy()
    while not nx.is_directed_acyclic_graph(acyclic):
        acyclic.remove_edge(*nx.find_cycle(acyclic)[0][:2])
    depth: dict[str, int] = {}
    for node in nx.topological_sort(acyclic):
        feeders = [depth[p] + 1 for p in acyclic.predecessors(node)]
        depth[node] = max(feeders, default=0)
    for block in diagram.blocks:  # a Target sits in its loss's column, below it
        if block.spec.role == Role.TARGET:
            users = [depth[s] for s in acyclic.successors(block.id)]
            depth[block.id] = max(users) if users else depth[block.id]
    layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for block in diagram.blocks:
        layers[depth[block.id]].append(block.id)
    return layers


def _barycentre(graph: nx.DiGraph, block_id: str, rows: dict[str, float]) -> float:
    placed = [rows[p] for p in graph.predecessors(block_id) if p in rows]
    return sum(placed) / len(placed) if placed else 0.0


def free_position(diagram: Diagram, near: tuple[float, float], step: float = 20.0,
                  size: tuple[float, float] = BLOCK) -> tuple[float, float]:
    """The point nearest ``near`` (on a ``step`` grid) where a new block of
    ``size`` overlaps none, with a gap of ``step`` around each: where a block
    added by double-click or Enter lands, never on top of another."""
    width, height = size[0] + step, size[1] + step
    taken = [b.position for b in diagram.blocks]

    def free(x: float, y: float) -> bool:
        return all(abs(x - bx) >= width or abs(y - by) >= height for bx, by in taken)

    x0, y0 = round(near[0] / step) * step, round(near[1] / step) * step
    for ring in range(0, 200):
        candidates = [(x0 + dx * step, y0 + dy * step)
                      for dx in range(-ring, ring + 1) for dy in range(-ring, ring + 1)
                      if max(abs(dx), abs(dy)) == ring]
        spots = [c for c in candidates if free(*c)]
        if spots:
            return min(spots, key=lambda c: ((c[0] - near[0]) ** 2 + (c[1] - near[1]) ** 2,
                                             c[1], c[0]))
    return x0, y0


def room_for(diagram: Diagram, at: tuple[float, float], step: float = 20.0,
             size: tuple[float, float] = BLOCK) -> tuple[tuple[float, float],
                                                         dict[str, tuple[float, float]]]:
    """Where a block put into a wire at ``at`` goes, and where its neighbours move so
    it lands on none: as a word typed into a line of text, it goes after a block it
    would cover from the left (the wire's source), and the blocks after it in its
    row (the wire's target and what follows) move right by as much as it needs,
    on the ``step`` grid. Blocks in other rows stay."""
    width, height = size[0] + step, size[1] + step
    row = [b for b in diagram.blocks if abs(b.position[1] - at[1]) < height]
    x = max([at[0], *(b.position[0] + width for b in row
                      if b.position[0] <= at[0] < b.position[0] + width)])
    x = math.ceil(x / step) * step
    after = [b for b in row if b.position[0] > at[0] or b.position[0] >= x]
    covered = [b.position[0] for b in after if b.position[0] < x + width]
    if not covered:
        return (x, at[1]), {}
    shift = math.ceil((x + width - min(covered)) / step) * step
    return (x, at[1]), {b.id: (b.position[0] + shift, b.position[1]) for b in after}
