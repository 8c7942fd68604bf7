"""The network part of grading one diagram: compile, train, measure, draw.

:func:`run_network` returns an :class:`Outcome`. A network whose training would
need more memory than the grader allows is refused from validation's estimate,
before anything is allocated (the worker's ``RLIMIT_AS`` remains the backstop).
:class:`NetworkCache` remembers outcomes in a worker: grading is seeded, so a
network met again (the start diagram handed back unchanged, a solution several
students share) gets exactly the outcome a fresh run would give, without
training it twice.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..checks.validation import training_memory
from ..core.files import human_size
from ..data.spec import DatasetSpec
from ..model.diagram import Diagram
from .kinds import KINDS, Facts, Need

if TYPE_CHECKING:
    from .exercise import Exercise


@dataclass(frozen=True)
class Outcome:
    metrics: dict | None = None  # the last epoch's, and the test set's macro F1 (test_f1)
    epochs: int = 0
    failure: str | None = None  # why it did not train to the end
    plot: dict | None = None  # the thumbnail's data

    def apply(self, facts: Facts) -> None:
        facts.metrics, facts.epochs = self.metrics, self.epochs
        if self.failure:
            facts.not_run = self.failure


class NetworkCache:
    """Outcomes by :func:`network_key`, the ``size`` most recent."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._found: OrderedDict[str, Outcome] = OrderedDict()

    def get(self, key: str) -> Outcome | None:
        outcome = self._found.get(key)
        if outcome is not None:
            self._found.move_to_end(key)
        return outcome

    def put(self, key: str, outcome: Outcome) -> None:
        self._found[key] = outcome
        while len(self._found) > self.size:
            self._found.popitem(last=False)


def network_key(diagram: Diagram, plot: bool) -> str:
    """What decides a graded network's numbers: its blocks' ids, types and parameters
    in file order (the order breaks ties in the forward pass, so the seed draws the
    same weights) and its wires in order. Names, positions and texts do not count."""
    blocks = [[b.id, b.type, b.params] for b in diagram.blocks]
    wires = [[w.src, w.src_port, w.dst, w.dst_port] for w in diagram.wires]
    return json.dumps([blocks, wires, plot], sort_keys=True)


def fingerprint(diagram: Diagram) -> str:
    """:func:`network_key` of the network alone, hashed: what two files share when
    their networks are the same."""
    return hashlib.sha256(network_key(diagram, False).encode("utf-8")).hexdigest()


def run_network(exercise: Exercise, facts: Facts, plot: bool, memory: int | None = None,
                cache: NetworkCache | None = None, kernel: bool = True) -> Outcome:
    """The outcome for the valid diagram in ``facts`` (also applied to them);
    ``kernel``: the whole-epoch kernel may train it (a grader decides once for
    every file it grades)."""
    key = network_key(facts.diagram, plot) if cache is not None else ""
    outcome = cache.get(key) if cache is not None else None
    if outcome is None:
        outcome = _run(exercise, facts, plot, memory, kernel)
        if cache is not None:
            cache.put(key, outcome)
    outcome.apply(facts)
    return outcome


def _run(exercise: Exercise, facts: Facts, plot: bool, memory: int | None,
         kernel: bool) -> Outcome:
    import torch

    from ..build.compiler import compile as compile_diagram
    from ..training.measures import class_measures
    from ..training.trainer import Trainer, TrainingDiverged

    trained = KINDS.needing(Need.TRAINING)
    if not any(c.kind in trained for c in exercise.checks) and not plot:
        return Outcome()
    need = training_memory(facts.analysis)
    if memory is not None and need > memory:
        return Outcome(failure=f"out of memory: the network needs about {human_size(need)} "
                       f"to train; grading allows {human_size(memory)}")
    settings = exercise.training
    torch.set_num_threads(1)
    net = compile_diagram(facts.diagram, seed=settings.seed, analysis=facts.analysis,
                          problems=facts.problems)
    trainer = Trainer(net, dataset(exercise.dataset), settings, track_gradients=False)
    trainer.settle_kernel(kernel)  # one path for the run: its numbers never depend on timing
    try:
        trainer.train(settings.epochs)
    except TrainingDiverged as error:
        return Outcome(failure=f"training diverged: the {error.quantity} became "
                       f"infinite or NaN in epoch {trainer.epoch + 1}")
    metrics: dict = dict(trainer.history[-1])
    measures = class_measures(trainer, "test")
    if measures is not None:
        metrics["test_f1"] = measures.macro_f1
    return Outcome(metrics, trainer.epoch, plot=_plot(trainer) if plot else None)


def _plot(trainer) -> dict | None:
    from .thumbnails import probe

    return probe(trainer)


@functools.lru_cache(maxsize=4)
def dataset(spec: DatasetSpec):
    """The exercise's data, made once per process: every file trains on the same."""
    from ..data import datasets

    return datasets.load(spec)
