"""Training in the running editor (figure 3).

``python -m benchmarks.gui_training SECONDS`` opens the offscreen main
window in a process of its own (as light as the real editor: no torch), loads
the Playground diagram, presses play and, once training runs, measures for
SECONDS: epochs per second (from the controller's state), the worst lateness
of a 10 ms QTimer (how long the event loop was blocked), and how often the
curves and the output plot were redrawn. It then pauses and measures the same
timer for a second with the window idle: the machine's own scheduling noise,
the reference for the lateness. It prints one JSON object.

:func:`figures` runs that process between two headless measurements of the
same network in this process (Trainer.run_epoch, as ``python main.py train``
runs it) and reports the ratio.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time

from .common import Figure, median
from .networks import playground_diagram
from .qt import application, close, main_window, scratch_environment, wait


class Lateness:
    """A 10 ms timer; how late each tick came, in ms."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.values: list[int] = []
        self.clock, self.timer = QElapsedTimer(), QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(lambda: self.values.append(self.clock.restart() - 10))

    def __enter__(self):
        self.clock.start()
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()


def measure(seconds: float, samples: int = 500) -> dict:
    """In the editor process: train for ``seconds`` and report."""
    from gui.training import cores

    cores.reserve()  # as gui.app.main does before its application
    app = application()
    window = main_window(app)
    gc.freeze()  # as gui.app.main does once the window is up
    ui = window.training
    controller = ui.controller
    window.document.replace(playground_diagram(samples, epochs=1_000_000))
    controller.process.start()
    ui.toolbar.play.trigger()
    wait(app, 120, until=lambda: controller.state.epoch > 0)
    wait(app, min(1.0, seconds))  # past the first frames
    redraws, outputs = [0], [0]
    controller.progressed.connect(lambda: redraws.__setitem__(0, redraws[0] + 1))
    show_output = ui.output.show_output

    def counted(result):
        outputs[0] += 1
        show_output(result)
    ui.output.show_output = counted
    cpu, epoch, start = time.process_time(), controller.state.epoch, time.perf_counter()
    with Lateness() as busy:
        wait(app, seconds)
    elapsed = time.perf_counter() - start
    epochs = controller.state.epoch - epoch
    cpu = (time.process_time() - cpu) / elapsed
    controller.pause()
    wait(app, 0.3)
    with Lateness() as idle:
        wait(app, min(1.0, seconds))
    result = {"epochs_per_s": epochs / elapsed, "seconds": elapsed,
              "worst_lateness_ms": max(busy.values, default=0),
              "idle_worst_lateness_ms": max(idle.values, default=0),
              "redraw_hz": redraws[0] / elapsed, "output_hz": outputs[0] / elapsed,
              "editor_cpu_share": cpu, "ticks": len(busy.values),
              "torch_in_editor": "torch" in sys.modules}
    close(window)
    return result


def run_editor(seconds: float, samples: int = 500) -> dict:
    """:func:`measure` in a fresh process; its JSON result."""
    env = {**os.environ, **scratch_environment()}
    out = subprocess.run([sys.executable, "-m", "benchmarks.gui_training", str(seconds),
                          str(samples)], capture_output=True, text=True, env=env,
                         timeout=180 + seconds, cwd=_root())
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"the editor benchmark failed: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def _root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class CompetingLoad:
    """A busy process on the other core while the block runs: a classroom laptop
    is never idle (a browser, a video call, an indexer)."""

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.2)  # let it reach full speed
        return self

    def __exit__(self, *exc) -> None:
        self.process.kill()
        self.process.wait()


def figures(seconds: float = 4.0, rounds: int = 2, samples: int = 500) -> list[Figure]:
    """Quiet, then with a competing load; the same figures for both."""
    quiet = _figures(seconds, rounds, samples, "")
    with CompetingLoad():
        loaded = _figures(seconds, rounds, samples, "-loaded")
    return quiet + loaded


def _figures(seconds: float, rounds: int, samples: int, suffix: str) -> list[Figure]:
    from .training import headless_epochs_per_second

    runs, ratios = [], []
    for _ in range(rounds):
        before = headless_epochs_per_second(seconds / 2, samples)
        run = run_editor(seconds, samples)
        after = headless_epochs_per_second(seconds / 2, samples)
        run["headless_epochs_per_s"] = (before + after) / 2
        runs.append(run)
        ratios.append(run["epochs_per_s"] / run["headless_epochs_per_s"])
    load = ", a busy process on the other core" if suffix else ""
    worst = max(r["worst_lateness_ms"] for r in runs)
    idle = max(r["idle_worst_lateness_ms"] for r in runs)
    redraw = min(r["redraw_hz"] for r in runs)
    output = min(r["output_hz"] for r in runs)
    gui = median([r["epochs_per_s"] for r in runs])
    headless = median([r["headless_epochs_per_s"] for r in runs])
    return [
        Figure(f"3.gui-vs-headless{suffix}", "training in the running editor vs headless"
               + (" (loaded)" if suffix else ""),
               median(ratios), "x", goal=0.8,
               reference=f"editor {gui:.0f} epochs/s, headless {headless:.0f} epochs/s "
                         f"(Playground default)",
               note="offscreen main window, loss curves and output boundary updating" + load),
        Figure(f"3.event-loop-blocked{suffix}", "longest the editor's event loop was blocked "
               "while training" + (" (loaded)" if suffix else ""), float(worst), "ms", goal=50,
               higher_is_better=False,
               reference=f"the same timer with the window idle: {idle} ms (machine noise)",
               note="worst lateness of a 10 ms QTimer" + load),
        Figure(f"3.redraw-rate{suffix}", "plot redraws while training"
               + (" (loaded)" if suffix else ""), redraw, "Hz", goal=10,
               reference=f"output boundary redrawn at {output:.1f} Hz; the editor process "
                         f"used {100 * max(r['editor_cpu_share'] for r in runs):.0f} % of a core",
               note="controller.progressed: curves and output plot updated" + load),
    ]


if __name__ == "__main__":
    print(json.dumps(measure(float(sys.argv[1]), int(sys.argv[2]))), flush=True)
