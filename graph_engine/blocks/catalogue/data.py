"""Data blocks: Input (the features) and Target (the labels)."""

from ...core.params import INT, ParamSpec
from ..registry import REGISTRY, BlockSpec, Category, PortKind, PortSpec, Role, Teaching

REGISTRY.register(BlockSpec(
    name="Input",
    category=Category.DATA,
    role=Role.INPUT,
    params=(ParamSpec("features", INT, 2, "Number of input features: the columns of one "
                      "sample of the data set.", minimum=1, maximum=4096, key=True,
                      unit=" features"),),
    inputs=(),
    outputs=(PortSpec("output", help="A batch of samples, N × features."),),
    shape=lambda params, inputs: params["features"],
    teaching=Teaching(
        formula="x ∈ ℝ^(N × features)",
        summary="The data set's features, one row per sample.",
        use="Every network starts here. Set features to the number of columns of the data "
            "set (2 for the Playground data sets, 64 for digits).",
        mistake="A features value that differs from the data set: the first Linear layer "
                "then expects the wrong number of inputs.",
    ),
))

REGISTRY.register(BlockSpec(
    name="Target",
    category=Category.DATA,
    role=Role.TARGET,
    inputs=(),
    outputs=(PortSpec("target", kind=PortKind.TARGET, max_wires=None,
                      help="The data set's labels (class indices or values)."),),
    shape=lambda params, inputs: 0,
    teaching=Teaching(
        formula="y: class indices (classification) or values (regression)",
        summary="The data set's labels, for a loss's target port.",
        use="Wire it into a loss's target port to make the labels visible on the canvas. "
            "A loss with no Target wired uses the labels anyway.",
        mistake="Feeding the labels into the network itself: the model must predict them, "
                "not read them.",
    ),
))
