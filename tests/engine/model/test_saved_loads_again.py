"""Whatever ``save`` writes, ``load`` reads, and it is the same diagram.

The limits and text rules are enforced where values come in (the API) with
the same checks the reader applies, so nothing the user made can be saved
and then refused. Random diagrams with hostile texts, ids and positions
anywhere within the limits go through save and load; the failures a hostile
tester found are pinned below; and the largest diagram the limits allow is
written and read back.
"""

from __future__ import annotations

import json
import os
import tempfile
import time

import pytest
from hostile import ASTRAL, diagrams, fuzz_settings
from hypothesis import given

import graph_engine as ge
from graph_engine.core import limits
from graph_engine.data.spec import CsvSource
from graph_engine.model import fileio
from graph_engine.model.diagram import Wire

FOLDER = tempfile.mkdtemp(prefix="netcanvas-roundtrip-")


def round_trip(diagram: ge.Diagram, path: str) -> ge.Diagram:
    ge.save(diagram, path)
    return ge.load(path)


@fuzz_settings(100)
@given(diagrams())
def test_every_diagram_the_api_builds_loads_again_unchanged(diagram):
    path = os.path.join(FOLDER, "net.json")
    assert fileio.to_dict(round_trip(diagram, path)) == fileio.to_dict(diagram)


# ------------------------------------------------------------------ what was found

def small() -> tuple[ge.Diagram, str]:
    d = ge.Diagram()
    x = d.add("Input", features=2)
    d.connect(x, d.add("Linear", out_features=2))
    return d, x


def test_a_name_longer_than_the_limit_is_refused_where_it_is_typed():
    d, x = small()
    with pytest.raises(ValueError, match="longer than 64 characters"):
        d.rename(x, "n" * 80)
    with pytest.raises(ValueError, match="longer than 64"):
        d.add_block("ReLU", name="n" * 80)
    assert d.block(x).name == "Input 1" and len(d.blocks) == 2


@pytest.mark.parametrize("field, limit", [("title", limits.MAX_TITLE),
                                          ("description", limits.MAX_DESCRIPTION)])
def test_long_titles_and_descriptions_are_refused_and_the_longest_round_trip(field, limit,
                                                                             tmp_path):
    d, _ = small()
    with pytest.raises(ValueError, match=f"longer than {limit}"):
        setattr(d, field, "t" * (limit + 1))
    assert getattr(d, field) == ""
    setattr(d, field, "é" * limit)
    assert getattr(round_trip(d, tmp_path / "net.json"), field) == "é" * limit


@pytest.mark.parametrize("block_id", ["   ", "", "\t", "a\x1bb", "\ud800", "i" * 65])
def test_ids_the_reader_refuses_are_refused_by_the_api(block_id):
    d, _ = small()
    with pytest.raises(ValueError):
        d.add_block("ReLU", block_id=block_id)
    assert len(d.blocks) == 2


def test_a_position_is_stored_as_it_is_saved(tmp_path):
    d, x = small()
    d.move(x, 999999999.999, -0.004)
    assert d.block(x).position == (1e9, 0.0)  # rounded first, then within ±MAX_POSITION
    assert round_trip(d, tmp_path / "net.json").block(x).position == (1e9, 0.0)
    for bad in ((1e9 + 0.01, 0), (float("nan"), 0), (10**400, 0), (True, 0), ("1", 0)):
        with pytest.raises(ValueError, match="position"):
            d.move(x, *bad)
    assert d.block(x).position == (1e9, 0.0)


def test_the_block_past_the_limit_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(limits, "MAX_BLOCKS", 5)
    d, _ = small()
    for _ in range(3):
        d.add("ReLU")
    with pytest.raises(ValueError, match="at most 5 blocks"):
        d.add("ReLU")
    assert len(round_trip(d, tmp_path / "net.json").blocks) == 5


def test_the_wire_past_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_WIRES", 1)
    d, x = small()
    relu = d.add("ReLU")
    with pytest.raises(ge.WireError, match="at most 1 wires"):
        d.connect(x, relu)
    with pytest.raises(ge.WireError, match="at most 1 wires"):
        d.insert_wire(Wire(x, "output", relu, "input"))
    assert len(d.wires) == 1


def test_5005_blocks_stop_at_the_limit_and_the_file_loads():
    d = ge.Diagram()
    added = 0
    with pytest.raises(ValueError, match=f"at most {limits.MAX_BLOCKS} blocks"):
        for _ in range(5005):
            d.add_block("ReLU")
            added += 1
    assert added == limits.MAX_BLOCKS
    path = os.path.join(FOLDER, "many.json")
    assert len(round_trip(d, path).blocks) == limits.MAX_BLOCKS


# ------------------------------------------------------------------ the largest file

def longest(limit: int, index: int) -> str:
    """``limit`` characters of 4 bytes each in UTF-8, unique by ``index``."""
    tag = str(index)
    return ASTRAL * (limit - len(tag)) + tag


def largest_diagram() -> ge.Diagram:
    """Every limit reached with the widest characters: the largest legal file."""
    d = ge.Diagram()
    d.title = ASTRAL * limits.MAX_TITLE
    d.description = ASTRAL * limits.MAX_DESCRIPTION
    # the widest whitespace a formula may hold between tokens: 3 bytes a character in UTF-8
    formula = {"formula": "x" + "\u3000" * 297 + "+x"}
    corner = (-limits.MAX_POSITION, -limits.MAX_POSITION + 0.01)
    ids = [d.add_block("CustomActivation", formula, corner, longest(limits.MAX_ID, i),
                       longest(limits.MAX_NAME, i)) for i in range(limits.MAX_BLOCKS)]
    per_block = -(-limits.MAX_WIRES // len(ids))
    for index in range(limits.MAX_WIRES):  # insert_wire: no cycle checks, fast
        src, step = divmod(index, per_block)
        d.insert_wire(Wire(ids[src], "output", ids[(src + step + 1) % len(ids)], "input"))
    return d


def test_the_largest_legal_diagram_saves_and_loads_again():
    d = largest_diagram()
    assert (len(d.blocks), len(d.wires)) == (limits.MAX_BLOCKS, limits.MAX_WIRES)
    path = os.path.join(FOLDER, "largest.json")
    started = time.perf_counter()
    ge.save(d, path)
    back = ge.load(path)
    seconds = time.perf_counter() - started
    size = os.path.getsize(path)
    print(f"\nlargest diagram: {size:,} bytes, saved and loaded in {seconds:.1f} s")
    assert size <= fileio.MAX_BYTES
    assert fileio.to_dict(back) == fileio.to_dict(d)
    assert seconds < 120  # several seconds on a loaded machine; a hang would show here
    os.unlink(path)


def test_files_are_utf8_and_a_lone_surrogate_in_a_path_stays_an_escape():
    d, _ = small()
    d.title = "Réseau ×2"
    d.dataset = ge.DatasetSpec("csv", csv=CsvSource(path="/data/\udcff.csv", target="y"))
    text = fileio.dumps(d)
    assert "Réseau ×2" in text and "\\udcff" in text
    text.encode("utf-8")  # no lone surrogate left in the text
    assert json.loads(text)["dataset"]["csv"]["path"] == "/data/\udcff.csv"
