"""Exported source, imported as a module and compared with the compiled network."""

from __future__ import annotations

import ast
import importlib.util

import torch

import graph_engine as ge


def import_source(source: str, folder, name: str = "exported_net"):
    """Write ``source`` to ``folder/name.py`` and import it as a fresh module."""
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"netcanvas_test_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def class_defs(source: str) -> dict[str, ast.ClassDef]:
    tree = ast.parse(source)
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


def export_and_compare(diagram: ge.Diagram, tmp_path, features: int, seed: int = 0):
    """Export, import, load the compiled weights, compare outputs; return the source."""
    net = ge.compile(diagram, seed=seed)
    source = ge.to_python(diagram)
    module = import_source(source, tmp_path)
    exported = module.Net()
    assert list(exported.state_dict()) == list(net.model.state_dict())
    exported.load_state_dict(net.model.state_dict())
    x = torch.randn(7, features, generator=torch.Generator().manual_seed(2))
    expected = net.model.eval()(x)
    torch.testing.assert_close(exported.eval()(x), expected, atol=1e-6, rtol=1e-6)
    return source, module, net
