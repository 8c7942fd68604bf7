"""Importing a CSV file as a data set: pick the target and feature columns,
the task (guessed, changeable) and standardisation. Problems with the file
(ragged rows, text in a number column, an empty file) are shown in the
dialog, which stays open until the choice works or is cancelled."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from graph_engine.data import datasets
from graph_engine.data.csv_data import guess_task, read_table
from graph_engine.data.datasets import DatasetError
from graph_engine.data.spec import TASKS, CsvSource, DatasetSpec

from .. import dialogs
from ..style import text_label

CSV_FILTER = "CSV files (*.csv *.txt);;All files (*)"


def choose_csv(window, current: DatasetSpec | None) -> DatasetSpec | None:
    path = dialogs.open_path(window, "Import a CSV data set", file_filter=CSV_FILTER)
    if not path:
        return None
    try:
        table = read_table(path)
    except DatasetError as error:
        dialogs.show_error(window, "Cannot import CSV", str(error))
        return None
    dialog = CsvDialog(window, path, table, current)
    return dialog.spec if dialog.exec() == QDialog.DialogCode.Accepted else None


class CsvDialog(QDialog):
    def __init__(self, parent, path: str, table, current: DatasetSpec | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import CSV data set")
        self.path, self.table, self.spec = path, table, None
        self.target = QComboBox()
        self.target.addItems(table.header)
        self.target.setCurrentIndex(len(table.header) - 1)
        self.target.currentIndexChanged.connect(self._target_changed)
        self.features = QListWidget()
        self.task = QComboBox()
        self.task.addItems(TASKS)
        self.standardize = QCheckBox("Standardise the features (mean 0, deviation 1)")
        self.standardize.setChecked(True)
        self.error = text_label("", "errorText")
        self.guess = QLabel()
        self.guess.setObjectName("helpText")
        form = QFormLayout()
        form.addRow("File", QLabel(path))
        form.addRow("Target column", self.target)
        form.addRow("Feature columns", self.features)
        form.addRow("Task", self.task)
        form.addRow("", self.guess)
        form.addRow("", self.standardize)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._target_changed()

    def _target_changed(self) -> None:
        target = self.target.currentText()
        self.features.clear()
        for name in self.table.header:
            if name != target:
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
                self.features.addItem(item)
        guessed = guess_task(self.table, target)
        self.guess.setText(f"From the target column this looks like {guessed}.")

    def chosen_features(self) -> tuple[str, ...]:
        return tuple(self.features.item(i).text() for i in range(self.features.count())
                     if self.features.item(i).checkState() == Qt.CheckState.Checked)

    def accept(self) -> None:
        try:
            source = CsvSource(self.path, self.chosen_features(), self.target.currentText(),
                               self.task.currentText(), self.standardize.isChecked())
            if not source.features:
                raise ValueError("choose at least one feature column")
            spec = DatasetSpec("csv", csv=source)
            datasets.info(spec)  # reads every row: reports text in number columns
        except ValueError as error:
            self.error.setText(str(error))
            return
        self.spec = spec
        super().accept()
