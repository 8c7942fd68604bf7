"""CSV import: your own table as a data set.

The first row names the columns. Pick feature columns and one target column;
classification or regression is guessed from the target (text, or whole
numbers with few distinct values, mean classes) and can be set. Every
problem with the file is a :class:`DatasetError` naming the row and column.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass

import numpy as np

from .dataset import CLASSIFICATION, REGRESSION, Dataset, DatasetError, DatasetInfo, split
from .spec import CsvSource, DatasetSpec

MAX_BYTES = 50 * 1024 * 1024
MAX_CLASSES_GUESS = 20


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def read_table(path: str) -> Table:
    """Read a CSV file into text cells, checking it is rectangular."""
    try:
        if os.path.exists(path) and not os.path.isfile(path):  # /dev/zero, a pipe: endless
            raise DatasetError(f"{path}: not a regular file")
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise DatasetError(f"{path}: the file is larger than {MAX_BYTES // 2**20} MB")
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except OSError as error:
        raise DatasetError(f"{path}: cannot read the file ({error.strerror or error})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"{path}: not a readable CSV text file ({error})") from None
    if not rows:
        raise DatasetError(f"{path}: the file is empty")
    header = tuple(cell.strip() for cell in rows[0])
    if len(rows) < 3:
        raise DatasetError(f"{path}: needs a header row and at least two data rows")
    _check_header(path, header)
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DatasetError(f"{path}: row {number} has {len(row)} fields, the header has "
                               f"{len(header)}")
    return Table(header, tuple(tuple(cell.strip() for cell in row) for row in rows[1:]))


def _check_header(path: str, header: tuple[str, ...]) -> None:
    if len(header) < 2:
        raise DatasetError(f"{path}: needs at least two columns (features and a target)")
    blank = [i + 1 for i, name in enumerate(header) if not name]
    if blank:
        raise DatasetError(f"{path}: column {blank[0]} of the header has no name")
    seen = set()
    for name in header:
        if name in seen:
            raise DatasetError(f"{path}: the column name {name!r} appears twice")
        seen.add(name)


def _columns(table: Table, source: CsvSource) -> tuple[list[str], str]:
    target = source.target or table.header[-1]
    if target not in table.header:
        raise DatasetError(f"{source.path}: no column named {target!r} for the target "
                           f"(columns: {', '.join(table.header)})")
    features = list(source.features) or [c for c in table.header if c != target]
    for name in features:
        if name not in table.header:
            raise DatasetError(f"{source.path}: no feature column named {name!r}")
        if name == target:
            raise DatasetError(f"{source.path}: {name!r} cannot be a feature and the target")
    if not features:
        raise DatasetError(f"{source.path}: choose at least one feature column")
    return features, target


def _numeric(table: Table, path: str, name: str) -> np.ndarray:
    index = table.header.index(name)
    values = np.empty(len(table.rows), dtype=np.float64)
    for number, row in enumerate(table.rows, start=2):
        try:
            value = float(row[index])
        except ValueError:
            raise DatasetError(f"{path}: row {number}, column {name!r}: {row[index]!r} is not "
                               f"a number") from None
        if not math.isfinite(value):
            raise DatasetError(f"{path}: row {number}, column {name!r}: {row[index]!r} is not "
                               f"a finite number")
        values[number - 2] = value
    return values


def guess_task(cells: list[str]) -> str:
    """Text or a few whole numbers: classification; otherwise regression."""
    try:
        values = [float(c) for c in cells]
    except ValueError:
        return CLASSIFICATION
    whole = all(math.isfinite(v) and v.is_integer() for v in values)
    return CLASSIFICATION if whole and len(set(values)) <= MAX_CLASSES_GUESS else REGRESSION


def _prepare(source: CsvSource):
    table = read_table(source.path)
    features, target = _columns(table, source)
    cells = [row[table.header.index(target)] for row in table.rows]
    task = guess_task(cells) if source.task == "auto" else source.task
    x = np.stack([_numeric(table, source.path, name) for name in features], axis=1)
    if task == CLASSIFICATION:
        class_names = sorted(set(cells), key=_class_key)
        if len(class_names) < 2:
            raise DatasetError(f"{source.path}: the target {target!r} has a single class")
        lookup = {name: i for i, name in enumerate(class_names)}
        y = np.array([lookup[c] for c in cells], dtype=np.int64)
    else:
        class_names = []
        y = _numeric(table, source.path, target)[:, None].astype(np.float32)
    return features, target, task, x.astype(np.float32), y, class_names


def _class_key(name: str):
    try:
        return (0, float(name), "")
    except ValueError:
        return (1, 0.0, name)


_INFO_CACHE: dict[tuple, DatasetInfo] = {}


def csv_info(source: CsvSource) -> DatasetInfo:
    try:
        stat = os.stat(source.path)
    except OSError as error:
        raise DatasetError(f"{source.path}: cannot read the file "
                           f"({error.strerror or error})") from None
    key = (source, stat.st_mtime_ns, stat.st_size)
    if key not in _INFO_CACHE:
        features, _, task, _, _, classes = _prepare(source)
        _INFO_CACHE[key] = DatasetInfo("csv", task, len(features), len(classes), 1,
                                       f"CSV file {os.path.basename(source.path)}")
    return _INFO_CACHE[key]


def load_csv(spec: DatasetSpec) -> Dataset:
    source = spec.csv
    features, target, task, x, y, classes = _prepare(source)
    info = DatasetInfo("csv", task, len(features), len(classes), 1,
                       f"CSV file {os.path.basename(source.path)}")
    data = split(info, x, y, spec.seed, spec.train_ratio, features, classes)
    if source.standardize:
        mean = data.x_train.mean(axis=0)
        std = data.x_train.std(axis=0)
        std[std == 0] = 1.0
        data.x_train = ((data.x_train - mean) / std).astype(np.float32)
        data.x_test = ((data.x_test - mean) / std).astype(np.float32)
    return data
