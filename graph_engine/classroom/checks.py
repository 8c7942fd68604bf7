"""What each check kind measures, as plain functions over what grading learned.

A rule takes the :class:`~.exercise.Check` and the :class:`Facts` of one
diagram and returns ``(passed, message)``. A hidden check's message leaves
out its threshold (the student sees the figure, not the bar). Block types
are compared as the exercise names them; nothing here names one itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..checks.analysis import Analysis
from ..checks.validation import model_output
from ..core.diagnostics import Diagnostic
from ..model.diagram import Diagram
from .exercise import Check, Exercise

# Kinds whose figures come from training the diagram with the exercise's settings.
TRAINED = frozenset({"test-accuracy", "test-loss"})
# Kinds read from the compiled network.
COMPILED = frozenset({"max-parameters"})


@dataclass
class Facts:
    """What grading learned about one diagram; None where it has not (yet)."""

    diagram: Diagram
    problems: list[Diagnostic]
    analysis: Analysis
    parameters: int | None = None  # trainable parameters of the compiled network
    metrics: dict | None = None  # the last epoch's metrics
    not_run: str = ""  # why the network was not compiled or trained, when it was not
    epochs: int = 0

    @property
    def errors(self) -> list[Diagnostic]:
        return [p for p in self.problems if p.is_error]


Verdict = tuple[bool, str]
Rule = Callable[[Check, Facts, Exercise], Verdict]


def judge(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    return RULES[check.kind](check, facts, exercise)


def _valid(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    errors = facts.errors
    if not errors:
        return True, "the diagram has no errors"
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return False, f"{first.message} [{first.code}]{more}"


def _no_warning(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    found = [p for p in facts.problems if p.code == check.code]
    if not found:
        return True, f"no {check.code} warning"
    return False, f"{found[0].message} [{check.code}]"


def _bar(check: Check, relation: str, value: float, percent: bool = False) -> str:
    """`` (needed ≥ 95 %)``, or nothing when the check hides its threshold."""
    if check.hidden:
        return ""
    return f" (needed {relation} {_figure(value, percent)})"


def _figure(value: float, percent: bool) -> str:
    return f"{value:.1%}".replace("%", " %") if percent else f"{value:.4g}"


def _trained(facts: Facts, key: str) -> float | None:
    metrics = facts.metrics or {}
    value = metrics.get(key)
    return None if value is None else float(value)


def _not_run(facts: Facts) -> Verdict:
    return False, f"not run: {facts.not_run or 'the network was not trained'}"


def _measured(check: Check, facts: Facts, key: str, label: str, percent: bool) -> Verdict:
    """A figure of the trained network against the check's ``min`` or ``max``."""
    value = _trained(facts, key)
    if value is None:
        return _not_run(facts)
    at_least = check.min is not None
    bound = float((check.min if at_least else check.max) or 0.0)
    passed = value >= bound if at_least else value <= bound
    text = f"{label} {_figure(value, percent)} after {facts.epochs} epochs"
    return passed, text + _bar(check, "≥" if at_least else "≤", bound, percent)


def _test_accuracy(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    return _measured(check, facts, "test_accuracy", "test accuracy", percent=True)


def _test_loss(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    return _measured(check, facts, "test_loss", "test loss", percent=False)


def _max_parameters(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    if facts.parameters is None:
        return _not_run(facts)
    count, most = facts.parameters, int(check.max or 0)
    text = f"{count} trainable parameter{'s' * (count != 1)}"
    return count <= most, text + _bar(check, "≤", most)


def _count(facts: Facts, block_type: str | None) -> int:
    return sum(1 for block in facts.diagram.blocks if block.type == block_type)


def _uses_block(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    count, needed = _count(facts, check.type), int(check.min or 1)
    text = f"{count} {check.type} block{'s' * (count != 1)}"
    return count >= needed, text + _bar(check, "≥", needed)


def _forbids_block(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    count = _count(facts, check.type)
    if count:
        return False, f"{count} {check.type} block{'s' * (count != 1)}: this exercise " \
                      f"forbids {check.type}"
    return True, f"no {check.type} block"


def _output_shape(check: Check, facts: Facts, exercise: Exercise) -> Verdict:
    output = model_output(facts.analysis)
    features = facts.analysis.features.get(output) if output is not None else None
    if features is None:
        return False, "the network's output size is unknown: fix the diagram's errors first"
    return features == check.features, \
        f"the network outputs {features} feature{'s' * (features != 1)}" + \
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
    count = len(exercise.locked)
    return True, f"{count} locked block{'s' * (count != 1)} unchanged"


RULES: dict[str, Rule] = {
    "valid": _valid,
    "no-warning": _no_warning,
    "test-accuracy": _test_accuracy,
    "test-loss": _test_loss,
    "max-parameters": _max_parameters,
    "uses-block": _uses_block,
    "forbids-block": _forbids_block,
    "output-shape": _output_shape,
    "locked-unchanged": _locked_unchanged,
}
