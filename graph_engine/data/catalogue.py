"""Every data set, declared once: the built-in sets (:mod:`.builtin`), then the
kinds a teacher makes: a table file, points drawn by hand, classes from a function.

Each is an entry of :data:`~.registry.DATASETS`; what it is made from lives in
the spec's fields that its ``keys`` name (``csv``, ``points``, ``boundary`` or
``target``). The table reader is imported when a table is first read.
"""

from __future__ import annotations

from dataclasses import replace

from . import builtin, drawn, function
from .registry import DATASETS, SETTINGS, DatasetKind, Origin

__all__ = ["BUILT_IN", "DATASETS", "DRAWN", "FUNCTION", "TABLE"]

BUILT_IN = builtin.BUILT_IN


def _table_check(spec) -> None:
    if spec.csv is None:
        raise ValueError("a CSV data set needs its csv settings (path, columns)")


def _table_info(spec):
    from .csv_data import csv_info

    return csv_info(spec.csv)


def _table_make(spec):
    from .csv_data import load_csv

    return load_csv(spec)


def _table_files(spec) -> tuple[str, ...]:
    return (spec.csv.path,)


def _table_moved(spec, move):
    return replace(spec, csv=replace(spec.csv, path=move(spec.csv.path)))


TABLE = DATASETS.register(DatasetKind(
    "csv", Origin.TABLE, "Your own table: a CSV, TSV or Parquet file, one row a sample.",
    _table_info, _table_make, keys=(*SETTINGS, "csv"), check=_table_check,
    title="Table file (CSV, TSV, Parquet)…", files=_table_files,
    moved=_table_moved))


def _points_check(spec) -> None:
    if spec.points is None:
        raise ValueError("the points data set needs its points: [[x1, x2, label], ...]")


DRAWN = DATASETS.register(DatasetKind(
    "points", Origin.DRAWN, "Points drawn by hand in the Output plot, kept in the file.",
    drawn.points_info, drawn.load_points, keys=("points", "task", "train_ratio", "seed"),
    check=_points_check, title="Points drawn by hand"))

FUNCTION = DATASETS.register(DatasetKind(
    "function", Origin.FORMULA, "Points over the plane, classed by a curve x2 = f(x1) or "
    "valued by a formula f(x1, x2).", function.function_info, function.load_function,
    keys=("boundary", "target", *SETTINGS), check=function.check,
    title="Classes from a function…"))
