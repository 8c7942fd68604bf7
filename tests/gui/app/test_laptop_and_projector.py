"""A screen for a laptop and a projector: the window fits the screen it opens on
(a state saved on a larger one too) and never grows past it; at 1280×800 every
example opens at 70 % or more, the palette shows eight rows and the inspector's
arrows are seen; presentation mode scales the plots and steps the empty docks
aside; pinned runs are named whole, the train/test legend stays, every plot
dock exports on a right-click and a PNG comes at twice its size for a slide; a
block put into a wire moves its neighbours aside, and the palette's filter adds
its first match on Enter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from guihelpers import open_example, step
from paths import DRIVERS, EXAMPLES, ROOT
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractSpinBox

import graph_engine as ge
from graph_engine.model.layout import BLOCK
from gui import dialogs, screen
from gui.document.outputs import SCREEN_PNG
from gui.plots.presenting import SCALE

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))
DRIVER = DRIVERS / "screen_fit.py"


def laptop(window, qtbot) -> None:
    """The window at 1280×800 with the layout it gets there."""
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.size() == QSize(1280, 800), timeout=3000)
    window.reset_layout()
    qtbot.wait(100)


# ------------------------------------------------------------ fitting the screen

def test_the_window_opens_at_its_size_where_it_fits_and_within_the_screen_where_not():
    big, small = QRect(0, 0, 1920, 1050), QRect(0, 0, 1280, 770)
    assert screen.fitted(QSize(1400, 880), big) == QRect(260, 85, 1400, 880)
    placed = screen.fitted(QSize(1400, 880), small, frame=QSize(4, 30))
    assert placed.size() == QSize(1276, 740) and placed.topLeft() == QPoint(0, 0)
    second = QRect(1920, 0, 1280, 800)  # a second monitor, right of the first
    assert second.contains(QRect(screen.fitted(QSize(1400, 880), second).topLeft(),
                                 QSize(1280, 800)))


def run_driver(args: list[str], size: tuple[int, int], tmp_path: Path) -> str:
    config = tmp_path / f"screen-{size[0]}x{size[1]}.json"
    config.write_text(json.dumps({"screens": [{"name": "screen", "x": 0, "y": 0,
                                               "width": size[0], "height": size[1],
                                               "logicalDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(DRIVER), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_state_saved_on_1920_by_1080_opens_inside_1280_by_800(tmp_path):
    """The screen is the platform's, so the editor runs in a process of its own."""
    run_driver(["save", "300", "40", "1600", "1000"], (1920, 1080), tmp_path)
    assert (tmp_path / "config" / "NetCanvas" / "NetCanvas.conf").exists()
    line = next(line for line in run_driver(["open"], (1280, 800), tmp_path).splitlines()
                if line.startswith("FIT "))
    found = json.loads(line[4:])
    area, frame = QRect(*found["available"]), QRect(*found["frame"])
    assert area.size() == QSize(1280, 800) and area.contains(frame), found
    assert found["zoom"] >= 0.7 and found["palette_rows"] >= 8 and found["arrows"], found


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_opens_at_70_percent_at_1280_by_800(window, qtbot, path):
    laptop(window, qtbot)
    assert window.files.open_path(str(path), ask=False)
    qtbot.wait(20)
    view = window.view
    assert view.zoom >= 0.7, f"{path.stem} opens at {view.zoom:.0%}"
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(window.scene.blocks_rect()), f"{path.stem} does not fit the view"
    window.document.undo_stack.setClean()


def test_at_1280_by_800_the_palette_shows_8_rows_and_the_inspector_its_arrows(window,
                                                                               qtbot):
    laptop(window, qtbot)
    tree = window.block_palette.tree
    assert tree.viewport().height() >= 8 * tree.sizeHintForRow(1)
    d = open_example(window, "circle")
    for block in d.blocks:  # every block's fields, the spin boxes' arrows in view
        window.scene.select_blocks([block.id])
        qtbot.wait(10)
        inspector = window.inspector
        assert inspector.horizontalScrollBar().maximum() == 0
        viewport = inspector.viewport()
        for box in inspector.widget().findChildren(QAbstractSpinBox):
            right = box.mapTo(viewport, QPoint(box.width() - 1, 0)).x()
            assert right < viewport.width(), (block.type, right, viewport.width())


def test_stepping_through_backprop_and_presenting_never_grow_the_window(window, qtbot):
    laptop(window, qtbot)
    open_example(window, "deep-sigmoid")
    window.docks["backprop"].show()
    window.docks["backprop"].raise_()
    panel = window.backprop.panel
    panel.trace()
    qtbot.waitUntil(lambda: panel.walk is not None, timeout=60_000)
    while not panel.walk.at_end:
        panel.move_by(1)
        qtbot.wait(5)
        assert window.size() == QSize(1280, 800)
    window.teaching.presentation.action.trigger()
    qtbot.wait(200)
    assert window.size() == QSize(1280, 800)
    window.teaching.presentation.action.trigger()
    qtbot.wait(200)
    assert window.size() == QSize(1280, 800)


# ------------------------------------------------------------ presentation mode

def plot_state(plot: pg.PlotWidget) -> dict:
    item = plot.getPlotItem()
    axis = item.getAxis("bottom")
    tick = (axis.style["tickFont"] or axis.font()).pointSizeF()
    state = {"tick": tick, "curves": [c.opts["pen"] for c in item.listDataItems()
                                      if isinstance(c, pg.PlotDataItem)]}
    if item.titleLabel.isVisible():
        state["title"] = item.titleLabel.opts.get("size")
    if item.legend is not None:
        state["legend"] = item.legend.opts["labelTextSize"]
    state["markers"] = [s.opts["size"] for s in item.items if isinstance(s, pg.ScatterPlotItem)]
    return state


def size(css, default: float) -> float:
    return float(str(css).removesuffix("pt")) if css else default


def test_presentation_scales_the_plots_and_steps_the_empty_docks_aside(window, qtbot):
    window.resize(1920, 1080)
    qtbot.wait(100)
    open_example(window, "xor")
    step(window, qtbot, 2)
    curves, output = window.training.curves.loss, window.training.output.plot
    before = {id(p): plot_state(p) for p in (curves, output)}
    base = curves.getPlotItem().getAxis("bottom").font().pointSizeF()
    window.teaching.presentation.action.trigger()
    qtbot.wait(300)
    for plot in (curves, output):
        old, new = before[id(plot)], plot_state(plot)
        assert new["tick"] >= 1.4 * old["tick"]
        for key in ("title", "legend"):
            if key in old:
                assert size(new[key], base) >= 1.4 * size(old[key], base), key
        assert all(pg.mkPen(n).widthF() > max(pg.mkPen(o).widthF(), 1)
                   for o, n in zip(old["curves"], new["curves"], strict=True))
        assert all(n >= 1.4 * o for o, n in zip(old["markers"], new["markers"], strict=True))
    assert not window.docks["selected"].isVisible()  # nothing selected: out of the way
    assert not window.docks["backprop"].isVisible()
    view = window.view
    assert view._fitted and view.mapToScene(view.viewport().rect()).boundingRect().contains(
        window.scene.blocks_rect())
    window.scene.select_blocks(["relu1"])  # a block to show: its dock comes back, large
    qtbot.wait(300)
    assert window.docks["selected"].isVisible()
    weights = window.teaching.selected.widget().findChildren(pg.PlotWidget)
    assert weights and all(plot_state(p)["tick"] >= 1.4 * base for p in weights)
    window.teaching.presentation.action.trigger()
    qtbot.wait(300)
    assert plot_state(curves)["tick"] == before[id(curves)]["tick"]
    assert plot_state(output)["markers"] == before[id(output)]["markers"]
    assert SCALE >= 1.4


# ------------------------------------------------------------ curves, legends, exports

def test_a_pinned_run_is_named_whole_and_the_legend_keeps_train_and_test(window, qtbot):
    d = open_example(window, "xor")
    d.title = "A very long title for a run that a teacher wants to compare with the next one"
    step(window, qtbot, 2)
    assert window.training.pin_run()
    curves = window.training.curves
    for plot in (curves.loss, curves.accuracy):
        names = [label.text for _, label in plot.getPlotItem().legend.items]
        assert names == ["train", "test"]
    qtbot.wait(50)
    label = curves.pinned
    assert label.isVisible() and label.wordWrap() and d.title in label.text()
    assert label.width() <= curves.plots.width() and \
        label.heightForWidth(label.width()) <= label.height()  # wrapped, not cut
    curves.unpin_button.click()
    assert not label.isVisible()
    assert [lab.text for _, lab in curves.loss.getPlotItem().legend.items] == ["train", "test"]


@pytest.mark.parametrize("name", ["output", "curves", "backprop", "gradients", "selected"])
def test_every_plot_dock_offers_export_on_a_right_click(window, name):
    pictures = window.teaching.pictures
    dock = window.docks[name]
    assert dock in pictures.docks
    widget, _ = pictures.picture_at(dock, QPoint(-50, -50))
    expected = {"output": window.training.output.plot,
                "curves": window.training.curves.plots}.get(name, dock.widget())
    assert widget is expected
    assert [a.text() for a in pictures.menu(dock, QPoint(0, 0)).actions()] == \
        ["Export Picture…"]


def test_a_png_export_is_twice_the_plot_unless_screen_size_is_picked(window, qtbot,
                                                                     monkeypatch, tmp_path):
    open_example(window, "xor")
    step(window, qtbot, 1)
    plot = window.training.output.plot
    slide, shot = tmp_path / "slide.png", tmp_path / "shot.png"
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(slide))
    window.training.output.export_button.click()
    image = QImage(str(slide))
    assert (image.width(), image.height()) == (2 * plot.width(), 2 * plot.height())

    def screen_size(*args, chosen=None, **kwargs):
        chosen.append(SCREEN_PNG)
        return str(shot)

    monkeypatch.setattr(dialogs, "save_path", screen_size)
    window.training.output.export_button.click()
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (plot.width(), plot.height())


# ------------------------------------------------------------ putting blocks in

def overlapping(d: ge.Diagram) -> list[tuple[str, str]]:
    width, height = BLOCK
    blocks = d.blocks
    return [(a.name, b.name) for i, a in enumerate(blocks) for b in blocks[i + 1:]
            if abs(a.position[0] - b.position[0]) < width and
            abs(a.position[1] - b.position[1]) < height]


def test_a_block_put_into_a_wire_moves_its_neighbours_aside(window, qtbot):
    d = open_example(window, "xor")
    before = {b.id: b.position for b in d.blocks}
    wire = next(w for w in d.wires if w.src == "linear1")
    middle = window.scene.wires[wire].path().pointAtPercent(0.5)
    new = window.edit.drop_block("Dropout", window.scene.wires[wire].mapToScene(middle))
    assert new and not overlapping(d), overlapping(d)
    assert [w.src for w in d.wires_into(new)] == ["linear1"]
    assert d.block("relu1").position[0] > before["relu1"][0]  # moved aside, to the right
    assert d.block("input1").position == before["input1"]  # the block before stays
    window.document.undo_stack.undo()  # one step: the block out, the others back
    assert new not in d and {b.id: b.position for b in d.blocks} == before


def test_typing_in_the_palette_filter_and_enter_adds_the_first_match(window, qtbot):
    d = open_example(window, "xor")
    palette = window.block_palette
    palette.filter.setText("relu")
    assert palette.tree.currentItem().text(0) == "ReLU"
    qtbot.keyClick(palette.filter, Qt.Key.Key_Down)  # the next match: LeakyReLU
    assert palette.tree.currentItem().text(0) == "LeakyReLU"
    qtbot.keyClick(palette.filter, Qt.Key.Key_Return)
    added = [b for b in d.blocks if b.type == "LeakyReLU"]
    assert len(added) == 1 and not overlapping(d)
    assert window.scene.selected_block_ids() == [added[0].id]
    assert np.isfinite(added[0].position).all()
