"""Run the real editor (gui.app.main) and act in it, for the crash-recovery test.

    recovery_session.py edit FILE    open FILE, make unsaved edits through the
                                     undo stack, print them, then wait to be killed
    recovery_session.py recover      answer "Recover" when the editor offers the
                                     crashed session's diagram, print what was
                                     restored, then close the window cleanly

Lines on stdout: ``EDITED <diagram JSON>``, ``ASKED <name>``,
``STATE <JSON: path, modified, title, diagram>``. The autosave interval
comes from NETCANVAS_AUTOSAVE_MS, set by the test.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def say(tag: str, value) -> None:
    print(tag, value if isinstance(value, str) else json.dumps(value), flush=True)


def the_window():
    from gui.mainwindow import MainWindow

    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))


def edit() -> None:
    from graph_engine.model.fileio import to_dict
    from gui.document import commands

    window = the_window()
    document = window.document
    diagram = document.diagram
    linear = next(b.id for b in diagram.blocks if b.type == "Linear")
    push = document.undo_stack.push
    push(commands.AddBlock(diagram, "Tanh", (420, 40)))
    push(commands.SetParams(diagram, linear, {"out_features": 5}))
    push(commands.Rename(diagram, linear, "hidden layer"))
    push(commands.SetTraining(diagram, diagram.training.with_(lr=0.005)))
    say("EDITED", to_dict(diagram))


def report_and_close() -> None:
    from graph_engine.model.fileio import to_dict
    from gui import dialogs

    window = the_window()
    document = window.document
    say("STATE", {"path": document.path, "modified": document.modified,
                  "title": window.windowTitle(), "diagram": to_dict(document.diagram)})
    dialogs.ask_unsaved = lambda *args: "discard"  # quit without saving: a clean exit
    window.close()


def main() -> int:
    from gui import app as app_module
    from gui import dialogs

    mode = sys.argv[1]
    app_module.make_application([])

    def ask_recover(parent, name, when):
        say("ASKED", name)
        return "recover" if mode == "recover" else "later"

    dialogs.ask_recover = ask_recover
    if mode == "edit":
        QTimer.singleShot(500, edit)
        return app_module.main([sys.argv[2]])
    QTimer.singleShot(1000, report_and_close)
    return app_module.main([])


if __name__ == "__main__":
    sys.exit(main())
