"""GUI test setup: offscreen Qt, no modal dialogs, and the main window fixture."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import: no display

import pytest


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    """A modal dialog would hang an offscreen test: fail instead, loudly.
    Tests that expect a dialog patch the function in gui.dialogs themselves."""
    from gui import dialogs

    def unexpected(*args, **kwargs):
        raise AssertionError(f"unexpected modal dialog: {args[1:] if len(args) > 1 else ''}")

    for name in ("ask_unsaved", "open_path", "save_path", "show_error", "show_info",
                 "ask_recover", "ask_text", "ask_properties", "run_dialog"):
        monkeypatch.setattr(dialogs, name, unexpected)
    yield


@pytest.fixture
def window(qtbot):
    """The editor's main window, shown offscreen with its first layout done;
    closed without asking afterwards."""
    from gui.mainwindow import MainWindow

    win = MainWindow(restore_layout=False)
    win.resize(1300, 820)
    win.show()
    qtbot.waitExposed(win)
    qtbot.wait(20)  # the first layout runs once the window is shown
    yield win
    win.training.shutdown()
    win.document.undo_stack.setClean()
    win.close()
    win.deleteLater()


@pytest.fixture(autouse=True, scope="session")
def background_tasks_finish():
    """Background work (an activation curve importing torch) must end before the
    interpreter does, or it dies half-way with tracebacks nobody asked for."""
    yield
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(30_000)


@pytest.fixture
def errors(monkeypatch):
    """The error dialogs shown, as (title, text), instead of showing them."""
    from gui import dialogs

    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append(
        (title, text)))
    return shown


@pytest.fixture
def panel(window):
    """The Backprop tab's panel, its dock in front."""
    window.docks["backprop"].show()
    window.docks["backprop"].raise_()
    return window.backprop.panel
