"""Exercise files: round trips, every check kind's fields, and refusing bad files
with a message that says what and where. Also the diagram file's "exercise" field."""

from __future__ import annotations

import copy
import json

import pytest
from nets import two_layer
from paths import ROOT

import graph_engine as ge
from graph_engine.classroom import exercise as ex
from graph_engine.model import fileio


def start_diagram() -> ge.Diagram:
    d, _ = two_layer(dataset="xor")
    return d


def document() -> dict:
    """An exercise using every check kind and every top-level key."""
    return {
        "format": "netcanvas-exercise", "version": 1, "title": "Solve XOR",
        "task": "# XOR\nAdd a *hidden* layer.\n", "start": fileio.to_dict(start_diagram()),
        "locked": ["input1"], "dataset": {"name": "xor", "samples": 200},
        "training": {"optimizer": "adam", "lr": 0.01, "epochs": 5, "seed": 3},
        "checks": [
            {"id": "valid", "kind": "valid", "points": 1},
            {"id": "no-softmax", "kind": "no-warning", "code": "softmax-before-cross-entropy"},
            {"id": "acc", "kind": "test-accuracy", "min": 0.9, "points": 3, "hidden": True},
            {"id": "loss", "kind": "test-loss", "max": 0.5, "points": 0.5},
            {"id": "small", "kind": "max-parameters", "max": 200, "hint": "fewer units"},
            {"id": "relu", "kind": "uses-block", "type": "ReLU", "min": 1},
            {"id": "relu-default", "kind": "uses-block", "type": "ReLU"},
            {"id": "no-sigmoid", "kind": "forbids-block", "type": "Sigmoid"},
            {"id": "shape", "kind": "output-shape", "features": 2},
            {"id": "locked", "kind": "locked-unchanged", "points": 2},
            {"id": "f1", "kind": "test-f1", "min": 0.8, "given": True},
        ],
    }


REGRESSION_KINDS = {"test-r2", "test-rmse"}


def test_every_check_kind_is_read():
    exercise = ex.loads(json.dumps(document()))
    assert {c.kind for c in exercise.checks} == set(ex.KINDS.names()) - REGRESSION_KINDS
    assert exercise.max_score == 1 + 1 + 3 + 0.5 + 1 + 1 + 1 + 1 + 1 + 2 + 1
    assert [c.id for c in exercise.checks if c.given] == ["f1"]
    assert exercise.locked == ("input1",)
    assert exercise.locked_blocks() == {"input1": ("Input", {"features": 2})}
    checks = {c.id: c for c in exercise.checks}
    assert checks["relu-default"].min == 1 and checks["acc"].hidden
    assert checks["small"].hint == "fewer units"
    assert exercise.dataset == ge.DatasetSpec("xor", samples=200)
    assert exercise.training == ge.TrainingSettings(optimizer="adam", lr=0.01, epochs=5, seed=3)


def test_the_regression_kinds_are_read_for_a_regression_data_set():
    document = {"format": "netcanvas-exercise", "version": 1, "title": "Fit",
                "dataset": "polynomial", "training": {},
                "checks": [{"id": "r2", "kind": "test-r2", "min": 0.9},
                           {"id": "rmse", "kind": "test-rmse", "max": 0.5, "hidden": True}]}
    exercise = ex.loads(json.dumps(document))
    assert [(c.kind, c.min, c.max) for c in exercise.checks] == \
        [("test-r2", 0.9, None), ("test-rmse", None, 0.5)]
    assert ex.loads(ex.dumps(exercise)).to_dict() == exercise.to_dict()


@pytest.mark.parametrize(("dataset", "kind", "field", "message"), [
    ("polynomial", "test-accuracy", "min", "test-accuracy needs a classification data set"),
    ("polynomial", "test-f1", "min", "test-f1 needs a classification data set"),
    ("xor", "test-r2", "min", "test-r2 needs a regression data set"),
    ("xor", "test-rmse", "max", "test-rmse needs a regression data set"),
])
def test_a_check_that_cannot_apply_to_the_data_set_is_refused(dataset, kind, field, message):
    document = {"format": "netcanvas-exercise", "version": 1, "title": "T",
                "dataset": dataset, "training": {},
                "checks": [{"id": "c", "kind": kind, field: 0.5}]}
    with pytest.raises(ge.DiagramFileError, match=message):
        ex.loads(json.dumps(document))


def test_what_is_saved_loads_back_the_same(tmp_path):
    exercise = ex.loads(json.dumps(document()))
    path = tmp_path / "xor.exercise.json"
    ex.save(exercise, path)
    again = ex.load(path)
    assert again.to_dict() == exercise.to_dict()
    assert ex.dumps(again) == path.read_text(encoding="utf-8")


def test_an_exercise_made_in_code_saves_and_loads(tmp_path):
    exercise = ex.Exercise("Budget", ge.DatasetSpec("polynomial"), ge.TrainingSettings(),
                           (ex.Check("p", "max-parameters", points=2, max=50),))
    ex.save(exercise, tmp_path / "e.json")
    assert ex.load(tmp_path / "e.json").to_dict() == exercise.to_dict()
    assert ex.load(tmp_path / "e.json").start is None


def test_save_refuses_what_could_not_be_read_back(tmp_path):
    bad = ex.Exercise("", ge.DatasetSpec("xor"), ge.TrainingSettings(),
                      (ex.Check("v", "valid"),))
    with pytest.raises(ge.DiagramFileError, match="title is empty"):
        ex.save(bad, tmp_path / "e.json")
    assert not (tmp_path / "e.json").exists()


def changed(path: str, value) -> dict:
    """The document with the key at ``path`` ("checks.2.min") set to ``value``
    (or removed when ``value`` is ``...``)."""
    doc = copy.deepcopy(document())
    *parents, last = path.split(".")
    target = doc
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is ...:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return doc


BAD = [
    (changed("format", "netcanvas-diagram"), 'not a NetCanvas exercise ("format" should be'),
    (changed("version", 2), "format version 2, but this NetCanvas reads versions up to 1"),
    (changed("version", "1"), '"version" must be a whole number'),
    (changed("title", ...), 'the exercise lacks the key "title"'),
    (changed("author", "me"), 'the exercise has an unknown key "author"'),
    (changed("title", "  "), "the title is empty"),
    (changed("task", 5), "the task must be text (got int)"),
    (changed("task", "x" * 20_001), "the task is longer than 20000 characters"),
    (changed("start", []), '"start": a diagram must be a JSON object'),
    (changed("start.format", "nope"), '"start": not a NetCanvas diagram'),
    (changed("start.blocks.0.type", "Lineer"), "\"start\": block 'input1': unknown block type"),
    (changed("locked", ["nowhere"]), "\"locked\": 'nowhere' is not a block of the start"),
    (changed("locked", ["input1", "input1"]), "locked block id 'input1' appears twice"),
    (changed("dataset", None), '"dataset" is null'),
    (changed("dataset", "no-such-set"), "unknown data set 'no-such-set'"),
    (changed("training.lr", -1), '"training": lr must satisfy'),
    (changed("training.speed", 3), '"training" has an unknown key "speed"'),
    (changed("checks", []), '"checks" is empty'),
    (changed("checks", {}), '"checks" must be a list'),
    (changed("checks.0", "valid"), "check 1 must be a JSON object"),
    (changed("checks.0.kind", "magic"), 'check 1: "kind" must be one of valid, no-warning'),
    (changed("checks.1.id", "valid"), "the check id 'valid' appears twice"),
    (changed("checks.1.code", ...), 'check 2 lacks the key "code"'),
    (changed("checks.1.code", "softmax-before-crossentropy"),
     "did you mean 'softmax-before-cross-entropy'?"),
    (changed("checks.2.min", 1.5), "check 'acc': min must satisfy 0 <= min <= 1"),
    (changed("checks.2.max", 1), 'check 3 has an unknown key "max"'),
    (changed("checks.2.points", -1), "check 'acc': points must satisfy 0 <= points"),
    (changed("checks.2.hidden", "yes"), "check 'acc': \"hidden\" must be true or false"),
    (changed("checks.4.max", 2.5), "check 'small': max must be a whole number"),
    (changed("checks.5.type", "Relu"), "check 'relu': unknown block type 'Relu'"),
    (changed("checks.5.type", 3), "check 'relu': \"type\" must be a block type's name"),
    (changed("checks.8.features", 0), "check 'shape': features must satisfy"),
    (changed("checks.0.hint", "a\x1bb"), "the hint contains the control character U+001B"),
]


@pytest.mark.parametrize(("doc", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_a_bad_exercise_is_refused_with_a_clear_message(doc, message):
    with pytest.raises(ge.DiagramFileError) as caught:
        ex.loads(json.dumps(doc))
    assert message in str(caught.value)


def test_test_accuracy_on_a_regression_data_set_is_refused():
    doc = changed("dataset", {"name": "polynomial"})
    doc["start"] = None
    doc["locked"] = []
    with pytest.raises(ge.DiagramFileError, match="test-accuracy needs a classification"):
        ex.loads(json.dumps(doc))


@pytest.mark.parametrize("content", [b"", b"{", b"[1]", b"\xff\xfe", b"NaN",
                                     b'{"format": "netcanvas-exercise", "version": 1}'])
def test_a_file_that_is_no_exercise_names_the_file(tmp_path, content):
    path = tmp_path / "task.json"
    path.write_bytes(content)
    with pytest.raises(ge.DiagramFileError, match=r"^task\.json: "):
        ex.load(path)


def test_a_missing_exercise_says_it_cannot_be_read(tmp_path):
    with pytest.raises(ge.DiagramFileError, match="cannot read the exercise"):
        ex.load(tmp_path / "nothing.json")


def test_every_lint_code_may_be_named_by_no_warning():
    from graph_engine.checks.lints import LINTS

    assert {lint.code for lint in LINTS} <= set(ex.warning_codes())


# ------------------------------------------------ the diagram's "exercise" field

def test_a_diagram_records_the_exercise_it_answers(tmp_path):
    d = start_diagram()
    d.exercise = "Solve XOR"
    ge.save(d, tmp_path / "answer.json")
    assert json.loads((tmp_path / "answer.json").read_text())["exercise"] == "Solve XOR"
    assert ge.load(tmp_path / "answer.json").exercise == "Solve XOR"


def test_a_diagram_answering_no_exercise_is_written_as_before(tmp_path):
    d = start_diagram()
    ge.save(d, tmp_path / "plain.json")
    document = json.loads((tmp_path / "plain.json").read_text())
    assert "exercise" not in document
    assert ge.load(tmp_path / "plain.json").exercise == ""


@pytest.mark.parametrize(("value", "message"), [(3, "the exercise must be text"),
                                                ("x" * 201, "the exercise is longer than 200")])
def test_a_bad_exercise_field_is_refused(value, message):
    document = fileio.to_dict(start_diagram())
    document["exercise"] = value
    with pytest.raises(ge.DiagramFileError, match=message):
        fileio.loads(json.dumps(document))


# ------------------------------------------------ the documentation and the shipped exercises



def test_the_documented_example_parses_and_uses_every_check_kind():
    text = (ROOT / "docs" / "exercise-format.md").read_text(encoding="utf-8")
    example = text.split("## A complete example", 1)[1].split("```json\n", 1)[1]
    exercise = ex.loads(example.split("\n```", 1)[0])
    assert exercise.title == "Solve XOR" and exercise.locked == ("xor-input", "xor-loss")
    assert {c.kind for c in exercise.checks} == set(ex.KINDS.names()) - REGRESSION_KINDS


def test_the_documentation_describes_every_check_kind():
    text = (ROOT / "docs" / "exercise-format.md").read_text(encoding="utf-8")
    for kind in ex.KINDS:
        assert f"| `{kind.name}` |" in text, kind.name


@pytest.mark.parametrize("path", sorted((ROOT / "resources" / "exercises").glob("*.json")),
                         ids=lambda p: p.name)
def test_every_shipped_exercise_loads_and_is_written_as_netcanvas_writes(path):
    exercise = ex.load(path)
    assert ex.dumps(exercise) == path.read_text(encoding="utf-8")
    assert exercise.start is not None and not any(p.is_error for p in ge.validate(exercise.start))


def test_accuracy_on_a_regression_table_is_refused_when_the_exercise_is_read(tmp_path):
    """A table whose target is continuous is regression, as the built-in sets are:
    test accuracy on it would give every student 0."""
    rows = "".join(f"{i / 10},{(i * 7919) % 101 / 7:.3f}\n" for i in range(60))
    (tmp_path / "t.csv").write_text("x,y\n" + rows)
    document = {"format": "netcanvas-exercise", "version": 1, "title": "T",
                "dataset": {"name": "csv", "csv": {"path": "t.csv", "target": "y"}},
                "training": {}, "checks": [{"id": "acc", "kind": "test-accuracy", "min": 0.9}]}
    (tmp_path / "ex.json").write_text(json.dumps(document))
    with pytest.raises(ge.DiagramFileError, match=r"test-accuracy needs a classification data "
                                                  r"set.*use test-r2, test-rmse or test-loss"):
        ex.load(tmp_path / "ex.json")
    document["checks"] = [{"id": "fit", "kind": "test-r2", "min": 0.5}]
    (tmp_path / "ex.json").write_text(json.dumps(document))
    assert ex.load(tmp_path / "ex.json").checks[0].kind == "test-r2"


@pytest.mark.parametrize("path", sorted((ROOT / "resources" / "examples").glob("*.json")),
                         ids=lambda p: p.stem)
def test_max_parameters_counts_what_the_compiled_network_has(path):
    from graph_engine.build.plan import parameter_count
    from graph_engine.checks.analysis import analyze

    diagram = ge.load(path)
    net = ge.compile(diagram)
    compiled = sum(p.numel() for p in net.model.parameters() if p.requires_grad)
    assert parameter_count(analyze(diagram)) == compiled
