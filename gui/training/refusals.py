"""Why training is refused or stopped: one :class:`Refusal` per reason, and
:func:`refusal`, which decides it for a diagram from its diagnostics and its
training problems. The controller refuses with it; the replies of the training
process stop a run with it; the views say it."""

from __future__ import annotations

from enum import Enum

from graph_engine.core.diagnostics import Diagnostic


class Refusal(Enum):
    """Why play (or an export) was refused, or why training stopped."""

    ERRORS = "errors"  # the diagram has errors: the Problems panel lists them
    NO_DATASET = "no-dataset"
    NO_LOSS = "no-loss"
    EMPTY = "empty-diagram"  # nothing drawn yet
    NOTHING_TO_TRAIN = "nothing-to-train"  # no weights and no loss: a network to trace
    EDITED = "edited"  # the network changed while it trained
    CRASHED = "crashed"  # the training process ended unasked


def refusal(diagnostics: list[Diagnostic],
            problems: list[Diagnostic]) -> tuple[Refusal, str] | None:
    """Why a diagram with these ``diagnostics`` and training ``problems`` cannot
    train, or None when it can."""
    if problems and problems[0].code == Refusal.EMPTY.value:  # no errors to fix: say so
        return Refusal.EMPTY, problems[0].message
    if any(d.is_error for d in diagnostics):
        return Refusal.ERRORS, ("The diagram has errors, so it cannot train: fix the problems "
                                "listed in the Problems panel first.")
    if not problems:
        return None
    codes = {r.value: r for r in Refusal}  # the refusals named as the problems' codes
    return codes.get(problems[0].code, Refusal.ERRORS), problems[0].message
