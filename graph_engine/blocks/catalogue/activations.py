"""Elementwise activations, from ReLU to a student's own formula."""

from ...core.params import CHOICE, FLOAT, FORMULA, INT, ParamSpec
from ..registry import (
    REGISTRY,
    BlockSpec,
    Category,
    Function,
    OutputKind,
    Role,
    ShapeError,
    Teaching,
)
from .common import call_source, kwargs_source, nn_class, simple_module


def activation(name: str, teaching: Teaching, params=(), **extra) -> BlockSpec:
    extra.setdefault("nonlinear", True)
    return simple_module(name, Category.ACTIVATIONS, Role.ACTIVATION, teaching, params, **extra)


activation("ReLU", output_range=(0.0, None), computes=lambda p: (Function.RELU, ()),
           teaching=Teaching(
    formula="ReLU(x) = max(0, x)",
    summary="Keeps positive values, zeroes negative ones.",
    use="The default choice for hidden layers: cheap, and its gradient is 1 for every "
        "positive input, so deep stacks still learn.",
    mistake="Units whose input is always negative output 0 and get no gradient: they are "
            "'dead'. A high learning rate makes many of them.",
))

activation("LeakyReLU", params=(
    ParamSpec("negative_slope", FLOAT, 0.01, "Slope for negative inputs.",
              minimum=0.0, maximum=1.0, key=True, unit=" slope"),
), computes=lambda p: (Function.LEAKY_RELU, (p["negative_slope"],)), teaching=Teaching(
    formula="LeakyReLU(x) = x if x > 0 else negative_slope · x",
    summary="ReLU with a small slope for negative inputs.",
    use="When ReLU units die: the small slope keeps a gradient flowing for negative "
        "inputs.",
    mistake="A slope of 1 makes it the identity, and the network linear again.",
))


def _prelu_shape(params: dict, inputs: list[int]) -> int:
    count = params["num_parameters"]
    if count not in (1, inputs[0]):
        raise ShapeError(f"PReLU num_parameters must be 1 or the number of input features "
                         f"({inputs[0]}), got {count}")
    return inputs[0]


def _prelu_code(params: dict, features: int) -> str:
    defaults = {"num_parameters": 1, "init": 0.25}
    return call_source("PReLU", [], kwargs_source(params, defaults, ["num_parameters", "init"]))


REGISTRY.register(BlockSpec(
    name="PReLU",
    category=Category.ACTIVATIONS,
    role=Role.ACTIVATION,
    params=(
        ParamSpec("num_parameters", INT, 1, "1 for one learnable slope shared by all "
                  "units, or the number of input features for one slope per unit.",
                  minimum=1, maximum=4096),
        ParamSpec("init", FLOAT, 0.25, "Starting value of the learnable slope.",
                  minimum=-10.0, maximum=10.0),
    ),
    shape=_prelu_shape,
    build=lambda p, f: nn_class("PReLU")(num_parameters=p["num_parameters"], init=p["init"]),
    code=_prelu_code,
    param_count=lambda p, f: p["num_parameters"],
    nonlinear=True,
    teaching=Teaching(
        formula="PReLU(x) = x if x > 0 else a · x, with a learned",
        summary="LeakyReLU whose negative slope is learned.",
        use="When you want the data to decide how leaky the units are.",
        mistake="Weight decay on a pulls it towards 0, back to a plain ReLU.",
    ),
))

activation("ELU", params=(
    ParamSpec("alpha", FLOAT, 1.0, "Value the output approaches for very negative inputs "
              "(as −alpha).", minimum=0.0, maximum=10.0),
), output_range=(None, None), computes=lambda p: (Function.ELU, (p["alpha"],)),
    teaching=Teaching(
    formula="ELU(x) = x if x > 0 else alpha · (exp(x) − 1)",
    summary="Smooth for negative inputs, linear for positive ones.",
    use="An alternative to ReLU whose mean output is closer to zero, which can speed "
        "learning.",
    mistake="Expecting it to be as cheap as ReLU: it computes an exponential.",
))

activation("GELU", params=(
    ParamSpec("approximate", CHOICE, "none", "'tanh' uses a faster approximation.",
              choices=("none", "tanh")),
), computes=lambda p: (Function.GELU_TANH if p["approximate"] == "tanh" else Function.GELU, ()),
    teaching=Teaching(
    formula="GELU(x) = x · Φ(x), Φ the standard normal CDF",
    summary="A smooth ReLU that weights inputs by how likely they are positive.",
    use="The usual activation in transformers; works well in MLPs too.",
    mistake="Thinking it is monotone: it dips slightly below zero for negative inputs.",
))

activation("SiLU", computes=lambda p: (Function.SILU, ()), teaching=Teaching(
    formula="SiLU(x) = x · sigmoid(x)",
    summary="The 'swish' activation: x gated by its own sigmoid.",
    use="A smooth alternative to ReLU that often trains a little better in deep nets.",
    mistake="Confusing it with Sigmoid: SiLU is unbounded above.",
))

activation("Softplus", params=(
    ParamSpec("beta", FLOAT, 1.0, "Sharpness: larger values approach ReLU.",
              minimum=0.01, maximum=100.0),
    ParamSpec("threshold", FLOAT, 20.0, "Above beta · x > threshold the output is x, for "
              "numerical stability.", minimum=1.0, maximum=100.0),
), output_range=(0.0, None), computes=lambda p: (Function.SOFTPLUS, (p["beta"], p["threshold"])),
    teaching=Teaching(
    formula="Softplus(x) = (1/beta) · log(1 + exp(beta · x))",
    summary="A smooth ReLU that is always positive.",
    use="When you need a positive output with a gradient everywhere, e.g. a predicted "
        "standard deviation.",
    mistake="Using it for outputs that may be negative: it never is.",
))

activation("Sigmoid", saturating=True, output_range=(0.0, 1.0),
           produces=OutputKind.PROBABILITY, computes=lambda p: (Function.SIGMOID, ()),
           teaching=Teaching(
    formula="σ(x) = 1 / (1 + exp(−x))",
    summary="Squashes any number into (0, 1).",
    use="At the output of a binary classifier, before BCELoss, so the output reads as a "
        "probability.",
    mistake="Deep stacks of it in hidden layers: its slope is at most 1/4, so gradients "
            "shrink layer by layer (vanishing gradients).",
))

activation("Tanh", saturating=True, output_range=(-1.0, 1.0),
           computes=lambda p: (Function.TANH, ()), teaching=Teaching(
    formula="tanh(x) = (exp(x) − exp(−x)) / (exp(x) + exp(−x))",
    summary="Squashes any number into (−1, 1), centred at zero.",
    use="Hidden layers of small networks (TensorFlow Playground's default); zero-centred, "
        "unlike Sigmoid.",
    mistake="It saturates too: large inputs give a gradient near zero, so deep stacks "
            "learn slowly.",
))

_STEP_SOURCE = '''class Step(nn.Module):
    """Heaviside step: 1 where x > 0, else 0. Its gradient is zero everywhere."""

    def forward(self, x):
        return (x > 0).to(x.dtype) + 0 * x
'''


def _step_build(params: dict, features: int):
    from ..modules import Step

    return Step()


REGISTRY.register(BlockSpec(
    name="Step",
    category=Category.ACTIVATIONS,
    role=Role.ACTIVATION,
    build=_step_build,
    prelude=lambda params, class_name: _STEP_SOURCE,
    nonlinear=True,
    output_range=(0.0, 1.0),
    zero_gradient=True,
    teaching=Teaching(
        formula="step(x) = 1 if x > 0 else 0",
        summary="The perceptron's original all-or-nothing activation.",
        use="To see why the perceptron learning rule was replaced: it is the historical "
            "threshold unit.",
        mistake="Training through it with gradient descent: its derivative is 0 everywhere "
                "(and undefined at 0), so no gradient reaches the layers before it.",
    ),
))


def _custom_build(params: dict, features: int):
    from ..modules import CustomActivation

    return CustomActivation(params["formula"])


def _custom_count(params: dict, features: int) -> int:
    from ...core.formula import FormulaError, parse

    try:
        return len(parse(params["formula"]).params)
    except FormulaError:
        return 0


def _custom_prelude(params: dict, class_name: str) -> str:
    """The helper class's source; the formula's text appears only escaped, in
    its docstring (the code itself is printed from the parsed tree)."""
    from ...core.formula import parse, to_source
    from ...core.source import docstring, one_line

    parsed = parse(params["formula"])
    lines = [f"class {class_name}(nn.Module):",
             "    " + docstring(f"Custom activation: {one_line(parsed.text)}"), ""]
    if parsed.params:
        lines += ["    def __init__(self):", "        super().__init__()"]
        lines += [f"        self.{n} = nn.Parameter(torch.tensor(1.0))" for n in parsed.params]
        lines.append("")
    lines += ["    def forward(self, x):", f"        return {to_source(parsed.tree)}"]
    return "\n".join(lines) + "\n"


REGISTRY.register(BlockSpec(
    name="CustomActivation",
    category=Category.ACTIVATIONS,
    role=Role.ACTIVATION,
    params=(ParamSpec("formula", FORMULA, "where(x <= 0, 1 / (1 + alpha * exp(-x)), x)",
                      "An elementwise formula in x. Other names (alpha, beta, …) become "
                      "learnable scalars that start at 1.0. Functions: exp, log, sqrt, abs, "
                      "tanh, sigmoid, relu, softplus, sin, cos, erf, min, max, "
                      "where(condition, a, b).", key=True),),
    build=_custom_build,
    param_count=_custom_count,
    prelude=_custom_prelude,
    nonlinear=True,
    teaching=Teaching(
        formula="f(x) = your formula, with learnable scalars",
        summary="Your own activation function, written as a formula.",
        use="To try an idea from a paper or the lecture, e.g. "
            "where(x <= 0, 1 / (1 + alpha * exp(-x)), x), and watch alpha being learned.",
        mistake="A formula that is flat (zero slope) over most inputs: no gradient flows "
                "there, so nothing before it learns.",
    ),
))
