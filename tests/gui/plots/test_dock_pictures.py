"""Every plot dock exports its picture: a right-click on the gradients, the
activations, the confusion matrix or the selected block's views offers
Export Picture…, which writes the view under the mouse as a PNG or SVG."""

from __future__ import annotations

import nets
from guihelpers import step
from PySide6.QtCore import QPoint
from PySide6.QtGui import QContextMenuEvent, QImage
from PySide6.QtWidgets import QApplication, QGraphicsView

import graph_engine as ge
from gui import dialogs


def _trained(window, qtbot):
    d, ids = nets.two_layer("Tanh", ge.DatasetSpec("circle", samples=100), 5)
    d.training = d.training.with_(optimizer="adam", lr=0.03, epochs=1000)
    window.document.replace(d)
    step(window, qtbot, 2)
    return ids


def test_a_right_click_on_a_plot_reaches_its_docks_menu(window, qtbot, monkeypatch):
    pictures = window.teaching.pictures
    asked = []

    class Menu:
        def exec(self, at):
            asked.append(at)

    monkeypatch.setattr(pictures, "menu", lambda dock, at: asked.append(dock) or Menu())
    for name in ("gradients", "histograms", "confusion"):
        dock = window.docks[name]
        dock.raise_()
        qtbot.wait(20)
        views = [v for v in dock.widget().findChildren(QGraphicsView) if v.isVisible()]
        target = views[0].viewport() if views else dock.widget()  # where a click arrives
        centre = target.rect().center()
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, centre,
                                  target.mapToGlobal(centre))
        QApplication.sendEvent(target, event)
        assert asked and asked[-2] is dock, name


def test_the_weight_map_of_the_selected_block_exports_as_png_and_svg(window, qtbot,
                                                                    monkeypatch, tmp_path):
    ids = _trained(window, qtbot)
    window.scene.select_blocks([ids["hidden"]])
    panel = window.teaching.selected
    weights = panel.widget().findChild(object, "weightMap")
    qtbot.waitUntil(lambda: weights.weight is not None, timeout=15000)
    qtbot.wait(50)
    dock = window.docks["selected"]
    at = weights.mapToGlobal(weights.rect().center())
    widget, stem = window.teaching.pictures.picture_at(dock, at)
    assert widget is weights and stem == "weight-map"
    for suffix in ("png", "svg"):
        path = tmp_path / f"weights.{suffix}"
        monkeypatch.setattr(dialogs, "save_path", lambda *a, p=path, **k: str(p))
        menu = window.teaching.pictures.menu(dock, at)
        [action] = menu.actions()
        assert action.text() == "Export Picture…"
        action.trigger()
        assert path.exists() and path.stat().st_size > 1000
    image = QImage(str(tmp_path / "weights.png"))  # twice the size on screen: for a slide
    assert (image.width(), image.height()) == (2 * weights.width(), 2 * weights.height())
    assert len({image.pixel(x, y) for x in range(0, image.width(), 5)
                for y in range(0, image.height(), 5)}) > 20  # the map, not a blank
    assert "<svg" in (tmp_path / "weights.svg").read_text(encoding="utf-8")[:2000]
    assert "Exported the plot" in window.statusBar().currentMessage()


def test_outside_a_view_the_whole_dock_is_the_picture(window, qtbot):
    dock = window.docks["gradients"]
    dock.raise_()
    qtbot.wait(20)
    widget, stem = window.teaching.pictures.picture_at(dock, QPoint(-50, -50))
    assert widget is dock.widget() and stem == "gradient-plot"
