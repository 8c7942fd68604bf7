"""The facts code asks the registry, and the enums that name them.

Severities, roles, port kinds and loss kinds are enums whose members are
their words, so the public contract (``Diagnostic.severity == "error"``),
JSON and printed text read exactly as plain strings did.
"""

from __future__ import annotations

import dataclasses
import json
from itertools import pairwise

import pytest

import graph_engine as ge
from graph_engine.blocks.registry import (
    Category,
    LossTarget,
    OutputKind,
    Prediction,
    Registry,
    Role,
)
from graph_engine.core.diagnostics import Severity, sort_key


def softmax_into(loss: str) -> ge.Diagram:
    d = ge.Diagram()
    ids = [d.add("Input"), d.add("Linear", out_features=3), d.add("Softmax"), d.add(loss)]
    for src, dst in pairwise(ids):
        d.connect(src, dst)
    return d


def test_a_severity_reads_as_its_word_everywhere():
    problem = next(p for p in ge.validate(softmax_into("MultiMarginLoss"))
                   if p.code == "softmax-before-cross-entropy")
    assert problem.severity == "warning" and problem.severity is Severity.WARNING
    assert str(problem).startswith("warning: Softmax 1 feeds MultiMarginLoss 1")
    assert f"{problem.severity}|{problem.severity:>8}" == "warning| warning"
    assert json.loads(json.dumps(dataclasses.asdict(problem)))["severity"] == "warning"
    assert {"warning": 1}[problem.severity] == 1


def test_a_diagnostic_takes_a_severity_word_and_refuses_an_unknown_one():
    assert ge.Diagnostic("hint", "x", "m").severity is Severity.HINT
    with pytest.raises(ValueError, match="fatal"):
        ge.Diagnostic("fatal", "x", "m")


def test_diagnostics_sort_errors_first():
    problems = ge.validate(softmax_into("MultiMarginLoss"))
    problems.append(ge.Diagnostic(Severity.ERROR, "a-late-error", "m"))
    assert sorted(problems, key=sort_key)[0].code == "a-late-error"


def test_loss_kinds_keep_their_words():
    spec = ge.REGISTRY.get("BCEWithLogitsLoss").loss
    assert (spec.target, spec.prediction) == ("binary", "binary-logit")
    assert spec.target is LossTarget.BINARY and spec.prediction is Prediction.BINARY_LOGIT


def test_every_loss_that_takes_raw_scores_warns_after_a_softmax():
    """The rule is the loss's declared prediction, not a list of loss types."""
    for spec in ge.REGISTRY:
        if spec.is_loss and spec.loss.prediction == Prediction.LOGITS:
            codes = {p.code for p in ge.validate(softmax_into(spec.name))}
            assert "softmax-before-cross-entropy" in codes, spec.name


def test_what_the_lints_ask_is_declared_in_the_catalogue():
    facts = {
        "transparent": {s.name for s in ge.REGISTRY if s.transparent},
        "dense": {s.name for s in ge.REGISTRY if s.dense},
        "zero_gradient": {s.name for s in ge.REGISTRY if s.zero_gradient},
        "formula": {s.name for s in ge.REGISTRY if s.formula_param},
    }
    assert facts == {"transparent": {"Identity", "Dropout"}, "dense": {"Linear"},
                     "zero_gradient": {"Step"}, "formula": {"CustomActivation"}}
    produces = {s.name: s.produces for s in ge.REGISTRY if s.produces != OutputKind.SCORES}
    assert produces == {"Softmax": "probabilities", "LogSoftmax": "log-probabilities",
                        "Sigmoid": "probability"}


def test_the_registry_refuses_a_category_or_role_given_as_a_plain_word():
    spec = ge.REGISTRY.get("ReLU")
    registry = Registry()
    registry.register(dataclasses.replace(spec, name="Mine"))
    for bad in ({"category": "Activations"}, {"role": "activation"}):
        with pytest.raises(ValueError, match="Category and a Role"):
            registry.register(dataclasses.replace(spec, name="Other", **bad))
    assert registry.names() == ["Mine"]
    assert list(registry.by_category()) == list(Category)
    assert spec.role is Role.ACTIVATION
