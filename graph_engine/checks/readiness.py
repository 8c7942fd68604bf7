"""What a valid diagram still lacks before it can train, and what the editor lists.

Validation (:mod:`validation`) says whether a diagram compiles; a diagram
with no data set compiles fine (``to_python`` writes it out), and so does one
without a loss (``ge.validate`` keeps "no-loss" a warning, so ``ge.compile``
takes it), but training has nothing to learn from or nothing to minimise.
Those problems stop training, so the editor lists them as errors, and they are
why Play refuses. An empty canvas is a start, not a mistake: it lists only a
hint. A network with no weights and no loss (the autograd example) is there to
be traced, and a hint says so.
"""

from __future__ import annotations

from dataclasses import replace

from ..blocks.registry import Role
from ..core.diagnostics import ERROR, HINT, Diagnostic, sort_key
from ..model.diagram import Diagram

NO_DATASET = Diagnostic(ERROR, "no-dataset", "No data set is chosen, so the network cannot "
                        "train: choose one in the Data tab.")
EMPTY = Diagnostic(HINT, "empty-diagram", "The canvas is empty: drag an Input, layers and a "
                   "loss from the Blocks palette, or open a lesson with File → Open Example.")
NOTHING_TO_TRAIN = Diagnostic(HINT, "nothing-to-train", "This network has no weights and no "
                              "loss, so there is nothing to train: step a sample through it "
                              "forward and back in the Backprop dock.")
STOPS_TRAINING = ("no-loss",)  # validation's warnings that also stop training


def dataset_problems(diagram: Diagram) -> list[Diagnostic]:
    """The problem of a diagram without a data set, if it has none."""
    return [NO_DATASET] if diagram.dataset is None else []


def training_problems(diagram: Diagram, diagnostics: list) -> list[Diagnostic]:
    """What stops ``diagram`` from training although it may compile, worst first:
    no data set, and the warnings among its ``diagnostics`` that stop training too,
    as errors; for an empty diagram or one with nothing to train, a hint."""
    if not diagram.blocks:
        return [EMPTY]
    stops = [replace(d, severity=ERROR) for d in diagnostics if d.code in STOPS_TRAINING]
    found = [*dataset_problems(diagram), *stops]
    if not found and not any(b.spec.role == Role.LOSS for b in diagram.blocks):
        found.append(NOTHING_TO_TRAIN)  # no loss and, validation found, no weights
    return found


def listed_problems(diagram: Diagram, diagnostics: list, problems: list) -> list[Diagnostic]:
    """What the editor lists: the diagram's ``diagnostics`` and its training
    ``problems`` (a warning that stops training said once, as the error it is
    there), errors first. An empty diagram lists only that it is empty."""
    if not diagram.blocks:
        return list(problems)
    said = {p.code for p in problems}
    return sorted([*(d for d in diagnostics if d.code not in said), *problems], key=sort_key)
