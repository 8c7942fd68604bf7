"""Importing a table file (CSV, TSV or Parquet) as a data set.

The dialog previews the first rows with the type inferred for each column
(number, or text one-hot encoded), and offers the target and feature
columns, the task (guessed, changeable), what to do with missing values and
standardisation. Problems with the file (ragged rows, text in a number
column, an empty file) are shown in the dialog, which stays open until the
choice works or is cancelled. It only returns a spec: the Data panel applies
it as one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from graph_engine.data import datasets
from graph_engine.data.csv_data import (
    NUMBER,
    ColumnSummary,
    guess_task,
    likely_target,
    read_table,
    rows_with_missing,
    summarize,
)
from graph_engine.data.datasets import DatasetError
from graph_engine.data.spec import TASKS, CsvSource, DatasetSpec
from graph_engine.data.tabular import NAMES, Table

from .. import dialogs
from ..plain_text import show_plain
from ..style import text_label

CSV_FILTER = ("Tables (*.csv *.tsv *.tab *.txt *.parquet *.pq);;CSV files (*.csv *.txt);;"
              "All files (*)")
PREVIEW_ROWS = 8
PREVIEW_COLUMNS = 40  # a wide file (MNIST: 785 columns) shows its first ones
MISSING_CHOICES = (("drop", "Drop the rows that have a missing value"),
                   ("mean", "Fill a missing value with its column's mean"))


def choose_csv(parent: QWidget, current: DatasetSpec | None) -> DatasetSpec | None:
    path = dialogs.open_path(parent, "Import a table as a data set", file_filter=CSV_FILTER)
    if not path:
        return None
    try:
        table = read_table(path)
    except DatasetError as error:
        dialogs.show_error(parent, "Cannot import the file", str(error))
        return None
    dialog = CsvDialog(parent, path, table, current)
    return dialog.spec if dialog.exec() == QDialog.DialogCode.Accepted else None


def preview_table(table: Table, shown: list[ColumnSummary]) -> QTableWidget:
    """The first rows of the ``shown`` columns, each headed by its name and the
    type NetCanvas inferred for it."""
    rows = min(PREVIEW_ROWS, table.rows)
    widget = QTableWidget(rows, len(shown))
    widget.setHorizontalHeaderLabels([f"{c.name}\n{c.describe()}" for c in shown])
    widget.setVerticalHeaderLabels([str(i + 1) for i in range(rows)])
    head = table.frame.iloc[:rows, :len(shown)]
    for column in range(len(shown)):
        for row, value in enumerate(head.iloc[:, column]):
            item = QTableWidgetItem(_cell(value))
            if shown[column].kind == NUMBER:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget.setItem(row, column, item)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay with the choices below
    widget.resizeColumnsToContents()
    widget.setMinimumHeight(190)
    return widget


def _cell(value) -> str:
    """A cell as text: "" when missing, 142 rather than 142.0 (a column of whole
    numbers with a gap is read as floats)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


class CsvDialog(QDialog):
    def __init__(self, parent, path: str, table: Table, current: DatasetSpec | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a table as a data set")
        self.setMinimumWidth(720)
        self.path, self.table = path, table
        self.spec: DatasetSpec | None = None
        self.columns = summarize(table, PREVIEW_COLUMNS)
        self.preview = preview_table(table, self.columns)
        self.target = QComboBox()
        self.target.addItems(table.header)
        self.target.setCurrentText(likely_target(table.header))
        self.target.currentIndexChanged.connect(self._target_changed)
        self.features = QListWidget()
        self.features.setMaximumHeight(110)
        self.task = QComboBox()
        self.task.addItems(TASKS)
        self.missing = QComboBox()
        for value, label in MISSING_CHOICES:
            self.missing.addItem(label, value)
        self.standardize = QCheckBox("Standardise the features (mean 0, deviation 1)")
        self.standardize.setChecked(True)
        self.error = text_label("", "errorText")
        self.guess = text_label("", "helpText")
        self._build(self._about(table))
        self._target_changed()
        self._show_current(current)

    def _about(self, table: Table) -> str:
        shown = min(PREVIEW_COLUMNS, len(table.header))
        columns = f"{len(table.header):,} columns" + (
            f" (the first {shown} shown)" if shown < len(table.header) else "")
        gaps = rows_with_missing(table)
        missing = f"; {gaps:,} of them have a missing value" if gaps else ""
        return f"{NAMES[table.format].capitalize()} file: {table.rows:,} rows{missing}, {columns}."

    def _build(self, about: str) -> None:
        form = QFormLayout()
        form.addRow("File", show_plain(QLabel(), self.path))
        form.addRow("", text_label(about, "helpText"))
        form.addRow("Target column", self.target)
        form.addRow("Feature columns", self.features)
        form.addRow("Task", self.task)
        form.addRow("", self.guess)
        form.addRow("Missing values", self.missing)
        form.addRow("", self.standardize)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        title = QLabel("The first rows, with the type read for each column")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        layout.addWidget(self.preview)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _show_current(self, current: DatasetSpec | None) -> None:
        """Reopening the file the diagram trains on starts from its choices."""
        source = current.csv if current is not None else None
        if source is None or source.path != self.path:
            return
        if source.target in self.table.header:
            self.target.setCurrentText(source.target)
        if source.features:
            for i in range(self.features.count()):
                item = self.features.item(i)
                item.setCheckState(Qt.CheckState.Checked if item.text() in source.features
                                   else Qt.CheckState.Unchecked)
        self.task.setCurrentText(source.task)
        self.missing.setCurrentIndex(self.missing.findData(source.missing))
        self.standardize.setChecked(source.standardize)

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
        for i, column in enumerate(self.columns):  # the target is not a feature
            kind = f"target ({guessed})" if column.name == target else column.describe()
            header = self.preview.horizontalHeaderItem(i)
            if header is not None:
                header.setText(f"{column.name}\n{kind}")
        self.preview.resizeColumnsToContents()

    def chosen_features(self) -> tuple[str, ...]:
        return tuple(self.features.item(i).text() for i in range(self.features.count())
                     if self.features.item(i).checkState() == Qt.CheckState.Checked)

    def accept(self) -> None:
        try:
            source = CsvSource(self.path, self.chosen_features(), self.target.currentText(),
                               self.task.currentText(), self.standardize.isChecked(),
                               missing=self.missing.currentData())
            if not source.features:
                raise ValueError("choose at least one feature column")
            spec = DatasetSpec("csv", csv=source)
            datasets.info(spec)  # reads every row: reports text in number columns
        except ValueError as error:
            self.error.setText(str(error))
            return
        self.spec = spec
        super().accept()
