"""Grading a class (figure 8): ``python main.py grade`` on 200 generated student
files for the shipped XOR exercise, against the shell loop a teacher would
write without it, ``python main.py train FILE --epochs 100 ...`` once per file.

The files are a seeded mix: correct answers (hidden layers of many widths and
activations), wrong ones (no hidden layer, no activation, a changed locked
block, a Softmax before the loss, one hidden unit), broken ones (not JSON,
truncated, errors in the diagram) and hostile ones (time bombs, memory bombs
that pass validation, networks validation refuses as too large, a 40 MB file,
deeply nested JSON). Both sides run as a teacher runs them, as processes, and
are timed on the wall clock from start to exit. The loop is measured on an
evenly spaced sample of the files (each run under ``timeout 60``, grade's
default limit) and extrapolated to all of them. The memory figure is
the largest sum of the resident memory of ``grade`` and all its workers,
sampled every 50 ms. The loop's sample runs in two halves, one before each
grade run, so that the load of a busy machine falls on both sides alike.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from itertools import pairwise

import graph_engine as ge
from graph_engine.classroom import exercise as ex
from graph_engine.classroom.network import network_key
from graph_engine.model import fileio

from .common import Figure

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXERCISE = os.path.join(ROOT, "resources", "exercises", "xor-hidden-layer.json")
TIMEOUT = 10.0  # seconds per file grade allows (--timeout)
# The loop runs each file under `timeout 60` (grade's default limit): a plain run takes
# 5-10 s on a loaded machine, so a shorter limit would cut good files short.
LOOP_TIMEOUT = 60.0
MEMORY_MB = 1024  # per worker: two workers stay well under 4 GB
WIDTHS = (3, 4, 6, 8, 12, 16, 24, 32)
ACTIVATIONS = ("ReLU", "Tanh", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus")
# How many files of each kind, out of 200 (scaled for other counts).
MIX = {"correct": 118, "wrong": 50, "broken": 21, "hostile": 11}


# ------------------------------------------------------------------ the files

def _answer(exercise: ex.Exercise, width: int, activation: str | None) -> ge.Diagram:
    """The start diagram with Linear(width) and ``activation`` (None: none) inserted."""
    d = fileio.loads(fileio.dumps(exercise.start))  # type: ignore[arg-type]
    d.disconnect(next(w for w in d.wires if w.src == "xor-input"))
    ids = ["xor-input", d.add("Linear", out_features=width)]
    if activation is not None:
        ids.append(d.add(activation))
    for src, dst in pairwise([*ids, "linear1"]):
        d.connect(src, dst)
    return d


def _wide(exercise: ex.Exercise, layers: int, width: int) -> ge.Diagram:
    d = fileio.loads(fileio.dumps(exercise.start))  # type: ignore[arg-type]
    d.disconnect(next(w for w in d.wires if w.src == "xor-input"))
    ids = ["xor-input"]
    for _ in range(layers):
        ids += [d.add("Linear", out_features=width), d.add("ReLU")]
    for src, dst in pairwise([*ids, "linear1"]):
        d.connect(src, dst)
    return d


def _wrong(exercise: ex.Exercise, rng: random.Random) -> ge.Diagram:
    kind = rng.choice(("start", "start", "identity", "one-unit", "locked", "softmax"))
    if kind == "start":
        return fileio.loads(fileio.dumps(exercise.start))  # type: ignore[arg-type]
    if kind == "identity":
        return _answer(exercise, rng.choice(WIDTHS), "Identity")
    if kind == "one-unit":
        return _answer(exercise, 1, "ReLU")
    d = _answer(exercise, rng.choice(WIDTHS), rng.choice(ACTIVATIONS))
    if kind == "locked":
        d.set_params("xor-loss", label_smoothing=0.2)
        return d
    d.disconnect(next(w for w in d.wires if w.dst == "xor-loss"))
    softmax = d.add("Softmax", dim=1)
    d.connect("linear1", softmax)
    d.connect(softmax, "xor-loss")
    return d


def _broken(exercise: ex.Exercise, rng: random.Random, path: str) -> None:
    kind = rng.choice(("truncated", "format", "unwired", "unwired", "type", "features"))
    d = _answer(exercise, rng.choice(WIDTHS), rng.choice(ACTIVATIONS))
    text = fileio.dumps(d)
    if kind == "truncated":
        text = text[: len(text) // 2]
    elif kind == "format":
        text = text.replace('"netcanvas-diagram"', '"my-diagram"')
    elif kind == "type":
        text = text.replace('"type": "Linear"', '"type": "Dense"', 1)
    elif kind == "features":
        d.set_params("xor-input", features=3)
        text = fileio.dumps(d)
    else:
        d.add("Linear", out_features=4)  # wired to nothing: an error
        text = fileio.dumps(d)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _hostile(exercise: ex.Exercise, index: int, path: str) -> str:
    kind = ("time-bomb", "memory-bomb", "too-large", "garbage", "huge-file", "nested",
            "memory-bomb", "time-bomb", "too-large", "garbage", "memory-bomb")[index % 11]
    if kind == "time-bomb":  # fits in memory, far too slow for the time limit
        ge.save(_wide(exercise, 3, 2000), path)
    elif kind == "memory-bomb":  # passes validation (< 4 GB), not the worker's limit
        ge.save(_wide(exercise, 8, 4096), path)
    elif kind == "too-large":  # validation refuses it before anything is allocated
        ge.save(_wide(exercise, 20, 4096), path)
    elif kind == "huge-file":
        with open(path, "w", encoding="ascii") as f:
            f.write('{"format": "netcanvas-diagram", "pad": "' + "x" * (40 << 20) + '"}')
    elif kind == "nested":
        with open(path, "w", encoding="ascii") as f:
            f.write("[" * 100_000 + "]" * 100_000)
    else:
        with open(path, "wb") as f:
            f.write(bytes(random.Random(index).randrange(256) for _ in range(5000)))
    return kind


def make_class(folder: str, count: int = 200, seed: int = 0) -> dict[str, str]:
    """Write ``count`` student files into ``folder``; return file name -> kind."""
    exercise = ex.load(EXERCISE)
    rng = random.Random(seed)
    kinds = [k for k, n in MIX.items() for _ in range(round(n * count / 200))]
    kinds = (kinds + ["correct"] * count)[:count]
    rng.shuffle(kinds)
    made: dict[str, str] = {}
    hostile = 0
    for i, kind in enumerate(kinds):
        name = f"student-{i:03d}.json"
        path = os.path.join(folder, name)
        if kind == "correct":
            ge.save(_answer(exercise, rng.choice(WIDTHS), rng.choice(ACTIVATIONS)), path)
        elif kind == "wrong":
            ge.save(_wrong(exercise, rng), path)
        elif kind == "broken":
            _broken(exercise, rng, path)
        else:
            kind = f"hostile:{_hostile(exercise, hostile, path)}"
            hostile += 1
        made[name] = kind
    return made


# ------------------------------------------------------------------ measuring

class MemorySampler:
    """The largest total resident memory of a process and its descendants."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and every process below it (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        parents[int(entry)] = int(fields.get("PPid", "0").strip() or 0)
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


def run_grade(exercise: str, folder: str, jobs: int, *more: str) -> tuple[float, int, dict]:
    """Seconds, peak memory (bytes) and the JSON of ``python main.py grade``."""
    command = [sys.executable, os.path.join(ROOT, "main.py"), "grade", exercise, folder,
               "--jobs", str(jobs), "--timeout", f"{TIMEOUT:g}", "--memory", str(MEMORY_MB),
               "--json", *more]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               cwd=ROOT, text=True)
    sampler = MemorySampler(process.pid)
    out, _ = process.communicate()
    seconds = time.perf_counter() - start
    peak = sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"grade exited {process.returncode}")
    return seconds, peak, json.loads(out)


def run_loop(files: list[str], epochs: int) -> list[float]:
    """Seconds of ``timeout S python main.py train FILE ...`` for each file."""
    times = []
    for path in files:
        command = [sys.executable, os.path.join(ROOT, "main.py"), "train", path, "--dataset",
                   "xor", "--epochs", str(epochs), "--optimizer", "adam", "--lr", "0.01",
                   "--batch-size", "10", "--seed", "0", "--json"]
        start = time.perf_counter()
        try:
            subprocess.run(command, capture_output=True, cwd=ROOT, timeout=LOOP_TIMEOUT,
                           check=False)
        except subprocess.TimeoutExpired:
            pass  # as `timeout 60 python main.py train ...` would: the file took it all
        times.append(time.perf_counter() - start)
    return times


def _quick_exercise(folder: str, epochs: int) -> str:
    """A copy of the XOR exercise training ``epochs`` epochs (for --quick)."""
    exercise = ex.load(EXERCISE)
    copy = ex.Exercise(exercise.title, exercise.dataset,
                       exercise.training.with_(epochs=epochs), exercise.checks,
                       exercise.task, exercise.start, exercise.locked)
    path = os.path.join(folder, "exercise.json")
    ex.save(copy, path)
    return path


def figures(count: int = 200, sample: int = 10, quick: bool = False) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="netcanvas-class-") as tmp:
        students = os.path.join(tmp, "students")
        os.mkdir(students)
        kinds = make_class(students, count)
        distinct = distinct_networks(students)
        epochs = 5 if quick else ex.load(EXERCISE).training.epochs
        exercise = _quick_exercise(tmp, epochs) if quick else EXERCISE
        names = sorted(kinds)
        picked = [names[i * len(names) // sample] for i in range(sample)]
        # the loop's sample in two halves, each beside a grade run, so that a change
        # in the machine's load during the benchmark falls on both sides alike
        half = len(picked) // 2 or 1
        loop = run_loop([os.path.join(students, n) for n in picked[:half]], epochs)
        runs = {2: run_grade(exercise, students, 2)}
        loop += run_loop([os.path.join(students, n) for n in picked[half:]], epochs)
        runs[1] = run_grade(exercise, students, 1)
        feedback = os.path.join(tmp, "feedback")
        with_feedback = run_grade(exercise, students, 2, "--feedback", feedback)
        extra = flags_and_feedback(exercise, students, feedback)
    loop_total = sum(loop) / len(loop) * count
    return [*_report(count, kinds, picked, loop, loop_total, runs, distinct),
            *_extra_figures(runs[2][0], with_feedback[0], extra)]


def flags_and_feedback(exercise_path: str, folder: str, out: str) -> tuple[float, float]:
    """Seconds this process takes for the flags (each file read and fingerprinted,
    its own flags, the copies among all) and for writing every feedback file
    again, beside the grading they come with."""
    from graph_engine.classroom import flags
    from graph_engine.classroom.feedback import Feedback
    from graph_engine.classroom.grader import prepare
    from graph_engine.classroom.grading import FileResult, _read_with_digest, start_network
    from graph_engine.classroom.reports import file_name
    from graph_engine.model.fileio import read_file

    grading = prepare(exercise_path, [folder], 1, 60.0, 1024)
    start = time.perf_counter()
    results, network = [], start_network(grading.exercise)
    for path in grading.files:
        result = FileResult(path, grading.exercise.max_score)
        try:
            diagram, result.digest = read_file(path, _read_with_digest)
        except ge.DiagramFileError:
            results.append(result)
            continue
        result.flags = flags.own_flags(grading.exercise, diagram, network)
        result.network = flags.fingerprint(diagram)
        results.append(result)
    flags.find_copies(results, network, file_name)
    flagged = time.perf_counter() - start
    start = time.perf_counter()
    Feedback(out, grading).write(results)
    return flagged, time.perf_counter() - start


def _extra_figures(plain: float, with_feedback: float, extra: tuple[float, float]) -> list:
    flagged, written = extra
    return [
        Figure("8.flags-feedback-share", "8. flags and feedback, share of grade --jobs 2",
               (flagged + written) / plain * 100, "%", goal=10.0, higher_is_better=False,
               reference=f"grade --jobs 2 {plain:.1f} s; in this process: the flags "
               f"{flagged * 1000:.0f} ms, the feedback files {written * 1000:.0f} ms",
               note=f"grade --jobs 2 --feedback DIR took {with_feedback:.1f} s "
               f"({(with_feedback / plain - 1) * 100:+.1f} % on the wall clock)"),
    ]


def distinct_networks(folder: str) -> tuple[int, int]:
    """(readable files, distinct networks among them): a worker trains each network once."""
    keys = []
    for name in sorted(os.listdir(folder)):
        try:
            keys.append(network_key(ge.load(os.path.join(folder, name)), False))
        except ge.DiagramFileError:
            continue
    return len(keys), len(set(keys))


def _report(count, kinds, picked, loop, loop_total, runs, distinct) -> list[Figure]:
    sampled = ", ".join(sorted({kinds[n].split(":")[0] for n in picked}))
    reference = (f"a shell loop of `python main.py train` (100 epochs, "
                 f"`timeout {LOOP_TIMEOUT:g}`): "
                 f"{count / loop_total:.3f} files/s, measured on {len(picked)} of the files "
                 f"({sampled}), {sum(loop) / len(loop):.2f} s each, extrapolated to {count}")
    found = []
    for jobs in (2, 1):
        seconds, peak, document = runs[jobs]
        rows = len(document["results"])
        found += [
            Figure(f"8.grade-jobs-{jobs}", f"8. grade {count} XOR files, --jobs {jobs} "
                   f"--timeout {TIMEOUT:g}, vs the shell loop", loop_total / seconds, "x",
                   goal=10.0 if jobs == 2 else None, reference=reference,
                   note=f"{count / seconds:.2f} files/s, {seconds:.1f} s; {distinct[0]} "
                   f"readable files hold {distinct[1]} distinct networks"),
            Figure(f"8.rows-jobs-{jobs}", f"8. files with a row, --jobs {jobs}", rows, "rows",
                   goal=float(count), reference=f"of {count} files ({_mix(kinds)})"),
        ]
    seconds, peak, _ = runs[2]
    found.append(Figure("8.grade-memory", "8. peak memory of grade --jobs 2, all processes",
                        peak / (1 << 30), "GB", goal=4.0, higher_is_better=False,
                        reference=f"per worker limit {MEMORY_MB} MB (RLIMIT_AS)"))
    found.append(Figure("8.grade-rate", "8. files graded per second, --jobs 2",
                        count / seconds, "files/s",
                        reference=f"--jobs 1: {count / runs[1][0]:.2f} files/s"))
    return found


def _mix(kinds: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for kind in kinds.values():
        counts[kind.split(":")[0]] = counts.get(kind.split(":")[0], 0) + 1
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
