"""Grading in worker processes: hostile files cost one row each, the rest grade
normally, the same files always get the same scores, and ``grade`` writes its
JSON, CSV and HTML as documented. These tests start real workers (the process
boundary is what they test); each run imports torch once per worker."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from answers import linear_only, solved, time_bomb, worker_failure, write_exercise
from commands import run_cli
from nets import in_a_row
from paths import ROOT

import graph_engine as ge
from graph_engine.classroom import exercise as ex
from graph_engine.classroom import pool
from graph_engine.classroom.grader import grade_files

TIMEOUT = 8.0


def memory_bomb(layers: int) -> ge.Diagram:
    """``layers`` of the widest Linear there is (4096 units): 64 MB of weights each."""
    wide = [("Linear", {"out_features": 4096}), ("ReLU", {})]
    return in_a_row(("Input", {"features": 2}), *wide * layers, ("Linear", {"out_features": 2}),
                 ("CrossEntropyLoss", {}))


def write_students(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    files = {}
    for name, diagram in (("a-solved", solved()), ("b-linear", linear_only()),
                          ("c-time-bomb", time_bomb()),
                          # passes validation (under 4 GB), not the grader's estimate
                          ("d-memory-bomb", memory_bomb(8)),
                          # refused by validation (over 4 GB) before anything is allocated
                          ("e-refused", memory_bomb(20)), ("g-solved-again", solved())):
        files[name] = folder / f"{name}.json"
        ge.save(diagram, files[name])
    files["f-not-json"] = folder / "f-not-json.json"
    files["f-not-json"].write_bytes(b"\x00\xff this is not JSON")
    return files


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    exercise = write_exercise(root)
    files = write_students(root / "students")
    (root / "students" / "h-empty.json").write_bytes(b"")
    _, results = grade_files(exercise, [root / "students"], jobs=2, timeout=TIMEOUT,
                             memory=600 << 20)
    return exercise, files, {Path(r.file).stem: r for r in results}, results


def test_every_file_gets_a_row_in_order(graded):
    _, files, _, results = graded
    assert [Path(r.file).stem for r in results] == sorted([*files, "h-empty"])


def test_good_files_grade_normally_beside_hostile_ones(graded):
    _, _, rows, _ = graded
    assert rows["a-solved"].score == 5 and rows["a-solved"].error is None
    assert rows["g-solved-again"].score == 5
    assert rows["b-linear"].score == 1 and rows["b-linear"].error is None


def test_a_time_bomb_costs_one_row_and_keeps_what_it_earned(graded):
    row = graded[2]["c-time-bomb"]
    assert row.error == f"timed out: grading took longer than {TIMEOUT:g} s"
    marks = {c.id: c for c in row.checks}
    assert marks["valid"].passed and marks["relu"].passed and row.score == 2
    assert marks["acc"].message == "not run: timed out"
    assert TIMEOUT <= row.seconds < TIMEOUT + 5


def test_a_memory_bomb_is_refused_from_the_estimate_before_anything_is_allocated(graded):
    row = graded[2]["d-memory-bomb"]
    assert row.error.startswith("out of memory: the network needs about "), row.error
    assert row.error.endswith("to train; grading allows 600 MB")
    assert row.score == 2 and row.checks[1].message.startswith("not run: out of memory")


def test_a_worker_caps_its_own_address_space():
    code = ("from graph_engine.classroom.pool import _limit_memory\n"
            "_limit_memory(64 << 20)\n"
            "try:\n    block = bytearray(512 << 20)\nexcept MemoryError:\n    print('refused')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.stdout.strip() == "refused", done.stderr


def test_a_worker_that_runs_out_of_memory_says_so_and_stops():
    def steps(*args, **options):
        raise MemoryError
        yield

    message = worker_failure(steps)
    assert message == {"type": "failed", "short": "out of memory",
                       "reason": "ran out of memory (the limit is 1 GB beyond the grader's own)"}


def test_one_grading_run_trains_every_file_on_one_path(tmp_path, monkeypatch):
    """The grader decides once, as the first file goes out, whether the whole-epoch
    kernel trains its files: a kernel whose compile ends mid-run (ready from then on)
    changes no later file's path, so no score depends on when it ended."""
    answers = iter([None, object(), object()])  # compiling at first, then ready
    monkeypatch.setattr(pool.loading, "settle", lambda timeout=None: next(answers))
    exercise = write_exercise(tmp_path)
    grader = pool.Pool(ex.load(exercise), str(exercise))
    assert [grader._kernel() for _ in range(3)] == [False, False, False]


def test_a_network_validation_refuses_as_too_large_never_runs(graded):
    row = graded[2]["e-refused"]
    assert row.error.startswith("the diagram has errors: This network needs about")
    assert row.score == 1  # it does use a ReLU


@pytest.mark.parametrize(("name", "reason"), [("f-not-json", "unreadable: not a text file"),
                                              ("h-empty", "unreadable: the file is empty")])
def test_unreadable_files_score_zero_with_the_reason(graded, name, reason):
    row = graded[2][name]
    assert row.score == 0 and row.error.startswith(reason)


def test_a_path_that_does_not_exist_is_the_teachers_mistake_not_a_row(tmp_path):
    exercise = write_exercise(tmp_path)
    ge.save(solved(), tmp_path / "s.json")
    with pytest.raises(ValueError, match=r"missing\.json: no such file or folder"):
        grade_files(exercise, [tmp_path / "s.json", tmp_path / "missing.json"])
    done = run_cli("grade", exercise, tmp_path / "s.json", tmp_path / "missing.json")
    assert done.returncode == 2 and done.stdout == ""
    assert "missing.json: no such file or folder" in done.stderr


def test_the_same_files_get_the_same_scores_with_other_workers(graded):
    exercise, files, rows, _ = graded
    again = ge.grade(exercise, [files["b-linear"], files["a-solved"]], jobs=1, timeout=60)
    for result in again:  # (the flags name the copies among the files graded together)
        before = rows[Path(result["file"]).stem].as_dict()
        assert {**result, "seconds": 0, "flags": []} == {**before, "seconds": 0, "flags": []}


# ------------------------------------------------------------------ the command line

def test_grade_writes_json_csv_and_html(tmp_path, monkeypatch):
    write_exercise(tmp_path)
    monkeypatch.chdir(tmp_path)
    hostile = "=HYPERLINK(1)<img src=x onerror=alert(1)>.json"
    ge.save(solved(), tmp_path / hostile)
    ge.save(linear_only(), tmp_path / "b.json")
    done = run_cli("grade", "exercise.json", hostile, "b.json", "--jobs", "2", "--json",
                   "--csv", "out.csv", "--html", "out.html")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert set(document) == {"exercise", "max_score", "results", "statistics"}
    assert document["exercise"] == "XOR <b>&</b> friends" and document["max_score"] == 5
    first = document["results"][0]
    assert set(first) == {"file", "student", "score", "max_score", "seconds", "error",
                          "checks", "flags"}
    assert set(first["checks"][0]) == {"id", "passed", "points", "message"}
    assert [r["score"] for r in document["results"]] == [5, 1]
    assert [r["flags"] for r in document["results"]] == [[], []]
    assert document["statistics"]["scores"] == {"min": 1, "median": 3, "max": 5, "mean": 3}
    assert document["statistics"]["checks"]["acc"]["passed"] == 1

    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text())))
    assert rows[0] == ["file", "score", "max_score", "seconds", "error", "student", "flags",
                       "valid", "acc", "relu"]
    assert rows[1][0] == "'" + hostile  # a spreadsheet shows it, never runs it
    assert rows[1][1:3] == ["5", "5"] and rows[1][7:] == ["1", "3", "1"]
    assert rows[2][0] == "b.json" and rows[2][5] == "b" and rows[2][7:] == ["1", "0", "0"]

    page = (tmp_path / "out.html").read_text()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "XOR &lt;b&gt;&amp;&lt;/b&gt; friends" in page
    assert page.count("<svg") == 2 and page.count("<tr>") == 3 + 4  # and the statistics


def test_grade_prints_a_table_without_json(tmp_path):
    exercise = write_exercise(tmp_path)
    (tmp_path / "broken.json").write_text("{")
    done = run_cli("grade", exercise, tmp_path / "broken.json", "--jobs", "1")
    assert done.returncode == 0
    assert done.stdout.strip().startswith("0 / 5  ")
    assert "(unreadable: not valid JSON" in done.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--jobs", "0"], "--jobs must be 1 or more"),
    (["--timeout", "0"], "--timeout must be more than 0 seconds"),
    (["--memory", "1"], "--memory must be at least 64 MB"),
    (["--csv", "{exercise}"], "writing it would destroy the input"),
    (["--html", "{student}"], "writing it would destroy the input"),
    (["--csv", "{folder}/no/such/out.csv"], "cannot write"),
    (["--csv", "{folder}/a.csv", "--html", "{folder}/a.csv"], "name the same file"),
])
def test_bad_arguments_exit_2_before_grading(tmp_path, args, message):
    exercise = write_exercise(tmp_path)
    student = tmp_path / "s.json"
    ge.save(solved(), student)
    args = [a.format(exercise=exercise, student=student, folder=tmp_path) for a in args]
    done = run_cli("grade", exercise, student, *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_an_unreadable_exercise_or_no_files_exit_2(tmp_path):
    (tmp_path / "exercise.json").write_text('{"format": "netcanvas-diagram"}')
    done = run_cli("grade", tmp_path / "exercise.json", tmp_path)
    assert done.returncode == 2 and "not a NetCanvas exercise" in done.stderr
    exercise = write_exercise(tmp_path)
    (tmp_path / "empty").mkdir()
    done = run_cli("grade", exercise, tmp_path / "empty")
    assert done.returncode == 2 and "no diagram files to grade" in done.stderr


def test_a_grading_failure_row_names_no_exception_type():
    def steps(*args, **options):
        raise ValueError("the layer's weights could not be read")
        yield

    message = worker_failure(steps)
    assert message["reason"] == "grading failed: the layer's weights could not be read"
