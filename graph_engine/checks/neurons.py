"""The network as units and weights: what the Neuron View draws, decided here.

TensorFlow Playground draws a network as columns of neurons joined by one
line per weight. :func:`neuron_graph` finds that picture in a diagram: the
inputs (the columns the first dense layer reads, feature maps such as x1² or
sin x1 included), then one layer of units per dense layer, each drawn as the
output of the blocks that follow it unit by unit (its activation, Dropout,
a normalisation), and merges whose units stay one to one (a residual Add, a
Concat). Each dense layer joins two layers by its weight matrix. Where units
cannot be followed any further (a block that changes their number without
weights), the graph stops and its note says why.

Plain Python over the analysis, no torch: the editor lays the view out from
it before any run, and the training process computes the pictures and
weights of the same layers (``training.probes.neuron_view``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..blocks.registry import Role
from .analysis import Analysis
from .validation import model_output

MAX_UNITS = 16  # units drawn per layer; a wider one shows them and "+N more"
INPUT, HIDDEN, OUTPUT = "input", "hidden", "output"


@dataclass
class NeuronLayer:
    """A column of units: the outputs of ``block_id`` (the last block of the layer)."""

    block_id: str
    units: int
    role: str  # INPUT, HIDDEN or OUTPUT
    dense: str | None = None  # the dense block whose weights compute it, if any

    @property
    def shown(self) -> int:
        return min(self.units, MAX_UNITS)

    @property
    def more(self) -> int:
        return self.units - self.shown


@dataclass(frozen=True)
class Link:
    """Lines from layer ``src`` into layer ``dst``: the weights of ``dense`` (unit j
    of dst from every unit i of src), or one to one (unit i to unit ``offset`` + i)."""

    src: int
    dst: int
    dense: str | None = None
    offset: int = 0


@dataclass
class NeuronGraph:
    layers: list[NeuronLayer] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    note: str = ""  # what is not drawn, and why ("" when the whole network is)

    def layer_of(self, block_id: str) -> int | None:
        return next((i for i, layer in enumerate(self.layers) if layer.block_id == block_id),
                    None)


def neuron_graph(a: Analysis) -> NeuronGraph:
    """The units and weights of the network the analysed diagram compiles to."""
    output = model_output(a)
    inputs = a.blocks_with_role(Role.INPUT)
    if output is None or not inputs or any(a.features.get(b) is None for b in a.order):
        return NeuronGraph(note="The neuron view draws a network that can train: wire it "
                                "from an Input to a loss and fix the problems listed first.")
    walk = _Walk(a)
    for block_id in _model_blocks(a, output):
        if not walk.add(block_id):
            break
    graph = _drop_unread_inputs(walk.graph)
    if not graph.links and not graph.note:
        graph.note = "This network has no weights between units to draw."
    last = graph.layer_of(output)
    if last is not None and graph.layers[last].role != INPUT:
        graph.layers[last].role = OUTPUT
    return graph


def _drop_unread_inputs(graph: NeuronGraph) -> NeuronGraph:
    """Only the inputs the network reads stay: of an Input and the feature maps made
    from it, the columns the first layer is computed from."""
    read = {link.src for link in graph.links}
    kept = [i for i, layer in enumerate(graph.layers) if layer.role != INPUT or i in read]
    index = {old: new for new, old in enumerate(kept)}
    links = [Link(index[k.src], index[k.dst], k.dense, k.offset) for k in graph.links
             if k.src in index and k.dst in index]
    return NeuronGraph([graph.layers[i] for i in kept], links, graph.note)


def _model_blocks(a: Analysis, output: str) -> list[str]:
    import networkx as nx

    needed = nx.ancestors(a.graph, output) | {output}
    return [b for b in a.order if b in needed and a.block(b).spec.role not in
            (Role.TARGET, Role.LOSS, Role.OUTPUT)]


class _Walk:
    """Blocks in forward order, each joining or making a layer of units."""

    def __init__(self, a: Analysis) -> None:
        self.a, self.graph = a, NeuronGraph()
        self.at: dict[str, int] = {}  # block id -> the layer its output is

    def add(self, block_id: str) -> bool:
        """Place one block; False when the units cannot be followed past it."""
        spec = self.a.block(block_id).spec
        feeders = [w.src for w in self.a.tensor_inputs(block_id)]
        if spec.role == Role.INPUT:
            self._layer(block_id, INPUT)
            return True
        if not feeders or any(f not in self.at for f in feeders):
            return self._stop(block_id, "is fed by something the view cannot draw")
        layers = [self.at[f] for f in feeders]
        if spec.dense:
            dst = self._layer(block_id, HIDDEN, dense=block_id)
            self.graph.links.append(Link(layers[0], dst, dense=block_id))
            return True
        if all(self.graph.layers[i].role == INPUT for i in layers):
            self._layer(block_id, INPUT)  # a feature map: new inputs, as Playground's x1²
            return True
        return self._join(block_id, feeders, layers)

    def _join(self, block_id: str, feeders: list[str], layers: list[int]) -> bool:
        """A block after a hidden layer: the same units (an activation), or a merge
        whose units come one to one from its inputs' (Add, Concat)."""
        a, graph = self.a, self.graph
        units = a.features[block_id]
        widths = [graph.layers[i].units for i in layers]
        if len(layers) == 1 and units == widths[0] and self._only_consumer(feeders[0]):
            graph.layers[layers[0]].block_id = block_id  # its picture: after the activation
            self.at[block_id] = layers[0]
            return True
        if units == sum(widths) and len(layers) > 1:
            offsets = [sum(widths[:i]) for i in range(len(widths))]
        elif all(width == units for width in widths):
            offsets = [0] * len(widths)
        else:
            return self._stop(block_id, "changes the number of units without weights")
        dst = self._layer(block_id, HIDDEN)
        graph.links.extend(Link(src, dst, offset=o) for src, o in zip(layers, offsets,
                                                                      strict=True))
        return True

    def _only_consumer(self, feeder: str) -> bool:
        layer = self.graph.layers[self.at[feeder]]
        return layer.block_id == feeder and len(self.a.out_of.get(feeder, [])) == 1

    def _layer(self, block_id: str, role: str, dense: str | None = None) -> int:
        units = self.a.features[block_id] or 0
        self.graph.layers.append(NeuronLayer(block_id, units, role, dense))
        self.at[block_id] = len(self.graph.layers) - 1
        return self.at[block_id]

    def _stop(self, block_id: str, why: str) -> bool:
        name = self.a.block(block_id).name
        self.graph.note = (f"{name} {why}: the view stops before it (the block view shows "
                           "the whole network).")
        return False
