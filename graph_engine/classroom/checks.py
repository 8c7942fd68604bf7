"""The catalogue of check kinds: what each measures, as plain functions, and its
declaration in :data:`~.kinds.KINDS` (docs/exercise-format.md lists them).

A rule takes the :class:`~.kinds.Check` and the :class:`~.kinds.Facts` of one
diagram and returns ``(passed, message)``. A hidden check's message leaves
out its threshold (the student sees the figure, not the bar). Block types
are compared as the exercise names them; nothing here names one itself.
A figure of a trained network is never passed when the network did not
train: the check fails, saying why it was not run.
"""

from __future__ import annotations

import difflib
import json
import math
from typing import TYPE_CHECKING

from ..blocks.registry import REGISTRY, Role
from ..build.plan import parameter_count
from ..checks.explanations import EXPLANATIONS
from ..checks.lints import LINTS
from ..checks.validation import model_output
from ..core import limits
from ..core.params import FLOAT, INT, ParamSpec
from ..data.dataset import CLASSIFICATION, REGRESSION
from .kinds import (
    CODE_FIELD,
    KINDS,
    TYPE_FIELD,
    Check,
    CheckKind,
    Facts,
    NameField,
    Need,
    Situation,
    Verdict,
)

if TYPE_CHECKING:
    from .exercise import Exercise


# ------------------------------------------------------------------ shared wording

def _bar(check: Check, relation: str, value: float, percent: bool = False) -> str:
    """`` (needed ≥ 95 %)``, or nothing when the check hides its threshold."""
    if check.hidden:
        return ""
    return f" (needed {relation} {_figure(value, percent)})"


def _figure(value: float, percent: bool) -> str:
    return f"{value:.1%}".replace("%", " %") if percent else f"{value:.4g}"


def _not_run(facts: Facts) -> Verdict:
    return False, f"not run: {facts.not_run or 'the network was not trained'}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


# ------------------------------------------------------------------ the diagram

def _valid(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    errors = facts.errors
    if not errors:
        return True, "the diagram has no errors"
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return False, f"{first.message} [{first.code}]{more}"


def _no_warning(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    if facts.errors:  # an empty or broken diagram has nothing to warn about, and no merit
        return _not_run(facts)
    found = [p for p in facts.problems if p.code == check.code]
    if not found:
        return True, f"no {check.code} warning"
    return False, f"{found[0].message} [{check.code}]"


def _count(facts: Facts, block_type: str | None) -> int:
    return sum(1 for block in facts.diagram.blocks if block.type == block_type)


def _uses_block(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    count, needed = _count(facts, check.type), int(check.min or 1)
    return count >= needed, _plural(count, f"{check.type} block") + _bar(check, "≥", needed)


def _forbids_block(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    count = _count(facts, check.type)
    if count:
        return False, f"{_plural(count, f'{check.type} block')}: this exercise forbids " \
                      f"{check.type}"
    return True, f"no {check.type} block"


def _output_shape(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    output = model_output(facts.analysis)
    features = facts.analysis.features.get(output) if output is not None else None
    if features is None:
        return False, "the network's output size is unknown: fix the diagram's errors first"
    return features == check.features, \
        f"the network outputs {_plural(features, 'feature')}" + \
        _bar(check, "=", check.features or 0)


def _locked_unchanged(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    diagram = facts.diagram
    for block_id, (block_type, params) in exercise.locked_blocks().items():
        if block_id not in diagram:
            return False, f"the locked block {block_id!r} was deleted"
        block = diagram.block(block_id)
        if block.type != block_type:
            return False, f"the locked block {block_id!r} is a {block.type}, not a {block_type}"
        if dict(block.params) != params:
            return False, f"the locked block {block_id!r} has other parameters than the " \
                          "exercise gave it"
    return True, f"{_plural(len(exercise.locked), 'locked block')} unchanged"


# ------------------------------------------------------------------ the network

def _max_parameters(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    if facts.errors:  # what an analysis of a broken diagram counts is no network's
        return _not_run(facts)
    count, most = parameter_count(facts.analysis), int(check.max or 0)
    return count <= most, _plural(count, "trainable parameter") + _bar(check, "≤", most)


def _measured(check: Check, facts: Facts, key: str, label: str, percent: bool = False) -> Verdict:
    """A figure of the trained network against the check's ``min`` or ``max``."""
    value = (facts.metrics or {}).get(key)
    if value is None or not math.isfinite(value):
        return _not_run(facts)
    at_least = check.min is not None
    bound = float((check.min if at_least else check.max) or 0.0)
    passed = value >= bound if at_least else value <= bound
    text = f"{label} {_figure(value, percent)} after {_plural(facts.epochs, 'epoch')}"
    return passed, text + _bar(check, "≥" if at_least else "≤", bound, percent)


# ------------------------------------------------------------------ suggestions

def _reached(situation: Situation, key: str) -> float | None:
    value = situation.metrics.get(key)
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _at_least(key: str, default: float, low: float = 0.0):
    """A lower bound a little under what the run reached (two decimals)."""
    def suggest(situation: Situation) -> dict:
        reached = _reached(situation, key)
        least = math.floor((reached - 0.03) * 100) / 100 if reached is not None else default
        return {"min": min(max(least, low), 1.0)}
    return suggest


def _at_most(key: str, default: float):
    """An upper bound half again above what the run reached (two significant digits)."""
    def suggest(situation: Situation) -> dict:
        reached = _reached(situation, key)
        return {"max": _round_up(reached * 1.5) if reached is not None else default}
    return suggest


def _round_up(value: float) -> float:
    """``value`` rounded up to two significant digits."""
    if value <= 0:
        return 0.01
    scale = 10 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(value / scale) * scale


def _some_type(situation: Situation) -> str:
    """A block type to suggest: the diagram's first activation's, else its first block's."""
    blocks = sorted(situation.diagram.blocks, key=lambda b: b.spec.role != Role.ACTIVATION)
    return situation.block_type or (blocks[0].type if blocks else REGISTRY.names()[0])


def _suggest_outputs(situation: Situation) -> dict:
    output = model_output(situation.analysis)
    return {"features": (situation.analysis.features.get(output) if output else None) or 1}


# ------------------------------------------------------------------ the declarations

def short(value: object) -> str:
    """A value from an exercise as a message quotes it: JSON for plain values, the
    type's name for others, at most 40 characters."""
    plain = value is None or isinstance(value, (str, int, float, bool))
    text = json.dumps(value, ensure_ascii=False) if plain else type(value).__name__
    return text if len(text) <= 40 else text[:39] + "…"


def warning_codes() -> list[str]:
    """The diagnostic codes a no-warning check may name."""
    return sorted({*EXPLANATIONS, *(lint.code for lint in LINTS)})


def _block_type(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"\"type\" must be a block type's name (got {short(value)})")
    return REGISTRY.get(value).name  # an unknown one: the registry suggests a close name


def _warning_code(value: object) -> str:
    codes = warning_codes()
    if isinstance(value, str) and value in codes:
        return value
    close = difflib.get_close_matches(value, codes, n=1) if isinstance(value, str) else []
    hint = f"; did you mean {close[0]!r}?" if close else " (docs/exercise-format.md lists them)"
    raise ValueError(f"\"code\": unknown warning code {short(value)}{hint}")


BLOCK_TYPE = NameField(TYPE_FIELD, "A block type, as the block reference names it.",
                       REGISTRY.names, _block_type)
WARNING_CODE = NameField(CODE_FIELD, "A warning's code, as validation gives it.",
                         warning_codes, _warning_code)
STEPS = "after training with the exercise's settings"


def _trained_figure(name: str, label: str, passes: str, key: str, shown: str,
                    bound: tuple[str, float, float, float], task: str | None = None,
                    percent: bool = False) -> CheckKind:
    """A kind that holds a figure of the trained network (``key`` of its metrics,
    ``shown`` in messages) to a ``min`` or a ``max``: ``bound`` is (that field, its
    default, its lowest and highest value)."""
    field, default, low, high = bound
    least = field == "min"

    def judge(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
        return _measured(check, facts, key, shown, percent)

    help_text = f"{'Least' if least else 'Largest'} {shown}, from {low:g} to {high:g}."
    return CheckKind(name, label, passes, judge,
                     fields=(ParamSpec(field, FLOAT, default, help_text, minimum=low,
                                       maximum=high),),
                     required=frozenset({field}), need=Need.TRAINING, task=task,
                     suggest=_at_least(key, default, low) if least else _at_most(key, default))

KINDS.register(CheckKind(
    "valid", "The diagram has no errors",
    "the diagram has no errors (with the exercise's data set and settings).", _valid))
KINDS.register(CheckKind(
    "no-warning", "A warning does not appear",
    "the diagram has no errors and no diagnostic with this code.", _no_warning,
    names=(WARNING_CODE,), required=frozenset({CODE_FIELD}), need=Need.NETWORK,
    suggest=lambda s: {CODE_FIELD: s.code or warning_codes()[0]}))
KINDS.register(_trained_figure(
    "test-accuracy", "Test accuracy at least", f"the test accuracy {STEPS} is at least `min`.",
    "test_accuracy", "test accuracy", ("min", 0.9, 0.0, 1.0), CLASSIFICATION, percent=True))
KINDS.register(_trained_figure(
    "test-f1", "Test macro F1 at least",
    f"the macro-averaged F1 score on the test set {STEPS} (the mean over the classes of "
    "each class's F1, the harmonic mean of its precision and recall) is at least `min`.",
    "test_f1", "test macro F1", ("min", 0.8, 0.0, 1.0), CLASSIFICATION))
KINDS.register(_trained_figure(
    "test-loss", "Test loss at most",
    f"the test loss {STEPS} is at most `max` (on a table's standardised target for "
    "regression).", "test_loss", "test loss", ("max", 0.1, 0.0, 1e12)))
KINDS.register(_trained_figure(
    "test-r2", "Test R² at least",
    f"the coefficient of determination R² on the test set {STEPS} (1 a perfect fit, 0 no "
    "better than predicting the mean) is at least `min`.", "test_r2", "test R²",
    ("min", 0.9, -1.0, 1.0), REGRESSION))
KINDS.register(_trained_figure(
    "test-rmse", "Test RMSE at most",
    f"the root-mean-square error on the test set {STEPS}, in the target's own units, is at "
    "most `max`.", "test_rmse", "test RMSE", ("max", 1.0, 0.0, 1e30), REGRESSION))
KINDS.register(CheckKind(
    "max-parameters", "At most this many parameters",
    "the network has at most `max` trainable parameters.", _max_parameters,
    fields=(ParamSpec("max", INT, 100, "Most trainable parameters.", minimum=0,
                      maximum=10**12),),
    required=frozenset({"max"}), need=Need.NETWORK,
    suggest=lambda s: {"max": max(parameter_count(s.analysis), 1)}))
KINDS.register(CheckKind(
    "uses-block", "Uses a block type",
    "the diagram has at least `min` blocks of the block type `type` (a name from the block "
    "reference; an unknown one is refused with a suggestion).", _uses_block,
    names=(BLOCK_TYPE,),
    fields=(ParamSpec("min", INT, 1, "Fewest blocks of the type.", minimum=1,
                      maximum=limits.MAX_BLOCKS),),
    required=frozenset({TYPE_FIELD}), defaults={"min": 1},
    suggest=lambda s: {TYPE_FIELD: _some_type(s), "min": 1}))
KINDS.register(CheckKind(
    "forbids-block", "Does not use a block type",
    "the diagram has no block of type `type`.", _forbids_block, names=(BLOCK_TYPE,),
    required=frozenset({TYPE_FIELD}), suggest=lambda s: {TYPE_FIELD: _some_type(s)}))
KINDS.register(CheckKind(
    "output-shape", "The network outputs this many features",
    "the network's output (what the loss receives) has `features` features.", _output_shape,
    fields=(ParamSpec("features", INT, 1, "Output features of the network.", minimum=1,
                      maximum=10**9),),
    required=frozenset({"features"}), suggest=_suggest_outputs))
KINDS.register(CheckKind(
    "locked-unchanged", "The locked blocks are unchanged",
    "every block in `locked` is still there, with the same type and parameters.",
    _locked_unchanged))


def judge(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    return KINDS.get(check.kind).judge(check, facts, exercise)
