"""What grading writes: the JSON document, the CSV gradebook, the HTML report.

Every text in them may come from a student's file (its name, an error that
quotes it) or the exercise. A file's name is shown by :func:`file_name`: a
name of bytes that are not UTF-8 (any name a file system can hold) reaches
every report, its odd bytes as escapes. The HTML escapes every text; the CSV
writes each text cell on one line (a line break, even a quoted one, starts a
new row in some spreadsheets) and defuses the cells a spreadsheet would run as
a formula; the JSON is printable as it is. All three are built as text here
and written atomically by the caller.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence

from ..core.jsontext import printable_json
from ..core.text import path_text, printable
from .exercise import Exercise
from .grading import FileResult, number
from .thumbnails import svg

# What a spreadsheet reads as the start of a formula, ASCII and full-width;
# spaces before it do not stop every spreadsheet, so they are looked past.
FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def file_name(path: str) -> str:
    """A graded file's name as the reports show it (see the module's text)."""
    return path_text(path)


def json_document(exercise: Exercise, results: Sequence[FileResult]) -> dict:
    """``{"exercise": TITLE, "max_score": M, "results": [...]}``, as DESIGN.md states."""
    return {"exercise": exercise.title, "max_score": number(exercise.max_score),
            "results": [{**r.as_dict(), "file": file_name(r.file)} for r in results]}


def json_text(exercise: Exercise, results: Sequence[FileResult]) -> str:
    return printable_json(json_document(exercise, results))


# ------------------------------------------------------------------ CSV

def _cell(value: object) -> object:
    """A value a spreadsheet shows as it is: text on one line (line breaks, tabs and
    other controls as escapes), and a quote before text that looks like a formula."""
    if not isinstance(value, str):
        return value
    text = printable(value)
    return "'" + text if text.lstrip().startswith(FORMULA_START) else text


def csv_text(exercise: Exercise, results: Sequence[FileResult]) -> str:
    """One row per file: file, score, max_score, seconds, error, then each
    check's earned points under its id."""
    ids = [check.id for check in exercise.checks]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_cell(h) for h in ("file", "score", "max_score", "seconds", "error",
                                        *ids)])
    for result in results:
        earned = {c.id: number(c.points) for c in result.checks}
        writer.writerow([_cell(v) for v in (
            file_name(result.file), number(result.score), number(result.max_score),
            round(result.seconds, 3), result.error or "", *(earned.get(i, 0) for i in ids))])
    return out.getvalue()


# ------------------------------------------------------------------ text

def text_table(exercise: Exercise, results: Sequence[FileResult]) -> str:
    """The terminal's summary: score, file and (if any) the reason, one line each."""
    top = number(exercise.max_score)
    lines = []
    for r in results:
        reason = f"  ({printable(r.error)})" if r.error else ""
        lines.append(f"{number(r.score):>6} / {top}  {file_name(r.file)}{reason}")
    return "\n".join(lines)


# ------------------------------------------------------------------ HTML

STYLE = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:4px 8px;vertical-align:top}
th{background:#f4f4f4;position:sticky;top:0}.pass{color:#1a7f37}.fail{color:#c62828}
td.score{font-weight:bold;text-align:right}.error{color:#c62828;font-size:90%}
.mark{text-align:center;font-size:120%}"""


def html_text(exercise: Exercise, results: Sequence[FileResult]) -> str:
    """A page a teacher opens in a browser: one row per file with its score,
    each check's mark (its message on hover) and the output thumbnail."""
    e = _escaped
    heads = "".join(f'<th title="{e(c.kind)}">{e(c.id)}<br><small>{number(c.points)} '
                    f'pt</small></th>' for c in exercise.checks)
    rows = "\n".join(_html_row(exercise, r) for r in results)
    mean = sum(r.score for r in results) / len(results) if results else 0.0
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<title>{e(exercise.title)}: grades</title><style>{STYLE}</style></head><body>'
            f'<h1>{e(exercise.title)}</h1><p>{len(results)} file'
            f'{"s" * (len(results) != 1)}, mean score {number(round(mean, 2))} of '
            f'{number(exercise.max_score)}.</p>'
            f'<table><thead><tr><th>file</th><th>score</th>{heads}<th>output</th></tr>'
            f'</thead><tbody>\n{rows}\n</tbody></table></body></html>\n')


def _escaped(text: str) -> str:
    """Text for the page: escaped, and controls a browser would drop shown as escapes."""
    return html.escape(printable(text))


def _html_row(exercise: Exercise, result: FileResult) -> str:
    e = _escaped
    found = {c.id: c for c in result.checks}
    marks = []
    for check in exercise.checks:
        mark = found.get(check.id)
        if mark is None:
            marks.append("<td></td>")
            continue
        sign, kind = ("✓", "pass") if mark.passed else ("✗", "fail")
        marks.append(f'<td class="mark {kind}" title="{e(mark.message)}">{sign}</td>')
    error = f'<div class="error">{e(result.error)}</div>' if result.error else ""
    return (f'<tr><td>{e(file_name(result.file))}{error}</td><td class="score">'
            f'{number(result.score)}/{number(result.max_score)}</td>{"".join(marks)}'
            f'<td>{svg(result.plot)}</td></tr>')
