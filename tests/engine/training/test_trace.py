"""ge.trace: one sample's values forward and gradients backward, checked
against autograd on the compiled module.

The reference runs the compiled network's own modules block by block with a
zero "probe" tensor added to every wire and every block's output: autograd's
gradient of the loss with respect to a probe is the gradient that wire (or
that output) carries. The input's gradient and the parameters' gradients are
compared with ``x.grad`` and ``.grad`` after ``backward`` on ``net.model`` itself.
"""

from __future__ import annotations

from itertools import pairwise

import dags
import nets
import numpy as np
import pytest
import torch

import graph_engine as ge
from graph_engine.blocks.registry import Role
from graph_engine.build.weights import save_weights
from graph_engine.training.trace import TraceDiagramError, TraceError, labels

torch.set_num_threads(1)
TOLERANCE = {"rtol": 1e-6, "atol": 1e-6}


def close(actual, expected) -> None:
    torch.testing.assert_close(actual, expected.detach(), **TOLERANCE)


def lecture() -> tuple[ge.Diagram, list[str]]:
    """z = 2(x + 2)², the lecture's first autograd example."""
    d = ge.Diagram()
    ids = [d.add("Input", features=1), d.add("CustomActivation", formula="2*(x+2)**2"),
           d.add("Output")]
    d.connect(ids[0], ids[1])
    d.connect(ids[1], ids[2])
    return d, ids


def perturbed(net) -> dict[str, torch.Tensor]:
    """Weights unlike the initial ones, running statistics included."""
    generator = torch.Generator().manual_seed(7)
    weights = {}
    for key, value in net.model.state_dict().items():
        if not value.is_floating_point():
            weights[key] = value.clone()
            continue
        noise = torch.randn(value.shape, generator=generator) * 0.5
        weights[key] = (value + noise).abs() + 0.1 if key.endswith("running_var") else \
            value + noise
    return weights


class Reference:
    """The network run block by block with a zero probe on every wire and output."""

    def __init__(self, net, x: torch.Tensor, y: torch.Tensor | None) -> None:
        self.net, self.a = net, net.plan.analysis
        self.x = x.clone().requires_grad_(True)
        self.values: dict[str, torch.Tensor] = {}
        self.probes: dict[tuple, torch.Tensor] = {}
        for block_id in net.plan.inputs:
            self.values[block_id] = self.x + self.probe(("out", block_id), self.x)
        for segment in net.plan.segments:
            for block_id in segment.block_ids:
                self.run(block_id)
        prediction = self.values[net.plan.output]
        if y is None or net.loss_fn is None:
            total = prediction.sum()
        else:
            total = net.loss_fn(prediction + self.probe(("loss",), prediction), y)
        self.loss = total
        keys = list(self.probes)
        grads = torch.autograd.grad(total, [self.probes[k] for k in keys], allow_unused=True)
        self.grads = {k: torch.zeros_like(self.probes[k]) if g is None else g
                      for k, g in zip(keys, grads, strict=True)}

    def probe(self, key: tuple, like: torch.Tensor) -> torch.Tensor:
        self.probes[key] = torch.zeros_like(like, requires_grad=True)
        return self.probes[key]

    def run(self, block_id: str) -> None:
        spec = self.a.block(block_id).spec
        ins = [self.values[w.src] + self.probe(("in", block_id, i), self.values[w.src])
               for i, w in enumerate(self.a.tensor_inputs(block_id))]
        out = spec.merge(ins) if spec.role == Role.MERGE else self.net.modules[block_id](ins[0])
        self.values[block_id] = out + self.probe(("out", block_id), out)


def check_against_autograd(case: dags.Case, weights=None) -> ge.Diagram:
    d = case.diagram
    t = ge.trace(d, case.x, case.y, weights=weights)
    net = ge.compile(d, seed=d.training.seed)
    if weights is not None:
        net.model.load_state_dict(weights)
    net.model.eval()
    x = torch.tensor(case.x, dtype=torch.float32)
    y = labels(case.y, net, len(x))
    check_model_gradients(t, net, x, y)
    check_every_block(t, Reference(net, x, y), net)
    return d


def check_model_gradients(t, net, x: torch.Tensor, y) -> None:
    """x.grad and every parameter's .grad after backward on net.model itself."""
    x = x.clone().requires_grad_(True)
    out = net.model(x)
    total = out.sum() if y is None or net.loss_fn is None else net.loss_fn(out, y)
    total.backward()
    inputs = [b for b in t.order if b in net.plan.inputs]
    close(sum(t.blocks[b].grad for b in inputs), x.grad)
    close(t.blocks[t.prediction].output, out)
    if t.loss is not None:
        assert t.loss == pytest.approx(total.item(), rel=1e-6, abs=1e-6)
    for block_id, module in net.modules.items():
        for name, p in module.named_parameters():
            expected = torch.zeros_like(p) if p.grad is None else p.grad
            close(t.blocks[block_id].param_grads[name], expected)
            close(t.blocks[block_id].params[name], p)


def check_every_block(t, ref: Reference, net) -> None:
    a = net.plan.analysis
    assert set(net.modules) | set(net.plan.inputs) <= set(t.order)
    for block_id in net.plan.inputs + [b for s in net.plan.segments for b in s.block_ids]:
        entry = t.blocks[block_id]
        close(entry.output, ref.values[block_id])
        close(entry.grad, ref.grads[("out", block_id)])
        wires = a.tensor_inputs(block_id)
        assert list(entry.sources.values()) == [w.src for w in wires]
        for i, (key, grad) in enumerate(entry.grad_inputs.items()):
            close(entry.inputs[key], ref.values[wires[i].src])
            close(grad, ref.grads[("in", block_id, i)])
    if t.loss is not None:
        loss = t.blocks[net.plan.loss]
        assert loss.output.item() == pytest.approx(ref.loss.item(), rel=1e-6)
        close(loss.grad, torch.ones(()))
        close(next(iter(loss.grad_inputs.values())), ref.grads[("loss",)])


# ------------------------------------------------------------ the lecture

def test_the_lectures_example_gives_z_18_and_dz_dx_12():
    d, (x, f, out) = lecture()
    t = ge.trace(d, [1.0])
    assert t.loss is None
    assert t.order == [x, f, out]
    assert t.blocks[f].output.item() == 18.0
    assert t.blocks[x].grad.item() == 12.0  # 4 (x + 2) at x = 1
    assert t.blocks[f].grad_inputs["input"].item() == 12.0
    assert t.blocks[out].grad.item() == 1.0  # L = z: y.backward(torch.ones_like(y))


def test_the_two_layer_net_has_every_field_in_forward_order():
    d, ids = nets.two_layer()
    t = ge.trace(d, [0.5, -1.2], 1)
    assert t.order == list(ids.values())
    hidden, loss = t.blocks[ids["hidden"]], t.blocks[ids["loss"]]
    assert set(hidden.param_grads) == {"weight", "bias"}
    assert hidden.inputs["input"].shape == (1, 2) and hidden.output.shape == (1, 8)
    # dL/dW = upstream ⊗ input: the outer product the chain rule gives a Linear layer
    close(hidden.param_grads["weight"], hidden.grad.T @ hidden.inputs["input"])
    assert loss.inputs["target"].tolist() == [1]
    assert loss.sources == {"input": ids["out"], "target": ""}
    assert t.loss == pytest.approx(float(loss.output))
    assert t.backward_order == list(ids.values())[::-1]


# ------------------------------------------------------------ any network

@pytest.mark.parametrize("seed", range(4))
def test_random_networks_match_autograd_with_initial_weights(seed):
    for case in dags.random_cases(seed, 12):
        check_against_autograd(case)


@pytest.mark.parametrize("seed", range(4, 7))
def test_random_networks_match_autograd_with_other_weights(seed):
    for case in dags.random_cases(seed, 12):
        net = ge.compile(case.diagram, seed=0)
        check_against_autograd(case, perturbed(net))


@pytest.mark.parametrize("seed", range(2))
def test_each_wire_is_named_with_the_value_and_the_gradient_it_carries(seed):
    for case in dags.random_cases(seed, 12):
        t = ge.trace(case.diagram, case.x, case.y)
        traced = {(w.src, w.dst) for w, _ in t.wires}
        assert {(w.src, w.dst) for w in case.diagram.wires if w.dst in t.blocks} == traced
        for wire, key in t.wires:
            entry = t.blocks[wire.dst]
            if key in entry.grad_inputs:  # a tensor wire: its source's output
                close(entry.inputs[key], t.blocks[wire.src].output)
        for block_id in t.order:  # a block's gradient: the sum of its wires' gradients
            sent = [t.blocks[w.dst].grad_inputs[k] for w, k in t.wires
                    if w.src == block_id and k in t.blocks[w.dst].grad_inputs]
            if sent and block_id != t.prediction:
                close(t.blocks[block_id].grad, sum(sent))


def test_every_block_type_of_the_catalogue_is_covered():
    traced = {b.type for seed in range(7) for case in dags.random_cases(seed, 12)
              for b in case.diagram.blocks}
    assert traced == set(ge.REGISTRY.names())


def test_a_merge_names_each_wire_and_gives_each_its_own_gradient():
    d = ge.Diagram()
    x, h, act = d.add("Input", features=2), d.add("Linear", out_features=2), d.add("Tanh")
    add, out = d.add("Add"), d.add("Output")
    for src, dst in ((x, h), (h, act), (act, add), (h, add), (add, out)):
        d.connect(src, dst)
    t = ge.trace(d, [0.3, -0.7])
    entry = t.blocks[add]
    assert list(entry.grad_inputs) == ["input.0", "input.1"]
    assert entry.sources == {"input.0": act, "input.1": h}
    # h feeds both the Tanh and the Add: its gradient is the sum of the two wires'
    close(t.blocks[h].grad, t.blocks[act].grad_inputs["input"] + entry.grad_inputs["input.1"])


def test_batch_norm_in_eval_mode_and_dropout_off():
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=3),
           d.add("BatchNorm1d"), d.add("Dropout", p=0.9), d.add("Output")]
    for src, dst in pairwise(ids):
        d.connect(src, dst)
    t = ge.trace(d, [[0.1, 0.2]])  # one sample: BatchNorm in training mode would refuse it
    close(t.blocks[ids[3]].output, t.blocks[ids[2]].output)
    close(t.blocks[ids[3]].grad_inputs["input"], t.blocks[ids[3]].grad)


def test_a_batch_of_samples_and_the_mean_loss():
    d, ids = nets.two_layer()
    x = np.array([[0.5, -1.2], [1.0, 2.0], [-0.3, 0.1]])
    t = ge.trace(d, x, [0, 1, 1])
    assert t.blocks[ids["act"]].output.shape == (3, 8)
    per_sample = [ge.trace(d, row, label).loss for row, label in zip(x, [0, 1, 1], strict=True)]
    assert t.loss == pytest.approx(np.mean(per_sample), rel=1e-6)


def test_tensors_are_samples_and_labels_too():
    d, _ids = nets.two_layer()
    x = torch.tensor([[0.5, -1.2]], requires_grad=True)
    assert ge.trace(d, x, torch.tensor([1])).loss == ge.trace(d, [0.5, -1.2], 1).loss
    assert x.grad is None  # the caller's tensor is read, never differentiated


def test_without_a_label_the_loss_block_is_left_out_and_l_is_the_output_sum():
    d, ids = nets.two_layer()
    t = ge.trace(d, [0.5, -1.2])
    assert t.loss is None and ids["loss"] not in t.blocks
    close(t.blocks[ids["out"]].grad, torch.ones(1, 2))


def test_the_trace_does_not_train_or_change_the_diagram():
    d, ids = nets.two_layer()
    before = ge.to_python(d)
    first = ge.trace(d, [0.5, -1.2], 0)
    second = ge.trace(d, [0.5, -1.2], 0)
    assert first.loss == second.loss
    weight = ids["hidden"]
    close(first.blocks[weight].params["weight"], second.blocks[weight].params["weight"])
    assert ge.to_python(d) == before


# ------------------------------------------------------------ weights

def test_weights_none_are_the_initial_weights_of_the_training_seed():
    d, ids = nets.two_layer()
    net = ge.compile(d, seed=d.training.seed)
    t = ge.trace(d, [0.5, -1.2], 0)
    close(t.blocks[ids["hidden"]].params["weight"], net.modules[ids["hidden"]].weight)
    other = ge.trace(d, [0.5, -1.2], 0, seed=d.training.seed + 1)
    assert other.loss != t.loss


def test_weights_from_a_state_dict_and_from_a_safetensors_file(tmp_path):
    d, ids = nets.two_layer()
    net = ge.compile(d, seed=3)
    weights = perturbed(net)
    net.model.load_state_dict(weights)
    path = tmp_path / "w.safetensors"
    save_weights(net.model, path, "two layers")
    from_dict = ge.trace(d, [0.5, -1.2], 1, weights=weights)
    from_numpy = ge.trace(d, [0.5, -1.2], 1, weights={k: v.numpy() for k, v in weights.items()})
    from_file = ge.trace(d, [0.5, -1.2], 1, weights=str(path))
    for t in (from_numpy, from_file):
        assert t.loss == from_dict.loss
    close(from_dict.blocks[ids["out"]].params["bias"], net.modules[ids["out"]].bias)


def test_weights_of_another_network_are_refused(tmp_path):
    d, _ids = nets.two_layer()
    other, _ = nets.two_layer(hidden=5)
    with pytest.raises(ValueError, match=r"another network|shape"):
        ge.trace(d, [0.5, -1.2], weights=ge.compile(other, seed=0).model.state_dict())
    with pytest.raises(ValueError, match="cannot read"):
        ge.trace(d, [0.5, -1.2], weights=str(tmp_path / "missing.safetensors"))
    with pytest.raises(TraceError, match="state_dict"):
        ge.trace(d, [0.5, -1.2], weights=42)


# ------------------------------------------------------------ clear errors

def test_a_diagram_with_errors_is_refused_with_its_diagnostics():
    d = ge.Diagram()
    d.connect(d.add("Input", features=2), d.add("Linear"))
    d.add("Linear")  # nothing wired into it
    with pytest.raises(TraceDiagramError) as caught:
        ge.trace(d, [0.0, 0.0])
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, ge.DiagramError)
    assert "port-open" in {p.code for p in caught.value.diagnostics}


@pytest.mark.parametrize("x, message", [
    ([1.0], "takes 2 feature"),
    ([1.0, 2.0, 3.0], "takes 2 feature"),
    ([[1.0, 2.0, 3.0]], "shape 1×3"),
    ("one", "one per input feature"),
    ([1.0, float("nan")], "NaN"),
    ([], "takes 2 feature"),
])
def test_a_sample_of_the_wrong_size_is_refused(x, message):
    d, _ids = nets.two_layer()
    with pytest.raises(TraceError, match=message):
        ge.trace(d, x)


@pytest.mark.parametrize("y, message", [
    (2, "whole number from 0 to 1, not 2"),
    (-1, "from 0 to 1, not -1"),
    (0.5, "not 0.5"),
    ([0, 1], "1 sample.* need 1 class label"),
    ("cat", "a label is a number"),
])
def test_a_bad_class_label_is_refused(y, message):
    d, _ids = nets.two_layer()
    with pytest.raises(TraceError, match=message):
        ge.trace(d, [0.5, -1.2], y)


def test_a_regression_target_of_the_wrong_size_is_refused():
    d = ge.Diagram()
    ids = [d.add("Input", features=1), d.add("Linear", out_features=2), d.add("MSELoss")]
    d.connect(ids[0], ids[1])
    d.connect(ids[1], ids[2])
    assert ge.trace(d, [0.5], [1.0, 2.0]).loss is not None
    with pytest.raises(TraceError, match=r"2 value.* per sample.* not 1"):
        ge.trace(d, [0.5], 1.0)


def test_each_activation_gets_its_slope_at_its_inputs():
    """f′ at each input: what backprop multiplies the gradient by at that unit."""
    from graph_engine.training.trace_report import add_slopes, as_data

    d, ids = nets.two_layer("Sigmoid")
    data = add_slopes(as_data(ge.trace(d, np.array([0.3, -1.2])), d), d)
    act = next(b for b in data["blocks"] if b["id"] == ids["act"])
    s = torch.sigmoid(torch.as_tensor(np.asarray(act["inputs"]["input"]))).numpy()
    assert np.allclose(act["slopes"], s * (1 - s), atol=1e-6)
    assert {"xs", "f", "df"} <= set(act["curve"])
    assert all("slopes" not in b for b in data["blocks"] if b["id"] != ids["act"])
