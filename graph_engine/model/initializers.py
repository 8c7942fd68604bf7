"""Weight initialisations a run may start from, declared once as data.

Each :class:`Initializer` names the ``torch.nn.init`` call that fills the weight
matrix and the bias of every dense layer. The same declaration initialises
the compiled network (:mod:`graph_engine.build.initialize`) and prints the
lines of the exported source, so the two cannot drift apart. The settings'
``init`` choice lists these names; other parameters (a PReLU's slope, a
BatchNorm's scale) keep PyTorch's own starting values under every scheme.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InitCall:
    """One ``torch.nn.init`` function (in place) and its arguments after the tensor."""

    function: str  # e.g. "uniform_"
    args: tuple[float, ...] = ()

    def source(self, tensor: str) -> str:
        """The call as PyTorch source on ``tensor`` (an attribute path)."""
        return f"nn.init.{self.function}({', '.join([tensor, *map(repr, self.args)])})"


@dataclass(frozen=True)
class Initializer:
    name: str
    help: str  # what it draws, in words
    weight: InitCall | None = None  # None: PyTorch's own (the layer as constructed)
    bias: InitCall | None = None


DEFAULT = "default"

INITIALIZERS: dict[str, Initializer] = {i.name: i for i in (
    Initializer(DEFAULT, "PyTorch's own: weights and biases uniform in ±1/√fan_in."),
    Initializer("zeros", "Every weight and bias 0: all hidden units of a layer compute the "
                "same and get the same gradient, so they stay identical (the symmetry "
                "lesson).", InitCall("zeros_"), InitCall("zeros_")),
    Initializer("xavier", "Glorot and Bengio's: weights uniform in ±√(6 / (fan_in + "
                "fan_out)), biases 0; made for Tanh and Sigmoid.",
                InitCall("xavier_uniform_"), InitCall("zeros_")),
    Initializer("he", "He et al.'s: weights normal with standard deviation √(2 / fan_in), "
                "biases 0; made for ReLU.", InitCall("kaiming_normal_"), InitCall("zeros_")),
    Initializer("playground", "TensorFlow Playground's: weights uniform in (−0.5, 0.5), "
                "biases 0.1.", InitCall("uniform_", (-0.5, 0.5)), InitCall("constant_", (0.1,))),
)}


def names() -> tuple[str, ...]:
    return tuple(INITIALIZERS)


def describe() -> str:
    """Every scheme in one help text, for the settings' declaration."""
    return " ".join(f"{i.name}: {i.help}" for i in INITIALIZERS.values())
