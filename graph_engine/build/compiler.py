"""Compilation: a valid diagram becomes a real ``torch.nn.Module``.

The module is a ``torch.fx.GraphModule`` built from the :mod:`plan`: its
``forward`` is straight-line code calling the submodules in topological
order, exactly what one would write by hand, with no interpreter loop.
The loss is a separate criterion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import fx, nn

from ..blocks.registry import LossSpec
from ..checks.analysis import Analysis
from ..checks.validation import checked
from ..core.diagnostics import DiagramError
from ..model.diagram import Diagram
from .initialize import initialize
from .plan import Plan, make_plan


@dataclass
class CompiledNet:
    model: nn.Module  # (N, features) -> the tensor the loss receives
    loss_fn: nn.Module | None
    plan: Plan
    modules: dict[str, nn.Module] = field(default_factory=dict)  # block id -> module
    diagnostics: list = field(default_factory=list)  # warnings and hints

    @property
    def loss_spec(self) -> LossSpec | None:
        if self.plan.loss is None:
            return None
        return self.plan.analysis.block(self.plan.loss).spec.loss

    @property
    def info(self):
        return self.plan.analysis.info

    def intermediates(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every model block's output for input ``x``, block by block."""
        return run_blocks(self, x)


def compile(diagram: Diagram, seed: int | None = None, analysis: Analysis | None = None,  # noqa: A001 - ge.compile
            problems: list | None = None) -> CompiledNet:
    """Build the module and criterion, its dense layers initialised as the
    diagram's training setting ``init`` says; raise DiagramError on any error. A
    caller that has analysed and validated the diagram already passes both."""
    analysis, problems = checked(diagram, analysis, problems)
    plan = make_plan(diagram, analysis)
    if plan.output is None:
        raise DiagramError([*problems, _no_output()])
    if seed is not None:
        torch.manual_seed(seed)
    modules = {b: _build(plan, b) for s in plan.segments if not plan.is_merge(s)
               for b in s.block_ids}
    initialize(plan, modules, diagram.training.init)
    model = _graph_module(plan, plan.output, modules, _class_name(diagram))
    return CompiledNet(model, _build_loss(plan), plan, modules, problems)


def _no_output():
    from ..core.diagnostics import ERROR, Diagnostic

    return Diagnostic(ERROR, "no-output", "Nothing marks the network's prediction: wire it "
                      "into a loss or an Output block.")


def _build(plan: Plan, block_id: str) -> nn.Module:
    a = plan.analysis
    block = a.block(block_id)
    return block.spec.module(block.params, a.input_features(block_id) or 0)


def _build_loss(plan: Plan) -> nn.Module | None:
    if plan.loss is None:
        return None
    a = plan.analysis
    block = a.block(plan.loss)
    return block.spec.module(block.params, a.features.get(plan.loss) or 0)


def _graph_module(plan: Plan, output: str, modules: dict[str, nn.Module],
                  class_name: str) -> nn.Module:
    a = plan.analysis
    graph = fx.Graph()
    x = graph.placeholder("x")
    values: dict[str, fx.Node] = dict.fromkeys(plan.inputs, x)
    root: dict[str, nn.Module] = {}
    for segment in plan.segments:
        args = [values[i] for i in segment.inputs]
        if plan.is_merge(segment):
            node = graph.call_function(a.block(segment.last).spec.merge, (list(args),))
        else:
            parts = [modules[b] for b in segment.block_ids]
            root[segment.attr] = parts[0] if len(parts) == 1 else nn.Sequential(*parts)
            node = graph.call_module(segment.attr, tuple(args))
        values[segment.last] = node
    graph.output(values[output])
    module = NetModule(root, graph, class_name=class_name)
    module.graph.lint()  # fx's invariants: nodes in order, each module they call exists
    return module


class NetModule(fx.GraphModule):
    """A GraphModule called as any module is. fx wraps each call to print the
    generated code when it raises (and drops the traceback); that wrapper
    costs several microseconds a call, a few per cent of a small network's
    training step, so the compiled module would trail a hand-written one."""

    def recompile(self):
        code = super().recompile()
        # each instance has its own class; mypy sees a method replaced on every instance
        type(self).__call__ = nn.Module.__call__  # type: ignore[method-assign]
        return code


def _class_name(diagram: Diagram) -> str:
    from .codegen import class_name

    return class_name(diagram)


def run_blocks(net: CompiledNet, x: torch.Tensor) -> dict[str, torch.Tensor]:
    plan = net.plan
    a = plan.analysis
    values: dict[str, torch.Tensor] = dict.fromkeys(plan.inputs, x)
    for segment in plan.segments:
        if plan.is_merge(segment):
            spec = a.block(segment.last).spec
            values[segment.last] = spec.merge([values[i] for i in segment.inputs])
            continue
        value = values[segment.inputs[0]]
        for block_id in segment.block_ids:
            value = net.modules[block_id](value)
            values[block_id] = value
    return values

