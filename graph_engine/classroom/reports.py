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
import re
from collections.abc import Sequence
from statistics import fmean, median

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


# Folders and file names a learning platform gives a class's download, with the
# student's name in the first group: Moodle ("Ada Lovelace_123_assignsubmission_file_",
# a folder, or its prefix on a file), Canvas ("lovelaceada_123_456_xor.json").
PLATFORM_FOLDERS = (re.compile(r"^(.+?)_\d+_assignsubmission_[a-z]+_?$"),)
PLATFORM_FILES = (re.compile(r"^(.+?)_\d+_assignsubmission_[a-z]+_.+$"),
                  re.compile(r"^([a-z]+)_(?:late_)?\d+_\d+_.+$"))


def student_name(path: str) -> str:
    """Who handed ``path`` in: the name in a learning platform's folder or file
    name (the nearest folder first), else the file's name without ``.json``."""
    parts = [p for p in re.split(r"[\\/]", file_name(path)) if p]
    if not parts:
        return ""
    for folder in reversed(parts[:-1]):
        found = _first_match(PLATFORM_FOLDERS, folder)
        if found:
            return found
    name = parts[-1]
    return _first_match(PLATFORM_FILES, name) or re.sub(r"\.json$", "", name, flags=re.I)


def _first_match(patterns, text: str) -> str:
    for pattern in patterns:
        match = pattern.match(text)
        if match:
            return match.group(1).strip()
    return ""


# ------------------------------------------------------------------ statistics

def statistics(exercise: Exercise, results: Sequence[FileResult],
               free: frozenset[str] = frozenset()) -> dict:
    """How the class did: per check, the files that passed it and those it earned
    points (a check the untouched start passes earns only alongside another);
    the distribution of the scores."""
    scores = sorted(r.score for r in results)
    checks = {}
    for check in exercise.checks:
        marks = [c for r in results for c in r.checks if c.id == check.id]
        checks[check.id] = {"kind": check.kind, "points": number(check.points),
                            "passed": sum(c.passed for c in marks),
                            "scored": sum(c.points > 0 for c in marks),
                            "start_passes": check.id in free}
    distribution = {"min": number(scores[0]), "median": number(median(scores)),
                    "max": number(scores[-1]), "mean": number(round(fmean(scores), 4))} \
        if scores else {"min": None, "median": None, "max": None, "mean": None}
    return {"files": len(results), "checks": checks, "scores": distribution,
            "flagged": sum(1 for r in results if r.all_flags())}


def json_document(exercise: Exercise, results: Sequence[FileResult],
                  free: frozenset[str] = frozenset()) -> dict:
    """``{"exercise": TITLE, "max_score": M, "results": [...], "statistics": {...}}``,
    as DESIGN.md states."""
    return {"exercise": exercise.title, "max_score": number(exercise.max_score),
            "results": [{**r.as_dict(), "file": file_name(r.file),
                         "student": student_name(r.file)} for r in results],
            "statistics": statistics(exercise, results, free)}


def json_text(exercise: Exercise, results: Sequence[FileResult],
              free: frozenset[str] = frozenset()) -> str:
    return printable_json(json_document(exercise, results, free))


# ------------------------------------------------------------------ CSV

def _cell(value: object) -> object:
    """A value a spreadsheet shows as it is: text on one line (line breaks, tabs and
    other controls as escapes), and a quote before text that looks like a formula."""
    if not isinstance(value, str):
        return value
    text = printable(value)
    return "'" + text if text.lstrip().startswith(FORMULA_START) else text


CSV_COLUMNS = ("file", "score", "max_score", "seconds", "error", "student", "flags")


def csv_text(exercise: Exercise, results: Sequence[FileResult],
             free: frozenset[str] = frozenset()) -> str:
    """One row per file: file, score, max_score, seconds, error, student (for a
    learning platform's import), flags (joined by "; "), then each check's earned
    points under its id."""
    ids = [check.id for check in exercise.checks]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_cell(h) for h in (*CSV_COLUMNS, *ids)])
    for result in results:
        earned = {c.id: number(c.points) for c in result.checks}
        writer.writerow([_cell(v) for v in (
            file_name(result.file), number(result.score), number(result.max_score),
            round(result.seconds, 3), result.error or "", student_name(result.file),
            "; ".join(result.all_flags()), *(earned.get(i, 0) for i in ids))])
    return out.getvalue()


# ------------------------------------------------------------------ text

def text_table(exercise: Exercise, results: Sequence[FileResult]) -> str:
    """The terminal's summary: score, file and (if any) the reason, one line each,
    and a line under it for each flag."""
    top = number(exercise.max_score)
    lines = []
    for r in results:
        reason = f"  ({printable(r.error)})" if r.error else ""
        lines.append(f"{number(r.score):>6} / {top}  {file_name(r.file)}{reason}")
        lines += [f"{'':>9}flag: {printable(flag)}" for flag in r.all_flags()]
    return "\n".join(lines)


# ------------------------------------------------------------------ HTML

STYLE = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:4px 8px;vertical-align:top}
th{background:#f4f4f4;position:sticky;top:0}.pass{color:#1a7f37}.fail{color:#c62828}
td.score{font-weight:bold;text-align:right}.error{color:#c62828;font-size:90%}
.flag{color:#8a5300;font-size:90%}.flag::before{content:"\\2691  "}
.mark{font-size:85%;min-width:7em;max-width:16em}.sign{font-size:130%;margin-right:.2em}
.free{color:#666}table.stats{margin-bottom:1.2em}"""


def html_text(exercise: Exercise, results: Sequence[FileResult],
              free: frozenset[str] = frozenset()) -> str:
    """A page a teacher opens in a browser: how the class did, then one row per
    file with its score, its flags, each check's mark and message, and the
    output thumbnail."""
    e = _escaped
    heads = "".join(f'<th title="{e(c.kind)}">{e(c.id)}<br><small>{number(c.points)} '
                    f'pt</small></th>' for c in exercise.checks)
    rows = "\n".join(_html_row(exercise, r) for r in results)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<title>{e(exercise.title)}: grades</title><style>{STYLE}</style></head><body>'
            f'<h1>{e(exercise.title)}</h1>{_html_statistics(exercise, results, free)}'
            f'<table><thead><tr><th>file</th><th>score</th>{heads}<th>output</th></tr>'
            f'</thead><tbody>\n{rows}\n</tbody></table></body></html>\n')


def _html_statistics(exercise: Exercise, results: Sequence[FileResult],
                     free: frozenset[str]) -> str:
    found = statistics(exercise, results, free)
    scores, files = found["scores"], found["files"]
    summary = (f'<p>{files} file{"s" * (files != 1)} of {number(exercise.max_score)} points: '
               f'lowest {scores["min"]}, median {scores["median"]}, highest {scores["max"]} '
               f'(mean {scores["mean"]}); {found["flagged"]} flagged.</p>') if files else \
        "<p>No files.</p>"
    alongside = "yes: it scores only alongside a check the start fails"
    rows = "".join(
        f'<tr><td>{_escaped(check_id)}</td><td>{_escaped(c["kind"])}</td><td>{c["points"]}'
        f'</td><td>{c["passed"]} of {files}</td><td>{c["scored"]}</td>'
        f'<td>{alongside if c["start_passes"] else ""}</td></tr>'
        for check_id, c in found["checks"].items())
    return (f'{summary}<table class="stats"><thead><tr><th>check</th><th>kind</th>'
            f'<th>points</th><th>passed</th><th>scored</th><th>the untouched start passes it'
            f'</th></tr></thead><tbody>{rows}</tbody></table>')


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
        marks.append(f'<td class="mark"><span class="sign {kind}">{sign}</span>'
                     f'{e(mark.message)}</td>')
    error = f'<div class="error">{e(result.error)}</div>' if result.error else ""
    flags = "".join(f'<div class="flag">{e(flag)}</div>' for flag in result.all_flags())
    return (f'<tr><td>{e(file_name(result.file))}{error}{flags}</td><td class="score">'
            f'{number(result.score)}/{number(result.max_score)}</td>{"".join(marks)}'
            f'<td>{svg(result.plot)}</td></tr>')
