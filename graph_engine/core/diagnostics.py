"""Diagnostics: what validation reports, with a stable code per kind."""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, HINT = "error", "warning", "hint"
_RANK = {ERROR: 0, WARNING: 1, HINT: 2}


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error" | "warning" | "hint"
    code: str  # stable id, e.g. "cycle", "shape-mismatch"
    message: str  # names the blocks and says how to fix it
    block_ids: tuple[str, ...] = ()

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
