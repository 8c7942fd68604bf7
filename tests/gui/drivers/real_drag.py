"""Run under Xvfb: drag a palette entry onto the canvas with the real mouse.

xdotool moves the X server's pointer and presses its button, so the whole
path is real: press in the palette, QDrag.exec, X motion events, the drop
on the canvas. A watchdog cancels the drag (Escape) and quits if the drop
never comes. Prints the block types in the diagram once the drop is seen.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from PySide6.QtCore import QTimer


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10)


def gesture(start, end) -> None:
    """Press on the palette entry, move in steps, release over the canvas."""
    xdotool("mousemove", str(start.x()), str(start.y()))
    time.sleep(0.3)
    xdotool("mousedown", "1")
    for i in range(1, 16):
        x = start.x() + (end.x() - start.x()) * i // 15
        y = start.y() + (end.y() - start.y()) * i // 15
        xdotool("mousemove", str(x), str(y))
        time.sleep(0.05)
    time.sleep(0.3)
    xdotool("mouseup", "1")


def main() -> int:
    from gui.app import make_application
    from gui.mainwindow import MainWindow

    app = make_application([])
    window = MainWindow(restore_layout=False)
    window.move(0, 0)
    window.resize(1300, 820)
    window.show()
    window.raise_()
    window.activateWindow()

    def start() -> None:
        palette = window.block_palette
        item = palette.item_for("Linear")
        palette.tree.scrollToItem(item)  # as a user scrolls to it in a short palette
        rect = palette.tree.visualItemRect(item)
        source = palette.tree.viewport().mapToGlobal(rect.center())
        target = window.view.viewport().mapToGlobal(window.view.viewport().rect().center())
        threading.Thread(target=gesture, args=(source, target), daemon=True).start()

    def done() -> None:
        if window.document.diagram.blocks:
            print("dropped after", round(time.perf_counter() - began, 2), "s", file=sys.stderr)
            print(",".join(b.type for b in window.document.diagram.blocks), flush=True)
            window.document.undo_stack.setClean()  # quit without the unsaved-changes question
            app.quit()

    def watchdog() -> None:
        subprocess.run(["xdotool", "key", "Escape"], timeout=5, check=False)
        print("watchdog: no drop within 20 s", file=sys.stderr)
        window.document.undo_stack.setClean()
        app.quit()

    began = time.perf_counter()
    QTimer.singleShot(800, start)
    poll = QTimer()
    poll.timeout.connect(done)
    poll.start(100)
    QTimer.singleShot(20000, watchdog)
    app.exec()
    window.training.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
