"""Starting the editor: ``python main.py [FILE] [--screenshot OUT.png]``."""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import sys

STARTUP_REPORT = "NETCANVAS_STARTUP_REPORT"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="netcanvas", description="NetCanvas editor")
    parser.add_argument("file", nargs="?", help="a diagram to open")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="render the window with FILE loaded, save a PNG and exit")
    parser.add_argument("--size", default="1400x880", metavar="WxH",
                        help="window size for --screenshot (default 1400x880)")
    return parser.parse_args(argv)


def make_application(argv: list[str]):
    from PySide6.QtWidgets import QApplication

    from . import style

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setOrganizationName("NetCanvas")
    app.setApplicationName("NetCanvas")
    app.setStyle("Fusion")
    app.setStyleSheet(style.style_sheet())
    app.setFont(style.ui_font(9.5))
    return app


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.screenshot and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if args.screenshot and not screenshot_allowed(args.file, args.screenshot):
        return 2  # no window: a dialog would wait for a click nobody can give
    app = make_application([])
    from PySide6.QtCore import QTimer

    from . import tasks
    from .mainwindow import MainWindow

    window = MainWindow(restore_layout=not args.screenshot)
    if args.file and not window.files.open_path(args.file, ask=False):
        if args.screenshot:
            return 2
    if args.screenshot:
        return screenshot(app, window, args.screenshot, args.size)
    window.show()
    # What start-up made lives as long as the app: keep it out of full garbage
    # collections, which would otherwise stall the event loop ~60 ms each.
    gc.freeze()
    if os.environ.get(STARTUP_REPORT):
        QTimer.singleShot(0, functools.partial(report_startup, app, window))
    QTimer.singleShot(0, window.recovery.offer)  # unsaved work from a crashed session?
    # Load torch in the training process while the student starts drawing.
    QTimer.singleShot(300, window.training.controller.process.start)  # torch loads early
    status = app.exec()
    window.training.shutdown()
    tasks.abandon()
    del window  # delete the widgets before the interpreter tears Qt down
    return status


def screenshot_allowed(path: str | None, output: str) -> bool:
    """For ``--screenshot``, before any window: FILE can be opened, and OUT.png
    can be written without destroying FILE or its CSV data set; else say why
    on stderr."""
    from graph_engine.core.files import SameFileError, check_output
    from graph_engine.model.fileio import DiagramFileError, load
    from graph_engine.model.sources import input_files

    try:
        inputs = input_files(load(path), path) if path else []
        check_output(output, inputs, "screenshot")
    except (DiagramFileError, SameFileError) as error:
        print(f"netcanvas: {error}", file=sys.stderr)
        return False
    except (OSError, ValueError) as error:
        print(f"netcanvas: cannot write {output}: {_reason(error)}", file=sys.stderr)
        return False
    return True


def _reason(error: Exception) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)


def report_startup(app, window) -> None:
    """``NETCANVAS_STARTUP_REPORT=1 python main.py`` (benchmarks/startup.py):
    once the window is exposed and painted, print a JSON line (is torch
    loaded?) and quit."""
    from PySide6.QtCore import QTimer

    handle = window.windowHandle()
    if handle is None or not handle.isExposed():
        QTimer.singleShot(1, lambda: report_startup(app, window))
        return
    window.repaint()
    print(json.dumps({"window_shown": True, "torch_loaded": "torch" in sys.modules}),
          flush=True)
    app.quit()


def screenshot(app, window, path: str, size: str) -> int:
    """Show the window offscreen, let it lay out, save it as a PNG."""
    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        print(f"netcanvas: --size must look like 1400x880, got {size!r}", file=sys.stderr)
        return 2
    window.resize(max(width, 1280), max(height, 800))
    window.show()
    for _ in range(5):
        app.processEvents()
    from . import tasks

    tasks.settle(app)  # the data set preview loads in the background
    window.view.fit()
    app.processEvents()
    from .images import save_png

    try:
        save_png(window.grab(), path)  # atomic: a full disk keeps the old picture
    except OSError as error:
        print(f"netcanvas: cannot write {path}: {_reason(error)}", file=sys.stderr)
        return 2
    finally:
        window.training.shutdown()
        tasks.abandon()
    return 0
