"""One writer and one reader for every file: atomic, bounded, and never the input."""

from __future__ import annotations

import os
import pathlib
import threading

import pytest

from graph_engine.core import files
from graph_engine.core.files import FileLimitError, SameFileError, safe_file_name
from graph_engine.core.text import checked_id, checked_text, printable


def test_a_legal_name_of_255_bytes_saves(tmp_path):
    path = tmp_path / ("n" * 250 + ".json")
    files.write_atomic(path, "{}")
    assert path.read_text() == "{}"
    assert os.listdir(tmp_path) == [path.name]  # no temporary file left


def test_writing_through_a_symlink_replaces_the_file_it_points_to(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    files.write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"good")

    def half_write(temp: str) -> None:
        with open(temp, "wb") as stream:
            stream.write(b"trunc")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        files.write_atomic(path, half_write)
    assert path.read_bytes() == b"good"
    assert os.listdir(tmp_path) == ["model.onnx"]


def test_a_writer_function_gets_a_path_and_its_file_lands(tmp_path):
    path = tmp_path / "out.bin"
    files.write_atomic(path, lambda temp: pathlib.Path(temp).write_bytes(b"xyz"))
    assert path.read_bytes() == b"xyz"


def test_existing_permissions_are_kept(tmp_path):
    path = tmp_path / "f.json"
    path.write_text("a")
    path.chmod(0o600)
    files.write_atomic(path, "b")
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "relative"])
def test_an_output_that_is_the_input_is_refused(tmp_path, how, monkeypatch):
    source = tmp_path / "net.json"
    source.write_text("{}")
    output = {"same": source, "symlink": tmp_path / "s.json", "hardlink": tmp_path / "h.json",
              "relative": "net.json"}[how]
    if how == "symlink":
        output.symlink_to(source)
    if how == "hardlink":
        os.link(source, output)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SameFileError, match="destroy the input"):
        files.refuse_overwrite(output, [None, source])
    files.refuse_overwrite(tmp_path / "other.json", [source])  # a new name is fine


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "weights.safetensors"
    os.mkfifo(fifo)
    result = {}

    def read():
        try:
            files.read_bounded(fifo, 1000)
        except FileLimitError as error:
            result["error"] = str(error)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(5)
    assert result.get("error") == "not a regular file (a pipe)"


@pytest.mark.parametrize("path", ["/dev/zero", "/proc/self/pagemap", "/"])
def test_endless_and_special_files_are_refused(path):
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    with pytest.raises((FileLimitError, OSError)):  # refused, never read to the end
        files.read_bounded(path, 1 << 20)


def test_a_sparse_file_is_refused_by_its_size_before_reading(tmp_path):
    path = tmp_path / "sparse.csv"
    with open(path, "wb") as stream:
        stream.truncate(8 << 30)
    with pytest.raises(FileLimitError, match="8,589,934,592 bytes; the limit is 1 MB"):
        files.read_bounded(path, 1 << 20)


def test_a_path_with_a_nul_byte_is_a_value_error():
    with pytest.raises(ValueError, match="NUL"):
        files.read_bounded("a\0b", 10)


def test_check_writable_names_the_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        files.check_writable(tmp_path / "missing" / "w.safetensors")
    files.check_writable(tmp_path / "w.safetensors")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("text, fragment", [
    ("a\ud800b", "lone surrogate"), ("ok\x1b[2K", "U+001B"), ("two\nlines", "U+000A"),
    ("\u202eevil", "U+202E"), ("x" * 65, "longer than 64"),
])
def test_unsafe_text_is_refused_naming_what(text, fragment):
    with pytest.raises(ValueError, match=fragment.replace("+", r"\+")):
        checked_text(text, "the name", 64)


def test_descriptions_may_have_lines_and_ids_may_not_be_blank():
    assert checked_text("a\n\tb", "description", 100, multiline=True) == "a\n\tb"
    with pytest.raises(ValueError, match="empty"):
        checked_id("   ", "the id", 64)


def test_printable_escapes_what_a_terminal_would_obey():
    assert printable("Linear\x1b[2K\rno problems\ud800") == \
        "Linear\\x1b[2K\\x0dno problems\\ud800"
    assert printable("Ünïcode ✓") == "Ünïcode ✓"


@pytest.mark.parametrize(("title", "name"), [
    ("Lesson 3: XOR?.json", "Lesson 3- XOR-.json"),
    ('a<b>c"d|e*f\\g/h.json', "a-b-c-d-e-f-g-h.json"),
    ("trailing dots... .json", "trailing dots.json"),
    ("con.json", "con-file.json"),
    ("NUL", "NUL-file"),
    (":::.json", "---.json"),
    ("   .json", "untitled.json"),
    ("x" * 300 + ".json", "x" * 115 + ".json"),
])
def test_a_suggested_file_name_is_one_every_system_takes(title, name):
    assert safe_file_name(title) == name
