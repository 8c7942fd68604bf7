"""The CustomActivation formula parser: what it accepts, computes, prints and refuses.

Accepted formulas are evaluated against the same expression written in torch.
Their printed source is checked by writing it into a module file and importing
it (never by eval). Refused formulas raise FormulaError (a ValueError).
"""

from __future__ import annotations

import importlib.util
import keyword
import re

import pytest
import torch

from graph_engine.core import formula as F
from graph_engine.core.formula import FormulaError

X = torch.linspace(-3, 3, 61)
PARAMS = {"alpha": torch.tensor(0.7), "beta": torch.tensor(1.3)}

ACCEPTED = {
    "where(x <= 0, 1 / (1 + alpha * exp(-x)), x)":
        lambda x, p: torch.where(x <= 0, 1 / (1 + p["alpha"] * torch.exp(-x)), x),
    "x * sigmoid(beta * x)": lambda x, p: x * torch.sigmoid(p["beta"] * x),
    "max(x, 0.1 * x)": lambda x, p: torch.maximum(x, 0.1 * x),
    "min(x, 1)": lambda x, p: torch.clamp(x, max=1.0),
    "-x ** 2": lambda x, p: -(x**2),
    "(-x) ** 2": lambda x, p: x**2,
    "2 ** -x": lambda x, p: 2.0 ** (-x),
    "abs(x) ** 2 ** 0.5": lambda x, p: x.abs() ** (2**0.5),
    "x - x / 3 * 2": lambda x, p: x - x / 3 * 2,
    "x - (x - 1)": lambda x, p: torch.ones_like(x),
    "softplus(beta * x) / beta": lambda x, p: torch.nn.functional.softplus(p["beta"] * x)
    / p["beta"],
    "tanh(x) + e - pi": lambda x, p: torch.tanh(x) + torch.e - torch.pi,
    "sqrt(abs(x) + 1) * cos(x) * sin(x)":
        lambda x, p: torch.sqrt(x.abs() + 1) * torch.cos(x) * torch.sin(x),
    "x * (1 + erf(x / sqrt(2))) / 2":
        lambda x, p: x * (1 + torch.erf(x / 2**0.5)) / 2,
    "log(1 + exp(x))": lambda x, p: torch.log(1 + torch.exp(x)),
    "relu(x) - alpha * relu(-x)": lambda x, p: torch.relu(x) - p["alpha"] * torch.relu(-x),
    "where(x != 0, x, 1.5e-3)": lambda x, p: torch.where(x != 0, x, torch.tensor(1.5e-3)),
    "where(alpha * x >= beta, 1, 0)": lambda x, p: (p["alpha"] * x >= p["beta"]).float(),
    "+x * .5": lambda x, p: x * 0.5,
}


@pytest.mark.parametrize("text", list(ACCEPTED))
def test_accepted_formulas_compute_like_torch(text):
    parsed = F.parse(text)
    params = {name: PARAMS[name] for name in parsed.params}
    got = F.evaluate(parsed.tree, X, params)
    torch.testing.assert_close(torch.as_tensor(got).expand_as(X), ACCEPTED[text](X, PARAMS))


def test_parameters_are_listed_in_order_of_first_use():
    assert F.parse("beta * x + alpha * beta").params == ("beta", "alpha")
    assert F.parse("x * e").params == ()


def test_formula_text_is_stripped():
    assert F.parse("  x * 2  ").text == "x * 2"


# ------------------------------------------------------------ printed source

def import_functions(texts: list[str], folder):
    """One generated module with a function per formula, imported from its file."""
    lines = ["import math", "import torch", "from torch import nn", ""]
    for index, text in enumerate(texts):
        parsed = F.parse(text)
        lines += [f"def f{index}(x, {', '.join(['params', *()])}):"]
        lines += [f"    {name} = params[{name!r}]" for name in parsed.params]
        lines += [f"    return {F.to_source(parsed.tree, param_prefix='')}", ""]
    path = folder / "formulas.py"
    path.write_text("\n".join(lines), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("netcanvas_test_formulas", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_printed_source_computes_what_evaluate_computes(tmp_path):
    texts = list(ACCEPTED)
    module = import_functions(texts, tmp_path)
    for index, text in enumerate(texts):
        parsed = F.parse(text)
        expected = torch.as_tensor(F.evaluate(parsed.tree, X, PARAMS)).expand_as(X)
        got = torch.as_tensor(getattr(module, f"f{index}")(X, PARAMS)).expand_as(X)
        torch.testing.assert_close(got, expected, msg=text)


@pytest.mark.parametrize("text, source", [
    ("-x ** 2", "-x ** 2.0"),
    ("(-x) ** 2", "(-x) ** 2.0"),
    ("(x ** 2) ** 3", "(x ** 2.0) ** 3.0"),
    ("x - (x - 1)", "x - (x - 1.0)"),
    ("alpha * x", "self.alpha * x"),
    ("sqrt(2) * x", "torch.sqrt(torch.tensor(2.0)) * x"),
    ("x * pi", "x * math.pi"),
])
def test_printed_source_keeps_precedence(text, source):
    assert F.to_source(F.parse(text).tree) == source


# ------------------------------------------------------------ refused formulas

REFUSED = {
    "x.exp()": "unexpected character '.'",
    "torch.exp(x)": "unexpected character '.'",
    "x.__class__": "unexpected character",
    "x + __import__": "cannot be a parameter name",
    "__import__('os')": "unexpected character",
    "import os": "cannot be a parameter name",
    "lambda: x": "unexpected character ':'",
    "open(x)": "unknown function 'open'",
    "exp(x, x)": "takes 1 argument",
    "where(x, 1, 0)": "must be a comparison",
    "x ** 100": "exponents above 64",
    "x ** 1e7": "numbers must lie within",
    "x > 0": "comparison can only be",
    "where(x > 0, x > 1, x)": "comparison can only be",
    "x + (x < 1)": "comparison can only be",
    "where(1 > 0, x, 0)": "must depend on x",
    "2 + 3": "must use x",
    "": "empty",
    "x +": "expected a number",
    "(x": "expected ')'",
    "exp": "is a function",
    "x $ 2": "unexpected character '$'",
    "Alpha * x": "cannot be a parameter name",
    "abcdefghijklmnopq * x": "at most 16 letters",
    "a*b*c*d*e1*f*g*h*i*x": "at most 8 parameters",
}


@pytest.mark.parametrize("text", list(REFUSED))
def test_refused_formulas_say_why(text):
    with pytest.raises(FormulaError, match=re.escape(REFUSED[text])):
        F.parse(text)


def test_errors_point_at_the_column():
    with pytest.raises(FormulaError) as caught:
        F.parse("x + y $")
    assert caught.value.position == 6
    assert "column 7" in str(caught.value)


def test_formula_error_is_a_value_error():
    assert issubclass(FormulaError, ValueError)


@pytest.mark.parametrize("text", [
    "(" * 45 + "x" + ")" * 45,
    "-" * 45 + "x",
    "exp(" * 45 + "x" + ")" * 45,
])
def test_deep_nesting_is_refused(text):
    with pytest.raises(FormulaError, match="nested too deeply"):
        F.parse(text)


def test_too_long_is_refused():
    text = "x" + " + x" * 100
    with pytest.raises(FormulaError, match="longer than"):
        F.parse(text)


def test_not_text_is_refused():
    with pytest.raises(FormulaError):
        F.parse(42)


@pytest.mark.parametrize("name", ["training", "parameters", "eval", "forward", "cuda", "to",
                                  "type", "state_dict", "self", "torch", "nn"])
def test_names_shadowing_module_attributes_are_refused(name):
    with pytest.raises(FormulaError, match="cannot be a parameter name"):
        F.parse(f"{name} * x")


@pytest.mark.parametrize("name", [k for k in keyword.kwlist if k.islower()])
def test_python_keywords_are_refused_as_parameter_names(name):
    """self.<keyword> would be a syntax error in the exported class."""
    with pytest.raises(FormulaError):
        F.parse(f"x * {name}")


@pytest.mark.parametrize("text", [
    "x + 10 ** (300 + 10)",  # overflows a Python float
    "x + 1 / (2 - 2)",  # division by zero
    "x + (-8) ** 0.5",  # a complex number
    "x ** (8 * 9)",  # a huge exponent, computed
    "x ** (9 ** (8 * 8 * 8))",  # a computed exponent that overflows
])
def test_constant_parts_that_fail_are_refused(text):
    with pytest.raises(FormulaError):
        F.parse(text)


def test_module_attributes_cover_every_public_nn_module_name():
    public = {n for n in dir(torch.nn.Module) if re.fullmatch(r"[a-z][a-z0-9_]*", n)}
    assert public <= F.MODULE_ATTRIBUTES, sorted(public - F.MODULE_ATTRIBUTES)
