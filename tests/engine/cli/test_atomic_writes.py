"""Every file NetCanvas writes headless is atomic: a full disk keeps the old file.

Two simulations: ``full_disk`` fails the atomic writer's own stream with
ENOSPC; ``file_size_limit`` has the kernel refuse to grow any file, which
also stops torch's ONNX writer half-way, as a full disk does.
"""

from __future__ import annotations

import errno
import itertools
import os

import pytest
from saving_faults import file_size_limit, full_disk, leftovers

import graph_engine as ge
from graph_engine import cli
from graph_engine.build.export import export_onnx, export_python
from graph_engine.build.weights import load_weights, save_weights

OLD = b"the good file from yesterday"


def network(width: int = 64) -> ge.Diagram:
    """Wide enough that its ONNX file is far over the simulated disk's 4 KB."""
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=width), d.add("ReLU"),
           d.add("Linear", out_features=2), d.add("CrossEntropyLoss")]
    for src, dst in itertools.pairwise(ids):
        d.connect(src, dst)
    d.dataset = {"name": "circle", "samples": 60}
    d.training = d.training.with_(epochs=1)
    return d


@pytest.fixture
def old_file(tmp_path):
    def make(name: str):
        path = tmp_path / name
        path.write_bytes(OLD)
        return path
    return make


def kept(path) -> None:
    assert path.read_bytes() == OLD
    assert [name for name in leftovers(str(path.parent), str(path))
            if name.startswith(".")] == []  # no temporary file left beside it


def test_an_onnx_export_cut_short_keeps_the_old_model(old_file):
    path = old_file("net.onnx")
    net = ge.compile(network())
    with file_size_limit(4096), pytest.raises(OSError) as caught:
        export_onnx(net, path)
    assert caught.value.errno == errno.EFBIG
    kept(path)
    export_onnx(net, path)  # with room on the disk, the same call replaces it
    assert path.stat().st_size > 4096


def test_python_source_on_a_full_disk_keeps_the_old_file(old_file, monkeypatch):
    path = old_file("net.py")
    full_disk(monkeypatch)
    with pytest.raises(OSError) as caught:
        export_python(ge.to_python(network()), path)
    assert caught.value.errno == errno.ENOSPC
    kept(path)


def test_weights_on_a_full_disk_keep_the_old_file(old_file, monkeypatch):
    path = old_file("w.safetensors")
    model = ge.compile(network()).model
    full_disk(monkeypatch)
    with pytest.raises(OSError):
        save_weights(model, path, "net")
    kept(path)


@pytest.mark.parametrize("option, name", [("--onnx", "net.onnx"), ("--python", "net.py")])
def test_the_command_line_says_cannot_write_and_keeps_the_old_export(option, name, old_file,
                                                                    tmp_path, capsys):
    diagram = tmp_path / "net.json"
    ge.save(network(), diagram)
    path = old_file(name)
    with file_size_limit(200):  # less than either export
        code = cli.main(["export", str(diagram), option, str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"netcanvas: cannot write {path}: File too large\n"
    kept(path)


def test_weights_after_training_on_a_full_disk_keep_the_old_file(old_file, tmp_path, capsys,
                                                                monkeypatch):
    diagram = tmp_path / "net.json"
    ge.save(network(), diagram)
    path = old_file("w.safetensors")
    full_disk(monkeypatch)  # training writes nothing; only the weights at the end
    code = cli.main(["train", str(diagram), "--json", "--save-weights", str(path)])
    assert code == 2
    assert capsys.readouterr().err.endswith(f"cannot write {path}: No space left on device\n")
    kept(path)


def test_an_onnx_export_with_room_is_a_whole_model(tmp_path):
    onnx = pytest.importorskip("onnx")
    path = tmp_path / "net.onnx"
    export_onnx(ge.compile(network(8)), path)
    onnx.checker.check_model(onnx.load(str(path)))
    assert os.listdir(tmp_path) == ["net.onnx"]


def test_saved_weights_read_back(tmp_path):
    net = ge.compile(network(8))
    path = tmp_path / "w.safetensors"
    save_weights(net.model, path, "net")
    other = ge.compile(network(8), seed=5).model
    load_weights(other, path)
    for key, value in net.model.state_dict().items():
        assert other.state_dict()[key].equal(value)
