"""The files a diagram was read from: its own file and those its data set reads.

Every writer checks its output against these first (see
:func:`graph_engine.core.files.check_output`), so no export, weights file or
screenshot can destroy the diagram or its data.
"""

from __future__ import annotations

import os

from ..data.catalogue import DATASETS
from .diagram import Diagram


def input_files(diagram: Diagram, path: str | os.PathLike | None = None) -> list[str]:
    """``path`` (the diagram's file, if it has one) and the files its data set reads."""
    files = [os.fspath(path)] if path else []
    spec = diagram.dataset
    if spec is not None:
        files += DATASETS[spec.name].files(spec)
    return files
