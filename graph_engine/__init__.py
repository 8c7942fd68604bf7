"""NetCanvas's engine: diagrams of neural networks, checked, compiled and trained.

The headless API (see docs and DESIGN): ``Diagram``, ``validate``, ``compile``,
``save``, ``load``, ``to_python``, ``train`` and ``datasets``. Importing this
package never imports Qt, and torch is imported only when first needed.
"""

from __future__ import annotations

from . import datasets
from .diagnostics import Diagnostic, DiagramError
from .diagram import Block, Diagram, Wire, WireError
from .fileio import DiagramFileError, load, save
from .registry import REGISTRY
from .settings import DatasetSpec, TrainingSettings
from .validation import validate

__all__ = [
    "REGISTRY", "Block", "DatasetSpec", "Diagnostic", "Diagram", "DiagramError",
    "DiagramFileError", "TrainingSettings", "Wire", "WireError", "compile", "datasets", "load",
    "save", "to_python", "train", "validate",
]


def compile(diagram: Diagram, seed: int | None = None):  # noqa: A001 - the contract's name
    """Compile ``diagram`` into a CompiledNet (``.model``, ``.loss_fn``)."""
    from .compiler import compile as compile_diagram

    return compile_diagram(diagram, seed)


def to_python(diagram: Diagram) -> str:
    """Standalone PyTorch source for ``diagram``."""
    from .codegen import to_python as export

    return export(diagram)


def train(diagram: Diagram, **settings):
    """Train ``diagram`` headless; see :func:`graph_engine.training.train`."""
    from .training import train as train_diagram

    return train_diagram(diagram, **settings)
