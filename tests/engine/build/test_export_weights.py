"""``export --weights``: trained weights reach the ONNX file, and the exported
Python loads the weights file when run; weights of another network are refused
before anything is written."""

from __future__ import annotations

import ast
import contextlib
import io
import runpy

import numpy as np
import pytest
import torch
from commands import good_diagram, run_cli

import graph_engine as ge
from graph_engine.build.weights import load_weights


@pytest.fixture
def trained(tmp_path):
    """A diagram file and the weights ``train`` saved for it."""
    diagram, weights = tmp_path / "net.json", tmp_path / "trained.safetensors"
    ge.save(good_diagram(), diagram)
    result = run_cli("train", diagram, "--epochs", "3", "--save-weights", weights, "--json")
    assert result.returncode == 0, result.stderr
    return diagram, weights


def trained_model(diagram, weights) -> torch.nn.Module:
    net = ge.compile(ge.load(diagram), seed=0)
    load_weights(net.model, weights)
    return net.model.eval()


def test_onnx_holds_the_trained_weights(trained, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    diagram, weights = trained
    out = tmp_path / "trained.onnx"
    result = run_cli("export", diagram, "--weights", weights, "--onnx", out)
    assert result.returncode == 0, result.stderr
    assert "with the weights of" in result.stderr
    x = np.random.default_rng(0).normal(size=(6, 2)).astype(np.float32)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"x": x})
    with torch.no_grad():
        expected = trained_model(diagram, weights)(torch.as_tensor(x)).numpy()
        initial = ge.compile(ge.load(diagram), seed=0).model.eval()(torch.as_tensor(x))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    assert not np.allclose(got, initial.numpy(), atol=1e-4)


def run_script(path) -> tuple[dict, str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        namespace = runpy.run_path(str(path), run_name="__main__")
    return namespace, printed.getvalue()


@pytest.mark.parametrize("folder", ["", "code/sub"])
def test_python_loads_the_weights_file_when_run(trained, tmp_path, folder, monkeypatch):
    diagram, weights = trained
    (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    out = tmp_path / folder / "net.py"
    result = run_cli("export", diagram, "--weights", weights, "--python", out)
    assert result.returncode == 0, result.stderr
    assert "which loads" in result.stderr
    monkeypatch.chdir(tmp_path.parent)  # the path is found from the file, not the cwd
    namespace, printed = run_script(out)
    model = namespace["model"]
    x = torch.randn(5, 2)
    with torch.no_grad():
        torch.testing.assert_close(model(x), trained_model(diagram, weights)(x))
    assert "torch.Size([4, 2])" in printed


def test_a_weights_path_is_only_ever_a_literal(trained, tmp_path):
    diagram, weights = trained
    odd = tmp_path / 'w"""; import os; x = """\\.safetensors'
    odd.write_bytes(weights.read_bytes())
    out = tmp_path / "net.py"
    assert run_cli("export", diagram, "--weights", odd, "--python", out).returncode == 0
    tree = ast.parse(out.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree)
                if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names}
    assert "os" not in imported
    namespace, _ = run_script(out)
    assert "model" in namespace


def test_weights_of_another_network_are_refused_before_writing(trained, tmp_path):
    _, weights = trained
    other = good_diagram()
    hidden = next(b.id for b in other.blocks if b.type == "Linear")
    other.set_params(hidden, out_features=3)
    other_file = tmp_path / "other.json"
    ge.save(other, other_file)
    for flag, name in (("--onnx", "x.onnx"), ("--python", "x.py")):
        result = run_cli("export", other_file, "--weights", weights, flag, tmp_path / name)
        assert result.returncode == 2
        assert "shape" in result.stderr and "layer sizes differ" in result.stderr
        assert not (tmp_path / name).exists()


def test_weights_are_an_input_the_export_may_not_overwrite(trained):
    diagram, weights = trained
    result = run_cli("export", diagram, "--weights", weights, "--onnx", weights)
    assert result.returncode == 2
    assert weights.read_bytes()[:8]  # untouched, still loads
    trained_model(diagram, weights)
