"""The shipped example diagrams: they load, say what they claim, train, and teach.

Every file in resources/examples/ must appear in EXPECTED with the diagnostic
codes its description promises (none, or the mistake it demonstrates); none
may have an error. The examples whose description promises a result are
trained with their own settings and held to it.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
import torch

import graph_engine as ge
from graph_engine.build.compiler import compile as compile_diagram
from graph_engine.data import datasets
from graph_engine.model.fileio import dumps
from graph_engine.model.settings import PACES
from graph_engine.server import pacing
from graph_engine.training.trainer import Trainer
from tools import make_examples

FOLDER = make_examples.EXAMPLES
FILE_FORMAT_MD = make_examples.ROOT / "docs" / "file-format.md"

# example -> the diagnostic codes validation must report, exactly
EXPECTED: dict[str, set[str]] = {
    "perceptron": set(),
    "two-layer-net": set(),
    "binary-classifier-blobs": set(),
    "polynomial-linear": set(),
    "polynomial-mlp": set(),
    "xor-no-hidden": set(),
    "xor": set(),
    "spiral": set(),
    "deep-sigmoid": {"deep-saturating-stack"},
    "deep-relu": set(),
    "softmax-before-cross-entropy": {"softmax-before-cross-entropy"},
    "stacked-linear": {"no-nonlinearity"},
    "circle": set(),
    "residual": set(),
    "custom-activation": set(),
    "autograd": set(),
    "backprop-sgd": set(),
    "digits": set(),
    "regression-gauss": set(),
    "polynomial-features": set(),
    "circle-squares": set(),
    "spiral-features": set(),
    "playground-default": set(),
    "zero-init": set(),
    "function-sine": set(),
    "function-cubic": set(),
    "function-abs": set(),
}

TRACE_ONLY = ("autograd",)  # no weights and no loss: an example to trace, not to train
# >= 95 % test accuracy within their own epochs
MUST_SOLVE = ("xor", "circle", "spiral", "circle-squares", "playground-default",
              "function-sine", "function-cubic", "function-abs")
POLYNOMIAL_MSE = 0.5  # the MLP's test MSE stays below it, the straight line's above


def example(name: str) -> ge.Diagram:
    return ge.load(FOLDER / f"{name}.json")


def final(run) -> dict:
    return run.history[-1]


def test_every_example_file_is_in_the_table():
    assert {p.stem for p in FOLDER.glob("*.json")} == set(EXPECTED)
    assert set(make_examples.EXAMPLES_BY_NAME) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_file_is_what_the_generator_writes(name):
    text = (FOLDER / f"{name}.json").read_text(encoding="utf-8")
    assert text == dumps(make_examples.EXAMPLES_BY_NAME[name]()), \
        f"{name}.json is out of date: run python -m tools.make_examples {name}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_loads_and_validates_as_described(name):
    d = example(name)
    assert d.title and d.dataset is not None
    sentences = re.findall(r"[.!?](?:\s|$)", d.description)
    assert 2 <= len(sentences) <= 4, d.description
    problems = ge.validate(d)
    assert not [p for p in problems if p.is_error], problems
    assert {p.code for p in problems} == EXPECTED[name]
    positions = [b.position for b in d.blocks]
    assert len(set(positions)) == len(positions), "two blocks on top of each other"


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - set(TRACE_ONLY)))
def test_example_trains_three_epochs(name):
    run = ge.train(example(name), epochs=3)
    assert run.stopped is None
    assert [h["epoch"] for h in run.history] == [1, 2, 3]
    assert all(math.isfinite(h["train_loss"]) and math.isfinite(h["test_loss"])
               for h in run.history)


@pytest.mark.parametrize("name", TRACE_ONLY)
def test_an_example_to_trace_says_why_it_does_not_train(name):
    with pytest.raises(ValueError, match="no loss, so it cannot train"):
        ge.train(example(name), epochs=1)


@pytest.mark.parametrize("name", MUST_SOLVE)
def test_example_reaches_95_percent_with_its_settings(name):
    d = example(name)
    run = ge.train(d)
    assert len(run.history) == d.training.epochs
    assert final(run)["test_accuracy"] >= 0.95


def test_polynomial_mlp_fits_and_a_straight_line_cannot():
    mlp = final(ge.train(example("polynomial-mlp")))["test_loss"]
    line = final(ge.train(example("polynomial-linear")))["test_loss"]
    assert mlp < POLYNOMIAL_MSE < line


def test_a_linear_model_on_the_feature_map_learns_the_polynomial_exactly():
    """Lecture 004: on φ(x) = [x, x²] linear regression finds f(x) = 4x² + 2x + 1."""
    d = example("polynomial-features")
    assert d.dataset.noise == 0
    run = ge.train(d)
    (linear,) = [m for m in run.model.modules() if isinstance(m, torch.nn.Linear)]
    weights = [*linear.weight.detach().reshape(-1).tolist(), float(linear.bias.detach())]
    assert weights == pytest.approx([2.0, 4.0, 1.0], abs=1e-3)


def test_playgrounds_seven_inputs_let_one_hidden_layer_solve_the_spiral():
    d = example("spiral-features")
    assert final(ge.train(d))["test_accuracy"] >= 0.9
    for block in [b for b in d.blocks if b.type in ("PolynomialFeatures", "CustomActivation",
                                                     "Concat")]:
        d.remove(block.id)
    inputs, hidden = (next(b.id for b in d.blocks if b.type == t) for t in ("Input", "Linear"))
    d.connect(inputs, hidden)
    assert final(ge.train(d))["test_accuracy"] < 0.7


def test_same_seed_gives_the_same_history():
    first = ge.train(example("residual"), epochs=4)
    second = ge.train(example("residual"), epochs=4)
    assert first.history == second.history


def test_file_format_doc_shows_the_perceptron_as_saved(tmp_path):
    """docs/file-format.md quotes perceptron.json in full, then a hand-written
    short form of it: both must stay true."""
    text = FILE_FORMAT_MD.read_text(encoding="utf-8")
    section = text.split("## A complete example", 1)[1]
    full, short = re.findall(r"```json\n(.*?)```", section, re.S)[:2]
    assert full == (FOLDER / "perceptron.json").read_text(encoding="utf-8")
    (tmp_path / "short.json").write_text(short, encoding="utf-8")
    d = ge.load(tmp_path / "short.json")
    assert not ge.validate(d)
    saved = json.loads(full)
    assert [b.type for b in d.blocks] == [b["type"] for b in saved["blocks"]]
    assert d.training.to_dict() == saved["training"]


# ------------------------------------------------------ the lessons they claim

def test_the_function_examples_draw_their_curves():
    """Each is a function data set whose classes are its formula's sides."""
    curves = {"function-sine": "3 * sin(x1)", "function-cubic": "x1**3/9 - x1",
              "function-abs": "abs(x1)"}
    for name, curve in curves.items():
        spec = example(name).dataset
        assert (spec.name, spec.boundary) == ("function", curve)
        data = ge.datasets.load(spec)
        x1, x2 = data.x_all[:, 0].astype(float), data.x_all[:, 1].astype(float)
        height = {"function-sine": 3 * np.sin(x1), "function-cubic": x1**3 / 9 - x1,
                  "function-abs": np.abs(x1)}[name]
        assert (data.y_all == (x2 > height)).all()


def test_two_tanh_units_cannot_follow_the_sine_wave():
    d = example("function-sine")
    hidden = next(b.id for b in d.blocks if b.type == "Linear")
    d.set_params(hidden, out_features=2)
    assert final(ge.train(d))["test_accuracy"] < 0.9


@pytest.mark.parametrize("name", ["xor-no-hidden", "stacked-linear"])
def test_linear_models_stay_near_chance(name):
    assert final(ge.train(example(name)))["test_accuracy"] < 0.7


def test_zero_init_keeps_the_hidden_units_alike_and_another_init_solves_it():
    d = example("zero-init")
    assert d.training.init == "zeros"
    stuck = ge.train(d)
    hidden = next(m for m in stuck.model.modules() if isinstance(m, torch.nn.Linear))
    assert torch.equal(hidden.weight, hidden.weight[:1].expand_as(hidden.weight))
    assert final(stuck)["test_accuracy"] < 0.5
    assert ge.train(d, epochs=50, init="default").history[-1]["test_accuracy"] >= 0.95


def test_softmax_before_cross_entropy_trains_worse_than_the_fix():
    broken = example("softmax-before-cross-entropy")
    fixed = example("softmax-before-cross-entropy")
    softmax = next(b.id for b in fixed.blocks if b.type == "Softmax")
    feeder = fixed.wires_into(softmax)[0].src
    loss = next(w.dst for w in fixed.wires if w.src == softmax)
    fixed.remove(softmax)
    fixed.connect(feeder, loss)
    assert not ge.validate(fixed)
    worse, better = final(ge.train(broken)), final(ge.train(fixed))
    assert worse["test_loss"] > 2 * better["test_loss"]
    assert worse["test_accuracy"] < better["test_accuracy"]


def first_to_last_gradient(name: str) -> tuple[float, float]:
    """Accuracy after training, and the first Linear layer's gradient norm over
    the last one's after the first epoch."""
    d = example(name)
    linear = [b.id for b in d.blocks if b.type == "Linear"]
    run = ge.train(d, track_gradients=True)
    norms = run.history[0]["grad_norms"]
    return final(run)["test_accuracy"], norms[linear[0]] / norms[linear[-1]]


def test_sigmoid_gradients_vanish_and_relu_ones_do_not():
    sigmoid_accuracy, sigmoid_ratio = first_to_last_gradient("deep-sigmoid")
    relu_accuracy, relu_ratio = first_to_last_gradient("deep-relu")
    assert sigmoid_ratio < 1e-3 < relu_ratio
    assert sigmoid_accuracy < 0.7 and relu_accuracy >= 0.95


# Examples whose lesson is a loss that does not fall (or hardly): no time to fall in.
STAYS = ("xor-no-hidden", "stacked-linear", "deep-sigmoid", "zero-init")


def story(d: ge.Diagram) -> tuple[list[float], list[float]]:
    """(seconds after Play, test loss) at every frame the editor draws at the
    example's own pace: the same steps the training process takes."""
    settings = d.training
    trainer = Trainer(compile_diagram(d, seed=settings.seed), datasets.load(d.dataset),
                      settings, track_gradients=False)
    trainer.use_kernel = False  # as at a set pace
    rate = settings.steps_per_second(trainer.batches)
    steps, times, losses = 0, [0.0], [trainer.evaluate()["test_loss"]]
    while trainer.epoch < settings.epochs:
        before = trainer.batch
        trainer.run_steps(pacing.frame_steps(rate))
        steps += (trainer.batch or trainer.batches) - before
        times.append(steps / rate)
        losses.append(trainer.evaluate()["test_loss"])
    return times, losses


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(EXPECTED) - set(TRACE_ONLY)))
def test_each_example_tells_its_story_at_its_pace_in_10_to_30_seconds(name):
    """At its own pace (one the toolbar offers, of 20 optimizer steps a second or more,
    so every view draws 20 frames a second), the run takes 10-30 s, the loss makes 90 %
    of its fall (on a log scale, as the curves' Log scale shows it) within 10-30 s, and
    6 s after Play it is still moving: at most 85 % of that fall is done."""
    d = example(name)
    settings = d.training
    assert (settings.pace, settings.pace_unit) in PACES
    times, losses = story(d)
    rate = settings.steps_per_second(
        Trainer(compile_diagram(d), datasets.load(d.dataset), settings).batches)
    assert rate >= 20 and 10 <= times[-1] <= 30
    if name in STAYS:
        return
    logs = np.log(np.maximum(losses, 1e-12))
    fall = logs[0] - logs.min()
    done = [(logs[0] - value) / fall for value in logs]
    t90 = next(t for t, d in zip(times, done, strict=True) if d >= 0.9)
    at_6 = next(d for t, d in zip(times, done, strict=True) if t >= 6)
    assert 10 <= t90 <= 30 and at_6 <= 0.85, (t90, at_6)


def test_autograd_reproduces_the_lectures_x_grad():
    """z = 2(x + 2)² at x = 1: z = 18, and z.backward() leaves x.grad = 12."""
    d = example("autograd")
    t = ge.trace(d, [1.0])
    inputs = [b.id for b in d.blocks if b.spec.role == "input"]
    assert t.blocks[t.prediction].output.item() == 18.0
    assert [t.blocks[b].grad.item() for b in inputs] == [12.0]
