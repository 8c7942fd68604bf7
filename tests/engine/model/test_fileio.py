"""Diagram files: round trips, atomic saving, and refusing every kind of bad file."""

from __future__ import annotations

import json
import os
import random

import pytest

import graph_engine as ge
from graph_engine.core import limits
from graph_engine.core.jsontext import json_nesting
from graph_engine.data.spec import CsvSource, DatasetSpec
from graph_engine.model import fileio


def full_diagram() -> ge.Diagram:
    """A diagram using every part of the file: names, positions, merge, target, settings."""
    d = ge.Diagram()
    d.title, d.description = "Residual demo", "A skip connection.\nSecond line: ünïcode ✓"
    x = d.add_block("Input", {"features": 2}, (-120.5, 33.25))
    h = d.add_block("Linear", {"out_features": 6, "bias": False}, (0, 0), name="hidden")
    a = d.add_block("CustomActivation", {"formula": "x * sigmoid(beta * x)"}, (80, 10))
    add = d.add_block("Add", {}, (160, 0))
    o = d.add_block("Linear", {"out_features": 2}, (240, 0))
    loss = d.add_block("CrossEntropyLoss", {"label_smoothing": 0.05}, (320, 0))
    t = d.add_block("Target", {}, (320, 80))
    for src, dst in ((x, h), (h, a), (a, add), (h, add), (add, o), (o, loss)):
        d.connect(src, dst)
    d.connect(t, loss)
    d.dataset = DatasetSpec("spiral", samples=300, noise=0.1, train_ratio=0.6, seed=4)
    d.training = ge.TrainingSettings(optimizer="adam", lr=0.005, batch_size=16, epochs=12,
                                     l1=0.001, l2=0.0001, seed=7)
    return d


def document() -> dict:
    return fileio.to_dict(full_diagram())


def write(tmp_path, content, name: str = "net.json"):
    path = tmp_path / name
    if isinstance(content, (dict, list)):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


# ------------------------------------------------------------ round trips

def test_round_trip_keeps_everything(tmp_path):
    d = full_diagram()
    path = tmp_path / "net.json"
    ge.save(d, path)
    back = ge.load(path)
    assert fileio.to_dict(back) == fileio.to_dict(d)
    assert [(b.id, b.type, b.params, b.position, b.name) for b in back.blocks] == \
        [(b.id, b.type, b.params, b.position, b.name) for b in d.blocks]
    assert back.wires == d.wires
    assert (back.title, back.description) == (d.title, d.description)
    assert back.dataset == d.dataset and back.training == d.training


def test_round_trip_of_a_csv_dataset(tmp_path):
    d = full_diagram()
    d.dataset = DatasetSpec("csv", csv=CsvSource(str(tmp_path / "data.csv"), ("a", "b"),
                                                 "label", "classification", False))
    ge.save(d, tmp_path / "net.json")
    assert ge.load(tmp_path / "net.json").dataset == d.dataset


def test_a_csv_beside_the_diagram_travels_with_it(tmp_path, monkeypatch):
    """Saved relative to the diagram's folder; loaded from there, whatever the
    current folder: a teacher can move a student's folder and still train it."""
    class_folder = tmp_path / "class" / "ada"
    (class_folder / "data").mkdir(parents=True)
    (class_folder / "data" / "points.csv").write_text("a,b,label\n0,1,0\n1,0,1\n2,2,0\n")
    d = full_diagram()
    d.dataset = DatasetSpec("csv", csv=CsvSource(str(class_folder / "data" / "points.csv")))
    ge.save(d, class_folder / "net.json")
    saved = json.loads((class_folder / "net.json").read_text())
    assert saved["dataset"]["csv"]["path"] == "data/points.csv"
    moved = tmp_path / "graded" / "ada"
    moved.parent.mkdir()
    (tmp_path / "class" / "ada").rename(moved)
    monkeypatch.chdir(tmp_path)
    back = ge.load(moved / "net.json")
    assert back.dataset.csv.path == str(moved / "data" / "points.csv")
    assert ge.datasets.load(back.dataset).info.features == 2


def test_a_csv_outside_the_diagrams_folder_keeps_its_full_path(tmp_path):
    d = full_diagram()
    d.dataset = DatasetSpec("csv", csv=CsvSource(str(tmp_path / "shared.csv")))
    (tmp_path / "work").mkdir()
    ge.save(d, tmp_path / "work" / "net.json")
    saved = json.loads((tmp_path / "work" / "net.json").read_text())
    assert saved["dataset"]["csv"]["path"] == str(tmp_path / "shared.csv")


def test_round_trip_of_an_empty_diagram(tmp_path):
    ge.save(ge.Diagram(), tmp_path / "empty.json")
    back = ge.load(tmp_path / "empty.json")
    assert back.blocks == [] and back.wires == [] and back.dataset is None


def test_saved_file_is_plain_versioned_json(tmp_path):
    ge.save(full_diagram(), tmp_path / "net.json")
    data = json.loads((tmp_path / "net.json").read_text(encoding="utf-8"))
    assert data["format"] == "netcanvas-diagram" and data["version"] == 1
    assert set(data) == fileio.TOP_KEYS


def test_a_loaded_file_validates_and_compiles_like_the_original(tmp_path):
    d = full_diagram()
    ge.save(d, tmp_path / "net.json")
    back = ge.load(tmp_path / "net.json")
    assert ge.validate(back) == ge.validate(d)
    assert ge.to_python(back) == ge.to_python(d)


def test_a_cycle_in_a_file_loads_and_is_reported(tmp_path):
    doc = document()
    doc["wires"].append({"from": ["add1", "output"], "to": ["add1", "input"]})
    d = ge.load(write(tmp_path, doc))
    assert "cycle" in {p.code for p in ge.validate(d)}


def test_optional_keys_have_defaults(tmp_path):
    doc = {"format": "netcanvas-diagram", "version": 1,
           "blocks": [{"id": "in", "type": "Input"}], "wires": []}
    d = ge.load(write(tmp_path, doc))
    block = d.block("in")
    assert (block.params, block.position, block.name) == ({"features": 2}, (0.0, 0.0), "in")
    assert d.training == ge.TrainingSettings() and d.dataset is None and d.title == ""


# ------------------------------------------------------------ atomic saving

def test_save_leaves_no_temporary_files(tmp_path):
    ge.save(full_diagram(), tmp_path / "net.json")
    ge.save(full_diagram(), tmp_path / "net.json")
    assert os.listdir(tmp_path) == ["net.json"]


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    ge.save(full_diagram(), path)
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        ge.save(ge.Diagram(), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.json"]


def test_save_keeps_the_file_permissions(tmp_path):
    path = tmp_path / "net.json"
    ge.save(ge.Diagram(), path)
    os.chmod(path, 0o640)
    ge.save(full_diagram(), path)
    assert os.stat(path).st_mode & 0o777 == 0o640


def test_save_refuses_a_missing_folder(tmp_path):
    with pytest.raises(OSError):
        ge.save(ge.Diagram(), tmp_path / "nope" / "net.json")


# ------------------------------------------------------------ refusing bad files

def edited(change) -> dict:
    doc = document()
    change(doc)
    return doc


def set_in(path_keys, value):
    def change(doc):
        target = doc
        for key in path_keys[:-1]:
            target = target[key]
        target[path_keys[-1]] = value
    return change


def _delete(key):
    return lambda doc: doc.pop(key)


def _duplicate_first_block(doc):
    doc["blocks"].append(dict(doc["blocks"][0]))


BAD_DOCUMENTS = {
    "wrong format": (set_in(["format"], "something-else"), "not a NetCanvas diagram"),
    "future version": (set_in(["version"], 99), "update NetCanvas"),
    "version zero": (set_in(["version"], 0), "version"),
    "version text": (set_in(["version"], "1"), "version"),
    "missing blocks": (_delete("blocks"), 'lacks the key "blocks"'),
    "missing wires": (_delete("wires"), 'lacks the key "wires"'),
    "extra key": (set_in(["colour"], "red"), 'unknown key "colour"'),
    "blocks not a list": (set_in(["blocks"], {}), '"blocks" must be a list'),
    "title not text": (set_in(["title"], 5), "title must be text"),
    "block not an object": (set_in(["blocks", 0], "input1"), "block 1 must be a JSON object"),
    "block lacks type": (lambda doc: doc["blocks"][0].pop("type"),
                         'block 1 lacks the key "type"'),
    "block lacks id and type": (lambda doc: [doc["blocks"][1].pop(k) for k in ("id", "type")],
                                'block 2 lacks the keys "id" and "type"'),
    "wire says dst for to": (lambda doc: doc["wires"][0].update(dst=doc["wires"][0].pop("to")),
                             'wire 1 lacks the key "to"; it has the unknown key "dst" '
                             '(allowed: from, to)'),
    "block extra key": (set_in(["blocks", 1, "colour"], 3), 'block 2 has an unknown key'),
    "empty id": (set_in(["blocks", 0, "id"], " "), '"id" is empty'),
    "params not object": (set_in(["blocks", 1, "params"], [8]),
                          "block 'linear1': \"params\" must be a JSON object"),
    "position text": (set_in(["blocks", 1, "position"], "here"), "\"position\" must be"),
    "position huge": (set_in(["blocks", 1, "position"], [1e300, 0]), "within"),
    "param wrong type": (set_in(["blocks", 1, "params", "out_features"], "many"),
                         "block 'linear1': out_features must be a whole number"),
    "param huge": (set_in(["blocks", 1, "params", "out_features"], 10**30),
                   "block 'linear1': out_features must satisfy"),
    "param bool": (set_in(["blocks", 1, "params", "bias"], "yes"), "bias must be true"),
    "unknown param": (set_in(["blocks", 1, "params", "units"], 3), "no parameter 'units'"),
    "bad formula": (set_in(["blocks", 2, "params", "formula"], "x.exp()"), "block 'custom"),
    "unknown type": (set_in(["blocks", 1, "type"], "Dense"), "unknown block type 'Dense'"),
    "duplicate id": (_duplicate_first_block, "the id appears twice"),
    "wire to a missing block": (set_in(["wires", 0, "to"], ["ghost", "input"]),
                                ("wire 1 (", "no block with id 'ghost'")),
    "wire to a missing port": (set_in(["wires", 0, "to"], ["linear1", "side"]),
                               ("wire 1 (", "Linear has no input port 'side'")),
    "wire end malformed": (set_in(["wires", 0, "from"], ["input1"]),
                           'wire 1: "from" must be [block id, port name]'),
    "duplicate wire": (lambda doc: doc["wires"].append(doc["wires"][0]),
                       "wire 8 ('input1' → 'linear1'): a wire from the output port of Input 1 "
                       "to the input port of hidden exists already"),
    "bad dataset name": (set_in(["dataset", "name"], "mnist"),
                         "\"dataset\": unknown data set 'mnist'"),
    "bad dataset value": (set_in(["dataset", "noise"], 5), "\"dataset\": noise must satisfy"),
    "dataset not named": (set_in(["dataset"], 12), "\"dataset\""),
    "bad training value": (set_in(["training", "lr"], -1), "\"training\": lr must satisfy"),
    "huge training value": (set_in(["training", "epochs"], 10**20),
                            "\"training\": epochs must satisfy"),
    "unknown training setting": (set_in(["training", "momentum"], 0.9),
                                 '"training" has an unknown key "momentum" (allowed: '
                                 'batch_size, epochs, init, l1, l2, lr, optimizer, pace, '
                                 'pace_unit, seed, shuffle)'),
    "empty dataset": (set_in(["dataset"], {}), '"dataset" lacks the key "name"'),
    "dataset names one setting wrong": (set_in(["dataset", "nosie"], 0.1),
                                        '"dataset" has an unknown key "nosie" (allowed: '
                                        'labels, name, noise, samples, seed, train_ratio)'),
    "dataset a list": (set_in(["dataset"], ["circle"]),
                       '"dataset" must be the name of a data set or a JSON object'),
    "csv lacks its path": (set_in(["dataset"], {"name": "csv", "csv": {"target": "y"}}),
                           '"dataset": "csv" lacks the key "path"'),
    "csv unknown key": (set_in(["dataset"], {"name": "csv", "csv": {"path": "d.csv",
                                                                    "columns": ["a"]}}),
                        '"dataset": "csv" has an unknown key "columns" (allowed: features, '
                        'format, missing, path, split, standardize, target, task)'),
    "csv not an object": (set_in(["dataset"], {"name": "csv", "csv": "d.csv"}),
                          '"dataset": "csv" must be a JSON object'),
    "csv path with a newline": (set_in(["dataset"], {"name": "csv", "csv": {"path": "d\n.csv"}}),
                                '"dataset": "csv": "path" contains the control character '
                                'U+000A'),
    "csv features not a list": (set_in(["dataset"], {"name": "csv",
                                                     "csv": {"path": "d.csv", "features": "a"}}),
                                '"dataset": "csv": the CSV features must be a list'),
    "training not object": (set_in(["training"], []), "\"training\" must be a JSON object"),
}


@pytest.mark.parametrize("case", list(BAD_DOCUMENTS))
def test_bad_documents_are_refused_with_what_and_where(case, tmp_path):
    change, words = BAD_DOCUMENTS[case]
    path = write(tmp_path, edited(change), "student.json")
    with pytest.raises(ge.DiagramFileError) as caught:
        ge.load(path)
    message = str(caught.value)
    assert message.startswith("student.json: ")
    for part in (words,) if isinstance(words, str) else words:
        assert part in message
    assert caught.value.path == str(path)


REQUIRED_KEYS = [("the file", None, key) for key in ("blocks", "wires")] + \
    [("block 2", ("blocks", 1), key) for key in ("id", "type")] + \
    [("wire 3", ("wires", 2), key) for key in ("from", "to")]


@pytest.mark.parametrize("where, record, key", REQUIRED_KEYS)
def test_a_missing_key_is_named_with_where_it_is_missing(where, record, key):
    doc = document()
    target = doc if record is None else doc[record[0]][record[1]]
    del target[key]
    with pytest.raises(ge.DiagramFileError) as caught:
        fileio.loads(json.dumps(doc))
    assert caught.value.reason == f'{where} lacks the key "{key}"'


def reference_nesting(text: str) -> int:
    """The plain character-by-character scan that json_nesting must agree with."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


NESTING_TEXTS = ["", "{}", "[[[]]]", '{"a": "[[[["}', '["\\"", [[]]]', '["\\\\", [[]]]',
                 '["\\\\\\"[[[", []]', '["\\u005C", [[]]]', '["é[ü{", [["✓"]]]',
                 '[{"a": [1, {"b": "}}}"}]}]', "]]][[", '[["unterminated [[[[',
                 json.dumps({"s": "[\\\"{" * 20, "t": [[[["]]"]]]]})]


@pytest.mark.parametrize("text", NESTING_TEXTS)
def test_nesting_counts_brackets_outside_strings_only(text):
    assert json_nesting(text) == reference_nesting(text)


def test_nesting_of_random_json_agrees_with_a_character_scan():
    rng = random.Random(5)
    for _ in range(2000):
        parts = [json.dumps("".join(rng.choice('[]{}"\\ é') for _ in range(rng.randint(0, 6))),
                            ensure_ascii=rng.random() < 0.5)
                 if rng.random() < 0.3 else rng.choice("[]{} 1,") for _ in range(30)]
        text = "".join(parts)[:rng.randint(0, 200)]  # cut short, inside a string too
        assert json_nesting(text) == reference_nesting(text), text


def test_nesting_of_a_file_at_the_size_limit():
    size = fileio.MAX_BYTES
    assert json_nesting("[" * size) == size
    assert json_nesting("[]" * (size // 2)) == 1
    assert json_nesting('["' + "[\\\"" * (size // 4) + '"]') == 1


BAD_TEXT = {
    "not json": (b"hello, world", "not valid JSON"),
    "truncated": (json.dumps(document()).encode()[:200], "not valid JSON"),
    "empty": (b"", "the file is empty"),
    "binary": (b"\xff\xfe\x00garbage", "not a text file"),
    "top-level list": (b"[1, 2, 3]", "JSON object"),
    "top-level number": (b"42", "JSON object"),
    "NaN": (json.dumps(document()).replace('"lr": 0.005', '"lr": NaN').encode(), "NaN"),
    "Infinity": (json.dumps(document()).replace('"l1": 0.001', '"l1": -Infinity').encode(),
                 "Infinity"),
    "huge float": (json.dumps(document()).replace('"lr": 0.005', '"lr": 1e400').encode(),
                   "\"training\": lr must be a finite number"),
    "deep nesting": (b'{"format": ' + b"[" * 200 + b"]" * 200 + b"}", "nested more than"),
}


@pytest.mark.parametrize("case", list(BAD_TEXT))
def test_bad_text_is_refused(case, tmp_path):
    raw, words = BAD_TEXT[case]
    with pytest.raises(ge.DiagramFileError, match=words) as caught:
        ge.load(write(tmp_path, raw))
    assert str(caught.value).startswith("net.json: ")


def test_invalid_json_says_where(tmp_path):
    with pytest.raises(ge.DiagramFileError, match="line 3, column"):
        ge.load(write(tmp_path, '{\n  "format": "netcanvas-diagram",\n  "version": 1,,\n}'))


def test_deeply_nested_json_does_not_recurse(tmp_path):
    raw = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ge.DiagramFileError, match="nested"):
        ge.load(write(tmp_path, raw))


def test_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as stream:
        stream.truncate(fileio.MAX_BYTES + 1)
    with pytest.raises(ge.DiagramFileError, match="the limit is"):
        ge.load(path)


def test_too_many_blocks_are_refused(tmp_path, monkeypatch):
    path = write(tmp_path, document())
    monkeypatch.setattr(limits, "MAX_BLOCKS", 3)  # declared once, read by the reader
    with pytest.raises(ge.DiagramFileError, match="the limit is 3"):
        ge.load(path)


def test_missing_file_is_a_diagram_file_error(tmp_path):
    with pytest.raises(ge.DiagramFileError, match="cannot read"):
        ge.load(tmp_path / "nope.json")


def test_a_folder_is_a_diagram_file_error(tmp_path):
    with pytest.raises(ge.DiagramFileError):
        ge.load(tmp_path)


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    raw = b"\xef\xbb\xbf" + json.dumps(document()).encode("utf-8")
    assert fileio.to_dict(ge.load(write(tmp_path, raw))) == document()


def test_diagram_file_error_is_a_value_error():
    assert issubclass(ge.DiagramFileError, ValueError)
