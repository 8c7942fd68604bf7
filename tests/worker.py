"""The training process's server driven inside the test process."""

from __future__ import annotations

import io
import time

from graph_engine.server import frames
from graph_engine.server.process import Server


class Worker:
    """The training server driven in this process, its frames decoded."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.server = Server(self.out)
        self.read = 0

    def command(self, **message) -> None:
        message.setdefault("seq", self.server.seq + 1)
        self.server._safely(self.server.handle, message)

    def train(self, limit: int = 10_000) -> None:
        """Serve the run to its end as the process's loop does, waiting as it
        waits at a set pace."""
        for _ in range(limit):
            if not self.server.running:
                return
            time.sleep(self.server.wait() or 0.0)
            self.server._safely(self.server.train_a_little)
        raise AssertionError("the run did not end")

    def of_type(self, kind: str) -> list[dict]:
        return [m for m in self.messages() if m["type"] == kind]

    def messages(self) -> list[dict]:
        data = self.out.getvalue()
        found = frames.FrameReader().feed(data[self.read:])
        self.read = len(data)
        return found

    def statuses(self) -> list[dict]:
        return [m for m in self.messages() if m["type"] == "status"]
