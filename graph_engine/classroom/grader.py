"""``ge.grade``: an exercise and students' files (or folders of them) become rows.

The exercise is read here, in the calling process, so an unreadable one is
refused before any worker starts; the files are graded by :mod:`.pool`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from ..core.files import same_file
from .exercise import Exercise, load
from .grading import FileResult
from .pool import DEFAULT_MEMORY, Pool

DIAGRAM_SUFFIX = ".json"


def find_files(paths: Iterable[str | os.PathLike], exclude: Iterable[str] = ()) -> list[str]:
    """Every file to grade: each path that is not a folder as it is given (a
    missing one too: it gets its row), and the ``.json`` files inside each folder,
    sorted, hidden ones skipped. ``exclude`` (the exercise itself) is left out."""
    excluded = [os.fspath(e) for e in exclude]
    found: list[str] = []
    for path in paths:
        path = os.fspath(path)
        found += _folder(path) if os.path.isdir(path) else [path]
    unique = list(dict.fromkeys(found))
    return [f for f in unique if not any(same_file(f, e) for e in excluded)]


def _folder(folder: str) -> list[str]:
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files += [os.path.join(root, n) for n in sorted(names)
                  if n.lower().endswith(DIAGRAM_SUFFIX) and not n.startswith(".")]
    return files


def grade_files(exercise_path: str | os.PathLike, paths: Iterable[str | os.PathLike],
                jobs: int = 1, timeout: float = 60.0, memory: int = DEFAULT_MEMORY,
                plot: bool = False, on_result: Callable[[FileResult], object] | None = None,
                ) -> tuple[Exercise, list[FileResult]]:
    """The exercise and one result per file (see :func:`find_files`), in order.
    DiagramFileError for an unreadable exercise; ValueError for bad limits."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if jobs < 1:
        raise ValueError(f"jobs must be 1 or more (got {jobs})")
    if not timeout > 0:
        raise ValueError(f"the timeout must be more than 0 seconds (got {timeout})")
    exercise = load(exercise_path)
    files = find_files(paths, exclude=[os.fspath(exercise_path)])
    pool = Pool(exercise, os.fspath(exercise_path), jobs, timeout, memory, plot)
    return exercise, pool.run(files, on_result)


def grade(exercise_path: str | os.PathLike, paths: Iterable[str | os.PathLike], jobs: int = 1,
          timeout: float = 60.0) -> list[dict]:
    """Grade each diagram file in ``paths`` (files or folders of them) against the
    exercise, each in isolation within ``timeout`` seconds: one dict per file,
    ``{"file", "score", "max_score", "seconds", "error", "checks"}``."""
    _, results = grade_files(exercise_path, paths, jobs, timeout)
    return [result.as_dict() for result in results]
