"""Diagnostics: what validation reports, with a stable code per kind."""

from __future__ import annotations

from dataclasses import dataclass

from .enums import StrEnum


class Severity(StrEnum):
    """How bad a problem is, worst first; each member equals its word ("error")."""

    ERROR = "error"
    WARNING = "warning"
    HINT = "hint"


# Short names: every check writes one of them on each diagnostic it makes.
ERROR, WARNING, HINT = Severity.ERROR, Severity.WARNING, Severity.HINT
_RANK = {severity: rank for rank, severity in enumerate(Severity)}


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity  # equal to "error" | "warning" | "hint"
    code: str  # stable id, e.g. "cycle", "shape-mismatch"
    message: str  # names the blocks and says how to fix it
    block_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # a severity given as its word (from a message between processes) becomes
        # the member; an unknown word is refused here, not shown later
        object.__setattr__(self, "severity", Severity(self.severity))

    def __str__(self) -> str:
        return f"{self.severity}: {self.message} [{self.code}]"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def sort_key(diagnostic: Diagnostic):
    return (_RANK.get(diagnostic.severity, 3), diagnostic.code)


class DiagramError(Exception):
    """Raised by compile and train on a diagram with errors."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error]
        lines = "\n".join(f"  - {d.message} [{d.code}]" for d in errors)
        super().__init__(f"the diagram has {len(errors)} error(s):\n{lines}")
