"""``python -m benchmarks.run`` (``make bench``): every figure, a table, JSON.

Each figure is a ratio or a time measured in this run beside its reference
(see docs/performance.md). The table goes to stdout; the same figures, with
the machine they were taken on, go to benchmarks/results.json and
benchmarks/results-<date>.json (both ignored by git).

    python -m benchmarks.run                 all figures (a few minutes)
    python -m benchmarks.run --only 2 6      figures 2 and 6
    python -m benchmarks.run --quick         tiny sizes, seconds (numbers meaningless)
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time

from graph_engine.core.files import write_atomic

from .common import Figure

FOLDER = os.path.dirname(os.path.abspath(__file__))


def groups(quick: bool) -> dict:
    """Figure number -> a function returning its figures, full or tiny."""
    from . import diagrams, editor, grading, gui_training, playground, scale, startup, training

    if quick:
        return {
            "1": lambda: [training.compiled_vs_hand_written(10, samples=40, rounds=2)],
            "2": lambda: [*training.headless_vs_eager(rounds=2, epochs=1, samples=40),
                          *playground.figures(rounds=1, epochs=200)],
            "3": lambda: gui_training.figures(seconds=0.3, rounds=1, samples=40, loads=("",)),
            "4": lambda: [*diagrams.figures(blocks=30, rounds=1),
                          *editor.editor_figures(blocks=30, rounds=1, moves=2)],
            "5": lambda: startup.figures(rounds=1),
            "6": lambda: [editor.boundary_figure(resolution=20, rounds=1)],
            "7": lambda: scale.figures(rows=300, rounds=1),
            "8": lambda: grading.figures(count=6, sample=1, quick=True),
        }
    return {
        "1": lambda: [training.compiled_vs_hand_written(10),
                      training.compiled_vs_hand_written(256, samples=5000)],
        "2": lambda: [*training.headless_vs_eager(), *training.kernel_load(),
                      *playground.figures()],
        "3": gui_training.figures,
        "4": lambda: [*diagrams.figures(), *editor.editor_figures()],
        "5": startup.figures,
        "6": lambda: [editor.boundary_figure()],
        "7": scale.figures,
        "8": grading.figures,
    }


def machine() -> dict:
    """What the figures were measured on."""
    import numpy
    import pyqtgraph
    import PySide6
    import torch
    from PySide6.QtCore import qVersion

    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "torch": torch.__version__,
            "pyside6": PySide6.__version__, "qt": qVersion(), "pyqtgraph": pyqtgraph.__version__,
            "numpy": numpy.__version__, "qt_platform": os.environ.get("QT_QPA_PLATFORM", ""),
            "load_average": _load()}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _load() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def run(selected: list[str], quick: bool = False, echo=print) -> list[Figure]:
    figures: list[Figure] = []
    for key, make in groups(quick).items():
        if selected and key not in selected:
            continue
        start = time.perf_counter()
        made = make()
        figures += made
        for figure in made:
            echo(row(figure))
        echo(f"    (figure {key}: {time.perf_counter() - start:.0f} s)")
    return figures


def row(f: Figure) -> str:
    mark = {True: "ok  ", False: "MISS", None: "    "}[f.met]
    goal = "" if f.goal is None else f"{'≥' if f.higher_is_better else '≤'} {f.goal:g}"
    return f"{mark} {f.key:30} {_value(f):>12} {goal:>9}  {f.title}\n" \
           f"{'':36}{'':>12}{'':>11}reference: {f.reference}"


def _value(f: Figure) -> str:
    if f.unit == "x":
        return f"{f.value:.2f}×"
    if f.unit in ("ms", "Hz", "s"):
        return f"{f.value:.1f} {f.unit}"
    return f"{f.value:.2f} {f.unit}"


def table(figures: list[Figure]) -> str:
    """A Markdown table, as docs/performance.md shows it."""
    lines = ["| figure | measured | goal | reference (same run) |", "|---|---|---|---|"]
    for f in figures:
        goal = "" if f.goal is None else f"{'≥' if f.higher_is_better else '≤'} {f.goal:g}"
        met = {True: "", False: " **(misses)**", None: ""}[f.met]
        lines.append(f"| {f.title} | {_value(f)}{met} | {goal} | {f.reference} |")
    return "\n".join(lines)


def save(figures: list[Figure], info: dict, quick: bool) -> list[str]:
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    data = {"taken": stamp, "quick": quick, "machine": info,
            "figures": [f.as_dict() for f in figures]}
    paths = [os.path.join(FOLDER, "results.json"), os.path.join(FOLDER, f"results-{stamp}.json")]
    for path in paths:
        write_atomic(path, json.dumps(data, indent=2))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run")
    parser.add_argument("--only", nargs="*", default=[], metavar="N",
                        help="figure numbers to run (1-7); default all")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes: checks the benchmarks run, numbers mean nothing")
    parser.add_argument("--no-save", action="store_true", help="do not write JSON")
    args = parser.parse_args(argv)
    info = machine()
    print(f"NetCanvas benchmarks on {info['cpu']} ({info['cores']} cores), Python "
          f"{info['python']}, torch {info['torch']}, Qt {info['qt']}; load {info['load_average']}")
    print("Every figure is measured beside its reference in this run; on a busy machine "
          "absolute times drift, ratios much less.\n")
    figures = run(args.only, args.quick)
    info["load_average_after"] = _load()
    print("\n" + table(figures))
    missed = [f.key for f in figures if f.met is False]
    print(f"\n{len(figures) - len(missed)} of {len(figures)} figures meet their goals"
          + (f"; missing: {', '.join(missed)}" if missed else "."))
    if not args.no_save:
        print("written: " + ", ".join(os.path.relpath(p) for p in save(figures, info, args.quick)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
