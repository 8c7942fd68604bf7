"""Messages and examples that are right: each says what is true of the diagram,
and no warning fires where nothing is wrong.

What stops training (no loss, no data set) is an error where the editor lists it,
while ``ge.validate`` keeps its contract (a diagram without a loss compiles); an
empty canvas is no error; a network with no weights and no loss (the autograd
example) is not told to add a loss; a bounded output is fine on targets it can
reach; ReLU before CrossEntropyLoss is a mistake with its "Why?"; every shipped
example traces, labels −1/+1 included; xor-no-hidden's run is what its text says.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
import torch

import graph_engine as ge
from graph_engine.checks.explanations import explanation
from graph_engine.checks.readiness import (
    EMPTY,
    NOTHING_TO_TRAIN,
    listed_problems,
    training_problems,
)
from graph_engine.cli import main as cli
from graph_engine.data import datasets
from graph_engine.training.trace import TraceError, dataset_sample
from tools import make_examples

torch.set_num_threads(1)


def chain(*blocks, dataset=None) -> ge.Diagram:
    """Blocks ("Type" or ("Type", {params})) wired one after another."""
    d = ge.Diagram()
    ids = [d.add(*((b,) if isinstance(b, str) else (b[0],)),
                 **({} if isinstance(b, str) else b[1])) for b in blocks]
    for src, dst in pairwise(ids):
        d.connect(src, dst)
    d.dataset = dataset
    return d


def lin(n: int):
    return ("Linear", {"out_features": n})


def example(name: str) -> ge.Diagram:
    return ge.load(make_examples.EXAMPLES / f"{name}.json")


def listed(d: ge.Diagram) -> list[ge.Diagnostic]:
    found = ge.validate(d)
    return listed_problems(d, found, training_problems(d, found))


# ------------------------------------------------------------ the label-form hint

def test_cross_entropy_after_one_output_is_not_told_to_use_signed_labels():
    """−1/+1 labels are read by a squared loss alone: suggesting them for
    CrossEntropyLoss would loop back to label-form's "set it to index"."""
    d = chain("Input", lin(1), "CrossEntropyLoss", dataset="circle")
    [problem] = [p for p in ge.validate(d) if p.code == "shape-mismatch"]
    assert "signed" not in problem.message and "out_features to 2" in problem.message
    squared = chain("Input", lin(1), "Tanh", "MSELoss", dataset="circle")
    assert any("signed" in p.message for p in ge.validate(squared))


# ------------------------------------------------------------ what stops training

def test_no_loss_and_no_data_set_are_errors_where_the_editor_lists_them():
    d = chain("Input", lin(2))
    assert [p.severity for p in ge.validate(d) if p.code == "no-loss"] == ["warning"]
    assert ge.compile(d).loss_fn is None  # the headless contract: it still compiles
    shown = {p.code: p.severity for p in listed(d)}
    assert shown == {"no-loss": "error", "no-dataset": "error"}
    assert [p.code for p in listed(d)].count("no-loss") == 1  # said once, as the error


def test_an_empty_canvas_lists_a_hint_and_no_error():
    d = ge.Diagram()
    assert [p.code for p in ge.validate(d)] == ["no-input"]  # validate is unchanged
    assert listed(d) == [EMPTY] and EMPTY.severity == "hint"


def test_the_autograd_example_is_told_it_is_for_tracing_not_to_add_a_loss():
    d = example("autograd")
    assert ge.validate(d) == []
    assert training_problems(d, []) == [NOTHING_TO_TRAIN]
    assert NOTHING_TO_TRAIN.severity == "hint" and "Backprop" in NOTHING_TO_TRAIN.message


def test_a_network_with_weights_and_no_loss_still_gets_no_loss():
    d = chain(("Input", {"features": 1}), lin(1), "Output", dataset="polynomial")
    assert "no-loss" in {p.code for p in ge.validate(d)}


# ------------------------------------------------------------ bounded outputs

def tanh_regression(name: str) -> ge.Diagram:
    return chain("Input", lin(4), "Tanh", lin(1), "Tanh", "MSELoss", dataset=name)


def test_a_tanh_output_on_targets_inside_minus_one_one_is_no_false_alarm():
    low, high = datasets.target_range("reg-gauss")
    data = datasets.load("reg-gauss")
    assert (low, high) == (float(data.y_all.min()), float(data.y_all.max()))
    assert -1 < low and high < 1
    assert "bounded-regression-output" not in {p.code for p in
                                                ge.validate(tanh_regression("reg-gauss"))}


def test_a_tanh_output_on_targets_beyond_it_is_warned_with_their_range():
    _low, high = datasets.target_range("reg-plane")
    assert high > 1  # (x1 + x2) / 10 over [-6, 6]²
    [problem] = [p for p in ge.validate(tanh_regression("reg-plane"))
                 if p.code == "bounded-regression-output"]
    assert f"{high:.3g}" in problem.message and "(-1, 1)" in problem.message


def test_a_relu_output_reaches_all_positive_targets():
    d = chain(("Input", {"features": 1}), lin(8), "ReLU", lin(1), "ReLU", "MSELoss",
              dataset="polynomial")
    assert datasets.target_range("polynomial")[0] > 0
    assert "bounded-regression-output" not in {p.code for p in ge.validate(d)}


# ------------------------------------------------------------ ReLU before the loss

def test_relu_before_cross_entropy_is_warned_and_explained():
    d = chain("Input", lin(8), "ReLU", lin(2), "ReLU", "CrossEntropyLoss", dataset="circle")
    [problem] = [p for p in ge.validate(d) if p.code == "activation-before-cross-entropy"]
    assert problem.severity == "warning" and "ReLU 2" in problem.message
    assert "log-softmax" in problem.message
    why = explanation(problem.code)
    assert "ReLU" in why and "0.31" in why


def test_the_explanations_numbers_are_the_softmaxs_own():
    """Two classes, scores in (0, 1): the right one gets at most e / (e + 1)."""
    best = torch.softmax(torch.tensor([1.0, 0.0]), dim=0)[0].item()
    assert f"{best:.2f}" in explanation("activation-before-cross-entropy")
    assert f"{-math.log(best):.2f}" in explanation("activation-before-cross-entropy")


def test_a_softmax_before_cross_entropy_gets_its_own_warning_only():
    d = chain("Input", lin(2), ("Softmax", {"dim": 1}), "CrossEntropyLoss", dataset="circle")
    codes = {p.code for p in ge.validate(d)}
    assert "softmax-before-cross-entropy" in codes
    assert "activation-before-cross-entropy" not in codes


# ------------------------------------------------------------ tracing every example

@pytest.mark.parametrize("path", sorted(make_examples.EXAMPLES.glob("*.json")),
                         ids=lambda p: p.stem)
def test_every_shipped_example_traces_its_first_test_sample(path):
    d = ge.load(path)
    x, y = dataset_sample(d, 0)
    t = ge.trace(d, x, y)
    assert t.order and all(np.isfinite(t.blocks[b].output.numpy()).all() for b in t.order)


def test_playground_default_traces_with_minus_one_plus_one_labels(capsys):
    d = example("playground-default")
    x, y = dataset_sample(d, 0)
    t = ge.trace(d, x, y)
    output = float(t.blocks[t.prediction].output)
    signed = 2.0 * float(y) - 1.0
    assert t.loss == pytest.approx((output - signed) ** 2, rel=1e-6)
    assert ge.trace(d, x, signed).loss == pytest.approx(t.loss)  # −1/+1 as the data set shows
    assert cli(["trace", str(make_examples.EXAMPLES / "playground-default.json")]) == 0
    assert "loss" in capsys.readouterr().out


@pytest.mark.parametrize("label", [2, 0.5, -2])
def test_a_signed_label_that_is_neither_sign_nor_index_is_refused(label):
    d = example("playground-default")
    with pytest.raises(TraceError, match="−1 or \\+1"):
        ge.trace(d, [0.5, 0.5], label)


# ------------------------------------------------------------ xor-no-hidden

def test_xor_without_a_hidden_layer_does_what_its_text_says():
    d = example("xor-no-hidden")
    assert "log 2" in d.description and "75 %" in d.description
    history = ge.train(d).history
    losses = [h["train_loss"] for h in history]
    assert losses[0] > losses[-1]  # it falls from where the random line put it
    assert abs(losses[-1] - math.log(2)) < 0.05  # to about log 2, and stays there
    assert max(h["test_accuracy"] for h in history) < 0.75
