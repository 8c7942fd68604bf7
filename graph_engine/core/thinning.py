"""Which epochs of a run keep the teaching numbers (gradient and weight norms,
confusion counts), decided once for the training process and the editor.

A short run keeps every epoch; a long one is thinned evenly: at most
:data:`MAX_TAUGHT` epochs keep them, the stride between two doubling as the run
grows. So a 50-epoch run shows all 50 epochs on any machine, and a run of a
million epochs still keeps a few hundred, spread over all of it.
"""

from __future__ import annotations

MAX_TAUGHT = 500


def stride(last_epoch: int) -> int:
    """Epochs between two taught epochs once ``last_epoch`` epochs are trained: the
    smallest power of two that leaves at most MAX_TAUGHT of them."""
    step = 1
    while last_epoch > step * MAX_TAUGHT:
        step *= 2
    return step


def taught(epoch: int, last_epoch: int | None = None) -> bool:
    """Whether ``epoch`` keeps its teaching numbers once ``last_epoch`` (by default the
    epoch itself: the training process deciding as it goes) are trained."""
    return epoch % stride(epoch if last_epoch is None else last_epoch) == 0
