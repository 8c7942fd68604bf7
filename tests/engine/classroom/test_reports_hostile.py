"""The teacher's files stay the teacher's: whatever a student's file is called,
every report is written, reads back as what it says, and runs nothing.

A gradebook cell never breaks its row (a line break even inside quotes starts
a new row in some spreadsheets) nor starts a formula; a name of bytes that are
not UTF-8 reaches the CSV, the HTML and the JSON, escaped; --csv and --html
that are one file through a link are refused before grading; the JSON stays
JSON whatever control characters a name holds. Reports are checked as a
spreadsheet, a browser and a JSON parser read them.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from answers import solved, write_exercise
from commands import run_cli
from hostile import CELL_FORMULA

import graph_engine as ge
from graph_engine.classroom import command, reports
from graph_engine.classroom import exercise as ex
from graph_engine.classroom.grading import CheckResult, FileResult

# Every character str.splitlines() breaks a line at: what a naive reader splits rows at
BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
NAMES = [f"{brk}=HYPERLINK(\"http://x\",\"y\").json" for brk in BREAKS] + [
    "\t=1+1.json", " =1+1.json", "\xa0=1+1.json", "\uff1d1+1.json", "+1.json", "@SUM(1).json",
    "-2+3.json", "a\x01b.json", "a\x7fb\x9f.json", "\u202eevil.json",
]


def exercise() -> ex.Exercise:
    return ex.loads(json.dumps({
        "format": "netcanvas-exercise", "version": 1, "title": "=cmd|' /C calc'!A0",
        "dataset": "xor", "training": {},
        "checks": [{"id": "valid", "kind": "valid"}, {"id": "-x", "kind": "valid"}]}))


def results(names: list[str]) -> list[FileResult]:
    return [FileResult(name, 2, [CheckResult("valid", True, 1, f"message\r\n={name}"),
                                 CheckResult("-x", False, 0, "@x")], error=f"\n={name}")
            for name in names]


def assert_spreadsheet_safe(text: str, rows: int) -> None:
    """Read as a spreadsheet would: no row split anywhere, no cell a formula."""
    assert len(text.splitlines()) == rows  # a line break of any kind, quoted or not
    read = list(csv.reader(io.StringIO(text)))
    assert len(read) == rows
    for row in read:
        for cell in row:
            assert not any(b in cell for b in BREAKS + "\t"), repr(cell)
            assert not cell.lstrip().startswith(CELL_FORMULA), repr(cell)


def test_no_gradebook_cell_breaks_its_row_or_starts_a_formula():
    text = reports.csv_text(exercise(), results(NAMES))
    assert_spreadsheet_safe(text, len(NAMES) + 1)


def test_a_gradebook_cell_keeps_its_text_visible():
    text = reports.csv_text(exercise(), results(["\r=1+1.json"]))
    (row,) = list(csv.reader(io.StringIO(text)))[1:]
    assert row[0] == "\\x0d=1+1.json" and row[4] == "\\x0a=\\x0d=1+1.json"
    assert reports.csv_text(exercise(), results(["plain name.json"])).splitlines()[1] \
        .startswith("plain name.json,1,2,")


def test_every_report_shows_a_name_that_is_not_utf8():
    name = os.fsdecode(b"student-\xff\xfe.json")
    document = json.loads(reports.json_text(exercise(), results([name])))
    assert document["results"][0]["file"] == "student-\\xff\\xfe.json"
    assert "student-\\xff\\xfe.json" in reports.csv_text(exercise(), results([name]))
    page = reports.html_text(exercise(), results([name]))
    page.encode("utf-8")  # a lone surrogate would raise here
    assert "student-\\xff\\xfe.json" in page
    assert "student-\\xff\\xfe.json" in reports.text_table(exercise(), results([name]))


def test_the_json_is_json_whatever_control_a_name_holds():
    names = ["a\x85b.json", "c\x7fd.json", "e\x9bf.json", "g\u2028h.json", "i\x1bj.json"]
    text = reports.json_text(exercise(), results(names))
    assert text.isascii() or all(c.isprintable() for c in text)
    assert [r["file"] for r in json.loads(text)["results"]] == names


def grade(tmp_path: Path, *args: str):
    write_exercise(tmp_path)
    return run_cli("grade", tmp_path / "exercise.json", *args)


def test_grade_writes_every_report_for_odd_names(tmp_path, monkeypatch):
    """A class folder with a name that is not UTF-8 and a C1 control: every
    report is written, and the JSON it prints parses."""
    folder = tmp_path / "class"
    folder.mkdir()
    names = [b"\xff\xfe-odd.json", "c1-\x85-del-\x7f.json".encode(), b"\r=1+1.json"]
    for name in names:
        ge.save(solved(), os.path.join(os.fsencode(folder), name))
    monkeypatch.chdir(tmp_path)
    done = grade(tmp_path, "class", "--jobs", "1", "--json", "--csv", "out.csv",
                 "--html", "out.html")
    assert done.returncode == 0, done.stderr
    files = [r["file"] for r in json.loads(done.stdout)["results"]]
    assert len(files) == 3
    assert os.path.join("class", "\\xff\\xfe-odd.json") in files
    assert os.path.join("class", "c1-\x85-del-\x7f.json") in files
    gradebook = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert_spreadsheet_safe(gradebook, 4)
    assert "\\xff\\xfe-odd.json" in (tmp_path / "out.html").read_text(encoding="utf-8")


def test_a_report_that_cannot_be_written_loses_no_other(tmp_path, monkeypatch):
    real = command.write_atomic

    def failing(path, data):
        if str(path).endswith(".html"):
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(command, "write_atomic", failing)
    ge.save(solved(), tmp_path / "s.json")
    done = grade(tmp_path, tmp_path / "s.json", "--jobs", "1", "--html", tmp_path / "r.html",
                 "--csv", tmp_path / "r.csv")
    assert done.returncode == 2 and "No space left on device" in done.stderr
    assert (tmp_path / "r.csv").read_text().startswith("file,score")
    assert done.stdout.strip().endswith("s.json")  # the table is printed all the same


@pytest.mark.parametrize("link", ["symlink", "hardlink", "folder"])
def test_csv_and_html_that_are_one_file_through_a_link_are_refused(tmp_path, link):
    ge.save(solved(), tmp_path / "s.json")
    gradebook, page = tmp_path / "out.csv", tmp_path / "page.html"
    if link == "symlink":  # the gradebook does not exist yet: the link dangles
        page.symlink_to(gradebook)
    elif link == "hardlink":
        gradebook.write_text("old")
        os.link(gradebook, page)
    else:
        (tmp_path / "here").symlink_to(tmp_path)
        page = tmp_path / "here" / "out.csv"
    done = grade(tmp_path, tmp_path / "s.json", "--csv", gradebook, "--html", page)
    assert done.returncode == 2 and "name the same file" in done.stderr, done.stderr
    assert done.stdout == ""  # refused before grading
