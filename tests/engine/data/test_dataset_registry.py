"""Data sets are entries of one registry: the built-in sets, a table file, drawn points and
classes from a function are declared once, and no code decides by a data set's name.

Each kind's entry says which keys of the file's "dataset" record it reads; a spec, the
file reader and the writer follow it, so a record of one kind never carries another's.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest
from paths import ROOT

import graph_engine as ge
from graph_engine.data import datasets
from graph_engine.data.catalogue import DATASETS
from graph_engine.data.registry import DatasetKind, Origin, Registry
from graph_engine.data.spec import SOURCES, CsvSource, DatasetSpec

# where the data sets are declared, and the spec whose fields hold what they are made from
DECLARED_IN = {ROOT / "graph_engine" / "data" / name
               for name in ("catalogue.py", "builtin.py", "spec.py")}

# one spec of each kind that is made from something besides its name
MADE: dict[str, dict] = {
    "csv": {"name": "csv", "csv": {"path": "table.csv", "target": "y"}},
    "points": {"name": "points", "points": [[-1.0, 2.0, 0], [1.5, -0.5, 1], [3.0, 3.0, 1]]},
    "function": {"name": "function", "boundary": "sin(x1)", "samples": 40},
}


def test_every_kind_is_declared_once_and_the_built_in_names_are_the_generated_ones():
    assert ge.datasets.names() == DATASETS.names(Origin.GENERATED)
    assert {k.origin for k in DATASETS} == set(Origin)
    assert set(MADE) == set(DATASETS.names()) - set(ge.datasets.names())
    registry = Registry()
    kind = DATASETS["xor"]
    registry.register(kind)
    with pytest.raises(ValueError, match="declared twice"):
        registry.register(kind)


def test_each_kind_reads_keys_the_spec_has():
    fields = set(DatasetSpec.__dataclass_fields__)
    for kind in DATASETS:
        assert set(kind.keys) <= fields - {"name", "labels"}, kind.name
        assert isinstance(kind, DatasetKind) and kind.description.endswith(".")


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown data set 'mnist' \(known: circle, xor"):
        DatasetSpec("mnist")


@pytest.mark.parametrize("name", sorted(MADE))
def test_a_spec_of_each_kind_goes_through_the_file_and_back(name, tmp_path):
    (tmp_path / "table.csv").write_text("a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    d = ge.Diagram()
    d.dataset = MADE[name]
    ge.save(d, tmp_path / "net.json")
    written = json.loads((tmp_path / "net.json").read_text())["dataset"]
    assert set(written) <= {"name", "labels", *DATASETS[name].keys}
    again = ge.load(tmp_path / "net.json")
    ge.save(again, tmp_path / "again.json")
    assert json.loads((tmp_path / "again.json").read_text())["dataset"] == written
    again = again.dataset
    info = datasets.info(again)
    assert info == datasets.load(again).info and info.features == 2


@pytest.mark.parametrize("name", sorted(MADE))
def test_a_source_without_its_kind_is_refused_naming_the_key(name, tmp_path):
    """A built-in set's record that carries a table, points or a formula is refused,
    in the file and through the API."""
    source = {k: v for k, v in MADE[name].items() if k in SOURCES}
    key = next(iter(source))
    with pytest.raises(ValueError, match=f"{key} is not a setting of the circle data set"):
        datasets.as_dataset_spec({"name": "circle", **source})
    document = {"format": "netcanvas-diagram", "version": 1, "blocks": [], "wires": [],
                "dataset": {"name": "circle", **source}}
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(ge.DiagramFileError, match=f'"dataset" has an unknown key "{key}" '
                       r"\(allowed: labels, name, noise, samples, seed, train_ratio\)"):
        ge.load(tmp_path / "bad.json")


def test_a_setting_a_kind_does_not_read_is_refused():
    with pytest.raises(ValueError, match="noise is not a setting of the points data set"):
        DatasetSpec("points", points=((0.0, 0.0, 0),), noise=0.2)
    assert DatasetSpec("points", points=()).with_(seed=3).seed == 3  # its own are kept


def test_a_kind_without_its_source_says_what_it_needs():
    for name, needs in (("csv", "needs its csv settings"), ("points", "needs its points"),
                        ("function", "takes a boundary")):
        with pytest.raises(ValueError, match=needs):
            DatasetSpec(name)


def test_files_a_kind_reads_are_the_diagrams_inputs(tmp_path):
    d = ge.Diagram()
    d.dataset = DatasetSpec("csv", csv=CsvSource(str(tmp_path / "t.csv")))
    from graph_engine.model.sources import input_files

    assert input_files(d, tmp_path / "net.json") == [str(tmp_path / "net.json"),
                                                    str(tmp_path / "t.csv")]
    d.dataset = MADE["points"]
    assert input_files(d) == []


def test_standardised_sets_keep_how_raw_features_became_inputs():
    data = datasets.load("iris")
    raw = np.concatenate([data.inputs.back(data.x_train), data.inputs.back(data.x_test)])
    from sklearn.datasets import load_iris

    assert sorted(map(tuple, np.round(raw, 4))) == sorted(map(tuple, load_iris().data))
    assert datasets.load("xor").inputs is None


# ------------------------------------------------------------------ no names in code

def sources() -> list[Path]:
    files = [*(ROOT / "graph_engine").rglob("*.py"), *(ROOT / "gui").rglob("*.py")]
    return sorted(f for f in files if f not in DECLARED_IN)


def decisions_by_name(text: str, names: set[str]) -> list[int]:
    """Lines comparing something with a data set's name, or testing a spec's table
    settings for None ("is it a table?" is the registry's question)."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if any(isinstance(s, ast.Constant) and s.value in names for s in sides) or \
                any(isinstance(s, ast.Attribute) and s.attr == "csv" for s in sides):
            found.append(node.lineno)
    return found


def test_the_scan_finds_a_decision_by_name():
    code = ('if spec.name == "csv":\n    pass\nif spec.csv is not None:\n    pass\n'
            'kind = DATASETS[spec.name]\n')
    assert decisions_by_name(code, {"csv"}) == [1, 3]


def test_no_code_decides_by_a_data_sets_name():
    names = set(DATASETS.names())
    found = [f"{path.relative_to(ROOT)}:{line}" for path in sources()
             for line in decisions_by_name(path.read_text(), names)]
    assert not found, ("ask the data set's registry entry (graph_engine/data/catalogue.py) "
                       "instead of comparing its name: " + ", ".join(found))
