"""Which training samples each epoch steps on, in which order, in which mini-batches.

A :class:`Schedule` belongs to one :class:`~.trainer.Trainer`. Every path of the
trainer (the eager loop, the fast path, the whole-epoch kernel) takes its epoch's
order from here, drawn from the run's own generator, so the same seed gives the
same batches whichever path runs them: a new permutation each epoch, or, with
``shuffle`` off, the data set's own order every epoch (as Playground).
"""

from __future__ import annotations

import torch

from ..model.settings import TrainingSettings


class Schedule:
    """The sample order and mini-batches of the epoch under way, and how many of
    its batches are done."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, settings: TrainingSettings,
                 min_batch: int) -> None:
        self.x, self.y = x, y
        self.settings = settings  # the trainer's, replaced when they change
        self.min_batch = min_batch  # samples a batch needs (BatchNorm1d: 2)
        self.restart()

    def restart(self) -> None:
        """The seed's first epoch next: a new generator, nothing under way."""
        self.generator = torch.Generator().manual_seed(self.settings.seed)
        self.close()

    def close(self) -> None:
        """The epoch under way ended (or was given up): the next draws a new order."""
        self.cut: tuple[tuple, tuple] | None = None  # its (inputs, targets) batches
        self.order: torch.Tensor | None = None  # its samples' order, once drawn
        self.batch = 0  # how many of its batches are done

    @property
    def batches(self) -> int:
        """Mini-batches in the epoch under way (or in the next one)."""
        if self.cut is not None:
            return len(self.cut[0])
        return -(-self.used(len(self.x)) // self.settings.batch_size)

    def used(self, n: int) -> int:
        """How many of ``n`` samples an epoch steps on: all but a last
        batch too small for a block (BatchNorm needs two samples)."""
        short = n % self.settings.batch_size
        return n - short if 0 < short < self.min_batch and n > short else n

    def batched(self) -> tuple[tuple, tuple]:
        """The mini-batches (inputs, targets) of the epoch under way, in
        :meth:`epoch_order`."""
        if self.cut is None:
            order, size = self.epoch_order(), self.settings.batch_size
            self.cut = (self.x[order].split(size), self.y[order].split(size))
            self.batch = 0
        return self.cut

    def epoch_order(self) -> torch.Tensor:
        """The order of the samples the epoch under way steps on, drawn when it
        starts (the whole-epoch kernel needs no batches cut out)."""
        if self.order is None:
            self.order = self.new_order()
        return self.order

    def new_order(self) -> torch.Tensor:
        """The next epoch's order, drawn now."""
        n = len(self.x)
        order = self.sample_order(n)
        return (torch.arange(n) if order is None else order)[:self.used(n)]

    def sample_order(self, count: int) -> torch.Tensor | None:
        """The order of the ``count`` training samples in the next epoch, decided
        here alone for every path: a new permutation each epoch, or None (with
        ``shuffle`` off) for the data set's own order every epoch, as Playground."""
        if not self.settings.shuffle:
            return None
        return torch.randperm(count, generator=self.generator)

    def orders(self, epochs: int) -> torch.Tensor:
        """The sample orders of the next ``epochs`` epochs, the first the one under
        way; one order for them all when each epoch keeps the data set's order."""
        first = self.epoch_order()
        if not self.settings.shuffle:
            return first[None]
        return torch.stack([first, *(self.new_order() for _ in range(epochs - 1))])
