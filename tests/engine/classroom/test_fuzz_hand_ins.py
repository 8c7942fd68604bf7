"""Fuzzing what a class hands in and a teacher hands out: exercise files, class
folders with links and odd names, and Parquet tables.

- An exercise file, mutated as the diagram fuzz mutates diagrams (keys deleted,
  renamed, retyped, values swapped for any JSON), truncated or garbled, loads
  as an exercise that saves and loads back the same, or is refused with a
  DiagramFileError; never anything else.
- A class folder of files with any name a file system holds (bytes that are not
  UTF-8, controls, line breaks, formula starts), links inside it, out of it,
  dangling or looping, folders linked in, FIFOs: every file gets one row in
  order, a link that leaves the folder is never graded, and every report (CSV,
  HTML, JSON) is written, reads back, and runs nothing. The pool is replaced by
  a stand-in that answers with messages quoting the names (the worker processes
  have tests of their own).
- A Parquet table of random columns (any type, nulls, random pandas metadata),
  sometimes truncated or with its footer garbled, is read or refused with a
  DatasetError; never anything else.

``make fuzz`` sets NETCANVAS_FUZZ_EXAMPLES; the default run is short.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import os
import tempfile

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hostile import CELL_FORMULA, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from mutations import VALUES, mutate_once

import resources
from graph_engine.classroom import exercise as exercises
from graph_engine.classroom import reports
from graph_engine.classroom.grader import find_files, given_folders, grade_rows
from graph_engine.classroom.grading import CheckResult, FileResult
from graph_engine.data import datasets, tabular
from graph_engine.data.datasets import DatasetError
from graph_engine.data.spec import CsvSource, DatasetSpec
from graph_engine.model.fileio import DiagramFileError

EXERCISE = json.loads((resources.EXERCISES / "xor-hidden-layer.json").read_text())
EXERCISE_SETTINGS = fuzz_settings(100)
FOLDER_SETTINGS = fuzz_settings(40)
PARQUET_SETTINGS = fuzz_settings(60)


# ------------------------------------------------------------------ exercise files

@EXERCISE_SETTINGS
@given(st.data())
def test_a_mutated_exercise_loads_and_saves_back_or_is_refused(data):
    doc = copy.deepcopy(EXERCISE)
    for _ in range(data.draw(st.integers(1, 4))):
        doc = mutate_once(doc, data)
    text = json.dumps(doc, ensure_ascii=data.draw(st.booleans()))
    shape = data.draw(st.sampled_from(["whole", "truncated", "garbled"]))
    raw = text.encode("utf-8", "surrogatepass")
    if shape == "truncated":
        raw = raw[:data.draw(st.integers(0, len(raw)))]
    elif shape == "garbled" and raw:
        at = data.draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=4)) + raw[at + 1:]
    try:
        exercise = exercises.loads(raw)
    except DiagramFileError as error:
        assert str(error)
        return
    again = exercises.loads(exercises.dumps(exercise))
    assert again.to_dict() == exercise.to_dict()


# ------------------------------------------------------------------ class folders

NAME_BYTES = st.one_of(
    st.binary(min_size=1, max_size=12),
    st.sampled_from([b"\xff\xfe", b"\r=1+1", b"\n=cmd", b"@SUM(1)", b"-2+3", b"\xe2\x80\xa8=x",
                     b"\xc2\x85", b"\x7f", b"\x1b[2K", b" =1", "\uff1d1".encode(),
                     b"<img src=x>", b"a&b", b"..", b"."])).map(
    lambda b: b.replace(b"/", b"_").replace(b"\0", b"_")).filter(lambda b: b not in (b".",
                                                                                      b".."))
ENTRY = st.tuples(NAME_BYTES, st.sampled_from(["diagram", "link-in", "link-out", "dangling",
                                               "loop", "folder-link-out", "folder", "fifo",
                                               "empty"]))


class Answering:
    """A stand-in for the pool: one row per file, its message quoting the name."""

    def __init__(self) -> None:
        self.graded: list[str] = []

    def run(self, files, on_result=None):
        self.graded += files
        rows = [FileResult(f, 2, [CheckResult("valid", True, 1, f"{f} ok"),
                                  CheckResult("=x", False, 0, f"\n={f}")], error=f"\r{f}")
                for f in files]
        for row in rows:
            if on_result is not None:
                on_result(row)
        return rows


def make_folder(root: bytes, outside: bytes, entries) -> None:
    for name, kind in entries:
        path = os.path.join(root, name + (b".json" if kind != "folder" else b""))
        if os.path.lexists(path) or os.path.lexists(os.path.join(root, name)):
            continue  # a name drawn twice: writing to a FIFO made before would wait for ever
        with contextlib.suppress(OSError):
            if kind == "diagram":
                with open(path, "wb") as stream:
                    stream.write(b"{}")
            elif kind == "empty":
                open(path, "wb").close()
            elif kind == "link-in":
                os.symlink(os.path.join(root, b"a.json"), path)
            elif kind == "link-out":
                os.symlink(os.path.join(outside, b"solution.json"), path)
            elif kind == "dangling":
                os.symlink(os.path.join(root, b"nowhere"), path)
            elif kind == "loop":
                os.symlink(path, path)
            elif kind == "folder-link-out":
                os.symlink(outside, os.path.join(root, name))
            elif kind == "folder":
                os.mkdir(path)
                with open(os.path.join(path, b"inner.json"), "wb") as stream:
                    stream.write(b"{}")
            elif kind == "fifo":
                os.mkfifo(path)


@FOLDER_SETTINGS
@given(st.lists(ENTRY, max_size=12))
def test_a_class_folder_of_odd_names_and_links_gets_every_report(entries):
    with tempfile.TemporaryDirectory() as top:
        base = os.fsencode(top)
        root, outside = os.path.join(base, b"class"), os.path.join(base, b"teacher")
        os.mkdir(root)
        os.mkdir(outside)
        with open(os.path.join(outside, b"solution.json"), "wb") as stream:
            stream.write(b"{}")
        with open(os.path.join(root, b"a.json"), "wb") as stream:
            stream.write(b"{}")
        make_folder(root, outside, entries)
        folder = os.fsdecode(root)
        files = find_files([folder])
        pool = Answering()
        exercise = exercises.loads(json.dumps(EXERCISE))
        rows = grade_rows(pool, exercise, files, given_folders([folder]))  # type: ignore[arg-type]
        assert [r.file for r in rows] == files
        for graded in pool.graded:
            real = os.path.realpath(graded)
            assert os.path.commonpath([real, os.path.realpath(folder)]) == \
                os.path.realpath(folder), graded
        for row in rows:
            if row.file not in pool.graded:
                assert row.error.startswith("not graded: a link to ") and row.score == 0
        check_reports(exercise, rows)


def check_reports(exercise, rows) -> None:
    gradebook = reports.csv_text(exercise, rows)
    assert len(gradebook.splitlines()) == len(rows) + 1
    for line in csv.reader(io.StringIO(gradebook)):
        for cell in line:
            assert not cell.lstrip().startswith(CELL_FORMULA), repr(cell)
    reports.html_text(exercise, rows).encode("utf-8")
    document = json.loads(reports.json_text(exercise, rows))
    assert len(document["results"]) == len(rows)
    reports.text_table(exercise, rows).encode("utf-8")


# ------------------------------------------------------------------ Parquet tables

ROWS = 12
COLUMN_TYPES = {
    "float64": lambda r: pa.array(r.normal(size=ROWS)),
    "float32": lambda r: pa.array(r.normal(size=ROWS).astype(np.float32)),
    "float16": lambda r: pa.array(r.normal(size=ROWS).astype(np.float16)),
    "int8": lambda r: pa.array(r.integers(-5, 5, ROWS).astype(np.int8)),
    "uint64": lambda r: pa.array(r.integers(0, 2**63, ROWS, dtype=np.uint64)),
    "bool": lambda r: pa.array(r.integers(0, 2, ROWS).astype(bool)),
    "text": lambda r: pa.array([f"c{i}" for i in r.integers(0, 3, ROWS)]),
    "dictionary": lambda r: pa.array([f"d{i}" for i in r.integers(0, 3, ROWS)])
    .dictionary_encode(),
    "nulls": lambda r: pa.nulls(ROWS),
    "with nulls": lambda r: pa.array([None if i % 3 == 0 else float(i) for i in range(ROWS)]),
    "inf": lambda r: pa.array([np.inf if i == 2 else 1.0 for i in range(ROWS)]),
    "binary": lambda r: pa.array([bytes([i]) for i in range(ROWS)]),
    "decimal": lambda r: pa.array(list(range(ROWS)), pa.decimal128(8, 2)),
    "date": lambda r: pa.array(list(range(ROWS)), pa.date32()),
    "timestamp": lambda r: pa.array(list(range(ROWS)), pa.timestamp("ms")),
    "duration": lambda r: pa.array(list(range(ROWS)), pa.duration("s")),
    "list": lambda r: pa.array([[i] for i in range(ROWS)]),
    "struct": lambda r: pa.array([{"a": i} for i in range(ROWS)]),
}
COLUMN_NAMES = st.one_of(st.text(max_size=8), st.sampled_from(
    ["y", "label", "", " ", "__index_level_0__", "<img src=x>", "=1+1", "a" * 300]))
METADATA = st.one_of(st.none(), st.binary(max_size=40), VALUES.map(
    lambda v: json.dumps(v).encode()), st.builds(lambda names: json.dumps(
        {"index_columns": names}).encode(), st.lists(COLUMN_NAMES, max_size=3)))


@PARQUET_SETTINGS
@given(st.lists(st.tuples(COLUMN_NAMES, st.sampled_from(sorted(COLUMN_TYPES))), min_size=1,
                max_size=5), METADATA, st.sampled_from(["whole", "truncated", "footer"]),
       st.integers(0, 2**32 - 1), st.data())
def test_a_random_parquet_table_is_read_or_refused(columns, metadata, shape, seed, data):
    rng = np.random.default_rng(seed)
    table = pa.table({f"{name}#{i}" if data.draw(st.booleans()) else name: COLUMN_TYPES[kind](rng)
                      for i, (name, kind) in enumerate(columns)})
    if metadata is not None:
        table = table.replace_schema_metadata({b"pandas": metadata})
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "t.parquet")
        pq.write_table(table, path)
        with open(path, "rb") as stream:
            raw = stream.read()
        if shape == "truncated":
            raw = raw[:data.draw(st.integers(0, len(raw)))]
        elif shape == "footer":
            at = data.draw(st.integers(max(0, len(raw) - 64), len(raw) - 1))
            raw = raw[:at] + bytes([data.draw(st.integers(0, 255))]) + raw[at + 1:]
        with open(path, "wb") as stream:
            stream.write(raw)
        tabular.forget_tables()
        try:
            read = tabular.read_table(path)
        except DatasetError as error:
            assert str(error).startswith(path)
            return
        target = data.draw(st.sampled_from(read.header))
        try:
            datasets.info(DatasetSpec("csv", csv=CsvSource(path, target=target)))
        except DatasetError as error:
            assert str(error) and len(str(error)) < 2000
        finally:
            tabular.forget_tables()
