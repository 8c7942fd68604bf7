"""The Exercise panel: the task a student reads, "Check my work" and its marks.

The task is the exercise's Markdown, rendered. Below it the button, the score
and one row per check: passed or not, the points earned of the points it is
worth, and what grading found (with the exercise's hint when it failed). A
result stays until the next check; once the diagram changes it says it is of
the diagram as it was.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from graph_engine.classroom.grading import number

from ..plain_text import MarkdownView, tooltip
from ..style import text_label

PASSED, FAILED = "#166534", "#B91C1C"
COLUMNS = ("", "Check", "Points", "What grading found")


class TaskPanel(QWidget):
    check_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("taskPanel")
        self.task = MarkdownView()  # the file's Markdown: no resource is ever loaded
        self.task.setObjectName("exerciseTask")
        self.task.setMinimumHeight(60)
        self.check_button = QPushButton("Check My Work")
        self.check_button.setToolTip("Grade the diagram as the teacher's grading will "
                                     "(Ctrl+Shift+K): it trains with the exercise's settings "
                                     "and seed, beside your own run")
        self.check_button.clicked.connect(self.check_requested)
        self.score = text_label("", "sectionTitle")
        self.status = text_label("", "helpText")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("exerciseChecks")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setMinimumHeight(80)
        header = self.table.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Stretch)):
            header.setSectionResizeMode(column, mode)
        layout = QVBoxLayout(self)
        layout.addWidget(self.task, 3)
        line = QHBoxLayout()
        line.addWidget(self.check_button)
        line.addWidget(self.score, 1)
        layout.addLayout(line)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 2)

    # ------------------------------------------------------------ showing
    def show_exercise(self, title: str, task: str, max_score: float) -> None:
        self.task.setMarkdown(task or f"## {title}\n\n_The exercise has no task text._")
        self.clear_result(f"Worth {number(max_score)} points. Press Check My Work to see "
                          "how your diagram does.")

    def clear_result(self, status: str = "") -> None:
        self.table.setRowCount(0)
        self.score.setText("")
        self.status.setText(status)

    def checking(self, text: str) -> None:
        self.check_button.setEnabled(False)
        self.status.setText(text)

    def show_result(self, result: dict, worth: dict[str, float]) -> None:
        """A result as ``grade --json`` gives a file's row; ``worth``: the points
        each check is worth, by its id."""
        self.check_button.setEnabled(True)
        checks = result.get("checks", [])
        self.table.setRowCount(len(checks))
        for row, check in enumerate(checks):
            passed = bool(check["passed"])
            mark = QTableWidgetItem("✓" if passed else "✗")
            mark.setForeground(QColor(PASSED if passed else FAILED))
            mark.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            points = f"{number(check['points'])} / {number(worth.get(check['id'], 0))}"
            for column, item in enumerate((mark, QTableWidgetItem(str(check["id"])),
                                           QTableWidgetItem(points),
                                           QTableWidgetItem(str(check["message"])))):
                item.setToolTip(tooltip(str(check["message"])))
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        self.score.setText(f"Score {number(result['score'])} / {number(result['max_score'])}")
        error = result.get("error")
        self.status.setText(f"Grading stopped: {error}." if error else
                            "Checked the diagram as it is now.")

    def failed(self, message: str) -> None:
        self.check_button.setEnabled(True)
        self.status.setText(message)

    def mark_stale(self) -> None:
        if self.score.text():
            self.status.setText("These marks are for your diagram as it was when you checked "
                                "it; check again to grade your changes.")
