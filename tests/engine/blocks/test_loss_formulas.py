"""Every loss block computes exactly the formula its text states, and the lecture's
multi-class hinge reproduces the lecture's printed numbers.

Each formula is written again here in numpy, from the text alone, and compared
with the criterion the block compiles to on random scores and targets, with its
parameters away from their defaults. A loss block added to the catalogue
without a formula here fails the first test.
"""

from __future__ import annotations

import runpy

import numpy as np
import pytest
import torch
from nets import wire

import graph_engine as ge
from graph_engine.blocks.registry import REGISTRY

ROWS, CLASSES = 7, 4


def log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def picked(z, y):
    return z[np.arange(len(y)), y]


def huber(e, delta):
    return np.where(np.abs(e) < delta, 0.5 * e**2, delta * (np.abs(e) - 0.5 * delta))


def multi_margin(z, y, p, margin):
    terms = np.maximum(0, margin - picked(z, y)[:, None] + z) ** p
    terms[np.arange(len(y)), y] = 0  # j ≠ y
    return (terms.sum(axis=1) / z.shape[1]).mean()


def hinge(z, y, margin):
    wrong = z.copy()
    wrong[np.arange(len(y)), y] = -np.inf
    return np.maximum(0, wrong.max(axis=1) - picked(z, y) + margin).mean()


def clamped_log(p):
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(p), -100)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# block -> (its formula, as the block states it; params; what it reads; numpy of the formula)
FORMULAS = {
    "MSELoss": ("MSE = mean((ŷ − y)²)", {}, "values",
                lambda z, y: ((z - y) ** 2).mean()),
    "L1Loss": ("L1 = mean(|ŷ − y|)", {}, "values", lambda z, y: np.abs(z - y).mean()),
    "HuberLoss": ("Huber = mean(h(ŷ − y)), h(e) = ½e² if |e| < delta else "
                  "delta · (|e| − ½ delta)", {"delta": 0.7}, "values",
                  lambda z, y: huber(z - y, 0.7).mean()),
    "CrossEntropyLoss": ("CE = −mean((1 − s) · log softmax(z)[y] + s · mean_k "
                         "log softmax(z)[k]), s = label_smoothing", {"label_smoothing": 0.2},
                         "classes", lambda z, y: -(0.8 * picked(log_softmax(z), y)
                                                   + 0.2 * log_softmax(z).mean(axis=1)).mean()),
    "NLLLoss": ("NLL = −mean(z[y]), z = log-probabilities", {}, "log-probabilities",
                lambda z, y: -picked(z, y).mean()),
    "BCELoss": ("BCE = −mean(y log p + (1 − y) log(1 − p)), each log at least −100", {},
                "probabilities", lambda p, y: -(y * clamped_log(p) + (1 - y)
                                                * clamped_log(1 - p)).mean()),
    "BCEWithLogitsLoss": ("BCEWithLogits = −mean(y log σ(z) + (1 − y) log(1 − σ(z))), "
                          "computed stably from z", {}, "binary",
                          lambda z, y: -(y * np.log(sigmoid(z))
                                         + (1 - y) * np.log(1 - sigmoid(z))).mean()),
    "MultiMarginLoss": ("MultiMargin = mean over samples of (1/C) · Σ_{j ≠ y} "
                        "max(0, margin − z_y + z_j)^p, C = the number of classes",
                        {"p": 2, "margin": 0.6}, "classes",
                        lambda z, y: multi_margin(z, y, 2, 0.6)),
    "MultiClassHingeLoss": ("hinge = mean over samples of max(0, max_{j ≠ y} z_j − z_y + "
                            "margin)", {"margin": 0.8}, "classes",
                            lambda z, y: hinge(z, y, 0.8)),
}


def inputs(reads: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores and targets of the form the loss reads."""
    rng = np.random.default_rng(seed)
    if reads == "classes":
        return rng.normal(size=(ROWS, CLASSES)), rng.integers(0, CLASSES, ROWS)
    if reads == "log-probabilities":
        return log_softmax(rng.normal(size=(ROWS, CLASSES))), rng.integers(0, CLASSES, ROWS)
    if reads == "binary":
        return rng.normal(size=(ROWS, 1)) * 3, rng.integers(0, 2, (ROWS, 1)).astype(float)
    if reads == "probabilities":  # a certain wrong answer among them: the log's floor
        p = sigmoid(rng.normal(size=(ROWS, 1)) * 3)
        p[0], y = 0.0, rng.integers(0, 2, (ROWS, 1)).astype(float)
        y[0] = 1.0
        return p, y
    return rng.normal(size=(ROWS, 3)) * 2, rng.normal(size=(ROWS, 3))


def criterion(name: str, params: dict) -> torch.nn.Module:
    spec = REGISTRY.get(name)
    return spec.module(spec.coerce_params(params), 0)


def as_tensors(z, y):
    target = torch.as_tensor(y) if y.dtype.kind == "i" else torch.as_tensor(y, dtype=torch.float64)
    return torch.as_tensor(z), target


def test_every_loss_block_has_its_formula_checked_here():
    assert {spec.name for spec in REGISTRY if spec.is_loss} == set(FORMULAS)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_the_loss_computes_what_its_formula_says(name):
    text, params, reads, formula = FORMULAS[name]
    assert REGISTRY.get(name).teaching.formula == text
    loss = criterion(name, params)
    for seed in range(3):
        z, y = inputs(reads, seed)
        with torch.no_grad():
            found = float(loss(*as_tensors(z, y)))
        assert found == pytest.approx(formula(z, y), rel=1e-9, abs=1e-12)


def test_multi_margin_divides_by_every_class_as_its_text_says():
    """With 4 classes the sum over the 3 wrong ones is divided by 4: ¾ of their mean."""
    z, y = inputs("classes", 5)
    found = float(criterion("MultiMarginLoss", {})(*as_tensors(z, y)))
    terms = np.maximum(0, 1 - picked(z, y)[:, None] + z)
    terms[np.arange(ROWS), y] = 0
    assert found == pytest.approx(0.75 * (terms.sum(axis=1) / (CLASSES - 1)).mean())
    assert "divided by C" in REGISTRY.get("MultiMarginLoss").teaching.use


# ------------------------------------------------------ the lecture's hinge

LECTURE_SCORES = [[0.15, 0.7, 0.15]]  # "hinge(y, p) = 0.7 − 0.15 + 1": class 0 is correct


def test_the_lectures_hinge_gives_its_printed_value():
    loss = criterion("MultiClassHingeLoss", {})
    scores, label = torch.tensor(LECTURE_SCORES), torch.tensor([0])
    assert float(loss(scores, label)) == pytest.approx(0.7 - 0.15 + 1)
    assert float(loss(scores, label)) == pytest.approx(1.55)
    # zero once the correct score leads every other by the margin of 1
    assert float(loss(torch.tensor([[2.0, 0.9, -3.0]]), label)) == 0.0
    # PyTorch's MultiMarginLoss on the same scores: (1.55 + 1.0) / 3
    multi = criterion("MultiMarginLoss", {})
    assert float(multi(scores, label)) == pytest.approx((1.55 + 1.0) / 3)


def hinge_network() -> ge.Diagram:
    d = ge.Diagram()
    wire(d, d.add("Input", features=2), d.add("Linear", out_features=3),
          d.add("MultiClassHingeLoss", margin=0.5))
    d.dataset = {"name": "blobs", "samples": 120}
    return d


def test_the_lectures_hinge_trains_traces_and_exports(tmp_path):
    d = hinge_network()
    run = ge.train(d, epochs=15, optimizer="adam", lr=0.05)
    assert run.history[-1]["test_accuracy"] > 0.9
    t = ge.trace(d, [0.5, -1.0], 1)
    assert t.loss is not None and t.loss >= 0
    path = tmp_path / "net.py"
    path.write_text(ge.to_python(d), encoding="utf-8")
    exported = runpy.run_path(str(path))["loss_fn"]
    z, y = inputs("classes", 1)
    z = z[:, :3]
    y = y % 3
    assert float(exported(*as_tensors(z, y))) == pytest.approx(hinge(z, y, 0.5))
