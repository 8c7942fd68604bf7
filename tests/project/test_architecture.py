"""The registry is the only place that knows block types: a test that reads the code.

Every string literal in graph_engine/ and gui/ outside the catalogue is
compared with the registered block type names. Code that needs a fact about a
block asks its BlockSpec (``spec.dense``, ``spec.produces``, ``spec.role``)
instead of naming the type. Text that only looks like a type name (a button
called "Step") says so on its line with ``# not a block type: <why>``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from paths import ROOT

import graph_engine as ge

CATALOGUE = ROOT / "graph_engine" / "blocks" / "catalogue"
MARK = "# not a block type"


def sources() -> list[Path]:
    files = [*(ROOT / "graph_engine").rglob("*.py"), *(ROOT / "gui").rglob("*.py")]
    return sorted(f for f in files if CATALOGUE not in f.parents)


def type_names_in(text: str, names: set[str]) -> list[tuple[int, str]]:
    """(line, literal) of each string literal equal to a block type name, on a
    line without the mark."""
    lines = text.splitlines()
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value in names and MARK not in lines[node.lineno - 1]]


def test_the_scan_finds_a_type_name_and_respects_the_mark():
    names = {"Linear", "Step"}
    code = ('if block.type == "Linear":\n'
            '    label = f"{n} Linear layers"\n'
            'button = "Step"  # not a block type: a button\n'
            'kinds = ("Identity", "Step")\n')
    assert type_names_in(code, names) == [(1, "Linear"), (4, "Step")]


def test_no_code_outside_the_catalogue_names_a_block_type():
    names = set(ge.REGISTRY.names())
    found = [f"{path.relative_to(ROOT)}:{line}: {literal!r}"
             for path in sources() for line, literal in type_names_in(path.read_text(), names)]
    assert not found, ("block type names written outside graph_engine/blocks/catalogue/; "
                       "give BlockSpec the property the code needs and ask the registry "
                       "(or mark text that is not a type with '# not a block type: why'):\n"
                       + "\n".join(found))


def test_every_mark_stands_beside_a_type_name():
    """A mark left behind after its literal is gone would hide the next one."""
    names = set(ge.REGISTRY.names())
    stale = []
    for path in sources():
        text = path.read_text()
        literal_lines = {node.lineno for node in ast.walk(ast.parse(text))
                         if isinstance(node, ast.Constant) and node.value in names}
        stale += [f"{path.relative_to(ROOT)}:{number}"
                  for number, line in enumerate(text.splitlines(), 1)
                  if MARK in line and number not in literal_lines]
    assert not stale, f"'{MARK}' on lines without a block type name: {stale}"


def test_every_document_the_code_points_to_exists():
    pattern = re.compile(r"\bdocs/[\w./-]+\.md\b")
    missing = [f"{path.relative_to(ROOT)}: {ref}" for path in sources()
               for ref in pattern.findall(path.read_text()) if not (ROOT / ref).is_file()]
    assert not missing, missing
    assert "docs/guide.md" in (ROOT / "graph_engine" / "__init__.py").read_text()
