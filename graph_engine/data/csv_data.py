"""Tabular import: your own table (CSV, TSV or Parquet) as a data set.

The first row names the columns. Pick feature columns and one target column;
classification or regression is guessed from the target (text, or whole
numbers with few distinct values, mean classes) and can be set. A feature
column of text is one-hot encoded (one 0/1 feature per distinct value, up to
:data:`MAX_CATEGORIES`). A missing cell (empty, NA, NaN, null) drops its row or
takes its column's mean, as the spec says; a row without a target is always
dropped; :attr:`DatasetInfo.note` says how many. Every other problem with the
file is a :class:`DatasetError` naming the file's own line and the column.

The file is read once (:mod:`.tabular` caches the table); what a spec makes of
it is kept too, so validation and training in one process share one copy.
"""

from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..core.text import quoted
from .dataset import (
    CLASSIFICATION,
    REGRESSION,
    Dataset,
    DatasetError,
    DatasetInfo,
    Scaling,
    split,
)
from .spec import CsvSource, DatasetSpec
from .tabular import NAMES, Table, file_format, file_identity, read_table

__all__ = ["MAX_CATEGORIES", "NUMBER", "TEXT", "ColumnSummary", "Table", "csv_info",
           "guess_task", "likely_target", "load_csv", "read_table", "rows_with_missing",
           "summarize"]

MAX_CLASSES_GUESS = 20
MAX_CATEGORIES = 50  # distinct values a text feature column may have (one feature each)
FLOAT32_MAX = float(np.finfo(np.float32).max)  # features and targets train as float32
MAX_LISTED = 20  # column names listed in a message
NUMBER, TEXT = "number", "text"


# ------------------------------------------------------------------ columns

def column_kind(table: Table, name: str) -> str:
    """NUMBER or TEXT. A text column whose cells are mostly numbers is a number
    column with a few bad cells (reported), not a column of categories."""
    if table.numeric[table.position[name]]:
        return NUMBER
    column = table.column(name)
    present = int(column.notna().sum())
    numbers = int(table.numbers(name).notna().sum())
    return NUMBER if present and numbers * 2 > present else TEXT


def numbers(table: Table, name: str) -> np.ndarray:
    """The column as numbers (NaN where a cell is missing), or DatasetError naming
    the first cell that is not a finite number within float32's range."""
    column = table.column(name)
    if not table.numeric[table.position[name]]:
        parsed = table.numbers(name)
        bad = column.notna() & parsed.isna()
        if bad.any():
            row = int(bad.idxmax())
            raise DatasetError(f"{table.where(row, name)}: {quoted(column[row])} is not a "
                               "number")
        column = parsed
    values = column.to_numpy()
    if values.dtype.kind in "iub":  # whole numbers and booleans: finite, within range
        return values
    values = np.asarray(values, dtype=np.float64)
    _check_range(table, values[:, None], [name])
    return values


def _check_range(table: Table, values: np.ndarray, names: list[str]) -> None:
    """DatasetError at the first value (rows, columns) that is infinite or beyond
    float32's range; NaN is a missing value, not an error."""
    bad = np.isinf(values) | (np.abs(values) > FLOAT32_MAX)
    if not bad.any():
        return
    position, column = np.argwhere(bad)[0]
    row, name = int(table.frame.index[position]), names[column]
    text = table.cell_text(row, name)
    if math.isinf(values[position, column]):
        raise DatasetError(f"{table.where(row, name)}: {quoted(text)} is not a finite number")
    raise DatasetError(f"{table.where(row, name)}: {quoted(text)} is too large: training uses "
                       f"32-bit numbers, within ±{FLOAT32_MAX:.3g}")


def categories(table: Table, name: str) -> list[str]:
    """The distinct values of a text column, sorted as classes are."""
    values = table.texts(name)[table.column(name).notna()].unique()
    return sorted(values, key=_class_key)


@dataclass(frozen=True)
class ColumnSummary:
    """What the import dialog shows above a column: its kind and what is missing."""

    name: str
    kind: str  # NUMBER or TEXT
    distinct: int  # distinct values (text columns; 0 for numbers)
    missing: int  # cells with no value

    def describe(self) -> str:
        if self.kind == NUMBER:
            text = "number"
        elif self.distinct > MAX_CATEGORIES:
            text = f"text, {self.distinct} values"
        else:
            text = f"text, {self.distinct} value{'s' * (self.distinct != 1)}: one-hot"
        return text + (f", {self.missing} missing" if self.missing else "")


def summarize(table: Table, count: int | None = None) -> list[ColumnSummary]:
    """The first ``count`` columns (all by default) as the dialog shows them."""
    result = []
    for name in table.header[:count]:
        kind, column = column_kind(table, name), table.column(name)
        distinct = int(column.nunique()) if kind == TEXT else 0
        result.append(ColumnSummary(name, kind, distinct, int(column.isna().sum())))
    return result


def rows_with_missing(table: Table) -> int:
    """Rows with a missing cell in any column (at most what "drop" leaves out).
    Only columns that can hold one are looked at: whole numbers cannot."""
    gaps = np.zeros(table.rows, bool)
    for position, name in enumerate(table.header):
        if table.floating[position] or not table.numeric[position]:
            gaps |= table.column(name).isna().to_numpy()
    return int(gaps.sum())


def guess_task(table: Table, name: str) -> str:
    """Text or a few whole numbers: classification; otherwise regression."""
    if column_kind(table, name) == TEXT:
        return CLASSIFICATION
    parsed = table.numbers(name).dropna()
    values = parsed.to_numpy(dtype=np.float64)
    whole = bool(np.isfinite(values).all() and (values == np.round(values)).all())
    few = len(np.unique(values)) <= MAX_CLASSES_GUESS
    return CLASSIFICATION if whole and few else REGRESSION


TARGET_NAMES = ("label", "labels", "target", "class", "y")


def likely_target(header: tuple[str, ...]) -> str:
    """The column a person most likely means as the target: one named label,
    target, class or y (MNIST's label comes first), else the last one."""
    lowered = {name.lower(): name for name in header}
    return next((lowered[n] for n in TARGET_NAMES if n in lowered), header[-1])


def _columns(table: Table, source: CsvSource) -> tuple[list[str], str]:
    target = source.target or table.header[-1]
    if target not in table.position:
        raise DatasetError(f"{source.path}: no column named {quoted(target)} for the target "
                           f"(columns: {_listed(table.header)})")
    if source.split and source.split not in table.position:
        raise DatasetError(f"{source.path}: no column named {quoted(source.split)} for the split "
                           f"(columns: {_listed(table.header)})")
    if source.split == target:
        raise DatasetError(f"{source.path}: {quoted(target)} cannot be the target and the split")
    features = list(source.features) or [c for c in table.header
                                         if c not in (target, source.split)]
    for name in features:
        if name not in table.position:
            raise DatasetError(f"{source.path}: no feature column named {quoted(name)}")
        if name in (target, source.split):
            role = "target" if name == target else "split"
            raise DatasetError(f"{source.path}: {quoted(name)} cannot be a feature and the "
                               f"{role}")
    if not features:
        raise DatasetError(f"{source.path}: choose at least one feature column")
    return features, target


def _listed(names: tuple[str, ...]) -> str:
    more = len(names) - MAX_LISTED
    return ", ".join(quoted(n) for n in names[:MAX_LISTED]) + \
        (f" and {more} more" if more > 0 else "")


# ------------------------------------------------------------------ features

ROW_CHUNK_COLUMNS = 32  # columns turned into rows at a time
Column = tuple[str, tuple[str, ...]]  # a feature column's name and its one-hot values (or ())


@dataclass
class _Block:
    """Feature columns as they train: a run of number columns side by side in
    the file, or one text column one-hot encoded."""

    names: list[str]
    values: np.ndarray  # float32 (rows, len(names)), NaN where a cell is missing
    missing: np.ndarray | None  # bool (rows,); None: no cell is missing
    one_hot: str = ""  # the text column encoded, if this is one
    categories: tuple[str, ...] = ()  # its values, one feature each


def _feature_blocks(table: Table, features: list[str]) -> list[_Block]:
    """The features in the order chosen; number columns next to each other in the
    file are converted together, a slice at a time (wide files have 100,000)."""
    blocks: list[_Block] = []
    run: list[int] = []
    for name in features:
        position = table.position[name]
        if column_kind(table, name) == NUMBER and table.numeric[position]:
            if run and position != run[-1] + 1:
                blocks.append(_number_run(table, run))
                run = []
            run.append(position)
            continue
        if run:
            blocks.append(_number_run(table, run))
            run = []
        blocks.append(_text_column(table, name))
    if run:
        blocks.append(_number_run(table, run))
    return blocks


def _number_run(table: Table, run: list[int]) -> _Block:
    """Columns side by side in the file, into rows of float32 features. A few
    columns at a time: pandas hands out a slice column by column, and turning a
    narrow slice into rows stays in the cache (MNIST: 0.4 s, not 1 s, and the
    rows come out contiguous, so the split is a fast gather, not a strided one)."""
    names = [table.header[p] for p in run]
    first, last = run[0], run[-1] + 1
    values = np.empty((table.rows, len(run)), np.float32)
    for at in range(0, len(run), ROW_CHUNK_COLUMNS):
        stop = min(first + at + ROW_CHUNK_COLUMNS, last)
        chunk = table.frame.iloc[:, first + at:stop]
        if any(table.floating[first + at:stop]):  # check in float64: NaN, inf, overflow
            wide = chunk.to_numpy(np.float64, na_value=np.nan)
            _check_range(table, wide, names[at:at + ROW_CHUNK_COLUMNS])
            values[:, at:at + wide.shape[1]] = wide
        else:  # whole numbers and booleans: no NaN, no overflow
            values[:, at:at + (stop - first - at)] = chunk.to_numpy(np.float32)
    if not any(table.floating[first:last]):
        return _Block(names, values, None)
    missing = np.asarray(np.isnan(values).any(axis=1), dtype=bool)
    return _Block(names, values, missing if missing.any() else None)


def _text_column(table: Table, name: str) -> _Block:
    if column_kind(table, name) == NUMBER:  # text cells among numbers: numbers() says where
        values = numbers(table, name).astype(np.float32)[:, None]
        missing = np.isnan(values[:, 0])
        return _Block([name], values, missing if missing.any() else None)
    found = categories(table, name)
    if len(found) > MAX_CATEGORIES:
        raise DatasetError(f"{table.path}: the text column {quoted(name)} has {len(found)} "
                           "distinct "
                           f"values; one-hot encoding takes at most {MAX_CATEGORIES}. Leave it "
                           "out of the features, or write it as numbers.")
    column = table.column(name)
    missing = column.isna().to_numpy()
    codes = pd.Categorical(table.texts(name).where(~missing), categories=found).codes
    values = np.zeros((len(column), len(found)), np.float32)
    present = codes >= 0
    values[np.flatnonzero(present), codes[present]] = 1.0
    values[missing] = np.nan
    return _Block([f"{name}={value}" for value in found], values,
                  missing if missing.any() else None, one_hot=name, categories=tuple(found))


def _refuse_empty(path: str, blocks: list[_Block], rows: np.ndarray) -> None:
    """DatasetError naming a feature column with no value in any of ``rows`` (those
    with a target): its mean would be NaN, and training would only "diverge"."""
    for block in blocks:
        if block.missing is None and block.values.shape[1]:
            continue
        empty = np.isnan(block.values[rows]).all(axis=0) if block.values.shape[1] else [True]
        if np.any(empty):
            name = block.one_hot or block.names[int(np.argmax(empty))]
            raise DatasetError(f"{path}: the column {quoted(name)} has no values"
                               f"{'' if rows.all() else ' in the rows with a target'}: "
                               "leave it out of the features")


def _assemble(blocks: list[_Block], keep: np.ndarray, fill: bool) -> np.ndarray:
    """The feature matrix (float32) of the kept rows; missing cells take their
    column's mean over the kept rows when ``fill``."""
    x = blocks[0].values if len(blocks) == 1 else np.hstack([b.values for b in blocks])
    if not keep.all():
        x = x[keep]
    if fill:
        for j in np.flatnonzero(np.isnan(x).any(axis=0)):
            column = x[:, j]
            column[np.isnan(column)] = np.nanmean(column, dtype=np.float64)
    return x


# ------------------------------------------------------------------ new rows

def encoded(table: Table, columns: tuple[Column, ...]) -> np.ndarray:
    """Another table's rows as features (float64, before standardising), each column
    read as training read it: numbers, or text one-hot encoded with the values
    training saw. DatasetError naming the line and column of a missing cell, a cell
    that is not a number, or a value training never saw."""
    parts = [_one_hot_rows(table, name, values) if values else _number_rows(table, name)
             for name, values in columns]
    return np.hstack(parts) if parts else np.zeros((table.rows, 0))


def _number_rows(table: Table, name: str) -> np.ndarray:
    values = np.asarray(numbers(table, name), dtype=np.float64)
    _refuse_gap(table, name, np.isnan(values))
    return values[:, None]


def _one_hot_rows(table: Table, name: str, values: tuple[str, ...]) -> np.ndarray:
    missing = table.column(name).isna().to_numpy()
    _refuse_gap(table, name, missing)
    texts = table.texts(name)
    unknown = ~texts.isin(values).to_numpy()
    if unknown.any():
        row = int(np.argmax(unknown))
        raise DatasetError(f"{table.where(row, name)}: {quoted(texts[row])} is not one of the "
                           f"values the network was trained on ({_listed(values)})")
    codes = pd.Categorical(texts, categories=values).codes
    rows = np.zeros((table.rows, len(values)))
    rows[np.arange(table.rows), codes] = 1.0
    return rows


def _refuse_gap(table: Table, name: str, missing: np.ndarray) -> None:
    if missing.any():
        row = int(np.argmax(missing))
        raise DatasetError(f"{table.where(row, name)}: no value: the network needs every "
                           "feature of every row")


# ------------------------------------------------------------------ target

def _labels(table: Table, name: str, keep: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Class indices of the kept rows and the class names in label order."""
    if table.numeric[table.position[name]]:
        values = table.column(name)[keep].to_numpy()
        found = np.unique(values)
        return np.searchsorted(found, values).astype(np.int64), [_label_text(v) for v in found]
    text = table.texts(name)[keep]
    names = sorted(text.unique(), key=_class_key)
    lookup = {label: i for i, label in enumerate(names)}
    return text.map(lookup).to_numpy(np.int64), names


def _label_text(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _class_key(name: str):
    try:
        return (0, float(name), "")
    except ValueError:
        return (1, 0.0, name)


# ------------------------------------------------------------------ split column

SPLIT_PARTS = ("train", "test")


def _split_column(table: Table, name: str) -> np.ndarray:
    """True where the split column says "train" (any case), False for "test";
    DatasetError naming the line of any other value, a missing one included."""
    column = table.column(name)
    text = column.astype(str).str.strip().str.lower()
    known = text.isin(SPLIT_PARTS) & column.notna()
    if not known.all():
        row = int((~known).idxmax())  # the frame's index: the data row's position
        cell = column[row]
        shown = "an empty cell" if pd.isna(cell) else repr(table.cell_text(row, name))
        raise DatasetError(f"{table.where(row, name)}: {shown} is neither train nor test "
                           "(the split column says where each row goes)")
    return (text == "train").to_numpy()


# ------------------------------------------------------------------ preparing

@dataclass(frozen=True)
class _Prepared:
    """A table read for training: its feature columns as x, its target as y."""

    features: list[str]  # one per column of x (a one-hot column: "name=value")
    task: str
    x: np.ndarray  # float32, (N, features)
    y: np.ndarray  # class indices (int64, N), or target values (float32, (N, 1))
    classes: list[str]  # the class names in label order; empty for regression
    info: DatasetInfo
    training_rows: np.ndarray | None = None  # bool (N,): the split column's "train"; None: none
    columns: tuple[Column, ...] = ()  # the file's feature columns, as :func:`encoded` reads
    label_columns: tuple[str, ...] = ()  # the target and the split column


def _prepare(source: CsvSource) -> _Prepared:
    table = read_table(source.path, source.format)
    features, target = _columns(table, source)
    task = guess_task(table, target) if source.task == "auto" else source.task
    blocks = _feature_blocks(table, features)
    target_values = None if task == CLASSIFICATION else numbers(table, target)
    training_rows = _split_column(table, source.split) if source.split else None
    no_target = table.column(target).isna().to_numpy()
    _refuse_empty(source.path, blocks, ~no_target)
    gaps = np.zeros(table.rows, bool)
    for block in blocks:
        if block.missing is not None:
            gaps |= block.missing
    drop = source.missing == "drop"
    keep = ~(no_target | gaps) if drop else ~no_target
    if int(keep.sum()) < 2:
        raise DatasetError(f"{source.path}: fewer than two rows are left once rows with "
                           "missing values are dropped" + (": fill them with the column mean "
                                                           "instead" if drop else ""))
    x = _assemble(blocks, keep, fill=not drop)
    if task == CLASSIFICATION:
        y, classes = _labels(table, target, keep)
        if len(classes) < 2:
            raise DatasetError(f"{source.path}: the target {quoted(target)} has a single "
                               "class")
    else:
        assert target_values is not None
        y, classes = target_values[keep].astype(np.float32)[:, None], []
    names = [n for b in blocks for n in b.names]
    note = _note(blocks, no_target, gaps, keep, drop)
    fmt = file_format(source.path, source.format)
    info = DatasetInfo("csv", task, len(names), len(classes), 1,
                       f"{NAMES[fmt].capitalize()} file {os.path.basename(source.path)}.",
                       note)
    columns = tuple(column for b in blocks for column in
                    ([(b.one_hot, b.categories)] if b.one_hot else [(n, ()) for n in b.names]))
    return _Prepared(names, task, x, y, classes, info,
                     None if training_rows is None else training_rows[keep], columns,
                     tuple(c for c in (target, source.split) if c))


def _note(blocks: list[_Block], no_target, gaps, keep, drop: bool) -> str:
    """What reading changed, in words: rows dropped, cells filled, columns encoded."""
    parts = []
    if no_target.any():
        parts.append(f"{int(no_target.sum()):,} rows without a target dropped")
    if drop and (gaps & ~no_target).any():
        parts.append(f"{int((gaps & ~no_target).sum()):,} rows with missing values dropped")
    if not drop and (gaps & keep).any():
        cells = sum(int(np.isnan(b.values[keep]).sum()) for b in blocks
                    if b.missing is not None)
        parts.append(f"{cells:,} missing values in {int((gaps & keep).sum()):,} rows filled "
                     "with their column's mean")
    for block in blocks:
        if block.one_hot:
            parts.append(f"{quoted(block.one_hot)} one-hot encoded into {len(block.names)} "
                         "columns")
    return "; ".join(parts) + "." if parts else ""


# ------------------------------------------------------------ the cache, the facade

_PREPARED: OrderedDict[tuple, _Prepared] = OrderedDict()
_LOCK = threading.Lock()
CACHED_PREPARED = 2


def _prepared(source: CsvSource) -> _Prepared:
    """What ``source`` makes of its file, made once while the file is unchanged
    (standardising happens after the split, so it is not part of the key)."""
    key = (replace(source, standardize=True), *file_identity(source.path))
    with _LOCK:
        found = _PREPARED.get(key)
    if found is None:
        found = _prepare(source)
        found.x.flags.writeable = False  # shared by every load: split copies
        found.y.flags.writeable = False
        with _LOCK:
            _PREPARED[key] = found
            while len(_PREPARED) > CACHED_PREPARED:
                _PREPARED.popitem(last=False)
    return found


def csv_info(source: CsvSource) -> DatasetInfo:
    return _prepared(source).info


def load_csv(spec: DatasetSpec) -> Dataset:
    source = spec.csv
    if source is None:  # DatasetSpec refuses the name "csv" without its settings
        raise DatasetError("a CSV data set needs its csv settings (path, columns)")
    read = _prepared(source)
    if read.training_rows is None:
        data = split(read.info, read.x, read.y, spec.seed, spec.train_ratio, read.features,
                     read.classes)
    else:
        data = _split_as_marked(source.path, read)
    if source.standardize:
        _standardize(data)
        if not read.classes:
            data.outputs = _standardize_target(data)
    data.columns, data.label_columns = read.columns, read.label_columns
    return data


def _split_as_marked(path: str, read: _Prepared) -> Dataset:
    """Training and test rows as the split column marks them, each in the file's order."""
    train = read.training_rows
    assert train is not None
    for part, rows in (("train", train), ("test", ~train)):
        if not rows.any():
            raise DatasetError(f"{path}: no row of the split column is {part!r}: both the "
                               "training and the test set need rows")
    return Dataset(read.info, read.x[train], read.y[train], read.x[~train], read.y[~train],
                   tuple(read.features), tuple(read.classes))


def _standardize(data: Dataset) -> None:
    """Mean 0 and deviation 1 per column, from the training rows, in place in
    float32 (statistics in float64: squares near float32's limit overflow); the
    shift and scale are kept for new rows (``data.inputs``)."""
    mean, std = column_statistics(data.x_train)
    scale = std.astype(np.float32)
    scale[scale == 0] = 1.0
    # x / std - mean / std: no intermediate beyond float32's range, no float64 copy
    shift = (mean / scale).astype(np.float32)
    for x in (data.x_train, data.x_test):
        np.divide(x, scale, out=x)
        np.subtract(x, shift, out=x)
    data.inputs = Scaling(mean, scale.astype(np.float64))


def _standardize_target(data: Dataset) -> Scaling:
    """A continuous target to mean 0 and deviation 1 by the training rows, in place (a
    target in the millions would start the loss near 1e12); its mean and deviation,
    to tell errors in the table's own units."""
    mean, std = column_statistics(data.y_train)
    std[std == 0] = 1.0
    for y in (data.y_train, data.y_test):
        y -= mean.astype(np.float32)
        y /= std.astype(np.float32)
    return Scaling(mean, std)


STATISTICS_ROWS = 4096


def column_statistics(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (population) standard deviation of each column, in float64,
    without a float64 copy of ``x``: slices of rows, merged as Chan et al. do."""
    count, mean, squares = 0, np.zeros(x.shape[1]), np.zeros(x.shape[1])
    for start in range(0, len(x), STATISTICS_ROWS):
        part = x[start:start + STATISTICS_ROWS].astype(np.float64)
        n, part_mean = len(part), part.mean(axis=0)
        part_squares = ((part - part_mean) ** 2).sum(axis=0)
        delta, total = part_mean - mean, count + n
        mean = mean + delta * (n / total)
        squares = squares + part_squares + delta**2 * (count * n / total)
        count = total
    return mean, np.sqrt(squares / max(count, 1))
