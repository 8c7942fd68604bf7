"""The training toolbar: play/pause, step, reset, the epoch counter, and the
settings a student changes while watching (learning rate, batch size,
optimizer, epoch limit). Settings edits are undoable: they are saved with
the diagram."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox, QStyle, QToolBar

from graph_engine.model.presets import LEARNING_RATES, optimizer_label
from graph_engine.model.settings import OPTIMIZERS, PACES, TRAINING_PARAMS
from graph_engine.server.protocol import Status

from .. import wheel
from ..document import commands
from ..document.document import Document
from ..panels.param_widgets import ParamEditor
from ..shell import Shell
from .controller import TrainingController


def pace_text(pace: float, unit: str = "epochs") -> str:
    if pace <= 0:
        return "As fast as possible"
    if unit == "steps":
        return f"{pace:g} step/s" if pace == 1 else f"{pace:g} steps/s"
    return f"{pace:g} epoch/s" if pace == 1 else f"{pace:g} epochs/s"


class Counter(QLabel):
    """A label whose text changes at every frame without moving the window's
    layout: its size is fixed and changes only in steps of STEP pixels. (A
    label that may change size asks the main window to lay itself out again at
    each new text, and the window then re-places every toolbar and dock.)"""

    STEP = 40

    def __init__(self, text: str, minimum: int) -> None:
        super().__init__()
        self.minimum = minimum
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.ensurePolished()  # the style sheet's padding is in the margins
        margins, metrics = self.contentsMargins(), self.fontMetrics()
        needed = metrics.horizontalAdvance(text) + metrics.horizontalAdvance("x") + \
            margins.left() + margins.right()  # "x": the indent a label keeps
        width = max(self.minimum, -(-needed // self.STEP) * self.STEP)
        height = metrics.height() + margins.top() + margins.bottom()
        if self.minimumSize() != self.maximumSize() or (width, height) != \
                (self.width(), self.height()):
            self.setFixedSize(width, height)


def _decimal(value: float) -> str:
    """0.00001 as written, not 1e-05: the presets read as a student types them."""
    return f"{value:.10f}".rstrip("0").rstrip(".")


def _spec(name: str):
    return next(p for p in TRAINING_PARAMS if p.name == name)


class TrainingToolbar(QToolBar):
    def __init__(self, document: Document, controller: TrainingController,
                 shell: Shell) -> None:
        window = shell.main_window()
        super().__init__("Training", window)
        self.setObjectName("trainingToolbar")
        self.document, self.controller, self.shell = document, controller, shell
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        icon = window.style().standardIcon
        SP = QStyle.StandardPixmap
        self.play_icon, self.pause_icon = icon(SP.SP_MediaPlay), icon(SP.SP_MediaPause)
        self.play = self._action("Play", self._toggle, "F5", "Train (F5); press again "
                                 "to pause", self.play_icon)
        self.step = self._action("Step", controller.step, "F6",  # not a block type: a button
                                 "Train one epoch (F6)", icon(SP.SP_MediaSeekForward))
        self.step_batch = self._action(
            "Batch", lambda: controller.step(batch=True), "Shift+F6",
            "Train one mini-batch: a single optimizer step (Shift+F6)",
            icon(SP.SP_MediaSkipForward))
        self._steady_width(self.play, "Pause")
        self.reset = self._action("Reset", controller.reset, "Ctrl+Shift+R",
                                  "Back to the initial weights, epoch 0", icon(SP.SP_BrowserReload))
        self.epoch_label = Counter("Epoch 0", minimum=150)
        self.epoch_label.setObjectName("epochLabel")
        self.epoch_label.setStyleSheet("font-family: 'DejaVu Sans Mono'; padding: 0 10px;")
        self.epoch_label.setText("Epoch 0")  # measured in its own font
        self.addWidget(self.epoch_label)
        self.pace = self._pace_box()
        # The settings go on a toolbar of their own, which wraps onto a second row
        # when the window is too narrow for both (see fit_width).
        self.settings_bar = QToolBar("Training settings", window)
        self.settings_bar.setObjectName("trainingSettingsToolbar")
        self.lr = self._lr_box()
        self.batch = self._editor("batch_size", "Batch")
        self.optimizer = self._optimizer_box()
        for box in (self.pace, self.lr, self.optimizer):
            wheel.guard(box)
        controller.status_changed.connect(self._status)
        controller.progressed.connect(self._progress)
        controller.run_changed.connect(lambda run: self._progress())
        document.diagram_replaced.connect(self.show_settings)
        document.training_changed.connect(self.show_settings)
        self.show_settings()

    def _steady_width(self, action: QAction, other_text: str) -> None:
        """Room for the action's other text, so nothing moves when it changes
        (Play becomes Pause)."""
        button = self.widgetForAction(action)
        text = action.text()
        action.setText(other_text)
        wide = button.sizeHint().width()
        action.setText(text)
        button.setMinimumWidth(max(wide, button.sizeHint().width()))

    def _toggle(self) -> None:
        controller = self.controller
        controller.pause() if controller.running else controller.play()

    def _action(self, text, slot, shortcut, tip, icon) -> QAction:
        action = QAction(icon, text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda checked=False: slot())
        self.addAction(action)
        self.shell.main_window().addAction(action)  # the shortcut works wherever the focus is
        return action

    def _label(self, text: str, bar: QToolBar | None = None) -> None:
        label = QLabel(text)
        label.setStyleSheet("padding: 0 4px 0 8px; color: #4B5563;")
        (bar or self.settings_bar).addWidget(label)

    def _lr_box(self) -> QComboBox:
        self._label("Learning rate")
        box = QComboBox()
        box.setEditable(True)
        box.addItems([_decimal(lr) for lr in LEARNING_RATES])
        # typing "0" must not become 0.00001 by completion (None: no completer; Qt's stub
        # omits that it takes None)
        box.setCompleter(None)  # type: ignore[arg-type]
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # the list stays the presets
        box.setMinimumContentsLength(6)
        box.setMaximumWidth(95)
        box.setToolTip(_spec("lr").help)
        line = box.lineEdit()
        assert line is not None  # an editable box has one
        line.editingFinished.connect(lambda: self._change("lr", box.currentText()))
        box.activated.connect(lambda i: self._change("lr", box.itemText(i)))
        self.settings_bar.addWidget(box)
        return box

    def _editor(self, name: str, label: str) -> ParamEditor:
        self._label(label)
        editor = ParamEditor(_spec(name), getattr(self.document.diagram.training, name), self)
        editor.committed.connect(self._change)
        if isinstance(editor.widget, QSpinBox):
            editor.widget.setMaximumWidth(75)
        self.settings_bar.addWidget(editor.widget)
        return editor

    def _optimizer_box(self) -> QComboBox:
        self._label("Optimizer")
        box = QComboBox()
        for key in OPTIMIZERS:
            box.addItem(optimizer_label(key), key)
        box.setToolTip(_spec("optimizer").help)
        box.activated.connect(lambda i: self._change("optimizer", box.itemData(i)))
        self.settings_bar.addWidget(box)
        return box

    def _pace_box(self) -> QComboBox:
        self._label("Speed", self)
        box = QComboBox()
        box.setObjectName("paceBox")
        for pace, unit in PACES:
            box.addItem(pace_text(pace, unit), (pace, unit))
        box.setToolTip(_spec("pace").help + " Steps/s: optimizer steps (mini-batches) a "
                       "second, for watching one epoch unfold.")
        box.activated.connect(lambda i: self._change_pace(box.itemData(i)))
        self.addWidget(box)
        return box

    def _change_pace(self, choice: tuple[float, str]) -> None:
        pace, unit = choice
        if commands.set_training(self.document, "pace", pace, pace_unit=unit) is None and \
                self.document.refusal:
            self.show_settings()

    def _show_pace(self, pace: float, unit: str) -> None:
        """Select ``pace``; a pace from a file that is not a preset joins the list."""
        choice = (pace, "epochs" if pace <= 0 else unit)
        index = self.pace.findData(choice)
        if index < 0:
            self.pace.addItem(pace_text(*choice), choice)
            index = self.pace.count() - 1
        self.pace.setCurrentIndex(index)

    # ------------------------------------------------------------ settings
    def _change(self, name: str, value) -> None:
        """A setting as the student chose or typed it: the settings record checks it."""
        if commands.set_training(self.document, name, value) is None and \
                self.document.refusal:  # out of bounds, or fixed by an exercise
            self.show_settings()

    def show_settings(self) -> None:
        settings = self.document.diagram.training
        self.lr.setEditText(f"{settings.lr:g}")
        self.batch.set_value(settings.batch_size)
        self.optimizer.setCurrentIndex(max(0, self.optimizer.findData(settings.optimizer)))
        self._show_pace(settings.pace, settings.pace_unit)
        self._progress()

    # ------------------------------------------------------------ progress
    def _status(self, status: str, message: str) -> None:
        running = status in (Status.RUNNING, Status.PREPARING)
        self.play.setIcon(self.pause_icon if running else self.play_icon)
        self.play.setText("Pause" if running else "Play")
        self.step.setEnabled(not running)
        self.step_batch.setEnabled(not running)
        if message:
            stays = status in (Status.PAUSED, Status.FAILED)  # keep the advice in view
            self.shell.tell(message, 0 if stays else 10000)
        elif status == Status.RUNNING:
            self.shell.tell("Training…", 3000)

    def _progress(self) -> None:
        state = self.controller.state
        target = state.target or self.document.diagram.training.epochs
        text = f"Epoch {state.epoch:,} / {max(target, state.epoch):,}"
        if state.batch:
            text += f" · batch {state.batch}/{state.batches}"
        self.epoch_label.setText(text)
