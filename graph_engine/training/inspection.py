"""Looking inside a network: the numbers behind the teaching views.

Plain functions over torch modules and compiled networks: an activation's
curve and its derivative (by autograd, so a student's own formula gets the
true slope), every unit's output over the input plane, a layer's weight
matrix, the distribution of each activation layer's outputs with its dead
units, and the confusion matrix. The probes run them in the training
process; the GUI only draws what they return (numpy arrays and numbers).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..blocks.registry import REGISTRY, Role
from ..build.compiler import CompiledNet
from .metrics import confusion_matrix

CURVE_LOW, CURVE_HIGH, CURVE_POINTS = -5.0, 5.0, 201
MAX_UNITS = 16
HISTOGRAM_BINS = 30


class _Evaluating:
    """Eval mode (Dropout off, BatchNorm on running statistics) for a moment."""

    def __init__(self, module: nn.Module) -> None:
        self.module = module

    def __enter__(self) -> nn.Module:
        self.was_training = self.module.training
        self.module.eval()
        return self.module

    def __exit__(self, *exc) -> None:
        self.module.train(self.was_training)


# ------------------------------------------------------------ activations

def activation_module(type_name: str, params: dict, features: int = 1) -> nn.Module:
    """A fresh module of an activation block type; learnable scalars at
    their starting values (1.0 for a custom formula's parameters)."""
    spec = REGISTRY.get(type_name)
    if spec.role != Role.ACTIVATION or spec.build is None:
        raise ValueError(f"{type_name} is not an activation")
    return spec.build(spec.coerce_params(params), max(int(features or 1), 1))


def activation_curve(module: nn.Module, features: int = 1, low: float = CURVE_LOW,
                     high: float = CURVE_HIGH, points: int = CURVE_POINTS) -> dict:
    """f(x) and f'(x) of an elementwise activation on [low, high].

    The input feeds the same x to every unit, so modules whose parameters
    have one value per unit (PReLU) accept it; the curve shown is unit 0's.
    f' comes from autograd: exactly the slope backpropagation uses."""
    xs = torch.linspace(low, high, points)
    x = xs[:, None].repeat(1, max(int(features or 1), 1)).requires_grad_(True)
    with _Evaluating(module), torch.enable_grad():
        y = module(x)
        (grad,) = torch.autograd.grad(y[:, 0].sum(), x, allow_unused=True)
    df = torch.zeros_like(xs) if grad is None else grad[:, 0]
    return {"xs": xs.numpy(), "f": y[:, 0].detach().numpy().copy(),
            "df": df.detach().numpy().copy(), "params": _scalars(module)}


def slopes(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """f′ at every value of ``x`` for an elementwise activation, by autograd: the
    factor backpropagation multiplies each unit's gradient by."""
    x = torch.as_tensor(x, dtype=torch.float32).detach().clone().requires_grad_(True)
    with _Evaluating(module), torch.enable_grad():
        y = module(x)
        (grad,) = torch.autograd.grad(y.sum(), x, allow_unused=True)
    return torch.zeros_like(x) if grad is None else grad.detach()


def _scalars(module: nn.Module) -> dict[str, float]:
    """Learnable single numbers (a custom formula's alpha, a shared PReLU slope)."""
    return {name: float(p.detach().reshape(-1)[0]) for name, p in module.named_parameters()
            if p.numel() == 1}


# ------------------------------------------------------------ units over the plane

def unit_maps(net: CompiledNet, block_id: str, points: np.ndarray, resolution: int,
              max_units: int = MAX_UNITS) -> dict:
    """Each unit's output of ``block_id`` at ``points`` (a resolution² grid,
    y outer), as maps of shape (units, resolution, resolution) indexed [y, x]."""
    if block_id in net.plan.inputs:
        raise ValueError("this block is not a layer of the compiled network")
    return layer_maps(net, [block_id], points, resolution, max_units)[block_id]


def layer_maps(net: CompiledNet, block_ids: list[str], points: np.ndarray, resolution: int,
               max_units: int = MAX_UNITS) -> dict[str, dict]:
    """:func:`unit_maps` of several blocks from one forward pass of the grid (the
    neuron views draw every layer at once); an Input block's units are the input
    columns themselves."""
    x = torch.as_tensor(points, dtype=torch.float32)
    with _Evaluating(net.model), torch.no_grad():
        values = {**{b: x for b in net.plan.inputs}, **net.intermediates(x)}
    maps = {}
    for block_id in block_ids:
        if block_id not in values:
            raise ValueError("this block is not a layer of the compiled network")
        out = values[block_id].reshape(len(points), -1)
        shown = out[:, :max_units].T.reshape(-1, resolution, resolution)
        maps[block_id] = {"block_id": block_id, "maps": shown.numpy().copy(),
                          "units": int(out.shape[1])}
    return maps


# ------------------------------------------------------------ weights

def weight_matrix(module: nn.Module) -> dict:
    """A layer's weight matrix (out × in) and bias vector (None without bias)."""
    weight = getattr(module, "weight", None)
    if not isinstance(weight, torch.Tensor) or weight.dim() != 2:
        raise ValueError(f"{type(module).__name__} has no weight matrix")
    bias = getattr(module, "bias", None)
    return {"weight": weight.detach().numpy().copy(),
            "bias": None if bias is None else bias.detach().numpy().copy()}


SAMPLE = 4  # rows and columns of a weight matrix shown as numbers


def weight_summaries(net: CompiledNet) -> dict[str, dict]:
    """Every dense layer's weight matrix in a few numbers, for the wire that
    feeds it: its shape (out × in), mean, mean |w|, min and max, and its first
    rows and columns as they are."""
    a = net.plan.analysis
    summaries = {}
    for block_id, module in net.modules.items():
        if not a.block(block_id).spec.dense:
            continue
        weight = weight_matrix(module)["weight"]
        summaries[block_id] = {
            "shape": tuple(int(n) for n in weight.shape), "mean": float(weight.mean()),
            "mean_abs": float(np.abs(weight).mean()), "min": float(weight.min()),
            "max": float(weight.max()), "sample": weight[:SAMPLE, :SAMPLE].copy()}
    return summaries


# ------------------------------------------------------------ activation statistics

def activation_layers(net: CompiledNet) -> list[str]:
    """Activation blocks of the model, in the order data flows through them."""
    a = net.plan.analysis
    return [b for b in net.modules if a.block(b).spec.role == Role.ACTIVATION]


def activation_stats(net: CompiledNet, x: np.ndarray, bins: int = HISTOGRAM_BINS) -> list[dict]:
    """Per activation layer, over the samples ``x``: how many outputs are
    exactly 0, a histogram of the others (a ReLU's zeros would dwarf them),
    and its dead units: units that output 0 for every sample (a dead ReLU
    gets no gradient, so it never comes back)."""
    with _Evaluating(net.model), torch.no_grad():
        values = net.intermediates(torch.as_tensor(x, dtype=torch.float32))
    layers = []
    for block_id in activation_layers(net):
        out = values[block_id].reshape(len(x), -1)
        flat = out.reshape(-1)
        others = flat[torch.isfinite(flat) & (flat != 0)].numpy()
        counts, edges = np.histogram(others, bins=bins) if others.size else \
            (np.zeros(bins, dtype=np.int64), np.linspace(-1, 1, bins + 1))
        layers.append({"block_id": block_id, "counts": counts, "edges": edges,
                       "zeros": int((flat == 0).sum()), "values": int(flat.numel()),
                       "units": int(out.shape[1]), "dead": int((out == 0).all(dim=0).sum())})
    return layers


# ------------------------------------------------------------ classification

def confusion(net: CompiledNet, x: np.ndarray, y: np.ndarray, classes: int,
              signed: bool = False) -> np.ndarray:
    """Counts of (true class, predicted class): rows true, columns predicted."""
    with _Evaluating(net.model) as model, torch.no_grad():
        out = model(torch.as_tensor(x, dtype=torch.float32))
    return confusion_matrix(out, y, net.loss_spec, classes, signed)
