"""A whitelist parser for formulas: CustomActivation's, and the function data set's.

A formula is an elementwise expression in ``x`` with named scalar parameters,
for example ``where(x <= 0, 1 / (1 + alpha * exp(-x)), x)``. It is tokenised
and parsed by hand into a small tree of :class:`Node` records; nothing is
ever handed to Python's ``eval``. The tree is evaluated with torch operations
(:func:`evaluate`) and printed as PyTorch source (:func:`to_source`).

A data set's formula names other variables (``sin(x1)``, ``x1 * x2``) and no
parameters: ``parse(text, variables=("x1", "x2"), parameters=False)``. It is
evaluated with numpy (:func:`evaluate_numpy`), so the editor can check it
without loading torch.

Accepted: numbers, ``x``, parameter names, ``+ - * / **``, the comparisons
``< <= > >= == !=`` (only as the condition of ``where``), parentheses, the
constants ``pi`` and ``e``, and the functions in :data:`FUNCTIONS`.
"""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass

MAX_LENGTH = 300
MAX_DEPTH = 40
MAX_PARAMS = 8
MAX_NUMBER = 1e6
MAX_NAME = 16

# name -> (arity, torch function used in source, teaching description)
FUNCTIONS: dict[str, tuple[int, str]] = {
    "exp": (1, "torch.exp"),
    "log": (1, "torch.log"),
    "sqrt": (1, "torch.sqrt"),
    "abs": (1, "torch.abs"),
    "tanh": (1, "torch.tanh"),
    "sigmoid": (1, "torch.sigmoid"),
    "relu": (1, "torch.relu"),
    "softplus": (1, "nn.functional.softplus"),
    "sin": (1, "torch.sin"),
    "cos": (1, "torch.cos"),
    "erf": (1, "torch.erf"),
    "where": (3, "torch.where"),
    "min": (2, "torch.minimum"),
    "max": (2, "torch.maximum"),
}
CONSTANTS = {"pi": math.pi, "e": math.e}
COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")

# Names a learnable parameter may not take: they would shadow attributes of
# torch.nn.Module (a test checks this list against the real class).
MODULE_ATTRIBUTES = frozenset(
    """T_destination add_module apply bfloat16 buffers call_super_init children compile cpu
    cuda double dump_patches eval extra_repr float forward get_buffer get_extra_state
    get_parameter get_submodule half ipu load_state_dict modules mtia named_buffers
    named_children named_modules named_parameters parameters register_backward_hook
    register_buffer register_forward_hook register_forward_pre_hook
    register_full_backward_hook register_full_backward_pre_hook
    register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module
    register_parameter register_state_dict_post_hook register_state_dict_pre_hook
    requires_grad_ set_extra_state set_submodule share_memory state_dict to to_empty train
    training type xpu zero_grad""".split()
)
# Python keywords too: the exported class would say self.<name>.
RESERVED = (frozenset({"x", "torch", "nn", "self", "lambda", "import"}) | MODULE_ATTRIBUTES
            | frozenset(keyword.kwlist))

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|<=|>=|==|!=|[-+*/()<>,]))"
)


class FormulaError(ValueError):
    """A formula that is not accepted; ``position`` is a 0-based column."""

    def __init__(self, message: str, position: int | None = None) -> None:
        where = f" (at column {position + 1})" if position is not None else ""
        super().__init__(message + where)
        self.position = position


@dataclass(frozen=True)
class Node:
    """A node of the parsed formula: ``op`` is num, x, param, neg, a binary
    operator, a comparison, or a function name; ``args`` its operands."""

    op: str
    args: tuple = ()
    value: float | str | None = None  # a num node's number, a param or var node's name

    @property
    def number(self) -> float:
        """The value of a ``num`` node."""
        if not isinstance(self.value, float):
            raise TypeError(f"a {self.op!r} node holds no number")
        return self.value

    @property
    def name(self) -> str:
        """The parameter a ``param`` node names (the variable of a ``var`` node)."""
        if not isinstance(self.value, str):
            raise TypeError(f"a {self.op!r} node names no parameter")
        return self.value


@dataclass(frozen=True)
class Formula:
    text: str
    tree: Node
    params: tuple[str, ...]  # learnable parameter names, in order of first use


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens, pos = [], 0
    stripped_end = len(text.rstrip())
    while pos < stripped_end:
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos or match.lastgroup is None:
            bad = text[pos:].lstrip()[:1]
            col = pos + (len(text[pos:]) - len(text[pos:].lstrip()))
            raise FormulaError(f"unexpected character {bad!r}", col)
        kind = match.lastgroup
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    """Recursive descent with Python's precedence: comparison < + - < * / <
    unary minus < ** (right associative)."""

    def __init__(self, text: str, variables: tuple[str, ...] = ("x",),
                 parameters: bool = True) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.params: list[str] = []
        self.variables, self.parameters = variables, parameters

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            found = repr(token.text) if token.text else "the end"
            raise FormulaError(f"expected {text!r} but found {found}", token.pos)

    def parse(self) -> Node:
        node = self.comparison(0)
        token = self.peek()
        if token.kind != "end":
            raise FormulaError(f"unexpected {token.text!r}", token.pos)
        _check_comparisons(node)
        _check_constants(node)
        return node

    def comparison(self, depth: int) -> Node:
        left = self.additive(depth)
        token = self.peek()
        if token.text in COMPARISONS:
            self.take()
            right = self.additive(depth)
            return Node(token.text, (left, right))
        return left

    def additive(self, depth: int) -> Node:
        node = self.term(depth)
        while self.peek().text in ("+", "-"):
            op = self.take().text
            node = Node(op, (node, self.term(depth)))
        return node

    def term(self, depth: int) -> Node:
        node = self.unary(depth)
        while self.peek().text in ("*", "/"):
            op = self.take().text
            node = Node(op, (node, self.unary(depth)))
        return node

    def unary(self, depth: int) -> Node:
        self.check_depth(depth)
        token = self.peek()
        if token.text in ("-", "+"):
            self.take()
            operand = self.unary(depth + 1)
            return Node("neg", (operand,)) if token.text == "-" else operand
        return self.power(depth)

    def power(self, depth: int) -> Node:
        base = self.primary(depth)
        if self.peek().text == "**":
            token = self.take()
            exponent = self.unary(depth + 1)
            if exponent.op == "num" and abs(exponent.number) > 64:
                raise FormulaError("exponents above 64 are not allowed", token.pos)
            return Node("**", (base, exponent))
        return base

    def primary(self, depth: int) -> Node:
        self.check_depth(depth)
        token = self.take()
        if token.kind == "num":
            return _number(token)
        if token.text == "(":
            node = self.comparison(depth + 1)
            self.expect(")")
            return node
        if token.kind == "name":
            return self.name(token, depth)
        found = repr(token.text) if token.text else "the end"
        raise FormulaError(f"expected a number, x, a name or '(' but found {found}", token.pos)

    def name(self, token: _Token, depth: int) -> Node:
        name = token.text
        if self.peek().text == "(":
            return self.call(token, depth)
        if name in FUNCTIONS:
            raise FormulaError(f"{name} is a function: write {name}(...)", token.pos)
        if name in self.variables:  # the activation's x keeps its own node
            return Node("x") if name == "x" else Node("var", value=name)
        if name in CONSTANTS:
            return Node("num", value=CONSTANTS[name])
        if not self.parameters:
            raise FormulaError(f"unknown name {name!r}: write the formula in "
                               f"{_listed(self.variables)}", token.pos)
        return Node("param", value=self.param(token))

    def param(self, token: _Token) -> str:
        name = token.text
        if name.startswith("_") or name in RESERVED or not name.islower():
            raise FormulaError(
                f"{name!r} cannot be a parameter name: use lower-case letters such as alpha",
                token.pos,
            )
        if len(name) > MAX_NAME:
            raise FormulaError(f"parameter names are at most {MAX_NAME} letters", token.pos)
        if name not in self.params:
            if len(self.params) >= MAX_PARAMS:
                raise FormulaError(f"at most {MAX_PARAMS} parameters are allowed", token.pos)
            self.params.append(name)
        return name

    def call(self, token: _Token, depth: int) -> Node:
        if token.text not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise FormulaError(f"unknown function {token.text!r} (known: {known})", token.pos)
        arity = FUNCTIONS[token.text][0]
        self.expect("(")
        args = [self.comparison(depth + 1)]
        while self.peek().text == ",":
            self.take()
            args.append(self.comparison(depth + 1))
        self.expect(")")
        if len(args) != arity:
            raise FormulaError(
                f"{token.text}() takes {arity} argument{'s' if arity > 1 else ''}, "
                f"got {len(args)}",
                token.pos,
            )
        return Node(token.text, tuple(args))

    def check_depth(self, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise FormulaError(f"the formula is nested too deeply (limit {MAX_DEPTH})",
                               self.peek().pos)


def _number(token: _Token) -> Node:
    try:
        value = float(token.text)
    except (ValueError, OverflowError):
        raise FormulaError(f"{token.text!r} is not a number", token.pos) from None
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise FormulaError(f"numbers must lie within ±{MAX_NUMBER:g}", token.pos)
    return Node("num", value=value)


def _check_comparisons(node: Node, allowed: bool = False) -> None:
    """Comparisons give true/false, so they may only be where's condition."""
    if node.op in COMPARISONS and not allowed:
        raise FormulaError("a comparison can only be the condition of where(...), "
                           "e.g. where(x > 0, x, 0)")
    if node.op == "where":
        condition = node.args[0]
        if condition.op not in COMPARISONS:
            raise FormulaError("the first argument of where() must be a comparison, e.g. x > 0")
        if not _is_tensorish(condition):
            raise FormulaError("the condition of where() must depend on x or a parameter")
    for i, arg in enumerate(node.args):
        _check_comparisons(arg, allowed=node.op == "where" and i == 0)


def _check_constants(node: Node) -> None:
    """Parts without x or a parameter are plain Python floats, in evaluate and in
    the exported source: refuse those that overflow, divide by zero or turn
    complex, and computed exponents above 64."""
    if not _is_tensorish(node):
        try:
            value = _constant(node)
        except (OverflowError, ZeroDivisionError):
            value = None
        if not isinstance(value, float) or not math.isfinite(value):
            raise FormulaError("a part without x is not a finite real number (an overflow, "
                               "a division by zero or a root of a negative number)")
        return
    for arg in node.args:
        _check_constants(arg)
    if node.op == "**" and not _is_tensorish(node.args[1]):
        if abs(_constant(node.args[1])) > 64:
            raise FormulaError("exponents above 64 are not allowed")


def _constant(node: Node):
    if node.op == "num":
        return node.number
    values = [_constant(arg) for arg in node.args]
    return -values[0] if node.op == "neg" else _BINARY[node.op](*values)


def parse(text: str, variables: tuple[str, ...] = ("x",), parameters: bool = True) -> Formula:
    """Parse ``text`` or raise :class:`FormulaError` saying what and where. ``variables``:
    the names the formula is in; ``parameters``: whether other names are learnable
    parameters (else they are refused)."""
    if not isinstance(text, str):
        raise FormulaError("the formula must be text")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_LENGTH} characters")
    if not text.strip():
        example = "x * sigmoid(x)" if variables == ("x",) else f"sin({variables[0]})"
        raise FormulaError(f"the formula is empty: write an expression in "
                           f"{_listed(variables)}, e.g. {example}")
    parser = _Parser(text, variables, parameters)
    tree = parser.parse()
    if not _uses_x(tree):
        raise FormulaError(f"the formula must use {' or '.join(variables)}")
    return Formula(text.strip(), tree, tuple(parser.params))


def _listed(variables: tuple[str, ...]) -> str:
    return " and ".join(variables)


def _uses_x(node: Node) -> bool:
    return node.op in ("x", "var") or any(_uses_x(arg) for arg in node.args)


# ---------------------------------------------------------------- evaluation

def evaluate(node: Node, x, params: dict):
    """Evaluate the tree elementwise on tensor ``x``; ``params`` maps names to
    0-d tensors. Numbers stay Python floats, so torch broadcasts them."""
    import torch

    def leaf(leaf_node: Node):
        return x if leaf_node.op == "x" else params[leaf_node.name]

    def call(op: str, values: list):
        if op == "where":
            return torch.where(values[0], *(_as_tensor(v, x) for v in values[1:]))
        return _UNARY_TORCH[op](*(_as_tensor(v, x) for v in values))

    return _walk(node, leaf, call)


def evaluate_numpy(node: Node, variables: dict):
    """Evaluate the tree elementwise on numpy arrays, ``variables`` mapping each name to
    one (float64). A log of a negative number or a division by zero gives NaN or inf,
    silently: the caller checks that every value is finite."""
    import numpy as np

    with np.errstate(all="ignore"):
        return np.asarray(_walk(node, lambda leaf: variables[leaf.name],
                                lambda op, values: _NUMPY[op](*values)), dtype=np.float64)


def _walk(node: Node, leaf, call):
    """The tree's value: ``leaf(node)`` for a variable or a parameter, ``call(op,
    values)`` for a function; numbers stay Python floats, the operators are Python's."""
    if node.op == "num":
        return node.number
    if node.op in ("x", "var", "param"):
        return leaf(node)
    values = [_walk(arg, leaf, call) for arg in node.args]
    if node.op in _BINARY:
        return _BINARY[node.op](*values)
    if node.op == "neg":
        return -values[0]
    return call(node.op, values)


def _as_tensor(value, like):
    import torch

    if isinstance(value, float):
        return torch.tensor(value, dtype=like.dtype)
    return value


def _binary_ops():
    import operator

    return {
        "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
        "**": operator.pow, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
    }


_BINARY = _binary_ops()


class _LazyTorchFunctions(dict):
    """Maps function names to torch callables, importing torch on first use."""

    def __missing__(self, name):
        import torch
        import torch.nn.functional as F

        table = {
            "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs,
            "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
            "softplus": F.softplus, "sin": torch.sin, "cos": torch.cos, "erf": torch.erf,
            "min": torch.minimum, "max": torch.maximum,
        }
        self.update(table)
        return table[name]


_UNARY_TORCH = _LazyTorchFunctions()


class _NumpyFunctions(dict):
    """Maps function names to numpy callables, as torch computes them."""

    def __missing__(self, name):
        import numpy as np

        erf = np.frompyfunc(math.erf, 1, 1)
        table = {
            "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh,
            "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "relu": lambda v: np.maximum(v, 0.0),
            "softplus": lambda v: np.logaddexp(0.0, v), "sin": np.sin, "cos": np.cos,
            "erf": lambda v: np.asarray(erf(v), dtype=np.float64), "where": np.where,
            "min": np.minimum, "max": np.maximum,
        }
        self.update(table)
        return table[name]


_NUMPY = _NumpyFunctions()


# -------------------------------------------------------------------- source

_PRECEDENCE = {"cmp": 1, "+": 2, "-": 2, "*": 3, "/": 3, "neg": 4, "**": 5, "atom": 6}


def to_source(node: Node, param_prefix: str = "self.") -> str:
    """PyTorch source for the tree, e.g. ``torch.where(x <= 0, ..., x)``."""
    return _source(node, param_prefix)[0]


def _source(node: Node, prefix: str) -> tuple[str, int]:
    op = node.op
    if op == "num":
        return _number_source(node.number), _PRECEDENCE["atom"]
    if op == "x":
        return "x", _PRECEDENCE["atom"]
    if op == "var":
        return node.name, _PRECEDENCE["atom"]
    if op == "param":
        return prefix + node.name, _PRECEDENCE["atom"]
    if op == "neg":
        inner, prec = _source(node.args[0], prefix)
        return "-" + _wrap(inner, prec, _PRECEDENCE["neg"]), _PRECEDENCE["neg"]
    if op in COMPARISONS or op in ("+", "-", "*", "/", "**"):
        return _binary_source(node, prefix)
    args = [
        text if _is_tensorish(arg) else f"torch.tensor({text})"
        for text, arg in ((_source(arg, prefix)[0], arg) for arg in node.args)
    ]
    return f"{FUNCTIONS[op][1]}({', '.join(args)})", _PRECEDENCE["atom"]


def _binary_source(node: Node, prefix: str) -> tuple[str, int]:
    op = node.op
    prec = _PRECEDENCE["cmp"] if op in COMPARISONS else _PRECEDENCE[op]
    left, lprec = _source(node.args[0], prefix)
    right, rprec = _source(node.args[1], prefix)
    if op == "**":  # right associative; a unary minus on the left needs brackets
        left = _wrap(left, lprec, prec + 1)
        right = _wrap(right, rprec, _PRECEDENCE["neg"])
    else:
        left = _wrap(left, lprec, prec)
        right = _wrap(right, rprec, prec + 1)
    return f"{left} {op} {right}", prec


def _wrap(text: str, inner: int, needed: int) -> str:
    return f"({text})" if inner < needed else text


def _number_source(value: float) -> str:
    if value == math.pi:
        return "math.pi"
    if value == math.e:
        return "math.e"
    return repr(float(value))


def _is_tensorish(node: Node) -> bool:
    """True when the subtree is a tensor: it uses x, a parameter or a function."""
    return node.op in ("x", "var", "param") or node.op in FUNCTIONS or any(
        _is_tensorish(a) for a in node.args
    )
