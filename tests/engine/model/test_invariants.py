"""Diagram.lint: the model's own bookkeeping, checked after real edits and
shown to catch each kind of corruption (made by reaching into the records,
the only way to break them)."""

from __future__ import annotations

import pytest
from paths import EXAMPLES

import graph_engine as ge
from graph_engine.model.diagram import Wire
from graph_engine.model.invariants import InvariantError


def small() -> tuple[ge.Diagram, list[str]]:
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=3),
           d.add("CrossEntropyLoss")]
    d.connect(ids[0], ids[1])
    d.connect(ids[1], ids[2])
    return d, ids


def test_every_edit_keeps_the_diagram_lint_clean():
    d, (x, h, _loss) = small()
    d.lint()
    relu = d.add("ReLU")
    wire = d.connect(x, relu)
    d.move(relu, 10.5, -3)
    d.set_params(h, out_features="7", bias=False)
    removed = d.remove(h)
    d.lint()
    d.restore(removed)
    index = d.disconnect(wire)
    d.insert_wire(wire, index)
    d.lint()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_example_loads_lint_clean(path):
    ge.load(path).lint()


def corrupt_duplicate_wire(d, ids):
    d._wires.append(d._wires[0])


def corrupt_wire_set(d, ids):
    d._wire_set.discard(d._wires[0])


def corrupt_missing_block(d, ids):
    wire = Wire("ghost", "output", ids[1], "input")
    d._wires.append(wire)
    d._wire_set.add(wire)


def corrupt_missing_port(d, ids):
    wire = Wire(ids[0], "output", ids[2], "weights")
    d._wires.append(wire)
    d._wire_set.add(wire)


def corrupt_param_type(d, ids):
    d.block(ids[1]).params["out_features"] = "3"


def corrupt_param_missing(d, ids):
    del d.block(ids[1]).params["bias"]


def corrupt_param_bounds(d, ids):
    d.block(ids[1]).params["out_features"] = 0


def corrupt_id(d, ids):
    d.block(ids[1]).id = ids[0]


def corrupt_position_nan(d, ids):
    d.block(ids[0]).position = (float("nan"), 0.0)


def corrupt_position_far(d, ids):
    d.block(ids[0]).position = (0.0, 1e12)


def corrupt_position_digits(d, ids):
    d.block(ids[0]).position = (0.125, 0.0)


@pytest.mark.parametrize("corrupt, invariant", [
    (corrupt_duplicate_wire, "no duplicates"),
    (corrupt_wire_set, "wire set equals the wire list"),
    (corrupt_missing_block, "wires join existing blocks"),
    (corrupt_missing_port, "no input port 'weights'"),
    (corrupt_param_type, "coerce through the spec unchanged"),
    (corrupt_param_missing, "coerce through the spec unchanged"),
    (corrupt_param_bounds, "params coerce through the spec"),
    (corrupt_id, "ids are unique"),
    (corrupt_position_nan, "positions are finite"),
    (corrupt_position_far, "positions are finite"),
    (corrupt_position_digits, "to 2 decimals"),
], ids=lambda v: getattr(v, "__name__", ""))
def test_lint_names_the_broken_invariant(corrupt, invariant):
    d, ids = small()
    corrupt(d, ids)
    with pytest.raises(InvariantError, match=invariant):
        d.lint()


def test_positions_are_kept_as_they_are_saved(tmp_path):
    d, (x, *_) = small()
    d.move(x, 10.333333, -2.005)
    d.lint()
    ge.save(d, tmp_path / "net.json")
    assert ge.load(tmp_path / "net.json").block(x).position == d.block(x).position


def test_a_broken_invariant_is_an_assertion_not_a_user_error():
    """Callers that turn ValueError into a message for the student must not
    swallow a NetCanvas bug."""
    assert issubclass(InvariantError, AssertionError)
    assert not issubclass(InvariantError, ValueError)
