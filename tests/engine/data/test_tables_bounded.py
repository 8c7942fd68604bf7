"""Tables within their bounds: a Parquet file is budgeted by the table its footer
says it holds (not by its compressed bytes), known by its magic bytes and
footer before anything else is read, and every column it may hold is either
read or refused naming the file and the column. A column with no values is a
problem that names it, not a run that "diverges". No message quotes more
than a few dozen characters of a value.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from nets import in_a_row
from tables import spec

import graph_engine as ge
from graph_engine.data import datasets, parquet, tabular
from graph_engine.data.datasets import DatasetError

ROWS = 4_000_000


@pytest.fixture
def never_read(monkeypatch):
    """Fail if a table's data (not its footer) is read."""
    def refuse(*args, **kwargs):
        raise AssertionError("the data was read")

    monkeypatch.setattr(tabular, "read_frame", refuse)
    monkeypatch.setattr(tabular, "read_bounded", refuse)


# ------------------------------------------------------------------ the budget

def constant_table(path) -> None:
    """Four million rows of constants: run-length encoded into a few dozen KB."""
    pq.write_table(pa.table({"a": np.zeros(ROWS), "b": np.ones(ROWS, np.float32),
                             "s": pa.array(["cat"] * ROWS),
                             "y": np.zeros(ROWS, np.int64)}), path)


def test_the_budget_is_the_decoded_table_not_the_encoded_file(tmp_path, monkeypatch,
                                                              never_read):
    path = tmp_path / "small.parquet"
    constant_table(path)
    assert os.path.getsize(path) < 200_000
    monkeypatch.setattr(tabular, "available_memory", lambda: 300 << 20)
    with pytest.raises(DatasetError) as caught:
        datasets.info(spec(path))
    message = str(caught.value)
    assert f"the file is {os.path.getsize(path):,} bytes and its table takes" in message
    assert "once decoded; reading it needs about" in message and "is free" in message


def test_the_decoded_size_bounds_what_the_table_takes(tmp_path):
    path = tmp_path / "small.parquet"
    constant_table(path)
    stated = parquet.open_parquet(str(path))
    try:
        table = pq.read_table(path, columns=["a", "b", "y"])
        assert stated.decoded >= table.nbytes + ROWS * parquet.TEXT_CELL
    finally:
        stated.close()


def test_sparse_bytes_that_are_no_parquet_are_refused_unread(tmp_path, never_read):
    path = tmp_path / "huge.parquet"
    with open(path, "wb") as stream:
        stream.truncate(2 << 30)  # 2 GB of nothing, taking no disk
    start = time.perf_counter()
    with pytest.raises(DatasetError, match=r"not a Parquet file \(it does not begin and end "
                                           "with PAR1"):
        tabular.read_table(str(path))
    assert time.perf_counter() - start < 2


def test_a_footer_longer_than_the_file_is_refused(tmp_path, never_read):
    path = tmp_path / "liar.parquet"
    path.write_bytes(b"PAR1" + b"\0" * 100 + (10**9).to_bytes(4, "little") + b"PAR1")
    with pytest.raises(DatasetError, match="its footer claims 1,000,000,000 bytes"):
        tabular.read_table(str(path))


def test_a_text_file_of_nul_bytes_is_refused_by_its_start(tmp_path, never_read):
    path = tmp_path / "sparse.csv"
    with open(path, "wb") as stream:
        stream.truncate(1 << 30)
    with pytest.raises(DatasetError, match="contains NUL bytes"):
        tabular.read_table(str(path))


# ------------------------------------------------------------------ unusual columns

def write_column(tmp_path, column: pa.Array, metadata: dict | None = None):
    n = len(column)
    table = pa.table({"odd": column, "x": np.arange(n, dtype=np.float64),
                      "y": np.arange(n) % 2})
    if metadata is not None:
        table = table.replace_schema_metadata(metadata)
    path = tmp_path / "odd.parquet"
    pq.write_table(table, path)
    return path


REFUSED = {
    "binary": (pa.array([b"\x00\x01", b"\xff"] * 5, pa.binary()), "binary data"),
    "list": (pa.array([[1, 2], [3]] * 5), "nested values"),
    "struct": (pa.array([{"p": 1}, {"p": 2}] * 5), "nested values"),
    "map": (pa.array([[("k", 1)], [("j", 2)]] * 5, pa.map_(pa.string(), pa.int64())),
            "nested values"),
    "decimal": (pa.array([1, 2] * 5, pa.decimal128(10, 2)), "decimal numbers"),
    "date": (pa.array([0, 1] * 5, pa.date32()), "dates, times or durations"),
    "timestamp": (pa.array([0, 10**18] * 5, pa.timestamp("ns")), "dates, times or durations"),
    "duration": (pa.array([1, 2] * 5, pa.duration("s")), "dates, times or durations"),
    "time": (pa.array([1, 2] * 5, pa.time32("s")), "dates, times or durations"),
}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_an_unusual_column_is_refused_naming_the_file_and_the_column(kind, tmp_path):
    column, words = REFUSED[kind]
    path = write_column(tmp_path, column)
    with pytest.raises(DatasetError) as caught:
        datasets.info(spec(path, target="y"))
    assert str(caught.value).startswith(f"{path}: the column 'odd' holds {words}")
    assert "internal" not in str(caught.value)


@pytest.mark.parametrize(("kind", "column", "expected"), [
    ("float16", pa.array(np.arange(10, dtype=np.float16)), "number"),
    ("integer dictionary", pa.array([1, 2] * 5).dictionary_encode(), "number"),
    ("text dictionary", pa.array(["a", "b"] * 5).dictionary_encode(), "text"),
    ("large string", pa.array(["a", "b"] * 5, pa.large_string()), "text"),
    ("booleans", pa.array([True, False] * 5), "number"),
])
def test_other_columns_read_as_numbers_or_text(kind, column, expected, tmp_path):
    path = write_column(tmp_path, column)
    table = tabular.read_table(str(path))
    from graph_engine.data.csv_data import column_kind

    assert column_kind(table, "odd") == expected
    assert datasets.info(spec(path, target="y")).features == (1 if expected == "number" else 2) + 1


@pytest.mark.parametrize("metadata", [
    b"{not json", b"[" * 100_000 + b"]" * 100_000, b'{"index_columns": 5}',
    b'{"index_columns": [{"kind": "range", "start": "x"}], "columns": 7}',
    b'{"columns": [{"name": "odd", "pandas_type": "categorical", "metadata": null}]}',
    json.dumps({"index_columns": ["x"], "columns": [{"name": 3}]}).encode(),
])
def test_hostile_pandas_metadata_is_ignored(metadata, tmp_path):
    path = write_column(tmp_path, pa.array(np.arange(10.0)), {b"pandas": metadata})
    table = tabular.read_table(str(path))
    expected = ("odd", "y") if b'"index_columns": ["x"]' in metadata else ("odd", "x", "y")
    assert table.header == expected


def test_a_column_of_nulls_has_no_values(tmp_path):
    path = write_column(tmp_path, pa.nulls(10))
    with pytest.raises(DatasetError, match="the column 'odd' has no values: leave it out"):
        datasets.info(spec(path, target="y"))


# ------------------------------------------------------------------ no values

@pytest.mark.parametrize("missing", ["mean", "drop"])
def test_a_column_with_no_values_at_all_is_a_problem_naming_it(missing, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,empty,y\n" + "".join(f"{i},,{i % 2}\n" for i in range(20)))
    with pytest.raises(DatasetError, match=r"d.csv: the column 'empty' has no values: leave "
                                           "it out of the features"):
        datasets.info(spec(path, missing=missing))
    d = in_a_row(("Input", {"features": 2}), ("Linear", {"out_features": 2}),
              ("CrossEntropyLoss", {}))
    d.dataset = spec(path, missing=missing)
    problems = ge.validate(d)
    assert any("'empty' has no values" in p.message for p in problems if p.is_error)


def test_a_column_with_values_only_where_the_target_is_missing_has_none(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,sparse,y\n" + "".join(f"{i},,{i % 2}\n" for i in range(20)) + "1,5,\n")
    with pytest.raises(DatasetError, match="'sparse' has no values in the rows with a target"):
        datasets.info(spec(path))


# ------------------------------------------------------------------ quoting

def test_a_huge_cell_is_quoted_by_its_start(tmp_path):
    path = tmp_path / "d.csv"
    huge = "z" * (1 << 20)
    path.write_text("a,b,y\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(20)) +
                    f"1,{huge},0\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(20)))
    with pytest.raises(DatasetError) as caught:
        datasets.load(spec(path, features=("a", "b")))
    message = str(caught.value)
    assert len(message) < 200 and "'zzzz" in message and "…" in message


def test_a_huge_column_name_is_quoted_by_its_start(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n1,2,0\n3,4,1\n")
    with pytest.raises(DatasetError) as caught:
        datasets.info(spec(path, target="t" * 100_000))
    assert len(str(caught.value)) < 300
