"""Bad input in the editor: typed into the inspector, the Data panel, the
training toolbar and the CSV import. Each is refused with a message and
changes nothing (the diagram and the undo stack stay as they were)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QSpinBox

import graph_engine as ge
from graph_engine.data.csv_data import read_table
from graph_engine.model import fileio
from gui import dialogs
from gui.document import commands
from gui.panels.csv_dialog import CsvDialog


def add(window, type_name: str, **params) -> str:
    command = commands.AddBlock(window.document.diagram, type_name, (0, 0), params)
    window.document.undo_stack.push(command)
    return command.block_id


class Unchanged:
    """Remembers the diagram and the undo stack; checks neither moved."""

    def __init__(self, window) -> None:
        self.window = window
        self.diagram = fileio.to_dict(window.document.diagram)
        self.count = window.document.undo_stack.count()

    def check(self) -> None:
        assert fileio.to_dict(self.window.document.diagram) == self.diagram
        assert self.window.document.undo_stack.count() == self.count


def type_into(widget, text: str) -> None:
    """Select everything, type ``text`` key by key, press Enter."""
    line = widget.lineEdit() if hasattr(widget, "lineEdit") else widget
    line.setFocus()
    line.selectAll()
    QTest.keyClicks(line, text)
    QTest.keyClick(line, Qt.Key.Key_Return)


TEXT_FIELDS = [
    ("LeakyReLU", "negative_slope", "abc", "negative_slope must be a number"),
    ("LeakyReLU", "negative_slope", "5", "negative_slope must satisfy"),
    ("LeakyReLU", "negative_slope", "nan", "must be a finite number"),
    ("Dropout", "p", "-0.5", "p must satisfy"),
    ("Dropout", "p", "1e999", "must be a finite number"),
    ("BatchNorm1d", "eps", "0", "eps must satisfy"),
    ("CustomActivation", "formula", "x.__class__", "unexpected character"),
    ("CustomActivation", "formula", "__import__('os')", "unexpected character"),
    ("CustomActivation", "formula", "x ** 1e9", "numbers must lie within"),
    ("CustomActivation", "formula", "lambda: x", "unexpected character"),
    ("CustomActivation", "formula", "exp(x", "expected ')'"),
    ("CustomActivation", "formula", "2 * alpha", "must use x"),
]


@pytest.mark.parametrize("type_name, param, text, expected", TEXT_FIELDS)
def test_bad_text_in_an_inspector_field_is_refused(window, type_name, param, text, expected):
    block = add(window, type_name)
    window.scene.select_blocks([block])
    editor = window.inspector.editors[param]
    assert isinstance(editor.widget, QLineEdit)
    unchanged = Unchanged(window)
    type_into(editor.widget, text)
    assert expected in window.inspector.error.text()
    assert editor.widget.property("invalid") is True
    unchanged.check()


# typed text -> what the spin box keeps; every refused key is explained
SPIN_BOXES = [("Linear", "out_features", "abc", 8), ("Linear", "out_features", "99999", 999),
              ("Linear", "out_features", "-4", 4), ("Input", "features", "2.5", 25),
              ("PReLU", "num_parameters", "1e3", 13)]


@pytest.mark.parametrize("type_name, param, text, kept", SPIN_BOXES)
def test_refused_keys_in_a_whole_number_field_are_explained(window, type_name, param, text,
                                                            kept):
    block = add(window, type_name)
    window.scene.select_blocks([block])
    box = window.inspector.editors[param].widget
    assert isinstance(box, QSpinBox)
    unchanged = Unchanged(window)
    type_into(box, text)
    box.clearFocus()
    assert f"{param} is a whole number, 1 <= {param} <= 4096" in window.inspector.error.text()
    assert box.value() == kept == window.document.diagram.block(block).params[param]
    if kept == unchanged.diagram["blocks"][-1]["params"][param]:
        unchanged.check()  # nothing was left to commit
    type_into(box, "3")  # the next good value clears the message
    assert window.inspector.error.text() == ""


def test_a_number_below_the_minimum_is_put_back(window):
    block = add(window, "Linear")
    window.scene.select_blocks([block])
    box = window.inspector.editors["out_features"].widget
    unchanged = Unchanged(window)
    type_into(box, "0")
    box.clearFocus()
    assert box.value() == 8
    unchanged.check()


def test_a_blank_block_name_is_refused(window):
    block = add(window, "ReLU")
    window.scene.select_blocks([block])
    field = window.inspector.widget().findChild(QLineEdit, "blockName")
    unchanged = Unchanged(window)
    type_into(field, "   ")
    unchanged.check()
    assert window.document.diagram.block(block).name == "ReLU 1"


def with_dataset(window) -> None:
    d = ge.Diagram()
    d.connect(d.add("Input", features=2), d.add("Linear", out_features=2))
    d.dataset = "circle"
    window.document.replace(d)


DATA_FIELDS = [
    ("editors", "noise", "abc", "noise must be a number"),
    ("editors", "noise", "0.9", "noise must satisfy 0 <= noise <= 0.5"),
    ("editors", "train_ratio", "1.5", "train_ratio must satisfy"),
    ("editors", "train_ratio", "-inf", "must be a finite number"),
    ("training", "lr", "abc", "lr must be a number"),
    ("training", "lr", "0", "lr must satisfy"),
    ("training", "lr", "-1", "lr must satisfy"),
    ("training", "l2", "11", "l2 must satisfy"),
]


@pytest.mark.parametrize("group, name, text, expected", DATA_FIELDS)
def test_bad_data_and_training_settings_are_refused(window, group, name, text, expected):
    with_dataset(window)
    panel = window.training.data_panel
    editor = getattr(panel, group)[name]
    unchanged = Unchanged(window)
    type_into(editor.widget, text)
    assert expected in panel.error.text()
    unchanged.check()


@pytest.mark.parametrize("name, text", [("samples", "5"), ("samples", "abc"),
                                        ("seed", "-1"), ("batch_size", "0"),
                                        ("epochs", "0")])
def test_bad_whole_numbers_in_the_data_panel_are_refused(window, name, text):
    with_dataset(window)
    panel = window.training.data_panel
    editor = panel.editors.get(name) or panel.training[name]
    box = editor.widget
    value = box.value()
    unchanged = Unchanged(window)
    type_into(box, text)
    box.clearFocus()
    if box.value() == value:
        unchanged.check()
    else:
        assert box.minimum() <= box.value() <= box.maximum()


@pytest.mark.parametrize("text", ["abc", "0", "1e-9", "-0.1", "1e7", "nan"])
def test_a_bad_learning_rate_in_the_toolbar_is_refused(window, text):
    with_dataset(window)
    unchanged = Unchanged(window)
    type_into(window.training.toolbar.lr, text)
    assert "lr must" in window.statusBar().currentMessage()
    assert window.training.toolbar.lr.currentText() == "0.03"  # the field shows the real value
    unchanged.check()


# ------------------------------------------------------------------ CSV import

def choose_csv_file(window, monkeypatch, path) -> list:
    """Pick "CSV file…" in the Data panel with ``path`` as the chosen file."""
    shown = []
    monkeypatch.setattr(dialogs, "open_path", lambda *a, **k: str(path))
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append(text))
    panel = window.training.data_panel
    panel._chosen(panel.choice.findData("csv"))
    return shown


@pytest.mark.parametrize("text, expected", [
    ("a,b,y\n1,2,0\n3,4\n", "line 3 has 2 fields"),
    ("", "the file is empty"),
    ("a,b,y\n", "at least two data rows"),
])
def test_a_malformed_csv_file_is_refused_before_the_dialog(window, monkeypatch, tmp_path,
                                                           text, expected):
    with_dataset(window)
    path = tmp_path / "data.csv"
    path.write_text(text)
    unchanged = Unchanged(window)
    shown = choose_csv_file(window, monkeypatch, path)
    assert len(shown) == 1 and expected in shown[0]
    unchanged.check()
    panel = window.training.data_panel
    assert panel.choice.currentData() == "circle"  # the choice goes back to the real data set


def test_the_csv_dialog_shows_bad_values_and_stays_open(window, qtbot, tmp_path):
    with_dataset(window)
    path = tmp_path / "data.csv"
    path.write_text("a,b,c,y\n1,2,3,0\n3,4,oops,1\n5,6,7,0\n7,8,9,1\n")
    dialog = CsvDialog(window, str(path), read_table(str(path)), None)
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert "line 3, column 'c': 'oops' is not a number" in dialog.error.text()
    assert dialog.isVisible() and dialog.spec is None
    for i in range(dialog.features.count()):  # untick every feature: still refused
        dialog.features.item(i).setCheckState(Qt.CheckState.Unchecked)
    ok.click()
    assert "at least one feature column" in dialog.error.text() and dialog.isVisible()
    for i in range(dialog.features.count()):  # the fix: numbers only
        item = dialog.features.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.text() != "c"
                           else Qt.CheckState.Unchecked)
    ok.click()
    assert not dialog.isVisible() and dialog.spec.csv.features == ("a", "b")
    assert window.document.diagram.dataset.name == "circle"  # only applied by the panel
