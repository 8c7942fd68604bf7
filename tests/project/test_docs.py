"""The docs stay true: the block reference matches the registry, the guide's
pictures exist, and its grading script prints what the guide says."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

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


DOCS = make_docs.BLOCKS_MD.parent


def test_every_image_the_docs_show_exists_and_every_image_is_shown():
    text = "".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))
    shown = set(re.findall(r"\]\((images/[^)]+)\)", text))
    on_disk = {f"images/{p.name}" for p in (DOCS / "images").iterdir()}
    assert shown == on_disk


def test_the_guides_grading_script_runs_and_prints_what_it_says(tmp_path):
    """docs/guide.md shows a teacher's grading script and its output: both stay true."""
    guide = (DOCS / "guide.md").read_text(encoding="utf-8")
    script = re.search(r"## For teachers.*?```python\n(.*?)```", guide, re.S).group(1)
    shown = re.search(r"it prints.*?```\n(.*?)```", guide, re.S).group(1)
    examples = DOCS.parent / "resources" / "examples"
    for name in ("xor", "xor-no-hidden", "stacked-linear", "softmax-before-cross-entropy"):
        shutil.copy(examples / f"{name}.json", tmp_path)
    (tmp_path / "broken.json").write_text("{broken", encoding="utf-8")
    (tmp_path / "grade.py").write_text(script, encoding="utf-8")
    done = subprocess.run([sys.executable, "grade.py", str(tmp_path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(DOCS.parent)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.replace("\r\n", "\n") == shown


def test_the_guides_trace_of_the_autograd_example_is_what_trace_prints(capsys):
    from graph_engine.cli import main

    guide = (DOCS / "guide.md").read_text(encoding="utf-8")
    command = "python main.py trace autograd.json --x 1"
    shown = re.search(rf"\$ {re.escape(command)}\n(.*?)```", guide, re.S).group(1)
    example = DOCS.parent / "resources" / "examples" / "autograd.json"
    assert main(["trace", str(example), "--x", "1"]) == 0
    assert capsys.readouterr().out == shown
