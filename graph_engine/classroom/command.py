"""``python main.py grade EXERCISE PATH... [--jobs N] [--timeout S] [--csv OUT.csv]
[--json] [--html OUT.html] [--memory MB]``: the grade command of :mod:`graph_engine.cli`.

Every output is checked before any work: it may not be the exercise, one of
the students' files or a data set they read, and its folder must be writable.
Exit status 0 when every file got a row; 2 for an unreadable exercise or bad
arguments (raised as :class:`GradeUsageError`, which the command line turns
into its one-line message); 130 on Ctrl-C. SIGTERM (a CI job cancelled) and
SIGHUP (its terminal closed) stop grading as Ctrl-C does, every worker with
it and no report written, and exit 128 + the signal's number (143, 129), as
a shell reports a command a signal stopped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator

from ..core.files import SameFileError, check_output, same_file, write_atomic
from ..data.catalogue import DATASETS
from .exercise import Exercise
from .exercise import load as load_exercise
from .grader import check_limits, find_files, given_folders, grade_rows
from .grading import FileResult
from .pool import DEFAULT_MEMORY, GradingError, Pool
from .reports import csv_text, html_text, json_text, text_table

EPILOG = ("Each file is graded in its own worker process, within --timeout seconds and "
          "--memory MB; a file that cannot be read, has errors, runs out of time or memory "
          "gets a row with its reason and the points it earned. Exit status: 0 when every "
          "file got a row; 2 an unreadable exercise or bad arguments; 130 interrupted "
          "(Ctrl-C); 143 stopped by SIGTERM, 129 by SIGHUP (no report is written).")
STOPPING = ("SIGTERM", "SIGHUP")  # handled as Ctrl-C is, where the system has them


class GradeUsageError(Exception):
    """Bad arguments, an unwritable output, or a grader that cannot start: exit status 2."""


class Terminated(Exception):
    """Grading stopped by a signal; ``status`` is the exit status (128 + its number)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}; no report was written")
        self.status = 128 + signum


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[None]:
    """While grading, SIGTERM and SIGHUP raise :class:`Terminated` in the main thread,
    so the pool ends its workers on the way out, as it does on Ctrl-C."""
    def stop(signum, _frame):
        raise Terminated(signum)

    kept = {}
    for name in STOPPING:
        number = getattr(signal, name, None)
        with contextlib.suppress(ValueError):  # not the main thread: nothing to handle
            if number is not None:
                kept[number] = signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in kept.items():
            signal.signal(number, handler)


def add_parser(sub) -> None:
    p = sub.add_parser("grade", help="grade students' diagrams against an exercise",
                       epilog=EPILOG)
    p.add_argument("exercise", metavar="EXERCISE")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="a student's diagram file, or a folder of them (*.json, recursively)")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="worker processes (default: the number of cores)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S",
                   help="seconds each file may take (default 60)")
    p.add_argument("--memory", type=int, default=DEFAULT_MEMORY >> 20, metavar="MB",
                   help=f"memory each file may use (default {DEFAULT_MEMORY >> 20})")
    p.add_argument("--csv", metavar="OUT.csv", help="write the gradebook as CSV")
    p.add_argument("--html", metavar="OUT.html", help="write a report to open in a browser")
    p.add_argument("--json", action="store_true",
                   help="print the results as one JSON object instead of a table")


def run(args, say: Callable[..., None]) -> int:
    jobs = (os.cpu_count() or 1) if args.jobs is None else args.jobs
    _check_limits(jobs, args.timeout, args.memory)
    exercise = load_exercise(args.exercise)  # DiagramFileError: exit status 2
    files = find_files(args.paths, exclude=[args.exercise])
    if not files:
        raise GradeUsageError("no diagram files to grade (a folder is searched for *.json)")
    outputs = [o for o in (args.csv, args.html) if o]
    _check_outputs(outputs, [args.exercise, *files, *_data_files(exercise)])
    progress = Progress(sys.stderr, len(files)) if sys.stderr.isatty() else None
    pool = Pool(exercise, args.exercise, jobs, args.timeout, args.memory << 20,
                plot=bool(args.html))
    try:
        with stopped_by_signals():
            results = grade_rows(pool, exercise, files, given_folders(args.paths),
                                 progress.update if progress else None)
    except GradingError as error:
        raise GradeUsageError(str(error)) from None
    finally:
        if progress is not None:
            progress.finish()
    failed = _write_outputs(args, exercise, results)
    say(json_text(exercise, results) if args.json else text_table(exercise, results))
    if failed:
        raise GradeUsageError("; ".join(failed))
    return 0


def _check_limits(jobs: int, timeout: float, memory: int) -> None:
    try:
        check_limits(jobs, timeout, memory, dash="--")
    except ValueError as error:
        raise GradeUsageError(str(error)) from None


def _data_files(exercise: Exercise) -> list[str]:
    spec = exercise.dataset
    return list(DATASETS[spec.name].files(spec))


def _check_outputs(outputs: list[str], inputs: list[str]) -> None:
    """Each output distinct from the others (also through a link) and from every
    input, and writable: all before grading starts."""
    for index, output in enumerate(outputs):
        if any(same_file(output, other) for other in outputs[:index]):
            raise GradeUsageError("--csv and --html name the same file (perhaps through a "
                                  "link): choose two names")
    for output in outputs:
        try:
            check_output(output, inputs)
        except SameFileError as error:
            raise GradeUsageError(str(error)) from None
        except (OSError, ValueError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            raise GradeUsageError(f"cannot write {output}: {reason}") from None


def _write_outputs(args, exercise: Exercise, results: list[FileResult]) -> list[str]:
    """Write each report on its own: one that fails loses no other. The reasons
    for the ones that could not be written."""
    failed = []
    for path, make in ((args.csv, csv_text), (args.html, html_text)):
        if not path:
            continue
        try:
            # a character with no UTF-8 form (none should be left) becomes an escape
            write_atomic(path, make(exercise, results).encode("utf-8", "backslashreplace"))
        except OSError as error:
            failed.append(f"cannot write {path}: {error.strerror or error}")
    return failed


class Progress:
    """A progress bar on a terminal (tqdm): files graded, their rate, time left."""

    def __init__(self, stream, total: int) -> None:
        from tqdm import tqdm

        columns = shutil.get_terminal_size((80, 24)).columns or 80
        self.bar = tqdm(total=total, file=stream, unit="file", ncols=columns, leave=True,
                        bar_format="{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} files "
                                   "[{elapsed}<{remaining}, {rate_fmt}]")

    def update(self, result: FileResult) -> None:
        self.bar.update(1)

    def finish(self) -> None:
        self.bar.close()
