"""The benchmarks run (at tiny sizes) so they cannot rot; no timing is asserted."""

from __future__ import annotations

import json

from benchmarks import run
from benchmarks.common import Figure


def test_every_benchmark_runs_at_tiny_sizes(qapp, tmp_path, monkeypatch):
    lines: list[str] = []
    figures = run.run([], quick=True, echo=lines.append)
    keys = {f.key for f in figures}
    for number in "12345678":
        assert any(key.startswith(f"{number}.") for key in keys), number
    assert all(isinstance(f, Figure) and f.value == f.value for f in figures)  # no NaN
    assert all(f.goal is None or f.met in (True, False) for f in figures)
    assert {f.key for f in figures if f.key.startswith("5.")} == {"5.startup",
                                                                   "5.torch-at-startup"}
    assert "reference" in "\n".join(lines)
    table = run.table(figures)
    assert table.count("\n") == len(figures) + 1
    monkeypatch.setattr(run, "FOLDER", str(tmp_path))
    paths = run.save(figures, {"cpu": "test"}, quick=True)
    with open(paths[0], encoding="utf-8") as f:
        data = json.load(f)
    assert data["quick"] and len(data["figures"]) == len(figures)
