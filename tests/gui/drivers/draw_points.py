"""Run under Xvfb: a teacher opens XOR, draws three points where the network is wrong,
presses Play and watches the boundary bend, with the X server's own mouse (xdotool).

``python tests/gui/drivers/draw_points.py OUT_FOLDER [--fast] [--lr X] [--samples N]
[--dock-only]``: the XOR
example is trained first; then xdotool clicks Draw points, the class 1 button, three
points in an orange corner, and Play, then types the first point into the Ask row.
The Output dock is grabbed from the X server at
each stage (OUT_FOLDER/draw-points.png trained, draw-points-drawn.png, draw-points-bent.png;
the whole screen too, as NAME-window.png), and one JSON
line reports what happened: the undo steps, the points, and the class-1 probability
the boundary shows at the drawn points before and after. ``--fast`` trains as fast as
possible (the tests), ``--lr`` sets the learning rate in the toolbar before Play,
``--samples`` opens a copy of the example with that many points (three points weigh
little among its 500), and
``--dock-only`` saves only the Output dock's pictures (the guide's).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from PySide6.QtCore import QPointF, QTimer

DRAWN = ((-1.5, 1.5), (-2.0, 1.0), (-1.5, 2.0))  # orange corner, near where classes meet
SIZE = (1400, 880)


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10)


def click_at(point, button: str = "1") -> None:
    xdotool("mousemove", str(point.x()), str(point.y()))
    xdotool("click", button)


class Teacher:
    """The lesson as steps on the main thread: each acts, then waits for its condition."""

    def __init__(self, app, window, out: Path, argv: list[str]) -> None:
        self.app, self.window, self.out = app, window, out
        self.fast, self.dock_only = "--fast" in argv, "--dock-only" in argv
        self.lr = float(argv[argv.index("--lr") + 1]) if "--lr" in argv else None
        self.training = window.training
        self.plot = self.training.output
        self.report: dict = {}
        self.steps = [(self.train, self.trained), (self.shoot("draw-points"), None),
                      (self.press_draw, self.drawing_on), (self.pick_class_1, None),
                      (self.draw, self.three_drawn), (self.shoot("draw-points-drawn"), None),
                      (self.press_play, self.trained), (self.ask, self.answered),
                      (self.shoot("draw-points-bent"), None),
                      (self.finish, None)]

    def run(self) -> None:
        self.timer = QTimer()
        self.timer.timeout.connect(self.tick)
        self.waiting = None
        self.settle = 0
        self.timer.start(250)

    def tick(self) -> None:
        if self.waiting is not None and not self.waiting():
            return
        if self.settle:  # a few ticks for the plots to draw what arrived
            self.settle -= 1
            return
        action, self.waiting = self.steps.pop(0)
        try:
            action()
        except Exception:  # noqa: BLE001 - a step that fails ends the lesson, saying why
            traceback.print_exc()
            self.app.quit()
        self.settle = 6

    # ------------------------------------------------------------ the steps
    def train(self) -> None:
        self.training.controller.play(pace=0.0 if self.fast else None)

    def trained(self) -> bool:
        controller = self.training.controller
        return controller.state.epoch >= self.window.document.diagram.training.epochs and \
            not controller.running and self.plot.has_image() and self.plot.image.opacity() == 1

    def press_draw(self) -> None:
        self.report["before"] = self.boundary_at_drawn()
        click_at(self.centre(self.training.drawing.button))

    def drawing_on(self) -> bool:
        return self.training.drawing.active

    def pick_class_1(self) -> None:
        click_at(self.centre(self.training.drawing.bar.classes.button(1)))

    def draw(self) -> None:
        for x, y in DRAWN:
            click_at(self.on_plot(x, y))

    def three_drawn(self) -> bool:
        return self.window.document.undo_stack.count() == 3

    def press_play(self) -> None:
        if self.lr is not None:  # chosen in the toolbar, as the teacher would
            self.training.toolbar._change("lr", self.lr)
        if self.fast:
            self.training.controller.play(pace=0.0)
            return
        bar = self.training.toolbar
        click_at(self.centre(bar.widgetForAction(bar.play)))

    def ask(self) -> None:
        """Type the first drawn point into the Ask row and press Return."""
        click_at(self.centre(self.training.ask_row.field))
        xdotool("type", "--delay", "20", "--", ", ".join(f"{v:g}" for v in DRAWN[0]))
        xdotool("key", "Return")

    def answered(self) -> bool:
        return "epoch" in self.training.ask_row.answer.text()

    def finish(self) -> None:
        stack, spec = self.window.document.undo_stack, self.window.document.diagram.dataset
        self.report.update({
            "steps": [stack.text(i) for i in range(stack.count())],
            "dataset": spec.name, "points": len(spec.points), "drawn": spec.points[-3:],
            "after": self.boundary_at_drawn(), "answer": self.training.ask_row.answer.text()})
        print(json.dumps(self.report), flush=True)
        self.window.document.undo_stack.setClean()  # quit without the unsaved question
        self.app.quit()

    # ------------------------------------------------------------ where things are
    def shoot(self, name: str):
        def grab() -> None:
            from graph_engine.core.files import write_atomic
            from gui.images import png_bytes

            screen = self.app.primaryScreen()
            if not self.dock_only:
                picture = screen.grabWindow(0, 0, 0, *SIZE)  # the X server's own pixels
                write_atomic(self.out / f"{name}-window.png", png_bytes(picture))
            dock = self.window.docks["output"]
            corner = dock.mapToGlobal(dock.rect().topLeft())
            close = screen.grabWindow(0, corner.x(), corner.y(), dock.width(), dock.height())
            write_atomic(self.out / f"{name}.png", png_bytes(close))
        return grab

    def centre(self, widget):
        return widget.mapToGlobal(widget.rect().center())

    def on_plot(self, x: float, y: float):
        view = self.plot.plot
        scene = view.getViewBox().mapViewToScene(QPointF(x, y))
        return view.viewport().mapToGlobal(view.mapFromScene(scene))

    def boundary_at_drawn(self) -> list[float]:
        """The class-1 probability the Output plot shows at each drawn point."""
        result = self.training.controller.state.probes.get("output") or {}
        probs, (x0, x1, y0, y1) = result["probs"], result["bounds"]
        cells = probs.shape[0] - 1
        return [round(float(probs[round((y - y0) / (y1 - y0) * cells),
                                  round((x - x0) / (x1 - x0) * cells), 1]), 3)
                for x, y in DRAWN]


def example(argv: list[str], folder: str) -> Path:
    """The XOR example, or with ``--samples N`` a copy of it with N points in
    ``folder`` (not OUT_FOLDER, which may be docs/images)."""
    path = Path(__file__).resolve().parents[3] / "resources" / "examples" / "xor.json"
    if "--samples" not in argv:
        return path
    document = json.loads(path.read_text())
    document["dataset"]["samples"] = int(argv[argv.index("--samples") + 1])
    copy = Path(folder) / "xor.json"
    copy.write_text(json.dumps(document))
    return copy


def main(argv: list[str]) -> int:
    from gui.app import make_application
    from gui.mainwindow import MainWindow

    out = Path(argv[0])
    app = make_application([])
    window = MainWindow(restore_layout=False)
    window.move(0, 0)
    window.resize(*SIZE)
    window.show()
    window.raise_()
    copies = tempfile.TemporaryDirectory()
    window.files.open_path(str(example(argv, copies.name)), ask=False)
    window.statusBar().clearMessage()
    teacher = Teacher(app, window, out, argv)
    QTimer.singleShot(1500, teacher.run)
    QTimer.singleShot(150_000, app.quit)  # a watchdog: the lesson takes under a minute
    app.exec()
    window.training.shutdown()
    copies.cleanup()
    return 0 if "after" in teacher.report else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
