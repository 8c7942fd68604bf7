"""The generated block reference matches the registry."""

from __future__ import annotations

import graph_engine as ge
from tools import make_docs


def test_blocks_md_is_up_to_date():
    current = make_docs.BLOCKS_MD.read_text(encoding="utf-8")
    assert current == make_docs.render_blocks(), \
        "docs/blocks.md is out of date: run python -m tools.make_docs"


def test_every_block_and_parameter_is_documented():
    text = make_docs.render_blocks()
    for spec in ge.REGISTRY:
        section = text.split(f"### {spec.name}\n", 1)[1].split("\n### ", 1)[0]
        for expected in (spec.teaching.summary, spec.teaching.use, spec.teaching.mistake,
                         *(f"`{p.name}`" for p in spec.params)):
            assert expected in section, (spec.name, expected)


def test_check_mode_reports_staleness(tmp_path, monkeypatch):
    monkeypatch.setattr(make_docs, "BLOCKS_MD", tmp_path / "blocks.md")
    assert make_docs.main(["--check"]) == 1
    assert make_docs.main([]) == 0
    assert make_docs.main(["--check"]) == 0
