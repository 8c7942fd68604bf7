"""``ge.grade``: an exercise and students' files (or folders of them) become rows.

The exercise is read here, in the calling process, so an unreadable one is
refused before any worker starts; the files are graded by :mod:`.pool`.

What a student hands in may hold links (an archive restores them). A link is
followed only while it stays inside the folders given (each folder PATH, and
the folder of each file PATH): a link that leads out of them, to the teacher's
solution or anything else, is not graded, and its row says so. Links the
teacher gives on the command line are the teacher's own and are followed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..core.files import same_file
from ..core.text import path_text
from ..data.catalogue import DATASETS
from .exercise import Exercise, load
from .flags import find_copies
from .grading import FileResult, completed, start_network
from .pool import DEFAULT_MEMORY, Pool
from .reports import file_name

DIAGRAM_SUFFIX = ".json"
# The limits a run of the grader may be given, each bounded (a timeout of inf or 1e308
# would overflow the wait for a worker): processes, seconds a file, MB a file.
MAX_JOBS = 256
MAX_TIMEOUT = 86_400.0  # a day
MIN_MEMORY_MB, MAX_MEMORY_MB = 64, 1 << 20  # 1 TB


def check_limits(jobs: int, timeout: float, memory_mb: int, dash: str = "") -> None:
    """ValueError naming the first limit out of its range (``dash``: "--" to name
    them as the command line's options)."""
    if not 1 <= jobs <= MAX_JOBS:
        raise ValueError(f"{dash}jobs must be 1 or more, and at most {MAX_JOBS} (got {jobs})")
    if not 0 < timeout <= MAX_TIMEOUT:  # NaN fails both
        raise ValueError(f"{dash}timeout must be more than 0 seconds, and at most "
                         f"{MAX_TIMEOUT:,.0f} (a day) (got {timeout:g})")
    if not MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB:
        raise ValueError(f"{dash}memory must be at least {MIN_MEMORY_MB} MB, and at most "
                         f"{MAX_MEMORY_MB:,} MB (got {memory_mb})")


def find_files(paths: Iterable[str | os.PathLike], exclude: Iterable[str] = ()) -> list[str]:
    """Every file to grade: each path that is not a folder as it is given, and the
    ``.json`` files inside each folder, sorted, hidden ones skipped, with the links
    to folders outside the folders given (rows that say so). ``exclude`` (the
    exercise itself) is left out. A path that does not exist is a ValueError
    naming it: a typo is the teacher's, not a student's row."""
    given = [os.fspath(p) for p in paths]
    excluded = [os.fspath(e) for e in exclude]
    for path in given:
        if not os.path.lexists(path):
            raise ValueError(f"{path_text(path)}: no such file or folder")
    roots = given_folders(given)
    found: list[str] = []
    for path in given:
        found += _folder(path, roots) if os.path.isdir(path) else [path]
    unique = list(dict.fromkeys(found))
    return [f for f in unique if not any(same_file(f, e) for e in excluded)]


def _folder(folder: str, roots: list[str]) -> list[str]:
    files = []
    for root, dirs, names in os.walk(folder):  # links to folders are not walked into
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files += [os.path.join(root, d) for d in dirs
                  if os.path.islink(os.path.join(root, d)) and
                  leaving(os.path.join(root, d), roots)]
        files += [os.path.join(root, n) for n in sorted(names)
                  if n.lower().endswith(DIAGRAM_SUFFIX) and not n.startswith(".")]
    return files


def given_folders(paths: Iterable[str]) -> list[str]:
    """The folders a link may lead into: each folder given and the folder of each
    file given, as they really are (the teacher's own links resolved)."""
    return [os.path.realpath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)))
            for p in paths]


def leaving(path: str, roots: Sequence[str]) -> str:
    """Why ``path`` is not graded (a link that leads out of ``roots``), or ""."""
    real = os.path.realpath(path)
    if any(_inside(real, root) for root in roots):
        return ""
    return (f"not graded: a link to {path_text(real)}, outside the folders given to the "
            "grader (a link is followed only inside them)")


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # another drive (Windows)
        return False


def grade_rows(pool: Pool, exercise: Exercise, files: Sequence[str], roots: Sequence[str],
               on_result: Callable[[FileResult], object] | None = None) -> list[FileResult]:
    """One row per file of ``files``, in order: the pool grades each, except a link
    leading out of ``roots``, whose row says why it was not graded."""
    refused = {f: why for f in files if (why := leaving(f, roots))}
    graded = iter(pool.run([f for f in files if f not in refused], on_result))
    rows = []
    for file in files:
        if file not in refused:
            rows.append(next(graded))
            continue
        rows.append(completed(exercise, None, file, refused[file], "not graded"))
        if on_result is not None:
            on_result(rows[-1])
    return rows


@dataclass
class Grading:
    """One run of the grader, set up: the exercise, the files and where links may lead."""

    exercise: Exercise
    exercise_path: str
    files: list[str]
    roots: list[str]
    free: frozenset[str] = frozenset()  # the checks the untouched start passes, once known

    def inputs(self) -> list[str]:
        """What no output may replace: the exercise, the students' files, its table."""
        spec = self.exercise.dataset
        return [self.exercise_path, *self.files, *DATASETS[spec.name].files(spec)]

    def grade(self, jobs: int, timeout: float, memory: int, plot: bool = False,
              on_result: Callable[[FileResult], object] | None = None) -> list[FileResult]:
        """One row per file, in order, with its flags (copies among the files too)."""
        pool = Pool(self.exercise, self.exercise_path, jobs, timeout, memory, plot)
        rows = grade_rows(pool, self.exercise, self.files, self.roots, on_result)
        self.free = pool.free or frozenset()
        find_copies(rows, start_network(self.exercise), file_name)
        return rows


def prepare(exercise_path: str | os.PathLike, paths: Iterable[str | os.PathLike], jobs: int,
            timeout: float, memory_mb: int, dash: str = "") -> Grading:
    """Check the limits, read the exercise and find the files, before any work:
    ValueError for limits out of range, a missing path or no file at all
    (``dash``: "--" names the limits as options), DiagramFileError for an
    unreadable exercise."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    check_limits(jobs, timeout, memory_mb, dash)
    given = [os.fspath(p) for p in paths]
    files = find_files(given, exclude=[os.fspath(exercise_path)])
    exercise = load(exercise_path)
    if not files:
        raise ValueError("no diagram files to grade (a folder is searched for *.json)")
    return Grading(exercise, os.fspath(exercise_path), files, given_folders(given))


def grade_files(exercise_path: str | os.PathLike, paths: Iterable[str | os.PathLike],
                jobs: int = 1, timeout: float = 60.0, memory: int = DEFAULT_MEMORY,
                plot: bool = False, on_result: Callable[[FileResult], object] | None = None,
                ) -> tuple[Exercise, list[FileResult]]:
    """The exercise and one result per file (see :func:`find_files`), in order.
    DiagramFileError for an unreadable exercise; ValueError for limits out of
    their ranges (:func:`check_limits`; ``memory`` in bytes) or a missing path."""
    grading = prepare(exercise_path, paths, jobs, timeout, memory >> 20)
    return grading.exercise, grading.grade(jobs, timeout, memory, plot, on_result)


def grade(exercise_path: str | os.PathLike, paths: Iterable[str | os.PathLike], jobs: int = 1,
          timeout: float = 60.0) -> list[dict]:
    """Grade each diagram file in ``paths`` (files or folders of them) against the
    exercise, each in isolation within ``timeout`` seconds: one dict per file,
    ``{"file", "score", "max_score", "seconds", "error", "checks"}``."""
    _, results = grade_files(exercise_path, paths, jobs, timeout)
    return [result.as_dict() for result in results]
