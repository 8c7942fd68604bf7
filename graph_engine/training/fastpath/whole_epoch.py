"""The whole-epoch kernel's Python side: which chains it covers, and its arguments.

:func:`build` turns a chain the fast path runs into the kernel's program,
asking the block catalogue what each block computes
(``BlockSpec.function``): a chain of Linear layers and elementwise
activations it numbers, a loss it knows. :class:`WholeEpoch` then runs the
rest of an epoch in one call of the compiled kernel (:mod:`.epoch_kernel`,
loaded in the background by :mod:`.loading`), on numpy views of the model's
parameters and the optimizer's state, so both stay where the eager loop and
the fast path keep them and any path can take over between epochs. The
batch order is the Trainer's: the kernel never shuffles.

It says no (and the fast path runs) while the kernel is loading, without
numba, for an optimizer setting the fast path does not cover, and for
networks too wide for plain loops to beat torch's matrix products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from ...blocks.registry import Function
from . import codes, loading
from .updates import SGD, Adagrad, Adam, Momentum, RMSprop, Stepped

WIDEST = 64  # units of the widest layer the kernel runs (wider: torch's matmul wins)
KEYS = {Momentum: ("momentum_buffer",), Adam: ("exp_avg", "exp_avg_sq"),
        RMSprop: ("square_avg",), Adagrad: ("sum",)}
OPTIMIZERS = {SGD: codes.SGD, Momentum: codes.MOMENTUM, Adam: codes.ADAM,
              RMSprop: codes.RMSPROP, Adagrad: codes.ADAGRAD}


@dataclass(frozen=True)
class Program:
    """A chain as the kernel reads it: one row per layer (its code and, for a
    Linear layer, its index), the activations' arguments, the width after
    each row, and the loss."""

    rows: np.ndarray  # int64 (K, 2)
    args: np.ndarray  # float32 (K, 2)
    widths: np.ndarray  # int64 (K + 1,)
    first: int  # the first Linear row: nothing before it needs a gradient
    loss: int
    loss_arg: float


def build(net, fast, tensors) -> WholeEpoch | None:
    """The kernel for the compiled ``net`` whose chain ``fast`` runs, on the
    training set of ``tensors``; None if it does not cover the network."""
    made = program(net, fast.modules, tensors.x_train.shape[1])
    if made is None or max(made.widths) > WIDEST:
        return None
    loading.start()
    return WholeEpoch(made, fast, tensors)


def program(net, modules: list[nn.Module], features: int) -> Program | None:
    """The kernel's program for the chain ``modules`` of ``net``, or None."""
    blocks = {id(m): b for b, m in net.modules.items()}
    rows: list[tuple[int, int]] = []
    args: list[tuple[float, ...]] = []
    widths = [features]
    for module in modules:
        row = _row(net, blocks.get(id(module)), sum(r[0] == codes.LINEAR for r in rows))
        if row is None:
            return None
        rows.append(row[0])
        args.append(row[1])
        widths.append(net.plan.analysis.features[blocks[id(module)]])
    loss = net.plan.analysis.block(net.plan.loss)
    found = loss.spec.function(loss.params)
    if found is None or found[0] not in codes.LOSSES:
        return None
    first = next(i for i, row in enumerate(rows) if row[0] == codes.LINEAR)
    return Program(np.array(rows, np.int64), np.array(args, np.float32),
                   np.array(widths, np.int64), first, codes.LOSSES[found[0]],
                   (*found[1], 0.0)[0])


def _row(net, block_id: str | None, layers: int) -> tuple[tuple[int, int], tuple] | None:
    """A block's program row (its code, and its index if it is the chain's
    ``layers``-th Linear layer) and its two arguments, from what the catalogue
    says it computes; None if the kernel does not compute that."""
    block = net.plan.analysis.block(block_id) if block_id is not None else None
    found = block.spec.function(block.params) if block is not None else None
    if found is None:
        return None
    function, values = found
    arguments = (*values, 0.0, 0.0)[:2]
    if function == Function.DENSE:
        return (codes.LINEAR, layers), arguments
    code = codes.ACTIVATIONS.get(function)
    return ((code, 0), arguments) if code is not None else None


class WholeEpoch:
    """Runs the rest of an epoch of one chain in one kernel call."""

    def __init__(self, program: Program, fast, tensors) -> None:
        self.program, self.fast = program, fast
        classes = program.loss in codes.CLASS_TARGETS
        self.sets = {"train": _arrays(tensors.x_train, tensors.y_train, classes),
                     "test": _arrays(tensors.x_test, tensors.y_test, classes)}
        self.x, self.yi, self.yv = self.sets["train"]
        self.hyper = np.zeros(codes.HYPER, np.float64)
        self._tables: dict[tuple, np.ndarray] = {}  # address tables by their addresses
        self.runs = 0  # epochs (or rests of one) it ran

    def run(self, optimizer: torch.optim.Optimizer, order: Tensor, batch_size: int,
            l1: float, l2: float) -> bool:
        """Step through the samples ``order`` in batches of ``batch_size``;
        False (nothing done) when the kernel cannot run this epoch."""
        kernel = loading.kernel()
        if kernel is None or not self.fast.applies(optimizer):
            return False
        update = self.fast._update
        if len(order) == 0:
            return True
        addresses = self._addresses(optimizer, update)
        p = self.program
        self._settings(update.group, l1, l2)
        step = kernel.train_epoch(
            p.rows, p.args, p.widths, p.first, addresses, OPTIMIZERS[type(update)], self.hyper,
            getattr(update, "step", 0.0), p.loss, p.loss_arg, self.x, self.yi, self.yv,
            order.numpy(), batch_size)
        if isinstance(update, Stepped):
            update.step = step
            update.end()
        self.runs += 1
        return True

    def evaluate(self, part: str) -> tuple[Tensor, float] | None:
        """The model's output on the whole training or test set and its mean
        loss, or None while the kernel is loading."""
        kernel = loading.kernel()
        if kernel is None:
            return None
        x, yi, yv = self.sets[part]
        p = self.program
        out = np.empty((len(x), int(p.widths[-1])), np.float32)
        loss = kernel.evaluate(p.rows, p.args, p.widths, self._addresses(), p.loss, p.loss_arg,
                               x, yi, yv, out)
        return torch.from_numpy(out), loss

    def _settings(self, group: dict, l1: float, l2: float) -> None:
        h = self.hyper
        h[codes.LR], h[codes.L1], h[codes.L2] = group["lr"], l1, l2
        h[codes.MOMENTUM_], h[codes.KEEP] = group.get("momentum", 0.0), \
            1 - group.get("dampening", 0.0)
        h[codes.BETA1], h[codes.BETA2] = group.get("betas", (0.0, 0.0))
        h[codes.EPS], h[codes.ALPHA] = group.get("eps", 0.0), group.get("alpha", 0.0)
        h[codes.LR_DECAY] = group.get("lr_decay", 0.0)

    def _addresses(self, optimizer=None, update=None) -> np.ndarray:
        """Where the parameters and the optimizer's state tensors keep their
        numbers (``Tensor.data_ptr``), as the kernel reads them during the call
        (the model and the optimizer hold the tensors meanwhile)."""
        rows = [self._pairs(self.fast.params())]
        if isinstance(update, Momentum):
            self.hyper[codes.FIRST] = float(update.buffers is None)
            if update.buffers is None:  # the first step sets them to the gradients
                for p in self.fast.params():
                    optimizer.state[p]["momentum_buffer"] = torch.zeros_like(p)
        for key in KEYS.get(type(update), ()):
            rows.append(self._pairs([optimizer.state[p][key] for p in self.fast.params()]))
        rows += [[None] * len(rows[0])] * (3 - len(rows))
        # read afresh at every call (a tensor given new memory moves), built once
        where = tuple(t.data_ptr() if t is not None else 0 for row in rows for t in row)
        table = self._tables.get(where)
        if table is None:
            if len(self._tables) > 8:  # a new optimizer each reset: keep a few
                self._tables.clear()
            table = self._tables[where] = np.array(where, np.int64).reshape(3, -1)
        return table

    def _pairs(self, tensors: list[Tensor]) -> list[Tensor | None]:
        """``tensors`` (in the order of ``params()``) as (weight, bias) per layer."""
        found = dict(zip([id(p) for p in self.fast.params()], tensors, strict=True))
        return [found.get(id(p)) if p is not None else None
                for m in self.fast.linears for p in (m.weight, m.bias)]


def _arrays(x: Tensor, y: Tensor, classes: bool) -> tuple:
    """A set's features and targets as the kernel takes them: class indices, or
    float targets one row a sample (the other an empty array)."""
    features = np.ascontiguousarray(x.numpy(), np.float32)
    if classes:
        return features, y.numpy().astype(np.int64), np.zeros((0, 0), np.float32)
    values = np.ascontiguousarray(y.reshape(len(y), -1).numpy(), np.float32)
    return features, np.zeros(0, np.int64), values
