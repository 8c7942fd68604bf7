"""Classes from a function: the dialog that makes a ``function`` data set.

Choose a boundary (class 1 above the curve x2 = f(x1)) or a target (a value
f(x1, x2)), type the formula, and the dialog says at once what the engine says
of it: a formula that does not parse, is not finite over the plane or leaves one
class. It only returns a spec; the Data panel applies it as one undo step.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from graph_engine.data import datasets
from graph_engine.data.catalogue import DATASETS, FUNCTION
from graph_engine.data.spec import DatasetSpec

from ..style import text_label

ABOUT = ("Points spread evenly over the plane (x1 and x2 from −6 to 6). A boundary f(x1) "
         "makes two classes: 1 above the curve x2 = f(x1), 0 below it. A target f(x1, x2) "
         "gives each point a value, for regression. Write the formula as a custom "
         "activation's: + − * / **, pi, sin, cos, exp, log, sqrt, abs, tanh, sigmoid, relu, "
         "softplus, erf, min, max, where(...).")
EXAMPLES = {"boundary": "3 * sin(x1)", "target": "x1 * x2 / 6"}


class FunctionDialog(QDialog):
    def __init__(self, parent: QWidget | None, current: DatasetSpec | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Classes from a function")
        self.spec: DatasetSpec | None = None
        self.base = current if current is not None and DATASETS[current.name] is FUNCTION \
            else DatasetSpec(FUNCTION.name, boundary=EXAMPLES["boundary"],
                             **_kept(current, ("train_ratio", "seed")))
        self.boundary = QRadioButton("Boundary: class 1 above x2 = f(x1)")
        self.target = QRadioButton("Target: a value f(x1, x2) (regression)")
        self.formula = QLineEdit()
        self.formula.textChanged.connect(self.check)
        for choice in (self.boundary, self.target):
            choice.toggled.connect(self._kind_changed)
        self.error = text_label("", "errorText")
        self.about = text_label("", "helpText")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form = QFormLayout()
        form.addRow(self.boundary)
        form.addRow(self.target)
        form.addRow("Formula", self.formula)
        layout = QVBoxLayout(self)
        layout.addWidget(text_label(ABOUT, "helpText"))
        layout.addLayout(form)
        layout.addWidget(self.about)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.target if self.base.target else self.boundary).setChecked(True)
        self.formula.setText(self.base.target or self.base.boundary)

    def key(self) -> str:
        return "target" if self.target.isChecked() else "boundary"

    def _kind_changed(self, on: bool) -> None:
        if on:
            self.formula.setPlaceholderText(EXAMPLES[self.key()])
            self.check()

    def made(self) -> DatasetSpec:
        """The spec the dialog describes now: ValueError (the engine's words) if none."""
        formulas = {"boundary": "", "target": "", self.key(): self.formula.text()}
        spec = self.base.with_(**formulas)
        datasets.info(spec)  # not finite over the plane, one class: said here
        return spec

    def check(self) -> bool:
        try:
            spec = self.made()
        except ValueError as error:
            self.error.setText(str(error))
            self.about.setText("")
            self.ok.setEnabled(False)
            return False
        self.error.setText("")
        self.about.setText(datasets.info(spec).description)
        self.ok.setEnabled(True)
        return True

    def accept(self) -> None:
        if self.check():
            self.spec = self.made()
            super().accept()


def _kept(current: DatasetSpec | None, keys: tuple[str, ...]) -> dict:
    return {k: getattr(current, k) for k in keys} if current is not None else {}


def choose_function(parent: QWidget, current: DatasetSpec | None) -> DatasetSpec | None:
    dialog = FunctionDialog(parent, current)
    return dialog.spec if dialog.exec() == QDialog.DialogCode.Accepted else None
