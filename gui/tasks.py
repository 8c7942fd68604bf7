"""Run a slow function (loading a data set, importing torch) off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self.fn, self.relay = fn, relay

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as error:  # noqa: BLE001 - reported to the caller's handler
            self.relay.failed.emit(str(error))
            return
        self.relay.done.emit(result)


_live: set[_Relay] = set()  # relays stay alive until their task reports
T = TypeVar("T")


def run_in_background(fn: Callable[[], T], on_done: Callable[[T], None],
                      on_error: Callable[[str], None] | None = None,
                      owner: QObject | None = None) -> None:
    """Run ``fn`` on a pool thread, then ``on_done(result)`` or ``on_error(message)``
    on the GUI thread; not at all if ``owner`` (the widget the handlers update)
    has been deleted by then."""
    relay = _Relay()
    _live.add(relay)

    def finish(handler: Callable[[Any], None] | None, value: Any) -> None:
        _live.discard(relay)
        if owner is not None and not shiboken6.isValid(owner):
            return
        if handler is not None:
            handler(value)

    relay.done.connect(lambda value: finish(on_done, value))
    relay.failed.connect(lambda message: finish(on_error, message))
    QThreadPool.globalInstance().start(_Task(fn, relay))


def settle(app, timeout_ms: int = 20_000) -> bool:
    """Let every background task finish and deliver its result (a screenshot
    waits for the data set preview); True when none is left."""
    from PySide6.QtCore import QDeadlineTimer

    deadline = QDeadlineTimer(timeout_ms)
    pool = QThreadPool.globalInstance()
    while _live and not deadline.hasExpired():
        pool.waitForDone(20)
        app.processEvents()
    return not _live


def abandon(timeout_ms: int = 10_000) -> None:
    """At exit: wait for running tasks, then drop their results unseen (the
    widgets they would update are about to go)."""
    for relay in list(_live):
        relay.done.disconnect()
        relay.failed.disconnect()
    QThreadPool.globalInstance().waitForDone(timeout_ms)
    _live.clear()
