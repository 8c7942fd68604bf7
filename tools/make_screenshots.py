"""Make the screenshots in docs/images from the running editor.

``python -m tools.make_screenshots [NAME ...]`` (``make screenshots``).
The editor shot comes from ``main.py FILE --screenshot``, as a user would
take it; the others open an example in a real main window (offscreen),
press Play, wait for training to finish and grab the window.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"
IMAGES = ROOT / "docs" / "images"
SIZE = (1440, 900)


def editor(out: Path) -> None:
    """The editor with a lesson loaded: a mistake flagged in the problems panel."""
    example = EXAMPLES / "softmax-before-cross-entropy.json"
    subprocess.run([sys.executable, str(ROOT / "main.py"), example.name, "--screenshot",
                    str(out), "--size", "x".join(map(str, SIZE))],
                   cwd=example.parent, check=True, timeout=120)


# ---------------------------------------------------------------- in-process shots
def _window(app, example: str, size: tuple[int, int] = SIZE):
    from gui.mainwindow import MainWindow

    window = MainWindow(restore_layout=False)
    window.resize(*size)
    window.show()
    _wait(app, lambda: window.isVisible(), 5)
    _pump(app, 0.3)
    if not window.files.open_path(str(EXAMPLES / f"{example}.json"), ask=False):
        raise SystemExit(f"cannot open the example {example}")
    return window


def _pump(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _wait(app, condition: Callable[[], bool], timeout: float) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise SystemExit("timed out waiting for the editor")
        app.processEvents()
        time.sleep(0.01)


def _train(app, window, timeout: float = 120) -> None:
    """Press Play and wait until the epoch limit is reached and the plots caught up."""
    controller = window.training.controller
    limit = window.document.diagram.training.epochs
    window.training.toolbar.play.trigger()
    _wait(app, lambda: controller.state.epoch >= limit and not controller.running, timeout)
    _pump(app, 1.5)  # the last probes (boundary, heatmaps) arrive after the last epoch


def _select(app, window, type_name: str, nth: int = 0) -> None:
    blocks = [b.id for b in window.document.diagram.blocks if b.type == type_name]
    window.scene.select_blocks([blocks[nth]])
    _pump(app, 1.5)


def _raise(app, window, dock: str) -> None:
    window.docks[dock].show()
    window.docks[dock].raise_()
    _pump(app, 1.0)


def training(app, out: Path) -> None:
    window = _window(app, "xor")
    _train(app, window)
    _save(app, window, out)


def inside_the_network(app, out: Path) -> None:
    window = _window(app, "circle", (1440, 1080))
    _train(app, window)
    window.resizeDocks([window.docks["inspector"], window.docks["output"]], [560, 300],
                       _vertical())
    _select(app, window, "Tanh")
    units = window.inspector.widget().findChild(object, "unitMaps")
    window.inspector.verticalScrollBar().setValue(units.y() - 8)  # the tiles, not the curve
    _pump(app, 0.5)
    _save(app, window, out)


def code_panel(app, out: Path) -> None:
    window = _window(app, "two-layer-net", (1440, 1080))
    _raise(app, window, "code")
    window.resizeDocks([window.docks["code"]], [620], _horizontal())
    window.resizeDocks([window.docks["code"], window.docks["output"]], [600, 260], _vertical())
    _pump(app, 0.5)
    window.view.fit()
    _save(app, window, out)


def vanishing_gradients(app, out: Path) -> None:
    window = _window(app, "deep-sigmoid")
    _raise(app, window, "gradients")
    _train(app, window)
    # The first layers, whose gradients vanish, at a readable zoom.
    view = window.view
    view.set_zoom(0.8)
    first = window.document.diagram.blocks[0].id
    rect = window.scene.blocks_rect([first])
    view.centerOn(rect.center().x() + view.viewport().width() * 0.5, rect.center().y())
    _save(app, window, out)


TABLE = ("age,smoker,weight,height,blood pressure,risk\n"
         "54,yes,81.2,1.78,142,high\n37,no,,1.65,118,low\n61,no,92.5,1.81,151,high\n"
         "45,yes,70.1,1.70,,low\n29,no,58.4,1.62,112,low\n66,yes,88.0,1.75,160,high\n"
         "50,no,77.3,1.80,131,low\n41,yes,95.6,1.69,138,high\n")


def table_import(app, out: Path) -> None:
    """The import dialog on a small table with a text column and missing values."""
    import tempfile

    from graph_engine.data.csv_data import read_table
    from gui.panels.csv_dialog import CsvDialog

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "patients.csv"
        path.write_text(TABLE, encoding="utf-8")
        dialog = CsvDialog(None, path.name, read_table(str(path)), None)
        dialog.resize(820, 640)
        dialog.show()
        _pump(app, 0.3)
        from graph_engine.core.files import write_atomic
        from gui.images import png_bytes

        write_atomic(out, png_bytes(dialog.grab()))
        dialog.close()
        dialog.deleteLater()
        _pump(app, 0.2)


def _horizontal():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def _vertical():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Vertical


def _save(app, window, out: Path) -> None:
    _pump(app, 0.3)
    from graph_engine.core.files import write_atomic
    from gui.images import png_bytes

    write_atomic(out, png_bytes(window.grab()))
    window.training.shutdown()
    window.document.undo_stack.setClean()
    window.close()
    window.deleteLater()
    _pump(app, 0.2)


SHOTS: dict[str, Callable] = {
    "editor": editor,
    "training": training,
    "inside-the-network": inside_the_network,
    "code-panel": code_panel,
    "vanishing-gradients": vanishing_gradients,
    "table-import": table_import,
}


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or list(SHOTS)
    unknown = [n for n in names if n not in SHOTS]
    if unknown:
        print(f"unknown screenshot {unknown[0]!r}; choose from {', '.join(SHOTS)}",
              file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    IMAGES.mkdir(parents=True, exist_ok=True)
    app = None
    for name in names:
        out = IMAGES / f"{name}.png"
        if name == "editor":
            SHOTS[name](out)
        else:
            if app is None:
                from gui.app import make_application

                app = make_application([])
            SHOTS[name](app, out)
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
