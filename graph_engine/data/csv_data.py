"""CSV import: your own table as a data set.

The first row names the columns. Pick feature columns and one target column;
classification or regression is guessed from the target (text, or whole
numbers with few distinct values, mean classes) and can be set. Every
problem with the file is a :class:`DatasetError` naming the file's own line
number and the column. The file is read through the bounded reader (a pipe,
a device or a sparse file is refused unread), and looking columns up by name
goes through one index, so a file of 100,000 columns checks in linear time.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass, field

import numpy as np

from ..core.files import FileLimitError, read_bounded
from .dataset import CLASSIFICATION, REGRESSION, Dataset, DatasetError, DatasetInfo, split
from .spec import CsvSource, DatasetSpec

MAX_BYTES = 50 * 1024 * 1024
MAX_CLASSES_GUESS = 20
FLOAT32_MAX = float(np.finfo(np.float32).max)  # features and targets train as float32
MAX_LISTED = 20  # column names listed in a message


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...] = ()  # the file's line number where each row starts
    # column name -> position, built once: ``header.index`` per column is quadratic
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {n: i for i, n in enumerate(self.header)})

    def line(self, index: int) -> int:
        """The file's own line number of row ``index`` (blank lines counted)."""
        return self.lines[index] if self.lines else index + 2

    def column(self, name: str) -> int:
        return self.index[name]


def read_table(path: str) -> Table:
    """Read a CSV file into text cells, checking it is rectangular."""
    rows, lines = _read_rows(path)
    if not rows:
        raise DatasetError(f"{path}: the file is empty")
    header = tuple(cell.strip() for cell in rows[0])
    if len(rows) < 3:
        raise DatasetError(f"{path}: needs a header row and at least two data rows")
    _check_header(path, header)
    for row, line in zip(rows[1:], lines[1:], strict=True):
        if len(row) != len(header):
            raise DatasetError(f"{path}: line {line} has {len(row)} fields, the header has "
                               f"{len(header)}")
    return Table(header, tuple(tuple(cell.strip() for cell in row) for row in rows[1:]),
                 tuple(lines[1:]))


def _read_rows(path: str) -> tuple[list[list[str]], list[int]]:
    """The non-blank rows and the line each starts on (a quoted cell may span lines)."""
    try:
        text = read_bounded(path, MAX_BYTES).decode("utf-8-sig")
        reader = csv.reader(io.StringIO(text, newline=""))
        rows, lines, start = [], [], 1
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except FileLimitError as error:
        raise DatasetError(f"{path}: {error}") from None
    except OSError as error:
        raise DatasetError(f"{path}: cannot read the file ({error.strerror or error})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"{path}: not a readable CSV text file ({error})") from None
    except ValueError as error:  # a path no file system accepts (a NUL byte)
        raise DatasetError(f"{path!r}: {error}") from None
    return rows, lines


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
    if target not in table.index:
        raise DatasetError(f"{source.path}: no column named {target!r} for the target "
                           f"(columns: {_listed(table.header)})")
    features = list(source.features) or [c for c in table.header if c != target]
    for name in features:
        if name not in table.index:
            raise DatasetError(f"{source.path}: no feature column named {name!r}")
        if name == target:
            raise DatasetError(f"{source.path}: {name!r} cannot be a feature and the target")
    if not features:
        raise DatasetError(f"{source.path}: choose at least one feature column")
    return features, target


def _listed(names: tuple[str, ...]) -> str:
    more = len(names) - MAX_LISTED
    return ", ".join(names[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def _numeric(table: Table, path: str, name: str) -> np.ndarray:
    index = table.column(name)
    values = np.empty(len(table.rows), dtype=np.float64)
    for number, row in enumerate(table.rows):
        try:
            value = float(row[index])
        except ValueError:
            raise DatasetError(f"{_where(table, path, number, name)}: {row[index]!r} is not "
                               "a number") from None
        if not math.isfinite(value):
            raise DatasetError(f"{_where(table, path, number, name)}: {row[index]!r} is not "
                               "a finite number")
        if abs(value) > FLOAT32_MAX:
            raise DatasetError(f"{_where(table, path, number, name)}: {row[index]!r} is too "
                               f"large: training uses 32-bit numbers, within ±{FLOAT32_MAX:.3g}")
        values[number] = value
    return values


def _where(table: Table, path: str, row: int, column: str) -> str:
    return f"{path}: line {table.line(row)}, column {column!r}"


def guess_task(cells: list[str]) -> str:
    """Text or a few whole numbers: classification; otherwise regression."""
    try:
        values = [float(c) for c in cells]
    except ValueError:
        return CLASSIFICATION
    whole = all(math.isfinite(v) and v.is_integer() for v in values)
    return CLASSIFICATION if whole and len(set(values)) <= MAX_CLASSES_GUESS else REGRESSION


@dataclass(frozen=True)
class _Prepared:
    """A CSV file read for training: its feature columns as x, its target as y."""

    features: list[str]
    task: str
    x: np.ndarray  # float32, (N, features)
    y: np.ndarray  # class indices (int64, N), or target values (float32, (N, 1))
    classes: list[str]  # the class names in label order; empty for regression

    def info(self, path: str) -> DatasetInfo:
        return DatasetInfo("csv", self.task, len(self.features), len(self.classes), 1,
                           f"CSV file {os.path.basename(path)}")


def _prepare(source: CsvSource) -> _Prepared:
    table = read_table(source.path)
    features, target = _columns(table, source)
    column = table.column(target)
    cells = [row[column] for row in table.rows]
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
    return _Prepared(features, task, x.astype(np.float32), y, class_names)


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
        _INFO_CACHE[key] = _prepare(source).info(source.path)
    return _INFO_CACHE[key]


def load_csv(spec: DatasetSpec) -> Dataset:
    source = spec.csv
    if source is None:  # DatasetSpec refuses the name "csv" without its settings
        raise DatasetError("a CSV data set needs its csv settings (path, columns)")
    read = _prepare(source)
    data = split(read.info(source.path), read.x, read.y, spec.seed, spec.train_ratio,
                 read.features, read.classes)
    if source.standardize:
        # in float64: the squares of values near float32's limit overflow in float32
        mean = data.x_train.mean(axis=0, dtype=np.float64)
        std = data.x_train.std(axis=0, dtype=np.float64)
        std[std == 0] = 1.0
        data.x_train = ((data.x_train - mean) / std).astype(np.float32)
        data.x_test = ((data.x_test - mean) / std).astype(np.float32)
    return data
