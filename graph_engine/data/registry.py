"""The registry of data sets: every data set a diagram can train on, declared once.

A :class:`DatasetKind` says what a data set is made from (its :class:`Origin`),
which keys of the file's ``"dataset"`` record belong to it, how validation
learns what it is without generating it (``info``), how it is made (``make``),
and which files it reads. The built-in sets, a table file, points drawn by
hand and classes from a function are entries alike: the spec, the file
reader, the command line and the editor ask the entry, never the name.
Adding a data set is one declaration (see :mod:`.catalogue`) plus its test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.enums import StrEnum

if TYPE_CHECKING:
    from .dataset import Dataset, DatasetInfo
    from .spec import DatasetSpec


class Origin(StrEnum):
    """Where a data set's points come from: what the editor offers to make one."""

    GENERATED = "generated"  # from its name and the settings (samples, noise, seed)
    TABLE = "table"  # read from a table file (CSV, TSV, Parquet)
    DRAWN = "drawn"  # points drawn by hand, kept in the diagram file
    FORMULA = "formula"  # generated from a formula over the plane


SETTINGS = ("samples", "noise", "train_ratio", "seed")  # what a generated set reads


def _no_files(spec: DatasetSpec) -> tuple[str, ...]:
    return ()


def _unmoved(spec: DatasetSpec, move: Callable[[str], str]) -> DatasetSpec:
    return spec


def _accepted(spec: DatasetSpec) -> None:
    return None


@dataclass(frozen=True)
class DatasetKind:
    """One data set, or one way of making data sets (a table file, drawn points)."""

    name: str  # the file's "name"
    origin: Origin
    description: str  # one sentence, for the editor's list and the docs
    info: Callable[[DatasetSpec], DatasetInfo]  # what it is, without generating it
    make: Callable[[DatasetSpec], Dataset]  # the data, split into training and test
    # the keys of the "dataset" record besides "name" and "labels", in the order the file
    # writes them: the settings it reads and the fields holding what it is made from
    keys: tuple[str, ...] = SETTINGS
    # ValueError when the spec's own fields cannot make this data set (a missing table
    # settings record, malformed points, a formula that does not parse)
    check: Callable[[DatasetSpec], None] = _accepted
    title: str = ""  # how the editor lists it; empty: its name
    samples: int = 500  # points generated when the spec does not say
    files: Callable[[DatasetSpec], tuple[str, ...]] = _no_files  # the files it reads
    # the spec with each file path passed through a function (made relative to a folder,
    # anchored in one, copied beside an exercise)
    moved: Callable[[DatasetSpec, Callable[[str], str]], DatasetSpec] = _unmoved

    @property
    def shown(self) -> str:
        return self.title or self.name


class Registry:
    """Data set kinds by name, in the order declared; a name is declared once."""

    def __init__(self) -> None:
        self._kinds: dict[str, DatasetKind] = {}

    def register(self, kind: DatasetKind) -> DatasetKind:
        if kind.name in self._kinds:
            raise ValueError(f"the data set {kind.name!r} is declared twice")
        self._kinds[kind.name] = kind
        return kind

    def __getitem__(self, name: str) -> DatasetKind:
        """The kind called ``name``; ValueError naming the known ones otherwise."""
        found = self._kinds.get(name) if isinstance(name, str) else None
        if found is None:
            raise ValueError(f"unknown data set {name!r} (known: {', '.join(self._kinds)})")
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def __iter__(self) -> Iterator[DatasetKind]:
        return iter(self._kinds.values())

    def names(self, origin: Origin | None = None) -> list[str]:
        return [k.name for k in self if origin is None or k.origin == origin]


DATASETS = Registry()
