"""Auto layout: a layered left-to-right arrangement computed from the graph.

Each block goes to the column of its longest path from a source; blocks in
a column are ordered by the mean row of their feeders (a barycentre pass),
so wires cross as little as such a simple method allows.
"""

from __future__ import annotations

import networkx as nx

from ..blocks.registry import Role
from .diagram import Diagram
from .graph import build_graph

COLUMN = 240.0
ROW = 120.0


def layered_positions(diagram: Diagram, origin=(0.0, 0.0)) -> dict[str, tuple[float, float]]:
    graph = build_graph(diagram)
    layers = _layers(diagram, graph)
    rows: dict[str, float] = {}
    positions = {}
    for column, members in enumerate(layers):
        members.sort(key=lambda b: (diagram.block(b).spec.role == Role.TARGET,
                                    _barycentre(graph, b, rows)))
        offset = (len(members) - 1) / 2
        for index, block_id in enumerate(members):
            rows[block_id] = index - offset
            positions[block_id] = (origin[0] + column * COLUMN,
                                   origin[1] + (index - offset) * ROW)
    return positions


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
