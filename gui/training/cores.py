"""A core of its own for the training process.

On a machine with other work running (a classroom laptop is never idle), the
kernel tends to run the editor on the core where the training process runs:
the process wakes the editor each time it sends results, and a task that is
woken is placed beside the one that woke it. The editor's drawing then comes
out of training's time. Measured with a busy process running beside the
editor, training kept 0.81 of a core (0.75× its headless speed); with a core
of its own, 0.96 (0.93×).

So the editor, when it starts, leaves its last core to the training process
and starts that process there (``python -m graph_engine.server --core N``).
Linux only, and only with two cores or more; elsewhere nothing changes.
Tests that build a window themselves do not call :func:`reserve`, so they
run as before.
"""

from __future__ import annotations

import os

_reserved: int | None = None  # the training process's core, once reserved


def reserve() -> int | None:
    """Move this process off its last allowed core and keep that core for the
    training process; call it before any thread starts (threads inherit the
    cores of the thread that starts them). The core, or None when there is no
    core to spare."""
    global _reserved
    if _reserved is not None or not hasattr(os, "sched_setaffinity"):
        return _reserved
    try:
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < 2:
            return None
        os.sched_setaffinity(0, cores[:-1])
    except OSError:  # a container or policy that forbids it: run as before
        return None
    _reserved = cores[-1]
    return _reserved


def server_arguments() -> list[str]:
    """The training process's command-line arguments for its core."""
    return [] if _reserved is None else ["--core", str(_reserved)]
