"""The command line run as a student or an autograder would (in this process, or as
a real ``python main.py``), and the small diagram its tests use."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

from nets import wire
from paths import ROOT

import graph_engine as ge
import main as entry


def run_cli(*args) -> subprocess.CompletedProcess:
    """``python main.py ARGS`` in this process: its exit status and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = entry.main([str(a) for a in args])
        except SystemExit as stop:  # argparse's way of refusing arguments
            code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def run_main_py(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def good_diagram() -> ge.Diagram:
    d = ge.Diagram()
    d.title = "circle classifier"
    wire(d, d.add("Input", features=2), d.add("Linear", out_features=6), d.add("ReLU"),
          d.add("Linear", out_features=2), d.add("CrossEntropyLoss"))
    d.dataset = {"name": "circle", "samples": 80}
    d.training = ge.TrainingSettings(epochs=2, lr=0.1)
    return d
