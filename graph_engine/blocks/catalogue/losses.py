"""Loss functions. Each declares how it reads its input and its target."""

from ...core.params import CHOICE, FLOAT, ParamSpec
from ..registry import (
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
from .common import simple_module

_PORTS = (
    PortSpec("input", help="The network's prediction."),
    PortSpec("target", kind=PortKind.TARGET, required=False,
             help="The labels; the data set's labels when nothing is wired."),
)


def loss(name: str, target: LossTarget, prediction: Prediction, teaching: Teaching, params=(),
         applies: str = "", computes=None):
    return simple_module(name, Category.LOSSES, Role.LOSS, teaching, params, inputs=_PORTS,
                         outputs=(), loss=LossSpec(target, prediction, applies),
                         computes=computes)


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
    formula="Huber = ½e² if |e| < delta else delta · (|e| − ½ delta), e = ŷ − y",
    summary="Squared error near zero, absolute error far away.",
    use="Regression that should be smooth near the fit but robust to outliers.",
    mistake="A delta much larger than the errors: it is then just MSE/2.",
), computes=lambda p: (Function.HUBER, (p["delta"],)))

loss("CrossEntropyLoss", LossTarget.CLASS_INDEX, Prediction.LOGITS, params=(
    ParamSpec("label_smoothing", FLOAT, 0.0, "Share of the target probability spread "
              "over all classes.", minimum=0.0, maximum=1.0, exclusive_max=True),
), teaching=Teaching(
    formula="CE = −mean(log softmax(z)[y])",
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
    formula="BCE = −mean(y log p + (1 − y) log(1 − p))",
    summary="Binary cross-entropy on probabilities in (0, 1).",
    use="Binary classification with one output unit followed by Sigmoid.",
    mistake="Feeding it a value that is not a probability (no Sigmoid before it).",
), computes=lambda p: (Function.BCE, ()))

loss("BCEWithLogitsLoss", LossTarget.BINARY, Prediction.BINARY_LOGIT, Teaching(
    formula="BCEWithLogits(z, y) = BCE(sigmoid(z), y), computed stably",
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
    formula="hinge = mean over j ≠ y of max(0, margin − z_y + z_j)",
    summary="The multi-class hinge loss of support vector machines.",
    use="Classification when you care about a margin, not probabilities.",
    mistake="Reading its outputs as probabilities: they are scores.",
))
