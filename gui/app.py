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
    if args.screenshot and args.file and not readable(args.file):
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
    QTimer.singleShot(300, window.training.controller.warm_up)
    status = app.exec()
    window.training.shutdown()
    tasks.abandon()
    del window  # delete the widgets before the interpreter tears Qt down
    return status


def readable(path: str) -> bool:
    """For ``--screenshot``: say on stderr why FILE cannot be opened."""
    from graph_engine.model.fileio import DiagramFileError, load

    try:
        load(path)
    except DiagramFileError as error:
        print(f"netcanvas: {error}", file=sys.stderr)
        return False
    return True


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
    saved = window.grab().save(path)
    window.training.shutdown()
    tasks.abandon()
    if not saved:
        print(f"netcanvas: cannot write {path}", file=sys.stderr)
        return 2
    return 0
