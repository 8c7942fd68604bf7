"""What a valid diagram still lacks before it can train.

Validation (:mod:`validation`) says whether a diagram compiles; a diagram
with no data set compiles fine (``to_python`` writes it out), but training
has nothing to learn from. That problem is listed beside the diagram's own,
and together with validation's warnings that also stop training (no loss)
it is why Play refuses.
"""

from __future__ import annotations

from ..core.diagnostics import WARNING, Diagnostic
from ..model.diagram import Diagram

NO_DATASET = Diagnostic(WARNING, "no-dataset", "No data set is chosen, so the network cannot "
                        "train: choose one in the Data tab.")
STOPS_TRAINING = ("no-loss",)  # validation's warnings that also stop training


def dataset_problems(diagram: Diagram) -> list[Diagnostic]:
    """The problem of a diagram without a data set, if it has none."""
    return [NO_DATASET] if diagram.dataset is None else []


def training_problems(diagram: Diagram, diagnostics: list) -> list[Diagnostic]:
    """What stops ``diagram`` from training although it may compile: no data set,
    and the warnings among its ``diagnostics`` that stop training too."""
    return [*dataset_problems(diagram), *(d for d in diagnostics if d.code in STOPS_TRAINING)]
