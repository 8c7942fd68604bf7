"""A tiny observer: the Diagram announces changes, views subscribe.

Modelled on ryvencore's ``Event``: a list of callables fired with the same
arguments. Plain Python, so the engine stays free of Qt.
"""

from __future__ import annotations

from collections.abc import Callable


class Event:
    """Callbacks fired in subscription order by :meth:`emit`."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._handlers: list[Callable[..., object]] = []

    def connect(self, handler: Callable[..., object]) -> None:
        if handler not in self._handlers:
            self._handlers.append(handler)

    def disconnect(self, handler: Callable[..., object]) -> None:
        if handler in self._handlers:
            self._handlers.remove(handler)

    def emit(self, *args: object) -> None:
        for handler in list(self._handlers):
            handler(*args)

    def __len__(self) -> int:
        return len(self._handlers)
