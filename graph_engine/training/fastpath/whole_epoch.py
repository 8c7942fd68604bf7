"""The whole-epoch kernel's Python side: which chains it covers, and its arguments.

:func:`build` turns a chain the fast path runs into the kernel's program,
asking the block catalogue what each block computes
(``BlockSpec.function``): a chain of Linear layers and elementwise
activations it numbers, a loss it knows. :class:`WholeEpoch` then runs the
rest of an epoch, or several epochs, each with its evaluation, in one call
of the compiled kernel (:mod:`..kernel.epoch_kernel`, loaded in the background by
:mod:`..kernel.loading`), on the memory of the model's parameters and the
optimizer's state, so both stay where the eager loop and the fast path keep
them and any path can take over between epochs. The batch order is the
Trainer's: the kernel never shuffles.

It says no (and the fast path runs) while the kernel is loading, without
numba, for an optimizer setting the fast path does not cover, and for
networks too wide for plain loops to beat torch's matrix products.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from ...blocks.registry import Function, LossSpec
from ..kernel import codes, loading
from ..metrics import class_threshold
from .updates import SGD, Adagrad, Adam, Momentum, RMSprop, Stepped

WIDEST = 64  # units of the widest layer the kernel runs (wider: torch's matmul wins)
CALL_SECONDS = 0.05  # about the longest call when several epochs run in one
MAX_ORDERS = 1 << 20  # sample indices drawn ahead for one call, at most
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
    loss_arg: np.float32


@dataclass(frozen=True)
class Classes:
    """What the accuracy needs: each set's labels (class indices), and what
    says how an output row becomes a class (:func:`metrics.class_threshold`)."""

    train: np.ndarray
    test: np.ndarray
    loss: LossSpec
    signed: bool


@dataclass(frozen=True)
class Epochs:
    """What a kernel call did: one row per good epoch (training loss, test loss,
    training accuracy, test accuracy), how it ended (``codes.KEPT``,
    ``LOSS_DIVERGED``, ``WEIGHTS_DIVERGED``) and the last evaluation's outputs."""

    rows: np.ndarray
    ending: int
    outputs: dict[str, Tensor]


def build(net, fast, tensors, classes: Classes | None) -> WholeEpoch | None:
    """The kernel for the compiled ``net`` whose chain ``fast`` runs, on the
    sets of ``tensors`` (``classes``: None for regression); None if it does not
    cover the network."""
    made = program(net, fast.modules, tensors.x_train.shape[1])
    if made is None or max(made.widths) > WIDEST:
        return None
    loading.start()
    return WholeEpoch(made, fast, tensors, classes)


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
                   np.float32((*found[1], 0.0)[0]))


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
    """Runs epochs of one chain, with their evaluation, in kernel calls."""

    def __init__(self, program: Program, fast, tensors, classes: Classes | None) -> None:
        self.program, self.fast = program, fast
        self.n_train = len(tensors.x_train)
        self.x = np.ascontiguousarray(torch.cat([tensors.x_train, tensors.x_test]).numpy(),
                                      np.float32)
        self.yi, self.yv = _targets(torch.cat([tensors.y_train, tensors.y_test]),
                                    program.loss in codes.CLASS_TARGETS)
        self.labels = np.zeros(0, np.int64) if classes is None else \
            np.concatenate([classes.train, classes.test]).astype(np.int64).reshape(-1)
        threshold = None if classes is None else \
            class_threshold(classes.loss, classes.signed, int(program.widths[-1]))
        self.decide = codes.NO_CLASSES if classes is None else \
            codes.ARGMAX if threshold is None else codes.THRESHOLD
        self.threshold = np.float32(threshold or 0.0)
        self.hyper = np.zeros(codes.HYPER, np.float64)
        self._tables: dict[tuple, np.ndarray] = {}  # address tables by their addresses
        self.runs = 0  # epochs (or rests of one) it ran
        self._seconds = 0.0  # an epoch took in the last call

    def ready(self, optimizer: torch.optim.Optimizer) -> bool:
        """Can the kernel train with this optimizer now (loaded, and its settings covered)?"""
        return loading.kernel() is not None and self.fast.applies(optimizer)

    def epochs_per_call(self, limit: int) -> int:
        """Up to ``limit`` epochs, as many as take about CALL_SECONDS (Ctrl-C and a
        progress bar wait no longer) and as the batch orders' memory allows."""
        by_time = int(CALL_SECONDS / self._seconds) if self._seconds else 1
        return max(1, min(limit, by_time, MAX_ORDERS // max(1, self.n_train)))

    def run(self, optimizer: torch.optim.Optimizer, orders: np.ndarray, skip: int,
            batch_size: int, l1: float, l2: float, good: list[Tensor], epochs: int) -> Epochs:
        """Train ``epochs`` epochs in batches of ``batch_size``, epoch e in the
        order ``orders[e % len(orders)]`` (the first from its sample ``skip`` on),
        each evaluated; ``good`` holds the last good weights (a tensor per
        parameter), which the kernel keeps up to date. Only after :meth:`ready`."""
        update = self.fast._update
        self._settings(update.group, l1, l2)
        self.hyper[codes.STEP] = getattr(update, "step", 0.0)
        start = time.perf_counter()
        done = self._call(self._addresses(good, optimizer, update), orders, skip, batch_size,
                          epochs)
        self._seconds = (time.perf_counter() - start) / epochs
        if isinstance(update, Stepped):
            update.step = float(self.hyper[codes.STEP])
            update.end()
        self.runs += len(done.rows) + (done.ending != codes.KEPT)
        return done

    def evaluate(self, good: list[Tensor]) -> Epochs | None:
        """The current weights on both sets (one row), or None while the kernel loads."""
        if loading.kernel() is None:
            return None
        return self._call(self._addresses(good), np.zeros((1, 0), np.int64), 0, 1, 0)

    def _call(self, addresses: np.ndarray, orders: np.ndarray, skip: int, batch_size: int,
              epochs: int) -> Epochs:
        kernel, p = loading.kernel(), self.program
        assert kernel is not None
        rows = np.empty((max(epochs, 1), 4), np.float64)
        out = np.empty((len(self.x), int(p.widths[-1])), np.float32)
        kept, ending = kernel.train_epochs(
            p.rows, p.args, p.widths, p.first, addresses, self._optimizer(), self.hyper, p.loss,
            p.loss_arg, self.x, self.yi, self.yv, self.labels, self.n_train, self.decide,
            self.threshold, orders, skip, batch_size, epochs, rows, out)
        outputs = torch.from_numpy(out)
        return Epochs(rows[:max(kept, epochs == 0)], ending,
                      {"train": outputs[:self.n_train], "test": outputs[self.n_train:]})

    def _optimizer(self) -> int:
        update = self.fast._update
        return OPTIMIZERS[type(update)] if update is not None else codes.SGD

    def _settings(self, group: dict, l1: float, l2: float) -> None:
        h = self.hyper
        h[codes.LR], h[codes.L1], h[codes.L2] = group["lr"], l1, l2
        h[codes.MOMENTUM_], h[codes.KEEP] = group.get("momentum", 0.0), \
            1 - group.get("dampening", 0.0)
        h[codes.BETA1], h[codes.BETA2] = group.get("betas", (0.0, 0.0))
        h[codes.EPS], h[codes.ALPHA] = group.get("eps", 0.0), group.get("alpha", 0.0)
        h[codes.LR_DECAY] = group.get("lr_decay", 0.0)

    def _addresses(self, good: list[Tensor], optimizer=None, update=None) -> np.ndarray:
        """Where the parameters, the optimizer's state tensors and the good weights
        keep their numbers (``Tensor.data_ptr``), as the kernel reads them during
        the call (the model, the optimizer and the Trainer hold the tensors meanwhile)."""
        params = self.fast.params()
        state: list[list[Tensor | None]] = []
        if isinstance(update, Momentum):
            self.hyper[codes.FIRST] = float(update.buffers is None)
            if update.buffers is None:  # the first step sets them to the gradients
                for p in params:
                    optimizer.state[p]["momentum_buffer"] = torch.zeros_like(p)
        for key in KEYS.get(type(update), ()):
            state.append([optimizer.state[p][key] for p in params])
        state += [[None] * len(params)] * (2 - len(state))
        # read afresh at every call (a tensor given new memory moves), built once
        where = tuple(t.data_ptr() if t is not None else 0
                      for row in (params, *state, good) for t in row)
        table = self._tables.get(where)
        if table is None:
            if len(self._tables) > 8:  # a new optimizer each reset: keep a few
                self._tables.clear()
            table = self._tables[where] = self._table(where, len(params))
        return table

    def _table(self, where: tuple, count: int) -> np.ndarray:
        """The addresses as the kernel reads them: per row, (weight, bias) per layer."""
        slots = [(m.weight, m.bias) for m in self.fast.linears]
        index = {id(p): i for i, p in enumerate(self.fast.params())}
        table = np.zeros((4, 2 * len(slots)), np.int64)
        for row in range(4):
            for column, p in enumerate(t for pair in slots for t in pair):
                if p is not None:
                    table[row, column] = where[row * count + index[id(p)]]
        return table


def _targets(y: Tensor, classes: bool) -> tuple[np.ndarray, np.ndarray]:
    """Targets as the kernel takes them: class indices, or float targets one row
    a sample (the other an empty array)."""
    if classes:
        return y.numpy().astype(np.int64), np.zeros((0, 0), np.float32)
    values = np.ascontiguousarray(y.reshape(len(y), -1).numpy(), np.float32)
    return np.zeros(0, np.int64), values
