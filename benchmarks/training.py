"""Training speed: the compiled module against a hand-written one (figure 1),
and headless training against a plain eager PyTorch loop (figure 2).

The reference loop is what a student would write from a PyTorch tutorial:
a hand-written ``nn.Sequential``, ``optimizer.zero_grad()``,
``loss.backward()``, ``optimizer.step()``, batches sliced from tensors
shuffled by ``torch.randperm`` — and, for figure 2, after every epoch the
same full-set evaluation the Trainer does (loss and accuracy on the training
and the test set, read back as Python floats).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from itertools import pairwise

import torch
from torch import nn

import graph_engine as ge
from graph_engine.data import datasets
from graph_engine.data.spec import DatasetSpec
from graph_engine.training.kernel import loading
from graph_engine.training.trainer import Trainer, to_tensors

from .common import Figure, interleaved, median, median_ratio
from .networks import PLAYGROUND, chain_diagram

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def hand_written(widths, activation: str, seed: int) -> nn.Sequential:
    """The same network typed by hand, initialised from the same seed."""
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(pairwise(widths)):
        layers.append(nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(getattr(nn, activation)())
    return nn.Sequential(*layers)


class PlainLoop:
    """The reference training loop, eager PyTorch as a tutorial writes it."""

    def __init__(self, model: nn.Module, tensors, labels, batch_size: int, lr: float,
                 seed: int, evaluate: bool) -> None:
        self.model, self.t, self.labels = model, tensors, labels
        self.loss_fn = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        self.generator = torch.Generator().manual_seed(seed)
        self.batch_size, self.evaluate = batch_size, evaluate

    def epoch(self) -> dict:
        x, y = self.t.x_train, self.t.y_train
        order = torch.randperm(len(x), generator=self.generator)
        x, y = x[order], y[order]
        model, loss_fn, optimizer = self.model, self.loss_fn, self.optimizer
        for start in range(0, len(x), self.batch_size):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[start:start + self.batch_size]),
                           y[start:start + self.batch_size])
            loss.backward()
            optimizer.step()
        return self.metrics() if self.evaluate else {}

    def metrics(self) -> dict:
        out: dict = {}
        self.model.eval()
        with torch.no_grad():
            for part, x, y in (("train", self.t.x_train, self.t.y_train),
                               ("test", self.t.x_test, self.t.y_test)):
                logits = self.model(x)
                out[f"{part}_loss"] = float(self.loss_fn(logits, y))
                out[f"{part}_accuracy"] = float((logits.argmax(1) == y).float().mean())
        self.model.train()
        return out


def _setup(widths, activation, dataset, settings, seed=0):
    d = chain_diagram(widths, activation, dataset)
    net = ge.compile(d, seed=seed)
    data = datasets.load(dataset)
    return d, net, data, to_tensors(net, data)


def compiled_vs_hand_written(batch_size: int, samples: int = 500, rounds: int = 200,
                             epochs: int = 1) -> Figure:
    """Figure 1: the same eager loop (steps only) around the compiled module
    and around a hand-written nn.Sequential of the same shape."""
    torch.set_num_threads(1)
    widths = (2, 8, 8, 2)
    dataset = DatasetSpec("circle", samples=samples)
    _, net, data, tensors = _setup(widths, "ReLU", dataset, None)
    loops = {name: PlainLoop(model, tensors, data.y_train, batch_size, 0.03, 0, False)
             for name, model in (("compiled", net.model),
                                 ("hand-written", hand_written(widths, "ReLU", 0)))}
    times = interleaved({k: loop.epoch for k, loop in loops.items()}, rounds, epochs)
    ratio = median_ratio(times["hand-written"], times["compiled"])
    steps = -(-len(data.x_train) // batch_size)
    return Figure(f"1.compiled-vs-hand-written-b{batch_size}",
                  f"compiled 2-8-8-2 vs hand-written nn.Sequential, batch {batch_size}",
                  ratio, "x", goal=0.97,
                  reference=f"hand-written {1000 * median(times['hand-written']):.2f} ms/epoch, "
                            f"compiled {1000 * median(times['compiled']):.2f} ms/epoch "
                            f"({steps} steps)",
                  note="speed of the compiled module relative to the hand-written one")


def headless_vs_eager(rounds: int = 60, epochs: int = 20, samples: int = 500) -> list[Figure]:
    """Figure 2: Trainer.train (headless: the whole-epoch kernel, many epochs a
    call) on the Playground default against the plain eager loop with the same
    per-epoch evaluation, each timed over blocks of ``epochs`` epochs; the Trainer
    one epoch a call (the editor's as fast as possible), on its fast path alone,
    and without it, for comparison."""
    torch.set_num_threads(1)
    p = PLAYGROUND
    dataset = p["dataset"].with_(samples=samples)
    settings = p["settings"]
    _, net, data, tensors = _setup(p["widths"], p["activation"], dataset, settings)

    def trainer(**paths) -> Trainer:
        fresh = ge.compile(chain_diagram(p["widths"], p["activation"], dataset), seed=0)
        return Trainer(fresh, data, settings, track_gradients=False, **paths)

    kernel, fast = Trainer(net, data, settings, track_gradients=False), trainer(kernel=False)
    single, eager = trainer(), trainer(fast=False)
    plain = PlainLoop(hand_written(p["widths"], p["activation"], 0), tensors, data.y_train,
                      settings.batch_size, settings.lr, 0, True)
    if kernel._kernel is None or loading.wait() is None:
        raise RuntimeError("the whole-epoch kernel does not run the Playground network")
    times = interleaved({"plain": _block(plain.epoch, epochs), "trainer": _trained(kernel, epochs),
                         "run_epoch": _block(_trainer_epoch(single), epochs),
                         "fast path": _block(_trainer_epoch(fast), epochs),
                         "eager trainer": _block(_trainer_epoch(eager), epochs)}, rounds, 1)
    per_s = {k: epochs / median(v) for k, v in times.items()}
    reference = f"plain eager loop {per_s['plain']:.0f} epochs/s"
    return [
        Figure("2.headless-vs-eager", "headless training vs plain eager loop (Playground default)",
               median_ratio(times["plain"], times["trainer"]), "x", goal=20,
               reference=f"{reference}, NetCanvas {per_s['trainer']:.0f} epochs/s",
               note="Trainer.train with the whole-epoch kernel (many epochs a call); both "
                    "include the full-set evaluation every epoch"),
        Figure("2.run-epoch-vs-eager", "the same Trainer one epoch a call",
               median_ratio(times["plain"], times["run_epoch"]), "x",
               reference=f"{reference}, Trainer.run_epoch {per_s['run_epoch']:.0f} epochs/s",
               note="the kernel, one call an epoch: the editor's as fast as possible"),
        Figure("2.fast-path-vs-eager", "the same Trainer on its fast path alone",
               median_ratio(times["plain"], times["fast path"]), "x", goal=2.6,
               reference=f"{reference}, fast path {per_s['fast path']:.0f} epochs/s",
               note="the path before the kernel loads, and for what it does not cover"),
        Figure("2.eager-trainer-vs-eager", "the same Trainer without its fast path",
               median_ratio(times["plain"], times["eager trainer"]), "x",
               reference=f"{reference}, eager Trainer {per_s['eager trainer']:.0f} epochs/s",
               note="for comparison only"),
    ]


def _trainer_epoch(trainer: Trainer):
    def epoch():
        if trainer.epoch >= 2000:  # keep the run in its early, changing phase
            trainer.reset()
        trainer.run_epoch()
    return epoch


def _trained(trainer: Trainer, epochs: int):
    """``epochs`` epochs of Trainer.train, as a headless run trains them."""
    def block():
        if trainer.epoch >= 2000:
            trainer.reset()
        trainer.train(epochs)
    return block


def _block(epoch, epochs: int):
    def block():
        for _ in range(epochs):
            epoch()
    return block


def headless_epochs_per_second(seconds: float = 1.0, samples: int = 500) -> float:
    """Playground default through Trainer.run_epoch, for the GUI comparison."""
    import time

    torch.set_num_threads(1)
    p = PLAYGROUND
    dataset = p["dataset"].with_(samples=samples)
    _, net, data, _ = _setup(p["widths"], p["activation"], dataset, p["settings"])
    trainer = Trainer(net, data, p["settings"], track_gradients=False)
    trainer.run_epoch()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run_epoch()
    return (trainer.epoch - 1) / (time.perf_counter() - start)


_LOAD = """
import json, time
start = time.perf_counter()
from graph_engine.training.kernel import loading
ready = loading.wait() is not None
print(json.dumps({"seconds": time.perf_counter() - start, "ready": ready}))
"""

# A fresh process as `python main.py train` runs the Playground example: how long
# the run waits for the kernel after its Trainer is made, and its first epoch.
_FIRST_EPOCH = """
import json, os, time
start = time.perf_counter()
import graph_engine as ge
from graph_engine.build.compiler import compile as compile_diagram
from graph_engine.data import datasets
from graph_engine.training.trainer import Trainer, resolve
work, settings = resolve(ge.load(os.path.join("resources", "examples", "playground-default.json")))
trainer = Trainer(compile_diagram(work, seed=0), datasets.load(work.dataset), settings,
                  track_gradients=False)
made = time.perf_counter()
trainer.settle_kernel()
settled = time.perf_counter()
trainer.run_epoch()
print(json.dumps({"made": made - start, "wait": settled - made,
                  "epoch": time.perf_counter() - settled, "kernel": trainer._kernel is not None}))
"""


def kernel_load(rounds: int = 3) -> list[Figure]:
    """Figure 2: what a process pays for the whole-epoch kernel: the first
    compile (an empty numba cache; a helper process compiles) and later loads
    from the cache, a fresh interpreter each (wall time, imports of numba and
    the kernel included, torch not); and what a fresh headless run waits for it
    before its first epoch, with the kernel in the cache and without."""
    cold, warm, cached = [], [], []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for _ in range(rounds):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(_load_seconds(env))
            warm.append(_load_seconds(env))
            cached.append(_run_json(_FIRST_EPOCH, env))
        shutil.rmtree(cache, ignore_errors=True)
        missing = [_run_json(_FIRST_EPOCH, env)]  # the fast path; its helper compiles
        _load_seconds(env)  # until that compile is done, before the folder goes
    if not all(r["kernel"] for r in cached) or missing[0]["kernel"]:
        raise RuntimeError("a fresh run did not settle on the path the cache allows")
    return [Figure("2.kernel-first-compile", "the kernel's first compile, in a helper process",
                   median(cold), "s", reference=f"loaded from numba's cache: "
                   f"{median(warm):.2f} s", note="runs take the fast path meanwhile"),
            _first_epoch_figure(cached, missing)]


def _first_epoch_figure(cached: list[dict], missing: list[dict]) -> Figure:
    def ms(runs: list[dict], key: str) -> str:
        return f"{1000 * median([r[key] for r in runs]):.1f} ms"

    return Figure("2.kernel-first-epoch-wait", "a fresh headless run's wait for the kernel",
                  1000 * median([r["wait"] for r in cached]), "ms", goal=50,
                  higher_is_better=False,
                  reference=f"kernel cached: Trainer made {median([r['made'] for r in cached]):.2f}"
                            f" s after start, first epoch {ms(cached, 'epoch')}; not cached: "
                            f"wait {ms(missing, 'wait')}, first epoch (fast path) "
                            f"{ms(missing, 'epoch')}",
                  note="the load runs beside the Trainer's preparation; a compile never waited for")


def _load_seconds(env: dict) -> float:
    result = _run_json(_LOAD, env)
    if not result["ready"]:
        raise RuntimeError("the whole-epoch kernel did not load")
    return result["seconds"]


def _run_json(code: str, env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def figures(quick: bool = False) -> list[Figure]:
    if quick:
        return [compiled_vs_hand_written(10, samples=40, rounds=1, epochs=1),
                *headless_vs_eager(rounds=1, epochs=1, samples=40)]
    return [compiled_vs_hand_written(10), compiled_vs_hand_written(256, samples=5000),
            *headless_vs_eager(), *kernel_load()]
