"""The diagram's revisions: "did the network (or the settings) change?" by two numbers."""

import graph_engine as ge


def network_and_settings(d: ge.Diagram) -> tuple[int, int]:
    return d.revisions.network, d.revisions.settings


def test_each_edit_of_what_a_run_depends_on_moves_the_network_revision():
    d = ge.Diagram()
    x = d.add("Input", features=2)
    h = d.add("Linear", out_features=3)
    edits = [lambda: d.connect(x, h), lambda: d.set_params(h, out_features=4),
             lambda: setattr(d, "dataset", "circle"),
             lambda: d.disconnect(d.wires[0]), lambda: d.remove(h)]
    for edit in edits:
        network = d.revisions.network
        edit()
        assert d.revisions.network > network
    assert d.revisions.settings == 0


def test_moves_names_notes_and_titles_leave_both_revisions_alone():
    d = ge.Diagram()
    block = d.add("ReLU")
    before = network_and_settings(d)
    d.move(block, 40, 20)
    d.rename(block, "hidden")
    d.add_note("a note", (0, 0))
    d.title, d.description = "Title", "What it shows"
    assert network_and_settings(d) == before


def test_the_training_settings_move_their_own_revision_only():
    d = ge.Diagram()
    d.add("ReLU")
    network, settings = network_and_settings(d)
    d.training = d.training.with_(lr=0.1)
    assert network_and_settings(d) == (network, settings + 1)
