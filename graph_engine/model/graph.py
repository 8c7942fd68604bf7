"""A diagram as a networkx graph: one node per block, one edge per wire."""

from __future__ import annotations

import networkx as nx

from .diagram import Diagram


def build_graph(diagram: Diagram) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(b.id for b in diagram.blocks)
    graph.add_edges_from((w.src, w.dst) for w in diagram.wires)
    return graph
