"""The exported script runs where only torch is installed: it reads its weights
file without the safetensors package. A subprocess runs it with safetensors and
NetCanvas made unimportable (modules of those names that refuse to load, first
on the path), as a torch-only environment would be."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch
from commands import good_diagram, run_cli

import graph_engine as ge
from graph_engine.build.weights import load_weights

BLOCKED = ("safetensors", "graph_engine", "gui", "resources")


def torch_only(folder) -> dict:
    """An environment whose Python cannot import the BLOCKED packages."""
    shim = folder / "shim"
    shim.mkdir()
    for name in BLOCKED:
        (shim / f"{name}.py").write_text(
            f"raise ImportError('{name} is not installed here: torch alone is')\n",
            encoding="utf-8")
    return {**os.environ, "PYTHONPATH": str(shim)}


@pytest.mark.parametrize("loss", ["CrossEntropyLoss", "MultiClassHingeLoss"])
def test_the_exported_script_loads_its_weights_with_torch_alone(tmp_path, loss):
    d = good_diagram()
    old = next(b.id for b in d.blocks if b.spec.is_loss)
    feeder = d.wires_into(old)[0].src
    d.remove(old)
    d.connect(feeder, d.add(loss))
    d.training = d.training.with_(init="xavier")
    diagram, weights, script = (tmp_path / n for n in ("net.json", "w.safetensors", "net.py"))
    ge.save(d, diagram)
    assert run_cli("train", diagram, "--save-weights", weights).returncode == 0
    assert run_cli("export", diagram, "--weights", weights, "--python", script).returncode == 0
    probe = ("import runpy, torch; ns = runpy.run_path('net.py', run_name='__main__'); "
             "torch.manual_seed(0); print(ns['model'](torch.randn(3, 2)).tolist())")
    env = torch_only(tmp_path)
    blocked = subprocess.run([sys.executable, "-c", "import safetensors"], cwd=tmp_path,
                             env=env, capture_output=True, text=True, timeout=60)
    assert "torch alone is" in blocked.stderr  # the shim does block it
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    net = ge.compile(ge.load(diagram))
    load_weights(net.model, weights)
    torch.manual_seed(0)
    with torch.no_grad():
        expected = net.model.eval()(torch.randn(3, 2))
    found = torch.tensor(json.loads(result.stdout.strip().splitlines()[-1]))
    torch.testing.assert_close(found, expected)
