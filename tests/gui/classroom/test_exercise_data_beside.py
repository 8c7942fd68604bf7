"""Save as Exercise with a table file that lies elsewhere: the table is copied
beside the exercise and the teacher is told, so the folder can be handed out."""

from __future__ import annotations

import json

import numpy as np

from graph_engine.classroom import exercise as exercises
from graph_engine.data.spec import CsvSource, DatasetSpec
from gui import dialogs
from gui.classroom.authoring import ExerciseDialog


def test_the_teacher_is_told_the_table_was_copied_beside_the_exercise(window, tmp_path,
                                                                      monkeypatch):
    rng = np.random.default_rng(1)
    rows = [f"{a:.3f},{b:.3f},{int(a > b)}" for a, b in rng.normal(size=(40, 2))]
    (tmp_path / "table.csv").write_text("a,b,y\n" + "\n".join(rows) + "\n")
    (tmp_path / "handout").mkdir()
    diagram = window.document.diagram
    diagram.dataset = DatasetSpec("csv", csv=CsvSource(str(tmp_path / "table.csv"),
                                                       ("a", "b"), "y"))
    told = []

    def fill(dialog: ExerciseDialog) -> bool:
        dialog.title.setText("Table task")
        dialog.accept()
        return dialog.result_exercise is not None

    monkeypatch.setattr(dialogs, "run_dialog", fill)
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(tmp_path / "handout" / "t"))
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, text: told.append(text))
    window.exercises.save_action.trigger()
    assert len(told) == 1 and "a copy of it was saved beside the exercise as table.csv" \
        in told[0]
    saved = json.loads((tmp_path / "handout" / "t.json").read_text())
    assert saved["dataset"]["csv"]["path"] == "table.csv"
    assert exercises.load(tmp_path / "handout" / "t.json").dataset.csv.path == \
        str(tmp_path / "handout" / "table.csv")
