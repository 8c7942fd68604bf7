"""Backprop of one sample: every block's values forward and gradients backward.

:func:`trace` compiles the diagram (as ``ge.compile``), loads the weights and
runs the compiled module's own fx graph once on the sample, then calls
``backward`` once. Nothing of the maths is done here: autograd computes every
gradient. Hooks on the blocks' modules (and on the graph's merge calls) only
put an identity view on each wire and on each block's output, so
``retain_grad`` can hold the gradient of that one wire. A wire's view is what
the chain rule calls "dL/d this input of this block"; a block's output view
sums the gradients of all the wires that leave it, as autograd sums them.

Eval mode throughout: Dropout passes values through, BatchNorm uses its
running statistics, so one sample gives the numbers the trained network gives.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import fx

from ..blocks.registry import BlockSpec, LossTarget, PortKind, Role
from ..build.compiler import CompiledNet
from ..build.compiler import compile as compile_diagram
from ..build.weights import check_fit, load_weights
from ..core.diagnostics import DiagramError
from ..core.text import error_line
from ..model.diagram import Diagram, Wire
from .metrics import prepare_target

MAX_SAMPLES = 10_000  # a trace keeps every block's values: a small batch at most


class TraceError(ValueError):
    """A sample, a label or weights that cannot be traced; the message says why."""


class TraceDiagramError(DiagramError, TraceError):
    """The diagram has errors, so it has no network to trace (``.diagnostics``)."""


@dataclass
class BlockTrace:
    """One block of the trace; every tensor is detached, one row per sample."""

    block_id: str
    inputs: dict[str, torch.Tensor]  # port key -> what the block received
    output: torch.Tensor  # what it produced (a loss block: the loss)
    grad: torch.Tensor  # dL/d output
    grad_inputs: dict[str, torch.Tensor]  # port key -> dL/d that input (through this block)
    param_grads: dict[str, torch.Tensor] = field(default_factory=dict)  # name -> dL/d it
    params: dict[str, torch.Tensor] = field(default_factory=dict)  # name -> its value
    sources: dict[str, str] = field(default_factory=dict)  # port key -> the feeding block's id


@dataclass
class Trace:
    """The result of :func:`trace`."""

    loss: float | None  # None without a loss block or without a label
    order: list[str]  # block ids in the order the forward pass visits them
    blocks: dict[str, BlockTrace]
    prediction: str  # the block whose output is the network's prediction
    x: torch.Tensor  # the samples, (N, features)
    y: torch.Tensor | None  # the labels in the loss's form, or None
    # every wire into a traced block with its key in that block's ``inputs``
    wires: list[tuple[Wire, str]] = field(default_factory=list)

    @property
    def backward_order(self) -> list[str]:
        return self.order[::-1]


def trace(diagram: Diagram, x, y=None, weights=None, seed: int | None = None) -> Trace:
    """Follow ``x`` (one sample, or an (N, F) array) through ``diagram`` and back.

    ``y``: the label(s) in the data set's form (a class index, −1 or +1 for a data
    set with signed labels, or target values), or None; without it (or without a
    loss block) L is the sum of the network's output. ``weights``: None for the
    initial weights of ``seed`` (default: the diagram's training seed, where
    training starts), a state_dict of the compiled module, or the path of a
    .safetensors file NetCanvas saved. Raises TraceDiagramError (a DiagramError
    and a ValueError) for a diagram with errors, TraceError (a ValueError) for a
    sample, label or weights that do not fit."""
    net = compiled(diagram, diagram.training.seed if seed is None else seed)
    load_into(net.model, weights)
    xs = samples(x, net.plan.features or 0)
    ys = labels(y, net, len(xs))
    model = net.model
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            return _Recorder(net, xs).follow(ys)
    except RuntimeError as error:  # a loss refusing a NaN its input grew into, say
        raise TraceError(f"this sample cannot be traced through the network: "
                         f"{error_line(error, 200)}") from None
    finally:
        model.train(was_training)


def compiled(diagram: Diagram, seed: int) -> CompiledNet:
    """``ge.compile``; a diagram with errors raises TraceDiagramError."""
    try:
        return compile_diagram(diagram, seed)
    except DiagramError as error:
        raise TraceDiagramError(error.diagnostics) from None


def load_into(model: torch.nn.Module, weights) -> None:
    """Copy ``weights`` (None, a state_dict or a .safetensors path) into ``model``."""
    if weights is None:
        return
    if isinstance(weights, (str, os.PathLike)):
        load_weights(model, weights)
        return
    if not isinstance(weights, Mapping):
        raise TraceError("weights must be None, a state_dict or the path of a .safetensors "
                         f"file, not {type(weights).__name__}")
    try:
        tensors = {k: torch.as_tensor(np.asarray(v) if not isinstance(v, torch.Tensor) else v)
                   for k, v in weights.items()}
    except (TypeError, ValueError, RuntimeError) as error:
        raise TraceError(f"the weights are not arrays of numbers ({error})") from None
    check_fit(model, tensors)
    model.load_state_dict(tensors)


def samples(x, features: int) -> torch.Tensor:
    """``x`` as a float32 (N, features) tensor; TraceError if it does not fit."""
    try:
        values = _array(x)
    except (TypeError, ValueError):
        raise TraceError(f"a sample is {features} number(s), one per input feature; "
                         f"got {_short(x)}") from None
    if values.ndim <= 1:
        values = values.reshape(1, -1)
    if values.ndim != 2 or values.shape[1] != features or not len(values):
        shape = "×".join(str(n) for n in values.shape)
        raise TraceError(f"the network's Input takes {features} feature(s) per sample, but "
                         f"the sample has shape {shape}: give {features} number(s)")
    if len(values) > MAX_SAMPLES:
        raise TraceError(f"trace follows at most {MAX_SAMPLES} samples at once, "
                         f"not {len(values)}")
    return torch.as_tensor(_float32(values, "the sample"))


def _float32(values: np.ndarray, what: str) -> np.ndarray:
    """``values`` in the precision the network computes in, checked there: 1e39 is
    a finite float64 but an infinite float32."""
    with np.errstate(over="ignore"):
        narrow = values.astype(np.float32)
    if not np.isfinite(narrow).all():
        raise TraceError(f"{what} holds NaN, an infinite number or one beyond 32-bit floats' "
                         f"range (±{np.finfo(np.float32).max:.3g}), which the network "
                         "computes in")
    return narrow


def labels(y, net: CompiledNet, count: int) -> torch.Tensor | None:
    """``y`` in the form the loss reads, or None without a loss or a label."""
    spec = net.loss_spec
    if y is None or spec is None:
        return None
    try:
        values = _array(y)
    except (TypeError, ValueError):
        raise TraceError(f"a label is a number, not {_short(y)}") from None
    values = _float32(values, "the label").astype(np.float64)
    output = net.plan.output
    outputs = (net.plan.analysis.features.get(output) if output else None) or 1
    info = net.info
    signed = info is not None and info.signed
    classification = info.is_classification if info is not None else \
        spec.target != LossTarget.REGRESSION
    if classification:
        classes = info.classes if info is not None else \
            (2 if spec.target == LossTarget.BINARY else outputs)
        values = _class_labels(values.reshape(-1), count, classes, signed)
    else:
        if values.size != count * outputs:
            raise TraceError(f"the network predicts {outputs} value(s) per sample, so "
                             f"{count} sample(s) need {count * outputs} target value(s), "
                             f"not {values.size}")
        values = values.reshape(count, outputs)
    return prepare_target(values, spec, classification, outputs, signed)


def dataset_sample(diagram: Diagram, index: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``index`` of the test set of the diagram's data set: its features
    and its label. TraceError without a data set or for an index out of range."""
    from ..data import datasets

    if diagram.dataset is None:
        raise TraceError("the diagram has no data set to take a sample from: give the "
                         "sample's features instead")
    data = datasets.load(diagram.dataset)
    count = len(data.x_test)
    if not 0 <= index < count:
        raise TraceError(f"the test set of {data.info.name} has {count} samples, numbered "
                         f"0 to {count - 1}; there is no sample {index}")
    return data.x_test[index], data.y_test[index]


def _class_labels(values: np.ndarray, count: int, classes: int,
                  signed: bool = False) -> np.ndarray:
    """Class indices; with ``signed`` labels, −1 and +1 (the data set's form) or the
    class indices 0 and 1 (what ``dataset_sample`` gives), −1 read as class 0."""
    if values.size != count:
        raise TraceError(f"{count} sample(s) need {count} class label(s), not {values.size}")
    if signed:
        bad = values[~np.isin(values, (-1.0, 0.0, 1.0))]
        if bad.size:
            raise TraceError(f"a label of this data set is −1 or +1 (or its class index, 0 "
                             f"or 1), not {bad[0]:g}")
        return (values > 0).astype(np.int64)
    bad = values[(values != np.round(values)) | (values < 0) | (values >= classes)]
    if bad.size:
        raise TraceError(f"a class label is a whole number from 0 to {classes - 1}, "
                         f"not {bad[0]:g}")
    return values.astype(np.int64)


def _array(values) -> np.ndarray:
    """Numbers as a float64 array; a tensor too, even one that requires grad."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=np.float64)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _zeros_if_none(grad: torch.Tensor | None, like: torch.Tensor) -> torch.Tensor:
    return torch.zeros_like(like) if grad is None else grad


def _detached(tensors: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in tensors.items()}


class _Recorder(fx.Interpreter):
    """Runs the compiled module's graph node by node (the same submodules and
    merge functions, in the same order, as ``model(x)``) and records each block."""

    def __init__(self, net: CompiledNet, x: torch.Tensor) -> None:
        super().__init__(net.model, garbage_collect_values=False)
        self.net, self.a = net, net.plan.analysis
        if net.plan.output is None:  # compile refuses such a network; say so all the same
            raise TraceError("nothing marks the network's prediction")
        self.prediction: str = net.plan.output
        self.x = x.clone().requires_grad_(True)
        self.order: list[str] = []
        self.outputs: dict[str, torch.Tensor] = {}  # block id -> its output view
        self.inputs: dict[str, dict[str, torch.Tensor]] = {}  # block id -> port key -> view
        nodes = [n for n in self.graph.nodes if n.op not in ("placeholder", "output")]
        self.merges = {n.name: s.last for n, s in zip(nodes, net.plan.segments, strict=True)
                       if net.plan.is_merge(s)}
        self.node: fx.Node | None = None

    # ------------------------------------------------------------ forward
    def follow(self, y: torch.Tensor | None) -> Trace:
        for block_id in self.net.plan.inputs:
            self._output(block_id, self.x)
        handles = [h for block_id, module in self.net.modules.items()
                   for h in self._hook(block_id, module)]
        try:
            super().run(self.x)
        finally:
            for handle in handles:
                handle.remove()
        return self._finish(y)

    def _hook(self, block_id: str, module: torch.nn.Module):
        def before(_module, args):
            return tuple(self._inputs(block_id, list(args)))

        def after(_module, _args, output):
            return self._output(block_id, output)

        return (module.register_forward_pre_hook(before), module.register_forward_hook(after))

    def run_node(self, n: fx.Node):
        self.node = n
        return super().run_node(n)

    def call_function(self, target, args, kwargs):
        block_id = self.merges.get(self.node.name) if self.node is not None else None
        if block_id is None:  # the compiler makes a call only of a merge block
            return super().call_function(target, args, kwargs)
        merged = super().call_function(target, (self._inputs(block_id, list(args[0])),), kwargs)
        return self._output(block_id, merged)

    def _inputs(self, block_id: str, args: list[torch.Tensor]) -> list[torch.Tensor]:
        """A view of its own for each tensor the block receives, keyed by port."""
        views = {}
        for (key, wire), arg in zip(port_keys(self.a, block_id), args, strict=True):
            source = self.outputs[wire.src] if wire.src in self.net.plan.inputs else arg
            views[key] = _retained(source)
        self.inputs[block_id] = views
        return list(views.values())

    def _output(self, block_id: str, output: torch.Tensor) -> torch.Tensor:
        view = _retained(output)
        self.outputs[block_id] = view
        self.order.append(block_id)
        return view

    # ------------------------------------------------------------ backward
    def _finish(self, y: torch.Tensor | None) -> Trace:
        plan = self.net.plan
        prediction = self.outputs[self.prediction]
        marker = self._output_block(self.prediction)
        if marker is not None:  # the Output block passes the prediction through
            self.inputs[marker] = {_port(self.a.block(marker).spec): prediction}
            self.outputs[marker] = prediction
            self.order.append(marker)
        loss = None
        if y is not None and self.net.loss_fn is not None and plan.loss is not None:
            port = _port(self.a.block(plan.loss).spec)
            self.inputs[plan.loss] = {port: _retained(prediction)}
            loss = self.net.loss_fn(self.inputs[plan.loss][port], y)
            self._output(plan.loss, loss)
            total = self.outputs[plan.loss]
        else:
            total = prediction.sum()
        total.backward()
        blocks = {b: self._block(b) for b in self.order}
        if y is not None and plan.loss in blocks:
            port = _port(self.a.block(plan.loss).spec, PortKind.TARGET)
            blocks[plan.loss].inputs[port] = y.detach().clone()
            blocks[plan.loss].sources[port] = self._target_source(plan.loss, port)
        return Trace(None if loss is None else float(loss.detach()), list(self.order), blocks,
                     self.prediction, self.x.detach().clone(), y, self._wires(blocks))

    def _wires(self, blocks: dict[str, BlockTrace]) -> list[tuple[Wire, str]]:
        """Each wire into a traced block, keyed as in the block's ``inputs``."""
        found = [(w, key) for block_id in self.order for key, w in port_keys(self.a, block_id)]
        loss = self.net.plan.loss
        if loss in blocks:  # the labels' wire, from a Target block
            port = _port(self.a.block(loss).spec, PortKind.TARGET)
            found += [(w, port) for w in self.a.into.get(loss, []) if w.dst_port == port]
        return found

    def _output_block(self, prediction: str) -> str | None:
        for block in self.a.blocks_with_role(Role.OUTPUT):
            source = self.a.source(block.id)
            if source is not None and source.id == prediction:
                return block.id
        return None

    def _target_source(self, loss_id: str, port: str) -> str:
        """The Target block wired to the loss, or "" (the data set's labels)."""
        wires = [w for w in self.a.into.get(loss_id, []) if w.dst_port == port]
        return wires[0].src if wires else ""

    def _block(self, block_id: str) -> BlockTrace:
        output = self.outputs[block_id]
        inputs = self.inputs.get(block_id, {})
        module = self.net.modules.get(block_id)
        named = dict(module.named_parameters()) if module is not None else {}
        return BlockTrace(
            block_id, _detached(inputs), output.detach().clone(),
            _zeros_if_none(output.grad, output).detach().clone(),
            {k: _zeros_if_none(v.grad, v).detach().clone() for k, v in inputs.items()},
            {k: _zeros_if_none(p.grad, p).detach().clone() for k, p in named.items()},
            _detached(named), self._sources(block_id))

    def _sources(self, block_id: str) -> dict[str, str]:
        spec = self.a.block(block_id).spec
        if spec.role in (Role.OUTPUT, Role.LOSS):
            return {_port(spec): self.prediction}
        return {key: wire.src for key, wire in port_keys(self.a, block_id)}


def _port(spec: BlockSpec, kind: PortKind = PortKind.TENSOR) -> str:
    """The name of the block's first input port of ``kind``."""
    return next(p.name for p in spec.inputs if p.kind == kind)


def _retained(tensor: torch.Tensor) -> torch.Tensor:
    """An identity view of ``tensor`` that keeps its gradient after backward."""
    view = tensor.view_as(tensor)
    view.retain_grad()
    return view


def port_keys(a, block_id: str) -> list[tuple[str, Wire]]:
    """Each tensor wire into ``block_id`` with its key in ``inputs``: the port's
    name, or for a port that takes several wires (Add, Concat) the name and the
    wire's place, "input.0", "input.1", ... in wire order."""
    spec = a.block(block_id).spec
    counts: dict[str, int] = {}
    keys = []
    for wire in a.tensor_inputs(block_id):
        index = counts.get(wire.dst_port, 0)
        counts[wire.dst_port] = index + 1
        single = spec.input_port(wire.dst_port).max_wires == 1
        keys.append((wire.dst_port if single else f"{wire.dst_port}.{index}", wire))
    return keys
