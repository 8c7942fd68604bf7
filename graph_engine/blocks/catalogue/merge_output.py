"""Output blocks (Softmax, LogSoftmax, Output) and merge blocks (Add, Multiply, Concat)."""

from ...core.params import CHOICE, ParamSpec
from ..registry import (
    REGISTRY,
    BlockSpec,
    Category,
    OutputKind,
    PortSpec,
    Role,
    ShapeError,
    Teaching,
)
from .common import simple_module

_DIM = ParamSpec("dim", CHOICE, 1, "The dimension that sums to one. Dimension 1 holds the "
                 "classes of each sample; dimension 0 would mix samples.",
                 choices=(1, -1, 0))

simple_module(
    "Softmax", Category.OUTPUT, Role.LAYER, params=(_DIM,), always=("dim",), nonlinear=True,
    output_range=(0.0, 1.0), produces=OutputKind.PROBABILITIES,
    teaching=Teaching(
        formula="softmax(z)_i = exp(z_i) / Σ_j exp(z_j)",
        summary="Turns scores into probabilities that sum to one.",
        use="At the end of a classifier when you want probabilities to read, and before a "
            "loss that takes probabilities. PyTorch subtracts the maximum first, so large "
            "scores do not overflow.",
        mistake="Putting it before CrossEntropyLoss, which applies log-softmax itself: the "
                "network is then squashed twice and learns slowly.",
    ),
)

simple_module(
    "LogSoftmax", Category.OUTPUT, Role.LAYER, params=(_DIM,), always=("dim",), nonlinear=True,
    output_range=(None, 0.0), produces=OutputKind.LOG_PROBABILITIES,
    teaching=Teaching(
        formula="log_softmax(z)_i = z_i − log Σ_j exp(z_j)",
        summary="Log-probabilities of the classes, computed stably.",
        use="Before NLLLoss. LogSoftmax followed by NLLLoss is exactly CrossEntropyLoss.",
        mistake="Following it with CrossEntropyLoss, which would apply log-softmax again.",
    ),
)

REGISTRY.register(BlockSpec(
    name="Output",
    category=Category.OUTPUT,
    role=Role.OUTPUT,
    outputs=(),
    teaching=Teaching(
        formula="ŷ = the tensor wired in",
        summary="Marks the network's prediction.",
        use="When the prediction is not simply what the loss reads, or the diagram has no "
            "loss yet, wire the prediction here.",
        mistake="Marking a hidden layer: the prediction must have one column per class or "
                "target.",
    ),
))


def _equal_sizes(name: str):
    """The shape rule of an elementwise merge: every input of the same size."""

    def shape(params: dict, inputs: list[int]) -> int:
        if len(set(inputs)) > 1:
            sizes = " and ".join(str(n) for n in inputs)
            raise ShapeError(f"{name} needs inputs of equal size, got {sizes} features")
        return inputs[0]

    return shape


def _add_all(tensors):
    total = tensors[0]
    for tensor in tensors[1:]:
        total = total + tensor
    return total


def _multiply_all(tensors):
    product = tensors[0]
    for tensor in tensors[1:]:
        product = product * tensor
    return product


def _cat(tensors):
    import torch

    return torch.cat(tensors, dim=1)


_MANY = PortSpec("input", max_wires=None, help="Two or more tensors, in wire order.")

REGISTRY.register(BlockSpec(
    name="Add",
    category=Category.MERGE,
    role=Role.MERGE,
    inputs=(_MANY,),
    shape=_equal_sizes("Add"),
    combine=_add_all,
    combine_code=lambda names: " + ".join(names),
    teaching=Teaching(
        formula="y = x₁ + x₂ + …",
        summary="Adds tensors of equal size (a residual connection).",
        use="For a skip connection: add a block's input to its output, so the layer only "
            "learns a correction and gradients flow straight back.",
        mistake="Adding tensors with different numbers of features.",
    ),
))

REGISTRY.register(BlockSpec(
    name="Multiply",
    category=Category.MERGE,
    role=Role.MERGE,
    inputs=(_MANY,),
    shape=_equal_sizes("Multiply"),
    combine=_multiply_all,
    combine_code=lambda names: " * ".join(names),
    nonlinear=True,  # the product of two signals is not a linear function of them
    teaching=Teaching(
        formula="y = x₁ ⊙ x₂ ⊙ … (elementwise product)",
        summary="Multiplies tensors of equal size, feature by feature.",
        use="To build products of signals: two Input blocks into Multiply give "
            "[x1², x2²]; a gate multiplies a signal by a learned weight in (0, 1).",
        mistake="Expecting x1·x2 from Multiply on one input: it multiplies matching "
                "features of different tensors. For x1·x2 use PolynomialFeatures.",
    ),
))

REGISTRY.register(BlockSpec(
    name="Concat",
    category=Category.MERGE,
    role=Role.MERGE,
    inputs=(_MANY,),
    shape=lambda params, inputs: sum(inputs),
    combine=_cat,
    combine_code=lambda names: f"torch.cat([{', '.join(names)}], dim=1)",
    teaching=Teaching(
        formula="y = [x₁, x₂, …] (features side by side)",
        summary="Joins tensors feature-wise.",
        use="To combine two branches that look at the data differently; the next layer "
            "sees all their features.",
        mistake="Forgetting that the order of the wires is the order of the features.",
    ),
))
