"""Data set specs: which data set a diagram trains on, and what it is made from.

Frozen records whose fields are described by :class:`ParamSpec` tuples, so the
GUI builds its widgets from the same declarations and every value is checked
in one place. Defaults follow TensorFlow Playground. Which fields a data set
reads is its registry entry's to say (:mod:`.registry`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from ..core.params import BOOL, CHOICE, FLOAT, INT, ParamSpec, checked_record, record_default
from .catalogue import DATASETS
from .dataset import CLASSIFICATION, INDEX_LABELS, LABEL_FORMS
from .drawn import Point, as_lists, checked_points
from .registry import SETTINGS, DatasetKind

TASKS = ("auto", "classification", "regression")

DATASET_PARAMS = (
    ParamSpec("samples", INT, 500, "Number of points generated: by default 500, and 1,200 "
              "for reg-plane and reg-gauss, as TensorFlow Playground makes them (ignored by "
              "the real data sets: digits, iris, breast-cancer, wine, diabetes and files, "
              "which have a fixed size).", minimum=10, maximum=100_000),
    ParamSpec("noise", FLOAT, 0.0, "Noise, as TensorFlow Playground's 0–50 %: 0.1 is 10 %.",
              minimum=0.0, maximum=0.5),
    ParamSpec("train_ratio", FLOAT, 0.5, "Share of the points used for training; the rest "
              "is the test set.", minimum=0.1, maximum=0.9),
    ParamSpec("seed", INT, 0, "Random seed for generating and splitting the data.",
              minimum=0, maximum=2**31 - 1),
    ParamSpec("labels", CHOICE, INDEX_LABELS, "How the labels of a classification data set "
              "reach the loss: 'index' gives class indices 0, 1, … (CrossEntropyLoss, the "
              "BCE losses); 'signed' gives two classes as −1 and +1, as TensorFlow "
              "Playground does, for one Tanh output trained with MSELoss.",
              choices=LABEL_FORMS),
)

FORMATS = ("auto", "csv", "tsv", "parquet")
MISSING = ("drop", "mean")

CSV_PARAMS = (
    ParamSpec("task", CHOICE, "auto", "auto guesses from the target column: whole numbers "
              "with few distinct values mean classification.", choices=TASKS),
    ParamSpec("standardize", BOOL, True, "Shift and scale each feature column, and a "
              "regression target, to mean 0 and standard deviation 1 (computed on the training "
              "rows); errors are still reported in the target's own units."),
    ParamSpec("format", CHOICE, "auto", "How the file is read: auto goes by its extension "
              "(.tsv or .tab: tab-separated, .parquet or .pq: Parquet, any other: "
              "comma-separated).", choices=FORMATS),
    ParamSpec("missing", CHOICE, "drop", "A missing cell (empty, NA, NaN, null) in a feature "
              "column: drop its row, or fill it with the column's mean. A row without a "
              "target is always dropped.", choices=MISSING),
)


@dataclass(frozen=True)
class CsvSource:
    """Where a CSV data set comes from and how to read it."""

    path: str
    features: tuple[str, ...] = ()  # empty: every column but the target
    target: str = ""  # empty: the last column
    task: str = record_default(CSV_PARAMS, "task")
    standardize: bool = record_default(CSV_PARAMS, "standardize")
    format: str = record_default(CSV_PARAMS, "format")
    missing: str = record_default(CSV_PARAMS, "missing")
    # empty: rows are split at random by the spec's train_ratio and seed; else a column of
    # "train" / "test" says where each row goes, and the file's row order is kept
    split: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not self.path:
            raise ValueError("a CSV data set needs a file path")
        if not isinstance(self.target, str):
            raise ValueError("the CSV target must be a column name")
        if not isinstance(self.split, str):
            raise ValueError("the CSV split must be a column name")
        cols = self.features
        if isinstance(cols, str) or not all(isinstance(c, str) for c in cols):
            raise ValueError("the CSV features must be a list of column names")
        object.__setattr__(self, "features", tuple(cols))
        checked_record(self, CSV_PARAMS)


# The spec's fields that hold what a data set is made from; a kind's ``keys`` name those
# it reads (a table's "csv", the drawn "points" and their "task", a function's "boundary"
# or "target"); any other stays at its default.
SOURCES = ("csv", "points", "task", "boundary", "target")


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    # None: the data set's own count (its registry entry's samples), set in __post_init__
    samples: int = None  # type: ignore[assignment]
    noise: float = record_default(DATASET_PARAMS, "noise")
    train_ratio: float = record_default(DATASET_PARAMS, "train_ratio")
    seed: int = record_default(DATASET_PARAMS, "seed")
    csv: CsvSource | None = field(default=None)
    labels: str = record_default(DATASET_PARAMS, "labels")
    points: tuple[Point, ...] | None = None  # drawn: (x1, x2, label), at most MAX_POINTS
    boundary: str = ""  # a function set's curve x2 = f(x1)
    target: str = ""  # or its value f(x1, x2)
    task: str = CLASSIFICATION  # of drawn points: their labels are classes, or values

    def __post_init__(self) -> None:
        kind = DATASETS[self.name]  # ValueError naming the known data sets
        self._check_sources()
        self._refuse_foreign(kind)
        if self.samples is None:
            object.__setattr__(self, "samples", kind.samples)
        checked_record(self, DATASET_PARAMS)
        kind.check(self)

    def _check_sources(self) -> None:
        if self.csv is not None and not isinstance(self.csv, CsvSource):
            raise ValueError("csv must be an object with path, features, target, task, "
                             "standardize, format, missing and split")
        for key in ("boundary", "target"):
            if not isinstance(getattr(self, key), str):
                raise ValueError(f"{key} must be a formula (text)")
        if self.points is not None or self.task != CLASSIFICATION:
            object.__setattr__(self, "points", checked_points(
                () if self.points is None else self.points, self.task))

    def _refuse_foreign(self, kind: DatasetKind) -> None:
        """ValueError for a setting or source the data set does not read."""
        for key in (*SETTINGS, *SOURCES):
            if key in kind.keys:
                continue
            value = getattr(self, key)
            if key == "samples":
                unset = value is None or value == kind.samples
            else:
                unset = value == _DEFAULTS[key]
            if not unset:
                raise ValueError(f"{key} is not a setting of the {self.name} data set (its "
                                 f"settings: {', '.join(kind.keys)})")

    def with_(self, **changes) -> DatasetSpec:
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """As in the file: the name, the settings its kind reads, ``labels`` when it is
        not the default (so files without −1/+1 labels read as before the option
        existed), then what it is made from, each only when set."""
        keys = DATASETS[self.name].keys
        data: dict = {"name": self.name}
        data.update({k: getattr(self, k) for k in keys if k in SETTINGS})
        if self.labels != INDEX_LABELS:
            data["labels"] = self.labels
        for key in keys:
            value = getattr(self, key)
            if key in SOURCES and value != _DEFAULTS[key]:
                data[key] = _written(key, value)
        return data


_DEFAULTS = {f.name: f.default for f in fields(DatasetSpec)}


def _written(key: str, value):
    """A source field as the file writes it."""
    if key == "points":
        return as_lists(value)
    if key == "csv":
        data = asdict(value)
        data["features"] = list(value.features)
        if not value.split:  # as files without a split column were written
            del data["split"]
        return data
    return value


def as_dataset_spec(value) -> DatasetSpec | None:
    """Accept a spec, a data set name, a dict as in the file, or None."""
    if value is None or isinstance(value, DatasetSpec):
        return value
    if isinstance(value, str):
        return DatasetSpec(value)
    if isinstance(value, dict):
        data = dict(value)
        if isinstance(data.get("csv"), dict):
            data["csv"] = CsvSource(**data["csv"])
        return DatasetSpec(**data)
    raise ValueError(f"a data set is given by its name, e.g. 'circle' (got {value!r})")
