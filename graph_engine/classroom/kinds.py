"""The check kinds grading knows, each declared once, as block types are.

A :class:`CheckKind` says everything the rest of NetCanvas asks about a kind:
the fields a check of the kind holds (numbers as :class:`ParamSpec`, names of
block types or warning codes as :class:`NameField`) and which of them are
required, how the editor offers it, what it needs to be judged (the diagram,
a network without errors, a trained network), which task it fits
(classification or regression), how it judges and how it suggests a
threshold. The exercise reader, the grader, the authoring dialog, the docs
and the tests read :data:`KINDS`; the catalogue that registers every kind is
:mod:`.checks`, so a new kind is one declaration there (and its test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..checks.analysis import Analysis
from ..core.diagnostics import Diagnostic
from ..core.enums import StrEnum
from ..core.params import ParamSpec
from ..model.diagram import Diagram

if TYPE_CHECKING:
    from ..data.dataset import DatasetInfo
    from .exercise import Exercise

TYPE_FIELD, CODE_FIELD = "type", "code"


class Need(StrEnum):
    """What a check needs before it can be judged."""

    DIAGRAM = "diagram"  # the diagram as read and its diagnostics
    NETWORK = "network"  # a diagram without errors: the network's analysis
    TRAINING = "training"  # the network trained with the exercise's settings


@dataclass
class Facts:
    """What grading learned about one diagram; None where it has not (yet)."""

    diagram: Diagram
    problems: list[Diagnostic]
    analysis: Analysis
    metrics: dict | None = None  # the trained network's figures (the last epoch's, test_f1)
    not_run: str = ""  # why the network was not trained, when it was not
    epochs: int = 0

    @property
    def errors(self) -> list[Diagnostic]:
        return [p for p in self.problems if p.is_error]


@dataclass(frozen=True)
class Situation:
    """What a threshold is suggested from: the teacher's diagram and its run."""

    diagram: Diagram
    analysis: Analysis
    metrics: Mapping[str, Any] = field(default_factory=dict)  # the run's last epoch row
    block_type: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class Check:
    """One graded check; the fields its kind does not use stay None."""

    id: str
    kind: str
    points: float = 1
    hidden: bool = False  # hide the threshold in messages to students
    hint: str = ""  # shown when the check fails
    given: bool = False  # scores even when the untouched start passes it
    code: str | None = None
    type: str | None = None
    min: float | None = None
    max: float | None = None
    features: int | None = None

    def to_dict(self) -> dict:
        data: dict = {"id": self.id, "kind": self.kind, "points": self.points}
        for name in KINDS.get(self.kind).field_names():
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        for flag in ("hidden", "given"):
            if getattr(self, flag):
                data[flag] = True
        if self.hint:
            data["hint"] = self.hint
        return data


Verdict = tuple[bool, str]
Rule = Callable[[Check, Facts, "Exercise"], Verdict]
Suggest = Callable[[Situation], dict]


@dataclass(frozen=True)
class NameField:
    """A field that names something (a block type, a warning code): its choices
    for the editor and its reader, which returns the name or raises ValueError."""

    name: str
    help: str
    choices: Callable[[], list[str]]
    read: Callable[[object], str]


@dataclass(frozen=True)
class CheckKind:
    """One kind of check, as data (see the module's text)."""

    name: str
    label: str  # how the editor offers it: "Test accuracy at least"
    passes: str  # when a check of the kind passes, in the docs' words
    judge: Rule
    fields: tuple[ParamSpec, ...] = ()
    names: tuple[NameField, ...] = ()
    required: frozenset[str] = frozenset()
    defaults: Mapping[str, object] = field(default_factory=dict)  # an optional field's value
    need: Need = Need.DIAGRAM
    task: str | None = None  # CLASSIFICATION or REGRESSION: the data sets it fits; None: any
    suggest: Suggest | None = None  # the fields a check of the kind starts with

    def field_names(self) -> tuple[str, ...]:
        return (*(n.name for n in self.names), *(s.name for s in self.fields))

    def unfit(self, info: DatasetInfo) -> str:
        """Why the kind cannot apply to a data set like ``info``, or ""."""
        if self.task is None or info.task == self.task:
            return ""
        return f"{self.name} needs a {self.task} data set, but {info.name} is {info.task}"

    def read(self, value: Mapping[str, object]) -> dict:
        """The fields of the kind ``value`` gives, checked, with the defaults of the
        others; ValueError naming the first that is wrong."""
        found: dict[str, object] = dict(self.defaults)
        for spec in self.fields:
            if spec.name in value:
                found[spec.name] = spec.coerce(value[spec.name])
        for name in self.names:
            if name.name in value:
                found[name.name] = name.read(value[name.name])
        return found


class CheckKinds:
    """Check kinds by name; registering a name twice is an error."""

    def __init__(self) -> None:
        self._kinds: dict[str, CheckKind] = {}

    def register(self, kind: CheckKind) -> CheckKind:
        if kind.name in self._kinds:
            raise ValueError(f"check kind {kind.name!r} is registered twice")
        unknown = kind.required - set(kind.field_names())
        if unknown:
            raise ValueError(f"{kind.name}: required fields it does not have: "
                             f"{', '.join(sorted(unknown))}")
        self._kinds[kind.name] = kind
        return kind

    def get(self, name: object) -> CheckKind:
        _catalogue()
        if isinstance(name, str) and name in self._kinds:
            return self._kinds[name]
        raise ValueError(f"unknown check kind {name!r} (known: {', '.join(self.names())})")

    def __contains__(self, name: object) -> bool:
        _catalogue()
        return isinstance(name, str) and name in self._kinds

    def __iter__(self) -> Iterator[CheckKind]:
        _catalogue()
        return iter(list(self._kinds.values()))

    def names(self) -> list[str]:
        return [kind.name for kind in self]

    def needing(self, need: Need) -> frozenset[str]:
        return frozenset(kind.name for kind in self if kind.need == need)


def _catalogue() -> None:
    """The catalogue registers every kind when it is first imported."""
    from . import checks  # noqa: F401


KINDS = CheckKinds()
