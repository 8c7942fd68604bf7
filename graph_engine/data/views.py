"""Which picture of the network's output a data set gets: decided here, once.

The output plot, the probes that compute what it draws, the per-unit maps
and the data preview all ask :func:`output_view` instead of looking at the
number of features themselves.
"""

from __future__ import annotations

from ..core.enums import StrEnum
from .dataset import DatasetInfo


class OutputView(StrEnum):
    BOUNDARY = "boundary"  # two inputs, classes: the decision regions over the plane
    HEATMAP = "heatmap"  # two inputs, a value: the prediction over the plane
    CURVE = "curve"  # one input, a value: the fitted curve through the points
    NONE = "none"  # no picture of the input space


def output_view(info: DatasetInfo) -> OutputView:
    if has_input_plane(info):
        return OutputView.BOUNDARY if info.is_classification else OutputView.HEATMAP
    if info.features == 1 and not info.is_classification:
        return OutputView.CURVE
    return OutputView.NONE


def has_input_plane(info: DatasetInfo) -> bool:
    """Two inputs: each unit's output (and the network's) is a map over a plane."""
    return info.features == 2
