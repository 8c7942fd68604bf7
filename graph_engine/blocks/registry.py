"""The block registry: every block type, declared once as data.

A :class:`BlockSpec` says everything the rest of NetCanvas needs to know about
a block type: its PyTorch name and parameters, its ports, how input features
map to output features, how it builds its torch module, how it prints as
PyTorch source, and what it teaches. The palette, inspector, validator,
compiler, code exporter and the generated block reference all read it.

Whatever else the code asks about a block type (its role, what its output
means, whether it is a dense layer or has a zero gradient) is a field here
too, set in the catalogue: no code outside the catalogue names a block type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ..core.enums import StrEnum
from ..core.params import FORMULA, WEIGHTS, ParamSpec

if TYPE_CHECKING:  # the catalogue imports torch only when a module is built
    from torch import Tensor, nn

_T = TypeVar("_T")


class Category(StrEnum):
    """The palette's groups, in palette order."""

    DATA = "Data"
    LAYERS = "Layers"
    ACTIVATIONS = "Activations"
    OUTPUT = "Output"  # not a block type: the palette group of Softmax, LogSoftmax, Output
    MERGE = "Merge"
    LOSSES = "Losses"


CATEGORIES = tuple(Category)


class Role(StrEnum):
    """What a block is to the validator and the compiler, which dispatch on it."""

    INPUT = "input"
    TARGET = "target"
    OUTPUT = "output"
    LAYER = "layer"
    ACTIVATION = "activation"
    MERGE = "merge"
    LOSS = "loss"


class PortKind(StrEnum):
    """What a wire carries: a batch of tensors, or the data set's labels."""

    TENSOR = "tensor"
    TARGET = "target"


class OutputKind(StrEnum):
    """What the numbers a block outputs mean, for the lints that pair a block
    with the loss it feeds."""

    SCORES = "scores"  # any real numbers: logits, hidden values, regression values
    PROBABILITIES = "probabilities"  # each row a distribution over the classes
    LOG_PROBABILITIES = "log-probabilities"  # the logarithm of such a distribution
    PROBABILITY = "probability"  # each unit on its own squashed into (0, 1)


class LossTarget(StrEnum):
    """The labels a loss compares with."""

    CLASS_INDEX = "class-index"  # integer labels
    BINARY = "binary"  # 0/1 floats, one output
    REGRESSION = "regression"  # real values, one output per target


class Prediction(StrEnum):
    """What a loss's input must mean."""

    LOGITS = "logits"
    LOG_PROBABILITIES = "log-probabilities"
    PROBABILITIES = "probabilities"
    BINARY_LOGIT = "binary-logit"
    BINARY_PROBABILITY = "binary-probability"
    VALUE = "value"


class Function(StrEnum):
    """What a block computes, named for code that computes it itself instead of
    calling its torch module (the whole-epoch training kernel)."""

    DENSE = "dense"  # x Wᵀ + b
    RELU = "relu"
    LEAKY_RELU = "leaky-relu"  # argument: the negative slope
    TANH = "tanh"
    SIGMOID = "sigmoid"
    ELU = "elu"  # argument: alpha
    SOFTPLUS = "softplus"  # arguments: beta, threshold
    SILU = "silu"
    GELU = "gelu"
    GELU_TANH = "gelu-tanh"  # GELU's tanh approximation
    CROSS_ENTROPY = "cross-entropy"  # of logits and a class index
    NLL = "nll"  # of log-probabilities and a class index
    BCE = "bce"  # of a probability and a 0/1 target
    BCE_WITH_LOGITS = "bce-with-logits"
    SQUARED_ERROR = "squared-error"
    HUBER = "huber"  # argument: delta


# A block's parameters -> the function it computes and that function's numeric
# arguments, or None when these parameters ask for something else.
Computes = Callable[[dict], "tuple[Function, tuple[float, ...]] | None"]


class ShapeError(ValueError):
    """A shape rule refusing its inputs; the message says why."""


@dataclass(frozen=True)
class PortSpec:
    name: str
    kind: PortKind = PortKind.TENSOR
    max_wires: int | None = 1  # None: any number (Add, Concat)
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Teaching:
    formula: str  # the maths, in plain text
    summary: str  # one line: the palette tooltip
    use: str  # when to use it
    mistake: str  # the classic mistake


@dataclass(frozen=True)
class LossSpec:
    """How a loss reads its input and target; ``applies`` names what the loss
    computes on its input itself ("log-softmax"), so a block that did it
    already is one too many."""

    target: LossTarget
    prediction: Prediction
    applies: str = ""


def _same_shape(params: dict, inputs: list[int]) -> int:
    return inputs[0]


def _no_params(params: dict, features: int) -> int:
    return 0


@dataclass(frozen=True)
class BlockSpec:
    name: str
    category: Category
    role: Role
    teaching: Teaching
    params: tuple[ParamSpec, ...] = ()
    inputs: tuple[PortSpec, ...] = (PortSpec("input"),)
    outputs: tuple[PortSpec, ...] = (PortSpec("output"),)
    # (params, input features in wire order) -> output features; raises ShapeError
    shape: Callable[[dict, list[int]], int] = _same_shape
    # (params, input features) -> torch.nn.Module; None for blocks without a module
    build: Callable[[dict, int], nn.Module] | None = None
    # (params, input features) -> PyTorch source of the module, e.g. "nn.Linear(2, 8)"
    code: Callable[[dict, int], str] | None = None
    # (params, input features) -> number of learnable parameters
    param_count: Callable[[dict, int], int] = _no_params
    # merge blocks: tensors -> tensor, and source names -> source expression
    combine: Callable[[list[Tensor]], Tensor] | None = None
    combine_code: Callable[[list[str]], str] | None = None
    loss: LossSpec | None = None
    nonlinear: bool = False  # breaks linearity (activations)
    saturating: bool = False  # squashes to a bounded range (vanishing gradients)
    output_range: tuple[float | None, float | None] = (None, None)
    produces: OutputKind = OutputKind.SCORES  # what its output means
    transparent: bool = False  # passes values through unchanged for the lints (Identity)
    zero_gradient: bool = False  # its derivative is zero everywhere (Step)
    dense: bool = False  # a fully connected layer: one weight matrix, inputs to outputs
    # (params, class name) -> source of a helper class the exported code needs
    prelude: Callable[[dict, str], str] | None = None
    min_batch: int = 1  # samples a training batch needs (statistics over the batch: 2)
    computes: Computes | None = None  # what it computes, for code that does it itself

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        known = ", ".join(p.name for p in self.params) or "none"
        raise ValueError(f"{self.name} has no parameter {name!r} (parameters: {known})")

    def defaults(self) -> dict:
        """Every parameter's default; weights set by hand are absent until set."""
        return {p.name: p.default for p in self.params if p.kind != WEIGHTS}

    def coerce_params(self, values: dict) -> dict:
        """Defaults overlaid with ``values``, each checked; raises ValueError."""
        params = self.defaults()
        for name, value in values.items():
            params[name] = self.param(name).coerce(value)
        return params

    def input_port(self, name: str) -> PortSpec:
        return _port(self.inputs, name, self.name, "input")

    def output_port(self, name: str) -> PortSpec:
        return _port(self.outputs, name, self.name, "output")

    def label(self, params: dict) -> str:
        """The block's face text: its type and key parameters ("Linear · 8 out"),
        never read as a layer number."""
        keys = [_short(params[p.name]) + p.unit for p in self.params
                if p.key and p.name in params]
        return " · ".join([self.name, " ".join(keys)]) if keys else self.name

    def module(self, params: dict, features: int) -> nn.Module:
        """A fresh torch module of this block (``build``); ValueError for one without."""
        return _declared(self.build, self.name, "torch module")(params, features)

    def module_code(self, params: dict, features: int) -> str:
        """The PyTorch source of that module (``code``), e.g. "nn.Linear(2, 8)"."""
        return _declared(self.code, self.name, "module source")(params, features)

    @property
    def merge(self) -> Callable[[list[Tensor]], Tensor]:
        """A merge block's function of its input tensors (``combine``); the
        compiled graph calls it by name, so it is the function itself."""
        return _declared(self.combine, self.name, "merge function")

    def merge_code(self, names: list[str]) -> str:
        """The source expression merging the tensors ``names`` (``combine_code``)."""
        return _declared(self.combine_code, self.name, "merge source")(names)

    def helper_code(self, params: dict, class_name: str) -> str:
        """The source of the helper class the exported code needs (``prelude``)."""
        return _declared(self.prelude, self.name, "helper class")(params, class_name)

    def function(self, params: dict) -> tuple[Function, tuple[float, ...]] | None:
        """The function a block of this type with ``params`` computes, and its
        arguments (``computes``); None if it is not declared."""
        return self.computes(params) if self.computes is not None else None

    @property
    def is_loss(self) -> bool:
        return self.role == Role.LOSS

    @property
    def start_weights_param(self) -> str | None:
        """The name of the parameter holding weights set by hand (a dense layer's)."""
        return next((p.name for p in self.params if p.kind == WEIGHTS), None)

    def start_weights(self, params: dict) -> tuple:
        """The (row, column, value) weights set by hand in ``params``, if any."""
        name = self.start_weights_param
        return tuple(params.get(name, ())) if name else ()

    @property
    def formula_param(self) -> str | None:
        """The name of the parameter holding a formula (a custom activation)."""
        return next((p.name for p in self.params if p.kind == FORMULA), None)


def _declared(value: _T | None, block: str, what: str) -> _T:
    """A field ``block`` must declare for the caller's use; ValueError if it does not."""
    if value is None:
        raise ValueError(f"{block} has no {what}")
    return value


def _port(ports: tuple[PortSpec, ...], name: str, block: str, side: str) -> PortSpec:
    for port in ports:
        if port.name == name:
            return port
    known = ", ".join(p.name for p in ports) or "none"
    raise ValueError(f"{block} has no {side} port {name!r} ({side} ports: {known})")


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and len(value) > 18:
        return value[:16] + "…"
    return str(value)


class Registry:
    """Block types by name; registering a name twice is an error."""

    def __init__(self) -> None:
        self._specs: dict[str, BlockSpec] = {}

    def register(self, spec: BlockSpec) -> BlockSpec:
        if spec.name in self._specs:
            raise ValueError(f"block type {spec.name!r} is registered twice")
        if not isinstance(spec.category, Category) or not isinstance(spec.role, Role):
            raise ValueError(f"{spec.name}: the category and role must be a Category and a "
                             f"Role (got {spec.category!r}, {spec.role!r})")
        if spec.is_loss != (spec.loss is not None):
            raise ValueError(f"{spec.name}: a loss block, and only a loss block, has a LossSpec")
        self._specs[spec.name] = spec
        return spec

    def get(self, name: str) -> BlockSpec:
        try:
            return self._specs[name]
        except (KeyError, TypeError):
            raise ValueError(f"unknown block type {name!r}{_suggest(name, self._specs)}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[BlockSpec]:
        """Block types in palette order: by category, then as registered."""
        for specs in self.by_category().values():
            yield from specs

    def __len__(self) -> int:
        return len(self._specs)

    def names(self) -> list[str]:
        return [spec.name for spec in self]

    def by_category(self) -> dict[Category, list[BlockSpec]]:
        groups: dict[Category, list[BlockSpec]] = {c: [] for c in Category}
        for spec in self._specs.values():
            groups[spec.category].append(spec)
        return groups


def _suggest(name: object, specs: dict[str, BlockSpec]) -> str:
    import difflib

    if not isinstance(name, str):
        return ""
    lowered = {n.lower(): n for n in specs}
    if name.lower() in lowered:
        return f"; did you mean {lowered[name.lower()]!r}? (names are case-sensitive)"
    close = difflib.get_close_matches(name, list(specs), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


REGISTRY = Registry()
