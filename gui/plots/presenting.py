"""Plots drawn for a projector: larger text, thicker curves, larger markers.

Presentation mode scales every pyqtgraph plot of the window by :data:`SCALE`:
tick labels, axis labels, titles, legends and the numbers written in a plot
grow, curves get thicker and markers larger. Each change is remembered with
how to undo it, so leaving the mode puts every plot back as it was. Fonts are
set on the plot's own items (ticks, labels): a font set on a pyqtgraph view as
a widget would reach its scene and crash it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyqtgraph as pg
import shiboken6
from PySide6.QtGui import QFont, QPen
from PySide6.QtWidgets import QWidget

SCALE = 1.5  # text and strokes while presenting: read from the back of a room (>= 1.4)
TITLE_ROW = 30  # pyqtgraph's fixed height of a plot's title row, in pixels
AXES = ("left", "bottom", "right", "top")

Undo = Callable[[], None]


class PlotScaler:
    """Scales the plots under a widget, and puts them back."""

    def __init__(self, factor: float = SCALE) -> None:
        self.factor = factor
        self._scaled: list[tuple[pg.PlotWidget, Undo]] = []

    def scale_all(self, root: QWidget) -> int:
        """Scale every plot under ``root`` not scaled yet; how many were."""
        done = [plot for plot, _ in self._scaled if shiboken6.isValid(plot)]
        new = [p for p in root.findChildren(pg.PlotWidget) if not any(p is d for d in done)]
        for plot in new:
            self._scaled.append((plot, scale_plot(plot.getPlotItem(), self.factor)))
        return len(new)

    def restore_all(self) -> None:
        for plot, undo in reversed(self._scaled):
            if shiboken6.isValid(plot):  # a selected block's view may have gone since
                undo()
        self._scaled = []


def scale_plot(item: pg.PlotItem, factor: float) -> Undo:
    """Scale one plot's text and strokes by ``factor``; returns how to undo it."""
    undo = [_scale_axis(item.getAxis(name), factor) for name in AXES]
    undo.append(_scale_title(item, factor))
    if item.legend is not None:
        undo.append(_scale_legend(item.legend, factor))
    for child in item.items:
        undo.append(_scale_item(child, factor))

    def undo_all() -> None:
        for step in reversed(undo):
            step()

    return undo_all


def points(css: object, font: QFont) -> float:
    """A CSS font size such as "10pt" in points, else the size of ``font``."""
    found = re.fullmatch(r"\s*([\d.]+)\s*pt\s*", str(css or ""))
    return float(found.group(1)) if found else font.pointSizeF()


def _scale_axis(axis: pg.AxisItem, factor: float) -> Undo:
    old_font, old_style = axis.style.get("tickFont"), dict(axis.labelStyle)
    font = QFont(old_font or axis.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    axis.setTickFont(font)
    size = points(old_style.get("font-size"), axis.font()) * factor
    _relabel(axis, {**old_style, "font-size": f"{size:.1f}pt"})

    def undo() -> None:
        axis.setTickFont(old_font)
        _relabel(axis, old_style)

    return undo


def _relabel(axis: pg.AxisItem, style: dict) -> None:
    """The axis's label again, in ``style`` (its text, units and visibility kept)."""
    shown = axis.label.isVisible()
    axis.labelStyle = style
    axis.setLabel(axis.labelText or None, axis.labelUnits or None,
                  axis.labelUnitPrefix or None)
    axis.showLabel(shown)


def _scale_title(item: pg.PlotItem, factor: float) -> Undo:
    label = item.titleLabel
    if not label.isVisible():
        return lambda: None
    old = label.opts.get("size")
    size = points(old, label.font()) * factor
    row = int(TITLE_ROW * factor)
    item.layout.setRowFixedHeight(0, row)
    label.setMaximumHeight(row)
    label.setText(label.text, size=f"{size:.1f}pt")

    def undo() -> None:
        item.layout.setRowFixedHeight(0, TITLE_ROW)
        label.setMaximumHeight(TITLE_ROW)
        if old is None:
            label.opts.pop("size", None)
            label.setText(label.text)
        else:
            label.setText(label.text, size=old)

    return undo


def _scale_legend(legend: pg.LegendItem, factor: float) -> Undo:
    old = legend.opts.get("labelTextSize")
    size = points(old, legend.font()) * factor

    def resize(text_size) -> None:
        legend.setLabelTextSize(text_size)
        for _, label in legend.items:
            label.setText(label.text)  # drawn again in the new size
        legend.updateSize()

    resize(f"{size:.1f}pt")
    return lambda: resize(old)


def _scale_item(child, factor: float) -> Undo:
    """A curve thicker, markers larger, a text larger; anything else as it is."""
    if isinstance(child, pg.PlotDataItem):
        return _scale_curve(child, factor)
    if isinstance(child, pg.ScatterPlotItem):
        old = child.opts["size"]
        child.setSize(old * factor)
        return lambda: child.setSize(old)
    if isinstance(child, pg.TextItem):
        old_font = QFont(child.textItem.font())
        font = QFont(old_font)
        font.setPointSizeF(old_font.pointSizeF() * factor)
        child.setFont(font)
        return lambda: child.setFont(old_font)
    return lambda: None


def _scale_curve(curve: pg.PlotDataItem, factor: float) -> Undo:
    old_pen, old_symbol = curve.opts["pen"], curve.opts["symbolSize"]
    if old_pen is not None:
        pen = QPen(pg.mkPen(old_pen))
        pen.setWidthF(max(pen.widthF(), 1.0) * factor + 0.5)
        curve.setPen(pen)
    if curve.opts["symbol"] is not None:
        curve.setSymbolSize(old_symbol * factor)

    def undo() -> None:
        if old_pen is not None:
            curve.setPen(old_pen)
        curve.setSymbolSize(old_symbol)

    return undo
