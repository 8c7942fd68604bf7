"""Teaching lints: warnings about networks that run but teach the wrong habit.

Each :class:`Lint` has a stable code, a check over the diagram's
:class:`~graph_engine.checks.analysis.Analysis`, and a "Why?" text for students
(:mod:`explanations`). :func:`training_lints` reads a run's metrics instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..blocks.registry import LossSpec, LossTarget, OutputKind, Prediction, Role
from ..core.diagnostics import HINT, WARNING, Diagnostic
from ..core.epochs import EpochRow
from ..model.diagram import Block
from .analysis import Analysis

# Outputs a softmax has normalised: no longer the raw scores a logits loss needs.
NORMALISED = (OutputKind.PROBABILITIES, OutputKind.LOG_PROBABILITIES)
# Outputs already in (0, 1): a loss that applies the sigmoid would squash them twice.
SQUASHED = (OutputKind.PROBABILITY, OutputKind.PROBABILITIES)


@dataclass(frozen=True)
class Lint:
    code: str
    check: Callable[[Analysis], Iterable[Diagnostic]]


def upstream(a: Analysis, block_id: str) -> Block | None:
    """The block feeding ``block_id``, skipping transparent blocks (Identity, Dropout)."""
    return a.upstream(block_id, lambda block: block.spec.transparent)


def _fed_losses(a: Analysis, prediction: Prediction) -> Iterator[tuple[Block, Block, LossSpec]]:
    """(feeder, loss, its LossSpec) for each wired loss whose input must mean ``prediction``."""
    for loss, spec in a.losses():
        feeder = upstream(a, loss.id)
        if feeder is not None and spec.prediction == prediction:
            yield feeder, loss, spec


def softmax_before_cross_entropy(a: Analysis):
    """A softmax before a loss that takes raw scores (CrossEntropyLoss, MultiMarginLoss)."""
    for feeder, loss, spec in _fed_losses(a, Prediction.LOGITS):
        if feeder.spec.produces in NORMALISED:
            yield Diagnostic(WARNING, "softmax-before-cross-entropy", f"{feeder.name} feeds "
                             f"{loss.name}, but {loss.type} expects raw logits; "
                             f"{_why_raw(feeder, spec)}. Delete {feeder.name} and wire the "
                             f"last Linear layer straight into {loss.name}.",
                             (feeder.id, loss.id))


def activation_before_cross_entropy(a: Analysis):
    """A bounded activation (ReLU, Sigmoid, Tanh...) right before a loss that applies
    the softmax itself: the scores it receives cannot take every value."""
    for feeder, loss, spec in _fed_losses(a, Prediction.LOGITS):
        low, high = feeder.spec.output_range
        if not spec.applies or feeder.spec.produces in NORMALISED or (low, high) == (None, None):
            continue  # a softmax before it has a warning of its own
        yield Diagnostic(WARNING, "activation-before-cross-entropy", f"{feeder.name} feeds "
                         f"{loss.name}, so the class scores {_scores_text(low, high)}, but "
                         f"{loss.type} expects raw logits (any real number): it applies "
                         f"{spec.applies} itself. Delete {feeder.name} and wire the last "
                         f"Linear layer straight into {loss.name}.", (feeder.id, loss.id))


def _scores_text(low, high) -> str:
    if high is None:
        return "cannot be negative" if low == 0 else f"cannot be below {low:g}"
    if low is None:
        return f"cannot be above {high:g}"
    return f"are squeezed into ({low:g}, {high:g})"


def _why_raw(feeder: Block, loss: LossSpec) -> str:
    applies = loss.applies
    if applies:
        return f"it applies {applies} itself"
    return f"it compares the scores themselves, not {feeder.spec.produces}"


def stacked_linear(a: Analysis):
    for block in a.diagram.blocks:
        if not block.spec.dense:
            continue
        feeder = upstream(a, block.id)
        if feeder is not None and feeder.spec.dense:
            yield Diagnostic(WARNING, "stacked-linear", f"{feeder.name} feeds {block.name} "
                             "with no activation between them: two linear layers compose into "
                             "one linear layer, so the pair adds nothing. Put an activation "
                             "such as ReLU between them.", (feeder.id, block.id))


def sigmoid_before_bce_with_logits(a: Analysis):
    for feeder, loss, spec in _fed_losses(a, Prediction.BINARY_LOGIT):
        if feeder.spec.produces in SQUASHED:
            applies = spec.applies or "the sigmoid"
            yield Diagnostic(WARNING, "sigmoid-before-bce-with-logits", f"{feeder.name} feeds "
                             f"{loss.name}, which applies {applies} itself: the output is "
                             f"squashed twice. Delete {feeder.name}, or use BCELoss.",
                             (feeder.id, loss.id))


def bce_without_sigmoid(a: Analysis):
    for feeder, loss, _ in _fed_losses(a, Prediction.BINARY_PROBABILITY):
        if not _within(feeder.spec.output_range, 0.0, 1.0):
            yield Diagnostic(WARNING, "bce-without-sigmoid", f"{loss.name} expects "
                             f"probabilities in (0, 1), but {feeder.name} can output any "
                             f"value. Add a Sigmoid before {loss.name}, or use "
                             "BCEWithLogitsLoss instead.", (feeder.id, loss.id))


def nll_without_log_softmax(a: Analysis):
    for feeder, loss, _ in _fed_losses(a, Prediction.LOG_PROBABILITIES):
        if feeder.spec.produces != OutputKind.LOG_PROBABILITIES:
            yield Diagnostic(WARNING, "nll-without-log-softmax", f"{loss.name} expects "
                             f"log-probabilities, but {feeder.name} does not produce them. "
                             f"Add a LogSoftmax before {loss.name}, or use CrossEntropyLoss.",
                             (feeder.id, loss.id))


def _within(bounds, low: float, high: float) -> bool:
    lo, hi = bounds
    return lo is not None and hi is not None and lo >= low and hi <= high


def bounded_regression_output(a: Analysis):
    if a.info is None or a.info.is_classification:
        return
    for loss, spec in a.losses():
        feeder = upstream(a, loss.id)
        if spec.target != LossTarget.REGRESSION or feeder is None:
            continue
        low, high = feeder.spec.output_range
        if low is None and high is None:
            continue
        from ..data.datasets import target_range  # as analysis: data only when named

        targets = target_range(a.diagram.dataset)
        if targets is not None and _reaches(low, high, targets):
            continue  # a Tanh output on targets in (−1, 1) can predict every one
        yield Diagnostic(WARNING, "bounded-regression-output", f"{feeder.name} is the last "
                         f"block before {loss.name}, so the network {_range_text(low, high)}, "
                         f"but {a.info.name}'s targets {_targets_text(targets)}. Remove "
                         f"{feeder.name}: a regression network usually ends with a Linear "
                         "layer.", (feeder.id, loss.id))


def _reaches(low, high, targets: tuple[float, float]) -> bool:
    """Every target lies within the output's range (its bounds approached, if not met)."""
    return (low is None or targets[0] >= low) and (high is None or targets[1] <= high)


def _targets_text(targets: tuple[float, float] | None) -> str:
    if targets is None:
        return "are real numbers"
    return f"go from {targets[0]:.3g} to {targets[1]:.3g}"


def _range_text(low, high) -> str:
    if high is None:
        return "cannot predict values below " + (f"{low:g}" if low else "zero")
    if low is None:
        return f"cannot predict values above {high:g}"
    return f"can only predict values in ({low:g}, {high:g})"


def mse_on_classification(a: Analysis):
    if a.info is None or not a.info.is_classification or a.info.signed:
        return  # −1/+1 labels are made for a squared loss
    for loss, spec in a.losses():
        if spec.target == LossTarget.REGRESSION:
            yield Diagnostic(WARNING, "mse-on-classification", f"{loss.name} is a regression "
                             f"loss, but {a.info.name} is a classification data set. It "
                             "trains against one-hot labels, but slowly; use CrossEntropyLoss.",
                             (loss.id,))


def softmax_dim(a: Analysis):
    for block in a.diagram.blocks:
        if block.spec.produces in NORMALISED and block.params.get("dim") == 0:
            yield Diagnostic(WARNING, "softmax-dim", f"{block.name} normalises over dim=0, "
                             "the samples of the batch, so each prediction depends on the "
                             "others. Use dim=1 (the classes).", (block.id,))


def no_nonlinearity(a: Analysis):
    linear = [b for b in a.diagram.blocks if b.spec.dense]
    if len(linear) < 2:
        return
    feeding = _upstream(a, {b.id for b in linear})
    if not any(b.spec.nonlinear and b.id in feeding for b in a.diagram.blocks):
        yield Diagnostic(WARNING, "no-nonlinearity", f"The network has {len(linear)} Linear "
                         "layers and no activation between them: the whole network is one "
                         "linear map, so it can only draw straight decision boundaries. Add "
                         "ReLU or Tanh after the hidden layers.", tuple(b.id for b in linear))


def _upstream(a: Analysis, targets: set[str]) -> set[str]:
    """Blocks from which wires lead to one of ``targets``: one walk for all of
    them (a walk per block would be quadratic in a large diagram)."""
    graph, seen = a.graph, set()
    todo = [p for t in targets if t in graph for p in graph.predecessors(t)]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.predecessors(node))
    return seen


def step_activation(a: Analysis):
    for block in a.diagram.blocks:
        if block.spec.zero_gradient:
            yield Diagnostic(WARNING, "step-activation", f"{block.name}: the step function's "
                             "gradient is zero everywhere, so gradient descent cannot learn "
                             "the layers before it. Use Sigmoid to see a smooth version of "
                             "the same idea.", (block.id,))


def deep_saturating_stack(a: Analysis):
    depth: dict[str, list[str]] = {}
    for block_id in a.order:
        block = a.block(block_id)
        before = max((depth.get(w.src, []) for w in a.into.get(block_id, [])), key=len,
                     default=[])
        depth[block_id] = [*before, block_id] if block.spec.saturating and \
            block.spec.role == Role.ACTIVATION else before
    deepest = max(depth.values(), key=len, default=[])
    if len(deepest) >= 4:
        yield Diagnostic(WARNING, "deep-saturating-stack", f"{len(deepest)} Sigmoid/Tanh "
                         "activations lie on one path: expect vanishing gradients, since each "
                         "one shrinks the gradient. Watch the gradient-norm plot, and try ReLU.",
                         tuple(deepest))


LINTS: tuple[Lint, ...] = tuple(Lint(f.__name__.replace("_", "-"), f) for f in (
    softmax_before_cross_entropy, activation_before_cross_entropy, stacked_linear,
    sigmoid_before_bce_with_logits, bce_without_sigmoid, nll_without_log_softmax,
    bounded_regression_output, mse_on_classification, softmax_dim, no_nonlinearity,
    step_activation, deep_saturating_stack,
))


# The loss "diverges" when it ends in NaN or infinity, stays RISE times above its
# first value for RISE_EPOCHS epochs in a row, or has been above it for the last two
# epochs and is now SPIKE times above it: a trend, never one spike that falls back
# (a noisy epoch late in a long run is no sign of a learning rate that is too high).
RISE, RISE_EPOCHS, SPIKE = 1.5, 3, 10.0

# A warning of the first code is not shown when one of the second covers the same
# blocks: one mistake, one warning.
SUBSUMED_BY = {"stacked-linear": "no-nonlinearity"}

GROWING = ("The training loss is growing instead of falling: the learning rate is probably "
           "too high. Divide it by 10 and reset the weights.")
BLEW_UP = ("Training stopped because the loss became infinite or NaN: the learning rate is "
           "probably too high. Divide it by 10 and reset the weights.")


def one_per_mistake(found: list[Diagnostic]) -> list[Diagnostic]:
    """``found`` without the warnings a broader one already makes (Linear feeding
    Linear, in a network with no activation at all: only the latter is said)."""
    covered: dict[str, list[set]] = {}
    for d in found:
        covered.setdefault(d.code, []).append(set(d.block_ids))

    def subsumed(d: Diagnostic) -> bool:
        broader = SUBSUMED_BY.get(d.code)
        return broader is not None and any(set(d.block_ids) <= ids
                                           for ids in covered.get(broader, []))

    return [d for d in found if not subsumed(d)]


def training_lints(history: Sequence[EpochRow], diverged: bool = False,
                   explained: bool = False) -> list[Diagnostic]:
    """Lints from a run's metrics: a loss that blows up, grows or stalls.

    ``diverged`` says the run stopped on :class:`~graph_engine.training.trainer.TrainingDiverged`
    (``Run.stopped`` is set): the epoch whose loss became NaN leaves no row in the
    history, so the history alone cannot show it. ``explained``: a warning about
    the diagram is already shown, which explains a loss that does not move better
    than a guess about the learning rate."""
    losses = [h["train_loss"] for h in history if h.get("train_loss") is not None]
    why = _diverging(losses, diverged)
    if why:
        return [Diagnostic(WARNING, "diverging-loss", why)]
    if not explained and len(losses) >= 20 and losses[-1] > 0.98 * losses[0]:
        return [Diagnostic(HINT, "stalled-loss", "The training loss has hardly moved: the "
                           "learning rate may be too low, or the gradients vanish (see the "
                           "gradient-norm plot).")]
    return []


def _diverging(losses: list[float], diverged: bool) -> str:
    """Why the loss is diverging, or "" when it is not."""
    if diverged or not all(math.isfinite(loss) for loss in losses):
        return BLEW_UP
    if _climbed(losses):
        return GROWING
    return ""


def _climbed(losses: list[float]) -> bool:
    """Well above its start for several epochs in a row: a trend, not one noisy
    epoch. A loss near its floor (far below where it started) never climbed."""
    if len(losses) < 3 or losses[0] <= 0:
        return False
    start = losses[0]
    sustained = len(losses) > RISE_EPOCHS and min(losses[-RISE_EPOCHS:]) > RISE * start
    exploding = losses[-2] > RISE * start and losses[-1] > SPIKE * start
    return sustained or exploding
