"""Graph analysis of a diagram: order, cycles and the feature size of every wire.

:func:`analyze` runs once per validation and is shared by the checks, the
lints and the compiler. It never raises on a broken diagram: whatever cannot
be worked out is left as ``None`` and reported by the checks.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx

from ..blocks.registry import LossSpec, PortKind, PortSpec, Role, ShapeError
from ..model.diagram import Block, Diagram, Wire
from ..model.graph import build_graph

if TYPE_CHECKING:  # the data package is imported only when a diagram names a data set
    from ..data.dataset import DatasetInfo


@dataclass
class Analysis:
    diagram: Diagram
    graph: nx.DiGraph
    order: list[str]  # acyclic blocks, inputs before the blocks they feed
    cycles: list[list[str]]
    features: dict[str, int | None]  # output features per block
    shape_errors: dict[str, str]
    into: dict[str, list[Wire]]  # wires into each block, in wire order
    out_of: dict[str, list[Wire]]
    info: DatasetInfo | None = None  # the diagram's data set, if known
    dataset_error: str | None = None
    reachable: set[str] = field(default_factory=set)  # fed (transitively) by an Input
    _by_role: dict[Role, list[Block]] | None = field(default=None, repr=False)
    _tensor_inputs: dict[str, list[Wire]] = field(default_factory=dict, repr=False)

    def block(self, block_id: str) -> Block:
        return self.diagram.block(block_id)

    def tensor_inputs(self, block_id: str) -> list[Wire]:
        """Wires into the block's tensor ports (not a loss's target)."""
        if block_id not in self._tensor_inputs:  # asked many times per block: once is enough
            spec = self.block(block_id).spec
            kinds = {p.name: p.kind for p in spec.inputs}
            self._tensor_inputs[block_id] = [w for w in self.into.get(block_id, [])
                                             if kinds.get(w.dst_port) != PortKind.TARGET]
        return list(self._tensor_inputs[block_id])

    def port_counts(self, block: Block) -> list[tuple[PortSpec, int]]:
        """Each input port of ``block`` with the number of wires into it."""
        wires = self.into.get(block.id, [])
        return [(port, sum(1 for w in wires if w.dst_port == port.name))
                for port in block.spec.inputs]

    def source(self, block_id: str) -> Block | None:
        """The block feeding a single-input block, if wired."""
        wires = self.tensor_inputs(block_id)
        return self.block(wires[0].src) if len(wires) == 1 else None

    def upstream(self, block_id: str, through) -> Block | None:
        """The first block up the single-input chain from ``block_id`` that
        ``through(block)`` does not pass over; None at a merge, an open port or a loop."""
        current, seen = self.source(block_id), {block_id}
        while current is not None and through(current):
            if current.id in seen:  # a loop upstream must not hang validation
                return None
            seen.add(current.id)
            current = self.source(current.id)
        return current

    def input_features(self, block_id: str) -> int | None:
        wires = self.tensor_inputs(block_id)
        return self.features.get(wires[0].src) if len(wires) == 1 else None

    def param_count(self, block_id: str) -> int:
        """The block's trainable parameters; 0 while its input size is unknown."""
        features = self.input_features(block_id)
        block = self.block(block_id)
        return block.spec.param_count(block.params, features) if features else 0

    def blocks_with_role(self, role: Role) -> list[Block]:
        # asked a dozen times per validation: group the blocks by role once
        if self._by_role is None:
            self._by_role = {}
            for b in self.diagram.blocks:
                self._by_role.setdefault(b.spec.role, []).append(b)
        return list(self._by_role.get(role, []))

    def losses(self) -> list[tuple[Block, LossSpec]]:
        """Each loss block with how it reads its input and target."""
        return [(b, b.spec.loss) for b in self.blocks_with_role(Role.LOSS)
                if b.spec.loss is not None]  # the registry gives every loss one


def find_knots(graph: nx.DiGraph) -> tuple[list[list[str]], set[str]]:
    """One cycle per strongly connected knot (a list of block ids, to report),
    and every block inside a knot (not only those on the reported cycle)."""
    cycles, knotted = [], set()
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1 or any(graph.has_edge(n, n) for n in component):
            cycles.append([edge[0] for edge in nx.find_cycle(graph.subgraph(component))])
            knotted |= component
    return cycles, knotted


def topological_order(diagram: Diagram, graph: nx.DiGraph, cyclic: set[str]) -> list[str]:
    """Blocks off any cycle, sorted so ties keep the diagram's block order."""
    # Kahn's algorithm on plain dicts: networkx's lexicographical sort over a
    # subgraph view does the same, several times slower on a large diagram.
    rank = {b.id: i for i, b in enumerate(diagram.blocks)}
    indegree = {n: 0 for n in graph if n not in cyclic}
    for node in indegree:
        for child in graph.succ[node]:
            if child in indegree:
                indegree[child] += 1
    ready = [(rank[n], n) for n, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        node = heapq.heappop(ready)[1]
        order.append(node)
        for child in graph.succ[node]:
            if child in indegree:
                indegree[child] -= 1
                if indegree[child] == 0:
                    heapq.heappush(ready, (rank[child], child))
    return order


def analyze(diagram: Diagram) -> Analysis:
    graph = build_graph(diagram)
    cycles, cyclic = find_knots(graph)
    into: dict[str, list[Wire]] = {}
    out_of: dict[str, list[Wire]] = {}
    for wire in diagram.wires:
        into.setdefault(wire.dst, []).append(wire)
        out_of.setdefault(wire.src, []).append(wire)
    order = topological_order(diagram, graph, cyclic)
    result = Analysis(diagram, graph, order, cycles, {}, {}, into, out_of)
    _dataset_info(result)
    _infer_features(result)
    _reachability(result)
    return result


def _dataset_info(result: Analysis) -> None:
    if result.diagram.dataset is None:
        return
    from ..data import datasets

    try:
        result.info = datasets.info(result.diagram.dataset)
    except ValueError as error:
        result.dataset_error = str(error)


def _infer_features(result: Analysis) -> None:
    for block_id in result.order:
        block = result.block(block_id)
        spec = block.spec
        if spec.role == Role.INPUT:
            result.features[block_id] = spec.shape(block.params, [])
            continue
        if spec.role == Role.TARGET:
            result.features[block_id] = result.info.outputs if result.info else None
            continue
        wired = [result.features.get(w.src) for w in result.tensor_inputs(block_id)]
        inputs = [f for f in wired if f is not None]
        if not wired or len(inputs) < len(wired) or _overfull(block, result):
            result.features[block_id] = None
        elif spec.role in (Role.LOSS, Role.OUTPUT):
            result.features[block_id] = inputs[0]
        else:
            result.features[block_id] = _apply_rule(result, block, inputs)


def _overfull(block: Block, result: Analysis) -> bool:
    return any(port.max_wires is not None and count > port.max_wires
               for port, count in result.port_counts(block))


def _apply_rule(result: Analysis, block: Block, inputs: list[int]) -> int | None:
    try:
        return int(block.spec.shape(block.params, inputs))
    except ShapeError as error:
        result.shape_errors[block.id] = str(error)
        return None


def _reachability(result: Analysis) -> None:
    starts = [b.id for b in result.blocks_with_role(Role.INPUT)]
    seen: set[str] = set(starts)
    stack = list(starts)
    while stack:
        for wire in result.out_of.get(stack.pop(), []):
            if wire.dst not in seen:
                seen.add(wire.dst)
                stack.append(wire.dst)
    result.reachable = seen


def wire_features(result: Analysis, wire: Wire) -> int | None:
    """Feature size a wire carries (None while unknown); the editor shows N×F."""
    return result.features.get(wire.src)
