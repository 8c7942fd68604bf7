"""The inspector: the selected block's name, parameters and teaching text.

Parameter widgets are generated from the registry. A change becomes a
SetParams (or Rename) undo command; a value the registry refuses shows its
message and changes nothing. The name field takes at most MAX_NAME
characters, and a name the diagram refuses (a control character, a lone
surrogate, only spaces) is put back, with the reason below the fields and
where the window says every refusal (the document's ``refused``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from graph_engine.core.limits import MAX_NAME

from ..document import commands
from ..document.document import Document
from ..style import text_label
from .param_widgets import ParamEditor

MIN_WIDTH = 180  # the inspector's column on a laptop's screen
FIELD_WIDTH = 80  # a field's least width: a number and a spin box's arrows


def _label(text: str, name: str = "", rich: bool = False) -> QLabel:
    return text_label(text, name, selectable=True, rich=rich)  # students copy formulas here


class Inspector(QScrollArea):
    """Shows one block: its name, parameters and teaching text (its curves,
    weights and units are in the Selected block dock)."""

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.block_id: str | None = None
        self.editors: dict[str, ParamEditor] = {}
        self._about: tuple[str, str] = ("", "")  # the title and description shown
        self.setWidgetResizable(True)
        self.setMinimumWidth(MIN_WIDTH)
        # the page is as wide as the dock: a field never hides its arrows off to the right
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        document.diagram_replaced.connect(lambda: self.show_block(None))
        document.analysed.connect(self._refresh_values)
        document.block_changed.connect(self._block_changed)
        self.show_block(None)

    def show_selection(self, block_ids: list[str]) -> None:
        if len(block_ids) == 1:
            self.show_block(block_ids[0])
        else:
            self.show_block(None, f"{len(block_ids)} blocks selected." if block_ids else "")

    def show_block(self, block_id: str | None, note: str = "") -> None:
        self.block_id = block_id if block_id in self.document.diagram else None
        self.editors.clear()
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        if self.block_id is None:
            self._about_diagram(layout, note)
        else:
            self._fill(layout, self.document.diagram.block(self.block_id))
        self.setWidget(page)

    def _about_diagram(self, layout: QVBoxLayout, note: str) -> None:
        """Nothing selected: what this diagram is about (an example's lesson),
        then how to edit it."""
        diagram = self.document.diagram
        self._about = (diagram.title, diagram.description)
        if note:
            layout.addWidget(_label(note, "helpText"))
            return
        for text, name in ((diagram.title, "sectionTitle"), (diagram.description, "")):
            if text:
                layout.addWidget(_label(text, name))  # plain: the file's words, as written
        layout.addWidget(_label("Select a block to see and edit its parameters. Drag blocks "
                                "from the palette onto the canvas, then wire an output port "
                                "(right) to an input port (left).", "helpText"))

    def _fill(self, layout: QVBoxLayout, block) -> None:
        spec = block.spec
        layout.addWidget(_label(f"<b>{spec.name}</b> · {spec.category}", "sectionTitle",
                                rich=True))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: field below
        name = QLineEdit(block.name)
        name.setObjectName("blockName")
        name.setMaxLength(MAX_NAME)
        name.editingFinished.connect(lambda: self._rename(name.text()))
        form.addRow("Name", name)
        self.error = _label("", "errorText")
        for param in spec.params:
            editor = ParamEditor(param, block.params.get(param.name, param.default), self)
            editor.committed.connect(self._set_param)
            editor.error_changed.connect(self.error.setText)
            self.editors[param.name] = editor
            editor.widget.setMinimumWidth(FIELD_WIDTH)  # not the width of 2147483647
            form.addRow(param.name, editor.widget)
        layout.addLayout(form)
        if block.id in self.document.diagram.locks.blocks:  # an exercise fixed it
            name.setReadOnly(True)
            for editor in self.editors.values():
                editor.widget.setEnabled(False)
            layout.addWidget(_label(f"Locked by {self.document.diagram.locks.owner}: it can "
                                    "be wired and moved, not changed or deleted.", "lockNote"))
        layout.addWidget(self.error)
        self._teaching(layout, spec)

    def _teaching(self, layout: QVBoxLayout, spec) -> None:
        text = spec.teaching
        layout.addWidget(_label(text.formula, "formula"))
        layout.addWidget(_label(text.summary))
        layout.addWidget(_label("When to use it", "sectionTitle"))
        layout.addWidget(_label(text.use, "helpText"))
        layout.addWidget(_label("The classic mistake", "sectionTitle"))
        layout.addWidget(_label(text.mistake, "helpText"))
        for param in spec.params:
            layout.addWidget(_label(f"<b>{param.name}</b>: {param.help}", "helpText", rich=True))

    def _set_param(self, name: str, value) -> None:
        if self.block_id is None:
            return
        block_id, diagram = self.block_id, self.document.diagram
        if self.document.apply(lambda: commands.SetParams(diagram, block_id, {name: value}),
                               "Not changed") is None:
            self.error.setText(self.document.refusal)
            block = diagram.block(block_id)
            self.editors[name].set_value(block.params.get(name, block.spec.param(name).default))

    def _rename(self, text: str) -> None:
        if self.block_id is None:
            return
        block_id, diagram = self.block_id, self.document.diagram
        block = diagram.block(block_id)
        if text.strip() == block.name:
            return
        if self.document.apply(lambda: commands.Rename(diagram, block_id, text),
                               "Not renamed") is None:
            self.error.setText(self.document.refusal)  # below the fields, where it was typed
            field = self._name_field()
            if field is not None:
                field.setText(block.name)

    def _name_field(self) -> QLineEdit | None:
        page = self.widget()
        return page.findChild(QLineEdit, "blockName") if page is not None else None

    def _block_changed(self, block_id: str) -> None:
        if block_id == self.block_id:
            self._refresh_values()

    def _refresh_values(self) -> None:
        """Undo/redo may change the shown block: show its current values (with
        nothing selected, the diagram's title and description as they are now)."""
        if self.block_id is None:
            diagram = self.document.diagram
            if self._about != (diagram.title, diagram.description):
                self.show_block(None)
            return
        if self.block_id not in self.document.diagram:
            self.show_block(None)
            return
        block = self.document.diagram.block(self.block_id)
        for name, editor in self.editors.items():
            value = block.params.get(name, editor.spec.default)
            if editor.value != value:
                editor.set_value(value)
        name_field = self._name_field()
        if name_field is not None and not name_field.hasFocus():
            name_field.setText(block.name)
