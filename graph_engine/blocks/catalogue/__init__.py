"""The block catalogue: importing this package registers every block type."""

from . import activations, data, layers, losses, merge_output  # noqa: F401
