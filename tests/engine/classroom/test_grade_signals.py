"""``grade`` ends cleanly when told to: SIGTERM (a CI job cancelled) and SIGHUP
(its terminal closed) stop it as Ctrl-C does. Every worker and the resource
tracker end with it, no partial report is written, and the exit status is
128 + the signal's number. A worker whose grader is killed outright (SIGKILL,
which nothing can handle) ends by itself rather than train on with no time
limit. These tests start a real ``python main.py grade``: the process
boundary is what they test.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from answers import time_bomb
from paths import ROOT

import graph_engine as ge


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie no one has reaped yet has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def grading(tmp_path):
    """``grade`` at work on two time bombs, two workers training with no end in sight."""
    (tmp_path / "exercise.json").write_text(json.dumps({
        "format": "netcanvas-exercise", "version": 1, "title": "Long",
        "dataset": {"name": "xor", "samples": 200},
        "training": {"epochs": 100000}, "checks": [{"id": "acc", "kind": "test-accuracy",
                                                    "min": 0.9}]}))
    for name in ("a", "b"):
        ge.save(time_bomb(), tmp_path / f"{name}.json")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "grade", "exercise.json", "a.json", "b.json",
         "--jobs", "2", "--timeout", "600", "--csv", "out.csv", "--html", "out.html"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)  # a group of its own: a failed test ends every orphan
    yield process, tmp_path
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()  # and close the pipes


def workers_training(process) -> list[int]:
    """The two workers, once both have been busy for a while (torch imported,
    training under way); the resource tracker is the third child."""
    def busy() -> bool:
        found = [p for p in children(process.pid) if alive(p)]
        return len(found) >= 3 and sum(cpu_seconds(p) > 4 for p in found) >= 2
    wait_for(busy, 180, "two workers training")
    return sorted(children(process.pid))


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_ends_grading_its_workers_and_writes_nothing(grading, signum, status):
    process, folder = grading
    spawned = workers_training(process)
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert process.returncode == status, err
    assert f"stopped by {signal.Signals(signum).name}; no report was written" in err
    assert "Traceback" not in err
    wait_for(lambda: not any(alive(p) for p in spawned), 10, "every child to end")
    assert not (folder / "out.csv").exists() and not (folder / "out.html").exists()


def test_workers_of_a_killed_grader_end_by_themselves(grading):
    process, _ = grading
    spawned = workers_training(process)
    process.kill()  # SIGKILL: the grader cannot end them itself
    process.wait()
    wait_for(lambda: not any(alive(p) for p in spawned), 10, "the orphaned workers to end")
