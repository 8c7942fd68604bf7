"""In the editor: a bad file never replaces the open diagram, a failed save
never loses it."""

from __future__ import annotations

import errno
import os

import pytest
from saving_faults import full_disk, leftovers, lock, read_only_folder, unprivileged

import graph_engine as ge
from graph_engine.model import fileio
from gui import dialogs
from gui.document import commands


def open_and_edit(window, path) -> dict:
    """Open ``path``, make one unsaved edit, return the diagram as a dict."""
    assert window.files.open_path(str(path), ask=False)
    diagram = window.document.diagram
    window.document.undo_stack.push(commands.AddBlock(diagram, "ReLU", (300, 200)))
    assert window.document.modified
    return fileio.to_dict(diagram)


def saved_diagram(path) -> None:
    d = ge.Diagram()
    d.connect(d.add("Input", features=2), d.add("Linear", out_features=2))
    d.title = "on disk"
    ge.save(d, path)


MALFORMED = {
    "truncated.json": b'{"format": "netcanvas-diagram", "version": 1, "blocks": [',
    "nan.json": b'{"format": "netcanvas-diagram", "version": 1, "blocks": [], "wires": [],'
                b' "training": {"lr": NaN}}',
    "binary.json": bytes(range(256)),
    "unknown.json": b'{"format": "netcanvas-diagram", "version": 1, "wires": [],'
                    b' "blocks": [{"id": "a", "type": "Conv2d"}]}',
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_opening_a_malformed_file_shows_why_and_keeps_the_diagram(window, errors, tmp_path,
                                                                  name):
    good = tmp_path / "good.json"
    saved_diagram(good)
    before = open_and_edit(window, good)
    diagram, undo_count = window.document.diagram, window.document.undo_stack.count()
    bad = tmp_path / name
    bad.write_bytes(MALFORMED[name])
    assert not window.files.open_path(str(bad), ask=False)
    assert len(errors) == 1
    title, text = errors[0]
    assert title == "Cannot open diagram" and text.startswith(f"{name}: ")
    assert window.document.diagram is diagram
    assert fileio.to_dict(diagram) == before
    assert window.document.undo_stack.count() == undo_count
    assert window.document.modified and window.document.path == str(good)
    assert len(window.scene.blocks) == len(diagram.blocks)


def test_open_through_the_file_dialog_keeps_the_diagram_too(window, errors, tmp_path,
                                                            monkeypatch):
    good = tmp_path / "good.json"
    saved_diagram(good)
    before = open_and_edit(window, good)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"[" * 50000)
    monkeypatch.setattr(dialogs, "ask_unsaved", lambda *a: "discard")
    monkeypatch.setattr(dialogs, "open_path", lambda *a, **k: str(bad))
    window.files.open()
    assert errors and "nested" in errors[0][1]
    assert fileio.to_dict(window.document.diagram) == before


def check_failed_save(window, errors, path, before: bytes, edited: dict, reason: str) -> None:
    assert len(errors) == 1
    title, text = errors[0]
    assert title == "Cannot save diagram"
    assert str(path) in text and reason in text and "still open" in text
    with open(path, "rb") as stream:
        assert stream.read() == before
    assert window.document.modified
    assert window.document.path == str(path)
    assert fileio.to_dict(window.document.diagram) == edited
    assert window.windowTitle().startswith(os.path.basename(path))
    assert leftovers(os.path.dirname(path), str(path)) == []


def test_a_full_disk_says_so_and_keeps_everything(window, errors, tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    saved_diagram(path)
    before = path.read_bytes()
    edited = open_and_edit(window, path)
    full_disk(monkeypatch)
    assert window.files.save() is False
    check_failed_save(window, errors, str(path), before, edited,
                      os.strerror(errno.ENOSPC))


def test_a_read_only_folder_says_so_and_keeps_everything(window, errors):
    with read_only_folder() as folder:
        path = os.path.join(folder, "net.json")
        saved_diagram(path)
        os.chmod(path, 0o644)
        with open(path, "rb") as stream:
            before = stream.read()
        edited = open_and_edit(window, path)
        lock(folder)
        with unprivileged():
            saved = window.files.save()
        assert saved is False
        check_failed_save(window, errors, path, before, edited, "Permission denied")


def test_save_as_into_a_read_only_folder_keeps_the_old_name(window, errors, tmp_path,
                                                           monkeypatch):
    path = tmp_path / "net.json"
    saved_diagram(path)
    open_and_edit(window, path)
    with read_only_folder() as folder:
        lock(folder)
        monkeypatch.setattr(dialogs, "save_path",
                            lambda *a, **k: os.path.join(folder, "copy.json"))
        with unprivileged():
            assert window.files.save_as() is False
        assert os.listdir(folder) == []
    assert errors and window.document.path == str(path) and window.document.modified
