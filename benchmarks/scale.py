"""The scale figure (7): an MNIST-shaped CSV trained through ``python main.py train``
against a plain pandas + torch script doing the same, in the same run.

The file is generated: 60,000 rows of a label (0–9) and 784 integer pixels
(0–255, four in five of them 0, as in MNIST), about 110 MB; the label is the
brightest of ten bands of pixels, so there is something to learn. The diagram is
784-128-10 (Linear, ReLU, Linear, CrossEntropyLoss), Adam with learning rate
0.001, batch 64, one epoch, 90 % of the rows for training, features
standardised. The script is what a student writes from a tutorial:
``pandas.read_csv``, the same split and standardisation, ``nn.Sequential``,
``zero_grad`` / ``backward`` / ``step`` over shuffled batches, then the test
loss and accuracy. Both run as fresh processes, alternately, on one thread;
the figure is the median over rounds of the two wall times' ratio, and the
largest resident memory of the ``main.py train`` process.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .common import Figure

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIXELS = 784
GB = 1 << 30

SCRIPT = '''\
"""MNIST-shaped CSV, 784-128-10, Adam, batch 64, one epoch: a plain script."""
import json, sys, time
import numpy as np, pandas as pd, torch
from torch import nn

torch.set_num_threads(1)
start = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
x = frame.drop(columns="label").to_numpy(np.float32)
y = frame["label"].to_numpy(np.int64)
order = np.random.default_rng(1).permutation(len(x))
cut = round(len(x) * 0.9)
x_train, y_train = x[order[:cut]], y[order[:cut]]
x_test, y_test = x[order[cut:]], y[order[cut:]]
mean, std = x_train.mean(axis=0), x_train.std(axis=0)
std[std == 0] = 1
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
x_train, y_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
x_test, y_test = torch.from_numpy(x_test), torch.from_numpy(y_test)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
trained = time.perf_counter()
generator = torch.Generator().manual_seed(0)
shuffled = torch.randperm(len(x_train), generator=generator)
xs, ys = x_train[shuffled], y_train[shuffled]
for i in range(0, len(xs), 64):
    optimizer.zero_grad()
    loss = loss_fn(model(xs[i:i + 64]), ys[i:i + 64])
    loss.backward()
    optimizer.step()
with torch.no_grad():
    out = model(x_test)
    test_loss = float(loss_fn(out, y_test))
    accuracy = float((out.argmax(1) == y_test).float().mean())
print(json.dumps({"seconds": time.perf_counter() - trained, "test_loss": test_loss,
                  "test_accuracy": accuracy}))
'''


def write_mnist_csv(path: str, rows: int = 60_000, seed: int = 0) -> int:
    """An MNIST-shaped CSV (label, pixel0 … pixel783), written with numpy alone:
    each cell's digits are placed by arithmetic, not formatted one by one."""
    rng = np.random.default_rng(seed)
    with open(path, "wb") as out:
        out.write(("label," + ",".join(f"pixel{i}" for i in range(PIXELS)) + "\n").encode())
        for start in range(0, rows, 5000):
            count = min(5000, rows - start)
            pixels = rng.integers(1, 256, (count, PIXELS), dtype=np.int16) * \
                (rng.random((count, PIXELS), dtype=np.float32) < 0.2)
            # a label to learn: which of ten bands of 78 pixels is brightest
            label = pixels[:, :780].reshape(count, 10, 78).sum(axis=2).argmax(axis=1)
            table = np.concatenate([label[:, None], pixels], axis=1)
            out.write(_csv_bytes(table))
    return os.path.getsize(path)


def _csv_bytes(values: np.ndarray) -> bytes:
    """Whole numbers 0–999 as CSV text, one row a line."""
    digits = 1 + (values >= 10) + (values >= 100)
    widths = (digits + 1).ravel()  # each cell and the comma (or newline) after it
    ends = np.cumsum(widths)
    starts, flat, length = ends - widths, values.ravel(), digits.ravel()
    text = np.empty(int(ends[-1]), np.uint8)
    text[starts + length - 1] = 48 + flat % 10
    two = length >= 2
    text[(starts + length - 2)[two]] = 48 + (flat[two] // 10) % 10
    three = length == 3
    text[starts[three]] = 48 + flat[three] // 100
    text[ends - 1] = ord(",")
    text[ends.reshape(values.shape)[:, -1] - 1] = ord("\n")
    return text.tobytes()


def write_diagram(path: str, csv_path: str) -> None:
    import graph_engine as ge
    from graph_engine.data.spec import CsvSource, DatasetSpec

    d = ge.Diagram()
    d.title = "MNIST-shaped CSV, 784-128-10"
    chain = [d.add("Input", features=PIXELS), d.add("Linear", out_features=128), d.add("ReLU"),
             d.add("Linear", out_features=10), d.add("CrossEntropyLoss")]
    for a, b in pairwise(chain):
        d.connect(a, b)
    d.dataset = DatasetSpec("csv", train_ratio=0.9, csv=CsvSource(csv_path, target="label"))
    d.training = d.training.with_(optimizer="adam", lr=0.001, batch_size=64, epochs=1)
    ge.save(d, path)


@dataclass
class Measured:
    wall: float  # seconds, start to exit
    memory: float  # the process's largest resident set, bytes
    result: dict  # its JSON line


def measure(command: list[str]) -> Measured:
    """Run ``command`` to its end: wall time, peak memory (os.wait4's rusage of
    that one child, as RUSAGE_CHILDREN would give for it alone), its JSON."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": ROOT}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: "
                               f"{err.read().decode(errors='replace')}")
        last = out.read().decode().strip().splitlines()[-1]
    return Measured(wall, usage.ru_maxrss * 1024, json.loads(last))


def figures(rows: int = 60_000, rounds: int = 3) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="netcanvas-scale-") as folder:
        csv_path = os.path.join(folder, "mnist.csv")
        start = time.perf_counter()
        size = write_mnist_csv(csv_path, rows)
        made = time.perf_counter() - start
        diagram, script = os.path.join(folder, "mnist.json"), os.path.join(folder, "plain.py")
        write_diagram(diagram, csv_path)
        with open(script, "w", encoding="utf-8") as f:
            f.write(SCRIPT)
        ours = [sys.executable, os.path.join(ROOT, "main.py"), "train", diagram, "--json"]
        plain = [sys.executable, script, csv_path]
        runs: dict[str, list[Measured]] = {"ours": [], "plain": []}
        for r in range(rounds):
            for name in (("ours", "plain") if r % 2 == 0 else ("plain", "ours")):
                runs[name].append(measure(ours if name == "ours" else plain))
    return _figures(runs, rows, size, made)


def _figures(runs: dict[str, list[Measured]], rows: int, size: int, made: float) -> list[Figure]:
    ours, plain = runs["ours"], runs["plain"]
    ratio = statistics.median(a.wall / b.wall for a, b in zip(ours, plain, strict=True))
    wall = statistics.median(m.wall for m in ours)
    wall_plain = statistics.median(m.wall for m in plain)
    peak, peak_plain = max(m.memory for m in ours), max(m.memory for m in plain)
    train = statistics.median(m.result["seconds"] for m in ours)
    train_plain = statistics.median(m.result["seconds"] for m in plain)
    accuracy = (ours[-1].result["test_accuracy"], plain[-1].result["test_accuracy"])
    shape = f"{rows:,} × {PIXELS + 1} CSV, {size / 1e6:.0f} MB (written in {made:.1f} s)"
    return [
        Figure("7.scale-wall-ratio", "7. train an MNIST-shaped CSV: main.py train vs pandas + "
               "torch script, wall time", ratio, "x", goal=1.3, higher_is_better=False,
               reference=f"{shape}; script {wall_plain:.1f} s, NetCanvas {wall:.1f} s; of "
                         f"which the epoch: {train_plain:.1f} s and {train:.1f} s; test "
                         f"accuracy {accuracy[1]:.2f} and {accuracy[0]:.2f}"),
        Figure("7.scale-peak-memory", "7. peak memory of main.py train on the MNIST-shaped CSV",
               peak / GB, "GB", goal=2.0, higher_is_better=False,
               reference=f"the script: {peak_plain / GB:.2f} GB"),
    ]
