"""The table import dialog: a preview of the first rows with the type inferred
for each column, the missing-values choice, and the import as one undo step."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

import graph_engine as ge
from graph_engine.data import tabular
from graph_engine.data.csv_data import read_table
from gui import dialogs
from gui.document import commands
from gui.panels import csv_dialog
from gui.panels.csv_dialog import PREVIEW_COLUMNS, CsvDialog

TABLE = ("size,colour,weight,label\n"
         "1,red,0.5,0\n2,blue,,1\n3,green,0.7,0\n4,red,0.9,1\n5,blue,1.1,0\n6,red,1.3,1\n")


@pytest.fixture(autouse=True)
def fresh_cache():
    tabular.forget_tables()
    yield
    tabular.forget_tables()


@pytest.fixture
def table_file(tmp_path):
    path = tmp_path / "animals.csv"
    path.write_text(TABLE, encoding="utf-8")
    return str(path)


def open_dialog(qtbot, path, current=None) -> CsvDialog:
    dialog = CsvDialog(None, path, read_table(path), current)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def headers(dialog) -> list[str]:
    preview = dialog.preview
    return [preview.horizontalHeaderItem(i).text() for i in range(preview.columnCount())]


def test_the_preview_shows_the_first_rows_with_their_inferred_types(qtbot, table_file):
    dialog = open_dialog(qtbot, table_file)
    assert headers(dialog) == ["size\nnumber", "colour\ntext, 3 values: one-hot",
                               "weight\nnumber, 1 missing", "label\ntarget (classification)"]
    preview = dialog.preview
    assert preview.rowCount() == 6
    assert [preview.item(1, c).text() for c in range(4)] == ["2", "blue", "", "1"]
    assert "6 rows; 1 of them have a missing value, 4 columns" in \
        " ".join(label.text() for label in dialog.findChildren(type(dialog.guess)))
    assert dialog.guess.text() == "From the target column this looks like classification."
    dialog.target.setCurrentText("weight")  # the header follows the target
    assert headers(dialog)[2:] == ["weight\ntarget (regression)", "label\nnumber"]


def test_a_wide_file_previews_its_first_columns(qtbot, tmp_path):
    path = tmp_path / "wide.csv"
    columns = PREVIEW_COLUMNS + 20
    path.write_text(",".join(f"p{i}" for i in range(columns)) + ",y\n" +
                    "".join(",".join(["1"] * columns) + f",{r % 2}\n" for r in range(20)))
    dialog = open_dialog(qtbot, str(path))
    assert dialog.preview.columnCount() == PREVIEW_COLUMNS
    assert dialog.preview.rowCount() == csv_dialog.PREVIEW_ROWS
    texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.guess)))
    assert f"{columns + 1} columns (the first {PREVIEW_COLUMNS} shown)" in texts


@pytest.mark.parametrize("choice, rows", [("drop", 5), ("mean", 6)])
def test_the_missing_values_choice_is_in_the_spec(qtbot, table_file, choice, rows):
    dialog = open_dialog(qtbot, table_file)
    dialog.missing.setCurrentIndex(dialog.missing.findData(choice))
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.spec is not None and dialog.spec.csv.missing == choice
    data = ge.datasets.load(dialog.spec)
    assert len(data.x_all) == rows and data.info.features == 5  # colour: 3 one-hot columns


def test_reopening_the_same_file_starts_from_its_choices(qtbot, table_file):
    source = ge.DatasetSpec("csv", csv=ge.data.spec.CsvSource(
        table_file, ("size", "weight"), "label", "classification", False, missing="mean"))
    dialog = open_dialog(qtbot, table_file, source)
    assert dialog.chosen_features() == ("size", "weight")
    assert dialog.missing.currentData() == "mean" and not dialog.standardize.isChecked()
    assert dialog.task.currentText() == "classification"


def test_an_import_is_one_undo_step_that_resizes_the_input(window, qtbot, monkeypatch,
                                                           table_file):
    document = window.document
    document.undo_stack.push(commands.SetDataset(document.diagram, ge.DatasetSpec("circle")))
    add = commands.AddBlock(document.diagram, "Input", (0, 0), {"features": 2})
    document.undo_stack.push(add)
    input_id = add.block_id
    before = document.undo_stack.count()

    def choose_mean(dialog):
        dialog.missing.setCurrentIndex(dialog.missing.findData("mean"))
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs, "open_path", lambda *a, **k: table_file)
    monkeypatch.setattr(CsvDialog, "exec", choose_mean)
    panel = window.training.data_panel
    panel._chosen(panel.choice.findData("csv"))
    diagram = document.diagram
    assert diagram.dataset.csv.missing == "mean" and diagram.dataset.csv.path == table_file
    assert diagram.block(input_id).params["features"] == 5
    assert document.undo_stack.count() == before + 1
    qtbot.waitUntil(lambda: "'colour' one-hot encoded into 3 columns" in
                    panel.description.text())
    document.undo_stack.undo()
    assert diagram.dataset.name == "circle" and diagram.block(input_id).params["features"] == 2
    document.undo_stack.redo()
    assert diagram.dataset.csv.missing == "mean"


def test_the_dialog_renders(qtbot, table_file, tmp_path):
    """Rendered to a PNG (look at it when changing the dialog: the types under
    each column name, the missing-values choice)."""
    dialog = open_dialog(qtbot, table_file)
    dialog.resize(760, 620)
    qtbot.wait(20)
    picture = tmp_path / "csv-dialog.png"
    assert dialog.grab().save(str(picture))
    assert picture.stat().st_size > 5000
