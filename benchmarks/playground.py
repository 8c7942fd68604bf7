"""TensorFlow Playground's own core beside NetCanvas (figure 2, when it is at hand).

Playground is not part of NetCanvas and is never copied into it: to take this
figure, build its core outside this repository (docs/performance.md says how)
and point ``NETCANVAS_PLAYGROUND`` at the compiled driver. The driver trains
Playground's default network with ``nn.ts`` as ``playground.ts``'s
``oneStep()`` does, without the UI: every epoch, forward and backward for each
of the 250 training points, an update every 10, then the loss on the training
and the test set; it prints its epochs a second of CPU time
(``process.cpuUsage``) after 200 epochs that warm node's JIT.

Each round runs the driver for ``epochs`` epochs and then NetCanvas for the same
number (thread CPU time, one thread), three ways on the same network and data
(``resources/examples/playground-default.json``: 2-4-2-1, tanh everywhere, the
square loss, circle with 500 points, half for training, batch 10, the data
set's order every epoch):

- the same work as Playground: the whole-epoch kernel's calls alone, each epoch
  its steps and the loss on both sets (no accuracy, no history rows);
- the full Trainer, as ``train`` runs: ``Trainer.train``, which also takes
  both accuracies and keeps a history row per epoch;
- for reference, figure 2's network (two outputs and cross-entropy, shuffled
  every epoch) through ``Trainer.train``.
"""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import torch

import graph_engine as ge
from graph_engine.build.compiler import compile as compile_diagram
from graph_engine.data import datasets
from graph_engine.training.fastpath import whole_epoch
from graph_engine.training.kernel import loading
from graph_engine.training.trainer import Trainer, resolve

from .common import CPU, Figure, median
from .networks import PLAYGROUND, chain_diagram

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "resources", "examples", "playground-default.json")
DRIVER = "NETCANVAS_PLAYGROUND"  # the compiled driver (bench.js) to run in node


def figures(rounds: int = 7, epochs: int = 2000) -> list[Figure]:
    driver = os.environ.get(DRIVER)
    if not driver:
        return []
    torch.set_num_threads(1)
    if loading.wait() is None:
        raise RuntimeError("the whole-epoch kernel is not available")
    sides = {"same work": _same_work(), "Trainer": _trainer(_example()),
             "figure 2": _trainer(_figure_two())}
    rates: dict[str, list[float]] = {"Playground": [], **{name: [] for name in sides}}
    for _ in range(rounds):
        rates["Playground"].append(_playground(driver, epochs))
        for name, block in sides.items():
            rates[name].append(_epochs_per_second(block, epochs))
    return _report(rates, epochs, rounds)


def _report(rates: dict[str, list[float]], epochs: int, rounds: int) -> list[Figure]:
    def ratio(name: str) -> float:
        return median([ours / theirs for ours, theirs in zip(rates[name], rates["Playground"],
                                                            strict=True)])

    per_s = {name: median(values) for name, values in rates.items()}
    reference = (f"Playground's core in node {per_s['Playground']:.0f} epochs/s; "
                 f"{rounds} rounds of {epochs} epochs")
    return [
        Figure("2.trainer-vs-playground", "Trainer.train vs Playground's JS core (its default)",
               ratio("Trainer"), "x", goal=5,
               reference=f"{reference}; NetCanvas {per_s['Trainer']:.0f} epochs/s",
               note="NetCanvas also takes both accuracies and a history row every epoch"),
        Figure("2.kernel-vs-playground", "the same work as Playground's loop, in the kernel",
               ratio("same work"), "x", goal=5,
               reference=f"{reference}; NetCanvas {per_s['same work']:.0f} epochs/s",
               note="each epoch: 25 steps of 10, the loss on both sets"),
        Figure("2.figure-two-vs-playground", "figure 2's network through Trainer.train",
               ratio("figure 2"), "x",
               reference=f"{reference}; NetCanvas {per_s['figure 2']:.0f} epochs/s",
               note="two outputs, cross-entropy, shuffled each epoch, accuracies"),
    ]


def _playground(driver: str, epochs: int) -> float:
    done = subprocess.run(["node", driver, str(epochs), "1"], capture_output=True, text=True,
                          check=True, timeout=600)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["median_epochs_per_s"])


def _epochs_per_second(block, epochs: int) -> float:
    start = CPU()
    block(epochs)
    return epochs / (CPU() - start)


def _example() -> Trainer:
    work, settings = resolve(ge.load(EXAMPLE))
    return Trainer(compile_diagram(work, seed=0), datasets.load(work.dataset), settings,
                   track_gradients=False)


def _figure_two() -> Trainer:
    p = PLAYGROUND
    d = chain_diagram(p["widths"], p["activation"], p["dataset"])
    return Trainer(compile_diagram(d, seed=0), datasets.load(d.dataset), p["settings"],
                   track_gradients=False)


def _trainer(trainer: Trainer):
    def block(epochs: int) -> None:
        trainer.reset()
        trainer.train(epochs)
    return block


def _same_work():
    """The kernel's calls alone on the example: losses, no accuracies, no rows."""
    trainer = _example()
    kernel = whole_epoch.build(trainer.net, trainer._fast, trainer.tensors, None)
    if kernel is None:
        raise RuntimeError("the whole-epoch kernel does not run Playground's network")
    order = np.arange(len(trainer.tensors.x_train), dtype=np.int64)[None]

    def block(epochs: int) -> None:
        trainer.reset()
        good = list(trainer._good.values())
        while epochs > 0:
            if not kernel.ready(trainer.optimizer):
                raise RuntimeError("the kernel does not cover the optimizer")
            calls = kernel.epochs_per_call(epochs)
            kernel.run(trainer.optimizer, order, 0, trainer.settings.batch_size, 0.0, 0.0,
                       good, calls)
            epochs -= calls
    return block
