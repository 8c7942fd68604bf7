"""The command line, run as a student or an autograder would: ``python main.py ...``.

Exit status 0 for success, 1 for a diagram with errors, 2 for an unreadable
file or bad arguments. The commands run in-process, through main.py's own
``main``; two smoke tests and Ctrl-C start a real ``python main.py``, to test
the process boundary itself. (ONNX export has its own, slower suite.)
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from commands import good_diagram, run_cli, run_main_py
from nets import wire
from paths import ROOT

import graph_engine as ge


@pytest.fixture
def good_file(tmp_path) -> Path:
    path = tmp_path / "good.json"
    ge.save(good_diagram(), path)
    return path


@pytest.fixture
def bad_file(tmp_path) -> Path:
    d = ge.Diagram()
    _x, hidden = wire(d, d.add("Input", features=3), d.add("Linear", out_features=4))
    d.rename(hidden, "Hidden layer")
    d.add("Linear", out_features=2)  # nothing wired into it
    d.dataset = "circle"
    path = tmp_path / "bad.json"
    ge.save(d, path)
    return path


def import_file(path: Path):
    spec = importlib.util.spec_from_file_location(f"netcanvas_cli_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------ validate

@pytest.mark.parametrize("content", [b"\x00\x01garbage\xff", b"{not json", b"[]",
                                     b'{"format": "netcanvas-diagram", "version": 7}'])
def test_validate_on_garbage_prints_one_line_and_exits_2(tmp_path, content):
    path = tmp_path / "junk.json"
    path.write_bytes(content)
    result = run_cli("validate", path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "junk.json" in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_validate_on_a_missing_file_exits_2(tmp_path):
    result = run_cli("validate", tmp_path / "nope.json")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_validate_on_a_valid_file_exits_0(good_file):
    result = run_main_py("validate", good_file)  # smoke test: a real process
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "no problems"


def test_validate_on_errors_exits_1_one_diagnostic_per_line(bad_file):
    result = run_cli("validate", bad_file)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    expected = {p.code for p in ge.validate(ge.load(bad_file))}
    assert len(lines) == len(ge.validate(ge.load(bad_file)))
    assert {line.rsplit("[", 1)[1].rstrip("]") for line in lines} == expected
    assert all(line.split(":")[0] in ("error", "warning", "hint") for line in lines)
    assert any("Linear 2" in line and "port-open" in line for line in lines)
    assert any("Input 1" in line and "dataset-features" in line for line in lines)
    assert not any("linear2" in line or "input1" in line for line in lines)


def test_warnings_alone_exit_0(tmp_path):
    d = good_diagram()
    d.add("Target")  # wired nowhere: a dead-end warning, no error
    path = tmp_path / "warn.json"
    ge.save(d, path)
    result = run_cli("validate", path)
    assert result.returncode == 0
    assert result.stdout.startswith("warning: Target 1") and "dead-end" in result.stdout


# ------------------------------------------------------------ compile and export

def test_compile_writes_importable_source(good_file, tmp_path):
    out = tmp_path / "net_source.py"
    result = run_cli("compile", good_file, "-o", out)
    assert result.returncode == 0, result.stderr
    module = import_file(out)
    net = ge.compile(ge.load(good_file), seed=0)
    model = module.CircleClassifierNet()
    model.load_state_dict(net.model.state_dict())
    assert list(model.state_dict()) == list(net.model.state_dict())


def test_compile_prints_the_source_without_o(good_file):
    result = run_cli("compile", good_file)
    assert result.returncode == 0
    assert result.stdout == ge.to_python(ge.load(good_file))


def test_compile_on_errors_exits_1(bad_file, tmp_path):
    result = run_cli("compile", bad_file, "-o", tmp_path / "x.py")
    assert result.returncode == 1
    assert "port-open" in result.stderr and not (tmp_path / "x.py").exists()


def test_export_python_works(good_file, tmp_path):
    out = tmp_path / "exported.py"
    result = run_cli("export", good_file, "--python", out)
    assert result.returncode == 0, result.stderr
    assert out.read_text() == ge.to_python(ge.load(good_file))


def test_compile_to_a_missing_folder_exits_2(good_file, tmp_path):
    result = run_cli("compile", good_file, "-o", tmp_path / "no" / "x.py")
    assert result.returncode == 2 and "cannot write" in result.stderr


# ------------------------------------------------------------ train

def test_train_json_and_saved_weights(good_file, tmp_path):
    import torch

    from graph_engine.build.weights import load_weights
    from graph_engine.data import datasets
    from graph_engine.training.trainer import to_tensors

    weights = tmp_path / "w.safetensors"
    result = run_cli("train", good_file, "--epochs", "3", "--seed", "2", "--json",
                     "--optimizer", "adam", "--lr", "0.01", "--batch-size", "8",
                     "--save-weights", weights)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)  # one JSON object and nothing else
    assert set(summary) >= {"epochs", "seconds", "train_loss", "test_loss", "test_accuracy"}
    assert summary["epochs"] == 3 and 0 <= summary["test_accuracy"] <= 1
    assert summary["seconds"] >= 0
    diagram = ge.load(good_file)
    net = ge.compile(diagram)
    load_weights(net.model, weights)  # the trained weights reproduce the reported loss
    data = to_tensors(net, datasets.load(diagram.dataset))
    with torch.no_grad():
        loss = float(net.loss_fn(net.model.eval()(data.x_train), data.y_train))
    assert loss == pytest.approx(summary["train_loss"], rel=1e-5)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_train_shows_a_progress_bar_on_a_terminal_only(good_file, monkeypatch, capsys):
    from graph_engine import cli

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(["train", str(good_file), "--epochs", "3"]) == 0
    bar = terminal.getvalue()
    assert "epoch 3/3" in bar and "loss " in bar and bar.endswith("\n")
    assert "epochs in" in capsys.readouterr().out
    silent = Terminal()
    monkeypatch.setattr(sys, "stderr", silent)
    assert cli.main(["train", str(good_file), "--epochs", "3", "--json"]) == 0
    assert silent.getvalue() == ""
    assert json.loads(capsys.readouterr().out)["epochs"] == 3


def test_train_on_an_unknown_dataset_exits_2(good_file):
    result = run_cli("train", good_file, "--dataset", "mnist", "--epochs", "1")
    assert result.returncode == 2
    assert "unknown data set" in result.stderr and "Traceback" not in result.stderr


# ------------------------------------------------------------ bad arguments

@pytest.mark.parametrize("args", [
    ("validate",),
    ("train", "{good}", "--epochs", "many"),
    ("train", "{good}", "--optimizer", "lbfgs"),
    ("export", "{good}"),
    ("export", "{good}", "--python", "a.py", "--onnx", "b.onnx"),
    ("compile", "{good}", "--frobnicate"),
])
def test_bad_arguments_exit_2(args, good_file):
    result = run_cli(*(a.format(good=good_file) for a in args))
    assert result.returncode == 2
    assert result.stderr.strip() and "Traceback" not in result.stderr


def test_help_exits_0():
    result = run_main_py("--help")  # smoke test: a real process
    assert result.returncode == 0 and "validate" in result.stdout


# ------------------------------------------------------------ training that fails

def test_train_that_diverges_says_what_to_try_and_exits_1(good_file):
    result = run_cli("train", good_file, "--optimizer", "sgd", "--lr", "1e6")
    assert result.returncode == 1  # the diagram does not train: not a bad argument (2)
    assert result.stderr == ("netcanvas: training diverged: the loss became infinite or NaN "
                             "in epoch 1, so training stopped and kept the initial weights. "
                             "The learning rate 1e+06 is probably too high: try --lr 100000.\n")
    assert result.stdout.startswith("0 epochs in ")


def test_an_unexpected_training_error_is_one_line_and_exits_1(good_file, monkeypatch, capsys):
    from graph_engine import cli
    from graph_engine.training.trainer import Trainer

    def broken_epoch(self, limit):
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied\n(the torch detail)")

    monkeypatch.setattr(Trainer, "run_epochs", broken_epoch)
    assert cli.main(["train", str(good_file), "--json"]) == 1
    out, err = capsys.readouterr()
    assert err == ("netcanvas: training failed: RuntimeError: mat1 and mat2 shapes cannot be "
                   "multiplied\n")
    assert out == ""


def test_train_help_documents_the_exit_status():
    result = run_cli("train", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "Exit status: 0 success; 1 the diagram has errors, or training diverged or failed; " \
           "2 an unreadable file or bad arguments" in text
    assert "training failed: ..." in text and "lower --lr" in text


# ------------------------------------------------------------ Ctrl-C

def test_ctrl_c_during_training_says_where_it_stopped_and_writes_nothing(good_file, tmp_path):
    """A student at a terminal presses Ctrl-C once the progress bar moves."""
    import os
    import pty
    import signal

    weights = tmp_path / "w.safetensors"
    terminal, child_side = pty.openpty()  # a terminal, so the progress bar shows
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "train", str(good_file),
                                "--epochs", "1000000", "--save-weights", str(weights)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=child_side)
    os.close(child_side)
    try:
        shown = read_terminal_until(terminal, b" epoch ")  # training is under way
        process.send_signal(signal.SIGINT)
        assert process.wait(60) == 130
        shown += read_terminal_until(terminal, None)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()
        os.close(terminal)
    text = shown.decode().replace("\r\n", "\n")
    last = text.strip().splitlines()[-1]
    assert re.fullmatch(r"netcanvas: interrupted after [1-9]\d* epochs?", last), text
    assert "Traceback" not in text
    assert sorted(os.listdir(tmp_path)) == ["good.json"]  # no weights, no temporary file


def read_terminal_until(terminal: int, marker: bytes | None, timeout: float = 120) -> bytes:
    """What the child wrote to its terminal, until ``marker`` (None: until it closes)."""
    import os
    import select
    import time

    seen, deadline = b"", time.monotonic() + timeout
    while marker is None or marker not in seen:
        assert time.monotonic() < deadline, seen
        ready, _, _ = select.select([terminal], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the child closed its side
            chunk = b""
        if not chunk:
            break
        seen += chunk
    return seen


def test_an_interrupt_counts_the_finished_epochs(good_file, tmp_path, monkeypatch, capsys):
    from graph_engine import cli
    from graph_engine.training.trainer import Trainer

    real_epochs = Trainer.run_epochs

    def pressed_after_three(self, limit):
        if self.epoch == 3:
            raise KeyboardInterrupt
        return real_epochs(self, 1)

    monkeypatch.setattr(Trainer, "run_epochs", pressed_after_three)
    weights = tmp_path / "w.safetensors"
    code = cli.main(["train", str(good_file), "--epochs", "10", "--save-weights", str(weights)])
    assert code == 130
    assert capsys.readouterr() == ("", "netcanvas: interrupted after 3 epochs\n")
    assert not weights.exists()


def test_an_interrupt_outside_training_is_one_line_too(good_file, monkeypatch, capsys):
    from graph_engine import cli

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load", interrupted)
    assert cli.main(["validate", str(good_file)]) == 130
    assert capsys.readouterr().err == "netcanvas: interrupted\n"


# ------------------------------------------------------------ trace

def test_trace_follows_sample_0_of_the_test_set_by_default(good_file):
    from graph_engine.data import datasets

    result = run_cli("trace", good_file, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # one JSON object and nothing else
    diagram = ge.load(good_file)
    data = datasets.load(diagram.dataset)
    expected = ge.trace(diagram, data.x_test[0], data.y_test[0])
    assert report["sample"] == "sample 0 of the test set"
    assert report["x"] == [data.x_test[0].tolist()] and report["y"] == [int(data.y_test[0])]
    assert report["loss"] == expected.loss and report["order"] == expected.order
    hidden = report["blocks"][1]
    assert hidden["param_grads"]["weight"] == expected.blocks[hidden["id"]].param_grads[
        "weight"].tolist()
    assert set(hidden) >= {"inputs", "output", "grad", "grad_inputs", "param_grads"}


def test_trace_prints_forward_then_backward_block_by_block(good_file):
    result = run_cli("trace", good_file, "--x", "0.5,-1.2", "--y", "1")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    forward, backward = text.split("Forward", 1)[1].split("Backward", 1)
    names = [b.name for b in ge.load(good_file).blocks]
    assert [n for n in names if n in forward] == names
    assert sorted(names, key=forward.index) == names
    assert sorted(names, key=backward.index) == names[::-1]
    assert "dL/d weight" in backward and "x = [0.5, -1.2]   y = 1" in text
    loss = ge.trace(ge.load(good_file), [0.5, -1.2], 1).loss
    assert text.strip().endswith(f"loss {loss:.4g}")


def test_trace_with_trained_weights(good_file, tmp_path):
    weights = tmp_path / "w.safetensors"
    assert run_cli("train", good_file, "--save-weights", weights).returncode == 0
    result = run_cli("trace", good_file, "--sample", "3", "--weights", weights, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    diagram = ge.load(good_file)
    x, y = report["x"][0], report["y"][0]
    assert report["loss"] == ge.trace(diagram, x, y, weights=str(weights)).loss
    assert report["loss"] != ge.trace(diagram, x, y).loss


@pytest.mark.parametrize("args, message", [
    (["--x", "0.5"], "takes 2 feature"),
    (["--x", "a,b"], "--x takes numbers separated by commas"),
    (["--x", "0.5,1", "--y", "7"], "whole number from 0 to 1, not 7"),
    (["--sample", "100000"], "there is no sample 100000"),
    (["--weights", "missing.safetensors"], "cannot read"),
    (["--sample", "1", "--x", "0,0"], "not allowed with argument"),
])
def test_trace_refuses_bad_arguments_with_one_line_and_exit_2(good_file, args, message):
    result = run_cli("trace", good_file, *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_trace_without_a_data_set_needs_the_features(tmp_path):
    d = good_diagram()
    d.dataset = None
    path = tmp_path / "no-data.json"
    ge.save(d, path)
    result = run_cli("trace", path)
    assert result.returncode == 2 and "no data set" in result.stderr
    assert run_cli("trace", path, "--x", "1,2").returncode == 0


def test_trace_on_errors_exits_1(bad_file):
    result = run_cli("trace", bad_file, "--x", "1,2,3")
    assert result.returncode == 1 and "port-open" in result.stderr


def test_trace_of_the_autograd_example_prints_12_for_the_inputs_gradient():
    result = run_cli("trace", ROOT / "resources" / "examples" / "autograd.json", "--x", "1")
    assert result.returncode == 0, result.stderr
    forward, backward = result.stdout.split("Backward", 1)
    assert re.search(r"^  CustomActivation 1 +18 ", forward, re.M)
    assert re.search(r"^  Input 1 +dL/d output = 12$", backward, re.M)
