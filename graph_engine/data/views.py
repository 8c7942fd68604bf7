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
    IMAGES = "images"  # square images, classes: test samples with their predicted labels
    PROJECTION = "projection"  # more inputs, classes: test points on two principal axes
    PREDICTED = "predicted"  # more inputs, a value: predicted against true, and the diagonal
    NONE = "none"  # no picture of the input space


MIN_IMAGE_SIDE = 4  # 16 features or more that make a square are taken as an image


def output_view(info: DatasetInfo) -> OutputView:
    if has_input_plane(info):
        return OutputView.BOUNDARY if info.is_classification else OutputView.HEATMAP
    if info.features == 1 and not info.is_classification:
        return OutputView.CURVE
    if info.is_classification and image_side(info.features):
        return OutputView.IMAGES
    if info.features >= 3:
        return OutputView.PROJECTION if info.is_classification else OutputView.PREDICTED
    return OutputView.NONE


def image_side(features: int) -> int:
    """The side of the square image ``features`` pixels make, or 0 if they do not."""
    side = round(features ** 0.5)
    return side if side * side == features and side >= MIN_IMAGE_SIDE else 0


def has_input_plane(info: DatasetInfo) -> bool:
    """Two inputs: each unit's output (and the network's) is a map over a plane."""
    return info.features == 2
