"""``--screenshot`` checks every option before any window opens: a window that
cannot take its shot waits for ever on a machine with no screen. An empty or
unusable output path is a usage error (exit 2); --size, --epochs and --view are
bounded and go only with --screenshot."""

from __future__ import annotations

import pytest

import resources
from gui import app

XOR = str(resources.EXAMPLES / "xor.json")


@pytest.mark.parametrize(("args", "words"), [
    (["--screenshot", ""], "--screenshot needs the name of the PNG file"),
    (["--screenshot", "   "], "--screenshot needs the name of the PNG file"),
    (["--size", "800x600"], "go with --screenshot"),
    (["--screenshot", "o.png", "--size", "0x0"], "outside 320x240 to 8192x8192"),
    (["--screenshot", "o.png", "--size", "99999999999999999999999x9"], "outside 320x240"),
    (["--screenshot", "o.png", "--size", "12x34x56"], "--size must look like 1400x880"),
    (["--screenshot", "o.png", "--epochs", "1000001"], "--epochs must be from 0 to"),
    (["--screenshot", "o.png", "--view", ""], "invalid choice"),
])
def test_bad_options_are_refused_before_any_window(args, words, capsys):
    with pytest.raises(SystemExit) as stop:
        app.parse_args([XOR, *args])
    assert stop.value.code == 2 and words in capsys.readouterr().err


@pytest.mark.parametrize("output", ["{folder}", "{folder}/missing/o.png", "o\0.png"])
def test_an_unusable_output_is_refused_before_any_window(output, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(app, "make_application", lambda argv: pytest.fail("a window opened"))
    code = app.main([XOR, "--screenshot", output.format(folder=tmp_path)])
    assert code == 2 and "cannot write" in capsys.readouterr().err


def test_good_options_are_kept():
    args = app.parse_args([XOR, "--screenshot", "o.png", "--size", "1280x800", "--epochs", "3",
                           "--view", "gradients"])
    assert (args.size, args.epochs, args.view) == ("1280x800", 3, "gradients")
    assert app.parse_args([XOR, "--screenshot", "o.png"]).size == app.DEFAULT_SIZE
