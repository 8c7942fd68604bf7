"""Bad input, headless: command-line arguments and CSV files are refused with
one readable message, and nothing changes."""

from __future__ import annotations

import os
import sys

import pytest

import graph_engine as ge
import main as entry
from graph_engine.data import datasets
from graph_engine.data.csv_data import read_table
from graph_engine.data.datasets import DatasetError
from graph_engine.data.spec import CsvSource, DatasetSpec


@pytest.fixture
def diagram_file(tmp_path):
    d = ge.Diagram()
    x = d.add("Input", features=2)
    o = d.add("Linear", out_features=2)
    loss = d.add("CrossEntropyLoss")
    d.connect(x, o)
    d.connect(o, loss)
    d.dataset = DatasetSpec("circle", samples=50)
    d.training = d.training.with_(epochs=2)
    path = tmp_path / "net.json"
    ge.save(d, path)
    return path


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = entry.main(argv)
    except SystemExit as stop:  # argparse refusing an argument
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


BAD_TRAIN = {
    "negative epochs": (["--epochs", "-3"], "epochs must satisfy 1 <= epochs"),
    "zero epochs": (["--epochs", "0"], "epochs must satisfy"),
    "text learning rate": (["--lr", "abc"], "argument --lr: invalid float value: 'abc'"),
    "NaN learning rate": (["--lr", "nan"], "lr must be a finite number"),
    "infinite learning rate": (["--lr", "inf"], "lr must be a finite number"),
    "zero learning rate": (["--lr", "0"], "lr must satisfy"),
    "zero batch size": (["--batch-size", "0"], "batch_size must satisfy 1 <= batch_size"),
    "text batch size": (["--batch-size", "ten"], "invalid int value: 'ten'"),
    "negative seed": (["--seed", "-1"], "seed must satisfy"),
    "unknown data set": (["--dataset", "mnist"], "unknown data set 'mnist' (known: circle"),
    "csv without a file": (["--dataset", "csv"], "needs its csv settings"),
    "unknown optimizer": (["--optimizer", "fast"], "invalid choice: 'fast'"),
    "weights into no folder": (["--save-weights", "/no/such/folder/w.safetensors"],
                               "the folder /no/such/folder does not exist"),
    "unknown option": (["--learning-rate", "0.1"], "unrecognized arguments"),
}


@pytest.mark.parametrize("case", sorted(BAD_TRAIN))
def test_bad_train_arguments_exit_2_with_one_line(case, diagram_file, capsys, tmp_path):
    args, expected = BAD_TRAIN[case]
    before = diagram_file.read_bytes()
    code, out, err = run(["train", str(diagram_file), *args], capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("netcanvas") and expected in lines[0], lines[0]
    assert diagram_file.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["net.json"]  # no weights, no temporary files


@pytest.mark.parametrize("argv, expected", [
    (["train", "{missing}"], "missing.json: cannot read the file: No such file or directory"),
    (["train", "{folder}"], "not a regular file"),
    (["validate", "{not_json}"], "not valid JSON"),
    (["compile", "{file}", "-o", "/no/such/folder/out.py"], "cannot write /no/such/folder"),
    (["train"], "the following arguments are required: file"),
    (["export", "{file}"], "one of the arguments --onnx --python is required"),
])
def test_other_bad_command_lines_exit_2_with_one_line(argv, expected, diagram_file, capsys,
                                                      tmp_path):
    not_json = tmp_path / "notes.json"
    not_json.write_text("these are my notes")
    names = {"missing": tmp_path / "missing.json", "folder": tmp_path, "not_json": not_json,
             "file": diagram_file}
    code, _out, err = run([a.format(**names) for a in argv], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], err


def test_good_arguments_still_train(diagram_file, capsys):
    code, out, _err = run(["train", str(diagram_file), "--epochs", "2", "--json"], capsys)
    assert code == 0 and '"epochs": 2' in out


# ------------------------------------------------------------------ which program runs

@pytest.mark.parametrize("word, expected", [
    ("valdiate", "unknown command 'valdiate'; did you mean validate?"),
    ("trian", "unknown command 'trian'; did you mean train?"),
    ("Export", "unknown command 'Export'; did you mean export?"),
    ("frobnicate", "unknown command 'frobnicate'; the commands are validate, compile, train, "
                   "export, trace, predict, examples, exercises, grade"),
])
def test_a_mistyped_command_is_refused_with_a_suggestion(word, expected, diagram_file, capsys,
                                                         monkeypatch):
    import types

    editor = types.ModuleType("gui.app")  # the real one would import Qt (not in engine tests)
    editor.main = lambda argv: pytest.fail("the editor started")
    monkeypatch.setitem(sys.modules, "gui.app", editor)
    code, out, err = run([word, str(diagram_file)], capsys)
    assert code == 2 and out == ""
    assert err == f"netcanvas: {expected}\n"


@pytest.mark.parametrize("first", ["{file}", "net.json", "some/where.json", "-x", "{word}"])
def test_files_paths_and_options_are_for_the_editor(first, diagram_file, tmp_path,
                                                    monkeypatch):
    word = tmp_path / "notes"  # an existing file named like a word opens too
    word.write_text("{}")
    monkeypatch.chdir(tmp_path)
    first = first.format(file=diagram_file, word="notes")
    assert not entry.is_command(first)
    assert entry.is_command("valdiate") and entry.is_command("train")


def test_a_mistyped_command_never_opens_a_window():
    """As a student types it, in a shell with no display: one line and exit 2, at once."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, entry.__file__, "valdiate", "net.json"],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2
    assert result.stderr == "netcanvas: unknown command 'valdiate'; did you mean validate?\n"
    assert result.stdout == ""


def test_a_path_with_a_nul_byte_is_a_diagram_file_error():
    with pytest.raises(ge.DiagramFileError, match="NUL"):
        ge.load("a\0b")


# ------------------------------------------------------------------ CSV files

def csv_file(tmp_path, text: str | bytes, name: str = "data.csv") -> str:
    path = tmp_path / name
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return str(path)


GOOD = "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n"

BAD_TABLES = {
    "ragged row": ("a,b,y\n1,2,0\n3,4\n", "line 3 has 2 fields, the header has 3"),
    "long row": ("a,b,y\n1,2,0\n3,4,1,9\n", "line 3 has 4 fields"),
    "empty file": ("", "the file is empty"),
    "only blank lines": ("\n \n\n", "the file is empty"),
    "header only": ("a,b,y\n", "at least two data rows"),
    "one column": ("a\n1\n2\n", "at least two columns"),
    "nameless column": ("a,,y\n1,2,0\n3,4,1\n", "column 2 of the header has no name"),
    "duplicate column": ("a,a,y\n1,2,0\n3,4,1\n", "'a' appears twice"),
    "not text": (b"\xff\xfe\x00\x01binary", "not a readable CSV text file"),
}


@pytest.mark.parametrize("case", sorted(BAD_TABLES))
def test_malformed_csv_files_raise_dataset_error(case, tmp_path):
    text, expected = BAD_TABLES[case]
    with pytest.raises(DatasetError, match=expected):
        read_table(csv_file(tmp_path, text))


BAD_VALUES = {
    "text in a number column": ("a,b,y\n1,2,0\n3,four,1\n5,6,0\n",
                                "line 3, column 'b': 'four' is not a number"),
    "text among numbers in a TSV file": ("a\tb\ty\n1\t2\t0\n3\tfour\t1\n5\t6\t0\n",
                                         "line 3, column 'b': 'four' is not a number"),
    "infinity": ("a,b,y\n1,2,0\n3,inf,1\n5,6,0\n", "'inf' is not a finite number"),
    "a single class": ("a,b,y\n1,2,0\n3,4,0\n5,6,0\n", "has a single class"),
    "text regression target": ("a,b,y\n1,2,low\n3,4,high\n", "'low' is not a number"),
}


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_bad_csv_values_raise_dataset_error_naming_row_and_column(case, tmp_path):
    text, expected = BAD_VALUES[case]
    task = "regression" if "regression" in case else "auto"
    name = "data.tsv" if "TSV" in case else "data.csv"
    spec = DatasetSpec("csv", csv=CsvSource(csv_file(tmp_path, text, name), task=task))
    with pytest.raises(DatasetError, match=expected):
        datasets.info(spec)


@pytest.mark.parametrize("where", ["/dev/zero", "{folder}", "{folder}/gone.csv"])
def test_a_csv_path_that_is_not_a_readable_file_is_refused(where, tmp_path):
    with pytest.raises(DatasetError):
        read_table(where.format(folder=tmp_path))


def test_a_diagram_with_a_bad_csv_validates_with_a_dataset_error(tmp_path):
    d = ge.Diagram()
    d.connect(d.add("Input", features=2), d.add("Linear", out_features=2))
    d.dataset = DatasetSpec("csv", csv=CsvSource(csv_file(tmp_path, "a,b,y\n1,2,0\n3,4\n")))
    problems = [p for p in ge.validate(d) if p.code == "dataset"]
    assert problems and "line 3 has 2 fields" in problems[0].message


def test_a_good_csv_still_loads(tmp_path):
    spec = DatasetSpec("csv", csv=CsvSource(csv_file(tmp_path, GOOD)))
    assert datasets.info(spec).features == 2
