"""How often the training process draws a frame at a set pace.

Frames are decoupled from epochs: at a set pace the process steps the optimizer
on a clock of its own and sends a frame (the rows of the epochs that ended, a
point of the curves between epochs, the probes the views draw) after every
``k`` optimizer steps, ``k`` as small as keeps the frames at or above
:data:`FRAME_RATE` a second. Slower than that, every step is a frame.
"""

from __future__ import annotations

import math

FRAME_RATE = 25.0  # frames a second the views aim at when the pace allows (>= 20 promised)


def frame_steps(steps_per_second: float) -> int:
    """Optimizer steps per frame at ``steps_per_second``: 1 up to FRAME_RATE steps a
    second, then the most steps that still leave FRAME_RATE frames a second (so the
    frames fall between FRAME_RATE and twice it)."""
    if not math.isfinite(steps_per_second) or steps_per_second <= FRAME_RATE:
        return 1
    return max(1, math.floor(steps_per_second / FRAME_RATE))


def frames_per_second(steps_per_second: float) -> float:
    """The frames a second a pace of ``steps_per_second`` gets."""
    return steps_per_second / frame_steps(steps_per_second)
