"""Drawing points in a real window, under Xvfb with the X server's own mouse.

The lesson of docs/guide.md, done as a teacher does it: open the XOR example, train
it, click Draw points, the class 1 button and three points in an orange corner where
the network is wrong, press Play. tests/gui/drivers/draw_points.py does it with
xdotool and reports; each click must be one undo step, and the boundary must bend to
the points (the class-1 probability the Output plot shows there rises past one half),
and the Ask row, typed into, answers class 1 there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from paths import DRIVERS, ROOT

from tools import xvfb


@pytest.mark.xvfb
@pytest.mark.skipif(not xvfb.available(), reason="Xvfb and xdotool are not installed "
                    "(.ci/run installs them)")
def test_three_points_drawn_with_the_mouse_bend_the_boundary(tmp_path):
    with xvfb.display() as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
               "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(tmp_path)}
        driver = DRIVERS / "draw_points.py"
        result = subprocess.run([sys.executable, str(driver), str(tmp_path), "--fast",
                                 "--lr", "0.1", "--samples", "200"], env=env,
                                capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["steps"] == ["Draw 1 point on xor's points", "Draw 1 point", "Draw 1 point",
                               "Set lr to 0.1"]
    assert report["dataset"] == "points" and report["points"] == 203
    assert [p[2] for p in report["drawn"]] == [1, 1, 1]
    # the boundary bends over the drawn points: at least two of the three change side
    # (the third has been seen on either side from one run to the next)
    assert max(report["before"]) < 0.3 and sorted(report["after"])[1] > 0.5, report
    assert report["answer"].startswith("class 1: ") and report["answer"].endswith("(epoch 24)")
    assert (tmp_path / "draw-points-bent.png").stat().st_size > 10_000
