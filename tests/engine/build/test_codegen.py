"""Code export: the source ``to_python`` writes is real, importable PyTorch.

Each exported file is written to a temporary folder and imported as a module
(never executed as a string). Its class must have the compiled module's
``state_dict`` keys, accept the compiled weights, and compute the same outputs.
"""

from __future__ import annotations

import ast

import pytest
import torch
from exporting import class_defs, export_and_compare, import_source
from nets import wire

import graph_engine as ge


def method_names(node: ast.ClassDef) -> set[str]:
    return {item.name for item in node.body if isinstance(item, ast.FunctionDef)}


# ------------------------------------------------------------ networks

def mlp() -> ge.Diagram:
    d = ge.Diagram()
    wire(d, d.add("Input", features=2), d.add("Linear", out_features=8), d.add("ReLU"),
          d.add("Dropout", p=0.2), d.add("Linear", out_features=3, bias=False),
          d.add("LeakyReLU", negative_slope=0.2), d.add("Linear", out_features=3),
          d.add("CrossEntropyLoss", label_smoothing=0.1))
    return d


def residual() -> ge.Diagram:
    d = ge.Diagram()
    x, stem, relu = d.add("Input", features=3), d.add("Linear", out_features=4), d.add("ReLU")
    branch, add = d.add("Linear", out_features=4), d.add("Add")
    wire(d, x, stem, relu, branch, add, d.add("Linear", out_features=2),
          d.add("CrossEntropyLoss"))
    d.connect(relu, add)
    return d


def concat() -> ge.Diagram:
    d = ge.Diagram()
    x, cat = d.add("Input", features=2), d.add("Concat")
    wire(d, x, d.add("Linear", out_features=3), d.add("Tanh"), cat)
    wire(d, x, d.add("Linear", out_features=2), d.add("Step"), cat)
    wire(d, cat, d.add("Linear", out_features=1), d.add("BCEWithLogitsLoss"))
    return d


def two_formulas() -> ge.Diagram:
    d = ge.Diagram()
    x, cat = d.add("Input", features=2), d.add("Concat")
    lecture = "where(x <= 0, 1 / (1 + alpha * exp(-x)), x)"
    wire(d, x, d.add("Linear", out_features=4), d.add("CustomActivation", formula=lecture),
          cat)
    wire(d, x, d.add("Linear", out_features=4),
          d.add("CustomActivation", formula="x * sigmoid(beta * x) + gamma"), cat)
    wire(d, cat, d.add("Linear", out_features=3), d.add("CrossEntropyLoss"))
    return d


# ------------------------------------------------------------ tests

def test_chain_exports_a_sequential(tmp_path):
    source, module, _net = export_and_compare(mlp(), tmp_path, features=2)
    classes = class_defs(source)
    assert {"__init__", "forward"} <= method_names(classes["Net"])
    assert "nn.Sequential(" in source
    assert "nn.Linear(8, 3, bias=False)" in source
    assert "nn.LeakyReLU(negative_slope=0.2)" in source
    assert isinstance(module.loss_fn, torch.nn.CrossEntropyLoss)
    assert module.loss_fn.label_smoothing == 0.1


def test_exported_chain_matches_in_training_mode(tmp_path):
    """Dropout in both, same generator state: identical outputs while training too."""
    _, module, net = export_and_compare(mlp(), tmp_path, features=2)
    exported = module.Net()
    exported.load_state_dict(net.model.state_dict())
    x = torch.randn(6, 2)
    torch.manual_seed(9)
    mine = net.model.train()(x)
    torch.manual_seed(9)
    torch.testing.assert_close(exported.train()(x), mine)


@pytest.mark.parametrize("build, features", [(residual, 3), (concat, 2), (two_formulas, 2)],
                         ids=["add", "concat-step", "two-formulas"])
def test_dag_exports_load_the_compiled_weights(build, features, tmp_path):
    source, _, _ = export_and_compare(build(), tmp_path, features)
    assert {"__init__", "forward"} <= method_names(class_defs(source)["Net"])


def test_add_and_concat_appear_in_forward(tmp_path):
    assert " + " in ge.to_python(residual())
    assert "torch.cat([" in ge.to_python(concat())


def test_step_gets_a_helper_class(tmp_path):
    source, module, _ = export_and_compare(concat(), tmp_path, features=2)
    assert "forward" in method_names(class_defs(source)["Step"])
    x = torch.tensor([[-1.0, 0.0, 2.0]], requires_grad=True)
    out = module.Step()(x)
    assert out.tolist() == [[0.0, 0.0, 1.0]]
    out.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0]]


def test_two_formulas_give_two_classes_with_their_parameters(tmp_path):
    d = two_formulas()
    net = ge.compile(d, seed=0)
    with torch.no_grad():  # move the learnable scalars away from 1 so loading matters
        for name, param in net.model.named_parameters():
            if param.dim() == 0:
                param.fill_(0.5 + len(name) / 10)
    source = ge.to_python(d)
    classes = class_defs(source)
    assert {"CustomActivation1", "CustomActivation2"} <= set(classes)
    module = import_source(source, tmp_path)
    exported = module.Net()
    exported.load_state_dict(net.model.state_dict())
    x = torch.randn(5, 2)
    torch.testing.assert_close(exported(x), net.model(x))
    scalars = {k.rsplit(".", 1)[-1] for k, v in exported.state_dict().items() if v.dim() == 0}
    assert scalars == {"alpha", "beta", "gamma"}


def test_identical_formulas_share_one_class():
    d = ge.Diagram()
    formula = "x * sigmoid(x)"
    wire(d, d.add("Input", features=2), d.add("Linear", out_features=4),
          d.add("CustomActivation", formula=formula), d.add("Linear", out_features=4),
          d.add("CustomActivation", formula=formula), d.add("Linear", out_features=1),
          d.add("MSELoss"))
    classes = class_defs(ge.to_python(d))
    assert "CustomActivation" in classes and "CustomActivation2" not in classes


def test_formula_with_pi_imports_math(tmp_path):
    d = ge.Diagram()
    wire(d, d.add("Input", features=2), d.add("Linear", out_features=3),
          d.add("CustomActivation", formula="sin(pi * x) + x"), d.add("Linear", out_features=1),
          d.add("MSELoss"))
    source, _, _ = export_and_compare(d, tmp_path, features=2)
    assert "import math" in source


def test_normalisation_layers_and_prelu_export(tmp_path):
    d = ge.Diagram()
    wire(d, d.add("Input", features=3), d.add("Linear", out_features=5),
          d.add("BatchNorm1d", momentum=0.2), d.add("PReLU", num_parameters=5, init=0.1),
          d.add("LayerNorm", eps=1e-3), d.add("ELU", alpha=0.5), d.add("GELU", approximate="tanh"),
          d.add("Softplus", beta=2.0), d.add("Linear", out_features=2), d.add("LogSoftmax"),
          d.add("NLLLoss"))
    net = ge.compile(d, seed=1)
    net.model.eval()
    source = ge.to_python(d)
    module = import_source(source, tmp_path)
    exported = module.Net().eval()
    assert list(exported.state_dict()) == list(net.model.state_dict())
    exported.load_state_dict(net.model.state_dict())
    x = torch.randn(6, 3)
    torch.testing.assert_close(exported(x), net.model(x))


def test_title_names_the_class(tmp_path):
    d = mlp()
    d.title = "xor solver"
    source = ge.to_python(d)
    assert "XorSolverNet" in class_defs(source)
    module = import_source(source, tmp_path, "titled")
    assert isinstance(module.XorSolverNet(), torch.nn.Module)


def test_network_without_loss_exports_without_loss_fn(tmp_path):
    d = ge.Diagram()
    wire(d, d.add("Input", features=2), d.add("Linear", out_features=3), d.add("Softmax"))
    source = ge.to_python(d)
    assert "loss_fn" not in source
    assert "nn.Softmax(dim=1)" in source
    ast.parse(source)


def test_export_refuses_a_diagram_with_errors():
    d = ge.Diagram()
    d.add("Linear")
    with pytest.raises(ge.DiagramError):
        ge.to_python(d)
