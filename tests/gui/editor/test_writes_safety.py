"""In the editor, no save or export destroys what the diagram was read from, and
every picture is written atomically.

Exporting the canvas, Python or ONNX, saving weights or taking a screenshot
over the open diagram's file or its CSV data set is refused with a message;
Save As over the CSV too. A full disk during a PNG, SVG or screenshot write
keeps the old file whole.
"""

from __future__ import annotations

import errno
import os

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from saving_faults import full_disk, leftovers

import graph_engine as ge
from graph_engine.data.spec import CsvSource, DatasetSpec
from gui import app as editor_app
from gui import dialogs, screenshot

CSV = "a,b,label\n0.1,0.2,0\n0.3,0.1,1\n0.5,0.9,0\n0.7,0.2,1\n0.2,0.8,0\n0.9,0.4,1\n"
OLD = b"the old picture"


@pytest.fixture
def opened(window, tmp_path) -> dict:
    """The window with a diagram file open that trains on a CSV file beside it."""
    data = tmp_path / "points.csv"
    data.write_text(CSV)
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=2),
           d.add("CrossEntropyLoss")]
    d.connect(ids[0], ids[1])
    d.connect(ids[1], ids[2])
    d.dataset = DatasetSpec("csv", csv=CsvSource(str(data)))
    path = tmp_path / "net.json"
    ge.save(d, path)
    assert window.files.open_path(str(path), ask=False)
    return {"diagram": path, "csv": data}


def choose(monkeypatch, path) -> None:
    monkeypatch.setattr(dialogs, "save_path", lambda *args, **kwargs: str(path))


def unchanged(files: dict) -> dict:
    return {name: path.read_bytes() for name, path in files.items()}


def export_python(window):
    window.teaching.exports.python_action.trigger()


def export_onnx(window):
    window.teaching.exports.onnx_action.trigger()


def save_weights(window):
    window.training.save_weights.trigger()


WRITERS = {"canvas image": lambda w: w.files.export_image(), "Python": export_python,
           "ONNX": export_onnx, "weights": save_weights}
SUFFIXES = {"canvas image": ".png", "Python": ".py", "ONNX": ".onnx", "weights": ".safetensors"}


def alias(target, suffix: str):
    """A name the save dialog keeps as it is (it has the right suffix) that is ``target``."""
    link = target.parent / f"alias{suffix}"
    link.symlink_to(target)
    return link


@pytest.mark.parametrize("victim", ["diagram", "csv"])
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_no_export_writes_over_the_diagram_or_its_data(writer, victim, window, opened, errors,
                                                       monkeypatch, tmp_path):
    before = unchanged(opened)
    choose(monkeypatch, alias(opened[victim], SUFFIXES[writer]))
    sent = []
    monkeypatch.setattr(window.training.controller.files, "save_weights", sent.append)
    WRITERS[writer](window)
    assert len(errors) == 1
    title, text = errors[0]
    assert f"is the input file {opened[victim]}: writing it would destroy the input" in text
    assert title in ("Cannot export", "Export Python", "Export ONNX", "Weights")
    assert unchanged(opened) == before
    assert sent == [] and not window.teaching.exports.busy


def test_save_as_over_the_csv_file_is_refused(window, opened, errors, monkeypatch):
    before = unchanged(opened)
    window.document.diagram.title = "edited"
    choose(monkeypatch, alias(opened["csv"], ".json"))
    assert window.files.save_as() is False
    assert errors and errors[0][0] == "Cannot save diagram" and "destroy the input" in errors[0][1]
    assert unchanged(opened) == before
    assert window.document.path == str(opened["diagram"])


def test_saving_the_diagram_over_its_own_file_still_works(window, opened, errors):
    assert window.files.save() is True and errors == []


@pytest.mark.parametrize("name", ["canvas.png", "canvas.svg"])
def test_a_canvas_export_on_a_full_disk_keeps_the_old_picture(name, window, opened, errors,
                                                              monkeypatch, tmp_path):
    path = tmp_path / name
    path.write_bytes(OLD)
    choose(monkeypatch, path)
    full_disk(monkeypatch)
    window.files.export_image()
    assert errors and os.strerror(errno.ENOSPC) in errors[0][1]
    assert path.read_bytes() == OLD
    assert not [n for n in leftovers(str(tmp_path), str(path)) if n.startswith(".")]


def test_canvas_exports_are_whole_pictures(window, opened, errors, monkeypatch, tmp_path):
    for name in ("canvas.png", "canvas.svg"):
        path = tmp_path / name
        path.write_bytes(OLD)
        choose(monkeypatch, path)
        window.files.export_image()
        assert errors == []
    image = QImage(str(tmp_path / "canvas.png"))
    assert not image.isNull() and image.width() > 100
    svg = (tmp_path / "canvas.svg").read_text()
    assert svg.startswith("<?xml") and svg.rstrip().endswith("</svg>")


def test_a_python_export_on_a_full_disk_says_so(window, opened, errors, monkeypatch, tmp_path):
    path = tmp_path / "net.py"
    path.write_bytes(OLD)
    choose(monkeypatch, path)
    full_disk(monkeypatch)
    export_python(window)
    assert errors and os.strerror(errno.ENOSPC) in errors[0][1]
    assert path.read_bytes() == OLD


def test_weights_into_a_missing_folder_are_refused_before_asking_the_trainer(
        window, opened, errors, monkeypatch, tmp_path):
    choose(monkeypatch, tmp_path / "gone" / "w.safetensors")
    sent = []
    monkeypatch.setattr(window.training.controller.files, "save_weights", sent.append)
    save_weights(window)
    assert sent == [] and errors and "does not exist" in errors[0][1]


# ------------------------------------------------------------ --screenshot

def test_a_screenshot_over_its_own_diagram_is_refused_before_any_window(opened, capsys):
    before = unchanged(opened)
    for victim in ("diagram", "csv"):
        code = editor_app.main([str(opened["diagram"]), "--screenshot", str(opened[victim])])
        assert code == 2
        err = capsys.readouterr().err
        assert err.startswith("netcanvas: the screenshot ") and "destroy the input" in err
    assert unchanged(opened) == before


def test_a_screenshot_into_a_missing_folder_is_refused(opened, tmp_path, capsys):
    out = tmp_path / "gone" / "shot.png"
    assert editor_app.main([str(opened["diagram"]), "--screenshot", str(out)]) == 2
    assert capsys.readouterr().err == (f"netcanvas: cannot write {out}: the folder "
                                       f"{out.parent} does not exist\n")


def test_a_screenshot_on_a_full_disk_keeps_the_old_picture(window, opened, tmp_path,
                                                           monkeypatch, capsys):
    path = tmp_path / "shot.png"
    path.write_bytes(OLD)
    full_disk(monkeypatch)
    code = screenshot.take(QApplication.instance(), window, str(path), "1280x800")
    assert code == 2
    assert capsys.readouterr().err == (f"netcanvas: cannot write {path}: "
                                       f"{os.strerror(errno.ENOSPC)}\n")
    assert path.read_bytes() == OLD
