"""A virtual X server for what needs a real window: ``with display() as name: ...``.

Offscreen Qt has no window system: a real mouse (xdotool) and the X server's own
pixels need Xvfb. The screenshots of drawing points (tools/make_screenshots.py) and
the tests of a real drag and of drawing (tests/gui/canvas/test_real_drag.py and
tests/gui/plots/test_real_drawing.py) start one here.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

SCREEN = "1400x900x24"


def available() -> bool:
    return bool(shutil.which("Xvfb") and shutil.which("xdotool"))


def free_display() -> int:
    for number in range(90, 140):
        if not Path(f"/tmp/.X{number}-lock").exists() and \
                not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number")


@contextlib.contextmanager
def display() -> Iterator[str]:
    """An Xvfb server for the block's duration; its display name (":91")."""
    number = free_display()
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", SCREEN, "-nolisten",
                               "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                break
            time.sleep(0.05)
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(5)
