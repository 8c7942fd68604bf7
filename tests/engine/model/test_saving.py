"""Saving is atomic: a failed save raises OSError and leaves the old file as it was."""

from __future__ import annotations

import errno
import os

import pytest
from saving_faults import full_disk, leftovers, lock, read_only_folder, unprivileged

import graph_engine as ge
from graph_engine.model import fileio


def small() -> ge.Diagram:
    d = ge.Diagram()
    d.connect(d.add("Input", features=2), d.add("Linear", out_features=3))
    return d


def edited() -> ge.Diagram:
    d = small()
    d.add("ReLU")
    d.title = "edited"
    return d


def read(path) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


def test_saving_replaces_the_file_in_one_step(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    ge.save(small(), path)
    calls = []
    real_replace, real_fsync = os.replace, os.fsync
    monkeypatch.setattr(fileio.os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(fileio.os, "replace",
                        lambda a, b: (calls.append("replace"), real_replace(a, b)))
    ge.save(edited(), path)
    assert calls == ["fsync", "replace"]
    assert ge.load(path).title == "edited"
    assert leftovers(str(tmp_path), str(path)) == []


def test_a_full_disk_keeps_the_old_file_byte_for_byte(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    ge.save(small(), path)
    before = path.read_bytes()
    written = []
    full_disk(monkeypatch, written)
    with pytest.raises(OSError) as caught:
        ge.save(edited(), path)
    assert caught.value.errno == errno.ENOSPC
    assert written, "the simulated disk was never written to"
    assert path.read_bytes() == before
    assert leftovers(str(tmp_path), str(path)) == []  # the half-written temporary is gone


def test_a_read_only_folder_keeps_the_old_file(monkeypatch):
    with read_only_folder() as folder:
        path = os.path.join(folder, "net.json")
        ge.save(small(), path)
        os.chmod(path, 0o644)
        before = read(path)
        lock(folder)
        with unprivileged(), pytest.raises(OSError) as caught:
            ge.save(edited(), path)
        assert caught.value.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
        assert read(path) == before
        assert leftovers(folder, path) == []


def test_saving_keeps_the_permissions_of_the_old_file(tmp_path):
    path = tmp_path / "net.json"
    ge.save(small(), path)
    os.chmod(path, 0o640)
    ge.save(edited(), path)
    assert os.stat(path).st_mode & 0o777 == 0o640
