"""Shared test setup: offscreen Qt, isolated settings, and small diagram builders."""

from __future__ import annotations

import os
import tempfile

# Before any Qt import: no display, and QSettings/QStandardPaths in a scratch home
# so tests never read or write the user's real configuration.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="netcanvas-test-home-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["XDG_CACHE_HOME"] = os.path.join(_HOME, "cache")
os.environ.setdefault("XDG_RUNTIME_DIR", os.path.join(_HOME, "runtime"))
os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch, request):
    """A modal dialog would hang an offscreen test: fail instead, loudly.
    Tests that expect a dialog patch the function in gui.dialogs themselves."""
    if "gui" not in request.module.__name__ and "gui" not in request.node.name:
        yield
        return
    from gui import dialogs

    def unexpected(*args, **kwargs):
        raise AssertionError(f"unexpected modal dialog: {args[1:] if len(args) > 1 else ''}")

    for name in ("ask_unsaved", "open_path", "save_path", "show_error", "show_info",
                 "ask_recover"):
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
