"""Feature maps: PolynomialFeatures is scikit-learn's, Multiply is an elementwise
product; both infer their shapes, export as PyTorch source and as ONNX."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from exporting import export_and_compare
from nets import wire
from sklearn.preprocessing import PolynomialFeatures as SkPolynomialFeatures

import graph_engine as ge
from graph_engine.blocks.catalogue.layers import polynomial_count
from graph_engine.blocks.modules import PolynomialFeatures

CONFIGURATIONS = [(features, degree, interaction_only, include_bias)
                  for features in (1, 2, 3, 5)
                  for degree in (1, 2, 3)
                  for interaction_only in (False, True)
                  for include_bias in (True, False)]


@pytest.mark.parametrize(("features", "degree", "interaction_only", "include_bias"),
                         CONFIGURATIONS)
def test_polynomial_features_match_scikit_learn(features, degree, interaction_only,
                                                include_bias):
    x = np.random.default_rng(features * 10 + degree).normal(size=(13, features))
    expected = SkPolynomialFeatures(degree=degree, interaction_only=interaction_only,
                                    include_bias=include_bias).fit_transform(x)
    if expected.shape[1] == 0:
        return
    module = PolynomialFeatures(features, degree, interaction_only, include_bias)
    got = module(torch.as_tensor(x, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert polynomial_count(features, degree, interaction_only, include_bias) == \
        expected.shape[1] == module.out_features


def polynomial_net(features: int = 2, **params) -> tuple[ge.Diagram, str]:
    d = ge.Diagram()
    poly = d.add("PolynomialFeatures", **params)
    wire(d, d.add("Input", features=features), poly, d.add("Linear", out_features=1),
          d.add("MSELoss"))
    return d, poly


def test_the_shape_is_inferred_and_a_linear_layer_takes_it():
    d, _ = polynomial_net(3, degree=2)
    assert not ge.validate(d)
    net = ge.compile(d)
    assert net.model(torch.zeros(4, 3)).shape == (4, 1)
    assert sum(p.numel() for p in net.model.parameters()) == 10 + 1  # 10 columns, a bias
    assert not any("index" in key for key in net.model.state_dict())


def test_too_many_columns_are_refused_with_the_count():
    d, poly = polynomial_net(64, degree=3)
    problems = [p for p in ge.validate(d) if p.code == "shape-mismatch"]
    assert problems and "47,905" in problems[0].message and poly in problems[0].block_ids


def test_parameters_are_checked():
    d = ge.Diagram()
    with pytest.raises(ValueError, match="degree"):
        d.add("PolynomialFeatures", degree=0)


@pytest.mark.parametrize("params", [{}, {"degree": 3, "include_bias": False},
                                    {"interaction_only": True}])
def test_polynomial_features_export_as_python(params, tmp_path):
    d, _ = polynomial_net(3, **params)
    source, _, _ = export_and_compare(d, tmp_path, features=3)
    assert "import itertools" in source
    assert source.count("class PolynomialFeatures(nn.Module)") == 1


def test_two_configurations_share_one_helper_class(tmp_path):
    d = ge.Diagram()
    x, cat = d.add("Input", features=2), d.add("Concat")
    wire(d, x, d.add("PolynomialFeatures", degree=2), cat)
    wire(d, x, d.add("PolynomialFeatures", degree=3, interaction_only=True), cat)
    wire(d, cat, d.add("Linear", out_features=1), d.add("MSELoss"))
    source, _, _ = export_and_compare(d, tmp_path, features=2)
    assert source.count("class PolynomialFeatures(") == 1
    assert "PolynomialFeatures(2, degree=3, interaction_only=True)" in source


def squares() -> ge.Diagram:
    """Two Input blocks into Multiply: [x1², x2²], then a linear classifier."""
    d = ge.Diagram()
    mul = d.add("Multiply")
    d.connect(d.add("Input", features=2), mul)
    d.connect(d.add("Input", features=2), mul)
    wire(d, mul, d.add("Linear", out_features=2), d.add("CrossEntropyLoss"))
    return d


def test_multiply_is_the_elementwise_product(tmp_path):
    d = squares()
    assert not ge.validate(d)
    x = torch.randn(5, 2)
    net = ge.compile(d)
    linear = net.model.get_submodule(next(n for n, m in net.model.named_modules()
                                          if isinstance(m, torch.nn.Linear)))
    torch.testing.assert_close(net.model(x), linear(x * x))
    source, _, _ = export_and_compare(d, tmp_path, features=2)
    assert "x * x" in source


def test_multiply_refuses_unequal_sizes():
    d = ge.Diagram()
    x, mul = d.add("Input", features=2), d.add("Multiply")
    wire(d, x, d.add("Linear", out_features=3), mul)
    d.connect(x, mul)
    wire(d, mul, d.add("Linear", out_features=1), d.add("MSELoss"))
    problems = [p for p in ge.validate(d) if p.code == "shape-mismatch"]
    assert problems and "Multiply needs inputs of equal size, got 3 and 2" in \
        problems[0].message


def feature_net() -> ge.Diagram:
    """Playground's seven inputs: polynomial terms, sines, and a product."""
    d = ge.Diagram()
    x, cat, mul = d.add("Input", features=2), d.add("Concat"), d.add("Multiply")
    wire(d, x, d.add("PolynomialFeatures", degree=2, include_bias=False), cat)
    wire(d, x, d.add("CustomActivation", formula="sin(x)"), mul)
    wire(d, x, d.add("Tanh"), mul)
    d.connect(mul, cat)
    wire(d, cat, d.add("Linear", out_features=2), d.add("CrossEntropyLoss"))
    return d


def test_feature_maps_export_to_onnx_with_the_same_outputs(tmp_path):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from graph_engine.build.export import export_onnx

    net = ge.compile(feature_net(), seed=1)
    path = tmp_path / "features.onnx"
    export_onnx(net, path)
    onnx.checker.check_model(onnx.load(str(path)))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).normal(size=(9, 2)).astype(np.float32)
    (got,) = session.run(None, {"x": x})
    with torch.no_grad():
        expected = net.model.eval()(torch.as_tensor(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
