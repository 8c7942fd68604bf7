"""The fast path: training steps for small chains, written out without autograd.

For a TensorFlow-Playground-sized network the arithmetic of a training step
is almost free; the time goes to Python, the dispatcher and autograd's
bookkeeping (about 0.4 ms a step in the eager loop). When the model is one
chain of ``Linear`` layers and elementwise activations, the loss and the
optimizer are common ones and no L1/L2 penalty applies, :class:`FastPath`
runs the steps itself: it calls the very ATen kernels autograd would call,
in the same order, on tensors of the same layout (:mod:`.kernels`), and
steps the optimizer with ``torch._foreach_*`` calls that do what its own
code does (:mod:`.updates`). The weights come out bit-identical to the eager
loop's (tests/engine/training/test_fastpath.py checks it), in a fraction of the time.

Anything else (BatchNorm, Dropout, PReLU, Step, custom formulas, Add and
Concat, other losses and optimizer options, penalties) makes :func:`build`
or :meth:`FastPath.applies` say no, and the Trainer keeps its eager loop.
The weights stay in the model's parameters and the optimizer's state in the
optimizer, so either path can take over from the other between epochs.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from . import kernels
from .updates import Update, update_class


def chain_modules(model: nn.Module) -> list[nn.Module] | None:
    """The layers of a compiled model that is one chain (x -> module -> output)."""
    graph = getattr(model, "graph", None)
    if not isinstance(graph, torch.fx.Graph):
        return None
    nodes = list(graph.nodes)
    if [n.op for n in nodes] != ["placeholder", "call_module", "output"] or \
            nodes[2].args[0] is not nodes[1] or nodes[1].args != (nodes[0],) or nodes[1].kwargs:
        return None
    root = model.get_submodule(nodes[1].target)
    return list(root) if type(root) is nn.Sequential else [root]


class FastPath:
    """The training steps of one chain of Linear layers and activations."""

    def __init__(self, modules: list[nn.Module], loss_grad: kernels.LossGrad) -> None:
        self.modules, self.loss_grad = modules, loss_grad
        self.linears = [m for m in modules if type(m) is nn.Linear]
        self.first = modules.index(self.linears[0])  # nothing before it needs a gradient
        self.activations = _activation_kernels(modules)
        self._update: Update | None = None

    def params(self) -> list[Tensor]:
        """The parameters, in the order ``model.parameters()`` lists them."""
        return [p for m in self.linears for p in (m.weight, m.bias) if p is not None]

    # ------------------------------------------------------------ checks
    def applies(self, optimizer: torch.optim.Optimizer) -> bool:
        """Can the next epoch run here? Prepares the optimizer's step if so."""
        params = self.params()
        if len(optimizer.param_groups) != 1 or \
                not _same(optimizer.param_groups[0]["params"], params) or \
                not all(p.dtype == torch.float32 and p.is_contiguous() for p in params):
            return False
        kind = update_class(optimizer)
        if kind is None:
            return False
        update = self._update
        if type(update) is not kind or update.optimizer is not optimizer or \
                not _same(update.params, params[::-1]):
            # the gradients come last layer first: the parameters in that order
            self._update = update = kind(optimizer, params[::-1])
        return update.begin()

    # ------------------------------------------------------------ running
    def program(self) -> tuple[list, list]:
        """Forward and backward functions of every layer, bound to the
        current weights (read afresh each epoch)."""
        forward, backward = [], []
        for index, module in enumerate(self.modules):
            if type(module) is nn.Linear:
                f, b = kernels.linear(module, needs_input=index > self.first)
            else:
                f, b = self.activations[index].forward, self.activations[index].backward
            forward.append(f)
            backward.append(b)
        return forward, backward

    def gradients(self, x: Tensor, y: Tensor) -> list[Tensor]:
        """The loss's gradient for every parameter on (x, y), in the order of
        :meth:`params`, without a step: what autograd would give, at the cost
        of the fast path's own backward pass."""
        forward, backward = self.program()
        with torch.no_grad():
            saved = [x]
            for f in forward:
                x = f(x)
                saved.append(x)
            g = self.loss_grad(x, y)
            grads: list[Tensor] = []
            for i in range(len(forward) - 1, self.first - 1, -1):
                g = backward[i](g, saved[i], saved[i + 1], grads)
        return grads[::-1]  # they come last layer first

    def forward(self, x: Tensor) -> Tensor:
        """The model's output, computed as its own forward computes it."""
        with torch.no_grad():
            for f in self.program()[0]:
                x = f(x)
        return x

    def epoch(self, xs: Sequence[Tensor], ys: Sequence[Tensor]) -> None:
        """One optimizer step per batch; :meth:`applies` said yes just before."""
        forward, backward = self.program()
        order = range(len(forward) - 1, self.first - 1, -1)
        loss_grad, update = self.loss_grad, self._update
        if update is None:
            raise RuntimeError("FastPath.epoch runs only after applies() said yes")
        try:
            with torch.no_grad():
                for x, y in zip(xs, ys, strict=True):
                    saved = [x]
                    for f in forward:
                        x = f(x)
                        saved.append(x)
                    g = loss_grad(x, y)
                    grads: list[Tensor] = []
                    for i in order:
                        g = backward[i](g, saved[i], saved[i + 1], grads)
                    update(grads)
        finally:
            update.end()


def _activation_kernels(modules: list[nn.Module]) -> dict[int, kernels.Activation]:
    """The kernels of every layer but the Linear ones, by position in the chain."""
    found = {}
    for index, module in enumerate(modules):
        if type(module) is nn.Linear:
            continue
        kernel = kernels.activation(module)
        if kernel is None:  # build() asks first: None means no FastPath
            raise ValueError(f"the fast path does not cover {type(module).__name__}")
        found[index] = kernel
    return found


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def build(model: nn.Module, loss_fn: nn.Module | None) -> FastPath | None:
    """The fast path for this compiled model and loss, or None if it does not apply."""
    modules = chain_modules(model)
    if modules is None or loss_fn is None:
        return None
    modules = [m for m in modules if type(m) is not nn.Identity]
    grad = kernels.loss_grad(loss_fn)
    covered = all(type(m) is nn.Linear or kernels.activation(m) is not None for m in modules)
    if grad is None or not covered or not any(type(m) is nn.Linear for m in modules):
        return None
    fast = FastPath(modules, grad)
    if not _same(list(model.parameters()), fast.params()) or list(model.buffers()):
        return None
    return fast
