"""String-valued enumerations: a closed set of names that still reads as text.

A member equals its value (``Severity.ERROR == "error"``), hashes like it,
prints as it and goes into JSON as it, so the names the files, the command
line and the public API show stay plain words while the code spells each one
once. (``enum.StrEnum`` does the same from Python 3.11; NetCanvas runs on 3.10.)
"""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """An Enum whose members are their string values."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)
