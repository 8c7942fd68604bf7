"""Crash recovery: autosave while modified, offer it back after a crash.

The first test is the real thing: the editor runs in its own process, makes
unsaved edits, is killed with SIGKILL, and the next start recovers them. The
others drive :class:`gui.editor.recovery.Recovery` in this process with a short
autosave interval.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from paths import DRIVERS, ROOT

import graph_engine as ge
from graph_engine.model import fileio
from gui import dialogs
from gui.document import commands
from gui.editor.recovery import INTERVAL_ENV, Recovery, orphans, recovery_folder
from gui.mainwindow import MainWindow

DRIVER = DRIVERS / "recovery_session.py"


def sample(path) -> None:
    d = ge.Diagram()
    x = d.add_block("Input", {"features": 2}, (0, 0))
    h = d.add_block("Linear", {"out_features": 8}, (200, 0))
    d.connect(x, h)
    d.title = "sample"
    ge.save(d, path)


# ------------------------------------------------------------------ the kill test

class Session:
    """The editor in a subprocess, its stdout read line by line."""

    def __init__(self, args: list[str], env: dict) -> None:
        self.process = subprocess.Popen([sys.executable, str(DRIVER), *args], env=env, cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, start_new_session=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, tag: str, timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            if line.startswith(tag + " "):
                return line[len(tag) + 1:]
        raise AssertionError(f"no {tag} line; stderr: {self.stderr()[-3000:]}")

    def stderr(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stderr.read()

    def clean_up(self) -> None:
        """Kill what is left of the session (the training process too)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(10)
        self.process.stdout.close()
        self.process.stderr.close()


def wait_for(condition, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def autosaved(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def holds(path: Path, expected: dict) -> bool:
    try:
        return fileio.to_dict(ge.load(path)) == expected
    except ge.DiagramFileError:
        return False


def test_a_killed_editor_keeps_its_edits_and_the_next_start_recovers_them(tmp_path):
    original = tmp_path / "work" / "net.json"
    original.parent.mkdir()
    sample(original)
    before = original.read_bytes()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           INTERVAL_ENV: "200"}
    folder = tmp_path / "data" / "NetCanvas" / "NetCanvas" / "recovery"

    editing = Session(["edit", str(original)], env)
    try:
        edited = json.loads(editing.expect("EDITED"))
        wait_for(lambda: any(holds(p, edited) for p in autosaved(folder)))
        os.kill(editing.process.pid, signal.SIGKILL)  # the crash
        assert editing.process.wait(10) == -signal.SIGKILL
    finally:
        editing.clean_up()
    files = autosaved(folder)
    assert len(files) == 1 and holds(files[0], edited)
    assert json.loads(files[0].with_suffix(".origin").read_text())["path"] == str(original)
    assert original.read_bytes() == before  # nothing was saved over the student's file

    recovering = Session(["recover"], env)
    try:
        assert recovering.expect("ASKED") == "net.json"
        state = json.loads(recovering.expect("STATE"))
        assert recovering.process.wait(60) == 0, recovering.stderr()[-3000:]
    finally:
        recovering.clean_up()
    assert state["diagram"] == edited
    assert state["modified"] is True and state["path"] == str(original)
    assert state["title"].startswith("net.json")
    assert sorted(p.name for p in folder.iterdir()) == []  # the clean exit removed it all


# ------------------------------------------------------------------ in this process

@pytest.fixture
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return recovery_folder()


@pytest.fixture
def window(qtbot, data_home):
    win = MainWindow(restore_layout=False)
    win.recovery.timer.setInterval(50)
    yield win
    win.document.undo_stack.setClean()
    win.close()
    win.deleteLater()


def edit(window, type_name: str = "ReLU") -> None:
    window.document.undo_stack.push(commands.AddBlock(window.document.diagram, type_name,
                                                      (0, 0)))


def test_the_recovery_folder_is_the_app_data_folder(data_home, tmp_path):
    assert data_home.name == "recovery" and str(data_home).startswith(str(tmp_path / "data"))


def test_the_interval_is_30_seconds_unless_told_otherwise(qtbot, data_home, monkeypatch):
    monkeypatch.delenv(INTERVAL_ENV, raising=False)
    win = MainWindow(restore_layout=False)
    assert win.recovery.timer.interval() == 30_000
    assert Recovery(win.document, win.files, win, interval_ms=1234).timer.interval() == 1234
    monkeypatch.setenv(INTERVAL_ENV, "250")
    assert Recovery(win.document, win.files, win).timer.interval() == 250
    monkeypatch.setenv(INTERVAL_ENV, "soon")
    assert Recovery(win.document, win.files, win).timer.interval() == 30_000
    win.close()
    win.deleteLater()


def test_autosave_only_while_modified(window, qtbot, data_home, tmp_path):
    qtbot.wait(150)
    assert autosaved(data_home) == []  # nothing to save yet
    edit(window)
    assert window.recovery.timer.isActive()
    qtbot.waitUntil(lambda: len(autosaved(data_home)) == 1, timeout=3000)
    path = autosaved(data_home)[0]
    assert holds(path, fileio.to_dict(window.document.diagram))
    edit(window, "Tanh")
    qtbot.waitUntil(lambda: holds(path, fileio.to_dict(window.document.diagram)), timeout=3000)
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()  # back to the saved state: nothing to recover
    assert autosaved(data_home) == [] and not window.recovery.timer.isActive()


def test_saving_removes_the_autosave(window, qtbot, data_home, tmp_path, monkeypatch):
    edit(window)
    qtbot.waitUntil(lambda: len(autosaved(data_home)) == 1, timeout=3000)
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(tmp_path / "saved.json"))
    assert window.files.save()
    assert autosaved(data_home) == []


@pytest.mark.parametrize("action", ["new", "open"])
def test_new_or_open_after_discarding_removes_the_autosave(window, qtbot, data_home,
                                                           monkeypatch, tmp_path, action):
    other = tmp_path / "other.json"
    sample(other)
    edit(window)
    qtbot.waitUntil(lambda: len(autosaved(data_home)) == 1, timeout=3000)
    monkeypatch.setattr(dialogs, "ask_unsaved", lambda *a: "discard")
    monkeypatch.setattr(dialogs, "open_path", lambda *a, **k: str(other))
    getattr(window.files, action)()
    assert autosaved(data_home) == [] and not window.document.modified


def test_a_clean_exit_removes_the_autosave(qtbot, data_home, monkeypatch):
    win = MainWindow(restore_layout=False)
    edit(win)
    assert win.recovery.autosave() and len(autosaved(data_home)) == 1
    monkeypatch.setattr(dialogs, "ask_unsaved", lambda *a: "discard")
    assert win.close()
    assert list(data_home.iterdir()) == []  # no diagram, no sidecar, no lock
    win.deleteLater()


def test_a_cancelled_exit_keeps_the_autosave(window, data_home, monkeypatch):
    edit(window)
    window.recovery.autosave()
    monkeypatch.setattr(dialogs, "ask_unsaved", lambda *a: "cancel")
    assert not window.close()
    assert len(autosaved(data_home)) == 1


def crashed_session(folder: Path, origin: str, type_name: str = "Sigmoid") -> dict:
    """Files as a killed editor leaves them: a diagram, its origin, no live lock."""
    folder.mkdir(parents=True, exist_ok=True)
    d = ge.Diagram()
    d.add_block(type_name, {}, (10, 20))
    name = f"crashed-{type_name}.json"
    ge.save(d, folder / name)
    (folder / name).with_suffix(".origin").write_text(json.dumps({"path": origin}))
    return fileio.to_dict(d)


def test_recover_opens_the_diagram_as_modified_under_its_name(window, data_home, monkeypatch,
                                                              tmp_path):
    expected = crashed_session(data_home, str(tmp_path / "lesson.json"))
    asked = []
    monkeypatch.setattr(dialogs, "ask_recover",
                        lambda parent, name, when: asked.append(name) or "recover")
    assert window.recovery.offer()
    assert asked == ["lesson.json"]
    assert fileio.to_dict(window.document.diagram) == expected
    assert window.document.modified and window.document.path == str(tmp_path / "lesson.json")
    assert window.windowTitle().startswith("lesson.json")
    files = autosaved(data_home)  # the crashed file is now this session's autosave
    assert [p.name for p in files] == [window.recovery.path.name] and holds(files[0], expected)


def test_discard_deletes_and_later_keeps(window, data_home, monkeypatch):
    crashed_session(data_home, "", "Sigmoid")
    crashed_session(data_home, "", "Tanh")
    answers = iter(["discard", "later"])
    monkeypatch.setattr(dialogs, "ask_recover", lambda *a: next(answers))
    assert not window.recovery.offer()
    assert len(autosaved(data_home)) == 1
    assert window.document.diagram.blocks == [] and not window.document.modified


def test_a_running_editors_autosave_is_not_offered(window, qtbot, data_home):
    other = MainWindow(restore_layout=False)
    edit(other)
    assert other.recovery.autosave()
    assert orphans(data_home) == []  # its lock is held: it is alive, not crashed
    other.document.undo_stack.setClean()
    other.close()
    other.deleteLater()


def test_a_broken_autosave_is_reported_and_set_aside(window, data_home, monkeypatch):
    data_home.mkdir(parents=True)
    (data_home / "bad.json").write_text("{ not json")
    shown = []
    monkeypatch.setattr(dialogs, "ask_recover", lambda *a: "recover")
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append(text))
    assert not window.recovery.offer()
    assert shown and "bad.json" in shown[0]
    assert autosaved(data_home) == [] and (data_home / "bad.broken").exists()


def test_an_unwritable_data_folder_is_reported_not_fatal(window, data_home):
    data_home.parent.mkdir(parents=True)
    data_home.write_text("a file where the folder should be")
    edit(window)
    assert window.recovery.autosave() is False
    assert "Could not autosave" in window.statusBar().currentMessage()
