"""Editing as a new user expects: new blocks on a free spot, right-click menus,
a block dropped on a wire goes into it, and help inside the app."""

from __future__ import annotations

import nets
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel

from gui import dialogs


def entries(menu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if a.text()]


def laid_out(window, qtbot):
    """The two-layer net, its blocks apart (nets.two_layer puts them all at 0, 0)."""
    d, ids = nets.two_layer("ReLU")
    window.document.replace(d)
    window.actions_by_name["auto_layout"].trigger()
    qtbot.wait(20)
    return d, ids


def wire_midpoint(window, wire) -> QPointF:
    item = window.scene.wires[wire]
    return item.mapToScene(item.path().pointAtPercent(0.5))


def test_double_click_adds_blocks_on_free_spots(window, qtbot):
    for _ in range(4):
        window.block_palette.block_requested.emit("Linear")
    positions = [b.position for b in window.document.diagram.blocks]
    assert len(set(positions)) == 4
    for i, (x0, y0) in enumerate(positions):
        for x1, y1 in positions[i + 1:]:
            assert abs(x0 - x1) >= 190 or abs(y0 - y1) >= 90  # none on top of another


def test_a_block_dropped_on_a_wire_goes_into_it(window, qtbot):
    d, ids = laid_out(window, qtbot)
    wire = next(w for w in d.wires if w.src == ids["act"])
    target = window.view.mapFromScene(wire_midpoint(window, wire))
    item = window.block_palette.item_for("Dropout")
    mime = window.block_palette.tree.mimeData([item])
    viewport = window.view.viewport()
    actions, buttons = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    mods = Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(viewport, QDragEnterEvent(target, actions, mime, buttons, mods))
    QApplication.sendEvent(viewport, QDragMoveEvent(target, actions, mime, buttons, mods))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(target), actions, mime, buttons, mods,
                                                QEvent.Type.Drop))
    dropout = next(b.id for b in d.blocks if b.type == "Dropout")
    assert [(w.src, w.dst) for w in d.wires if dropout in (w.src, w.dst)] == \
        [(ids["act"], dropout), (dropout, ids["out"])]
    assert wire not in d.wires
    window.document.undo_stack.undo()  # one step puts the wire back
    assert wire in d.wires and dropout not in d


def test_right_click_menus_on_a_block_a_wire_and_the_canvas(window, qtbot, monkeypatch):
    d, ids = laid_out(window, qtbot)
    block = window.scene.blocks[ids["hidden"]]
    menu = window.canvas_menus.at(block.sceneBoundingRect().center())
    assert {"Rename…", "Duplicate", "Delete", "Help on Linear"} <= set(entries(menu))
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "Hidden layer")
    next(a for a in menu.actions() if a.text() == "&Rename…").trigger()
    assert d.block(ids["hidden"]).name == "Hidden layer"

    wire = next(w for w in d.wires if w.src == ids["act"])
    menu = window.canvas_menus.at(wire_midpoint(window, wire))
    assert any(e.startswith("Delete Wire") for e in entries(menu))
    insert = next(a.menu() for a in menu.actions() if a.text() == "&Insert Block")
    layers = next(a.menu() for a in insert.actions() if a.text() == "Layers")
    next(a for a in layers.actions() if a.text() == "Dropout").trigger()
    assert [b.type for b in d.blocks].count("Dropout") == 1 and wire not in d.wires

    menu = window.canvas_menus.at(QPointF(-5000, -5000))
    assert {"Add Block", "Paste", "Auto Layout", "Fit to View"} <= set(entries(menu))


def test_a_wire_of_labels_offers_no_block_to_insert(window, qtbot):
    d, ids = laid_out(window, qtbot)
    target = window.edit.add_block("Target")
    labels = d.connect(target, ids["loss"])
    qtbot.wait(20)
    menu = window.canvas_menus.at(wire_midpoint(window, labels))
    insert = next(a for a in menu.actions() if a.text() == "&Insert Block")
    assert not insert.isEnabled() and insert.menu().isEmpty()
    window.edit.insert_block("ReLU", labels)  # as a drop on the wire would
    assert d.has_wire(labels) and "ReLU" not in [b.type for b in d.blocks if b.id != ids["act"]]


def test_f1_on_a_selected_block_opens_its_entry_in_the_help_window(window, qtbot):
    d, ids = nets.two_layer("ReLU")
    window.document.replace(d)
    window.scene.select_blocks([ids["act"]])
    help_window = window.help_on_selection()
    assert help_window.isVisible() and help_window.page == "blocks.md"
    cursor = help_window.browser.textCursor()
    assert cursor.block().text() == "ReLU" and cursor.block().blockFormat().headingLevel()
    window.scene.select_blocks([])
    assert window.help_on_selection().page == "guide.md"
    images = help_window.browser.document().toHtml().count("<img")
    assert images >= 5  # the guide's screenshots are shown, not just named
    help_window.close()




def test_diagram_properties_edit_the_title_and_description_undoably(window, qtbot,
                                                                   monkeypatch):
    d = window.document.diagram
    monkeypatch.setattr(dialogs, "ask_properties",
                        lambda parent, title, text: ("Lesson 3", "Two moons, one hidden layer."))
    window.actions_by_name["properties"].trigger()
    assert (d.title, d.description) == ("Lesson 3", "Two moons, one hidden layer.")
    qtbot.waitUntil(lambda: "Lesson 3" in window.windowTitle(), timeout=3000)
    qtbot.waitUntil(lambda: "Two moons, one hidden layer." in
                    [w.text() for w in window.inspector.widget().findChildren(QLabel)],
                    timeout=3000)
    window.document.undo_stack.undo()
    assert (d.title, d.description) == ("", "")


def test_no_data_set_is_a_problem_and_a_refused_play_says_so_over_the_canvas(window, qtbot):
    d, _ = nets.two_layer("ReLU")
    window.document.replace(d)
    codes = [p.code for p in window.problems.all()]
    assert "no-dataset" in codes
    window.training.toolbar.play.trigger()
    assert window.note.isVisible() and "data set" in window.note.text()
    assert not window.training.controller.running
