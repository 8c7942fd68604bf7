"""Run the editor on a screen of a given size (the offscreen platform's configfile
names it), for the screen-fitting test.

    screen_fit.py save X Y W H    open, place the window at X, Y sized W × H, close
                                  (the window state is saved as on any close)
    screen_fit.py open            open as a student does (the saved state restored),
                                  then print one line: ``FIT <JSON>`` with the screen's
                                  available area, the window's frame, and what the
                                  test checks inside the window

QSettings live under XDG_CONFIG_HOME, which the test points at a folder of its own.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractSpinBox


def rect(r) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def arrows_seen(window) -> bool:
    """Every spin box of the inspector lies whole inside its viewport."""
    viewport = window.inspector.viewport()
    boxes = window.inspector.widget().findChildren(QAbstractSpinBox)
    return bool(boxes) and all(
        viewport.rect().contains(box.geometry().translated(
            box.parentWidget().mapTo(viewport, box.parentWidget().rect().topLeft())))
        for box in boxes)


def report(app, window) -> None:
    from pathlib import Path

    examples = Path(__file__).resolve().parents[3] / "resources" / "examples"
    window.files.open_path(str(examples / "deep-sigmoid.json"), ask=False)
    app.processEvents()
    zoom = window.view.zoom
    window.scene.select_blocks([next(b.id for b in window.document.diagram.blocks
                                     if b.type == "Linear")])
    app.processEvents()
    tree = window.block_palette.tree
    found = {"available": rect(window.screen().availableGeometry()),
             "frame": rect(window.frameGeometry()), "zoom": zoom,
             "palette_rows": tree.viewport().height() / tree.sizeHintForRow(1),
             "arrows": arrows_seen(window)}
    print("FIT", json.dumps(found), flush=True)
    window.document.undo_stack.setClean()
    window.close()


def main(argv: list[str]) -> int:
    from gui.app import make_application
    from gui.mainwindow import MainWindow

    app = make_application([])
    window = MainWindow(restore_layout=True)
    window.show()

    def act() -> None:
        if argv[0] == "save":
            x, y, width, height = (int(v) for v in argv[1:5])
            window.resize(width, height)
            window.move(x, y)
            QTimer.singleShot(200, window.close)
        else:
            report(app, window)

    QTimer.singleShot(500, act)  # after the first layout and the restored state
    QTimer.singleShot(20_000, app.quit)  # a watchdog: never hang the test
    app.exec()
    window.training.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
