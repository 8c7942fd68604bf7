"""Make the screenshots in docs/images from the running editor.

``python -m tools.make_screenshots [NAME ...]`` (``make screenshots``).
Most shots come from ``main.py FILE --screenshot OUT --epochs N --view NAME``,
as a teacher makes a slide; the XOR lesson series presses Play in a real
main window (offscreen, the Neuron View on) and grabs it while it trains at
the example's own pace; the inside-the-network shot selects a block for the Selected
block dock; the drawing lesson runs in a real window under Xvfb, clicked with xdotool.
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
LESSON_SIZE = (1400, 880)  # the window the lesson layout is checked at


def command(example: str, *args: str, size: tuple[int, int] = SIZE) -> Callable[[Path], None]:
    """A shot taken by ``main.py EXAMPLE --screenshot OUT ARGS``."""

    def shoot(out: Path) -> None:
        subprocess.run([sys.executable, str(ROOT / "main.py"), f"{example}.json",
                        "--screenshot", str(out), "--size", "x".join(map(str, size)), *args],
                       cwd=EXAMPLES, check=True, timeout=300)
    return shoot


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
    window.statusBar().clearMessage()  # "Opened /path/…" belongs to this machine
    return window


def _pump(app, seconds: float) -> None:
    from gui.screenshot import pump

    pump(app, seconds)


def _wait(app, condition: Callable[[], bool], timeout: float) -> None:
    from gui.screenshot import wait

    wait(app, condition, timeout, "the editor")


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


LESSON_SHOTS = ((3.0, "3s"), (6.0, "6s"), (12.0, "12s"))  # seconds after Play, name


def xor_lesson(app, out: Path) -> None:
    """The XOR lesson as the class sees it on a 1280 × 800 laptop, in the Neuron View
    at the example's own pace: before Play, 3, 6 and 12 s after it and at the end
    (``out`` names the first; the others end in -3s, -6s, -12s and -end)."""
    window = _window(app, "xor", size=(1280, 800))
    window.neuron_view.action.setChecked(True)
    controller = window.training.controller
    _wait(app, lambda: window.neuron_view.result is not None, 60)  # the starting weights
    _pump(app, 0.5)
    window.statusBar().clearMessage()  # "Opened /path/…" belongs to this machine
    shots = [(seconds, out.with_name(f"{out.stem}-{name}.png"))
             for seconds, name in LESSON_SHOTS]
    _grab(window, out)
    window.training.toolbar.play.trigger()
    _wait(app, lambda: controller.state.batch >= 1 or controller.state.epoch >= 1, 60)
    start = time.monotonic()
    for seconds, path in shots:
        _pump(app, start + seconds - time.monotonic())
        _grab(window, path)
    limit = window.document.diagram.training.epochs
    _wait(app, lambda: controller.state.epoch >= limit and not controller.running, 120)
    _pump(app, 1.0)
    _save(app, window, out.with_name(f"{out.stem}-end.png"))


def _grab(window, path: Path) -> None:
    from graph_engine.core.files import write_atomic
    from gui.images import png_bytes

    write_atomic(path, png_bytes(window.grab()))
    print(f"wrote {path.relative_to(ROOT)}")


def presentation(app, out: Path) -> None:
    """Spiral trained, in presentation mode at 1920x1080: what a projector shows."""
    window = _window(app, "spiral", (1920, 1080))
    _train(app, window)
    window.teaching.presentation.action.trigger()
    _pump(app, 1.0)
    _save(app, window, out)


def help_window(app, out: Path) -> None:
    """The help window on the block reference's Linear entry (what F1 opens)."""
    from gui.editor.help_window import show_help

    window = _window(app, "two-layer-net")
    shown = show_help(window, "blocks.md", "Linear")
    _pump(app, 0.5)
    _grab(shown, out)
    shown.close()
    _close(app, window)


def inside_the_network(app, out: Path) -> None:
    """Circle trained, a Tanh selected: its curve and units in the Selected block dock."""
    from gui import tasks

    window = _window(app, "circle")
    _train(app, window)
    _select(app, window, "Tanh")
    tasks.settle(app)  # the activation's curve
    _pump(app, 0.8)
    _save(app, window, out)


def _backprop(app, example: str, step_to, out: Path, apply: bool = False,
              size: tuple[int, int] = (1440, 1000), optimizer: str = "") -> None:
    """The Backprop dock on test sample 0 with the initial weights, at the step
    ``step_to(walk)`` says (a number of Next presses), the wires labelled; with
    ``apply``, after Apply one step. The Problems and Blocks docks make room."""
    window = _window(app, example, size)
    window.statusBar().clearMessage()  # "Opened /path/…" belongs to this machine
    for name in ("problems", "palette", "history", "selected"):
        window.docks[name].close()
    _raise(app, window, "backprop")
    window.resizeDocks([window.docks["backprop"]], [470], _vertical())
    from PySide6.QtCore import Qt

    window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
    window.resizeDocks([window.docks["inspector"], window.docks["output"]], [150, 520],
                       _vertical())
    panel = window.backprop.panel
    if optimizer:  # chosen in the toolbar, as a student would
        box = window.training.toolbar.optimizer
        box.setCurrentIndex(box.findData(optimizer))
        box.activated.emit(box.currentIndex())
    panel.trace()
    _wait(app, lambda: panel.walk is not None, 60)
    for _ in range(step_to(panel.walk)):
        panel.move_by(1)
    if apply:
        panel.apply_step()
        _wait(app, lambda: not panel.busy, 60)
    _pump(app, 0.5)
    rect = window.scene.blocks_rect()  # and the wires' loops, and their tags
    for item in [*window.scene.wires.values(), *window.backprop.wire_values.tags.values()]:
        rect = rect.united(item.sceneBoundingRect())
    window.view.fit(rect)
    _save(app, window, out)


def _step_at(phase: str, type_name: str, nth: int = 0):
    def presses(walk) -> int:
        found = [i for i, step in enumerate(walk.steps)
                 if step.phase == phase and step.block["type"] == type_name]
        return found[nth]

    return presses


def backprop_forward(app, out: Path) -> None:
    _backprop(app, "two-layer-net", _step_at("forward", "ReLU"), out)


def backprop_backward(app, out: Path) -> None:
    _backprop(app, "two-layer-net", _step_at("backward", "ReLU"), out)


def backprop_step(app, out: Path) -> None:
    """Two-layer net, after Apply one step of SGD on sample 0."""
    _backprop(app, "two-layer-net", _step_at("backward", "Input"), out, apply=True,
              optimizer="sgd")


def backprop_fading(app, out: Path) -> None:
    """Deep sigmoid, backward at its first Sigmoid: the gradient has faded."""
    _backprop(app, "deep-sigmoid", _step_at("backward", "Sigmoid", -1), out,
              size=(1440, 1160))


def exercise_student(app, out: Path) -> None:
    """A student on the XOR exercise: the task, Check My Work's marks, and the
    locked Input refusing to be deleted."""
    from gui.mainwindow import MainWindow

    window = MainWindow(restore_layout=False)
    window.resize(*SIZE)
    window.show()
    _pump(app, 0.5)
    exercise = ROOT / "resources" / "exercises" / "xor-hidden-layer.json"
    if not window.exercises.open_path(str(exercise), ask=False):
        raise SystemExit("cannot open the XOR exercise")
    window.resizeDocks([window.exercises.dock], [330], _vertical())
    window.exercises.check()
    _wait(app, lambda: not window.exercises.busy, 120)
    window.scene.select_blocks(["xor-input"])
    window.actions_by_name["delete"].trigger()
    window.statusBar().clearMessage()
    _save(app, window, out)


def exercise_teacher(app, out: Path) -> None:
    """Save as Exercise on the trained XOR example, Input and loss selected to lock."""
    from gui.classroom.authoring import ExerciseDialog

    window = _window(app, "xor")
    _train(app, window)
    history = window.training.controller.state.history
    dialog = ExerciseDialog(window.document.diagram, ["input1", "crossentropyloss1"],
                            dict(history[-1]), window)
    dialog.title.setText("Solve XOR")
    dialog.task.setPlainText("## Solve XOR\n\nThe network on the canvas has no hidden layer. "
                             "Add one, with a nonlinearity, so that it separates the four "
                             "quadrants: aim for 95 % test accuracy.")
    dialog.add_check("uses-block")
    dialog.show()
    _pump(app, 0.5)
    _grab(dialog, out)
    dialog.close()
    dialog.deleteLater()
    _close(app, window)


def _class_folder(folder: Path) -> Path:
    """A small class's hand-ins for the XOR exercise: answers of several widths, a copy,
    the untouched start, the example handed in, another exercise's answer, a broken file."""
    import shutil

    import graph_engine as ge
    from graph_engine.classroom import exercise as exercises

    exercise = exercises.load(ROOT / "resources" / "exercises" / "xor-hidden-layer.json")
    answers = folder / "class"
    answers.mkdir()
    for name, units, activation in (("ada", 8, "ReLU"), ("ben", 2, "Tanh"),
                                    ("chen", 4, "Identity"), ("dora", 16, "Tanh")):
        diagram = exercise.student_diagram()
        diagram.disconnect(next(w for w in diagram.wires if w.src == "xor-input"))
        hidden, act = diagram.add("Linear", out_features=units), diagram.add(activation)
        for src, dst in (("xor-input", hidden), (hidden, act), (act, "linear1")):
            diagram.connect(src, dst)
        ge.save(diagram, answers / f"{name}.json")
    shutil.copy(answers / "ada.json", answers / "eli.json")
    ge.save(exercise.student_diagram(), answers / "fay.json")
    shutil.copy(EXAMPLES / "xor.json", answers / "gus.json")
    (answers / "hal.json").write_text('{"format": "netcanvas-diagram", "blocks": [')
    return answers


def grading_report(app, out: Path) -> None:
    """The HTML report of ``grade --html`` on a small class, drawn by Qt's rich text
    (QTextDocument: no browser needed; each inline SVG thumbnail drawn by QtSvg)."""
    import tempfile

    from graph_engine.classroom.grader import prepare
    from graph_engine.classroom.reports import html_text

    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        _class_folder(Path(folder))
        os.chdir(folder)  # graded as "grade EXERCISE class/": the names as a teacher sees them
        try:
            grading = prepare(ROOT / "resources" / "exercises" / "xor-hidden-layer.json",
                              ["class"], 2, 60.0, 1024)
            results = grading.grade(2, 60.0, 1 << 30, plot=True)
        finally:
            os.chdir(here)
        page = html_text(grading.exercise, results, grading.free)
    _render_html(page, out, width=1400)


def _render_html(page: str, out: Path, width: int) -> None:
    import re

    from PySide6.QtCore import QByteArray, QRectF, QUrl
    from PySide6.QtGui import QColor, QImage, QPainter, QTextDocument
    from PySide6.QtSvg import QSvgRenderer

    from graph_engine.core.files import write_atomic
    from gui.images import png_bytes

    document = QTextDocument()
    thumbnails = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    for index, svg in enumerate(thumbnails):
        image = QImage(96, 96, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        QSvgRenderer(QByteArray(svg.encode("utf-8"))).render(painter, QRectF(0, 0, 96, 96))
        painter.end()
        document.addResource(QTextDocument.ResourceType.ImageResource,
                             QUrl(f"thumb:{index}"), image)
        page = page.replace(svg, f'<img src="thumb:{index}" width="96" height="96">', 1)
    page = page.replace("<table", '<table border="1" cellspacing="0" cellpadding="4"')
    document.setHtml(page)
    document.setTextWidth(width)
    size = document.size().toSize()
    image = QImage(size.width(), size.height(), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    document.drawContents(painter)
    painter.end()
    write_atomic(out, png_bytes(image))


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
    _grab(window, out)
    _close(app, window)


def _close(app, window) -> None:
    window.training.shutdown()
    window.document.undo_stack.setClean()
    window.close()
    window.deleteLater()
    _pump(app, 0.2)


def draw_points(out: Path) -> None:
    """The XOR lesson (200 points) with three points drawn, in a real window under Xvfb with the X
    server's mouse (tests/gui/drivers/draw_points.py): the Output dock trained, with
    the points drawn, and after Play (``out`` names the first; the others end in
    -drawn and -bent)."""
    from tools import xvfb

    if not xvfb.available():
        raise SystemExit("draw-points needs Xvfb and xdotool (.ci/run installs them)")
    with xvfb.display() as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
               "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, str(ROOT / "tests" / "gui" / "drivers" /
                                            "draw_points.py"), str(out.parent), "--lr", "0.1",
                        "--samples", "200", "--dock-only"], env=env, cwd=ROOT, check=True,
                       timeout=300)


# name -> (a shot from the command line, taking OUT) or (in process, taking app, OUT)
COMMAND_SHOTS: dict[str, Callable[[Path], None]] = {
    "editor": command("softmax-before-cross-entropy", "--view", "problems"),
    "training": command("xor", "--epochs", "24", "--view", "boundary"),
    "code-panel": command("two-layer-net", "--view", "code"),
    "vanishing-gradients": command("deep-sigmoid", "--epochs", "50", "--view", "gradients"),
    "deep-sigmoid": command("deep-sigmoid", size=LESSON_SIZE),
    "neurons": command("xor", "--epochs", "24", "--view", "inside", size=LESSON_SIZE),
    "neuron-view-playground": command("playground-default", "--epochs", "60", "--view",
                                      "neurons", size=(1280, 800)),
    "draw-points": draw_points,
}
WINDOW_SHOTS: dict[str, Callable] = {
    "xor-lesson": xor_lesson,
    "inside-the-network": inside_the_network,
    "backprop-forward": backprop_forward,
    "backprop-backward": backprop_backward,
    "backprop-fading": backprop_fading,
    "backprop-step": backprop_step,
    "table-import": table_import,
    "presentation": presentation,
    "help-window": help_window,
    "exercise-student": exercise_student,
    "exercise-teacher": exercise_teacher,
    "grading-report": grading_report,
}
SHOTS = [*COMMAND_SHOTS, *WINDOW_SHOTS]


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
        if name in COMMAND_SHOTS:
            COMMAND_SHOTS[name](out)
        else:
            if app is None:
                from gui.app import make_application

                app = make_application([])
            WINDOW_SHOTS[name](app, out)
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
