"""Loss functions. Each declares how it reads its input and its target."""

from ...core.params import CHOICE, FLOAT, ParamSpec
from ..registry import (
    REGISTRY,
    BlockSpec,
    Category,
    Function,
    LossSpec,
    LossTarget,
    PortKind,
    PortSpec,
    Prediction,
    Role,
    Teaching,
)
from .common import kwargs_source, simple_module, torch_defaults

_PORTS = (
    PortSpec("input", help="The network's prediction."),
    PortSpec("target", kind=PortKind.TARGET, required=False,
             help="The labels; the data set's labels when nothing is wired."),
)


def loss(name: str, target: LossTarget, prediction: Prediction, teaching: Teaching, params=(),
         applies: str = "", source: str = "", computes=None):
    """A loss block. ``source``: where PyTorch has no such criterion, the class the
    exported code defines, named as the block (the compiler uses :mod:`..modules`'s).
    ``computes``: what the whole-epoch kernel computes for it, if it can."""
    spec = LossSpec(target, prediction, applies)
    if source:
        return _own_criterion(name, teaching, params, spec, source)
    return simple_module(name, Category.LOSSES, Role.LOSS, teaching, params, inputs=_PORTS,
                         outputs=(), loss=spec, computes=computes)


def _own_criterion(name: str, teaching: Teaching, params, spec: LossSpec, source: str):
    defaults, order = torch_defaults(params), [p.name for p in params]

    def build(values: dict, features: int):
        from .. import modules

        return getattr(modules, name)(**values)

    def code(values: dict, features: int) -> str:
        return f"{name}({kwargs_source(values, defaults, order)})"

    return REGISTRY.register(BlockSpec(
        name=name, category=Category.LOSSES, role=Role.LOSS, teaching=teaching,
        params=tuple(params), inputs=_PORTS, outputs=(), build=build, code=code,
        prelude=lambda values, class_name: source, loss=spec))


loss("MSELoss", LossTarget.REGRESSION, Prediction.VALUE, Teaching(
    formula="MSE = mean((ŷ − y)²)",
    summary="Mean squared error, the standard regression loss.",
    use="Regression: the output has one unit per target value and no squashing "
        "activation.",
    mistake="Using it for classification: it works on one-hot targets, but the gradients "
            "vanish when a sigmoid or softmax output is confidently wrong.",
), computes=lambda p: (Function.SQUARED_ERROR, ()))

loss("L1Loss", LossTarget.REGRESSION, Prediction.VALUE, Teaching(
    formula="L1 = mean(|ŷ − y|)",
    summary="Mean absolute error: robust to outliers.",
    use="Regression with outliers you do not want to dominate the fit.",
    mistake="Expecting a smooth minimum: its gradient has the same size however close "
            "you are.",
))

loss("HuberLoss", LossTarget.REGRESSION, Prediction.VALUE, params=(
    ParamSpec("delta", FLOAT, 1.0, "Errors smaller than delta are squared, larger ones "
              "count linearly.", minimum=1e-6, maximum=1e6),
), teaching=Teaching(
    formula="Huber = mean(h(ŷ − y)), h(e) = ½e² if |e| < delta else "
            "delta · (|e| − ½ delta)",
    summary="Squared error near zero, absolute error far away.",
    use="Regression that should be smooth near the fit but robust to outliers.",
    mistake="A delta much larger than the errors: it is then just MSE/2.",
), computes=lambda p: (Function.HUBER, (p["delta"],)))

loss("CrossEntropyLoss", LossTarget.CLASS_INDEX, Prediction.LOGITS, params=(
    ParamSpec("label_smoothing", FLOAT, 0.0, "Share of the target probability spread "
              "over all classes.", minimum=0.0, maximum=1.0, exclusive_max=True),
), teaching=Teaching(
    formula="CE = −mean((1 − s) · log softmax(z)[y] + s · mean_k log softmax(z)[k]), "
            "s = label_smoothing",
    summary="The classification loss; takes raw scores (logits).",
    use="Multi-class classification: the last Linear layer has one output per class and "
        "feeds this loss directly.",
    mistake="A Softmax before it: CrossEntropyLoss applies log-softmax itself, so the "
            "probabilities get squashed twice.",
), applies="log-softmax",
    computes=lambda p: (Function.CROSS_ENTROPY, ()) if p["label_smoothing"] == 0 else None)

loss("NLLLoss", LossTarget.CLASS_INDEX, Prediction.LOG_PROBABILITIES, Teaching(
    formula="NLL = −mean(z[y]), z = log-probabilities",
    summary="Negative log-likelihood of log-probabilities.",
    use="After LogSoftmax; the pair equals CrossEntropyLoss.",
    mistake="Feeding it raw scores or probabilities instead of log-probabilities.",
), computes=lambda p: (Function.NLL, ()))

loss("BCELoss", LossTarget.BINARY, Prediction.BINARY_PROBABILITY, Teaching(
    formula="BCE = −mean(y log p + (1 − y) log(1 − p)), each log at least −100",
    summary="Binary cross-entropy on probabilities in (0, 1).",
    use="Binary classification with one output unit followed by Sigmoid.",
    mistake="Feeding it a value that is not a probability (no Sigmoid before it).",
), computes=lambda p: (Function.BCE, ()))

loss("BCEWithLogitsLoss", LossTarget.BINARY, Prediction.BINARY_LOGIT, Teaching(
    formula="BCEWithLogits = −mean(y log σ(z) + (1 − y) log(1 − σ(z))), computed "
            "stably from z",
    summary="Binary cross-entropy on a raw score (logit).",
    use="Binary classification with one output unit and no Sigmoid: more stable than "
        "Sigmoid + BCELoss.",
    mistake="A Sigmoid before it: the sigmoid is then applied twice.",
), applies="the sigmoid", computes=lambda p: (Function.BCE_WITH_LOGITS, ()))

loss("MultiMarginLoss", LossTarget.CLASS_INDEX, Prediction.LOGITS, params=(
    ParamSpec("p", CHOICE, 1, "1 for the hinge loss, 2 for the squared hinge.",
              choices=(1, 2)),
    ParamSpec("margin", FLOAT, 1.0, "How far the correct class's score must lead the "
              "others.", minimum=0.0, maximum=100.0),
), teaching=Teaching(
    formula="MultiMargin = mean over samples of (1/C) · Σ_{j ≠ y} max(0, margin − z_y + z_j)^p, "
            "C = the number of classes",
    summary="The multi-class hinge loss of Weston and Watkins, as PyTorch computes it: every "
            "wrong class that comes within the margin adds to the loss.",
    use="Classification when you care about a margin, not probabilities. The sum is divided "
        "by C, all classes counted, so with 4 classes it is ¾ of the mean over the wrong "
        "ones. For the lecture's hinge (only the strongest wrong class counts) use "
        "MultiClassHingeLoss.",
    mistake="Reading its outputs as probabilities: they are scores.",
))

_HINGE_SOURCE = '''class MultiClassHingeLoss(nn.Module):
    """Multi-class hinge: mean over samples of max(0, max_{j != y} z_j - z_y + margin)."""

    def __init__(self, margin=1.0):
        super().__init__()
        self.margin = margin

    def forward(self, scores, target):
        correct = scores.gather(1, target[:, None])
        wrong = scores.scatter(1, target[:, None], float("-inf"))
        return (wrong.amax(dim=1, keepdim=True) - correct + self.margin).clamp(min=0).mean()
'''

loss("MultiClassHingeLoss", LossTarget.CLASS_INDEX, Prediction.LOGITS, params=(
    ParamSpec("margin", FLOAT, 1.0, "How far the correct class's score must lead the "
              "strongest wrong class for a loss of zero.", minimum=0.0, maximum=100.0),
), source=_HINGE_SOURCE, teaching=Teaching(
    formula="hinge = mean over samples of max(0, max_{j ≠ y} z_j − z_y + margin)",
    summary="The lecture's multi-class hinge (Crammer and Singer): only the strongest wrong "
            "class counts.",
    use="To reproduce the lecture: scores [0.7, 0.15] with class 1 correct give "
        "0.7 − 0.15 + 1 = 1.55. Zero once the correct score leads every other by the "
        "margin. PyTorch has no such criterion; the exported code defines it.",
    mistake="Expecting MultiMarginLoss's numbers: that one sums over every wrong class and "
            "divides by the number of classes.",
))
