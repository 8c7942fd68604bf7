"""one_step: one optimizer step on a traced sample, checked against autograd
and torch's optimizers on the compiled module."""

from __future__ import annotations

import pytest
import torch
from paths import EXAMPLES

import graph_engine as ge
from graph_engine.training.one_step import as_data, one_step
from graph_engine.training.trace import TraceError, labels

torch.set_num_threads(1)
TOLERANCE = {"rtol": 1e-6, "atol": 1e-6}


def example(name: str, **settings) -> ge.Diagram:
    d = ge.load(EXAMPLES / f"{name}.json")
    d.training = d.training.with_(**settings)
    return d


def sample(d: ge.Diagram, index: int = 0):
    data = ge.datasets.load(d.dataset)
    return data.x_test[index], data.y_test[index]


def autograd_grads(d: ge.Diagram, x, y, weights=None) -> dict[str, torch.Tensor]:
    """d loss / d each parameter by backward on the compiled module itself."""
    net = ge.compile(d, seed=d.training.seed)
    if weights is not None:
        net.model.load_state_dict(weights)
    net.model.eval()
    xs = torch.as_tensor(x, dtype=torch.float32).reshape(1, -1)
    net.loss_fn(net.model(xs), labels(y, net, 1)).backward()
    return {k: p.grad for k, p in net.model.named_parameters()}


def test_an_sgd_step_changes_each_weight_by_minus_lr_times_its_gradient():
    d = example("two-layer-net", optimizer="sgd", lr=0.05)
    x, y = sample(d)
    step = one_step(d, x, y)
    expected = autograd_grads(d, x, y)
    assert [p.key for p in step.params] == list(expected)
    for p in step.params:
        torch.testing.assert_close(p.grad, expected[p.key], **TOLERANCE)
        torch.testing.assert_close(p.delta, -0.05 * expected[p.key], **TOLERANCE)
        torch.testing.assert_close(step.weights[p.key], p.before + p.delta, **TOLERANCE)
    assert step.rule == "Δw = −lr · dL/dw" and step.samples == 1


def test_the_loss_after_is_the_loss_with_the_new_weights_and_lower_for_a_small_lr():
    d = example("two-layer-net", optimizer="sgd", lr=0.01)
    x, y = sample(d, 3)
    step = one_step(d, x, y)
    assert step.loss_before == pytest.approx(ge.trace(d, x, y).loss, rel=1e-6)
    assert step.loss_after == pytest.approx(ge.trace(d, x, y, weights=step.weights).loss,
                                            rel=1e-6)
    assert step.loss_after < step.loss_before


def test_a_step_starts_from_the_weights_given_and_steps_can_follow_each_other():
    d = example("deep-sigmoid", optimizer="sgd", lr=0.5)
    x, y = sample(d, 1)
    first = one_step(d, x, y)
    second = one_step(d, x, y, weights=first.weights)
    expected = autograd_grads(d, x, y, first.weights)
    for p in second.params:
        torch.testing.assert_close(p.before, first.weights[p.key])
        torch.testing.assert_close(p.delta, -0.5 * expected[p.key], **TOLERANCE)
    assert second.loss_before == pytest.approx(first.loss_after, rel=1e-6)


def test_other_optimizers_take_torchs_own_step():
    d = example("two-layer-net", optimizer="adam", lr=0.01)
    x, y = sample(d)
    step = one_step(d, x, y)
    net = ge.compile(d, seed=d.training.seed)
    net.model.eval()
    optimizer = torch.optim.Adam(net.model.parameters(), lr=0.01)
    net.loss_fn(net.model(torch.as_tensor(x).reshape(1, -1)), labels(y, net, 1)).backward()
    optimizer.step()
    for key, value in net.model.state_dict().items():
        torch.testing.assert_close(step.weights[key], value, **TOLERANCE)
    assert step.rule.startswith("Adam: Δw = −lr · m̂ / (√v̂ + ε)")
    momentum = one_step(example("two-layer-net", optimizer="momentum", lr=0.01), x, y)
    sgd = one_step(example("two-layer-net", optimizer="sgd", lr=0.01), x, y)
    for a, b in zip(momentum.params, sgd.params, strict=True):  # v starts at 0
        torch.testing.assert_close(a.delta, b.delta, **TOLERANCE)


def test_an_l2_penalty_is_part_of_the_step_as_in_training():
    d = example("two-layer-net", optimizer="sgd", lr=0.1, l2=0.01)
    x, y = sample(d)
    step = one_step(d, x, y)
    plain = autograd_grads(d, x, y)
    for p in step.params:
        extra = 2 * 0.01 * p.before if p.before.dim() >= 2 else 0
        torch.testing.assert_close(p.grad, plain[p.key] + extra, **TOLERANCE)
    assert step.penalised


def test_without_a_label_or_a_loss_there_is_no_step():
    d = example("two-layer-net")
    with pytest.raises(TraceError, match="type its label"):
        one_step(d, [0.5, -1.2], None)
    with pytest.raises(TraceError, match="add a loss block"):
        one_step(ge.load(EXAMPLES / "autograd.json"), [1.0], 0)


def test_as_data_gives_every_number_and_weights_that_load_again():
    d = example("two-layer-net", optimizer="sgd", lr=0.05)
    x, y = sample(d)
    data = as_data(one_step(d, x, y), d)
    assert [(p["block_name"], p["name"]) for p in data["params"]] == [
        ("Linear 1", "weight"), ("Linear 1", "bias"), ("Linear 2", "weight"),
        ("Linear 2", "bias")]
    first = data["params"][0]
    assert first["norm"] == pytest.approx(float((first["delta"] ** 2).sum()) ** 0.5, rel=1e-5)
    assert ge.trace(d, x, y, weights=data["weights"]).loss == pytest.approx(data["loss_after"])
