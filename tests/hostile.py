"""Hostile text and random legal diagrams, shared by the property tests that
attack exported code and the save/load round trip (engine and editor alike).

No Qt here: tests/engine imports it too.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import graph_engine as ge
from graph_engine import REGISTRY
from graph_engine.core import limits
from graph_engine.core.params import BOOL, CHOICE, FLOAT, FORMULA, INT, WEIGHTS

ASTRAL = "\U0001F600"  # 4 bytes in UTF-8, 12 as a JSON escape: the widest character
EXAMPLES = int(os.environ.get("NETCANVAS_FUZZ_EXAMPLES", "0")) or None


def fuzz_settings(default: int) -> settings:
    """``default`` examples, or NETCANVAS_FUZZ_EXAMPLES (``make fuzz``)."""
    return settings(max_examples=EXAMPLES or default, deadline=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# Pieces that have broken generated code or terminals somewhere.
PAYLOADS = [
    'X"""\nimport os; os.system("echo pwned")\n"""', "Net for C:\\Users\\me", '"""', "'''",
    '"', "'", "\\", "\\N{BULLET}", "\\x41", "\\u0041", "{}", "{0}", "{title!r}", "%s",
    "# not a comment", "\n", "\r", "\r\n", "\t", "\x00", "\x1b[2K", "\x7f", "\x85",
    "\u2028", "\u2029", "\u202e", "\u2066", "\ufeff", "\ud800", "\udfff", "é", "ﬁ",
    "Ⅻ", "😀", "\U0001F600" * 3, "Playground's", "\u2019", "import os", "__import__('os')",
    ")\nimport os\n(", "class", "None", "True", "lambda", "  ", " ", "Ω",
]
# How a spreadsheet cell starts a formula (and the full-width forms): no cell of a
# report the grader writes may start with one.
CELL_FORMULA = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Whitespace a formula may hold between its tokens (other control characters, which
# the parser would also skip, are refused where the formula comes in).
WHITESPACE = [" ", "\t", "\n", "\r", "\xa0", "\u1680", "\u2000", "\u2028", "\u2029", "\u202f",
              "\u3000"]
FORMULAS = ["x * sigmoid(beta * x)", "where(x <= 0, 1 / (1 + alpha * exp(-x)), x)",
            "tanh(x) + x", "relu(x) - 0.5 * gamma", "sin(pi * x) + x ** 2"]


def hostile_text(limit: int) -> st.SearchStrategy[str]:
    """Short mixtures of payloads and any characters, and payloads repeated up
    to ``limit`` (and a little past it)."""
    pieces = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=6),
                       st.characters(exclude_categories=()))
    mixed = st.lists(pieces, max_size=10).map("".join)
    long = st.builds(lambda p, n: (p * n)[:n], st.sampled_from([*PAYLOADS, "a", "é"]),
                     st.integers(limit - 3, limit + 2))
    return st.one_of(mixed, mixed, long)


def formula(base: str | None = None) -> st.SearchStrategy[str]:
    """A formula with any whitespace the parser skips between its tokens."""
    tokens = st.sampled_from(FORMULAS) if base is None else st.just(base)
    runs = st.lists(st.sampled_from(WHITESPACE), min_size=1, max_size=4).map("".join)

    @st.composite
    def spaced(draw) -> str:
        parts = re.findall(r"\d+\.?\d*|\w+|\*\*|<=|>=|==|!=|\S", draw(tokens))
        return "".join(part + draw(runs) for part in parts)

    return spaced()


def value_for(spec) -> st.SearchStrategy:
    """Legal values of one parameter."""
    if spec.kind == INT:
        return st.integers(int(spec.minimum if spec.minimum is not None else -10**6),
                           int(spec.maximum if spec.maximum is not None else 10**6))
    if spec.kind == FLOAT:
        low = spec.minimum if spec.minimum is not None else -1e6
        high = spec.maximum if spec.maximum is not None else 1e6
        return st.floats(low, high, exclude_max=spec.exclusive_max, allow_nan=False)
    if spec.kind == BOOL:
        return st.booleans()
    if spec.kind == CHOICE:
        return st.sampled_from(spec.choices)
    if spec.kind == WEIGHTS:  # row 0, column 0 lies in every weight matrix
        return st.lists(st.tuples(st.just(0), st.just(0), st.floats(-1e6, 1e6)), max_size=1)
    assert spec.kind == FORMULA
    return formula()


def position() -> st.SearchStrategy:
    edge = [999999999.999, -999999999.994, 1e9, -1e9, 1e9 + 1, -0.0, 0.005, 2.675, 1e-9,
            float("nan"), float("inf"), 10**400]
    bound = limits.MAX_POSITION
    return st.tuples(st.one_of(st.floats(-bound, bound), st.sampled_from(edge),
                               st.integers(-10**9, 10**9)),
                     st.one_of(st.floats(-bound, bound), st.sampled_from(edge)))


def params_for(spec) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional={p.name: value_for(p) for p in spec.params})


TYPES = [spec.name for spec in REGISTRY]


def attempt(action, *args, **kwargs) -> bool:
    """Run an edit the diagram may refuse; True when it was accepted."""
    try:
        action(*args, **kwargs)
    except ValueError:
        return False
    return True


@st.composite
def diagrams(draw, max_blocks: int = 10, max_wires: int = 14) -> ge.Diagram:
    """A diagram built through the API with hostile texts; refused edits are skipped."""
    d = ge.Diagram()
    attempt(setattr, d, "title", draw(hostile_text(limits.MAX_TITLE)))
    attempt(setattr, d, "description", draw(hostile_text(limits.MAX_DESCRIPTION)))
    for _ in range(draw(st.integers(0, max_blocks))):
        spec = REGISTRY.get(draw(st.sampled_from(TYPES)))
        block_id = draw(st.none() | hostile_text(limits.MAX_ID))
        name = draw(st.none() | hostile_text(limits.MAX_NAME))
        attempt(d.add_block, spec.name, draw(params_for(spec)), draw(position()), block_id,
                name)
    ids = [b.id for b in d.blocks]
    for _ in range(draw(st.integers(0, max_wires)) if ids else 0):
        attempt(d.connect, draw(st.sampled_from(ids)), draw(st.sampled_from(ids)))
    for block_id in draw(st.lists(st.sampled_from(ids), max_size=3)) if ids else []:
        attempt(d.rename, block_id, draw(hostile_text(limits.MAX_NAME)))
    d.dataset = draw(st.none() | st.sampled_from(ge.datasets.names()))
    return d
