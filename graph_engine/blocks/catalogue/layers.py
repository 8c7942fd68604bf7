"""Layers: Linear, Dropout, BatchNorm1d, LayerNorm, Identity."""

from ...core.params import BOOL, FLOAT, INT, ParamSpec
from ..registry import REGISTRY, BlockSpec, Category, Role, Teaching
from .common import call_source, kwargs_source, nn_class, simple_module

_BIAS = ParamSpec("bias", BOOL, True, "Learn an additive bias b as well as the weights W.")


def _linear_build(params: dict, features: int):
    return nn_class("Linear")(features, params["out_features"], bias=params["bias"])


def _linear_code(params: dict, features: int) -> str:
    keywords = "" if params["bias"] else "bias=False"
    return call_source("Linear", [str(features), str(params["out_features"])], keywords)


REGISTRY.register(BlockSpec(
    name="Linear",
    category=Category.LAYERS,
    role=Role.LAYER,
    params=(
        ParamSpec("out_features", INT, 8, "Number of output units (neurons). in_features is "
                  "taken from whatever feeds the block.", minimum=1, maximum=4096, key=True,
                  unit=" out"),
        _BIAS,
    ),
    shape=lambda params, inputs: params["out_features"],
    build=_linear_build,
    code=_linear_code,
    param_count=lambda p, f: f * p["out_features"] + (p["out_features"] if p["bias"] else 0),
    dense=True,
    teaching=Teaching(
        formula="y = x Wᵀ + b",
        summary="A fully connected layer: every output is a weighted sum of every input.",
        use="The workhorse of an MLP. Follow it with an activation, or use it last to "
            "produce one score per class (or one value per regression target).",
        mistake="Stacking two Linear layers with nothing between them: the product of two "
                "matrices is one matrix, so the pair is no more powerful than one layer.",
    ),
))


def _features_module(name: str, keywords: list[str]):
    """Build and print a module whose first argument is the feature count."""

    def build(params: dict, features: int):
        return nn_class(name)(features, **params)

    def code(params: dict, features: int) -> str:
        spec = REGISTRY.get(name)
        return call_source(name, [str(features)],
                           kwargs_source(params, spec.defaults(), keywords))

    return build, code


_EPS = ParamSpec("eps", FLOAT, 1e-5, "Added to the variance so it never divides by zero.",
                 minimum=1e-12, maximum=1.0)

_bn_build, _bn_code = _features_module("BatchNorm1d", ["eps", "momentum", "affine"])
REGISTRY.register(BlockSpec(
    name="BatchNorm1d",
    category=Category.LAYERS,
    role=Role.LAYER,
    params=(
        _EPS,
        ParamSpec("momentum", FLOAT, 0.1, "How fast the running mean and variance follow "
                  "the batches.", minimum=0.0, maximum=1.0),
        ParamSpec("affine", BOOL, True, "Learn a scale γ and shift β per feature."),
    ),
    build=_bn_build,
    code=_bn_code,
    param_count=lambda p, f: 2 * f if p["affine"] else 0,
    min_batch=2,  # the variance of one sample is undefined: torch refuses a batch of one
    teaching=Teaching(
        formula="y = γ (x − mean_batch) / √(var_batch + eps) + β",
        summary="Normalises each feature over the batch.",
        use="Between a Linear layer and its activation in deeper networks: it keeps "
            "activations in a healthy range and often allows a larger learning rate.",
        mistake="Training with batches of one sample: the batch variance is then zero.",
    ),
))

_ln_build, _ln_code = _features_module("LayerNorm", ["eps", "elementwise_affine"])
REGISTRY.register(BlockSpec(
    name="LayerNorm",
    category=Category.LAYERS,
    role=Role.LAYER,
    params=(
        _EPS,
        ParamSpec("elementwise_affine", BOOL, True, "Learn a scale γ and shift β per "
                  "feature."),
    ),
    build=_ln_build,
    code=_ln_code,
    param_count=lambda p, f: 2 * f if p["elementwise_affine"] else 0,
    teaching=Teaching(
        formula="y = γ (x − mean_features) / √(var_features + eps) + β",
        summary="Normalises each sample over its features.",
        use="Like BatchNorm1d but per sample, so it behaves the same for any batch size.",
        mistake="Expecting it to help a layer with a single feature: it always outputs β.",
    ),
))

simple_module(
    "Dropout", Category.LAYERS, Role.LAYER, transparent=True,
    params=(ParamSpec("p", FLOAT, 0.5, "Probability of zeroing each unit while training.",
                      minimum=0.0, maximum=1.0, exclusive_max=True, key=True,
                      unit=" dropped"),),
    teaching=Teaching(
        formula="y = mask ⊙ x / (1 − p) while training; y = x when evaluating",
        summary="Randomly silences units while training (regularisation).",
        use="After a wide hidden layer that overfits: the network cannot rely on any "
            "single unit.",
        mistake="Judging the training loss with dropout on: it is noisier and higher than "
                "the test loss, and that is expected.",
    ),
)

simple_module(
    "Identity", Category.LAYERS, Role.LAYER, transparent=True,
    teaching=Teaching(
        formula="y = x",
        summary="Passes its input through unchanged.",
        use="As a placeholder while you experiment, or to label a point in the diagram.",
        mistake="Expecting it to add capacity: it has no parameters.",
    ),
)
