"""The data set and training settings a diagram carries, declared as data.

Both are frozen records whose fields are described by :class:`ParamSpec`
tuples, so the GUI builds its widgets from the same declarations and every
value is checked in one place. Defaults follow TensorFlow Playground.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from .params import BOOL, CHOICE, FLOAT, INT, ParamSpec

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad")
TASKS = ("auto", "classification", "regression")

TRAINING_PARAMS = (
    ParamSpec("optimizer", CHOICE, "sgd", "sgd: plain gradient descent; momentum: SGD with "
              "momentum 0.9; adam, rmsprop, adagrad: adaptive step sizes.", choices=OPTIMIZERS),
    ParamSpec("lr", FLOAT, 0.03, "Learning rate: the size of each step.",
              minimum=1e-7, maximum=1e6),
    ParamSpec("batch_size", INT, 10, "Samples per optimizer step.", minimum=1, maximum=100_000),
    ParamSpec("epochs", INT, 200, "Passes over the training set.", minimum=1, maximum=1_000_000),
    ParamSpec("l1", FLOAT, 0.0, "L1 regularisation: adds l1 · Σ|w| over the weights.",
              minimum=0.0, maximum=10.0),
    ParamSpec("l2", FLOAT, 0.0, "L2 regularisation: adds l2 · Σw² over the weights.",
              minimum=0.0, maximum=10.0),
    ParamSpec("seed", INT, 0, "Random seed for the initial weights and the batch order.",
              minimum=0, maximum=2**31 - 1),
)

DATASET_PARAMS = (
    ParamSpec("samples", INT, 500, "Number of points generated (ignored for digits, iris "
              "and CSV files, which have a fixed size).", minimum=10, maximum=100_000),
    ParamSpec("noise", FLOAT, 0.0, "Noise, as TensorFlow Playground's 0–50 %: 0.1 is 10 %.",
              minimum=0.0, maximum=0.5),
    ParamSpec("train_ratio", FLOAT, 0.5, "Share of the points used for training; the rest "
              "is the test set.", minimum=0.1, maximum=0.9),
    ParamSpec("seed", INT, 0, "Random seed for generating and splitting the data.",
              minimum=0, maximum=2**31 - 1),
)

CSV_PARAMS = (
    ParamSpec("task", CHOICE, "auto", "auto guesses from the target column: whole numbers "
              "with few distinct values mean classification.", choices=TASKS),
    ParamSpec("standardize", BOOL, True, "Shift and scale each feature column to mean 0 and "
              "standard deviation 1 (computed on the training rows)."),
)


def _default(specs, name: str):
    """A record field's default, read from its ParamSpec: declared once."""
    return next(spec.default for spec in specs if spec.name == name)


def _checked(record, specs):
    for spec in specs:
        object.__setattr__(record, spec.name, spec.coerce(getattr(record, spec.name)))


@dataclass(frozen=True)
class TrainingSettings:
    optimizer: str = _default(TRAINING_PARAMS, "optimizer")
    lr: float = _default(TRAINING_PARAMS, "lr")
    batch_size: int = _default(TRAINING_PARAMS, "batch_size")
    epochs: int = _default(TRAINING_PARAMS, "epochs")
    l1: float = _default(TRAINING_PARAMS, "l1")
    l2: float = _default(TRAINING_PARAMS, "l2")
    seed: int = _default(TRAINING_PARAMS, "seed")

    def __post_init__(self) -> None:
        _checked(self, TRAINING_PARAMS)

    def with_(self, **changes) -> TrainingSettings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CsvSource:
    """Where a CSV data set comes from and how to read it."""

    path: str
    features: tuple[str, ...] = ()  # empty: every column but the target
    target: str = ""  # empty: the last column
    task: str = _default(CSV_PARAMS, "task")
    standardize: bool = _default(CSV_PARAMS, "standardize")

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not self.path:
            raise ValueError("a CSV data set needs a file path")
        if not isinstance(self.target, str):
            raise ValueError("the CSV target must be a column name")
        cols = self.features
        if isinstance(cols, str) or not all(isinstance(c, str) for c in cols):
            raise ValueError("the CSV features must be a list of column names")
        object.__setattr__(self, "features", tuple(cols))
        _checked(self, CSV_PARAMS)


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    samples: int = _default(DATASET_PARAMS, "samples")
    noise: float = _default(DATASET_PARAMS, "noise")
    train_ratio: float = _default(DATASET_PARAMS, "train_ratio")
    seed: int = _default(DATASET_PARAMS, "seed")
    csv: CsvSource | None = field(default=None)

    def __post_init__(self) -> None:
        from . import datasets

        if self.name != "csv" and self.name not in datasets.names():
            known = ", ".join(datasets.names())
            raise ValueError(f"unknown data set {self.name!r} (known: {known})")
        if self.csv is not None and not isinstance(self.csv, CsvSource):
            raise ValueError("csv must be an object with path, features, target, task and "
                             "standardize")
        if (self.name == "csv") != (self.csv is not None):
            raise ValueError("a CSV data set needs its csv settings (path, columns)")
        _checked(self, DATASET_PARAMS)

    def with_(self, **changes) -> DatasetSpec:
        return replace(self, **changes)

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "csv"}
        if self.csv is not None:
            data["csv"] = asdict(self.csv)
            data["csv"]["features"] = list(self.csv.features)
        return data


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
