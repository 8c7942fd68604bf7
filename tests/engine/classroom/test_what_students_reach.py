"""What a student can reach: the grader follows a link only inside the folders it
was given, and an exercise carries its data with it.

An archive restores links, so a hand-in may hold a link to the teacher's
solution; its row says it was not graded. An exercise that reads a table file
stores it relative to itself (copied beside it when it lies elsewhere), so the
folder can be copied and handed out, and ``grade`` on the copy works.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from answers import linear_only, solved, write_exercise
from commands import run_cli

import graph_engine as ge
from graph_engine.classroom import exercise as ex
from graph_engine.classroom.authoring import Start, make_exercise, suggested_check
from graph_engine.classroom.grader import find_files
from graph_engine.data.spec import CsvSource


@pytest.fixture
def hand_in(tmp_path):
    """A class folder with an honest answer, links to the teacher's solution (a
    file and a folder) and a link to another answer inside the folder."""
    teacher = tmp_path / "teacher"
    teacher.mkdir()
    ge.save(solved(), teacher / "solution.json")
    exercise = write_exercise(teacher)
    folder = tmp_path / "class"
    (folder / "bob").mkdir(parents=True)
    ge.save(linear_only(), folder / "alice.json")
    (folder / "bob" / "answer.json").symlink_to(teacher / "solution.json")
    (folder / "carol").symlink_to(teacher)
    (folder / "dave.json").symlink_to(folder / "alice.json")
    return exercise, folder, teacher


def test_a_link_out_of_the_class_folder_is_not_graded(hand_in):
    exercise, folder, teacher = hand_in
    rows = {Path(r["file"]).relative_to(folder).as_posix(): r
            for r in ge.grade(exercise, [folder], timeout=60)}
    assert set(rows) == {"alice.json", "bob/answer.json", "carol", "dave.json"}
    for link in ("bob/answer.json", "carol"):
        assert rows[link]["score"] == 0, rows[link]
        assert rows[link]["error"].startswith("not graded: a link to " + str(teacher))
        assert rows[link]["checks"][0]["message"] == "not run: not graded"
    assert rows["alice.json"]["score"] == rows["dave.json"]["score"] == 1  # inside: graded


def test_a_file_path_given_is_held_to_its_own_folder(hand_in):
    """``grade EX class/*.json``: the shell lists the link itself."""
    exercise, folder, _ = hand_in
    (row,) = ge.grade(exercise, [folder / "bob" / "answer.json"], timeout=60)
    assert row["error"].startswith("not graded: a link to ")


def test_links_the_teacher_gives_are_followed(hand_in, tmp_path):
    _, folder, _ = hand_in
    (tmp_path / "today").symlink_to(folder)
    files = find_files([tmp_path / "today"])
    assert sorted(Path(f).name for f in files) == ["alice.json", "answer.json", "carol",
                                                   "dave.json"]


# ------------------------------------------------------------------ data beside

def write_table(path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    rows = ["a,b,y"] + [f"{p:.4f},{q:.4f},{int(c)}" for (p, q), c in zip(x, y, strict=True)]
    path.write_text("\n".join(rows) + "\n")


def table_exercise(table: Path, start: Start = Start.WHOLE) -> ex.Exercise:
    d = solved()
    d.dataset = ge.DatasetSpec("csv", csv=CsvSource(str(table), ("a", "b"), "y"))
    d.training = d.training.with_(epochs=2)
    checks = [replace(suggested_check("valid", d), given=True),
              replace(suggested_check("test-accuracy", d), min=0.0)]
    return make_exercise(d, "Table", "", [], checks, start)


def test_an_exercise_copies_a_table_from_elsewhere_beside_itself(tmp_path):
    write_table(tmp_path / "data.csv")
    (tmp_path / "handout").mkdir()
    copied = ex.save(table_exercise(tmp_path / "data.csv"), tmp_path / "handout" / "ex.json")
    assert copied == [str(tmp_path / "handout" / "data.csv")]
    assert (tmp_path / "handout" / "data.csv").read_bytes() == \
        (tmp_path / "data.csv").read_bytes()
    document = json.loads((tmp_path / "handout" / "ex.json").read_text())
    assert document["dataset"]["csv"]["path"] == "data.csv"
    assert document["start"]["dataset"]["csv"]["path"] == "data.csv"
    assert str(tmp_path) not in (tmp_path / "handout" / "ex.json").read_text()


def test_a_table_already_beside_the_exercise_is_written_relative_and_not_copied(tmp_path):
    (tmp_path / "data").mkdir()
    write_table(tmp_path / "data" / "t.csv")
    assert ex.save(table_exercise(tmp_path / "data" / "t.csv"), tmp_path / "ex.json") == []
    assert json.loads((tmp_path / "ex.json").read_text())["dataset"]["csv"]["path"] == \
        "data/t.csv"


def test_a_copy_never_overwrites_another_file_of_the_same_name(tmp_path):
    write_table(tmp_path / "data.csv")
    (tmp_path / "handout").mkdir()
    (tmp_path / "handout" / "data.csv").write_text("the teacher's other table\n")
    copied = ex.save(table_exercise(tmp_path / "data.csv"), tmp_path / "handout" / "ex.json")
    assert copied == [str(tmp_path / "handout" / "data-2.csv")]
    assert (tmp_path / "handout" / "data.csv").read_text() == "the teacher's other table\n"
    again = ex.save(table_exercise(tmp_path / "data.csv"), tmp_path / "handout" / "ex.json")
    assert again == copied  # the same bytes are there already: no third copy


def test_grade_works_on_a_copied_folder(tmp_path):
    """Relative data paths after moving the folder: the exercise reads the table
    beside it, trains on it and grades, wherever the folder now is."""
    write_table(tmp_path / "data.csv")
    (tmp_path / "handout").mkdir()
    ex.save(table_exercise(tmp_path / "data.csv", Start.EMPTY), tmp_path / "handout" / "ex.json")
    ge.save(solved(), tmp_path / "handout" / "answer.json")
    shutil.copytree(tmp_path / "handout", tmp_path / "elsewhere")
    shutil.rmtree(tmp_path / "handout")
    os.unlink(tmp_path / "data.csv")
    done = run_cli("grade", tmp_path / "elsewhere" / "ex.json",
                   tmp_path / "elsewhere" / "answer.json", "--jobs", "1", "--json")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)["results"]
    assert row["error"] is None and row["score"] == 2
    assert "after 2 epochs" in row["checks"][1]["message"]
