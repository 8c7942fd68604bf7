"""Text from a file never reaches a terminal raw, and never as a traceback.

A file whose names or title hold a lone surrogate or a terminal escape is
refused by ``load`` with a DiagramFileError naming the field; every command
of the command line says so in one readable line and exits 2. Every line the
command line prints is made printable, so a message cannot forge another
line ("no problems"). The weights file's metadata title is printable too.
The command line runs in-process.
"""

from __future__ import annotations

import json

import pytest
from safetensors import safe_open

import graph_engine as ge
from graph_engine import cli
from graph_engine.build.weights import MAX_TITLE, metadata_title, save_weights
from graph_engine.core.diagnostics import Diagnostic

SURROGATE, ERASE = "\ud800", "\u001b[2K"


def document(title: str = "Net", name: str = "Input") -> dict:
    return {"format": "netcanvas-diagram", "version": 1, "title": title,
            "blocks": [{"id": "input1", "type": "Input", "name": name,
                        "params": {"features": 2}},
                       {"id": "linear1", "type": "Linear", "params": {"out_features": 2}}],
            "wires": [{"from": ["input1", "output"], "to": ["linear1", "input"]}]}


CASES = {  # the JSON text holds the \ud800 and \u001b escapes, as an attacker writes them
    "surrogate in a name": (document(name="a" + SURROGATE), '"name"', "lone surrogate"),
    "escape in a name": (document(name=ERASE + "no problems"), '"name"', "U+001B"),
    "surrogate in the title": (document(title=SURROGATE), "the title", "lone surrogate"),
    "escape in the title": (document(title=ERASE), "the title", "U+001B"),
}


@pytest.fixture(params=list(CASES))
def hostile(request, tmp_path):
    content, field, reason = CASES[request.param]
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(content), encoding="ascii")
    return path, field, reason


def readable(text: str) -> bool:
    text.encode("utf-8")  # a lone surrogate would raise here
    return all(c == "\n" or c.isprintable() for c in text)


def test_load_names_the_field(hostile):
    path, field, reason = hostile
    with pytest.raises(ge.DiagramFileError) as caught:
        ge.load(path)
    message = str(caught.value)
    assert message.startswith("hostile.json: ") and field in message and reason in message
    assert readable(message)


@pytest.mark.parametrize("command", [
    ["validate"], ["compile"], ["export", "--python", "out.py"], ["train", "--epochs", "1"],
    ["train", "--epochs", "1", "--save-weights", "w.safetensors"],
])
def test_every_command_refuses_it_in_one_readable_line(hostile, command, capsys,
                                                       monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    path, field, _ = hostile
    assert cli.main([command[0], str(path), *command[1:]]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1 and field in err and readable(err)
    assert not (tmp_path / "out.py").exists() and not (tmp_path / "w.safetensors").exists()


def test_a_message_cannot_forge_a_line(tmp_path, capsys, monkeypatch):
    """Whatever a diagnostic says, it prints as one line of visible characters."""
    forged = Diagnostic("error", "cycle", f"bad\r{ERASE}no problems\x07\u202e{SURROGATE}",
                        ())
    monkeypatch.setattr("graph_engine.checks.validation.validate", lambda d: [forged])
    path = tmp_path / "net.json"
    d = ge.Diagram()
    d.add("Input", features=2)
    ge.save(d, path)
    assert cli.main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and readable(out)
    assert out.startswith("error: bad\\x0d\\x1b[2Kno problems\\x07\\u202e\\ud800 [cycle]")


def test_a_bad_argument_is_printed_readably(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["validate", "net.json", ERASE + "--extra"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and readable(err) and "\\x1b[2K--extra" in err


@pytest.mark.parametrize("title", [ERASE + "Net", SURROGATE, "\U0001F600" * 300, "x\ny"])
def test_the_weights_metadata_title_is_printable_and_short(title, tmp_path):
    shown = metadata_title(title)
    assert readable(shown) and len(shown) <= MAX_TITLE
    d = ge.Diagram()
    d.connect(d.add("Input", features=2), d.add("Linear", out_features=2))
    path = tmp_path / "w.safetensors"
    save_weights(ge.compile(d).model, path, title)
    with safe_open(str(path), "pt") as stream:
        assert stream.metadata()["title"] == shown
