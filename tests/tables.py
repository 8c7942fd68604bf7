"""Table data sets as the tests describe them."""

from __future__ import annotations

from graph_engine.data.spec import CsvSource, DatasetSpec


def spec(path, **source) -> DatasetSpec:
    return DatasetSpec("csv", csv=CsvSource(str(path), **source))
