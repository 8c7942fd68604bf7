"""One real drag and drop, under Xvfb with the X server's own mouse.

Offscreen, a QDrag returns at once and drops nothing, so the other GUI tests
send the drag events themselves. This test proves the real thing works: it
starts Xvfb, runs tests/gui/drivers/real_drag.py there, and reads the result.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from paths import DRIVERS, ROOT

from tools.xvfb import available, display

needs_x = pytest.mark.skipif(not available(),
                             reason="Xvfb and xdotool are not installed (.ci/run installs them)")


@pytest.fixture
def xvfb():
    with display() as name:
        yield name


@pytest.mark.xvfb
@needs_x
def test_a_real_drag_from_the_palette_drops_a_block(xvfb, tmp_path):
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb",
           "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(tmp_path)}
    driver = DRIVERS / "real_drag.py"
    result = subprocess.run([sys.executable, str(driver)],
                            env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stderr[-2000:]
    assert lines and lines[-1] == "Linear", (result.stdout, result.stderr[-2000:])
