"""Helpers for tests of failed saves: a real read-only folder, a simulated full disk.

``full_disk`` makes the atomic writer's own stream fail; ``file_size_limit``
makes the kernel refuse to grow any file past a size, so it also stops
writers NetCanvas does not control (torch's ONNX writer), as a full disk does.

A read-only folder does not stop root, so when the tests run as root the
write happens with the effective user id of ``nobody`` (switched back after).
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import shutil
import signal
import stat
import tempfile

NOBODY = 65534


@contextlib.contextmanager
def read_only_folder():
    """A folder nobody may write to (the current user, or nobody when root)."""
    outer = tempfile.mkdtemp(prefix="netcanvas-ro-")
    os.chmod(outer, 0o755)  # nobody must reach the folder to be refused by it
    folder = os.path.join(outer, "ro")
    os.mkdir(folder)
    try:
        yield folder
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(outer)


def lock(folder: str) -> None:
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP
             | stat.S_IROTH | stat.S_IXOTH)


@contextlib.contextmanager
def unprivileged():
    """Drop root's power to write anywhere, for the duration of the block."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def full_disk(monkeypatch, written: list | None = None) -> None:
    """Make the atomic writer's stream fail half-way with ENOSPC, as a full disk does."""
    from graph_engine.model import fileio

    real_fdopen = os.fdopen

    class FullStream:
        def __init__(self, stream) -> None:
            self.stream = stream

        def write(self, data: bytes) -> int:
            self.stream.write(data[: len(data) // 2])
            if written is not None:
                written.append(len(data) // 2)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self.stream, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.stream.close()

    monkeypatch.setattr(fileio.os, "fdopen",
                        lambda *args, **kwargs: FullStream(real_fdopen(*args, **kwargs)))


@contextlib.contextmanager
def file_size_limit(limit: int):
    """Within the block, writing past ``limit`` bytes of any file fails with
    EFBIG (the signal the kernel would send instead is ignored)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def leftovers(folder: str, keep: str) -> list[str]:
    """Temporary files the writer left beside ``keep``."""
    return sorted(name for name in os.listdir(folder) if name != os.path.basename(keep))
