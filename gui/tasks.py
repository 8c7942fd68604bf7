"""Run a slow function (loading a data set, importing torch) off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

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


def run_in_background(fn: Callable[[], object], on_done: Callable[[object], None],
                      on_error: Callable[[str], None] | None = None) -> None:
    relay = _Relay()
    _live.add(relay)

    def finish(handler, value):
        _live.discard(relay)
        if handler is not None:
            handler(value)

    relay.done.connect(lambda value: finish(on_done, value))
    relay.failed.connect(lambda message: finish(on_error, message))
    QThreadPool.globalInstance().start(_Task(fn, relay))
