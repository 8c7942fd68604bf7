"""Text from a file is shown as text: nothing a diagram, an exercise or a table
holds is rendered as rich text, and nothing it names is loaded.

The window opens a hostile exercise (its title, its Markdown task, its checks'
hints), its start diagram (the title, the description, every block's name, a
note, the exercise it answers) and a table whose column and class names hold
``<img src=...>`` pointing at a FIFO. A thread watches the FIFO: opening it is
exactly what Qt does to load an image (a FIFO never answers, /dev/urandom never
ends), so the test fails the moment anything tries. Every block is selected
and every dock shown; then a walk of every widget, item view, tooltip and
graphics item asserts that none shows the text as rich text, and that the
only documents holding an image are NetCanvas's Markdown views, which load
nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import pairwise

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QGraphicsTextItem,
    QGraphicsView,
    QLabel,
    QMessageBox,
    QTextEdit,
)

import graph_engine as ge
from graph_engine.data.spec import CsvSource, DatasetSpec
from graph_engine.model import fileio
from gui import dialogs, tasks
from gui.plain_text import MarkdownView, SafeDocument, escape, tooltip

WATCH = """
import os, sys, time
path, out = sys.argv[1], sys.argv[2]
while True:
    try:  # succeeds only while a reader has the FIFO open (and releases that reader)
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        time.sleep(0.002)
        continue
    os.close(fd)
    with open(out, "a") as seen:
        seen.write("x")
"""


class Probe:
    """A FIFO, and a process that counts how often something opens it to read (a
    process, not a thread: a reader blocked in Qt may hold the interpreter's lock)."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="p", dir="/tmp")  # short: names hold 64
        self.path = os.path.join(self.folder, "f")
        self.seen = os.path.join(self.folder, "seen")
        os.mkfifo(self.path)
        self.watcher = subprocess.Popen([sys.executable, "-c", WATCH, self.path, self.seen])

    @property
    def opened(self) -> int:
        time.sleep(0.05)
        return len(open(self.seen).read()) if os.path.exists(self.seen) else 0

    def close(self) -> None:
        self.watcher.kill()
        self.watcher.wait()
        shutil.rmtree(self.folder)


@pytest.fixture
def probe():
    found = Probe()
    yield found
    found.close()


def tag(probe: Probe) -> str:
    return f'<img src="{probe.path}">'


def hostile_files(probe: Probe, folder) -> tuple[str, str]:
    """An exercise and its start diagram, every text of them holding the tag."""
    img = tag(probe)
    rows = [f"{i * 0.1:.2f},{(i * 7) % 10 * 0.1:.2f},{'<b>' + img if i % 2 else 'dog'}"
            for i in range(40)]
    (folder / "t.csv").write_text(f'"{img}a","{img}b",y\n' + "\n".join(
        f'{r.rsplit(",", 1)[0]},"{r.rsplit(",", 1)[1].replace(chr(34), chr(34) * 2)}"'
        for r in rows) + "\n")
    d = ge.Diagram()
    d.title, d.description = "T" + img, "D<b>bold</b>\n" + img
    blocks = [("Input", {"features": 2}), ("Linear", {"out_features": 4}), ("ReLU", {}),
              ("Linear", {"out_features": 2}), ("CrossEntropyLoss", {})]
    ids = [d.add_block(kind, params, (200 * i, 0), name=f"{i}{img}")
           for i, (kind, params) in enumerate(blocks)]
    for a, b in pairwise(ids):
        d.connect(a, b)
    d.add_block("Linear", {"out_features": 3}, (0, 200), name="X" + img)  # fed by nothing
    d.add_note("note " + img, (0, 300))
    d.exercise = "E" + img
    d.dataset = DatasetSpec("csv", csv=CsvSource(str(folder / "t.csv"), target="y"))
    ge.save(d, folder / "answer.json")
    exercise = {"format": "netcanvas-exercise", "version": 1, "title": "E" + img,
                "task": f"# Task {img}\n\n![x]({probe.path}) and {img} and "
                        f"[a link]({probe.path})",
                "start": fileio.to_dict(d), "dataset": d.dataset.to_dict(),
                "training": {"epochs": 2},
                "checks": [{"id": "valid", "kind": "valid", "hint": "hint " + img}]}
    (folder / "exercise.json").write_text(json.dumps(exercise))
    return str(folder / "exercise.json"), str(folder / "answer.json")


def rich(text_format, text: str) -> bool:
    return text_format in (Qt.TextFormat.RichText, Qt.TextFormat.MarkdownText) or (
        text_format == Qt.TextFormat.AutoText and QtGui.mightBeRichText(text))


def model_tooltips(model, parent=None):
    parent = parent or QModelIndex()
    for row in range(model.rowCount(parent)):
        for column in range(model.columnCount(parent)):
            index = model.index(row, column, parent)
            yield str(model.data(index, Qt.ItemDataRole.ToolTipRole) or "")
            if column == 0:
                yield from model_tooltips(model, index)


def rich_file_text(app, mark: str) -> list[str]:
    """Every place the hostile text is shown as rich text."""
    found = []
    for widget in app.allWidgets():
        where = f"{type(widget).__name__} {widget.objectName()!r}"
        if isinstance(widget, QLabel) and mark in widget.text() and \
                rich(widget.textFormat(), widget.text()):
            found.append(f"{where}: {widget.text()[:80]}")
        tips = [widget.toolTip()]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            tips += list(model_tooltips(widget.model()))
        if isinstance(widget, QGraphicsView) and widget.scene() is not None:
            for item in widget.scene().items():
                tips.append(item.toolTip())
                if isinstance(item, QGraphicsTextItem) and "<img" in item.toHtml():
                    found.append(f"{where}: a graphics text shows an image")
        found += [f"{where}: tooltip {tip[:80]}" for tip in tips
                  if mark in tip and QtGui.mightBeRichText(tip)]
        if isinstance(widget, QTextEdit) and "<img" in widget.toHtml() and \
                not isinstance(widget.document(), SafeDocument):
            found.append(f"{where}: a document that may load its images")
    return found


def show_everything(window, qtbot) -> None:
    app = QApplication.instance()
    tasks.settle(app)
    for dock in window.docks.values():
        dock.show()
        dock.raise_()
        qtbot.wait(10)
    for block in window.document.diagram.blocks:
        window.scene.select_blocks([block.id])
        qtbot.wait(30)
    window.scene.select_blocks([])
    tasks.settle(app)
    qtbot.wait(100)


def test_no_widget_shows_file_text_as_rich_text(window, qtbot, probe, tmp_path):
    exercise, answer = hostile_files(probe, tmp_path)
    app = QApplication.instance()
    assert window.files.open_path(answer, ask=False)  # answers an exercise not yet opened:
    assert window.note.isVisible() and tag(probe) in window.note.text()  # a note says so
    show_everything(window, qtbot)
    assert rich_file_text(app, tag(probe)) == []
    window.document.undo_stack.setClean()
    assert window.exercises.open_path(exercise, ask=False)
    show_everything(window, qtbot)
    assert "Task" in window.exercises.panel.task.toPlainText()  # the task is shown
    assert rich_file_text(app, tag(probe)) == []
    assert probe.opened == 0, "something loaded the image a file named"


def test_a_markdown_view_loads_no_image_and_follows_no_link(qtbot, probe):
    view = MarkdownView()
    qtbot.addWidget(view)
    view.setMarkdown(f"![x]({probe.path})\n\n<img src=\"{probe.path}\">\n\n[go]({probe.path})")
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    view.grab()  # laid out and painted: every image it would load is asked for
    view.anchorClicked.emit(view.document().baseUrl().resolved(probe.path))
    qtbot.wait(50)
    assert probe.opened == 0
    assert view.source().isEmpty()  # the link loaded nothing into the view


def test_message_boxes_show_their_text_as_written(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(
        (box.textFormat(), box.text())) or 0)
    text = 'cannot read <img src="/dev/urandom">.json'
    dialogs._message(None, QMessageBox.Icon.Critical, "Title", text)
    assert shown == [(Qt.TextFormat.PlainText, text)]


@pytest.mark.parametrize("text", ["plain words", "a <b>tag</b>", "<img src=x>\nline 2"])
def test_a_tooltip_shows_its_text_as_written(text):
    shown = tooltip(text)
    if QtGui.mightBeRichText(text):
        assert shown == f"<p>{escape(text)}</p>" and "<img" not in shown
    else:
        assert shown == text
