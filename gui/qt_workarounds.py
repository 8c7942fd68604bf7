"""A guard against a reference-counting bug of PySide6 6.12.0 on CPython 3.11.

That build releases one reference to ``None`` too many each time a wrapped Qt
method returns nothing (``label.setText(...)``, every ``QPainter`` call), and
also loses references to ``True``/``False`` somewhere: after some tens of
thousands of calls (about eight seconds of live training plots) CPython
aborts with "Fatal Python error: none_dealloc: deallocating None" and the
student's window is gone. From CPython 3.12 these objects are immortal, so
the bug is harmless there, and PySide6 6.11 does not have it.

:func:`apply` measures whether the installed PySide6 has the bug and, only
then, gives the three objects a reference count no session can use up — what
CPython 3.12 does for every program. The real fix is a PySide6 without the
bug (pin ``PySide6-Essentials<6.12`` on Python 3.11); then this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

SINGLETONS = (None, True, False)
HEADROOM = 1 << 40  # a million calls a second would need twelve days to use it up
_applied = False


def drops_references() -> bool:
    """True when a Qt method returning nothing takes a reference to None with it."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(100):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= 50


def apply() -> bool:
    """Guard the process if this PySide6 and CPython need it; True if guarded."""
    global _applied
    if _applied:
        return True
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    if not drops_references():
        return False
    for obj in SINGLETONS:  # ob_refcnt is the first field of every CPython object
        ctypes.c_ssize_t.from_address(id(obj)).value += HEADROOM
    _applied = True
    return True
