"""Reading a table file (CSV, TSV or Parquet) into a pandas DataFrame, once.

The file is read through the bounded reader (a pipe, a device or a sparse
file is refused unread) after a memory check: there is no fixed size cap,
but a file whose table would not fit in the memory that is free is refused
with a message that says how much it needs. A text file's first megabyte is
looked at before it is read whole; a Parquet file is opened by its footer
(:mod:`.parquet`), which says what the table takes decoded, and the budget is
that. pandas parses the bytes (pyarrow for Parquet); nothing is ever
unpickled, and text from the file stays data.
A table is kept in memory, keyed by the file's path, size and modification
time, so validating, previewing and training read it once.

pandas does not keep line numbers, so a message about a cell finds the
file's own line again by scanning the file (only when there is a problem):
blank lines count, as do the lines of a quoted cell that spans several.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd

from ..core.files import CHUNK, FileLimitError, check_path, human_size, open_regular, read_bounded
from ..core.text import quoted
from .dataset import DatasetError
from .parquet import open_parquet, read_frame

SEPARATORS = {"csv": ",", "tsv": "\t"}
EXTENSIONS = {".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet"}
NAMES = {"csv": "comma-separated", "tsv": "tab-separated", "parquet": "Parquet"}
NAMES_SHORT = {",": "CSV", "\t": "TSV"}
# What reading takes, in bytes of memory per byte of file: pandas' tokenizer and
# the table it builds (a CSV cell of two bytes becomes eight), then the float32
# features and their split (measured: a 109 MB MNIST-shaped CSV peaks near 1 GB).
TEXT_FACTOR = 10
PARQUET_FACTOR = 3  # per byte of the table decoded, as the file's footer says
MEMORY_SHARE = 0.7  # of the memory that is free, what one table may take
FALLBACK_MEMORY = 4 << 30  # when the system does not say
JOIN_COLUMNS = 4096  # above this many columns, a table's columns are joined into one block
CACHED_TABLES = 1  # a table of a large file is large: keep only the last one


def file_format(path: str, declared: str = "auto") -> str:
    """"csv", "tsv" or "parquet": as declared, else by the file's extension."""
    if declared != "auto":
        return declared
    return EXTENSIONS.get(os.path.splitext(path)[1].lower(), "csv")


@dataclass(frozen=True, eq=False)
class Table:
    """A table file as read: its DataFrame (columns named by the header, the
    index is the data row's position in the file, from 0) and where it came from.

    pandas reads a column into a block of its own, and looking a column up by
    name costs tens of microseconds: code that visits every column of a wide
    file works on positions and slices (``frame.iloc[:, a:b]``) instead."""

    path: str
    format: str
    frame: pd.DataFrame
    header: tuple[str, ...] = field(init=False)
    position: dict[str, int] = field(init=False, repr=False)  # column name -> position
    numeric: tuple[bool, ...] = field(init=False, repr=False)  # numbers or booleans
    floating: tuple[bool, ...] = field(init=False, repr=False)  # may hold NaN, inf
    # a text column's cells parsed as numbers, and as strings: each made once (column
    # kinds, the import dialog, features and target all ask), keyed by position
    _numbers: dict[int, pd.Series] = field(default_factory=dict, init=False, repr=False)
    _texts: dict[int, pd.Series] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        kinds = [dtype.kind for dtype in self.frame.dtypes]
        object.__setattr__(self, "header", tuple(self.frame.columns))
        object.__setattr__(self, "position", {n: i for i, n in enumerate(self.header)})
        object.__setattr__(self, "numeric", tuple(k in "iubf" for k in kinds))
        object.__setattr__(self, "floating", tuple(k == "f" for k in kinds))

    @property
    def rows(self) -> int:
        return len(self.frame)

    def column(self, name: str) -> pd.Series:
        return self.frame.iloc[:, self.position[name]]

    def numbers(self, name: str) -> pd.Series:
        """The column as numbers, NaN where a cell holds none (a number column as it
        is); a text column is parsed the first time it is asked for."""
        position = self.position[name]
        if self.numeric[position]:
            return self.column(name)
        if position not in self._numbers:
            self._numbers[position] = pd.to_numeric(self.column(name), errors="coerce")
        return self._numbers[position]

    def texts(self, name: str) -> pd.Series:
        """The column's cells as strings ("nan" where one is missing), made once."""
        position = self.position[name]
        if position not in self._texts:
            self._texts[position] = self.column(name).astype(str)
        return self._texts[position]

    def where(self, row: int, column: str) -> str:
        """"PATH: line L, column 'c'" for a text file, "PATH: row R, column 'c'" for
        Parquet; ``row`` is the data row's position (the frame's index)."""
        return f"{self.path}: {self._place(row)}, column {quoted(column)}"

    def cell_text(self, row: int, column: str) -> str:
        """The cell as the file writes it (pandas parsed "1e39" to 1e+39)."""
        if self.format in SEPARATORS:
            cells = _data_row(self, row)[1]
            position = self.header.index(column)
            if cells is not None and position < len(cells):
                return cells[position].strip()
        return str(self.column(column)[row])

    def _place(self, row: int) -> str:
        if self.format in SEPARATORS:
            line = _data_row(self, row)[0]
            if line is not None:
                return f"line {line}"
        return f"row {row + 1}"


# ------------------------------------------------------------------ the cache

_CACHE: OrderedDict[tuple, Table] = OrderedDict()
_LOCK = threading.Lock()


def read_table(path: str, declared: str = "auto") -> Table:
    """The table in ``path``, read once while the file is unchanged."""
    fmt = file_format(path, declared)
    key = (os.path.abspath(path), fmt, *file_identity(path))
    with _LOCK:  # one reader at a time: a second caller waits and finds the table
        table = _CACHE.get(key)
        if table is None:
            table = _read(path, fmt)
            _CACHE[key] = table
            while len(_CACHE) > CACHED_TABLES:
                _CACHE.popitem(last=False)
        _CACHE.move_to_end(key)
        return table


def file_identity(path: str) -> tuple[int, int]:
    """The file's size and modification time (ns); DatasetError when it cannot be read."""
    try:
        stat = os.stat(check_path(path))
    except OSError as error:
        raise DatasetError(f"{path}: cannot read the file ({error.strerror or error})") from None
    except ValueError as error:  # a path no file system accepts (a NUL byte)
        raise DatasetError(f"{path!r}: {error}") from None
    return stat.st_size, stat.st_mtime_ns


def forget_tables() -> None:
    """Drop the cached tables (their memory goes back)."""
    with _LOCK:
        _CACHE.clear()


# ------------------------------------------------------------------ memory

def available_memory() -> int:
    """Bytes of memory free for new work (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return FALLBACK_MEMORY


def check_memory(path: str, size: int, needed: int, why: str = "") -> None:
    """DatasetError when reading needs more memory than is free; ``why`` says where
    the figure comes from, when the file's size alone does not."""
    free = available_memory()
    if needed > free * MEMORY_SHARE:
        raise DatasetError(
            f"{path}: the file is {size:,} bytes{f' and {why}' if why else ''}; reading it "
            f"needs about {human_size(needed)} of memory, and {human_size(free)} is free. "
            "Close other programs, or use a smaller file (fewer rows or columns).")


# ------------------------------------------------------------------ reading

def _read(path: str, fmt: str) -> Table:
    if fmt == "parquet":
        frame = _read_parquet(path)
    else:
        raw = _read_bytes(path, fmt)
        frame = _parse_text(path, raw, fmt)
        del raw
    if frame.shape[1] > JOIN_COLUMNS:
        # pandas parses each column into a block of its own; a deep copy joins them
        # into one block per type, after which slicing 100,000 columns takes
        # milliseconds instead of seconds. For fewer columns the blocks are faster
        # as they are: the joined block is stored column by column, and turning it
        # into rows of features costs more than the copy saves (MNIST: 3 s, not 0.1)
        frame = frame.copy()
    frame = _without_empty_rows(frame)
    if len(frame) < 2:
        raise DatasetError(f"{path}: needs a header row and at least two data rows")
    return Table(path, fmt, frame)


def _read_bytes(path: str, fmt: str) -> bytes:
    size = file_identity(path)[0]
    check_memory(path, size, size * TEXT_FACTOR)
    _check_text_start(path, fmt)
    try:
        # a regular file holds what its size says; a /proc file says 0 and holds more
        return read_bounded(path, size + CHUNK)
    except FileLimitError as error:
        raise DatasetError(f"{path}: {error}") from None
    except OSError as error:
        raise DatasetError(f"{path}: cannot read the file ({error.strerror or error})") from None
    except ValueError as error:  # a path no file system accepts (a NUL byte)
        raise DatasetError(f"{path!r}: {error}") from None


def _check_text_start(path: str, fmt: str) -> None:
    """What a file is, from its first megabyte, before it is read whole: a NUL byte
    there (a sparse or binary file) is no text."""
    try:
        with open_regular(path) as stream:
            start = stream.read(CHUNK)
    except (OSError, ValueError):  # FileLimitError too: the whole read says why
        return
    if b"\0" in start:
        raise DatasetError(f"{path}: not a readable {fmt.upper()} text file (it contains NUL "
                           "bytes)")


def _parse_text(path: str, raw: bytes, fmt: str) -> pd.DataFrame:
    if b"\0" in raw:
        raise DatasetError(f"{path}: not a readable {fmt.upper()} text file (it contains NUL "
                           "bytes)")
    header = _header(path, raw, SEPARATORS[fmt])
    try:
        frame = pd.read_csv(io.BytesIO(raw), sep=SEPARATORS[fmt], encoding="utf-8-sig",
                            index_col=False, low_memory=False, skip_blank_lines=True)
    except UnicodeDecodeError as error:
        raise DatasetError(f"{path}: not a readable {fmt.upper()} text file ({error})") from None
    except pd.errors.ParserError as error:
        _check_field_counts(path, raw, fmt, len(header))
        raise DatasetError(f"{path}: not a readable {fmt.upper()} file ({error})") from None
    frame.columns = pd.Index(header)
    if frame.iloc[:, -1].isna().any():  # a short row fills its missing fields with NaN
        _check_field_counts(path, raw, fmt, len(header))
    return _stripped(frame)


def _header(path: str, raw: bytes, sep: str) -> tuple[str, ...]:
    """The first non-blank row, checked: two or more named, distinct columns."""
    try:
        first = next(_records(raw, sep), None)
    except (UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"{path}: not a readable {NAMES_SHORT[sep]} text file ({error})") \
            from None
    if first is None:
        raise DatasetError(f"{path}: the file is empty")
    header = tuple(cell.strip() for cell in first[1])
    if len(header) < 2:
        raise DatasetError(f"{path}: needs at least two columns (features and a target)")
    _check_names(path, header)
    return header


def _check_names(path: str, header: tuple[str, ...]) -> None:
    """Every column named, each name once."""
    blank = [i + 1 for i, name in enumerate(header) if not name]
    if blank:
        raise DatasetError(f"{path}: column {blank[0]} of the header has no name")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DatasetError(f"{path}: the column name {quoted(name)} appears twice")
        seen.add(name)


def _stripped(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells without surrounding spaces (" dog" is "dog"), as numbers are read."""
    for position, dtype in enumerate(frame.dtypes):
        if dtype.kind not in "iubf":
            column = frame.iloc[:, position]
            if _all_text(column):
                frame.isetitem(position, column.str.strip())
    return frame


def _without_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of empty cells only (",,") are blank lines. Only a row whose first cell
    is empty can be one: the rest of the table is not looked at (a row-wise test
    of a file of 100,000 columns takes seconds)."""
    candidates = frame.index[frame.iloc[:, 0].isna().to_numpy()]
    if len(candidates) == 0:
        return frame
    empty = frame.loc[candidates].isna().all(axis=1)
    return frame.drop(index=empty.index[empty.to_numpy()])


def _all_text(column: pd.Series) -> bool:
    return bool(column.dropna().map(type).eq(str).all())


def _read_parquet(path: str) -> pd.DataFrame:
    """The table of a Parquet file, its footer checked and its decoded size budgeted
    before any data is read (:mod:`.parquet`)."""
    opened = open_parquet(path)
    try:
        check_memory(path, opened.size, opened.decoded * PARQUET_FACTOR,
                     f"its table takes {human_size(opened.decoded)} once decoded")
        frame = read_frame(opened)
    finally:
        opened.close()
    header = tuple(str(name).strip() for name in frame.columns)
    if len(header) < 2:
        raise DatasetError(f"{path}: needs at least two columns (features and a target)")
    _check_names(path, header)
    frame.columns = pd.Index(header)
    return _stripped(frame.reset_index(drop=True))


# ------------------------------------------------------------ finding lines again

def _records(raw: bytes, sep: str) -> Iterator[tuple[int, list[str]]]:
    """(the file's line number, cells) of every non-blank row, header first,
    as pandas counts rows: blank and whitespace-only lines are skipped."""
    text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=sep)
    start = 1
    for row in reader:
        if row and not (len(row) == 1 and not row[0].strip()):
            yield start, row
        start = reader.line_num + 1


def _check_field_counts(path: str, raw: bytes, fmt: str, fields: int) -> None:
    """DatasetError naming the first row with more or fewer fields than the header
    (pandas fills a short row with NaN, and allows one empty field past the end)."""
    try:
        rows = _records(raw, SEPARATORS[fmt])
        next(rows, None)
        for line, cells in rows:
            extra = cells[fields:]
            if len(cells) < fields or any(cell.strip() for cell in extra) or len(extra) > 1:
                raise DatasetError(f"{path}: line {line} has {len(cells)} fields, the header "
                                   f"has {fields}")
    except (UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"{path}: not a readable {fmt.upper()} file ({error})") from None


def _data_row(table: Table, row: int) -> tuple[int | None, list[str] | None]:
    """The file's line number and cells of data row ``row`` (the frame's index)."""
    try:
        raw = read_bounded(table.path, file_identity(table.path)[0] + CHUNK)
        rows = _records(raw, SEPARATORS[table.format])
        next(rows, None)
        for position, (line, cells) in enumerate(rows):
            if position == row:
                return line, cells
    except (OSError, ValueError, UnicodeDecodeError, csv.Error, DatasetError):
        pass  # the file changed since: say "row", not a wrong line
    return None, None
