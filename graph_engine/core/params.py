"""Parameter declarations for block types: type, default, bounds and help.

Every value a user types (inspector, file, API keyword) passes through
:meth:`ParamSpec.coerce`, which either returns a clean value or raises
``ValueError`` with a message that names the parameter and the allowed range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

INT = "int"
FLOAT = "float"
BOOL = "bool"
CHOICE = "choice"
FORMULA = "formula"
WEIGHTS = "weights"  # numbers set by hand in a weight matrix: (row, column, value) triples

KINDS = (INT, FLOAT, BOOL, CHOICE, FORMULA, WEIGHTS)
MAX_SET_WEIGHTS = 1024  # weights one parameter may set by hand
MAX_INDEX = 1 << 20  # a row or column beyond any layer's


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a block type, named as in PyTorch."""

    name: str
    kind: str
    default: object
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = field(default=())
    exclusive_max: bool = False
    key: bool = False  # shown on the block's face ("Linear 8")
    unit: str = ""  # printed after the value on the face ("2 features")

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")
        self.coerce(self.default)

    def coerce(self, value: object) -> object:
        """Return ``value`` as this parameter's type, or raise ValueError."""
        coerce = _COERCERS[self.kind]
        return coerce(self, value)

    def describe_range(self) -> str:
        if self.kind == CHOICE:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.minimum is None and self.maximum is None:
            return ""
        high = f"< {_fmt(self.maximum)}" if self.exclusive_max else f"<= {_fmt(self.maximum)}"
        if self.maximum is None:
            return f">= {_fmt(self.minimum)}"
        if self.minimum is None:
            return high
        return f"{_fmt(self.minimum)} <= {self.name} {high}"


def _fmt(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else repr(number)


def _check_bounds(spec: ParamSpec, number: float) -> None:
    low, high = spec.minimum, spec.maximum
    too_low = low is not None and number < low
    too_high = high is not None and (number >= high if spec.exclusive_max else number > high)
    if too_low or too_high:
        raise ValueError(f"{spec.name} must satisfy {spec.describe_range()} (got {number!r})")


def _coerce_int(spec: ParamSpec, value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{spec.name} must be a whole number, not {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ValueError(f"{spec.name} must be a whole number (got {value!r})") from None
    if not isinstance(value, int):
        raise ValueError(f"{spec.name} must be a whole number (got {value!r})")
    _check_bounds(spec, value)
    return value


def _coerce_float(spec: ParamSpec, value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{spec.name} must be a number, not {value!r}")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ValueError(f"{spec.name} must be a number (got {value!r})") from None
    if not isinstance(value, (int, float)):
        raise ValueError(f"{spec.name} must be a number (got {value!r})")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{spec.name} is too large (got {value!r})") from None
    if not math.isfinite(number):
        raise ValueError(f"{spec.name} must be a finite number (got {value!r})")
    _check_bounds(spec, number)
    return number


def _coerce_bool(spec: ParamSpec, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"{spec.name} must be true or false (got {value!r})")


def _coerce_choice(spec: ParamSpec, value: object) -> object:
    for choice in spec.choices:
        if value == choice and type(value) is type(choice):
            return choice
    if isinstance(value, str):
        for choice in spec.choices:
            if str(choice) == value.strip():
                return choice
    raise ValueError(f"{spec.name} must be {spec.describe_range()} (got {value!r})")


def _coerce_formula(spec: ParamSpec, value: object) -> str:
    from .formula import MAX_LENGTH, parse
    from .text import checked_text

    if not isinstance(value, str):
        raise ValueError(f"{spec.name} must be text (got {value!r})")
    checked_text(value, spec.name, MAX_LENGTH, multiline=True)  # no control characters
    parse(value)  # raises FormulaError (a ValueError) with the position
    return value.strip()


def _coerce_weights(spec: ParamSpec, value: object) -> tuple:
    """(row, column, value) triples, sorted, one per place: from the same as a list
    (a file, the API) or typed as "row,column=value; …" (rows and columns from 0)."""
    if isinstance(value, str):
        value = _weights_text(spec, value)
    if not isinstance(value, (list, tuple)) or len(value) > MAX_SET_WEIGHTS:
        raise ValueError(f"{spec.name} must be a list of at most {MAX_SET_WEIGHTS} "
                         "[row, column, value] entries")
    found: dict[tuple[int, int], float] = {}
    for entry in value:
        if not isinstance(entry, (list, tuple)) or len(entry) != 3:
            raise ValueError(f"{spec.name}: each entry is [row, column, value], not {entry!r}")
        place = tuple(_index(spec, n) for n in entry[:2])
        if place in found:
            raise ValueError(f"{spec.name}: row {place[0]}, column {place[1]} is set twice")
        found[place] = _coerce_float(spec, entry[2])  # type: ignore[index]
    return tuple((r, c, v) for (r, c), v in sorted(found.items()))


def _index(spec: ParamSpec, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_INDEX:
        raise ValueError(f"{spec.name}: a row or column is a whole number from 0 (got {value!r})")
    return value


def _weights_text(spec: ParamSpec, text: str) -> list:
    entries = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        place, _, number = part.partition("=")
        row, _, column = place.partition(",")
        try:
            entries.append([int(row), int(column), float(number)])
        except ValueError:
            raise ValueError(f"{spec.name}: write each weight as row,column=value "
                             f"(got {part!r})") from None
    return entries


def weights_text(value: tuple) -> str:
    """The text :func:`_coerce_weights` reads back: "0,1=0.5; 3,0=-1"."""
    return "; ".join(f"{r},{c}={v:g}" for r, c, v in value)


_COERCERS = {
    INT: _coerce_int,
    FLOAT: _coerce_float,
    BOOL: _coerce_bool,
    CHOICE: _coerce_choice,
    FORMULA: _coerce_formula,
    WEIGHTS: _coerce_weights,
}


def record_default(specs, name: str):
    """A record field's default, read from its ParamSpec: declared once."""
    return next(spec.default for spec in specs if spec.name == name)


def checked_record(record, specs) -> None:
    """Coerce each field of a frozen dataclass ``record`` through its ParamSpec."""
    for spec in specs:
        object.__setattr__(record, spec.name, spec.coerce(getattr(record, spec.name)))
