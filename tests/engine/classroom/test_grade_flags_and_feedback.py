"""What the teacher gets back from ``grade``: flags on rows (another exercise, not
started from the exercise, copies, the untouched start), the class's statistics,
the ``student`` column a learning platform's download gives, and one feedback
file per student that hides nothing hidden and names no other student."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from answers import insert_hidden
from commands import run_cli

import graph_engine as ge
import resources
from graph_engine.classroom import exercise as ex
from graph_engine.classroom.feedback import feedback_stem, markdown
from graph_engine.classroom.grading import CheckResult, FileResult
from graph_engine.classroom.reports import student_name
from graph_engine.model import fileio

XOR = resources.EXERCISES / "xor-hidden-layer.json"
MOODLE = "Frank Li_12345_assignsubmission_file_"


def answer(units: int = 8) -> ge.Diagram:
    exercise = ex.load(XOR)
    diagram = exercise.student_diagram()
    insert_hidden(diagram, "xor-input", "linear1", units, "ReLU")
    return diagram


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    folder = root / "class"
    folder.mkdir()
    ge.save(answer(), folder / "alice.json")
    shutil.copy(folder / "alice.json", folder / "alice-copy.json")
    moved = answer()
    for block in moved.blocks:  # other places and names: the same network
        moved.rename(block.id, f"bob's {block.id}")
        moved.move(block.id, 40.0, 90.0)
    moved.add_note("my own work")
    ge.save(moved, folder / "bob.json")
    shutil.copy(resources.EXAMPLES / "xor.json", folder / "carol.json")
    other = answer(4)
    other.exercise = "Fix the Softmax before CrossEntropyLoss"
    ge.save(other, folder / "dave.json")
    ge.save(ex.load(XOR).student_diagram(), folder / "erin.json")
    (folder / MOODLE).mkdir()
    ge.save(answer(6), folder / MOODLE / "xor.json")
    done = run_cli("grade", XOR, folder, "--jobs", "2", "--json", "--csv", root / "book.csv",
                   "--html", root / "report.html", "--feedback", root / "feedback")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    rows = {Path(r["file"]).stem: r for r in document["results"]}
    return root, document, rows


def test_copies_are_flagged_with_the_other_files_names(graded):
    _, _, rows = graded
    assert rows["alice"]["flags"] == [
        f"identical to {Path(rows['alice-copy']['file'])}",
        f"the same network (positions, names and notes aside) as {rows['bob']['file']}"]
    assert any(f.startswith("identical to ") and f.endswith("alice.json")
               for f in rows["alice-copy"]["flags"])
    assert rows["bob"]["flags"] == ["the same network (positions, names and notes aside) as "
                                    f"{rows['alice-copy']['file']}, {rows['alice']['file']}"]
    assert rows["alice"]["score"] == rows["bob"]["score"] == 9  # a flag changes no score


def test_an_answer_to_another_exercise_names_both_titles(graded):
    (flag,) = graded[2]["dave"]["flags"]
    assert "\u201cFix the Softmax before CrossEntropyLoss\u201d" in flag
    assert "\u201cXOR with one hidden layer\u201d" in flag


def test_the_example_handed_in_is_not_started_from_the_exercise(graded):
    (flag,) = graded[2]["carol"]["flags"]
    assert flag.startswith("not started from the exercise: none of its locked blocks")


def test_the_untouched_start_scores_nothing_and_says_so(graded):
    erin = graded[2]["erin"]
    assert erin["score"] == 0 and erin["flags"] == ["the starting diagram, unchanged"]


def test_the_statistics_count_each_check_and_the_scores(graded):
    _, document, rows = graded
    stats = document["statistics"]
    assert stats["files"] == len(rows) == 7
    scores = sorted(r["score"] for r in rows.values())
    assert stats["scores"] == {"min": scores[0], "median": scores[3], "max": scores[-1],
                               "mean": pytest.approx(sum(scores) / 7, abs=1e-4)}
    for check_id, found in stats["checks"].items():
        marks = [c for r in rows.values() for c in r["checks"] if c["id"] == check_id]
        assert found["passed"] == sum(c["passed"] for c in marks)
        assert found["scored"] == sum(c["points"] > 0 for c in marks)
    assert stats["checks"]["valid"]["start_passes"]
    assert not stats["checks"]["accuracy"]["start_passes"]
    assert stats["flagged"] == 6  # all but the Moodle hand-in


def test_the_gradebook_has_a_student_column_and_the_flags(graded):
    root, _, _ = graded
    book = list(csv.DictReader(io.StringIO((root / "book.csv").read_text(encoding="utf-8"))))
    students = {row["student"] for row in book}
    assert students == {"alice", "alice-copy", "bob", "carol", "dave", "erin", "Frank Li"}
    flags = {row["student"]: row["flags"] for row in book}
    assert flags["erin"] == "the starting diagram, unchanged" and flags["Frank Li"] == ""


def test_the_report_shows_statistics_messages_and_flags(graded):
    root, _, _ = graded
    page = (root / "report.html").read_text(encoding="utf-8")
    assert page.index('<table class="stats">') < page.index("<th>file</th>")
    assert "the diagram has no errors</td>" in page  # the message in the row, not on hover
    assert '<div class="flag">the starting diagram, unchanged</div>' in page


def test_one_feedback_file_per_student(graded):
    root, _, _ = graded
    names = sorted(p.name for p in (root / "feedback").iterdir())
    assert names == ["Frank Li - xor.md", "alice-copy.md", "alice.md", "bob.md", "carol.md",
                     "dave.md", "erin.md"]
    alice = (root / "feedback" / "alice.md").read_text(encoding="utf-8")
    assert "**Score: 9 of 9 points**" in alice and "| ✓ | accuracy | 4 |" in alice
    assert "identical to 1 other file handed in" in alice  # no other student is named
    assert "alice-copy" not in alice and "bob" not in alice
    assert "data:image/svg+xml;base64," in alice  # the boundary thumbnail
    erin = (root / "feedback" / "erin.md").read_text(encoding="utf-8")
    assert "| ✗ | hidden\\-layer | 0 |" in erin and "Hint: put a Linear layer" in erin


def test_feedback_leaves_hidden_thresholds_out_and_escapes_file_text():
    result = FileResult("<b>x</b>|y.json", 3, [
        CheckResult("acc", False, 0, "test accuracy 61.0 % after 5 epochs"),
        CheckResult("v", True, 1, "[click](http://x) | *bold*")])
    text = markdown("Hidden *bar*", result)
    assert "0.95" not in text and "95" not in text
    assert "\\[click\\]\\(http://x\\) \\| \\*bold\\*" in text
    assert "\\<b\\>x\\</b\\>\\|y\\.json" in text and "Hidden \\*bar\\*" in text


@pytest.mark.parametrize(("path", "student"), [
    ("class/alice.json", "alice"),
    (f"download/{MOODLE}/answer.json", "Frank Li"),
    ("download/Frank Li_12345_assignsubmission_file_answer.json", "Frank Li"),
    ("canvas/lovelaceada_late_1234_5678_xor.json", "lovelaceada"),
])
def test_the_student_comes_from_a_platforms_folder_or_the_file(path, student):
    assert student_name(path) == student


def test_feedback_file_names_are_safe_on_every_system():
    assert feedback_stem("class/a:b?.json") == "a-b-"
    assert feedback_stem(f"x/{MOODLE}/con.json") == "Frank Li - con"


def test_a_feedback_folder_that_cannot_be_made_is_refused_before_grading(tmp_path):
    exercise = ex.load(XOR)
    ge.save(exercise.student_diagram(), tmp_path / "s.json")
    (tmp_path / "taken").write_text("a file, not a folder")
    done = run_cli("grade", XOR, tmp_path / "s.json", "--feedback", tmp_path / "taken")
    assert done.returncode == 2 and "--feedback" in done.stderr and done.stdout == ""


def test_the_start_network_of_an_empty_canvas_is_not_a_copy(tmp_path):
    """Two empty diagrams are alike by nature: untouched starts are not copies."""
    path = tmp_path / "e.json"
    path.write_text(json.dumps({
        "format": "netcanvas-exercise", "version": 1, "title": "T", "dataset": "xor",
        "training": {"epochs": 1}, "checks": [{"id": "v", "kind": "valid"}]}))
    for name in ("a", "b"):
        ge.save(ge.Diagram(), tmp_path / f"{name}.json")
    (first, second) = ge.grade(path, [tmp_path / "a.json", tmp_path / "b.json"])
    assert first["flags"] == second["flags"] == ["the starting diagram, unchanged"]
    assert fileio.loads(fileio.dumps(ge.Diagram())).blocks == []
