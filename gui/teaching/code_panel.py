"""The Code panel: the diagram as PyTorch source, live.

Every edit regenerates the source (after a short pause, so a burst of
edits costs one export); a diagram with errors shows its errors instead,
because there is no honest code for it yet. Copy and Save as .py take it
away.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication, QTextOption
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from .. import style
from ..document.document import Document
from ..shell import Shell
from .exports import Exports, diagram_source

DEBOUNCE_MS = 250


class CodePanel(QWidget):
    def __init__(self, document: Document, exports: Exports, shell: Shell,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codePanel")
        self.document, self.exports, self.shell = document, exports, shell
        self.source: str | None = None
        self.errors: list[str] = []
        self.text = QPlainTextEdit()
        self.text.setObjectName("codeText")
        self.text.setReadOnly(True)
        self.text.setFont(style.mono_font(9.5))
        self.text.setWordWrapMode(QTextOption.WrapMode.NoWrap)
        self.status = style.text_label("", "helpText")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the code to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton("Save as .py…")
        self.save_button.setToolTip("Save the code as a Python file")
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.update_now)
        self._stale = True
        self.shown = False
        document.analysed.connect(self.schedule)

    def schedule(self) -> None:
        self._stale = True
        if self.shown:
            self.timer.start()

    def set_shown(self, shown: bool) -> None:
        """The dock came on top (or went behind another tab): only a shown
        panel regenerates its code."""
        self.shown = shown
        if shown and self._stale:
            self.update_now()

    def update_now(self) -> None:
        self.timer.stop()
        self._stale = False
        document = self.document
        self.source, self.errors = diagram_source(document.diagram, *document.checked())
        if self.source is not None:
            self._set_text(self.source)
            lines = self.source.count("\n")
            self.status.setText(f"{lines} lines of PyTorch that run on their own; weights "
                                "saved with File → Save Weights load into this model.")
        else:
            self._set_text("# The diagram has errors, so there is no code yet.\n"
                           "# Fix these first (see the Problems panel):\n#\n"
                           + "\n".join(f"#   • {message}" for message in self.errors) + "\n")
            self.status.setText("Fix the errors to see the code.")
        for button in (self.copy_button, self.save_button):
            button.setEnabled(self.source is not None)

    def _set_text(self, text: str) -> None:
        if text == self.text.toPlainText():
            return
        bar = self.text.verticalScrollBar()
        position = bar.value()  # keep the student's place while they edit
        self.text.setPlainText(text)
        bar.setValue(min(position, bar.maximum()))

    def copy(self) -> None:
        if self.source is not None:
            QGuiApplication.clipboard().setText(self.source)
            self.shell.tell("Copied the code to the clipboard.", 5000)

    def save(self) -> None:
        if self.source is not None:
            self.exports.save_python(self.source)
