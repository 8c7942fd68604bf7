"""A trace as text and as plain data: what ``python main.py trace`` prints.

The text is a table, block by block: forward (what each block received and
produced), then backward in reverse order (the gradient at each block's
output, at each of its inputs and at each of its parameters). A tensor of a
few numbers is printed in full; a larger one by its shape and its norm.
:func:`as_data` gives every number, for ``--json`` (through :func:`finite_json`)
and for other processes.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..blocks.registry import REGISTRY, Role
from ..model.diagram import Diagram
from .trace import BlockTrace, Trace

SMALL = 8  # numbers printed in full; a larger tensor is printed by its shape and norm


def number(value: float) -> str:
    return f"{value:.4g}"


def tensor_text(tensor: torch.Tensor) -> str:
    """``[0.5, -1.2]`` for a few numbers, ``(64, 32) norm 3.142`` for more."""
    values = tensor.detach()
    if values.numel() == 1:
        return number(float(values.reshape(-1)[0]))
    if values.numel() <= SMALL:
        rows = values.reshape(-1, values.shape[-1]) if values.dim() else values.reshape(1, 1)
        text = "; ".join(", ".join(number(float(v)) for v in row) for row in rows)
        return f"[{text}]"
    shape = "×".join(str(n) for n in values.shape)
    return f"({shape}) norm {number(float(values.norm()))}"


def _name(diagram: Diagram, block_id: str) -> str:
    return diagram.block(block_id).name if block_id in diagram else block_id


def lines(t: Trace, diagram: Diagram, heading: str = "") -> list[str]:
    """The table: a heading, forward block by block, backward block by block, the loss."""
    width = max((len(_name(diagram, b)) for b in t.order), default=0) + 2
    out = [heading] if heading else []
    out.append(f"x = {tensor_text(t.x)}" + ("" if t.y is None else
                                           f"   y = {tensor_text(t.y)}"))
    out += ["", "Forward: the value each block computes"]
    for block_id in t.order:
        entry = t.blocks[block_id]
        out.append("  " + _name(diagram, block_id).ljust(width) +
                   f"{tensor_text(entry.output)}{_came_from(entry, diagram)}")
    what = "the loss" if t.loss is not None else \
        "the sum of the network's output (no label, or no loss block)"
    out += ["", f"Backward: dL/d each value, where L is {what}"]
    for block_id in t.backward_order:
        rows = _backward(t.blocks[block_id], diagram)
        out.append("  " + _name(diagram, block_id).ljust(width) + rows[0])
        out += [" " * (width + 2) + row for row in rows[1:]]
    if t.loss is not None:
        out += ["", f"loss {number(t.loss)}"]
    return out


def _came_from(entry: BlockTrace, diagram: Diagram) -> str:
    """Where the block's inputs came from; a loss's labels by their value."""
    parts = []
    for key, source in entry.sources.items():
        if key in entry.grad_inputs:
            parts.append(_name(diagram, source))
        else:
            parts.append(f"{key} {tensor_text(entry.inputs[key])}")
    return f"   (from {', '.join(parts)})" if parts else ""


def _backward(entry: BlockTrace, diagram: Diagram) -> list[str]:
    named = [("output", entry.grad)]
    named += [(f"{key} (from {_name(diagram, entry.sources[key])})" if key in entry.sources
               else key, grad) for key, grad in entry.grad_inputs.items()]
    named += list(entry.param_grads.items())
    width = max(len(name) for name, _ in named)
    return [f"dL/d {name.ljust(width)} = {tensor_text(grad)}" for name, grad in named]


def _numbers(tensor: torch.Tensor):
    return tensor.detach().tolist()


def _all(tensors: dict[str, torch.Tensor]) -> dict:
    return {k: _numbers(v) for k, v in tensors.items()}


def as_data(t: Trace, diagram: Diagram) -> dict:
    """Every number of the trace as lists, with each block's name and type."""
    blocks = []
    for block_id in t.order:
        entry = t.blocks[block_id]
        blocks.append({
            "id": block_id, "name": _name(diagram, block_id),
            "type": diagram.block(block_id).type if block_id in diagram else "",
            "inputs": _all(entry.inputs), "sources": dict(entry.sources),
            "output": _numbers(entry.output), "grad": _numbers(entry.grad),
            "grad_inputs": _all(entry.grad_inputs), "param_grads": _all(entry.param_grads),
            "params": _all(entry.params),
        })
    return {"loss": t.loss, "x": _numbers(t.x), "y": None if t.y is None else _numbers(t.y),
            "order": list(t.order), "prediction": t.prediction, "blocks": blocks,
            "wires": [{"src": w.src, "src_port": w.src_port, "dst": w.dst,
                       "dst_port": w.dst_port, "key": key} for w, key in t.wires]}


def finite_json(data: dict) -> dict:
    """:func:`as_data`'s ``data`` as JSON can hold it: JSON has no Infinity or NaN,
    so each infinite or NaN number (a value that grew beyond the network's 32-bit
    floats) is null, and ``non_finite`` says how many there are."""
    count = 0

    def clean(value):
        nonlocal count
        if isinstance(value, float) and not math.isfinite(value):
            count += 1
            return None
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    cleaned = clean(data)
    if count:
        cleaned["non_finite"] = (f"{count} value{'s' * (count != 1)} became infinite or NaN "
                                 "in the network's 32-bit floats; JSON has neither, so each "
                                 "is written as null")
    return cleaned


def add_slopes(data: dict, diagram: Diagram) -> dict:
    """To each activation of :func:`as_data`'s ``data``, the slope f′ at each of its
    inputs (``slopes``) and its curve and slope over a range (``curve``): the
    factor backpropagation multiplies the gradient by there, for a step-through."""
    from . import inspection

    for block in data["blocks"]:
        if REGISTRY.get(block["type"]).role != Role.ACTIVATION or not block["inputs"]:
            continue
        values = np.asarray(next(iter(block["inputs"].values())), dtype=np.float32)
        module = inspection.activation_module(block["type"],
                                              diagram.block(block["id"]).params,
                                              values.shape[-1])
        module.load_state_dict({k: torch.as_tensor(np.asarray(v, dtype=np.float32))
                                for k, v in block["params"].items()})
        block["slopes"] = inspection.slopes(module, torch.as_tensor(values)).tolist()
        block["curve"] = inspection.activation_curve(module, values.shape[-1])
    return data
