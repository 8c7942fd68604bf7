"""``grade --feedback DIR``: one Markdown file per student, to hand back.

Each file holds the score, every check with its mark, its message (a failed
check's hint included) and points, why grading stopped if it did, the row's
flags and the thumbnail of the network's output (an inline SVG image). A
hidden check's threshold is never in it (its message leaves it out), and a
flag about copies counts the other files instead of naming them: one
student's feedback names no other student. Every text from a file is escaped
for Markdown, so it shows as text. The folder is made and checked before
grading starts; each file is written atomically and never over an input.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.files import SameFileError, check_output, safe_file_name, write_atomic
from ..core.text import printable
from .grading import FileResult, number
from .reports import file_name, student_name
from .thumbnails import svg

if TYPE_CHECKING:
    from .grader import Grading

SUFFIX = ".md"
MAX_STEM = 120  # characters of a feedback file's name
MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


class FeedbackError(ValueError):
    """The feedback folder cannot be made or written."""


class Feedback:
    """Where the feedback files go, checked when made (before any grading)."""

    def __init__(self, folder: str, grading: Grading) -> None:
        self.folder, self.grading = folder, grading
        try:
            os.makedirs(folder, exist_ok=True)
        except (OSError, ValueError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            raise FeedbackError(f"--feedback {folder}: cannot make the folder: {reason}") \
                from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise FeedbackError(f"--feedback {folder}: the folder cannot be written")

    def write(self, results: Sequence[FileResult]) -> list[str]:
        """Write one file per row; the reasons for those that could not be written."""
        failed: list[str] = []
        taken: set[str] = set()
        for result in results:
            path = os.path.join(self.folder, _free_name(feedback_stem(result.file), taken))
            try:
                check_output(path, self.grading.inputs())
                write_atomic(path, markdown(self.grading.exercise.title, result)
                             .encode("utf-8", "backslashreplace"))
            except (OSError, SameFileError, ValueError) as error:
                reason = error.strerror if isinstance(error, OSError) and error.strerror \
                    else error
                failed.append(f"cannot write the feedback {path}: {reason}")
        return failed


def feedback_stem(path: str) -> str:
    """The feedback file's name for a student's file, without its suffix: the
    file's name, after the student's when a learning platform's folder gives it."""
    stem = re.sub(r"\.json$", "", os.path.basename(file_name(path)), flags=re.I)
    student = student_name(path)
    stem = stem if student in ("", stem) else f"{student} - {stem}"
    return safe_file_name(stem[:MAX_STEM], "feedback")


def _free_name(stem: str, taken: set[str]) -> str:
    """``stem.md``, or ``stem (2).md`` and so on when two students' files share a name."""
    name, index = stem + SUFFIX, 1
    while name.lower() in taken:
        index += 1
        name = f"{stem} ({index}){SUFFIX}"
    taken.add(name.lower())
    return name


def escaped(text: str) -> str:
    """Text from a file as Markdown shows it: one line, every mark-up character escaped."""
    return MARKDOWN.sub(r"\\\1", printable(str(text)))


def markdown(title: str, result: FileResult) -> str:
    """A student's feedback (see the module's text)."""
    lines = [f"# Feedback: {escaped(title)}", "",
             f"File: {escaped(file_name(result.file))}", "",
             f"**Score: {number(result.score)} of {number(result.max_score)} points**", ""]
    if result.error:
        lines += [f"Grading stopped early: {escaped(result.error)}", ""]
    lines += ["| | Check | Points | What grading found |", "|---|---|---|---|"]
    for check in result.checks:
        mark = "✓" if check.passed else "✗"
        lines.append(f"| {mark} | {escaped(check.id)} | {number(check.points)} | "
                     f"{escaped(check.message)} |")
    flags = result.all_flags(named=False)
    if flags:
        lines += ["", "## Flags", "", *(f"- {escaped(flag)}" for flag in flags)]
    picture = svg(result.plot)
    if picture:
        data = base64.b64encode(picture.encode("utf-8")).decode("ascii")
        lines += ["", "## Your network's output", "",
                  f"![The network's output over the inputs, with the test points]"
                  f"(data:image/svg+xml;base64,{data})"]
    return "\n".join(lines) + "\n"
