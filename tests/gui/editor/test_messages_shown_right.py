"""The editor says what is true: what stops training is red, an empty canvas is
not, the autograd example is told it is for tracing, File → Open Example lists
the lessons by title, and a combo box's popup shows its current item."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QComboBox

import graph_engine as ge
from graph_engine.checks.readiness import EMPTY, NOTHING_TO_TRAIN
from gui import style
from gui.editor.file_actions import example_paths

ERROR_RED = "#B91C1C"


def test_an_empty_canvas_is_not_red(window):
    assert [p.code for p in window.problems.all()] == [EMPTY.code]
    assert ERROR_RED not in window.problem_label.styleSheet()
    assert "error" not in window.problem_label.text()


def test_play_on_an_empty_canvas_says_it_is_empty(window):
    window.training.toolbar.play.trigger()
    assert window.note.isVisible() and "canvas is empty" in window.note.text()
    assert not window.training.controller.running


def test_a_missing_loss_and_data_set_are_red_errors(window, qtbot):
    d = ge.Diagram()
    x = d.add("Input", features=2)
    d.connect(x, d.add("Linear", out_features=2))
    window.document.replace(d)
    shown = {p.code: p.severity for p in window.problems.all()}
    assert shown["no-loss"] == "error" and shown["no-dataset"] == "error"
    assert ERROR_RED in window.problem_label.styleSheet()
    assert window.problem_label.text().startswith("2 errors")


def test_the_autograd_example_is_told_to_trace_not_to_add_a_loss(window):
    [path] = [p for p in example_paths() if p.stem == "autograd"]
    assert window.files.open_example(str(path))
    assert [p.code for p in window.problems.all()] == [NOTHING_TO_TRAIN.code]
    window.training.toolbar.play.trigger()
    assert "Backprop" in window.note.text()


def test_open_example_lists_the_lessons_by_title(window):
    titles = {a.data(): a.text() for a in window.examples_menu.actions() if a.data()}
    for path in example_paths():
        title = ge.load(path).title
        assert titles[str(path)] == title.replace("&", "&&")
    assert "XOR without a hidden layer" in titles.values()


@pytest.fixture
def styled(qtbot):
    """The editor's style sheet on the application, as ``netcanvas`` sets it."""
    app = QApplication.instance()
    before = app.styleSheet()
    app.setStyleSheet(style.style_sheet())
    yield
    app.setStyleSheet(before)


def test_a_combo_box_popup_shows_its_current_item(styled, window, qtbot):
    """The current item is drawn highlighted with its text, not as a blank box."""
    combo = window.findChild(QComboBox, "paceBox")
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=3000)
    try:
        assert view.currentIndex().row() == combo.currentIndex()
        row = view.visualRect(view.currentIndex())
        image = view.viewport().grab(row).toImage()
        colours = {QColor(image.pixel(x, y)).name() for x in range(image.width())
                   for y in range(image.height())}
        highlight = view.palette().highlight().color().name()
        assert highlight in colours  # highlighted, as a list's current row is
        darkness = [QColor(c).lightness() for c in colours]
        assert np.min(darkness) < 100  # and its text is drawn on it
    finally:
        combo.hidePopup()
