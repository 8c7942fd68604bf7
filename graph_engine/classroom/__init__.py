"""Exercises and grading: a task file the teacher hands out, and the grader
that scores the diagrams students hand back (docs/exercise-format.md).

:mod:`.exercise` reads and writes exercise files, :mod:`.checks` states what
each check kind measures, :mod:`.grading` grades one diagram in this process,
:mod:`.pool` grades many in worker processes with time and memory limits,
:mod:`.reports` writes the CSV gradebook and the HTML report, and
:mod:`.command` is ``python main.py grade``.
"""
