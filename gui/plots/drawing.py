"""Drawing points in the Output plot: a data set a teacher makes in front of the class.

**Draw points** under the plot turns the plot into a canvas: a click adds a point of
the chosen class (a picker in the data set's colours; for regression, the value
typed or picked on the colour scale), a drag paints several, a right-click or a drag
with the eraser removes them, Clear removes all. A point drawn trains (or, with Test
points ticked, tests): the engine places it, within less than a pixel, where the
split puts it (:func:`graph_engine.data.drawn.placed`). The drawn points are the diagram's
data set (``points``, saved in the file); each stroke is one undo step through the
document's door, and the first one starting from another two-input set copies its
points, so a teacher can add the three points that break a boundary and press play.
The engine does the arithmetic (:mod:`graph_engine.data.drawn`); here are the mouse
and the buttons. A change of data resets the run, as any does: the last picture stays
on screen, faded, until the next one arrives, and the note says so.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QLinearGradient, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from graph_engine.data import drawn
from graph_engine.data.catalogue import DATASETS, DRAWN
from graph_engine.data.dataset import CLASSIFICATION, REGRESSION
from graph_engine.data.registry import Origin
from graph_engine.data.spec import DatasetSpec
from graph_engine.data.views import has_input_plane

from ..document import commands
from ..document.document import Document
from ..style import text_label
from . import CLASS_COLOURS
from .output import NEGATIVE, POSITIVE, OutputPlot, values_image

SPACING = 12  # pixels between two points one drag paints
REACH = 10  # pixels around the eraser
HINT = "Click: a point · drag: several · right-click: erase. Each stroke can be undone."
RESET = "The data changed: press play to train anew."


class DrawingBar(QWidget):
    """The drawing controls: the class (or value) drawn, the eraser, Clear."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.classes = QButtonGroup(self)
        self.classes.setExclusive(True)
        self.class_row = QHBoxLayout()
        self.value = QDoubleSpinBox()
        self.value.setRange(-drawn.MAX_VALUE, drawn.MAX_VALUE)
        self.value.setDecimals(3)
        self.value.setSingleStep(0.1)
        self.value.setValue(0.5)
        self.value.setToolTip("The value of the points drawn: type it, or pick it on the "
                              "colour scale beside")
        self.value_label = QLabel("Value")
        self.scale = ValueScale()
        self.scale.picked.connect(self.value.setValue)
        self.test = QCheckBox("Test points")
        self.test.setToolTip("Draw points of the test set (rings), which the network never "
                             "trains on; unticked, the points drawn train (filled)")
        self.eraser = QPushButton("Eraser")
        self.eraser.setCheckable(True)
        self.eraser.setToolTip("Drag over points to remove them (a right-click erases too)")
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Remove every drawn point (one undo step)")
        self.note = text_label(HINT, "helpText")
        top = QHBoxLayout()
        top.addWidget(QLabel("Class"))
        top.addLayout(self.class_row)
        for widget in (self.value_label, self.value, self.scale):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.test)
        top.addWidget(self.eraser)
        top.addWidget(self.clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.note)

    def show_classes(self, count: int, task: str) -> None:
        """``count`` class buttons (the last a class not drawn yet), or the value box."""
        regression = task == REGRESSION
        for widget in (self.value, self.value_label, self.scale):
            widget.setVisible(regression)
        buttons = self.classes.buttons()
        count = 0 if regression else count
        while len(buttons) > count:
            button = buttons.pop()
            self.classes.removeButton(button)
            button.deleteLater()
        for index in range(len(buttons), count):
            self.classes.addButton(_class_button(index), index)
            self.class_row.addWidget(self.classes.button(index))
        if count and self.classes.checkedId() < 0:
            self.classes.button(0).setChecked(True)

    def label(self, task: str) -> float:
        """What a point drawn now is labelled: the class chosen, or the value."""
        if task == REGRESSION:
            return float(self.value.value())
        return max(self.classes.checkedId(), 0)


class ValueScale(QWidget):
    """The values' colour scale, orange below 0, white at 0, blue above, as the plot
    colours them: a click or a drag on it picks the value under the cursor."""

    picked = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scale = 1.0  # the value at either end
        self.setMinimumSize(120, 18)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Pick a value: the colour scale of the plot")

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        gradient = QLinearGradient(0, 0, self.width(), 0)
        for at, rgb in ((0.0, NEGATIVE), (0.5, (255, 255, 255)), (1.0, POSITIVE)):
            gradient.setColorAt(at, QColor(*(int(c) for c in rgb)))
        painter.fillRect(self.rect(), gradient)
        painter.setPen(QColor("#6B7280"))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def mousePressEvent(self, event) -> None:
        self._pick(event.position().x())

    def mouseMoveEvent(self, event) -> None:
        self._pick(event.position().x())

    def _pick(self, x: float) -> None:
        share = min(max(x / max(self.width(), 1), 0.0), 1.0)
        self.picked.emit(round((2 * share - 1) * self.scale, 3))


def _class_button(index: int) -> QToolButton:
    button = QToolButton()
    button.setText(str(index))
    button.setCheckable(True)
    button.setToolTip(f"Draw points of class {index}")
    colour = CLASS_COLOURS[index % len(CLASS_COLOURS)]
    button.setStyleSheet(f"QToolButton {{ background: {colour}; color: white; min-width: 22px;"
                         " border-radius: 3px; padding: 2px; border: 2px solid transparent; }"
                         " QToolButton:checked { border: 2px solid #111827; }")
    return button


class PointDrawing(QObject):
    """The drawing mode of an Output plot: its button, its bar, and the strokes."""

    def __init__(self, document: Document, output: OutputPlot) -> None:
        super().__init__(output)
        self.document, self.output = document, output
        self.button = QPushButton("Draw points")
        self.button.setCheckable(True)
        self.button.setToolTip("Draw the data set by hand: click to add a point of the chosen "
                               "class, drag to paint several, right-click (or drag with the "
                               "eraser) to remove them; each stroke is one step of Edit → "
                               "Undo")
        self.button.toggled.connect(self.set_active)
        self.bar = DrawingBar()
        self.bar.setVisible(False)
        self.bar.clear.clicked.connect(self.clear)
        output.add_button(self.button)
        output.add_row(self.bar)
        self.pending = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#111827", width=1.5))
        self.pending.setZValue(20)
        output.plot.addItem(self.pending)
        self.stroke: list[tuple[float, float]] = []
        self.erasing = False
        self.last: QPointF | None = None  # where the last point of the stroke went, in pixels
        output.plot.viewport().installEventFilter(self)
        document.analysed.connect(self._follow)

    @property
    def active(self) -> bool:
        return self.button.isChecked()

    def start(self) -> None:
        """Draw (the Data panel's "Points drawn by hand"): the mode on, and the data set
        shown made the points to draw on, as one undo step, if it is not one yet."""
        self.button.setChecked(True)
        if self._drawn() is None:
            self._commit(self._base(), "Draw on the points shown")

    def set_active(self, on: bool) -> None:
        self.button.setText("Stop drawing" if on else "Draw points")
        self.bar.setVisible(on)
        self.output.fade_stale = on
        self.output.plot.setMouseEnabled(x=not on, y=not on)  # a drag draws, not pans
        viewport = self.output.plot.viewport()
        if on:
            viewport.setCursor(Qt.CursorShape.CrossCursor)
            self._follow()
        else:
            viewport.unsetCursor()
            self._end_stroke()

    def data_shown(self) -> None:
        """The plot shows the data set as it is now: the pending points are in it."""
        self.pending.setData([])

    def trained(self) -> None:
        """The run drew its picture: what the note said of the last stroke is past."""
        if self.bar.note.text().endswith(RESET):
            self.bar.note.setText(HINT)

    def _follow(self) -> None:
        """The class buttons (or the value box) for the data set as it is."""
        if not self.active:
            return
        spec, task, classes = self._drawn(), self._task(), 2
        if spec is not None and spec.points:
            classes = max(int(p[2]) for p in spec.points) + 1
        elif self.output.data is not None and self.output.data.info.is_classification:
            classes = self.output.data.info.classes
        self.bar.show_classes(min(max(classes, 1) + 1, drawn.MAX_CLASSES), task)
        data = self.output.data
        if task == REGRESSION and data is not None and len(data.y_all):
            self.bar.scale.scale = float(np.abs(data.y_all).max()) or 1.0

    # ------------------------------------------------------------ the mouse
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kinds = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                 QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick)
        if not self.active or event.type() not in kinds or not isinstance(event, QMouseEvent):
            return False
        if event.type() == QEvent.Type.MouseButtonRelease:
            self._end_stroke()
        elif event.type() != QEvent.Type.MouseMove:
            self._begin(event)
        elif self.last is not None:
            self._extend(event.position())
        return True  # the plot neither pans, zooms nor reports a click while drawing

    def _begin(self, event: QMouseEvent) -> None:
        right = event.button() == Qt.MouseButton.RightButton
        self.erasing = right or self.bar.eraser.isChecked()
        self.stroke, self.last = [], None
        self._add(event.position())

    def _extend(self, position: QPointF) -> None:
        assert self.last is not None
        step = position - self.last
        if (step.x() ** 2 + step.y() ** 2) ** 0.5 >= SPACING:
            self._add(position)

    def _add(self, position: QPointF) -> None:
        point = self._at(position)
        self.last = position
        if point is None:
            return
        self.stroke.append(point)
        xs, ys = zip(*self.stroke, strict=True)
        if self.erasing:
            self.pending.setData(xs, ys, symbol="x", brush=pg.mkBrush("#DC2626"))
        else:
            self.pending.setData(xs, ys, symbol="o", brush=self._brush())

    def _at(self, position: QPointF) -> tuple[float, float] | None:
        """The plane's coordinates under the mouse, or None outside the plane."""
        box = self.output.plot.getViewBox()
        scene = self.output.plot.mapToScene(position.toPoint())
        if not box.sceneBoundingRect().contains(scene):
            return None
        point = box.mapSceneToView(scene)
        if not drawn.on_plane(point.x(), point.y()):
            self.bar.note.setText("Points go on the plane: x1 and x2 from −6 to 6.")
            return None
        return point.x(), point.y()

    def _brush(self):
        if self._task() == REGRESSION:
            scale = max(abs(self.bar.value.value()), 1.0)
            rgb = values_image(np.array([[self.bar.value.value()]]), scale)[0, 0]
            return pg.mkBrush(QColor(*(int(c) for c in rgb)))
        index = int(self.bar.label(CLASSIFICATION))
        return pg.mkBrush(CLASS_COLOURS[index % len(CLASS_COLOURS)])

    def _end_stroke(self) -> None:
        stroke, self.stroke, self.last = self.stroke, [], None
        if not stroke:
            self.pending.setData([])
            return
        if self.erasing:
            self._erase(stroke)
        else:
            self._draw(stroke)

    # ------------------------------------------------------------ the edits
    def _draw(self, stroke: list[tuple[float, float]]) -> None:
        base, drawn_now = self.document.diagram.dataset, self._drawn()
        start = drawn_now if drawn_now is not None else self._base()
        label = self.bar.label(start.task)
        points, left_out = drawn.added(start.points or (), stroke, label, start.seed,
                                       start.train_ratio, not self.bar.test.isChecked())
        count = len(points) - len(start.points or ())
        if not count:
            self.pending.setData([])
            self.bar.note.setText(f"The data set holds at most {drawn.MAX_POINTS:,} points: "
                                  "erase some to draw more.")
            return
        text = f"Draw {_points(count)}"
        if start is not base and base is not None:
            text += f" on {base.name}'s points"
        said = f" ({left_out} did not fit: at most {drawn.MAX_POINTS:,} points)" \
            if left_out else ""
        self._commit(start.with_(points=points), text, f"Added {_points(count)}{said}. ")

    def _erase(self, stroke: list[tuple[float, float]]) -> None:
        self.pending.setData([])
        spec = self._drawn()
        if spec is None or not spec.points:
            self.bar.note.setText("Nothing to erase: draw points first.")
            return
        width, height = self.output.plot.getViewBox().viewPixelSize()
        kept = drawn.erased(spec.points, stroke, (REACH * width, REACH * height))
        gone = len(spec.points) - len(kept)
        if gone:
            self._commit(spec.with_(points=kept), f"Erase {_points(gone)}",
                         f"Erased {_points(gone)}. ")

    def clear(self) -> None:
        spec = self._drawn()
        if spec is not None and spec.points:
            self._commit(spec.with_(points=()), "Clear the drawn points",
                         f"Cleared {_points(len(spec.points))}. ")

    def _commit(self, spec: DatasetSpec, text: str, said: str = "") -> None:
        diagram = self.document.diagram
        done = self.document.apply(lambda: commands.use_dataset(diagram, spec, 2, text),
                                   "Not drawn")
        if done is None:
            self.pending.setData([])
            self.bar.note.setText(self.document.refusal)
            return
        self.bar.note.setText(f"{said}{RESET}")
        self._follow()

    # ------------------------------------------------------------ the data set
    def _base(self) -> DatasetSpec:
        """The points to start drawing on: those of the two-input set shown (kept to
        the plane), else none; the split and labels settings carried over."""
        current, data = self.document.diagram.dataset, self.output.data
        settings = {k: getattr(current, k) for k in ("train_ratio", "seed", "labels")} \
            if current is not None else {}
        if data is None or not has_input_plane(data.info) or current is None:
            return DatasetSpec(DRAWN.name, points=(), **settings)
        points, task, left_out = drawn.copied(data)
        if left_out:
            self.bar.note.setText(f"{_points(left_out)} of {current.name} lay off the plane "
                                  "and were left out.")
        return DatasetSpec(DRAWN.name, points=points, task=task, **settings)

    def _drawn(self) -> DatasetSpec | None:
        """The diagram's data set if it is drawn points, else None."""
        spec = self.document.diagram.dataset
        return spec if spec is not None and DATASETS[spec.name].origin == Origin.DRAWN else None

    def _task(self) -> str:
        """What a point drawn now is: a class, or a value."""
        spec = self._drawn()
        if spec is not None:
            return spec.task
        data = self.output.data
        return REGRESSION if data is not None and has_input_plane(data.info) and \
            not data.info.is_classification else CLASSIFICATION


def _points(count: int) -> str:
    return f"{count:,} point{'s' * (count != 1)}"
