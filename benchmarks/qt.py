"""A Qt application for the editor benchmarks: offscreen unless a display is
asked for, with settings and autosaves in a scratch directory (a benchmark
never touches the user's own configuration)."""

from __future__ import annotations

import os
import tempfile
import time

_HOME: str | None = None


def scratch_environment() -> dict[str, str]:
    """Environment variables for an isolated, offscreen NetCanvas."""
    global _HOME
    if _HOME is None:
        _HOME = tempfile.mkdtemp(prefix="netcanvas-bench-")
    env = {"QT_QPA_PLATFORM": os.environ.get("NETCANVAS_BENCH_PLATFORM", "offscreen")}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[name] = os.path.join(_HOME, name.lower())
    return env


def application():
    """The QApplication, made as the editor makes it (or the one already
    running, e.g. under pytest, which has isolated its own settings)."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        return QApplication.instance()
    os.environ.update(scratch_environment())
    from gui.app import make_application

    return make_application([])


def main_window(app, width: int = 1400, height: int = 880):
    from gui.mainwindow import MainWindow

    window = MainWindow(restore_layout=False)
    window.resize(width, height)
    window.show()
    for _ in range(5):
        app.processEvents()
    return window


def wait(app, seconds: float, until=None) -> None:
    """Run the event loop (not a busy loop) for ``seconds`` or until ``until()``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, deadline = QEventLoop(), time.perf_counter() + seconds
    check = QTimer()
    check.setInterval(10)

    def tick():
        if time.perf_counter() >= deadline or (until is not None and until()):
            loop.quit()
    check.timeout.connect(tick)
    check.start()
    loop.exec()
    check.stop()


def close(window) -> None:
    window.training.shutdown()
    window.document.undo_stack.setClean()
    window.close()
    window.deleteLater()


LEFT, NO_BUTTON = 1, 0  # Qt.MouseButton values, without importing Qt at module level


def send_mouse(view, kind, scene_pos, button=LEFT, buttons=LEFT) -> None:
    """A real mouse event at ``scene_pos`` delivered to the view's viewport."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    viewport = view.viewport()
    local = QPointF(view.mapFromScene(scene_pos))
    global_pos = QPointF(viewport.mapToGlobal(local.toPoint()))
    event = QMouseEvent(kind, local, global_pos, Qt.MouseButton(button),
                        Qt.MouseButton(buttons), Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, event)
