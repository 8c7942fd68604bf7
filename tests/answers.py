"""Exercises and the answers the grading tests hand in."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from nets import in_a_row, two_layer

import graph_engine as ge
from graph_engine.classroom import exercise as ex
from graph_engine.classroom import pool

SETTINGS = {"optimizer": "adam", "lr": 0.05, "epochs": 15, "seed": 0}


def solved() -> ge.Diagram:
    return two_layer(hidden=8)[0]


def linear_only() -> ge.Diagram:
    return in_a_row(("Input", {"features": 2}), ("Linear", {"out_features": 2}),
                 ("CrossEntropyLoss", {}))


CHECKS = [{"id": "valid", "kind": "valid", "points": 1},
          {"id": "acc", "kind": "test-accuracy", "min": 0.9, "points": 3},
          {"id": "relu", "kind": "uses-block", "type": "ReLU", "points": 1}]


def write_exercise(folder: Path) -> Path:
    path = folder / "exercise.json"
    path.write_text(json.dumps({
        "format": "netcanvas-exercise", "version": 1, "title": "XOR <b>&</b> friends",
        "dataset": {"name": "xor", "samples": 200},
        "training": {"optimizer": "adam", "lr": 0.05, "epochs": 15, "seed": 0},
        "checks": CHECKS}))
    return path


def time_bomb() -> ge.Diagram:
    """Valid and small enough to fit in memory, far too slow for the time limit."""
    wide = [("Linear", {"out_features": 2000}), ("ReLU", {})]
    return in_a_row(("Input", {"features": 2}), *wide * 3, ("Linear", {"out_features": 2}),
                 ("CrossEntropyLoss", {}))


def worker_failure(steps) -> dict:
    """What a worker sends when grading one file with ``steps`` fails (1 GB limit)."""
    parent, child = multiprocessing.Pipe()
    exercise = ex.loads(json.dumps({"format": "netcanvas-exercise", "version": 1, "title": "T",
                                    "dataset": "xor", "training": {}, "checks": CHECKS}))
    request = {"file": "f", "plot": False, "kernel": True}
    assert not pool._grade_one(child, steps, exercise, request, 1 << 30)
    return json.loads(parent.recv_bytes())


def insert_hidden(d: ge.Diagram, src: str, dst: str, units: int, activation: str) -> None:
    """Put Linear(units) and an activation on the wire from ``src`` to ``dst``."""
    d.disconnect(next(w for w in d.wires if (w.src, w.dst) == (src, dst)))
    hidden, act = d.add("Linear", out_features=units), d.add(activation)
    d.connect(src, hidden)
    d.connect(hidden, act)
    d.connect(act, dst)
