"""Details a user of a Qt desktop app expects: lesson order, honest shortcut
lists, names and folders in dialogs, controls that do not jump."""

from __future__ import annotations

import os
from pathlib import Path

from paths import ROOT

import graph_engine as ge
from gui import dialogs
from gui.editor.help import shortcut_rows
from gui.panels.data_panel import change_text
from gui.training.toolbar import TrainingToolbar

SAVE_PATH = dialogs.save_path  # taken before the tests' fixture replaces it


def test_open_example_lists_the_lessons_in_order(window):
    names = [a.data() and Path(a.data()).stem for a in window.examples_menu.actions()]
    assert names[:2] == ["perceptron", "two-layer-net"]
    assert names.index("xor-no-hidden") < names.index("xor") < names.index("spiral")
    assert names.index("deep-sigmoid") < names.index("deep-relu")
    assert sorted(names) == sorted(p.stem for p in (ROOT / "resources" / "examples")
                                   .glob("*.json"))


def test_the_shortcut_list_has_only_real_keys_and_ctrl_y_redoes(window):
    rows = dict(shortcut_rows(window))
    keys = ", ".join(rows.values())
    assert not any(f"F{n}" in keys.split(", ") for n in range(13, 36))
    assert "Ctrl+Y" in rows["Redo"]


def test_an_example_with_unsaved_changes_is_asked_about_by_its_title(window, monkeypatch):
    assert window.files.open_path(str(ROOT / "resources" / "examples" / "xor.json"),
                                  ask=False)
    window.document.path = ""  # as Open Example leaves it: a copy to save elsewhere
    assert window.document.display_name == "XOR with a hidden layer"


def test_the_first_save_dialog_opens_in_the_users_folders(window, monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(dialogs.QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, title, start, filters:
                                     (seen.append(start), ("", ""))[1]))
    monkeypatch.setattr(dialogs, "_last_folder", "")
    SAVE_PATH(window, suggestion="xor.json")  # the real one: the tests replace it
    assert os.path.dirname(seen[0]) == dialogs.start_folder()
    assert os.path.dirname(seen[0]) != str(ROOT)


def test_play_and_pause_take_the_same_room(window):
    toolbar: TrainingToolbar = window.training.toolbar
    button = toolbar.widgetForAction(toolbar.play)
    before = button.width()
    toolbar._status("running", "")
    window.repaint()
    assert toolbar.play.text() == "Pause" and button.width() == before
    toolbar._status("paused", "")


def test_the_undo_step_names_the_setting_changed():
    spiral = ge.DatasetSpec("spiral")
    assert change_text(spiral, spiral.with_(samples=5000)) == \
        "Set samples of spiral to 5000"
    assert change_text(spiral, ge.DatasetSpec("circle")) == "Use data set circle"
    assert change_text(None, spiral) == "Use data set spiral"


def test_the_wheel_scrolls_the_data_tab_instead_of_changing_a_field(window, qtbot):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QSpinBox

    window.docks["data"].raise_()
    qtbot.wait(50)
    panel = window.training.data_panel
    box = next(b for b in panel.findChildren(QSpinBox) if b.isVisible())
    before = box.value()
    wheel = QWheelEvent(QPointF(5, 5), QPointF(box.mapToGlobal(QPoint(5, 5))), QPoint(0, 0),
                        QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(box, wheel)
    assert box.value() == before  # not focused: the value stays


def test_output_options_and_plot_export(window, qtbot, monkeypatch, tmp_path):
    import numpy as np

    from gui.plots.output import classes_image

    probs = np.array([[[0.55, 0.45], [0.1, 0.9]]])
    shaded, sharp = classes_image(probs), classes_image(probs, discrete=True)
    assert not np.array_equal(shaded[0, 0], shaded[1, 0])  # unsure is paler
    assert not np.array_equal(sharp[0, 0], sharp[1, 0])  # still two classes
    assert sharp[0, 0].sum() == classes_image(np.array([[[0.99, 0.01]]]), True)[0, 0].sum()

    output = window.training.output
    output.show_test.setChecked(False)
    assert not output.test_points.isVisible()
    output.show_test.setChecked(True)
    for name in ("plot.png", "plot.svg"):
        monkeypatch.setattr(dialogs, "save_path", lambda *a, n=name, **k: str(tmp_path / n))
        output.export_button.click()
        assert (tmp_path / name).stat().st_size > 500
    assert (tmp_path / "plot.svg").read_text().startswith("<?xml")
    monkeypatch.setattr(dialogs, "save_path", lambda *a, **k: str(tmp_path / "curves.png"))
    window.training.curves.export_button.click()
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_the_output_plot_shows_images_or_a_projection_for_many_features(window, qtbot):
    import numpy as np

    from graph_engine.data.views import OutputView

    output = window.training.output
    images = np.random.default_rng(0).random((48, 8, 8)).astype(np.float32)
    pred, true = np.arange(48) % 10, np.arange(48) % 10
    true[3] = 7  # one wrong
    output.show_output({"kind": OutputView.IMAGES.value, "images": images, "true": true,
                        "pred": pred})
    assert output.has_image() and len(output.labels) == 48
    assert output.labels[3].toPlainText() == "3 (7)" and "1 wrong" in output.note.text()
    points = np.random.default_rng(1).random((30, 2)).astype(np.float32)
    labels = np.arange(30) % 3
    output.show_output({"kind": OutputView.PROJECTION.value, "points": points,
                        "true": labels, "pred": labels})
    assert output.labels == [] and len(output.test_points.data) == 30
    assert "principal axes" in output.note.text() and "0 misclassified" in output.note.text()
    output.show_output(None)  # a new run: nothing of the old one
    assert not output.has_image()


def test_the_next_frame_of_images_relabels_the_mosaic_it_laid_out(window, qtbot):
    import numpy as np

    from graph_engine.data.views import OutputView

    output = window.training.output
    images = np.random.default_rng(0).random((48, 8, 8)).astype(np.float32)
    true = np.arange(48) % 10
    frame = {"kind": OutputView.IMAGES.value, "images": images, "true": true, "pred": true}
    output.show_output(frame)
    labels = list(output.labels)
    wrong = true.copy()
    wrong[5] = 1
    output.show_output({**frame, "pred": wrong})
    assert output.labels == labels  # the same items, not 48 new ones a frame
    assert labels[5].toPlainText() == "1 (5)" and labels[4].toPlainText() == "4"
    assert not output.plot.getAxis("left").isVisible()
    assert output.plot.getViewBox().yInverted()
