"""The Diagram API: adding, wiring, removing, restoring, parameters and events."""

from __future__ import annotations

import pytest

import graph_engine as ge
from graph_engine.model.diagram import Wire


def snapshot(d: ge.Diagram):
    """Everything a failed edit must leave untouched."""
    blocks = [(b.id, b.type, dict(b.params), b.position, b.name) for b in d.blocks]
    return blocks, d.wires


@pytest.fixture
def net():
    """Input -> Linear -> ReLU -> Linear -> CrossEntropyLoss, plus a Target."""
    d = ge.Diagram()
    ids = {name: d.add(kind, **params) for name, kind, params in (
        ("x", "Input", {"features": 2}), ("h", "Linear", {"out_features": 8}),
        ("a", "ReLU", {}), ("o", "Linear", {"out_features": 3}),
        ("loss", "CrossEntropyLoss", {}), ("t", "Target", {}),
    )}
    for src, dst in (("x", "h"), ("h", "a"), ("a", "o"), ("o", "loss")):
        d.connect(ids[src], ids[dst])
    return d, ids


class Recorder:
    """Subscribes to every event of a diagram and records (event, args)."""

    EVENTS = ("block_added", "block_removed", "wire_added", "wire_removed", "params_changed",
              "moved", "renamed", "settings_changed", "changed")

    def __init__(self, d: ge.Diagram) -> None:
        self.calls: list[tuple] = []
        for name in self.EVENTS:
            getattr(d, name).connect(self._handler(name))

    def _handler(self, name: str):
        return lambda *args: self.calls.append((name, *args))

    def names(self) -> list[str]:
        return [call[0] for call in self.calls]


# ------------------------------------------------------------ adding blocks

def test_add_returns_distinct_string_ids():
    d = ge.Diagram()
    ids = [d.add("Linear") for _ in range(3)]
    assert all(isinstance(i, str) for i in ids)
    assert len(set(ids)) == 3
    assert [b.name for b in d.blocks] == ["Linear 1", "Linear 2", "Linear 3"]


def test_add_fills_defaults_and_keeps_given_values():
    d = ge.Diagram()
    block = d.block(d.add("Linear", out_features=5))
    assert block.params == {"out_features": 5, "bias": True}
    assert d.block(d.add("Dropout")).params == {"p": 0.5}


@pytest.mark.parametrize("kind, params, words", [
    ("Lineer", {}, "unknown block type"),
    ("linear", {}, "case-sensitive"),
    ("Linear", {"out_features": 0}, "out_features"),
    ("Linear", {"out_features": 10**6}, "out_features"),
    ("Linear", {"out_features": 2.5}, "whole number"),
    ("Linear", {"out_features": True}, "whole number"),
    ("Dropout", {"p": 1.0}, "p must satisfy"),
    ("Dropout", {"p": float("nan")}, "finite"),
    ("Softmax", {"dim": 2}, "dim must be"),
    ("Linear", {"units": 4}, "no parameter 'units'"),
    ("CustomActivation", {"formula": "x +"}, "column"),
    ("CustomActivation", {"formula": "y * 2"}, "must use x"),
])
def test_bad_add_raises_value_error_and_adds_nothing(kind, params, words):
    d = ge.Diagram()
    d.add("Input")
    before = snapshot(d)
    recorder = Recorder(d)
    with pytest.raises(ValueError, match=words):
        d.add(kind, **params)
    assert snapshot(d) == before
    assert recorder.calls == []


def test_parameter_strings_are_coerced_like_the_inspector_types_them():
    d = ge.Diagram()
    block = d.block(d.add("Linear", out_features=" 12 ", bias="false"))
    assert block.params == {"out_features": 12, "bias": False}


def test_new_ids_skip_names_in_use():
    d = ge.Diagram()
    first = d.add("ReLU")
    d.rename(first, "ReLU 2")
    second = d.add("ReLU")
    assert d.block(second).name not in ("ReLU 2", d.block(first).name)


# ------------------------------------------------------------ wiring

def test_connect_picks_the_first_free_input_port(net):
    d, ids = net
    wire = d.wires_into(ids["loss"])[0]
    assert wire.dst_port == "input"
    target_wire = d.connect(ids["t"], ids["loss"])
    assert target_wire.dst_port == "target"
    assert target_wire.src_port == "target"


def test_connect_into_a_merge_takes_many_wires():
    d = ge.Diagram()
    x, a, b, add = (d.add("Input"), d.add("ReLU"), d.add("Tanh"), d.add("Add"))
    for src in (a, b, x):
        d.connect(src, add)
    assert [w.src for w in d.wires_into(add)] == [a, b, x]


def refused_wires(d, ids):
    """Each refused case: (source, destination, words the reason contains)."""
    extra, add, relu = d.add("Linear"), d.add("Add"), d.add("ReLU")
    d.connect(ids["a"], add)
    d.connect(add, relu)
    return {
        "cycle": (relu, add, "loop"),
        "port taken": (ids["x"], ids["a"], "already taken"),
        "wrong kind": (ids["t"], extra, "labels"),
        "self-loop": (ids["h"], ids["h"], "itself"),
        "duplicate": (ids["a"], add, "already wired"),
        "no such block": (ids["x"], "nope", "no block"),
        "no output": (ids["loss"], extra, "no output"),
        "no input": (extra, ids["x"], "no input"),
    }


@pytest.mark.parametrize("case", ["cycle", "port taken", "wrong kind", "self-loop",
                                  "duplicate", "no such block", "no output", "no input"])
def test_refused_wires_raise_wire_error_and_add_nothing(net, case):
    d, ids = net
    src, dst, words = refused_wires(d, ids)[case]
    before = snapshot(d)
    recorder = Recorder(d)
    with pytest.raises(ge.WireError, match=words) as caught:
        d.connect(src, dst)
    assert isinstance(caught.value, ValueError)
    assert snapshot(d) == before and recorder.calls == []


def test_refusals_explain_with_display_names(net):
    d, ids = net
    src, dst, _ = refused_wires(d, ids)["cycle"]
    with pytest.raises(ge.WireError, match="loop") as caught:
        d.connect(src, dst)
    assert "ReLU 2" in str(caught.value) and "Add 1" in str(caught.value)
    assert src not in str(caught.value)
    with pytest.raises(ge.WireError, match="Target 1 carries labels"):
        d.connect(ids["t"], ids["o"])
    with pytest.raises(ge.WireError, match="Linear 2 is already taken"):
        d.connect(ids["x"], ids["o"])


@pytest.mark.parametrize("dst_port", [None, "input"])
def test_a_duplicate_wire_is_refused_by_display_names_and_ports(net, dst_port):
    d, ids = net
    d.rename(ids["x"], "Pixels")
    d.rename(ids["h"], "Hidden")
    add = d.add("Add")  # a port that takes any number of wires: still only one of each
    d.connect(ids["a"], add)
    before, recorder = snapshot(d), Recorder(d)
    for src, dst, expected in (
            (ids["x"], ids["h"], "the output port of Pixels is already wired to the input "
                                 "port of Hidden; one wire is enough"),
            (ids["a"], add, "the output port of ReLU 1 is already wired to the input port of "
                            "Add 1; one wire is enough")):
        with pytest.raises(ge.WireError) as caught:
            d.connect(src, dst, dst_port=dst_port)
        assert str(caught.value) == expected
    assert snapshot(d) == before and recorder.calls == []


def test_insert_and_disconnect_name_a_wire_in_words(net):
    d, ids = net
    d.rename(ids["h"], "Hidden")
    with pytest.raises(ge.WireError) as caught:
        d.insert_wire(d.wires[0])
    assert str(caught.value) == ("a wire from the output port of Input 1 to the input port "
                                 "of Hidden exists already")
    with pytest.raises(ValueError) as caught:
        d.disconnect(Wire(ids["x"], "output", ids["a"], "input"))
    assert str(caught.value) == ("there is no wire from the output port of Input 1 to the "
                                 "input port of ReLU 1")
    with pytest.raises(ValueError, match="from the output port of 'ghost' to"):
        d.disconnect(Wire("ghost", "output", ids["a"], "input"))


def test_wrong_named_port_is_refused(net):
    d, ids = net
    with pytest.raises(ge.WireError, match="no input port"):
        d.connect(ids["x"], ids["loss"], dst_port="labels")
    with pytest.raises(ge.WireError, match="takes labels"):
        d.connect(ids["a"], ids["loss"], dst_port="target")


def test_check_wire_plans_without_connecting(net):
    d, ids = net
    wire = d.check_wire(ids["t"], ids["loss"])
    assert wire == Wire(ids["t"], "target", ids["loss"], "target")
    assert wire not in d.wires


def test_disconnect_and_insert_wire_restore_the_order(net):
    d, _ids = net
    before = d.wires
    index = d.disconnect(before[1])
    assert before[1] not in d.wires
    d.insert_wire(before[1], index)
    assert d.wires == before
    with pytest.raises(ValueError):
        d.disconnect(Wire("a", "output", "b", "input"))


def test_insert_wire_checks_blocks_and_ports_only(net):
    d, ids = net
    with pytest.raises(ValueError, match="no block"):
        d.insert_wire(Wire("ghost", "output", ids["h"], "input"))
    with pytest.raises(ValueError, match="no output port"):
        d.insert_wire(Wire(ids["x"], "out", ids["h"], "input"))
    with pytest.raises(ValueError, match="exists already"):
        d.insert_wire(d.wires[0])
    d.insert_wire(Wire(ids["a"], "output", ids["h"], "input"))  # a loop: validation's job
    assert "cycle" in {p.code for p in ge.validate(d)}


# ------------------------------------------------------------ remove and restore

def test_remove_takes_the_block_and_its_wires(net):
    d, ids = net
    removed = d.remove(ids["a"])
    assert ids["a"] not in d
    assert all(ids["a"] not in (w.src, w.dst) for w in d.wires)
    assert [w for _, w in removed.wires] and len(d.wires) == 2


def test_remove_then_restore_puts_everything_back_in_place(net):
    d, ids = net
    d.connect(ids["t"], ids["loss"])
    blocks, wires = [b.id for b in d.blocks], d.wires
    removed = d.remove(ids["h"])
    d.restore(removed)
    assert [b.id for b in d.blocks] == blocks
    assert d.wires == wires


def test_restore_refuses_an_id_in_use(net):
    d, ids = net
    removed = d.remove(ids["a"])
    d.restore(removed)
    with pytest.raises(ValueError, match="already exists"):
        d.restore(removed)


def test_unknown_block_id_is_a_value_error():
    d = ge.Diagram()
    for call in (lambda: d.block("nope"), lambda: d.remove("nope"),
                 lambda: d.move("nope", 1, 2), lambda: d.set_params("nope", p=1)):
        with pytest.raises(ValueError, match="no block"):
            call()


# ------------------------------------------------------------ parameters, moves, names

def test_set_params_returns_the_old_values(net):
    d, ids = net
    old = d.set_params(ids["h"], out_features=16, bias=False)
    assert old == {"out_features": 8, "bias": True}
    assert d.block(ids["h"]).params == {"out_features": 16, "bias": False}


def test_set_params_is_atomic(net):
    d, ids = net
    before = snapshot(d)
    recorder = Recorder(d)
    with pytest.raises(ValueError):
        d.set_params(ids["h"], out_features=4, bias="maybe")
    with pytest.raises(ValueError):
        d.set_params(ids["h"], out_features=4, nonsense=1)
    assert snapshot(d) == before and recorder.calls == []


def test_move_checks_positions(net):
    d, ids = net
    d.move(ids["h"], 10, -20.5)
    assert d.block(ids["h"]).position == (10.0, -20.5)
    for bad in ((float("nan"), 0), (1e12, 0), ("a", 0)):
        with pytest.raises(ValueError):
            d.move(ids["h"], *bad)
    assert d.block(ids["h"]).position == (10.0, -20.5)


def test_rename_returns_the_old_name_and_refuses_blank(net):
    d, ids = net
    assert d.rename(ids["h"], "  hidden ") == "Linear 1"
    assert d.block(ids["h"]).name == "hidden"
    with pytest.raises(ValueError):
        d.rename(ids["h"], "   ")


def test_label_shows_key_parameters():
    d = ge.Diagram()
    assert d.block(d.add("Linear", out_features=8)).label == "Linear · 8 out"
    assert d.block(d.add("Input", features=2)).label == "Input · 2 features"


def test_dataset_and_training_settings_are_checked():
    d = ge.Diagram()
    d.dataset = "circle"
    assert d.dataset == ge.DatasetSpec("circle")
    with pytest.raises(ValueError, match="unknown data set"):
        d.dataset = "mnist"
    with pytest.raises(ValueError):
        d.training = {"lr": 0.1}
    d.training = ge.TrainingSettings(lr=0.1)
    assert d.training.lr == 0.1


# ------------------------------------------------------------ events

def test_events_announce_each_edit():
    d = ge.Diagram()
    recorder = Recorder(d)
    x = d.add("Input")
    h = d.add("Linear")
    wire = d.connect(x, h)
    d.set_params(h, out_features=3)
    d.move(h, 5, 6)
    d.rename(h, "hidden")
    d.dataset = "xor"
    d.remove(x)
    names = recorder.names()
    assert [n for n in names if n != "changed"] == [
        "block_added", "block_added", "wire_added", "params_changed", "moved", "renamed",
        "settings_changed", "wire_removed", "block_removed"]
    assert names.count("changed") == 9
    assert all(names[i + 1] == "changed" for i, n in enumerate(names) if n != "changed")
    args = {call[0]: call[1:] for call in recorder.calls}
    assert args["wire_added"] == (wire,) and args["wire_removed"] == (wire,)
    assert args["params_changed"][0].params["out_features"] == 3
    assert args["moved"][0].position == (5.0, 6.0)
    assert args["block_removed"][0].id == x


def test_restore_announces_block_then_wires(net):
    d, ids = net
    removed = d.remove(ids["a"])
    recorder = Recorder(d)
    d.restore(removed)
    assert [n for n in recorder.names() if n != "changed"] == [
        "block_added", "wire_added", "wire_added"]


def test_disconnected_handler_is_not_called():
    d = ge.Diagram()
    calls = []
    handler = calls.append
    d.block_added.connect(handler)
    d.block_added.connect(handler)  # subscribing twice still calls once
    d.add("ReLU")
    d.block_added.disconnect(handler)
    d.add("ReLU")
    assert len(calls) == 1
