"""Every file NetCanvas writes or reads goes through here.

Writing is atomic: a short temporary name beside the real file (so a legal
name of 255 bytes still saves), fsync, rename; a symlink is followed, so the
file it points to is replaced and the link stays. An output that is one of
the inputs (by name, symlink or hard link) is refused before anything runs.
Reading is bounded by what is actually read, never by what ``stat`` says:
a FIFO, a device, ``/dev/zero``, ``/proc/self/pagemap`` or a sparse file
cannot hang the program or exhaust its memory.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable

CHUNK = 1 << 20


class FileLimitError(ValueError):
    """A file that is not a regular file, or larger than the reader accepts."""


class SameFileError(ValueError):
    """An output path that names one of the inputs: writing would destroy it."""


# ------------------------------------------------------------------ writing

def write_atomic(path: str | os.PathLike, data: bytes | str | Callable[[str], None]) -> str:
    """Write ``data`` (bytes, text as UTF-8, or a function that writes the file
    at the path it is given) to ``path`` atomically; return the path written.

    On failure the old file is untouched, the temporary one is gone, and the
    OSError (or the writer's exception) propagates."""
    target = _target(path)
    folder = os.path.dirname(target) or "."
    handle, temp = tempfile.mkstemp(prefix=".nc-", suffix=".tmp", dir=folder)
    try:
        if callable(data):
            os.close(handle)
            data(temp)
            _fsync_path(temp)
        else:
            payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temp, _mode_for(target))
        os.replace(temp, target)
    except BaseException:
        _unlink_quietly(temp)
        raise
    return target


def _target(path: str | os.PathLike) -> str:
    """The file a write replaces: through a symlink, the file it points to."""
    path = check_path(path)
    return os.path.realpath(path) if os.path.islink(path) else os.path.abspath(path)


def check_path(path: str | os.PathLike) -> str:
    """``path`` as a str, or ValueError for what no file system accepts."""
    try:
        text = os.fspath(path)
    except TypeError:
        raise ValueError(f"a file path is text, not {type(path).__name__}") from None
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text:
        raise ValueError("the file path is empty")
    if "\0" in text:
        raise ValueError("a file path cannot contain a NUL character")
    return text


def _fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _mode_for(path: str) -> int:
    """Keep an existing file's permissions; new files get the umask's."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def check_writable(path: str | os.PathLike) -> None:
    """Raise OSError with a readable reason if ``path`` cannot be written: its
    folder is missing or read-only, or it names a folder. Called before long
    work (training) whose result would otherwise be lost at the end."""
    target = _target(path)
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise FileNotFoundError(2, f"the folder {folder} does not exist")
    if os.path.isdir(target):
        raise IsADirectoryError(21, f"{target} is a folder")
    handle, temp = tempfile.mkstemp(prefix=".nc-", suffix=".tmp", dir=folder)
    os.close(handle)
    _unlink_quietly(temp)


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when both paths name one file (also through symlinks and hard links)."""
    try:
        first, second = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        return os.path.realpath(a) == os.path.realpath(b)
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def refuse_overwrite(output: str | os.PathLike, inputs: Iterable[str | os.PathLike | None],
                     what: str = "output") -> None:
    """SameFileError when ``output`` is one of ``inputs`` (None entries are skipped)."""
    for source in inputs:
        if source is not None and same_file(output, source):
            raise SameFileError(f"the {what} {os.fspath(output)} is the input file "
                                f"{os.fspath(source)}: writing it would destroy the input; "
                                "choose another name")


def check_output(output: str | os.PathLike, inputs: Iterable[str | os.PathLike | None],
                 what: str = "output") -> None:
    """Before any work: SameFileError when ``output`` is one of ``inputs``,
    OSError when it cannot be written (see :func:`check_writable`)."""
    refuse_overwrite(output, inputs, what)
    check_writable(output)


def copy_into(source: str | os.PathLike, folder: str | os.PathLike) -> str:
    """Copy the regular file ``source`` into ``folder`` under its own name, atomically;
    the path of the copy. A file of that name already there is kept: if it holds
    the same bytes it is the copy, else the copy takes the first free name
    ``name-2.ext``, ``name-3.ext``... (nothing there is ever overwritten)."""
    source = check_path(source)
    if not stat.S_ISREG(os.stat(source).st_mode):
        raise FileLimitError(f"{source} is not a regular file")
    stem, suffix = os.path.splitext(os.path.basename(source))
    for number in range(1, 1000):
        name = f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}"
        target = os.path.join(os.fspath(folder), name)
        if not os.path.lexists(target):
            return write_atomic(target, lambda temp: _copy(source, temp))
        if os.path.isfile(target) and filecmp.cmp(source, target, shallow=False):
            return target
    raise FileExistsError(17, f"no free name for a copy of {source} in {os.fspath(folder)}")


def _copy(source: str, target: str) -> None:
    shutil.copyfile(source, target)


# ------------------------------------------------------------------ reading

def open_regular(path: str | os.PathLike):
    """The regular file ``path`` opened for reading (binary); FileLimitError for
    a folder, FIFO or device (opened without waiting for a writer), OSError
    when it cannot be opened. For readers that seek (a Parquet footer)."""
    path = check_path(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    kind = os.fstat(fd).st_mode
    if not stat.S_ISREG(kind):
        os.close(fd)
        raise FileLimitError(f"not a regular file ({_kind(kind)})")
    return os.fdopen(fd, "rb")


def read_bounded(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    FileLimitError when it is not a regular file (a folder, FIFO, device) or
    holds more than ``limit`` bytes, whatever its size claims; OSError when it
    cannot be opened or read."""
    path = check_path(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        kind = os.fstat(fd).st_mode
        if not stat.S_ISREG(kind):
            raise FileLimitError(f"not a regular file ({_kind(kind)})")
        size = os.fstat(fd).st_size
        if size > limit:
            raise FileLimitError(_too_large(size, limit))
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, CHUNK)  # whole chunks: /proc files refuse odd sizes
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise FileLimitError(_too_large(None, limit))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


def _too_large(size: int | None, limit: int) -> str:
    have = f"the file is {size:,} bytes" if size is not None else "the file holds more"
    return f"{have}; the limit is {human_size(limit)}"


def human_size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


# What some file system refuses in a name: Windows' <>:"/\|?* and the controls; and
# the names Windows keeps for devices, whatever their extension
UNSAFE_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
DEVICE_NAMES = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)", re.IGNORECASE)
MAX_NAME = 120  # characters of a suggested file name


def safe_file_name(name: str, fallback: str = "untitled") -> str:
    """``name`` (a title made a file name) as every file system takes it: characters
    Windows refuses become "-", no trailing dots or spaces, no device name, at most
    :data:`MAX_NAME` characters (the extension kept)."""
    stem, suffix = os.path.splitext(name)
    if len(suffix) > 10 or UNSAFE_IN_NAMES.search(suffix):
        stem, suffix = name, ""
    stem = UNSAFE_IN_NAMES.sub("-", stem).strip(" .")[:MAX_NAME - len(suffix)].rstrip(" .")
    stem = stem or fallback
    if DEVICE_NAMES.match(stem):
        stem = f"{stem}-file"
    return stem + suffix
