"""Loading fuzz: random and mutated diagram files never crash ``load``.

Every case starts from a real saved diagram (built through the API, saved
with the engine's own writer) and breaks it: keys deleted, duplicated,
renamed or retyped, values swapped for wrong types, huge numbers, NaN and
Infinity tokens, unknown block types, duplicate ids, wires to missing blocks
or ports, truncation, random bytes, deep nesting, oversize files. ``load``
must either return a diagram that validates (with no internal check failing)
and round-trips through save and load, or raise DiagramFileError whose
message names the file and says what is wrong — never anything else.

``make fuzz`` sets NETCANVAS_FUZZ_EXAMPLES=10000; the default run is short.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from mutations import VALUES, mutate_once

import graph_engine as ge
from graph_engine.data.spec import CsvSource
from graph_engine.model import fileio
from graph_engine.model.fileio import DiagramFileError

EXAMPLES = int(os.environ.get("NETCANVAS_FUZZ_EXAMPLES", "200"))
settings.register_profile(
    "netcanvas-fuzz", max_examples=EXAMPLES, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much])
FUZZ = settings(settings.get_profile("netcanvas-fuzz"))
FOLDER = tempfile.mkdtemp(prefix="netcanvas-fuzz-")


# ------------------------------------------------------------------ seed files

def _wire_all(d, *ids):
    for src, dst in pairwise(ids):
        d.connect(src, dst)


def classifier() -> ge.Diagram:
    d = ge.Diagram()
    d.title, d.description = "Circle classifier", "A two-layer MLP.\nSecond line."
    x = d.add_block("Input", {"features": 2}, (0, 0))
    h = d.add_block("Linear", {"out_features": 8}, (180, 0))
    a = d.add_block("ReLU", {}, (360, 0))
    o = d.add_block("Linear", {"out_features": 2, "bias": False}, (540, 0))
    loss = d.add_block("CrossEntropyLoss", {"label_smoothing": 0.1}, (720, 0))
    _wire_all(d, x, h, a, o, loss)
    d.dataset = ge.DatasetSpec("circle", samples=200, noise=0.1)
    d.training = d.training.with_(optimizer="adam", lr=0.01, epochs=50)
    return d


def residual() -> ge.Diagram:
    d = ge.Diagram()
    x = d.add_block("Input", {"features": 2}, (0, 0))
    h = d.add_block("Linear", {"out_features": 2}, (150, -50))
    c = d.add_block("CustomActivation", {"formula": "x * sigmoid(beta * x)"}, (300, -50))
    s = d.add_block("Add", {}, (450, 0))
    n = d.add_block("LayerNorm", {}, (600, 0))
    o = d.add_block("Linear", {"out_features": 1}, (750, 0))
    t = d.add_block("Target", {}, (750, 120))
    loss = d.add_block("MSELoss", {}, (900, 0))
    _wire_all(d, x, h, c, s, n, o, loss)
    d.connect(x, s)
    d.connect(t, loss, dst_port="target")
    d.dataset = "reg-plane"
    return d


def merged() -> ge.Diagram:
    d = ge.Diagram()
    x = d.add_block("Input", {"features": 4}, (0, 0))
    a = d.add_block("Linear", {"out_features": 3}, (150, -60))
    b = d.add_block("Tanh", {}, (150, 60))
    c = d.add_block("Concat", {}, (300, 0))
    drop = d.add_block("Dropout", {"p": 0.2}, (450, 0))
    o = d.add_block("Linear", {"out_features": 3}, (600, 0))
    sm = d.add_block("LogSoftmax", {}, (750, 0))
    loss = d.add_block("NLLLoss", {}, (900, 0))
    d.connect(x, a)
    d.connect(x, b)
    d.connect(a, c)
    d.connect(b, c)
    _wire_all(d, c, drop, o, sm, loss)
    d.dataset = ge.DatasetSpec("iris", train_ratio=0.7, seed=3)
    return d


def broken() -> ge.Diagram:
    """A diagram with errors (a loop, an open port) still saves and loads."""
    d = ge.Diagram()
    x = d.add_block("Input", {"features": 2}, (0, 0))
    a = d.add_block("Linear", {"out_features": 4}, (100, 0))
    b = d.add_block("Add", {}, (200, 0))
    d.add_block("BCEWithLogitsLoss", {}, (300, 0))
    d.add_block("PReLU", {"init": 0.1}, (300, 100), name="lonely")
    d.connect(x, a)
    d.connect(a, b)
    d.insert_wire(ge.Wire(b, "output", a, "input"))  # a loop, as a file may hold one
    return d


def csv_diagram() -> ge.Diagram:
    d = ge.Diagram()
    x = d.add_block("Input", {"features": 2}, (0, 0))
    o = d.add_block("Linear", {"out_features": 1}, (150, 0))
    loss = d.add_block("BCEWithLogitsLoss", {}, (300, 0))
    _wire_all(d, x, o, loss)
    source = CsvSource(os.path.join(FOLDER, "missing.csv"), ("a", "b"), "y",
                                   "classification", False)
    d.dataset = ge.DatasetSpec("csv", csv=source)
    return d


SEEDS = [fileio.to_dict(make()) for make in (classifier, residual, merged, broken,
                                               csv_diagram, ge.Diagram)]


# ------------------------------------------------------------------ strategies


SEMANTIC = [
    # unknown block type, duplicate id, wires to missing blocks and ports
    lambda d: d["blocks"] and d["blocks"][0].update(type="Convolution2d"),
    lambda d: len(d["blocks"]) > 1 and d["blocks"][1].update(id=d["blocks"][0]["id"]),
    lambda d: d["wires"].append({"from": ["ghost", "output"], "to": ["ghost2", "input"]}),
    lambda d: d["blocks"] and d["wires"].append(
        {"from": [d["blocks"][0]["id"], "nope"], "to": [d["blocks"][-1]["id"], "input"]}),
    lambda d: d["blocks"] and d["wires"].append(
        {"from": [d["blocks"][-1]["id"], "output"], "to": [d["blocks"][0]["id"], "target"]}),
    lambda d: d["wires"] and d["wires"].append(copy.deepcopy(d["wires"][0])),
    lambda d: d["blocks"] and d["blocks"][0].setdefault("params", {}).update(bogus=1),
    lambda d: d.update(version=2),
    lambda d: d.update(version=0),
    lambda d: d.update(format="something-else"),
    lambda d: d.update(dataset="no-such-set"),
    lambda d: d.update(dataset={"name": "csv", "csv": {"path": "/dev/zero"}}),
    lambda d: d.update(training={"lr": 1e7, "epochs": -3}),
    lambda d: d["blocks"].extend(copy.deepcopy(d["blocks"]) * 3),
]


@st.composite
def mutated_documents(draw):
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    data = _Drawer(draw)
    for fix in draw(st.lists(st.sampled_from(SEMANTIC), max_size=2)):
        fix(doc)
    for _ in range(draw(st.integers(1, 4))):
        doc = mutate_once(doc, data)
    return doc


class _Drawer:
    """Lets helpers call ``data.draw`` inside a composite strategy."""

    def __init__(self, draw) -> None:
        self.draw = draw


TYPES = [spec.name for spec in ge.REGISTRY]
PARAM_VALUES = st.one_of(st.integers(-3, 70000), st.floats(-2, 2e6, allow_nan=False),
                         st.booleans(), st.sampled_from([1, 2, -1, "none", "tanh", "x * 2",
                                                         "where(x > 0, x, alpha * x)"]))


def _ports(block: dict, side: str) -> list[str]:
    spec = ge.REGISTRY.get(block["type"]) if block["type"] in ge.REGISTRY else None
    return [p.name for p in (spec.inputs if side == "in" else spec.outputs)] if spec else []


def plausible_step(doc, data) -> None:
    """An edit a careless tool (or a hand edit) might make that keeps the file readable:
    it is the validator, not the reader, that has to cope with what follows."""
    blocks, wires = doc["blocks"], doc["wires"]
    kind = data.draw(st.sampled_from(["add", "retype", "wire", "unwire", "remove", "param",
                                      "dataset"]))
    if kind == "add" or not blocks:
        kind_name = data.draw(st.sampled_from(TYPES))
        blocks.append({"id": f"b{len(blocks)}x", "type": kind_name, "params": {},
                       "position": [data.draw(st.integers(-500, 500)), 0]})
    elif kind == "retype":
        block = data.draw(st.sampled_from(blocks))
        block["type"], block["params"] = data.draw(st.sampled_from(TYPES)), {}
    elif kind == "wire":
        src, dst = data.draw(st.sampled_from(blocks)), data.draw(st.sampled_from(blocks))
        outs, ins = _ports(src, "out"), _ports(dst, "in")
        if outs and ins:
            wires.append({"from": [src["id"], data.draw(st.sampled_from(outs))],
                          "to": [dst["id"], data.draw(st.sampled_from(ins))]})
    elif kind == "unwire" and wires:
        wires.pop(data.draw(st.integers(0, len(wires) - 1)))
    elif kind == "remove":
        gone = blocks.pop(data.draw(st.integers(0, len(blocks) - 1)))["id"]
        doc["wires"] = [w for w in wires if gone not in (w["from"][0], w["to"][0])]
    elif kind == "param":
        block = data.draw(st.sampled_from(blocks))
        spec = ge.REGISTRY.get(block["type"]) if block["type"] in ge.REGISTRY else None
        if spec and spec.params:
            name = data.draw(st.sampled_from([p.name for p in spec.params]))
            block.setdefault("params", {})[name] = data.draw(PARAM_VALUES)
    elif kind == "dataset":
        doc["dataset"] = data.draw(st.one_of(st.none(), st.sampled_from(ge.datasets.names())))


@st.composite
def plausible_documents(draw):
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    data = _Drawer(draw)
    for _ in range(draw(st.integers(1, 8))):
        plausible_step(doc, data)
    return doc


def to_text(doc) -> str:
    """JSON as a careless tool might write it: NaN and Infinity tokens allowed."""
    return json.dumps(doc, allow_nan=True, indent=None)


@st.composite
def damaged_bytes(draw):
    """A seed file's bytes, cut, overwritten, spliced, wrapped or padded."""
    text = to_text(draw(mutated_documents())) if draw(st.booleans()) else \
        json.dumps(draw(st.sampled_from(SEEDS)), indent=2)
    data = bytearray(text.encode("utf-8"))
    how = draw(st.sampled_from(["truncate", "overwrite", "insert", "wrap", "nest", "tokens",
                                "random", "pad", "bom"]))
    if how == "truncate":
        del data[draw(st.integers(0, len(data))):]
    elif how == "overwrite" and data:
        at = draw(st.integers(0, len(data) - 1))
        chunk = draw(st.binary(min_size=1, max_size=8))
        data[at:at + len(chunk)] = chunk
    elif how == "insert":
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e999",
                                            b"9" * 5000, b"\xff\xfe", b"\x00", b",", b"]",
                                            b"{", b'"', b"\\", b"\\ud800"]))
    elif how == "wrap":
        depth = draw(st.integers(1, 3000))
        data = bytearray(b"[" * depth + bytes(data) + b"]" * depth)
    elif how == "nest":
        depth = draw(st.integers(15, 100000))
        inner = b'{"a":' * depth + b"1" + b"}" * depth
        data = data.replace(b'"params": {}', b'"params": ' + inner, 1) \
            if b'"params": {}' in data else bytearray(inner)
    elif how == "tokens":
        for number in (b"0.1", b"200", b"2", b"8"):
            data = data.replace(number, draw(st.sampled_from(
                [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-0", b"1" + b"0" * 400])), 1)
    elif how == "random":
        data = bytearray(draw(st.binary(max_size=400)))
    elif how == "pad":
        data += b" " * draw(st.sampled_from([10, fileio.MAX_BYTES]))
    elif how == "bom":
        data = bytearray(draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b""]))) + data
    return bytes(data)


# ------------------------------------------------------------------ the property

def write(name: str, raw: bytes) -> str:
    path = os.path.join(FOLDER, name)
    with open(path, "wb") as stream:
        stream.write(raw)
    return path


def outcome(what: str) -> None:
    if currently_in_test_context():  # counted in --hypothesis-show-statistics
        event(what)


def check_load(raw: bytes, name: str = "case.json"):
    """The property: a validating, round-tripping diagram, or DiagramFileError."""
    path = write(name, raw)
    try:
        diagram = ge.load(path)
    except DiagramFileError as error:
        check_message(error, name)
        outcome("refused")
        return None
    outcome("loaded")
    problems = ge.validate(diagram)
    internal = [p for p in problems if p.code == "internal"]
    assert not internal, internal
    again = fileio.loads(fileio.dumps(diagram))
    assert fileio.to_dict(again) == fileio.to_dict(diagram)
    return diagram


def check_message(error: DiagramFileError, name: str) -> None:
    """What and where: the file's name, then a short sentence about the problem."""
    text = str(error)
    assert text.startswith(f"{name}: "), text
    assert 8 <= len(error.reason) <= fileio.MAX_MESSAGE, text
    assert "\n" not in text and "Traceback" not in text and " object at 0x" not in text, text


@FUZZ
@given(mutated_documents())
def test_mutated_documents_load_or_are_refused(doc):
    check_load(to_text(doc).encode("utf-8"))


@FUZZ
@given(plausible_documents())
def test_plausible_edits_load_and_validate_or_are_refused(doc):
    check_load(to_text(doc).encode("utf-8"))


@FUZZ
@given(damaged_bytes())
def test_damaged_bytes_load_or_are_refused(raw):
    check_load(raw)


@FUZZ
@given(VALUES)
def test_any_json_value_loads_or_is_refused(value):
    check_load(to_text(value).encode("utf-8"))


# ------------------------------------------------------------------ named cases

@pytest.mark.parametrize("make", [classifier, residual, merged, broken, csv_diagram,
                                  ge.Diagram])
def test_seed_diagrams_round_trip(make):
    original = make()
    diagram = check_load(fileio.dumps(original).encode("utf-8"), "seed.json")
    assert diagram is not None
    assert fileio.to_dict(diagram) == fileio.to_dict(original)


def seed_text(**changes) -> bytes:
    doc = copy.deepcopy(SEEDS[0])
    doc.update(changes)
    return to_text(doc).encode("utf-8")


NAMED = {
    "not JSON": (b"hello", "not valid JSON"),
    "empty": (b"", "the file is empty"),
    "truncated": (fileio.dumps(classifier()).encode()[:300], "not valid JSON"),
    "binary": (bytes(range(256)), "not a text file"),
    "a list": (b"[]", "JSON object"),
    "NaN": (seed_text().replace(b"0.01", b"NaN", 1), "NaN is not allowed"),
    "Infinity": (seed_text().replace(b"0.01", b"-Infinity", 1), "numbers must be finite"),
    "1e999": (seed_text().replace(b"0.01", b"1e999", 1), "lr"),
    "huge position": (seed_text().replace(b"[180.0, 0.0]", b"[1" + b"0" * 400 + b", 0]"),
                      "position"),
    "unknown block type": (seed_text(blocks=[{"id": "a", "type": "Conv9d"}]),
                           "unknown block type"),
    "duplicate ids": (seed_text(blocks=[{"id": "a", "type": "ReLU"},
                                        {"id": "a", "type": "Tanh"}]), "appears twice"),
    "wire to a missing block": (seed_text(wires=[{"from": ["input1", "output"],
                                                  "to": ["ghost", "input"]}]), "ghost"),
    "wire to a missing port": (seed_text(wires=[{"from": ["input1", "nope"],
                                                 "to": ["linear1", "input"]}]), "nope"),
    "deep nesting": (b"[" * 100000 + b"]" * 100000, "nested"),
    "future version": (seed_text(version=99), "update NetCanvas"),
    "missing key": (to_text({k: v for k, v in SEEDS[0].items() if k != "blocks"}).encode(),
                    "blocks"),
    "extra key": (seed_text(colour="red"), "colour"),
    "wrong type": (seed_text(blocks="many"), "blocks"),
    "bad setting": (seed_text(training={"lr": "fast"}), "lr"),
    "bad data set": (seed_text(dataset={"name": "circle", "samples": -5}), "samples"),
    "huge value": (seed_text(training={"optimizer": ["adam"] * 100000}), "optimizer must be"),
}


@pytest.mark.parametrize("case", sorted(NAMED))
def test_named_malformed_files_say_what_and_where(case):
    raw, expected = NAMED[case]
    with pytest.raises(DiagramFileError) as caught:
        ge.load(write("named.json", raw))
    check_message(caught.value, "named.json")
    assert expected.lower() in str(caught.value).lower()


def test_oversize_files_are_refused_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as stream:
        stream.truncate(fileio.MAX_BYTES + 1)
    with pytest.raises(DiagramFileError, match=r"big\.json: the file is .* the limit is"):
        ge.load(path)


def test_a_missing_file_a_folder_and_a_pipe_are_refused(tmp_path):
    with pytest.raises(DiagramFileError, match="cannot read the file"):
        ge.load(tmp_path / "nowhere.json")
    with pytest.raises(DiagramFileError, match="not a regular file"):
        ge.load(tmp_path)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(DiagramFileError, match="not a regular file"):
        ge.load(fifo)  # opening a FIFO would block for ever


@pytest.mark.parametrize("where", ["/dev/zero", "a folder"])
def test_a_csv_data_set_that_is_not_a_file_is_reported_not_read(where):
    """A file naming /dev/zero as its CSV once made validation read for ever."""
    doc = copy.deepcopy(SEEDS[4])
    doc["dataset"]["csv"]["path"] = FOLDER if where == "a folder" else where
    diagram = check_load(to_text(doc).encode("utf-8"))
    problems = [p for p in ge.validate(diagram) if p.code == "dataset"]
    assert problems and "not a regular file" in problems[0].message
