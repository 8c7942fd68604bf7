"""``python main.py FILE --screenshot OUT.png [--epochs N] [--view NAME] [--size WxH]``.

The window as a student sees it, saved as a PNG: for lesson slides and for
the docs' pictures. ``--epochs`` trains that many epochs first (as fast as
possible; the diagram keeps its own pace), ``--view`` brings one view to the
front. Qt is imported only when a shot is taken, so the command line can
check its arguments first.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

# --view NAME -> the dock it raises ("inside" selects a block: the Selected block
# dock shows its activation, its units and its weights).
VIEWS: dict[str, str] = {
    "editor": "",
    "boundary": "output",
    "curves": "curves",
    "gradients": "gradients",
    "histograms": "histograms",
    "confusion": "confusion",
    "inside": "selected",
    "code": "code",
    "data": "data",
    "problems": "problems",
    "neurons": "",  # View → Neuron View in the centre, in place of the blocks
}
MAX_EPOCHS = 1_000_000


class ShotError(Exception):
    """The shot cannot be taken; the text says why."""


def pump(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait(app, condition: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise ShotError(f"timed out after {timeout:g} s waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def train(app, window, epochs: int, timeout: float = 600) -> None:
    """Train ``epochs`` epochs as fast as possible and wait until every view has
    drawn the last one."""
    from graph_engine.server.protocol import Status

    controller = window.training.controller
    refusals: list[str] = []
    controller.refused.connect(lambda why, message: refusals.append(message))
    if not controller.play(epochs=epochs, pace=0.0):
        raise ShotError(refusals[-1] if refusals else "the diagram cannot train")
    wait(app, lambda: not controller.running or bool(refusals), timeout,
         f"{epochs} epochs of training")
    if controller.state.status == Status.FAILED or refusals:
        raise ShotError(controller.state.message or refusals[-1])
    pump(app, 0.8)  # the last probes (boundary, unit maps) arrive after the last epoch


def show_view(app, window, name: str) -> None:
    from . import tasks

    dock = VIEWS[name]
    if name == "inside":
        _select_inside(window)
        tasks.settle(app)  # the activation's curve is computed in the background
    if name == "neurons":
        window.neuron_view.action.setChecked(True)
    if dock:
        window.docks[dock].show()
        window.docks[dock].raise_()
    pump(app, 0.8)


def _select_inside(window) -> None:
    """Select the first activation (else the first block with weights), whose
    units and curves the Selected block dock then shows."""
    blocks = window.document.diagram.blocks
    chosen = next((b for b in blocks if b.spec.nonlinear), None) or \
        next((b for b in blocks if b.spec.dense), None)
    if chosen is not None:
        window.scene.select_blocks([chosen.id])


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ShotError(f"--size must look like 1400x880, got {text!r}") from None
    if not (320 <= width <= 8192 and 240 <= height <= 8192):
        raise ShotError(f"--size {text} is outside 320x240 to 8192x8192")
    return width, height


def take(app, window, path: str, size: str, epochs: int = 0, view: str = "editor") -> int:
    """Lay the window out at ``size``, train, show ``view``, save a PNG; 0, or 2
    with the reason on stderr."""
    from . import tasks
    from .images import save_png

    try:
        width, height = parse_size(size)
        window.resize(width, height)
        window.show()
        pump(app, 0.1)
        tasks.settle(app)  # the data set preview loads in the background
        window.view.fit()
        if epochs:
            train(app, window, epochs)
        show_view(app, window, view)
        save_png(window.grab(), path)  # atomic: a full disk keeps the old picture
    except ShotError as error:
        print(f"netcanvas: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"netcanvas: cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    finally:
        window.training.shutdown()
        tasks.abandon()
    return 0
