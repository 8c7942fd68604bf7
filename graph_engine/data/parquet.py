"""Reading a Parquet file without trusting it.

A Parquet file says what it holds in a footer at its end. :func:`open_parquet`
reads only that: the magic bytes at both ends and the footer's length are
checked first (a 2 GB sparse file that is no Parquet is refused having read
a dozen bytes), then the footer, then every column's type: numbers, booleans
and text train; binary data, decimals, dates, times, durations and nested
values are refused naming the file and the column. It also states the bytes
the table takes once decoded, from the footer's own numbers (rows × columns ×
width): compressed and run-length encoded, a file of 0.4 MB can hold a table
of gigabytes, so the memory check budgets from this, before anything is read.

:func:`read_frame` then reads the table: half floats as float32, number
dictionaries decoded, text kept as a dictionary until it is a column of
shared strings (a million copies of one long string cost a pointer each), and
the pandas metadata a file carries ignored (it can say anything): only the
index columns it names are left out, when it names them plainly.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..core.files import FileLimitError, open_regular
from ..core.text import quoted
from .dataset import DatasetError

MAGIC = b"PAR1"
MAX_FOOTER = 16 << 20  # bytes of metadata: a 100,000-column file needs a few MB
TEXT_CELL = 12  # bytes a text cell takes besides its characters: a pointer and an index
REFUSED = (  # what a column of each kind holds, in words, for the message refusing it
    ("is_decimal", "decimal numbers"), ("is_temporal", "dates, times or durations"),
    ("is_interval", "time intervals"), ("is_nested", "nested values (lists, records, maps)"),
    ("is_binary", "binary data"), ("is_large_binary", "binary data"),
    ("is_fixed_size_binary", "binary data"), ("is_binary_view", "binary data"),
)


@dataclass
class Opened:
    """A Parquet file whose footer has been read and checked."""

    path: str
    file: Any  # pyarrow.parquet.ParquetFile, reading from ``stream``
    stream: Any
    size: int  # bytes of the file
    decoded: int  # bytes its table takes decoded, from the footer's numbers

    def close(self) -> None:
        self.stream.close()


def open_parquet(path: str) -> Opened:
    """The file's footer, read and checked; DatasetError saying what is wrong."""
    try:
        stream = open_regular(path)
    except FileLimitError as error:
        raise DatasetError(f"{path}: {error}") from None
    except OSError as error:
        raise DatasetError(f"{path}: cannot read the file ({error.strerror or error})") from None
    try:
        return _footer(path, stream)
    except BaseException:
        stream.close()
        raise


def _footer(path: str, stream) -> Opened:
    import pyarrow as pa
    import pyarrow.parquet as pq

    size = os.fstat(stream.fileno()).st_size
    _check_ends(path, stream, size)
    try:
        stored = pq.ParquetFile(stream, read_dictionary=_text_columns(pq, stream))
        schema = stored.schema_arrow
    except (pa.ArrowException, OSError, ValueError, TypeError) as error:
        raise DatasetError(f"{path}: not a readable Parquet file ({quoted(str(error), 200)})") \
            from None
    for field in schema:
        _check_type(path, field.name, field.type)
    return Opened(path, stored, stream, size, decoded_size(stored.metadata, schema))


def _check_ends(path: str, stream, size: int) -> None:
    """The magic bytes at both ends, and a footer that fits in the file."""
    if size < 12:
        raise DatasetError(f"{path}: not a Parquet file (it is {size} bytes long)")
    head = stream.read(4)
    stream.seek(size - 8)
    tail = stream.read(8)
    if head != MAGIC or tail[4:] != MAGIC:
        raise DatasetError(f"{path}: not a Parquet file (it does not begin and end with "
                           f"{MAGIC.decode()})")
    footer = int.from_bytes(tail[:4], "little")
    if footer > min(size - 12, MAX_FOOTER):
        raise DatasetError(f"{path}: not a readable Parquet file (its footer claims {footer:,} "
                           f"bytes, of a file of {size:,})")
    stream.seek(0)


def _text_columns(pq, stream) -> list[str]:
    """The columns of text, which are read as dictionaries (see the module's text)."""
    import pyarrow as pa

    schema = pq.ParquetFile(stream).schema_arrow
    stream.seek(0)
    return [f.name for f in schema if pa.types.is_string(f.type) or
            pa.types.is_large_string(f.type)]


def _check_type(path: str, name: str, kind) -> None:
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    for test, words in REFUSED:
        if getattr(pa.types, test, lambda _: False)(kind):
            raise DatasetError(f"{path}: the column {quoted(name)} holds {words} ({kind}), "
                               "which cannot be trained on: store it as numbers or text")
    if not _plain(kind):
        raise DatasetError(f"{path}: the column {quoted(name)} holds values of the type "
                           f"{kind}, which cannot be trained on: store it as numbers or text")


def _plain(kind) -> bool:
    import pyarrow as pa

    t = pa.types
    return bool(t.is_boolean(kind) or t.is_integer(kind) or t.is_floating(kind) or
                t.is_string(kind) or t.is_large_string(kind) or t.is_null(kind) or
                getattr(t, "is_string_view", lambda _: False)(kind))


def decoded_size(meta, schema) -> int:
    """Bytes the table takes decoded, as the footer states it: rows × each column's
    width (a number's bytes; a text cell's pointer and index plus its characters,
    as the column's uncompressed size says), and a bit a row for what is missing."""
    rows = max(int(meta.num_rows), 0)
    groups = [meta.row_group(g) for g in range(meta.num_row_groups)]
    total = len(schema) * (rows // 8 + 1)  # the validity bitmaps
    for index, field in enumerate(schema):
        width = _fixed_width(field.type)
        if width:
            total += rows * width
        else:
            total += rows * TEXT_CELL + sum(max(g.column(index).total_uncompressed_size, 0)
                                            for g in groups)
    return total


def _fixed_width(kind) -> int:
    """Bytes of one value of a number or boolean column once decoded, else 0."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_boolean(kind):
        return 1
    if pa.types.is_floating(kind):
        return max(kind.bit_width // 8, 4)  # half floats are read as float32
    if pa.types.is_integer(kind):
        return kind.bit_width // 8
    return 0


def read_frame(opened: Opened) -> pd.DataFrame:
    """The table as a DataFrame, columns as the file names them; DatasetError if
    the data cannot be decoded."""
    import pyarrow as pa

    try:
        table = opened.file.read(use_pandas_metadata=False)
        table = pa.table([_plain_column(c) for c in table.columns], names=table.column_names)
        frame = table.to_pandas(ignore_metadata=True)
    except (pa.ArrowException, OSError, ValueError, TypeError) as error:
        raise DatasetError(f"{opened.path}: not a readable Parquet file "
                           f"({quoted(str(error), 200)})") from None
    del table
    for position, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, pd.CategoricalDtype):  # text: shared strings, NaN where missing
            frame.isetitem(position, frame.iloc[:, position].astype(object))
    index = _index_columns(opened.file.schema_arrow.metadata)
    return frame.drop(columns=[c for c in frame.columns if c in index])


def _plain_column(column):
    """Half floats as float32 and number dictionaries decoded; text stays a dictionary."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind) and not _text(kind.value_type):
        return pc.cast(column, kind.value_type)
    if pa.types.is_float16(kind):
        return pc.cast(column, pa.float32())
    return column


def _text(kind) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _index_columns(metadata: dict | None) -> set[str]:
    """The index columns pandas metadata names plainly; nothing when it is malformed."""
    raw = (metadata or {}).get(b"pandas")
    if not raw or len(raw) > 1 << 20:
        return set()
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return set()
    names = document.get("index_columns") if isinstance(document, dict) else None
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()
