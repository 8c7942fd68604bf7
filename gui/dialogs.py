"""Every modal question the editor asks, in one place (tests replace these)."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

DIAGRAM_FILTER = "NetCanvas diagrams (*.json);;All files (*)"


def ask_unsaved(parent: QWidget, name: str) -> str:
    """"save", "discard" or "cancel" for a document with unsaved changes."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unsaved changes")
    show_plain_message(box, f"Save the changes to {name}?")
    box.setInformativeText("Your changes will be lost if you don't save them.")
    box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                           | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    return {QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard"}.get(
        QMessageBox.StandardButton(answer), "cancel")


_last_folder = ""  # where the student last opened or saved a file, this session


def start_folder() -> str:
    """Where a file dialog opens: the folder used last, else Documents, else home
    (never the program's own folder)."""
    if _last_folder and os.path.isdir(_last_folder):
        return _last_folder
    home = os.path.expanduser("~")
    documents = os.path.join(home, "Documents")
    return documents if os.path.isdir(documents) else home


def _remember(path: str) -> str:
    global _last_folder
    if path:
        _last_folder = os.path.dirname(os.path.abspath(path))
    return path


def _in_start_folder(name: str) -> str:
    return name if not name or os.path.dirname(name) else os.path.join(start_folder(), name)


def open_path(parent: QWidget, title: str = "Open diagram", folder: str = "",
              file_filter: str = DIAGRAM_FILTER) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, folder or start_folder(),
                                          file_filter)
    return _remember(path)


def with_suffix(path: str, *suffixes: str) -> str:
    """``path`` ending in one of ``suffixes`` (any case), else with the first added."""
    return path if path.lower().endswith(suffixes) else path + suffixes[0]


def save_path(parent: QWidget, title: str = "Save diagram", suggestion: str = "",
              file_filter: str = DIAGRAM_FILTER) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, title, _in_start_folder(suggestion),
                                          file_filter)
    return _remember(path)


def show_error(parent: QWidget, title: str, text: str) -> None:
    _message(parent, QMessageBox.Icon.Critical, title, text)


def show_info(parent: QWidget, title: str, text: str) -> None:
    _message(parent, QMessageBox.Icon.Information, title, text)


def _message(parent: QWidget, icon: QMessageBox.Icon, title: str, text: str) -> None:
    """A message box whose text is shown as written: it quotes files and names."""
    box = QMessageBox(icon, title, "", QMessageBox.StandardButton.Ok, parent)
    show_plain_message(box, text)
    box.exec()


def show_plain_message(box: QMessageBox, text: str) -> None:
    from PySide6.QtCore import Qt

    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)


def ask_recover(parent: QWidget, name: str, when: str) -> str:
    """After a crash: "recover", "discard" or "later" for an autosaved diagram."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Recover unsaved work")
    show_plain_message(box, "NetCanvas did not close properly. Recover the unsaved changes "
                       f"to {name}?")
    box.setInformativeText(f"They were saved automatically at {when}. Discard deletes them; "
                           "Not Now asks again next time.")
    recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setEscapeButton(box.addButton("Not Now", QMessageBox.ButtonRole.RejectRole))
    box.setDefaultButton(recover)
    box.exec()
    clicked = box.clickedButton()
    return "recover" if clicked == recover else "discard" if clicked == discard else "later"


def run_dialog(dialog) -> bool:
    """Show a dialog built elsewhere, modally; True if the user accepted it."""
    return dialog.exec() == dialog.DialogCode.Accepted


def ask_text(parent: QWidget, title: str, label: str, text: str = "",
             multiline: bool = False) -> str | None:
    """One line of text (several with ``multiline``) from the user, or None if
    they cancelled."""
    if multiline:
        value, ok = QInputDialog.getMultiLineText(parent, title, label, text)
    else:
        value, ok = QInputDialog.getText(parent, title, label, text=text)
    return value if ok else None


def ask_properties(parent: QWidget, title: str, description: str) -> tuple[str, str] | None:
    """The diagram's title and description as the user edits them, or None."""
    from PySide6.QtWidgets import (
        QDialog,
        QDialogButtonBox,
        QFormLayout,
        QLineEdit,
        QPlainTextEdit,
    )

    from graph_engine.core.limits import MAX_DESCRIPTION, MAX_TITLE

    dialog = QDialog(parent)
    dialog.setWindowTitle("Diagram Properties")
    title_edit = QLineEdit(title)
    title_edit.setMaxLength(MAX_TITLE)
    text_edit = QPlainTextEdit(description)
    text_edit.setPlaceholderText("What the diagram shows, for the student who opens it "
                                 f"(up to {MAX_DESCRIPTION:,} characters)")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form = QFormLayout(dialog)
    form.addRow("&Title", title_edit)
    form.addRow("&Description", text_edit)
    form.addRow(buttons)
    dialog.resize(560, 360)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return title_edit.text(), text_edit.toPlainText()
