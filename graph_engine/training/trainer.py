"""Training: a compiled diagram, a data set and settings become a learning run.

:class:`Trainer` owns one run: the model, the optimizer, the epoch counter
and the history of per-epoch metrics. Its :class:`~.schedule.Schedule` decides
which samples each mini-batch holds, and its :class:`~.evaluation.Evaluator`
(``trainer.measures``) measures and predicts. It has no thread and no Qt; the GUI
drives it from a worker thread, the command line and :func:`train` from a
loop. Same seed, same numbers: weights, batch order and data all derive
from the settings' seed. Chains of Linear layers and activations train
through :mod:`fastpath` (the same numbers, without autograd's overhead), or
the whole-epoch kernel (:mod:`.kernel`: the same numbers to rounding, many
epochs a call); a headless run chooses between them once, before its first
epoch (:meth:`Trainer.settle_kernel`).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from ..build.compiler import CompiledNet
from ..build.compiler import compile as compile_diagram
from ..core.epochs import EpochRow
from ..data import datasets as datasets_mod
from ..data.datasets import Dataset
from ..model.diagram import Diagram
from ..model.settings import TrainingSettings
from . import fastpath
from .evaluation import Evaluator
from .fastpath import whole_epoch
from .kernel import codes, loading
from .metrics import prepare_target
from .schedule import Schedule
from .trace import load_into

# Optimizer name -> (torch class name, extra keyword arguments)
OPTIMIZERS = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "adam": ("Adam", {}),
    "rmsprop": ("RMSprop", {}),
    "adagrad": ("Adagrad", {}),
}


class TrainingDiverged(RuntimeError):
    """The loss or the weights became NaN or infinite; the weights of the last
    good epoch are back. ``quantity`` says which: "loss" or "weights"."""

    def __init__(self, message: str, quantity: str = "loss") -> None:
        super().__init__(message)
        self.quantity = quantity


def penalty(weights: Sequence[torch.Tensor], settings: TrainingSettings) -> torch.Tensor | float:
    """The L1 and L2 penalty on the weight matrices ``weights`` (the parameters of
    two or more dimensions); 0.0 when the settings ask for none."""
    l1, l2 = settings.l1, settings.l2
    total: torch.Tensor | float = 0.0
    for weight in weights:
        if l1:
            total = total + l1 * weight.abs().sum()
        if l2:
            total = total + l2 * (weight * weight).sum()
    return total


def make_optimizer(settings: TrainingSettings, params) -> torch.optim.Optimizer:
    name, extra = OPTIMIZERS[settings.optimizer]
    return getattr(torch.optim, name)(params, lr=settings.lr, **extra)


@dataclass
class Tensors:
    """The data set as tensors, targets already in the loss's form."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


def to_tensors(net: CompiledNet, data: Dataset) -> Tensors:
    info, loss = data.info, net.loss_spec
    if loss is None:  # the targets take the form the loss reads
        raise ValueError("the diagram has no loss, so it cannot train: add a loss block")

    def target(y: np.ndarray) -> torch.Tensor:
        return prepare_target(y, loss, info.is_classification, info.outputs, info.signed)

    return Tensors(torch.as_tensor(data.x_train), target(data.y_train),
                   torch.as_tensor(data.x_test), target(data.y_test))


class Trainer:
    """One training run of ``net`` on ``data`` with ``settings``."""

    def __init__(self, net: CompiledNet, data: Dataset, settings: TrainingSettings,
                 track_gradients: bool = True, fast: bool = True, kernel: bool = True) -> None:
        if net.loss_fn is None:
            raise ValueError("the diagram has no loss, so it cannot train: add a loss block")
        self.net, self.data, self.settings = net, data, settings
        self.model, self.loss_fn = net.model, net.loss_fn
        self.tensors = to_tensors(net, data)
        self._initial = copy.deepcopy(self.model.state_dict())
        # samples a batch needs (BatchNorm1d: 2), as the registry declares it
        min_batch = max((b.spec.min_batch for b in net.plan.analysis.diagram.blocks), default=1)
        self.schedule = Schedule(self.tensors.x_train, self.tensors.y_train, settings, min_batch)
        # loading weights copies into these tensors, so the list stays valid
        self._params: list[torch.Tensor] = list(self.model.parameters())
        self._weights = [p for p in self._params if p.dim() >= 2]
        # None: always the eager loop (``fast=False`` asks for it, for comparisons)
        self._fast = fastpath.build(self.model, self.loss_fn) if fast else None
        # the whole-epoch kernel for the chains it covers; None: the fast path's steps
        self._kernel = whole_epoch.build(net, self._fast, self.tensors, _classes(net, data)) \
            if self._fast is not None and kernel else None
        self.measures = Evaluator(net, self.loss_fn, data, self.tensors, self._fast,
                                  track_gradients)
        self.use_kernel = True  # the training process turns it off at a set pace
        self.reset()

    # ------------------------------------------------------------ state
    def reset(self) -> None:
        """Back to the initial weights of the seed, epoch 0, empty history."""
        self.model.load_state_dict(self._initial)
        self.optimizer = make_optimizer(self.settings, self.model.parameters())
        self.schedule.restart()
        self.epoch = 0
        self.history: list[EpochRow] = []
        self._good = copy.deepcopy(self.model.state_dict())
        self.outputs: dict[str, torch.Tensor] = {}  # the last evaluation's, by set
        self.batch_loss = math.nan  # of the last batch stepped alone, before its step

    def loaded_weights(self) -> None:
        """The model's weights came from a file: they start the run from now on
        (epoch 0 of an empty history, a fresh optimizer; reset still goes back
        to the seed's initial weights)."""
        self.optimizer = make_optimizer(self.settings, self.model.parameters())
        self.epoch, self.history = 0, []
        self._good = copy.deepcopy(self.model.state_dict())
        self.schedule.close()

    def update_settings(self, settings: TrainingSettings) -> None:
        """Change learning rate, optimizer, batch size or shuffling between epochs
        (``init`` applies when the network is built for a run)."""
        old, self.settings = self.settings, settings
        self.schedule.settings = settings
        if (old.optimizer, old.lr) != (settings.optimizer, settings.lr):
            if old.optimizer == settings.optimizer:
                for group in self.optimizer.param_groups:
                    group["lr"] = settings.lr
            else:
                self.optimizer = make_optimizer(settings, self.model.parameters())

    # ------------------------------------------------------------ training
    def run_epoch(self) -> EpochRow:
        """The rest of the epoch under way (all of a new one) in mini-batches;
        return its metrics. Raises TrainingDiverged (weights restored) if the loss
        or the weights blow up."""
        return self.run_epochs(1)[-1]

    def run_epochs(self, limit: int) -> list[EpochRow]:
        """The rest of the epoch under way and, when the whole-epoch kernel runs
        them in the same call, up to ``limit - 1`` more; their metrics. Raises
        TrainingDiverged (weights restored, the epochs before it recorded)."""
        rows = self._kernel_epochs(limit)
        if rows is not None:
            return rows
        xs, ys = self.schedule.batched()
        with torch.enable_grad():
            self._train_mode()
            self._steps(xs[self.batch:], ys[self.batch:])
        return [self._end_epoch()]

    def run_batch(self) -> EpochRow | None:
        """One optimizer step on the next mini-batch of the epoch under way.
        Returns the epoch's metrics when that batch was its last, else None;
        ``batch_loss`` is the loss of the batch before the step."""
        xs, ys = self.schedule.batched()
        xb, yb = xs[self.batch], ys[self.batch]
        with torch.enable_grad():
            self._train_mode()
            loss = self._step(xb, yb, self._penalty if (self.settings.l1 or self.settings.l2)
                              else None)
        self.batch_loss = float(loss.detach())
        self.schedule.batch += 1
        if not math.isfinite(self.batch_loss) or not self._weights_finite():
            self.schedule.close()
            self._diverged("loss" if not math.isfinite(self.batch_loss) else "weights")
        return self._end_epoch() if self.batch == len(xs) else None

    def run_steps(self, count: int) -> EpochRow | None:
        """Up to ``count`` optimizer steps of the epoch under way, never past its end
        (what a set pace draws a frame after). Returns the epoch's metrics when its
        last batch was among them, else None; the same numbers as :meth:`run_epoch`."""
        xs, ys = self.schedule.batched()
        end = min(self.batch + max(count, 1), len(xs))
        with torch.enable_grad():
            self._train_mode()
            self._steps(xs[self.batch:end], ys[self.batch:end])
        self.schedule.batch = end
        if not self._weights_finite():
            self.schedule.close()
            self._diverged("weights")
        return self._end_epoch() if end == len(xs) else None

    def midway(self) -> EpochRow:
        """The losses and accuracies inside the epoch under way (a point of the
        curves); raises TrainingDiverged, the last good epoch's weights back, once the
        loss is no longer finite (the weights may still be: logits of 1e30)."""
        row = self.evaluate()
        if not math.isfinite(row["train_loss"]):
            self.schedule.close()
            self._diverged("loss")
        return row

    @property
    def batch(self) -> int:
        """Mini-batches of the epoch under way done."""
        return self.schedule.batch

    @property
    def batches(self) -> int:
        """Mini-batches in the epoch under way (or in the next one)."""
        return self.schedule.batches

    def _end_epoch(self) -> EpochRow:
        self.schedule.close()
        metrics = self.evaluate()
        if not math.isfinite(metrics["train_loss"]):
            self._diverged("loss")
        if not self._weights_finite():  # NaN gradients can leave the loss finite
            self._diverged("weights")
        self._remember_good()
        return self._record(metrics)

    def _record(self, row: EpochRow) -> EpochRow:
        """``row`` becomes the history's row of the next epoch."""
        self.epoch += 1
        row["epoch"] = self.epoch
        self.history.append(row)
        return row

    def _diverged(self, quantity: str) -> None:
        self.model.load_state_dict(self._good)
        self.optimizer = make_optimizer(self.settings, self.model.parameters())
        raise TrainingDiverged(diverged_message(self.settings, self.epoch + 1, quantity),
                               quantity)

    def _weights_finite(self) -> bool:
        """Every parameter finite, in one foreach call per epoch (about 20 µs for a
        small network): NaN or inf in any weight makes the sum of the largest
        magnitudes NaN or inf (so do weights near float32's limit, as diverged)."""
        if not self._params:
            return True
        largest = torch._foreach_norm(self._params, math.inf)
        return math.isfinite(torch.stack(largest).sum().item())

    def _train_mode(self) -> None:
        # train() walks every module; the chains the fast path runs compute
        # the same in either mode, so for them only the model's flag matters
        if self._fast is None or not self.model.training:
            self.model.train()

    def _remember_good(self) -> None:
        """Keep this epoch's weights, to go back to if the next one diverges."""
        params = self._fast.params() if self._fast is not None else []
        if params and len(params) == len(self._good):  # a chain: copy in place
            torch._foreach_copy_(list(self._good.values()), params)
        else:
            self._good = {k: v.clone() for k, v in self.model.state_dict().items()}

    def _steps(self, xs: tuple, ys: tuple) -> None:
        fast = self._fast
        if fast is not None and self._fast_applies():
            fast.epoch(xs, ys)
            return
        penalty = self._penalty if (self.settings.l1 or self.settings.l2) else None
        for xb, yb in zip(xs, ys, strict=True):
            self._step(xb, yb, penalty)

    def _step(self, xb: torch.Tensor, yb: torch.Tensor, penalty) -> torch.Tensor:
        """One eager optimizer step on a mini-batch; its loss before the step."""
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(xb), yb)
        if penalty is not None:
            loss = loss + penalty()
        loss.backward()
        self.optimizer.step()
        return loss

    def _kernel_epochs(self, limit: int) -> list[EpochRow] | None:
        """Up to ``limit`` epochs (the first the rest of the epoch under way) in one
        call of the whole-epoch kernel, when it is allowed, loaded and covers the
        optimizer's settings; None if not. Their rows, recorded; a divergence raises
        TrainingDiverged once the epochs before it are."""
        kernel, s = self._kernel, self.settings
        if kernel is None or not self.use_kernel or not kernel.ready(self.optimizer):
            return None
        # a regression's row measures each epoch's outputs (RMSE, R²): one epoch a call
        one = self.measures.track_gradients or not self.data.info.is_classification
        epochs = 1 if one else kernel.epochs_per_call(limit)
        schedule = self.schedule
        schedule.epoch_order()
        drawn = schedule.generator.get_state() if epochs > 1 else None
        done = kernel.run(self.optimizer, schedule.orders(epochs).numpy(),
                          self.batch * s.batch_size, s.batch_size, s.l1, s.l2,
                          list(self._good.values()), epochs)
        schedule.close()
        self.outputs = done.outputs
        rows = [self._record(self.measures.row(self.epoch, self.outputs, *values))
                for values in done.rows.tolist()]
        if done.ending == codes.KEPT:
            return rows
        if drawn is not None:  # draw only the orders the epochs up to this one took
            schedule.generator.set_state(drawn)
            for _ in rows:
                schedule.new_order()
        self._diverged("loss" if done.ending == codes.LOSS_DIVERGED else "weights")
        raise AssertionError("unreachable")  # _diverged raises

    def settle_kernel(self, allowed: bool = True) -> None:
        """Decide, once, whether this run trains on the whole-epoch kernel: yes if it
        is ``allowed``, covers the network and is loaded or in numba's cache (waiting
        for what is left of that load, begun when the Trainer was made), no if it
        must first be compiled (which goes on in the background, for later runs) or
        cannot be. A headless run keeps one path from its first epoch to its last,
        so its numbers never depend on how soon the kernel loaded."""
        if self._kernel is not None and (not allowed or loading.settle() is None):
            self._kernel = None

    def _fast_applies(self) -> bool:
        """The fast path runs this epoch (same numbers, no autograd) unless a
        penalty or a setting it does not cover asks for the eager loop."""
        settings = self.settings
        return self._fast is not None and not (settings.l1 or settings.l2) and \
            self._fast.applies(self.optimizer)

    def _penalty(self) -> torch.Tensor | float:
        return penalty(self._weights, self.settings)

    def train(self, epochs: int, callback: Callable[[EpochRow], object] | None = None) -> None:
        """Train ``epochs`` epochs; ``callback`` gets each epoch's row, in order. The
        whole-epoch kernel runs several epochs a call (each evaluated and recorded as
        always), so the callback may get a few rows at once, at most about
        ``whole_epoch.CALL_SECONDS`` apart (and the rows before a divergence, before
        TrainingDiverged)."""
        goal = len(self.history) + epochs
        while len(self.history) < goal:
            told = len(self.history)
            try:
                self.run_epochs(goal - told)
            finally:
                if callback is not None:
                    for row in self.history[told:]:
                        callback(row)

    # ------------------------------------------------------------ metrics
    def evaluate(self) -> EpochRow:
        """Loss (and accuracy) on the full training and test sets, and the
        gradient norm of every layer on the full training set, as the row of the
        epoch trained last: by the whole-epoch kernel when it may run, else by torch."""
        done = self._kernel.evaluate(list(self._good.values())) \
            if self._kernel is not None and self.use_kernel else None
        if done is not None:
            self.outputs = done.outputs
            return self.measures.row(self.epoch, self.outputs, *done.rows.tolist()[0])
        return self.measures.row(self.epoch, self.outputs, *self.measures.measure(self.outputs))


def _classes(net: CompiledNet, data: Dataset) -> whole_epoch.Classes | None:
    """What the whole-epoch kernel needs for the accuracy (None for regression)."""
    if not data.info.is_classification or net.loss_spec is None:
        return None
    return whole_epoch.Classes(np.asarray(data.y_train), np.asarray(data.y_test),
                               net.loss_spec, data.info.signed)


def diverged_message(settings: TrainingSettings, epoch: int, quantity: str = "loss") -> str:
    return (f"The {quantity} became infinite or NaN in epoch {epoch}, so training stopped and the "
            f"weights of the last good epoch were kept. The learning rate {settings.lr:g} is "
            "probably too high: divide it by 10 and reset. A log or sqrt of a negative number "
            "in a custom activation does this too.")


@dataclass
class Run:
    """The result of :func:`train`."""

    history: list[EpochRow]
    model: torch.nn.Module
    net: CompiledNet
    dataset: Dataset
    settings: TrainingSettings
    seconds: float  # training time alone
    stopped: str | None = None  # why training stopped early, if it did
    diverged: str | None = None  # what became infinite or NaN: "loss" or "weights"
    trainer: Trainer | None = field(default=None, repr=False)


def resolve(diagram: Diagram, dataset=None, **overrides) -> tuple[Diagram, TrainingSettings]:
    """A copy of ``diagram`` with ``dataset`` set, and the effective settings."""
    from ..model.fileio import dumps, loads

    copy_ = loads(dumps(diagram))
    if dataset is not None:
        copy_.dataset = dataset
    if copy_.dataset is None:
        raise ValueError("no data set: pass dataset=... (one of "
                         f"{', '.join(datasets_mod.names())}) or set diagram.dataset")
    settings = copy_.training.with_(**overrides)
    copy_.training = settings
    return copy_, settings


def train(diagram: Diagram, dataset=None, epochs: int | None = None, seed: int | None = None,
          optimizer: str | None = None, lr: float | None = None,
          batch_size: int | None = None, l1: float | None = None, l2: float | None = None,
          callback: Callable[[EpochRow], object] | None = None,
          track_gradients: bool = False, init: str | None = None,
          shuffle: bool | None = None, weights=None) -> Run:
    """Train ``diagram`` headless. Any omitted setting is the diagram's own,
    else the default. ``weights``: None to start from the weights ``init`` gives,
    or a path to a safetensors file (or a state_dict) of this network to start
    from. ``callback`` gets each epoch's row, in order (see :meth:`Trainer.train`).
    Raises DiagramError for a diagram with errors, WeightsError for weights of
    another network."""
    torch.set_num_threads(1)
    work, settings = resolve(diagram, dataset, epochs=epochs, seed=seed, optimizer=optimizer,
                             lr=lr, batch_size=batch_size, l1=l1, l2=l2, init=init,
                             shuffle=shuffle)
    net = compile_diagram(work, seed=settings.seed)
    if weights is not None:
        load_into(net.model, weights)
    data = datasets_mod.load(work.dataset)
    trainer = Trainer(net, data, settings, track_gradients=track_gradients)
    trainer.settle_kernel()
    stopped = diverged = None
    start = time.perf_counter()
    try:
        trainer.train(settings.epochs, callback)
    except TrainingDiverged as error:
        stopped, diverged = str(error), error.quantity
    seconds = time.perf_counter() - start
    return Run(trainer.history, net.model, net, data, settings, seconds, stopped, trainer=trainer,
               diverged=diverged)
