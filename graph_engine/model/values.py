"""The checks every value passes on its way into a diagram.

:class:`~graph_engine.model.diagram.Diagram` calls them when a value is set
(API, editor commands) and the file reader calls the same ones, so whatever
a diagram can hold is exactly what a file may say: anything NetCanvas saves,
it reads back. Each returns the value as it is stored (a position rounded to
:data:`~graph_engine.core.limits.POSITION_DECIMALS`, a name stripped) or
raises ValueError saying what is wrong.
"""

from __future__ import annotations

import math
from numbers import Real

from ..core import limits
from ..core.text import checked_id, checked_text
from .settings import TrainingSettings


def block_id(value: object, what: str = "a block id") -> str:
    return checked_id(value, what, limits.MAX_ID)


def block_name(value: object, what: str = "a block's name", fallback: str | None = None) -> str:
    """A display name, without surrounding spaces. Empty: ``fallback`` if
    there is one (a file or API call that gave none), else ValueError."""
    if isinstance(value, str):
        value = value.strip()
    name = checked_text(value, what, limits.MAX_NAME)
    if name:
        return name
    if fallback is None:
        raise ValueError(f"{what} cannot be empty")
    return block_name(fallback, what)


def title(value: object) -> str:
    return checked_text(value, "the title", limits.MAX_TITLE)


def description(value: object) -> str:
    return checked_text(value, "the description", limits.MAX_DESCRIPTION, multiline=True)


def note_text(value: object, what: str = "a note's text") -> str:
    """A note's words: several lines allowed, at most MAX_NOTE characters."""
    return checked_text(value, what, limits.MAX_NOTE, multiline=True)


def exercise(value: object) -> str:
    """The title of the exercise a diagram answers ("" for none)."""
    return checked_text(value, "the exercise", limits.MAX_TITLE)


def training_settings(value: object) -> TrainingSettings:
    if not isinstance(value, TrainingSettings):
        raise ValueError("training settings must be a TrainingSettings")
    return value


def position(value: object, what: str = "a position") -> tuple[float, float]:
    """Two finite numbers, rounded as they are saved, each within ±MAX_POSITION."""
    try:  # any pair unpacks (a list, a tuple, an array); the rest raises, caught below
        x, y = value  # type: ignore[misc]
        return _coordinate(x), _coordinate(y)  # type: ignore[has-type]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be two numbers [x, y] within "
                         f"±{limits.MAX_POSITION:g} (got {_short(value)})") from None


def _coordinate(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError("not a number")
    try:
        number = round(float(value), limits.POSITION_DECIMALS)
    except OverflowError:  # an integer such as 10**400
        number = math.inf
    if not (math.isfinite(number) and abs(number) <= limits.MAX_POSITION):
        raise ValueError("out of range")
    return number + 0.0  # -0.0 is stored (and saved) as 0.0


def _short(value: object) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return f"a {type(value).__name__} too long to show"
    return text if len(text) <= 40 else text[:39] + "…"
