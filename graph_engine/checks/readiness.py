"""What a valid diagram still lacks before it can train.

Validation (:mod:`validation`) says whether a diagram compiles; a diagram
with no data set or no loss compiles fine (``to_python`` writes it out), but
training has nothing to learn from, or nothing to minimise. These problems
are listed beside the diagram's own, and they are why Play refuses.
"""

from __future__ import annotations

from ..core.diagnostics import WARNING, Diagnostic
from ..model.diagram import Diagram

NO_DATASET = Diagnostic(WARNING, "no-dataset", "No data set is chosen, so the network cannot "
                        "train: choose one in the Data tab.")
NO_LOSS = Diagnostic(WARNING, "no-loss", "The diagram has no loss, so there is nothing to "
                     "minimise: add a loss block (e.g. CrossEntropyLoss) and wire the output "
                     "into it.")


def training_problems(diagram: Diagram, said: list | tuple = ()) -> list[Diagnostic]:
    """What stops ``diagram`` from training although it may compile, leaving out
    what the diagnostics ``said`` already (validation warns of a missing loss)."""
    found = []
    if diagram.dataset is None:
        found.append(NO_DATASET)
    if diagram.blocks and not any(b.spec.is_loss for b in diagram.blocks):
        found.append(NO_LOSS)
    codes = {d.code for d in said}
    return [d for d in found if d.code not in codes]
