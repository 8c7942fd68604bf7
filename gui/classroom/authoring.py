"""A teacher's side: File → Save as Exercise… turns the diagram on screen into an
exercise file.

The dialog asks for the title and the task (Markdown), which blocks to lock
(the blocks selected on the canvas come checked), what the student's canvas
starts with, and the checks, each added from a list of kinds with a threshold
suggested from the diagram and its run on screen
(:func:`graph_engine.classroom.authoring.suggested_check`). The data set and
the training settings are the diagram's, fixed for students and grading. The
exercise is built and read back by the engine before the file is chosen, so a
mistake is shown in the dialog and nothing is written.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from graph_engine.classroom import exercise as exercises
from graph_engine.classroom.authoring import (
    Start,
    fitting_kinds,
    make_exercise,
    suggested_check,
)
from graph_engine.classroom.exercise import KINDS, MAX_HINT, Check
from graph_engine.classroom.kinds import Need
from graph_engine.core.files import safe_file_name
from graph_engine.core.limits import MAX_TITLE
from graph_engine.model.diagram import Diagram
from graph_engine.model.fileio import DiagramFileError

from .. import dialogs
from ..document.outputs import Outputs
from ..panels.param_widgets import ParamEditor
from ..shell import Shell
from ..style import text_label

START_TEXT = {Start.LOCKED: "Only the locked blocks: the student builds the rest",
              Start.WHOLE: "The whole diagram: the student fixes or improves it",
              Start.EMPTY: "An empty canvas"}
COLUMNS = ("Check", "Setting", "Points", "Hidden", "Given", "Hint when it fails")
EXERCISE_FILTER = "NetCanvas exercises (*.json);;All files (*)"


class CheckRow:
    """The widgets of one check in the table; :meth:`check` reads them back."""

    def __init__(self, check: Check, say) -> None:
        self.base = check
        self.fields: dict[str, QComboBox | ParamEditor] = {}  # field name -> editor
        self.setting = QWidget()
        line = QHBoxLayout(self.setting)
        line.setContentsMargins(2, 0, 2, 0)
        kind = KINDS.get(check.kind)
        for field in kind.names:  # a block type, a warning code
            box = QComboBox()
            box.addItems(field.choices())
            box.setCurrentText(str(getattr(check, field.name)))
            box.setToolTip(field.help)
            box.setMaximumWidth(200)
            self.fields[field.name] = box
            line.addWidget(box)
        for spec in kind.fields:
            editor = ParamEditor(spec, getattr(check, spec.name), self.setting)
            editor.error_changed.connect(say)
            editor.widget.setMaximumWidth(110)
            self.fields[spec.name] = editor
            line.addWidget(QLabel(spec.name))
            line.addWidget(editor.widget)
        if not self.fields:
            line.addWidget(QLabel("—"))
        line.addStretch(1)
        self.points = QDoubleSpinBox()
        self.points.setRange(0, exercises.MAX_POINTS)
        self.points.setDecimals(1)
        self.points.setValue(check.points)
        self.hidden = QCheckBox()
        self.hidden.setToolTip("Hide the threshold from the student: they see their "
                               "figure, not the bar")
        self.given = QCheckBox()
        self.given.setToolTip("Score this check even when the student's untouched start "
                              "passes it (otherwise it counts only alongside a check the "
                              "start fails: doing nothing earns nothing)")
        self.hint = QLineEdit(check.hint)
        self.hint.setMaxLength(MAX_HINT)
        self.hint.setPlaceholderText("optional")

    def check(self) -> Check:
        values: dict[str, Any] = {}
        for name, editor in self.fields.items():
            values[name] = editor.currentText() if isinstance(editor, QComboBox) \
                else editor.value
        return replace(self.base, points=self.points.value(), hidden=self.hidden.isChecked(),
                       given=self.given.isChecked(), hint=self.hint.text().strip(), **values)


class ExerciseDialog(QDialog):
    def __init__(self, diagram, selected: list[str], metrics: dict | None,
                 parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save as Exercise")
        self.diagram, self.metrics = diagram, metrics
        self.rows: list[CheckRow] = []
        self.result_exercise = None
        self.title = QLineEdit(diagram.title)
        self.title.setMaxLength(MAX_TITLE)
        self.task = QPlainTextEdit()  # never the solution's description: students read it
        self.task.setPlaceholderText("The task, in Markdown: what to build, what to aim for")
        self.task.setMaximumHeight(140)
        # the start is the student's file: its own texts, never the solution's (nor its notes)
        self.start_title = QLineEdit()
        self.start_title.setMaxLength(MAX_TITLE)
        self.start_title.setPlaceholderText("The title of the student's diagram (optional)")
        self.start_description = QPlainTextEdit()
        self.start_description.setPlaceholderText("A description the student's diagram "
                                                  "carries (optional)")
        self.start_description.setMaximumHeight(60)
        self.start = QComboBox()
        for start, text in START_TEXT.items():
            self.start.addItem(text, start)
        self.locked = QListWidget()
        self.locked.setMaximumHeight(120)
        self.locked.setToolTip("The student cannot delete or change these, nor the wires "
                               "between them. Blocks selected on the canvas come checked.")
        for block in diagram.blocks:
            item = QListWidgetItem(f"{block.name} ({block.type})")
            item.setData(Qt.ItemDataRole.UserRole, block.id)
            item.setCheckState(Qt.CheckState.Checked if block.id in selected
                               else Qt.CheckState.Unchecked)
            self.locked.addItem(item)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(36)
        self.table.setMinimumHeight(260)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.error = text_label("", "errorText")
        self.kinds = fitting_kinds(diagram)  # no accuracy for a regression data set
        self._layout()
        for kind in ("valid", self._figure_kind()):
            self.add_check(kind)
        if selected:
            self.add_check("locked-unchanged")

    def _figure_kind(self) -> str:
        """The first check of a trained figure that fits the data set's task
        (test accuracy for classification, R² for regression)."""
        trained = [k for k in self.kinds if k.need == Need.TRAINING]
        return next((k.name for k in trained if k.task is not None), trained[0].name)

    def _layout(self) -> None:
        kinds = self.kind_box = QComboBox()
        for kind in self.kinds:
            kinds.addItem(kind.label, kind.name)
        add = QPushButton("Add Check")
        add.clicked.connect(lambda: self.add_check(kinds.currentData()))
        remove = QPushButton("Remove Check")
        remove.clicked.connect(self.remove_check)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Title", self.title)
        form.addRow("Tas&k", self.task)
        form.addRow("&Locked blocks", self.locked)
        form.addRow("&Start with", self.start)
        form.addRow("Start's t&itle", self.start_title)
        form.addRow("Start's d&escription", self.start_description)
        line = QHBoxLayout()
        for widget in (kinds, add, remove):
            line.addWidget(widget)
        line.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(text_label("Checks", "sectionTitle"))
        layout.addWidget(text_label(self._figures(), "helpText"))
        layout.addLayout(line)
        layout.addWidget(self.table, 1)
        layout.addWidget(text_label(self._fixed(), "helpText"))
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(860, 760)

    def _figures(self) -> str:
        metrics = self.metrics
        if not metrics:
            return "Train the diagram first and the thresholds suggested come from its run."
        parts = [f"{label} {metrics[key]:.3g}" for key, label in
                 (("test_accuracy", "test accuracy"), ("test_loss", "test loss"),
                  ("test_r2", "test R²"), ("test_rmse", "test RMSE"))
                 if isinstance(metrics.get(key), (int, float))]
        return f"Thresholds suggested from the run on screen (epoch {metrics.get('epoch', '?')}" \
               f": {', '.join(parts)}); edit them as you like."

    def _fixed(self) -> str:
        d, t = self.diagram, self.diagram.training
        data = d.dataset.name if d.dataset is not None else "none chosen yet"
        return (f"Fixed for students and grading: the data set ({data}) and the training "
                f"settings ({t.epochs} epochs, {t.optimizer} at lr {t.lr:g}, batch "
                f"{t.batch_size}, seed {t.seed}).")

    # ------------------------------------------------------------ checks
    def add_check(self, kind: str) -> None:
        row = CheckRow(suggested_check(kind, self.diagram, self.metrics), self.error.setText)
        index = self.table.rowCount()
        self.table.insertRow(index)
        self.table.setCellWidget(index, 0, QLabel(KINDS.get(kind).label))
        for column, widget in enumerate((row.setting, row.points, row.hidden, row.given,
                                         row.hint), 1):
            self.table.setCellWidget(index, column, widget)
        self.rows.append(row)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(
            len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def remove_check(self) -> None:
        index = self.table.currentRow()
        if 0 <= index < len(self.rows):
            self.table.removeRow(index)
            del self.rows[index]

    def locked_ids(self) -> list[str]:
        items = (self.locked.item(i) for i in range(self.locked.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items
                if item.checkState() == Qt.CheckState.Checked]

    # ------------------------------------------------------------ result
    def build(self):
        """The exercise the fields describe; DiagramFileError or ValueError says why not."""
        return make_exercise(self.diagram, self.title.text(), self.task.toPlainText(),
                             self.locked_ids(), [row.check() for row in self.rows],
                             self.start.currentData(), self.start_title.text(),
                             self.start_description.toPlainText())

    def accept(self) -> None:
        try:
            self.result_exercise = self.build()
        except (DiagramFileError, ValueError) as error:
            self.error.setText(f"Not saved: {error}")
            return
        super().accept()


def save_as_exercise(diagram: Diagram, selected: list[str], metrics: dict | None,
                     outputs: Outputs, shell: Shell) -> bool:
    """File → Save as Exercise…: the dialog (the ``selected`` blocks come locked,
    thresholds suggested from the run's last ``metrics``), then where to write it."""
    parent = shell.main_window()
    dialog = ExerciseDialog(diagram, selected, metrics, parent)
    if not dialogs.run_dialog(dialog) or dialog.result_exercise is None:
        return False
    exercise = dialog.result_exercise
    stem = "-".join(exercise.title.lower().split()) or "exercise"
    suggestion = safe_file_name(f"{stem}-exercise.json")  # no ":" or "?": Windows refuses them
    path = dialogs.save_path(parent, "Save exercise", suggestion, EXERCISE_FILTER)
    if not path:
        return False
    path = dialogs.with_suffix(path, ".json")
    if outputs.refused("Cannot save exercise", path, "exercise"):
        return False
    try:
        copied = exercises.save(exercise, path)
    except OSError as error:
        dialogs.show_error(parent, "Cannot save exercise", f"{path} could not be written: "
                           f"{error.strerror or error}.")
        return False
    if copied:  # the teacher hands out the folder: say what is in it now
        dialogs.show_info(parent, "Exercise saved", f"Saved the exercise to {path}.\n\n"
                          f"Its data file was elsewhere, so a copy of it was saved beside "
                          f"the exercise as {os.path.basename(copied[0])}: hand out (or move) "
                          "the exercise and this file together.")
    shell.tell(f"Saved the exercise to {path}: File → Open Exercise opens it as a student "
               "sees it")
    return True
