"""Loading the whole-epoch kernel without making anyone wait for its compiler.

numba compiles the kernel once per machine (and again after the kernel or
numba changes): about ten seconds. It keeps the machine code in its on-disk
cache, beside the kernel's source, or in the user's cache folder when that is
read-only (``NUMBA_CACHE_DIR`` chooses another), and a later process loads it
in a fraction of a second. A background thread, started by the first Trainer
that could use the kernel, does that load. When the cache has nothing usable,
the thread starts a helper process (``python -m
graph_engine.training.kernel.loading``, at low priority) that compiles the
kernel into the cache, and loads it from there once the helper is done. The
helper outlives a short-lived parent, so the next run finds the kernel ready.

A run asks :func:`settle` which path to take, once, before its first epoch:
the kernel when it is loaded or being loaded from the cache (waiting for what
is left of that load, begun while the run was being prepared), the fast path
when it must first be compiled or cannot be. What a run computes then depends
on what this machine has in its cache when the run starts, never on how fast
the load went. When numba is missing or fails, the kernel stays unavailable
for the life of the process and the reason goes to the debug log.
"""

from __future__ import annotations

import enum
import logging
import os
import subprocess
import sys
import threading
from types import ModuleType

log = logging.getLogger(__name__)

COMPILE_SECONDS = 600.0  # the helper's limit (a first compile takes about 10 s)


class State(enum.Enum):
    IDLE = "idle"  # not asked for yet
    LOADING = "loading"  # importing numba, loading the machine code from the cache
    COMPILING = "compiling"  # not in the cache: a helper process compiles it
    READY = "ready"
    UNAVAILABLE = "unavailable"  # numba missing or failing: the fast path for good


_changed = threading.Condition()
_state = State.IDLE
_kernel: ModuleType | None = None


def start(compile_missing: bool = True) -> None:
    """Begin loading the kernel in the background, once per process;
    ``compile_missing``: compile it (in a helper process) if the cache has
    nothing usable, else leave it unavailable (a grading worker, whose grader
    compiles)."""
    global _state
    with _changed:
        if _state is not State.IDLE:
            return
        _state = State.LOADING
    threading.Thread(target=_load, args=(compile_missing,), name="netcanvas-kernel",
                     daemon=True).start()


def state() -> State:
    return _state


def kernel() -> ModuleType | None:
    """The compiled kernel module, or None while it loads or if it cannot."""
    return _kernel if _state is State.READY else None


def settle(timeout: float | None = None) -> ModuleType | None:
    """The kernel for a run about to start: once loaded (waiting up to
    ``timeout`` seconds for a load from the cache), or None if it must first
    be compiled or cannot be. Starts loading if nothing did."""
    start()
    return _until(lambda: _state is not State.LOADING, timeout)


def wait(timeout: float | None = None) -> ModuleType | None:
    """The kernel, waiting up to ``timeout`` seconds for it to be loaded, or
    compiled first if it must be (the tests and the benchmarks, which measure
    the kernel, not its compilation)."""
    start()
    return _until(lambda: _state in (State.READY, State.UNAVAILABLE), timeout)


def _until(done, timeout: float | None) -> ModuleType | None:
    with _changed:
        _changed.wait_for(done, timeout)
    return kernel()


def _become(state: State, module: ModuleType | None = None) -> None:
    global _state, _kernel
    with _changed:
        _state, _kernel = state, module
        _changed.notify_all()


def _load(compile_missing: bool) -> None:
    try:
        from . import epoch_kernel

        if not epoch_kernel.load():
            if not compile_missing:
                raise RuntimeError("its machine code is not in numba's cache")
            _become(State.COMPILING)
            _compile_elsewhere()
            if not epoch_kernel.load():  # the cache cannot be written: compile here
                epoch_kernel.compile()
        _become(State.READY, epoch_kernel)
    except Exception as error:  # any failure means: no kernel, train on
        log.debug("the whole-epoch kernel is unavailable, training takes the fast path: %s: %s",
                  type(error).__name__, error, exc_info=True)
        _become(State.UNAVAILABLE)


def _compile_elsewhere() -> None:
    """Compile the kernel into numba's cache in a helper process, at low priority:
    this process keeps training meanwhile, and a process that ends first (a short
    ``train``) still leaves the kernel compiled for the next."""
    done = subprocess.run([sys.executable, "-m", __name__], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=COMPILE_SECONDS,
                          start_new_session=True, check=False)
    if done.returncode != 0:
        log.debug("compiling the whole-epoch kernel failed (exit %s): %s", done.returncode,
                  done.stderr[-2000:])


def main() -> int:
    """The helper: compile the kernel into numba's cache."""
    if hasattr(os, "nice"):
        os.nice(10)  # behind the training that asked for it
    from . import epoch_kernel

    if not epoch_kernel.load():  # another helper may have been first
        epoch_kernel.compile()
    return 0


if __name__ == "__main__":
    sys.exit(main())
