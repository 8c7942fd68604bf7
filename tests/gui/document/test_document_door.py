"""The document's one door for edits: a command is made and pushed, or the model's
refusal is said once, by one signal, and nothing changes."""

from __future__ import annotations

import graph_engine as ge
from gui.document import commands
from gui.document.document import Document


def test_an_edit_through_the_door_is_one_undo_step(qtbot):
    document = Document()
    command = document.apply(lambda: commands.AddBlock(document.diagram, "ReLU", (0, 0)))
    assert command is not None and document.undo_stack.count() == 1
    assert command.block_id in document.diagram and document.refusal == ""


def test_a_refused_edit_is_said_once_and_changes_nothing(qtbot):
    document = Document()
    block = document.diagram.add("Linear", out_features=3)
    said: list[str] = []
    document.refused.connect(said.append)
    made = document.apply(lambda: commands.SetParams(document.diagram, block,
                                                     {"out_features": 0}), "Not changed")
    assert made is None and document.undo_stack.count() == 0
    assert document.diagram.block(block).params["out_features"] == 3
    assert said == [document.refusal] and said[0].startswith("Not changed: out_features")


def test_a_training_setting_is_checked_by_the_settings_record_once(qtbot):
    document = Document()
    commands.set_training(document, "lr", "0.1")  # as typed in the toolbar
    assert document.diagram.training.lr == 0.1 and document.undo_stack.count() == 1
    assert commands.set_training(document, "lr", 0.1) is None  # unchanged: no step
    assert commands.set_training(document, "lr", "abc") is None
    assert "lr must be a number" in document.refusal and document.undo_stack.count() == 1


def test_settings_edits_are_announced_and_moves_keep_the_network_revision(qtbot):
    document = Document()
    block = document.diagram.add("ReLU")
    announced: list[bool] = []
    document.training_changed.connect(lambda: announced.append(True))
    network = document.network_revision
    document.apply(lambda: commands.MoveBlocks(document.diagram, {block: ((0, 0), (40, 0))}))
    document.diagram.title = "A title"
    assert document.network_revision == network and not announced
    commands.set_training(document, "batch_size", 20)
    assert announced == [True]
    document.replace(ge.Diagram())
    assert document.network_revision != network  # another diagram: another network


def test_an_undo_command_keeps_its_text_for_python_callers(qtbot):
    document = Document()
    document.apply(lambda: commands.AddNote(document.diagram, "why ReLU", (0, 0)))
    assert document.undo_stack.command(0).text() == "Add note"
