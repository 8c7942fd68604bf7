"""NetCanvas's engine: diagrams of neural networks, checked, compiled and trained.

The headless API: ``Diagram``, ``validate``, ``compile``, ``save``, ``load``,
``to_python``, ``train``, ``trace`` and ``datasets`` (docs/guide.md, "The command line" and
"Grading a folder of diagrams", shows it at work). Diagram files are described
in docs/file-format.md, the block types in docs/blocks.md. Importing this
package never imports Qt, and torch is imported only when first needed.
"""

from __future__ import annotations

from .blocks.registry import REGISTRY
from .checks.validation import validate
from .core.diagnostics import Diagnostic, DiagramError
from .data import datasets
from .data.spec import DatasetSpec
from .model.diagram import Block, Diagram, Wire, WireError
from .model.fileio import DiagramFileError, load, save
from .model.settings import TrainingSettings

__all__ = [
    "REGISTRY", "Block", "DatasetSpec", "Diagnostic", "Diagram", "DiagramError",
    "DiagramFileError", "TrainingSettings", "Wire", "WireError", "compile", "datasets", "grade",
    "load", "save", "to_python", "trace", "train", "validate",
]


def compile(diagram: Diagram, seed: int | None = None, **checked):  # noqa: A001 - the contract's name
    """Compile ``diagram`` into a CompiledNet (``.model``, ``.loss_fn``); pass
    ``analysis=`` and ``problems=`` when they are at hand, to skip validating again."""
    from .build.compiler import compile as compile_diagram

    return compile_diagram(diagram, seed, **checked)


def to_python(diagram: Diagram, **checked) -> str:
    """Standalone PyTorch source for ``diagram`` (``analysis=``, ``problems=`` as compile)."""
    from .build.codegen import to_python as export

    return export(diagram, **checked)


def train(diagram: Diagram, **settings):
    """Train ``diagram`` headless; see :func:`graph_engine.training.trainer.train`."""
    from .training.trainer import train as train_diagram

    return train_diagram(diagram, **settings)


def trace(diagram: Diagram, x, y=None, weights=None, **options):
    """One sample's values forward and gradients backward, block by block; see
    :func:`graph_engine.training.trace.trace` (docs/guide.md, "Follow one sample
    through backprop")."""
    from .training.trace import trace as trace_sample

    return trace_sample(diagram, x, y, weights, **options)


def grade(exercise_path, paths, jobs: int = 1, timeout: float = 60) -> list[dict]:
    """Grade diagram files (or folders of them) against an exercise file, each in
    its own worker process; see :func:`graph_engine.classroom.grader.grade`."""
    from .classroom.grader import grade as grade_files

    return grade_files(exercise_path, paths, jobs, timeout)
