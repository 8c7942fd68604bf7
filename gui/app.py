"""Starting the editor: ``python main.py [FILE] [--screenshot OUT.png [--epochs N]
[--view NAME] [--size WxH]]``."""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import sys

from .screenshot import MAX_EPOCHS, VIEWS, ShotError, parse_size

DEFAULT_SIZE = "1400x880"

STARTUP_REPORT = "NETCANVAS_STARTUP_REPORT"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="netcanvas", description="NetCanvas editor")
    parser.add_argument("file", nargs="?", help="a diagram to open")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="render the window with FILE loaded, save a PNG and exit")
    parser.add_argument("--size", metavar="WxH",
                        help=f"window size for --screenshot (default {DEFAULT_SIZE})")
    parser.add_argument("--epochs", type=int, default=0, metavar="N",
                        help="for --screenshot: train N epochs first")
    parser.add_argument("--view", default="editor", choices=VIEWS, metavar="NAME",
                        help="for --screenshot: the view in front, one of " + ", ".join(VIEWS))
    args = parser.parse_args(argv)
    # Every option is checked here, before any window: a window that cannot take its
    # shot would wait for ever on a machine with no screen.
    shot = args.screenshot is not None
    if not shot and (args.epochs or args.view != "editor" or args.size is not None):
        parser.error("--epochs, --view and --size go with --screenshot OUT.png")
    if shot and not args.screenshot.strip():
        parser.error("--screenshot needs the name of the PNG file to write")
    if not 0 <= args.epochs <= MAX_EPOCHS:
        parser.error(f"--epochs must be from 0 to {MAX_EPOCHS:,}")
    if args.epochs and not args.file:
        parser.error("--epochs needs a diagram FILE to train")
    args.size = args.size or DEFAULT_SIZE
    try:
        parse_size(args.size)
    except ShotError as error:
        parser.error(str(error))
    return args


def make_application(argv: list[str]):
    from PySide6.QtWidgets import QApplication

    from . import style

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    assert isinstance(app, QApplication)  # the editor's own: widgets need a QApplication
    app.setOrganizationName("NetCanvas")
    app.setApplicationName("NetCanvas")
    app.setStyle("Fusion")
    app.setStyleSheet(style.style_sheet())
    app.setFont(style.ui_font(9.5))
    return app


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    shot = args.screenshot is not None
    if shot and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if shot and not screenshot_allowed(args.file, args.screenshot):
        return 2  # no window: a dialog would wait for a click nobody can give
    from .training import cores

    cores.reserve()  # before Qt starts its threads: they keep to the editor's cores
    app = make_application([])
    from PySide6.QtCore import QTimer

    from . import tasks
    from .mainwindow import MainWindow

    window = MainWindow(restore_layout=not shot)
    if args.file and not window.files.open_path(args.file, ask=False):
        if shot:
            return 2
    if shot:
        from . import screenshot

        return screenshot.take(app, window, args.screenshot, args.size, args.epochs, args.view)
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
