"""Editors generated from ParamSpec declarations (the registry's parameters,
the data set and the training settings all use them).

Each editor shows the current value, refuses what the spec refuses (with the
spec's own message) and emits ``committed`` only with a clean value.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QLineEdit, QSpinBox, QWidget

from graph_engine.core.params import BOOL, CHOICE, FORMULA, INT, ParamSpec, weights_text

from .. import style, wheel

INT_LIMIT = 2**31 - 1


class ParamEditor(QObject):
    committed = Signal(str, object)  # parameter name, clean value
    error_changed = Signal(str)  # "" when the text is acceptable

    def __init__(self, spec: ParamSpec, value, parent=None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._refused = False  # the spin box dropped a key since the last commit
        self.widget = self._make_widget()
        if isinstance(self.widget, QAbstractSpinBox | QComboBox):
            wheel.guard(self.widget)  # the wheel scrolls the panel unless the field has focus
        self.widget.setToolTip(f"<b>{spec.name}</b>: {spec.help}"
                               + (f"<br>Allowed: {spec.describe_range()}"
                                  if spec.describe_range() else ""))
        self.set_value(value)

    def _make_widget(self) -> QWidget:
        spec = self.spec
        if spec.kind == INT:
            box = QSpinBox()
            low = spec.minimum if spec.minimum is not None else -INT_LIMIT
            high = spec.maximum if spec.maximum is not None else INT_LIMIT
            box.setRange(max(int(low), -INT_LIMIT), min(int(high), INT_LIMIT))  # a C int
            box.setKeyboardTracking(False)
            box.valueChanged.connect(lambda v: self._commit(v))
            box.lineEdit().inputRejected.connect(self._key_refused)
            box.editingFinished.connect(self._edit_done)
            return box
        if spec.kind == BOOL:
            check = QCheckBox()
            check.toggled.connect(lambda v: self._commit(v))
            return check
        if spec.kind == CHOICE:
            choices = QComboBox()
            for choice in spec.choices:
                choices.addItem(str(choice), choice)
            choices.activated.connect(lambda i: self._commit(choices.itemData(i)))
            return choices
        line = QLineEdit()
        if spec.kind == FORMULA:
            line.setFont(style.mono_font())
        line.textEdited.connect(self._check_text)
        line.editingFinished.connect(lambda: self._commit_text(line.text()))
        return line

    def set_value(self, value) -> None:
        widget = self.widget
        widget.blockSignals(True)
        if isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(0, widget.findData(value)))
        elif isinstance(widget, QLineEdit):
            widget.setText(_text(value))
            self._show_error("")
        widget.blockSignals(False)
        self.value = value

    def _check_text(self, text: str) -> str:
        try:
            self.spec.coerce(text)
        except ValueError as error:
            self._show_error(str(error))
            return str(error)
        self._show_error("")
        return ""

    def _commit_text(self, text: str) -> None:
        try:
            value = self.spec.coerce(text)  # typed text is read once, here
        except ValueError as error:
            self._show_error(str(error))
            return
        self._commit(value)

    def _key_refused(self) -> None:
        """The spin box dropped a key (a letter, a dot, a digit too many): say why, and
        keep saying it when what is left of the number is committed."""
        self._refused = True
        self._show_error(f"{self.spec.name} is a whole number, {self.spec.describe_range()}")

    def _edit_done(self) -> None:
        self._refused = False

    def _commit(self, value) -> None:
        """A clean value: one the widget holds (its range and choices are the spec's)
        or one read from typed text."""
        if not self._refused:
            self._show_error("")
        if value != self.value:
            self.value = value
            self.committed.emit(self.spec.name, value)

    def _show_error(self, message: str) -> None:
        self.widget.setProperty("invalid", bool(message))
        self.widget.style().unpolish(self.widget)
        self.widget.style().polish(self.widget)
        self.error_changed.emit(message)


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):  # weights set by hand, as they are typed
        return weights_text(value)
    return str(value)
