"""Crash recovery: autosave the modified diagram, offer it back after a crash.

While the document has unsaved changes, :class:`Recovery` writes it every
30 seconds (``NETCANVAS_AUTOSAVE_MS`` or the ``interval_ms`` argument change
that) to ``<app data>/recovery/<session>.json`` with the engine's atomic
save; ``<session>.origin`` beside it records the file the diagram came from.
A lock file held by the running editor tells a live session's files from a
crashed one's. Saving, undoing back to the saved state, New or Open after
discarding, and a clean exit delete the session's files; on start,
:meth:`Recovery.offer` asks about the files crashed sessions left behind.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer

from graph_engine.core.files import write_atomic
from graph_engine.model.fileio import DiagramFileError, dumps, load

from .. import dialogs
from ..document.document import Document
from ..shell import Shell
from .file_actions import FileActions

INTERVAL_ENV = "NETCANVAS_AUTOSAVE_MS"
DEFAULT_INTERVAL_MS = 30_000


def recovery_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "recovery"


def interval_from_environment() -> int:
    try:
        value = int(os.environ.get(INTERVAL_ENV, DEFAULT_INTERVAL_MS))
    except ValueError:
        return DEFAULT_INTERVAL_MS
    return value if value > 0 else DEFAULT_INTERVAL_MS


@dataclass(frozen=True)
class Orphan:
    """A diagram a crashed session left behind."""

    path: Path
    origin: str  # the file it was opened from, "" for a new diagram
    saved: float  # when it was autosaved (seconds since the epoch)

    @property
    def name(self) -> str:
        return os.path.basename(self.origin) if self.origin else "an untitled diagram"


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".origin")


def _lock_path(path: Path) -> Path:
    return path.with_suffix(".lock")


def _remove(path: Path) -> None:
    for file in (path, _sidecar(path)):
        try:
            file.unlink()
        except OSError:
            pass  # already gone, or not ours to delete: at worst it is offered again


def orphans(folder: Path) -> list[Orphan]:
    """Autosaves whose session is gone (its lock is free), newest first."""
    found = []
    for path in folder.glob("*.json") if folder.is_dir() else ():
        lock = QLockFile(str(_lock_path(path)))
        lock.setStaleLockTime(0)  # a live session's lock never goes stale with age
        if not lock.tryLock(0):
            continue  # another editor is running and owns this file
        lock.unlock()
        found.append(Orphan(path, _read_origin(path), path.stat().st_mtime))
    return sorted(found, key=lambda orphan: orphan.saved, reverse=True)


def _read_origin(path: Path) -> str:
    try:
        origin = json.loads(_sidecar(path).read_text(encoding="utf-8")).get("path", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return origin if isinstance(origin, str) else ""


class Recovery(QObject):
    """The document's autosave and recovery; the window calls :meth:`finish` on a
    clean exit. A recovered diagram opens through the file actions (so an answer
    to an exercise opens under its locks)."""

    def __init__(self, document: Document, files: FileActions, shell: Shell,
                 interval_ms: int | None = None, folder: Path | None = None) -> None:
        super().__init__(document)
        self.document, self.files, self.shell = document, files, shell
        self.folder = folder or recovery_folder()
        self.path = self.folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.json"
        self._lock: QLockFile | None = None
        self._written = ""  # what the file holds, so an unchanged diagram is not rewritten
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms or interval_from_environment())
        self.timer.timeout.connect(self.autosave)
        document.modified_changed.connect(self._modified_changed)
        document.diagram_replaced.connect(self.discard)

    # ------------------------------------------------------------ autosaving
    def _modified_changed(self, modified: bool) -> None:
        if modified:
            self.timer.start()
        else:
            self.discard()  # saved, or undone back to the saved state

    def autosave(self) -> bool:
        """Write the diagram now if it has unsaved changes; True when the file is current."""
        if not self.document.modified:
            self.discard()
            return False
        text = dumps(self.document.diagram)
        if text == self._written and self.path.exists():
            return True
        try:
            self._take_lock()
            # The origin first: whenever a recovery file exists, so does its origin.
            write_atomic(_sidecar(self.path), json.dumps({"path": self.document.path}))
            write_atomic(self.path, text)
        except OSError as error:
            self.shell.tell(f"Could not autosave to {self.folder}: {error.strerror or error}")
            return False
        self._written = text
        return True

    def _take_lock(self) -> None:
        if self._lock is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = QLockFile(str(_lock_path(self.path)))
            lock.setStaleLockTime(0)
            if not lock.tryLock(0):
                raise OSError(f"cannot lock {_lock_path(self.path)}")
            self._lock = lock

    def discard(self) -> None:
        """Forget this session's autosave (the diagram was saved or dropped)."""
        self.timer.stop()
        self._written = ""
        _remove(self.path)

    def finish(self) -> None:
        """A clean exit: nothing to recover next time."""
        self.discard()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    # ------------------------------------------------------------ recovering
    def offer(self) -> bool:
        """Ask about each crashed session's diagram, newest first: recover one
        (True), discard them, or keep them for later."""
        for orphan in orphans(self.folder):
            answer = dialogs.ask_recover(self.shell.main_window(), orphan.name,
                                         time.strftime("%Y-%m-%d %H:%M",
                                                       time.localtime(orphan.saved)))
            if answer == "recover":
                return self.recover(orphan)
            if answer == "discard":
                _remove(orphan.path)
        return False

    def recover(self, orphan: Orphan) -> bool:
        """Open the orphan as a modified document under its original name."""
        if not self.files.maybe_save():
            return False
        try:
            diagram = load(orphan.path)
        except DiagramFileError as error:
            dialogs.show_error(self.shell.main_window(), "Cannot recover diagram", str(error))
            orphan.path.rename(orphan.path.with_suffix(".broken"))
            return False
        self.files.opening.emit(diagram)
        self.files.show(diagram, orphan.origin)
        self.document.undo_stack.resetClean()  # unsaved until the student saves
        if self.autosave():  # this session owns it now
            _remove(orphan.path)
        self.shell.tell(f"Recovered {orphan.name}: save it to keep the changes", 10000)
        return True
