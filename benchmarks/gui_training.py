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


EXAMPLE = "xor"  # the paced figure: the first lesson's example at its own pace


def measure_paced(seconds: float, neurons: bool) -> dict:
    """In the editor process: the first lesson's example at its own pace (with the
    Neuron View on, as the lesson shows it, if ``neurons``): how often the output
    boundary image changed, and the event loop's worst lateness."""
    from gui.training import cores

    cores.reserve()
    app = application()
    window = main_window(app)
    gc.freeze()
    ui, controller = window.training, window.training.controller
    window.files.open_path(os.path.join(_root(), "resources", "examples", f"{EXAMPLE}.json"),
                           ask=False)
    window.neuron_view.action.setChecked(neurons)
    controller.process.start()
    ui.toolbar.play.trigger()
    wait(app, 120, until=lambda: controller.state.batch > 0 or controller.state.epoch > 0)
    images = [0]
    ui.output.image.sigImageChanged.connect(lambda: images.__setitem__(0, images[0] + 1))

    def steps() -> int:
        state = controller.state
        return state.epoch * max(state.batches, 1) + state.batch
    start, cpu, first = time.perf_counter(), time.process_time(), steps()
    with Lateness() as busy:
        wait(app, seconds)
    elapsed = time.perf_counter() - start
    result = {"frames_per_s": images[0] / elapsed, "seconds": elapsed,
              "steps_per_s": (steps() - first) / elapsed,
              "worst_lateness_ms": max(busy.values, default=0),
              "editor_cpu_share": (time.process_time() - cpu) / elapsed,
              "pace": window.document.diagram.training.to_dict()["pace"]}
    close(window)
    return result


def run_editor(seconds: float, samples: int = 500, mode: str = "fast") -> dict:
    """:func:`measure` (``mode`` "fast"), or :func:`measure_paced` ("paced", "paced-
    neurons"), in a fresh process; its JSON result."""
    env = {**os.environ, **scratch_environment()}
    out = subprocess.run([sys.executable, "-m", "benchmarks.gui_training", str(seconds),
                          str(samples), mode], capture_output=True, text=True, env=env,
                         timeout=180 + seconds, cwd=_root())
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"the editor benchmark failed: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def _root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class CompetingLoad:
    """Busy processes beside the block: a classroom laptop is never idle (a browser,
    a video call, an indexer). One leaves a core to share; two keep both busy."""

    def __init__(self, processes: int = 1) -> None:
        self.count = processes

    def __enter__(self):
        self.processes = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                          for _ in range(self.count)]
        time.sleep(0.2)  # let them reach full speed
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            process.kill()
            process.wait()


LOADS = {"": 0, "-loaded": 1, "-both-cores": 2}  # figure suffix -> busy processes


def figures(seconds: float = 4.0, rounds: int = 2, samples: int = 500,
            loads: tuple[str, ...] = tuple(LOADS)) -> list[Figure]:
    """Quiet, with a busy process, and with work on both cores (``loads``: their
    suffixes); the same figures for each, and the frames a set pace draws."""
    found = []
    for suffix in loads:
        processes = LOADS[suffix]
        with CompetingLoad(processes):
            found += _figures(seconds, rounds, samples, suffix)
            found += paced_figures(seconds, suffix)
    return found


def paced_figures(seconds: float, suffix: str) -> list[Figure]:
    """Frames a second of the output boundary at the first lesson's own pace."""
    found = []
    for mode in ("paced", "paced-neurons"):
        run = run_editor(seconds, mode=mode)
        view = " with the Neuron View" if mode == "paced-neurons" else ""
        found.append(Figure(
            f"3.{mode}-frames{suffix}", f"frames at a set pace ({EXAMPLE}{view})"
            + _load_words(suffix), run["frames_per_s"], "Hz", goal=20,
            reference=f"worst event-loop block {run['worst_lateness_ms']} ms; the editor "
                      f"used {100 * run['editor_cpu_share']:.0f} % of a core",
            note="output boundary image changes a second, the example's own pace"))
    return found


def _load_words(suffix: str) -> str:
    return {"": "", "-loaded": " (loaded)", "-both-cores": " (both cores busy)"}[suffix]


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
    load = {"": "", "-loaded": ", a busy process beside it",
            "-both-cores": ", two busy processes: work on both cores"}[suffix]
    worst = max(r["worst_lateness_ms"] for r in runs)
    idle = max(r["idle_worst_lateness_ms"] for r in runs)
    redraw = min(r["redraw_hz"] for r in runs)
    output = min(r["output_hz"] for r in runs)
    gui = median([r["epochs_per_s"] for r in runs])
    headless = median([r["headless_epochs_per_s"] for r in runs])
    return [
        Figure(f"3.gui-vs-headless{suffix}", "training in the running editor vs headless"
               + _load_words(suffix),
               median(ratios), "x", goal=0.8,
               reference=f"editor {gui:.0f} epochs/s, headless {headless:.0f} epochs/s "
                         f"(Playground default)",
               note="offscreen main window, loss curves and output boundary updating" + load),
        Figure(f"3.event-loop-blocked{suffix}", "longest the editor's event loop was blocked "
               "while training" + _load_words(suffix), float(worst), "ms", goal=50,
               higher_is_better=False,
               reference=f"the same timer with the window idle: {idle} ms (machine noise)",
               note="worst lateness of a 10 ms QTimer" + load),
        Figure(f"3.redraw-rate{suffix}", "plot redraws while training"
               + _load_words(suffix), redraw, "Hz", goal=10,
               reference=f"output boundary redrawn at {output:.1f} Hz; the editor process "
                         f"used {100 * max(r['editor_cpu_share'] for r in runs):.0f} % of a core",
               note="controller.progressed: curves and output plot updated" + load),
    ]


if __name__ == "__main__":
    mode = sys.argv[3] if len(sys.argv) > 3 else "fast"
    found = measure(float(sys.argv[1]), int(sys.argv[2])) if mode == "fast" else \
        measure_paced(float(sys.argv[1]), neurons=mode == "paced-neurons")
    print(json.dumps(found), flush=True)
