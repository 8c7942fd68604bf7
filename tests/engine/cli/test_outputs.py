"""No output destroys an input: every command checks where it writes before any work.

An output that is the diagram file or the CSV file its data set reads (by
name, relative name, symlink or hard link) is refused with exit status 2 and
one line; so is an output whose folder is missing or read-only. The inputs
are left byte for byte, and nothing is compiled, trained or exported first.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from saving_faults import lock, read_only_folder, unprivileged

import graph_engine as ge
from graph_engine import cli
from graph_engine.data.spec import CsvSource, DatasetSpec

OUTPUTS = {  # command line with {out} where the output goes
    "compile -o": ["compile", "{diagram}", "-o", "{out}"],
    "export --python": ["export", "{diagram}", "--python", "{out}"],
    "export --onnx": ["export", "{diagram}", "--onnx", "{out}"],
    "train --save-weights": ["train", "{diagram}", "--epochs", "1", "--save-weights", "{out}"],
}
CSV = "a,b,label\n0.1,0.2,0\n0.3,0.1,1\n0.5,0.9,0\n0.7,0.2,1\n0.2,0.8,0\n0.9,0.4,1\n"


def classifier(dataset) -> ge.Diagram:
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=4), d.add("ReLU"),
           d.add("Linear", out_features=2), d.add("CrossEntropyLoss")]
    for src, dst in itertools.pairwise(ids):
        d.connect(src, dst)
    d.dataset = dataset
    return d


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """A diagram beside the CSV file it trains on."""
    data = tmp_path / "points.csv"
    data.write_text(CSV)
    diagram = tmp_path / "net.json"
    ge.save(classifier(DatasetSpec("csv", csv=CsvSource(str(data)))), diagram)
    return {"diagram": diagram, "csv": data}


@pytest.fixture
def no_work(monkeypatch):
    """Compiling, generating code or training before the output is checked fails the test."""
    from graph_engine.build import codegen, compiler
    from graph_engine.training import trainer

    def forbidden(*args, **kwargs):
        raise AssertionError("work started before the output was checked")

    for module, name in ((compiler, "compile"), (codegen, "to_python"), (trainer, "train")):
        monkeypatch.setattr(module, name, forbidden)


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def command(kind: str, diagram, out) -> list[str]:
    return [a.format(diagram=diagram, out=out) for a in OUTPUTS[kind]]


def output_naming(how: str, target: Path, tmp_path: Path, monkeypatch) -> str:
    """A path that names ``target``: itself, relative, through a symlink or a hard link."""
    if how == "relative":
        monkeypatch.chdir(target.parent)
        return target.name
    if how == "symlink":
        (tmp_path / "alias.out").symlink_to(target)
    elif how == "hardlink":
        os.link(target, tmp_path / "alias.out")
    return str(tmp_path / "alias.out") if how != "same" else str(target)


@pytest.mark.parametrize("how", ["same", "relative", "symlink", "hardlink"])
@pytest.mark.parametrize("kind", sorted(OUTPUTS))
@pytest.mark.parametrize("victim", ["diagram", "csv"])
def test_an_output_that_is_an_input_is_refused_before_any_work(
        kind, how, victim, files, tmp_path, monkeypatch, capsys, no_work):
    before = {name: path.read_bytes() for name, path in files.items()}
    out = output_naming(how, files[victim], tmp_path, monkeypatch)
    code, stdout, err = run(command(kind, files["diagram"], out), capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("netcanvas: the output ")
    assert "would destroy the input; choose another name" in lines[0]
    assert stdout == ""
    assert {name: path.read_bytes() for name, path in files.items()} == before


@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_every_output_into_a_missing_folder_is_the_same_line_and_exit_2(
        kind, files, tmp_path, capsys, no_work):
    out = tmp_path / "missing" / "result.out"
    code, _, err = run(command(kind, files["diagram"], out), capsys)
    assert code == 2
    assert err == f"netcanvas: cannot write {out}: the folder {out.parent} does not exist\n"


@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_an_output_that_is_a_folder_is_refused(kind, files, tmp_path, capsys, no_work):
    (tmp_path / "results").mkdir()
    code, _, err = run(command(kind, files["diagram"], tmp_path / "results"), capsys)
    assert code == 2 and err.endswith("is a folder\n") and len(err.splitlines()) == 1


def test_weights_into_a_read_only_folder_are_refused_before_training(capsys, no_work):
    with read_only_folder() as folder:
        diagram = Path(folder) / "net.json"
        ge.save(classifier("circle"), diagram)
        os.chmod(diagram, 0o644)
        lock(folder)
        with unprivileged():
            code, _, err = run(["train", diagram, "--save-weights",
                                Path(folder) / "w.safetensors"], capsys)
        assert sorted(os.listdir(folder)) == ["net.json"]
    assert code == 2
    assert err.startswith("netcanvas: cannot write ") and "Permission denied" in err


def test_a_new_output_beside_the_inputs_is_written(files, tmp_path, capsys):
    out = tmp_path / "net.py"
    code, _, err = run(["export", files["diagram"], "--python", out], capsys)
    assert code == 0, err
    assert out.read_text() == ge.to_python(ge.load(files["diagram"]))


def test_weights_saved_after_training_can_be_read_back(files, tmp_path, capsys):
    from graph_engine.build.weights import load_weights

    out = tmp_path / "w.safetensors"
    code, _, err = run(["train", files["diagram"], "--epochs", "2", "--json",
                        "--save-weights", out], capsys)
    assert code == 0, err
    load_weights(ge.compile(ge.load(files["diagram"])).model, out)
