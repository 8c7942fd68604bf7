"""What a student sees on opening a file: the window's docks, the example's
lesson, the data set's points, and the ``--screenshot`` command the docs use."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from paths import EXAMPLES, ROOT
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QTabBar

import graph_engine as ge


def visible_tab_bars(window) -> list[tuple[QRect, list[str]]]:
    bars = [b for b in window.findChildren(QTabBar)
            if b.parentWidget() is window and b.isVisible()]
    return [(QRect(b.mapTo(window, QPoint(0, 0)), b.size()),
             [b.tabText(i) for i in range(b.count())]) for b in bars]


def test_no_leftover_tab_bar_is_drawn_over_the_docks(window):
    bars = visible_tab_bars(window)
    groups = [{tab.split(" (")[0] for tab in tabs} for _, tabs in bars]  # "Problems (2)"
    assert {"Blocks", "Undo History"} in groups
    assert {"Inspector", "Data"} in groups
    assert {"Training curves", "Gradients", "Activations", "Confusion matrix", "Problems",
            "Code"} in groups
    assert {"Selected block", "Backprop"} in groups
    assert len(groups) == 4  # one bar per group of tabbed docks
    for rect, tabs in bars:  # each bar lies inside the window
        assert window.rect().contains(rect), tabs


def test_every_tab_is_seen_whole_at_the_size_the_editor_opens(window, qtbot):
    window.resize(1400, 880)
    qtbot.wait(50)
    for bar in (b for b in window.findChildren(QTabBar)
                if b.parentWidget() is window and b.isVisible()):
        for index in range(bar.count()):  # none scrolled away or cut at the edge
            assert bar.rect().contains(bar.tabRect(index)), bar.tabText(index)


def test_an_opened_example_tells_its_lesson_while_nothing_is_selected(window):
    assert window.files.open_path(str(EXAMPLES / "xor.json"), ask=False)
    diagram = window.document.diagram
    texts = [label.text() for label in window.inspector.widget().findChildren(QLabel)]
    assert diagram.title in texts and diagram.description in texts
    window.scene.select_blocks([diagram.blocks[0].id])
    texts = [label.text() for label in window.inspector.widget().findChildren(QLabel)]
    assert diagram.description not in texts


def test_the_output_plot_shows_the_data_set_before_training(window, qtbot):
    assert window.files.open_path(str(EXAMPLES / "xor.json"), ask=False)
    plot = window.training.output
    spec = window.document.diagram.dataset
    data = ge.datasets.load(spec)
    qtbot.waitUntil(lambda: len(plot.train_points.data) == len(data.x_train), timeout=10_000)
    assert len(plot.test_points.data) == len(data.x_test)
    assert not plot.has_image()  # no prediction before play
    assert "Press play" in plot.note.text()


def test_screenshot_renders_the_window_and_exits_cleanly(tmp_path):
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    # moons loads through scikit-learn in the background: the shot waits for it
    diagram = ge.load(EXAMPLES / "binary-classifier-blobs.json")
    diagram.dataset = ge.DatasetSpec("moons")
    path = tmp_path / "moons.json"
    ge.save(diagram, path)
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), str(path), "--screenshot",
                           str(out), "--size", "1280x800"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "deleted" not in done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def shot(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=180)


def test_a_screenshot_after_training_shows_the_named_view(tmp_path):
    """--epochs trains first (the file keeps its own pace), --view brings a view up."""
    out = tmp_path / "grad.png"
    pace = ge.load(EXAMPLES / "xor.json").training.pace
    done = shot(tmp_path, str(EXAMPLES / "xor.json"), "--screenshot", str(out), "--epochs",
                "3", "--view", "gradients", "--size", "1280x800")
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    assert ge.load(EXAMPLES / "xor.json").training.pace == pace  # the file is untouched


@pytest.mark.parametrize(("args", "words"), [
    (["--epochs", "3"], "go with --screenshot"),
    (["--screenshot", "o.png", "--view", "nowhere"], "invalid choice: 'nowhere'"),
    (["--screenshot", "o.png", "--epochs", "-1"], "--epochs must be"),
    (["--screenshot", "o.png", "--size", "big"], "--size must look like 1400x880"),
])
def test_bad_screenshot_arguments_are_refused(tmp_path, args, words):
    done = shot(tmp_path, str(EXAMPLES / "xor.json"), *args)
    assert done.returncode == 2 and words in done.stderr
    assert not (tmp_path / "o.png").exists()


def test_screenshot_of_a_missing_file_says_so_and_exits_2(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), str(tmp_path / "nope.json"),
                           "--screenshot", str(tmp_path / "out.png")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "nope.json" in done.stderr
    assert not (tmp_path / "out.png").exists()


def test_a_long_problem_wraps_onto_several_lines(window, qtbot):
    assert window.files.open_path(str(EXAMPLES / "softmax-before-cross-entropy.json"),
                                  ask=False)
    panel = window.problems
    window.docks["problems"].show()
    window.docks["problems"].raise_()  # a tab beside the training curves
    qtbot.waitUntil(lambda: panel.topLevelItemCount() == 1, timeout=5000)
    item = panel.topLevelItem(0)
    line = panel.fontMetrics().height()
    qtbot.waitUntil(lambda: panel.visualItemRect(item).height() > 2 * line, timeout=5000)
    qtbot.wait(200)  # the tab just raised is laid out at its width, its rows re-wrapped
    # narrower panel, taller row: the whole message stays readable
    before = panel.visualItemRect(item).height()
    panel.setColumnWidth(2, panel.columnWidth(2) + 120)
    qtbot.waitUntil(lambda: panel.visualItemRect(item).height() > before, timeout=5000)


def test_help_lists_every_shortcut_from_the_real_actions(window):
    from gui.editor import help as guide

    guide.show_shortcuts(window)
    table = window.shortcuts_dialog.table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Play"] == "F5" and rows["Step"] == "F6"
    assert rows["Undo"].startswith("Ctrl+Z") and "Ctrl+S" in rows["Save"]
    assert "Wire two blocks" in rows
    window.shortcuts_dialog.close()


def test_help_opens_the_guide_and_the_block_reference_inside_the_app(window):
    titles = {a.text(): a for a in window.menuBar().actions()}
    menu = titles["&Help"].menu()
    shown = []
    for action in menu.actions():
        if action.text() in ("NetCanvas &Guide", "&Block Reference"):
            action.trigger()
            shown.append(window.help_window.page)
    assert shown == ["guide.md", "blocks.md"]
    assert window.help_window.isVisible()
    assert "Linear" in window.help_window.browser.toPlainText()  # the reference, rendered
    window.help_window.close()


def test_an_empty_canvas_says_how_to_start_and_the_hint_goes_with_the_first_block(window,
                                                                                   qtbot):
    assert window.view._empty
    # an empty canvas is a start, not a mistake: one hint, nothing red
    assert window.problem_label.text() == "1 hint"
    window.block_palette.block_requested.emit("Input")
    qtbot.waitUntil(lambda: not window.view._empty, timeout=5000)
    window.document.undo_stack.undo()
    qtbot.waitUntil(lambda: window.view._empty, timeout=5000)
