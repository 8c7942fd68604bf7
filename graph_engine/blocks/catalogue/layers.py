"""Layers: Linear, Dropout, BatchNorm1d, LayerNorm, Identity, and the feature map
PolynomialFeatures."""

from math import comb

from ...core.params import BOOL, FLOAT, INT, WEIGHTS, ParamSpec
from ..registry import REGISTRY, BlockSpec, Category, Function, Role, ShapeError, Teaching
from .common import call_source, kwargs_source, nn_class, simple_module

_BIAS = ParamSpec("bias", BOOL, True, "Learn an additive bias b as well as the weights W.")


def _linear_build(params: dict, features: int):
    return nn_class("Linear")(features, params["out_features"], bias=params["bias"])


def _linear_code(params: dict, features: int) -> str:
    keywords = "" if params["bias"] else "bias=False"
    return call_source("Linear", [str(features), str(params["out_features"])], keywords)


MAX_FEATURES = 4096  # the most units of a Linear layer, or columns PolynomialFeatures makes

_START_WEIGHTS = ParamSpec(
    "start_weights", WEIGHTS, (), "Weights set by hand, as row,column=value; … (row: the "
    "output unit, column: the input unit, both from 0). They replace the starting values "
    "init gives; click a weight line in View → Neuron View to set one.",
    minimum=-1e6, maximum=1e6)


def _linear_shape(params: dict, inputs: list[int]) -> int:
    """out_features; a weight set by hand must lie inside the out × in matrix."""
    rows, columns = params["out_features"], inputs[0]
    for row, column, _ in params.get("start_weights", ()):
        if row >= rows or column >= columns:
            raise ShapeError(f"the weight set by hand at row {row}, column {column} lies "
                             f"outside its {rows} × {columns} weights: change or remove it "
                             "in start_weights")
    return rows


REGISTRY.register(BlockSpec(
    name="Linear",
    category=Category.LAYERS,
    role=Role.LAYER,
    params=(
        ParamSpec("out_features", INT, 8, "Number of output units (neurons). in_features is "
                  "taken from whatever feeds the block.", minimum=1, maximum=MAX_FEATURES, key=True,
                  unit=" out"),
        _BIAS,
        _START_WEIGHTS,
    ),
    shape=_linear_shape,
    build=_linear_build,
    code=_linear_code,
    param_count=lambda p, f: f * p["out_features"] + (p["out_features"] if p["bias"] else 0),
    dense=True,
    computes=lambda p: (Function.DENSE, ()),
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


# ------------------------------------------------ feature maps: fixed functions of the inputs

_POLYNOMIAL_SOURCE = '''class PolynomialFeatures(nn.Module):
    """scikit-learn's PolynomialFeatures as a layer: the bias column, then every
    product of up to `degree` input features, in scikit-learn's order."""

    def __init__(self, in_features, degree=2, interaction_only=False, include_bias=True):
        super().__init__()
        pick = (itertools.combinations if interaction_only
                else itertools.combinations_with_replacement)
        self.degree, self.include_bias = degree, include_bias
        for power in range(1, degree + 1):
            rows = list(pick(range(in_features), power))
            index = torch.tensor(rows, dtype=torch.long).reshape(len(rows), power)
            self.register_buffer(f"index{power}", index, persistent=False)

    def forward(self, x):
        columns = [torch.ones_like(x[:, :1])] if self.include_bias else []
        for power in range(1, self.degree + 1):
            index = getattr(self, f"index{power}")
            if index.shape[0]:
                columns.append(x[:, index].prod(dim=2))
        return torch.cat(columns, dim=1)
'''


def polynomial_count(features: int, degree: int, interaction_only: bool,
                     include_bias: bool) -> int:
    """How many columns PolynomialFeatures outputs for ``features`` inputs."""
    if interaction_only:
        count = sum(comb(features, power) for power in range(1, degree + 1))
    else:
        count = comb(features + degree, degree) - 1  # monomials of degree 1 to degree
    return count + int(include_bias)


def _polynomial_shape(params: dict, inputs: list[int]) -> int:
    count = polynomial_count(inputs[0], params["degree"], params["interaction_only"],
                             params["include_bias"])
    if count == 0:
        raise ShapeError("PolynomialFeatures outputs nothing: with include_bias off it needs "
                         "degree 1 or more")
    if count > MAX_FEATURES:
        raise ShapeError(f"PolynomialFeatures of degree {params['degree']} turns "
                         f"{inputs[0]} features into {count:,}, more than {MAX_FEATURES:,}: "
                         "lower the degree, or set interaction_only")
    return count


def _polynomial_build(params: dict, features: int):
    from ..modules import PolynomialFeatures

    return PolynomialFeatures(features, **params)


def _polynomial_code(params: dict, features: int) -> str:
    defaults = {"degree": 2, "interaction_only": False, "include_bias": True}
    keywords = kwargs_source(params, defaults, list(defaults))
    return f"PolynomialFeatures({', '.join(filter(None, [str(features), keywords]))})"


REGISTRY.register(BlockSpec(
    name="PolynomialFeatures",
    category=Category.LAYERS,
    role=Role.LAYER,
    params=(
        ParamSpec("degree", INT, 2, "The highest power: every product of up to degree input "
                  "features becomes an output column.", minimum=1, maximum=6, key=True),
        ParamSpec("interaction_only", BOOL, False, "Only products of distinct features "
                  "(x1·x2, not x1²)."),
        ParamSpec("include_bias", BOOL, True, "Start with a column of ones (the power 0). "
                  "Turn it off when a Linear layer with a bias follows."),
    ),
    shape=_polynomial_shape,
    build=_polynomial_build,
    code=_polynomial_code,
    prelude=lambda params, class_name: _POLYNOMIAL_SOURCE,
    nonlinear=True,
    teaching=Teaching(
        formula="φ([x1, x2]) = [1, x1, x2, x1², x1·x2, x2²] for degree 2",
        summary="A feature map: all products of the inputs up to a degree (scikit-learn's "
                "PolynomialFeatures).",
        use="Before a single Linear layer, to fit a curve with linear regression: on "
            "φ(x) = [1, x, x²] a linear model learns f(x) = 4x² + 2x + 1 exactly.",
        mistake="A high degree on many features: the columns multiply quickly (degree 3 on "
                "64 pixels gives 47,905), and large inputs raised to high powers explode.",
    ),
))
