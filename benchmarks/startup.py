"""Start-up to the first window (figure 5).

``NETCANVAS_STARTUP_REPORT=1 python main.py`` starts the editor as a user
would and, once its window is exposed and painted, prints a JSON line (with
whether torch got imported) and quits. The figure is the time from starting
that process to reading the line. The reference, measured the same way in
the same run, is the least any PySide6 application needs: a bare
QApplication showing an empty QMainWindow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from .common import Figure, median
from .qt import scratch_environment

BARE_QT = """
import json
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1400, 880)
window.show()
while window.windowHandle() is None or not window.windowHandle().isExposed():
    app.processEvents()
window.repaint()
print(json.dumps({"window_shown": True, "torch_loaded": False}), flush=True)
"""


def _root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def time_to_window(command: list[str]) -> tuple[float, dict]:
    """Seconds from starting ``command`` to its JSON line, and the line."""
    env = {**os.environ, **scratch_environment(), "NETCANVAS_STARTUP_REPORT": "1"}
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env, cwd=_root())
    try:
        for line in process.stdout:
            if line.startswith("{"):
                return time.perf_counter() - start, json.loads(line)
        raise RuntimeError(f"{command} exited without showing its window")
    finally:
        process.stdout.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def figures(rounds: int = 5) -> list[Figure]:
    editor, bare, reports = [], [], []
    for _ in range(rounds):
        seconds, report = time_to_window([sys.executable, "main.py"])
        editor.append(seconds)
        reports.append(report)
        bare.append(time_to_window([sys.executable, "-c", BARE_QT])[0])
    with_torch = sum(bool(r.get("torch_loaded")) for r in reports)
    return [
        Figure("5.startup", "start-up to the first window (python main.py)",
               median(editor), "s", goal=2.5, higher_is_better=False,
               reference=f"a bare PySide6 window: {median(bare):.2f} s"),
        Figure("5.torch-at-startup", "start-ups that imported torch before the window",
               float(with_torch), "runs", goal=0, higher_is_better=False,
               reference=f"of {rounds}", note="torch loads in the training process only"),
    ]
