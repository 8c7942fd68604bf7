"""Loading the whole-epoch kernel without making anyone wait for it.

numba compiles the kernel the first time (several seconds) and caches the
machine code on disk beside its source, or in the user's cache folder when
that is read-only (``NUMBA_CACHE_DIR`` chooses another); later processes
load it in a fraction of a second. Either happens in a background thread,
started by the first Trainer that could use it: until it is done, epochs run
on the fast path. When numba is missing or fails, the kernel stays
unavailable for the life of the process and the reason goes to the debug log.
"""

from __future__ import annotations

import logging
import threading
from types import ModuleType

log = logging.getLogger(__name__)

_lock = threading.Lock()
_done = threading.Event()
_started = False
_kernel: ModuleType | None = None


def start() -> None:
    """Begin loading the kernel in the background, once per process."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_load, name="netcanvas-kernel", daemon=True).start()


def kernel() -> ModuleType | None:
    """The compiled kernel module, or None while it loads or if it cannot."""
    return _kernel if _done.is_set() else None


def wait(timeout: float | None = None) -> ModuleType | None:
    """Start loading if needed and wait up to ``timeout`` seconds for the kernel
    (the tests and the benchmarks, which measure it, not its compilation)."""
    start()
    _done.wait(timeout)
    return kernel()


def _load() -> None:
    global _kernel
    try:
        from . import epoch_kernel

        epoch_kernel.check()
        _kernel = epoch_kernel
    except Exception as error:  # any failure means: no kernel, train on
        log.debug("the whole-epoch kernel is unavailable, training takes the fast path: %s: %s",
                  type(error).__name__, error, exc_info=True)
    finally:
        _done.set()
