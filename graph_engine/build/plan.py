"""The forward plan: how a diagram becomes the parts of an ``nn.Module``.

Both the compiler and the code exporter follow this plan, so the compiled
module and the exported source have the same attributes and the same
``state_dict`` keys. Maximal chains of single-input blocks become one
``nn.Sequential``; when the whole network is one chain it is ``self.layers``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..blocks.registry import Role
from ..checks.analysis import Analysis, analyze
from ..checks.validation import model_output
from ..model.diagram import Diagram


@dataclass
class Segment:
    """One step of ``forward``: a module (or Sequential) or a merge."""

    attr: str  # attribute (modules) or variable name (merges)
    block_ids: list[str]  # blocks in this step, in order
    inputs: list[str] = field(default_factory=list)  # ids of the blocks feeding it

    @property
    def last(self) -> str:
        return self.block_ids[-1]


@dataclass
class Plan:
    analysis: Analysis
    segments: list[Segment]
    output: str | None  # block whose output the model returns
    loss: str | None  # the loss block, if any
    inputs: list[str]  # Input blocks (all read the same x)
    features: int | None  # input features

    def is_merge(self, segment: Segment) -> bool:
        return self.analysis.block(segment.block_ids[0]).spec.role == Role.MERGE


def make_plan(diagram: Diagram, analysis: Analysis | None = None) -> Plan:
    a = analysis or analyze(diagram)
    output = model_output(a)
    losses = a.blocks_with_role(Role.LOSS)
    inputs = [b.id for b in a.blocks_with_role(Role.INPUT)]
    features = a.block(inputs[0]).params["features"] if inputs else None
    blocks = _model_blocks(a, output)
    segments = _segments(a, blocks, output)
    plan = Plan(a, segments, output, losses[0].id if losses else None, inputs, features)
    _name(plan)
    return plan


def parameter_count(analysis: Analysis) -> int:
    """The trainable parameters of the module the diagram compiles to, counted
    from the analysis alone (no torch): the blocks the model computes."""
    blocks = _model_blocks(analysis, model_output(analysis))
    return sum(analysis.param_count(block_id) for block_id in blocks)


def _model_blocks(a: Analysis, output: str | None) -> list[str]:
    """The blocks the model computes: the output and all it depends on."""
    if output is None:
        return []
    import networkx as nx

    needed = nx.ancestors(a.graph, output) | {output}
    skip = (Role.INPUT, Role.TARGET, Role.LOSS, Role.OUTPUT)
    return [b for b in a.order if b in needed and a.block(b).spec.role not in skip]


def _segments(a: Analysis, blocks: list[str], output: str | None) -> list[Segment]:
    members = set(blocks)
    segments: list[Segment] = []
    owner: dict[str, Segment] = {}
    for block_id in blocks:
        feeders = [w.src for w in a.tensor_inputs(block_id)]
        role = a.block(block_id).spec.role
        prev = owner.get(feeders[0]) if len(feeders) == 1 else None
        if role != Role.MERGE and prev is not None and _extends(a, prev, feeders[0], members,
                                                          output):
            prev.block_ids.append(block_id)
        else:
            prev = Segment("", [block_id], feeders)
            segments.append(prev)
        owner[block_id] = prev
    return segments


def _extends(a: Analysis, segment: Segment, feeder: str, members: set[str],
             output: str | None) -> bool:
    """A block joins its feeder's chain when it is that chain's only consumer."""
    if a.block(segment.block_ids[0]).spec.role == Role.MERGE or segment.last != feeder:
        return False
    consumers = [w.dst for w in a.out_of.get(feeder, []) if w.dst in members]
    return len(consumers) == 1 and feeder != output


def _name(plan: Plan) -> None:
    counts: dict[str, int] = {}
    single_chain = len(plan.segments) == 1 and len(plan.segments[0].block_ids) > 1
    for segment in plan.segments:
        if single_chain:
            stem = "layers"
        elif len(segment.block_ids) > 1:
            stem = "seq"
        else:
            stem = re.sub(r"[^a-z0-9]", "", plan.analysis.block(segment.last).type.lower())
        counts[stem] = counts.get(stem, 0) + 1
        segment.attr = stem if single_chain else f"{stem}{counts[stem]}"
