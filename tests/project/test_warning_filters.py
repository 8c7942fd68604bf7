"""pytest's warning filters: NetCanvas's own warnings fail a test, a library's
deprecation inside the library does not.

Each case issues a warning as if from a module (the name a filter matches,
as for a warning raised in that module's code) under the filters pyproject.toml
sets for every test.
"""

from __future__ import annotations

import warnings

import pytest


def warn_from(module: str, category: type[Warning]) -> None:
    warnings.warn_explicit("an old API", category, f"{module.replace('.', '/')}.py", 1,
                           module=module)


@pytest.mark.parametrize("module", ["torch", "torch.onnx._internal.exporter",
                                    "pyqtgraph.graphicsItems.PlotItem", "sklearn.utils",
                                    "onnx.helper", "onnxscript.values"])
def test_a_deprecation_inside_a_library_does_not_fail(module):
    with warnings.catch_warnings(record=True) as caught:
        warn_from(module, DeprecationWarning)
    assert caught == []  # ignored, not shown either


@pytest.mark.parametrize("module", ["graph_engine.build.compiler", "gui.canvas.scene",
                                    "test_cli", "benchmarks.training", "torchlike",
                                    "onnxruntime.capi"])
def test_a_deprecation_anywhere_else_fails(module):
    with pytest.raises(DeprecationWarning, match="an old API"):
        warn_from(module, DeprecationWarning)


@pytest.mark.parametrize("module", ["torch.nn.modules.module", "graph_engine.core.files"])
@pytest.mark.parametrize("category", [UserWarning, RuntimeWarning, FutureWarning])
def test_other_warnings_fail_wherever_they_come_from(module, category):
    with pytest.raises(category, match="an old API"):
        warn_from(module, category)
