"""The lecture's networks, drawn as diagrams, against the same networks written by hand.

Each test builds a diagram through the public API, compiles it, writes the
network again as an ordinary ``nn.Module`` (the way the lecture does), copies
the compiled weights into it, and checks that outputs and the gradients of the
loss with respect to every parameter and to the input agree to 1e-6.
"""

from __future__ import annotations

import pytest
import torch
from nets import wire
from torch import nn

import graph_engine as ge

TOL = {"atol": 1e-6, "rtol": 1e-6}


# ------------------------------------------------------------ helpers

def copy_params(source: nn.Module, target: nn.Module) -> None:
    """Copy ``source``'s parameters into ``target`` (same order, same numbers)."""
    pairs = list(zip(source.parameters(), target.parameters(), strict=True))
    with torch.no_grad():
        for src, dst in pairs:
            dst.copy_(src.reshape(dst.shape))


def forward_backward(model, criterion, x, y):
    """The output, and the gradient of the loss for the input (parameters keep theirs)."""
    x = x.clone().requires_grad_(True)
    out = model(x)
    criterion(out, y).backward()
    return out.detach(), x.grad


def assert_matches(net, reference: nn.Module, pairs, criterion, x, y) -> None:
    """``pairs``: (compiled block module, hand-written module) holding the same weights."""
    covered = {id(p) for module, _ in pairs for p in module.parameters()}
    assert covered == {id(p) for p in net.model.parameters()}, "every parameter is compared"
    for compiled, hand_written in pairs:
        copy_params(compiled, hand_written)
    order = [p for compiled, _ in pairs for p in compiled.parameters()]
    ref_order = [p for _, hand_written in pairs for p in hand_written.parameters()]
    out, x_grad = forward_backward(net.model, net.loss_fn, x, y)
    ref_out, ref_x_grad = forward_backward(reference, criterion, x, y)
    torch.testing.assert_close(out, ref_out, **TOL)
    torch.testing.assert_close(x_grad, ref_x_grad, **TOL)
    for mine, theirs in zip(order, ref_order, strict=True):
        assert mine.grad is not None and theirs.grad is not None
        torch.testing.assert_close(mine.grad.reshape(-1), theirs.grad.reshape(-1), **TOL)


def compiled(diagram: ge.Diagram, seed: int = 0):
    net = ge.compile(diagram, seed=seed)
    net.model.double()
    return net


def inputs(rows: int, features: int, seed: int = 1) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(rows, features, generator=generator, dtype=torch.float64) * 2


def binary_labels(rows: int) -> torch.Tensor:
    return (torch.arange(rows) % 2).to(torch.float64).reshape(-1, 1)


def class_labels(rows: int, classes: int) -> torch.Tensor:
    return torch.arange(rows) % classes


# ------------------------------------------------------------ the perceptron

class Perceptron(nn.Module):
    """One linear unit squashed by a sigmoid."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.fc = nn.Linear(features, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))


def test_perceptron_matches_hand_written():
    d = ge.Diagram()
    x, fc, act, loss = (d.add("Input", features=3), d.add("Linear", out_features=1),
                        d.add("Sigmoid"), d.add("BCELoss"))
    wire(d, x, fc, act, loss)
    net = compiled(d)
    reference = Perceptron(3).double()
    assert isinstance(net.loss_fn, nn.BCELoss)
    assert_matches(net, reference, [(net.modules[fc], reference.fc)], nn.BCELoss(),
                   inputs(12, 3), binary_labels(12))


# ------------------------------------------------------------ two layers, ReLU, CE

class TwoLayerNet(nn.Module):
    def __init__(self, features: int, hidden: int, classes: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(features, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def test_two_layer_relu_net_with_cross_entropy():
    d = ge.Diagram()
    ids = [d.add("Input", features=4), d.add("Linear", out_features=16), d.add("ReLU"),
           d.add("Linear", out_features=3), d.add("CrossEntropyLoss")]
    wire(d, *ids)
    net = compiled(d)
    reference = TwoLayerNet(4, 16, 3).double()
    pairs = [(net.modules[ids[1]], reference.fc1), (net.modules[ids[3]], reference.fc2)]
    assert_matches(net, reference, pairs, nn.CrossEntropyLoss(), inputs(20, 4),
                   class_labels(20, 3))


# ------------------------------------------------------------ feedforward binary classifier

class Feedforward(nn.Module):
    """The lecture's binary classifier: hidden ReLU layer, one sigmoid output."""

    def __init__(self, features: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(features, hidden)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.fc2(self.relu(self.fc1(x))))


def test_feedforward_binary_classifier():
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=10), d.add("ReLU"),
           d.add("Linear", out_features=1), d.add("Sigmoid"), d.add("BCELoss")]
    wire(d, *ids)
    net = compiled(d)
    reference = Feedforward(2, 10).double()
    pairs = [(net.modules[ids[1]], reference.fc1), (net.modules[ids[3]], reference.fc2)]
    assert_matches(net, reference, pairs, nn.BCELoss(), inputs(16, 2), binary_labels(16))


# ------------------------------------------------------------ a deep MLP of repeated blocks

class Block(nn.Module):
    def __init__(self, features: int, hidden: int) -> None:
        super().__init__()
        self.fc = nn.Linear(features, hidden)

    def forward(self, x):
        return torch.relu(self.fc(x))


def deep_mlp(depth: int, hidden: int) -> nn.Sequential:
    blocks = [Block(2 if i == 0 else hidden, hidden) for i in range(depth)]
    return nn.Sequential(*blocks, nn.Linear(hidden, 3))


def test_deep_mlp_of_repeated_blocks():
    depth, hidden = 5, 8
    d = ge.Diagram()
    ids = [d.add("Input", features=2)]
    for _ in range(depth):
        ids += [d.add("Linear", out_features=hidden), d.add("ReLU")]
    ids += [d.add("Linear", out_features=3), d.add("CrossEntropyLoss")]
    wire(d, *ids)
    net = compiled(d)
    reference = deep_mlp(depth, hidden).double()
    linears = [b for b in ids if d.block(b).type == "Linear"]
    hand = [blk.fc for blk in reference[:depth]] + [reference[depth]]
    pairs = [(net.modules[b], m) for b, m in zip(linears, hand, strict=True)]
    assert_matches(net, reference, pairs, nn.CrossEntropyLoss(), inputs(24, 2),
                   class_labels(24, 3))


# ------------------------------------------------------------ residual Add

class Residual(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Linear(3, 6)
        self.branch = nn.Linear(6, 6)
        self.head = nn.Linear(6, 2)

    def forward(self, x):
        h = torch.relu(self.stem(x))
        return self.head(torch.tanh(self.branch(h)) + h)


def test_residual_add_matches_hand_written():
    d = ge.Diagram()
    x, stem, relu = d.add("Input", features=3), d.add("Linear", out_features=6), d.add("ReLU")
    branch, tanh, add = d.add("Linear", out_features=6), d.add("Tanh"), d.add("Add")
    head, loss = d.add("Linear", out_features=2), d.add("CrossEntropyLoss")
    wire(d, x, stem, relu, branch, tanh, add, head, loss)
    d.connect(relu, add)  # the skip connection
    net = compiled(d)
    reference = Residual().double()
    pairs = [(net.modules[stem], reference.stem), (net.modules[branch], reference.branch),
             (net.modules[head], reference.head)]
    assert_matches(net, reference, pairs, nn.CrossEntropyLoss(), inputs(10, 3),
                   class_labels(10, 2))


# ------------------------------------------------------------ Concat of two branches

class TwoBranches(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.left = nn.Linear(2, 3)
        self.right = nn.Linear(2, 5)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        both = torch.cat([torch.tanh(self.left(x)), torch.relu(self.right(x))], dim=1)
        return self.head(both)


def test_concat_of_two_branches():
    d = ge.Diagram()
    x = d.add("Input", features=2)
    left, tanh = d.add("Linear", out_features=3), d.add("Tanh")
    right, relu = d.add("Linear", out_features=5), d.add("ReLU")
    cat, head, loss = d.add("Concat"), d.add("Linear", out_features=1), d.add("MSELoss")
    wire(d, x, left, tanh, cat, head, loss)
    wire(d, x, right, relu, cat)
    net = compiled(d)
    reference = TwoBranches().double()
    pairs = [(net.modules[left], reference.left), (net.modules[right], reference.right),
             (net.modules[head], reference.head)]
    y = inputs(9, 1, seed=5)
    assert_matches(net, reference, pairs, nn.MSELoss(), inputs(9, 2), y)


# ------------------------------------------------------------ custom activation, learnable alpha

class LearnableActivation(nn.Module):
    """The lecture's activation: 1 / (1 + alpha e^-x) for x <= 0, x otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self.alpha = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return torch.where(x <= 0, 1 / (1 + self.alpha * torch.exp(-x)), x)


class CustomNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 6)
        self.act = LearnableActivation()
        self.fc2 = nn.Linear(6, 1)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def test_custom_activation_with_learnable_alpha():
    d = ge.Diagram()
    formula = "where(x <= 0, 1 / (1 + alpha * exp(-x)), x)"
    ids = [d.add("Input", features=2), d.add("Linear", out_features=6),
           d.add("CustomActivation", formula=formula), d.add("Linear", out_features=1),
           d.add("MSELoss")]
    wire(d, *ids)
    net = compiled(d)
    act = net.modules[ids[2]]
    with torch.no_grad():
        act.alpha.fill_(0.7)  # not the starting value, so a wrong copy would show
    reference = CustomNet().double()
    pairs = [(net.modules[ids[1]], reference.fc1), (act, reference.act),
             (net.modules[ids[3]], reference.fc2)]
    assert_matches(net, reference, pairs, nn.MSELoss(), inputs(14, 2), inputs(14, 1, seed=3))
    assert act.alpha.grad is not None and float(act.alpha.grad.abs()) > 0


# ------------------------------------------------------------ structure of the compiled module

def test_submodules_are_registered_in_topological_order():
    """Blocks added in reverse order still become submodules in data-flow order."""
    d = ge.Diagram()
    loss, head, cat = d.add("CrossEntropyLoss"), d.add("Linear", out_features=2), d.add("Concat")
    relu_b, right = d.add("ReLU"), d.add("Linear", out_features=4)
    relu_a, left, x = d.add("ReLU"), d.add("Linear", out_features=3), d.add("Input", features=2)
    wire(d, x, left, relu_a, cat, head, loss)
    wire(d, x, right, relu_b, cat)
    net = ge.compile(d, seed=0)
    block_of = {id(module): block for block, module in net.modules.items()}
    seen = [block_of[id(m)] for m in net.model.modules() if id(m) in block_of]
    assert sorted(seen) == sorted(net.modules)
    position = {block: i for i, block in enumerate(seen)}
    for link in d.wires:
        if link.src in position and link.dst in position:
            assert position[link.src] < position[link.dst], link
    assert position[head] == len(seen) - 1


def test_parameters_follow_data_flow_in_a_chain():
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=5), d.add("Tanh"),
           d.add("Linear", out_features=4), d.add("ReLU"), d.add("Linear", out_features=3),
           d.add("CrossEntropyLoss")]
    wire(d, *ids)
    net = ge.compile(d, seed=0)
    shapes = [tuple(p.shape) for p in net.model.parameters()]
    assert shapes == [(5, 2), (5,), (4, 5), (4,), (3, 4), (3,)]


def loss_network(loss_type: str) -> ge.Diagram:
    d = ge.Diagram()
    out_features = 1 if loss_type.startswith("BCE") else 3
    ids = [d.add("Input", features=2), d.add("Linear", out_features=out_features)]
    if loss_type == "BCELoss":
        ids.append(d.add("Sigmoid"))
    if loss_type == "NLLLoss":
        ids.append(d.add("LogSoftmax"))
    ids.append(d.add(loss_type))
    wire(d, *ids)
    return d


@pytest.mark.parametrize("loss_type", [
    "MSELoss", "L1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
    "BCEWithLogitsLoss", "MultiMarginLoss",
])
def test_loss_fn_is_the_right_criterion(loss_type):
    net = ge.compile(loss_network(loss_type))
    assert type(net.loss_fn) is getattr(nn, loss_type)


def test_loss_parameters_reach_the_criterion():
    d = ge.Diagram()
    wire(d, d.add("Input", features=2), d.add("Linear", out_features=3),
          d.add("MultiMarginLoss", p=2, margin=0.5))
    net = ge.compile(d)
    assert (net.loss_fn.p, net.loss_fn.margin) == (2, 0.5)


def test_no_loss_gives_no_criterion():
    d = ge.Diagram()
    wire(d, d.add("Input", features=2), d.add("Linear", out_features=3), d.add("Softmax"))
    net = ge.compile(d, seed=0)
    assert net.loss_fn is None
    out = net.model(torch.randn(5, 2))
    assert out.shape == (5, 3)
    torch.testing.assert_close(out.sum(dim=1), torch.ones(5))


def test_same_seed_same_initial_weights():
    first, second = (ge.compile(loss_network("CrossEntropyLoss"), seed=3) for _ in range(2))
    for a, b in zip(first.model.parameters(), second.model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_compile_refuses_a_diagram_with_errors():
    d = ge.Diagram()
    wire(d, d.add("Input", features=2), d.add("Linear", out_features=3))
    d.add("Linear", out_features=2)  # nothing wired into it
    with pytest.raises(ge.DiagramError) as caught:
        ge.compile(d)
    assert "port-open" in {p.code for p in caught.value.diagnostics}
