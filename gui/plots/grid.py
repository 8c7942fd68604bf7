"""A light grid behind a plot's curves, drawn as plain lines.

pyqtgraph's own grid (``showGrid``) is drawn by the axes: it makes each axis
as large as the plot, so every new point on a curve repaints both axes —
ticks, labels and grid replayed from a QPicture — about 10 ms a plot per
frame offscreen, most of what a training frame costs. This item draws the
same lines (at the axes' own tick values) for a fraction of that, and the
axes, small again, repaint only when their range changes.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF

ALPHAS = (0.2, 0.08)  # major, minor tick lines


class LightGrid(pg.GraphicsObject):
    """Horizontal and vertical lines at the left and bottom axes' ticks."""

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__()
        self.plot = plot
        self.pens = [pg.mkPen(0, 0, 0, int(255 * a)) for a in ALPHAS]
        self.levels: list[list[QLineF]] = [[] for _ in ALPHAS]
        self.rect = QRectF()
        self.setZValue(-100)
        view = plot.getViewBox()
        view.sigRangeChanged.connect(self.relayout)
        view.sigResized.connect(self.relayout)

    def relayout(self, *args) -> None:
        view = self.plot.getViewBox()
        rect = view.viewRect()
        self.prepareGeometryChange()
        self.rect = rect
        self.levels = [[] for _ in ALPHAS]
        for name, length in (("left", view.height()), ("bottom", view.width())):
            axis = self.plot.getAxis(name)
            low, high = (rect.top(), rect.bottom()) if name == "left" else \
                (rect.left(), rect.right())
            if length <= 0 or high <= low:
                continue
            for level, (_, values) in enumerate(axis.tickValues(low, high, length)[:2]):
                self.levels[level] += [_line(rect, v, name == "left") for v in values]
        self.update()

    def boundingRect(self) -> QRectF:
        return self.rect

    def paint(self, painter, option, widget=None) -> None:
        for pen, lines in zip(self.pens, self.levels, strict=True):
            if lines:
                painter.setPen(pen)
                painter.drawLines(lines)


def _line(rect: QRectF, value: float, horizontal: bool) -> QLineF:
    if horizontal:
        return QLineF(rect.left(), value, rect.right(), value)
    return QLineF(value, rect.top(), value, rect.bottom())


def add_grid(plot: pg.PlotItem) -> LightGrid:
    """Give ``plot`` a light grid (instead of ``showGrid``)."""
    grid = LightGrid(plot)
    plot.addItem(grid, ignoreBounds=True)
    grid.relayout()
    return grid
