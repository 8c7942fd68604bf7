"""Text from a diagram never becomes code in the exported source.

Hostile titles, descriptions, block names and formula spellings go through
every code generator (``ge.to_python``, ``compile -o``, ``export --python``;
the GUI's Code panel shows ``to_python``'s text, tests/gui checks that). The
source is parsed, never run: with every string constant blanked and the class
name set aside, its syntax tree must equal the tree of the same diagram with
plain texts, so no text added or changed a statement; and ``compile`` must
accept it (no invalid escape).

``make fuzz`` sets NETCANVAS_FUZZ_EXAMPLES=10000; the default run is short.
"""

from __future__ import annotations

import ast
import builtins
import keyword

import pytest
from hostile import FORMULAS, PAYLOADS, attempt, formula, fuzz_settings, hostile_text
from hypothesis import given
from hypothesis import strategies as st
from nets import wire

import graph_engine as ge
from graph_engine import REGISTRY
from graph_engine.build.codegen import class_name
from graph_engine.cli import main as cli
from graph_engine.core import limits
from graph_engine.core.source import docstring, identifier


# Each template draws one network; ``f`` gives the formula text for a base formula.
def mlp(f) -> ge.Diagram:
    d = ge.Diagram()
    wire(d, d.add("Input", features=2), d.add("Linear", out_features=8), d.add("ReLU"),
          d.add("Dropout", p=0.2), d.add("Linear", out_features=3),
          d.add("CrossEntropyLoss", label_smoothing=0.1))
    return d


def merges(f) -> ge.Diagram:
    d = ge.Diagram()
    x, cat, add = d.add("Input", features=2), d.add("Concat"), d.add("Add")
    stem = wire(d, x, d.add("Linear", out_features=3), d.add("Tanh"))[-1]
    wire(d, x, d.add("Linear", out_features=3), d.add("Step"), add)
    d.connect(stem, add)
    wire(d, stem, cat)
    wire(d, add, cat)
    wire(d, cat, d.add("Linear", out_features=1), d.add("BCEWithLogitsLoss"))
    return d


def formulas(f) -> ge.Diagram:
    d = ge.Diagram()
    x, cat = d.add("Input", features=2), d.add("Concat")
    for base in FORMULAS[:3]:
        wire(d, x, d.add("Linear", out_features=2), d.add("CustomActivation", formula=f(base)),
              cat)
    wire(d, cat, d.add("Linear", out_features=2), d.add("MSELoss"))
    return d


def no_loss(f) -> ge.Diagram:
    d = ge.Diagram()
    wire(d, d.add("Input", features=4), d.add("Linear", out_features=3),
          d.add("CustomActivation", formula=f(FORMULAS[4])), d.add("Softmax"))
    return d


TEMPLATES = [mlp, merges, formulas, no_loss]


class _Blank(ast.NodeTransformer):
    """Every string constant emptied, the exported class renamed NET."""

    def __init__(self, name: str) -> None:
        self.name = name

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        if isinstance(node.value, str):
            node.value = ""
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        if node.name == self.name:
            node.name = "NET"
        self.generic_visit(node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id == self.name:
            node.id = "NET"
        return node


def shape(source: str, name: str) -> str:
    """The module's syntax tree with its texts blanked: its statements alone."""
    compile(source, "exported.py", "exec")  # compiled, never run
    return ast.dump(_Blank(name).visit(ast.parse(source)))


def plain(template) -> str:
    d = template(lambda base: base)
    return shape(ge.to_python(d), class_name(d))


PLAIN = {template.__name__: plain(template) for template in TEMPLATES}


@st.composite
def hostile_diagrams(draw) -> ge.Diagram:
    template = draw(st.sampled_from(TEMPLATES))
    d = template(lambda base: draw(formula(base)))
    attempt(setattr, d, "title", draw(hostile_text(limits.MAX_TITLE)))
    attempt(setattr, d, "description", draw(hostile_text(limits.MAX_DESCRIPTION)))
    for block in d.blocks:
        attempt(d.rename, block.id, draw(hostile_text(limits.MAX_NAME)))
    d.template = template.__name__  # which plain tree to compare with
    return d


@fuzz_settings(200)
@given(hostile_diagrams())
def test_hostile_texts_add_no_statement_to_the_exported_source(d):
    source = ge.to_python(d)
    assert shape(source, class_name(d)) == PLAIN[d.template]
    module = ast.parse(source)
    assert ast.get_docstring(module, clean=False).startswith(d.title or "Network")
    if d.description.strip():
        assert d.description.strip() in ast.get_docstring(module, clean=False)


@fuzz_settings(200)
@given(st.text(st.characters(exclude_categories=())) | hostile_text(400))
def test_a_docstring_holds_any_text_exactly_and_nothing_else(text):
    literal = docstring(text)
    tree = ast.parse(literal)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr)
    assert ast.literal_eval(literal) == text
    assert all(c == "\n" or c.isprintable() for c in literal)  # no raw control character


@fuzz_settings(200)
@given(hostile_text(limits.MAX_TITLE))
def test_a_class_name_is_always_a_plain_identifier(title):
    name = identifier(title, ("Net", "Model", "Network"), "Net")
    assert name.isidentifier() and name.isascii() and name[0].isupper()
    assert not keyword.iskeyword(name) and not hasattr(builtins, name)
    assert name.endswith(("Net", "Model", "Network")) and len(name) <= 60


@pytest.mark.parametrize("title, expected", [
    ("Playground's default network", "PlaygroundsDefaultNetwork"),
    ("TensorFlow Playground's default network", "TensorFlowPlaygroundsDefaultNetwork"),
    ("TensorFlow Playground\u2019s default network", "TensorFlowPlaygroundsDefaultNetwork"),
    ("xor solver", "XorSolverNet"),
    ("Net for C:\\Users\\me", "NetForCUsersMeNet"),
    ("Réseau à deux couches", "ReseauADeuxCouchesNet"),
    ("2 layer MLP", "Net2LayerMLPNet"),
    ("None", "NoneNet"),
    ("class", "ClassNet"),
    ("", "Net"),
    ("深层网络", "Net"),
    ('X"""', "XNet"),
])
def test_class_names_read_well(title, expected):
    d = ge.Diagram()
    d.title = title
    assert class_name(d) == expected


def test_a_title_cannot_hold_the_statements_that_broke_out():
    """A title is one line: the attack is refused where it comes in, and in a
    description (which may have lines) it stays inside the docstring."""
    attack = 'X"""\nimport os; os.system("echo pwned")\n"""'
    d = mlp(None)
    with pytest.raises(ValueError, match="control character U\\+000A"):
        d.title = attack
    d.title, d.description = 'X"""', attack
    source = ge.to_python(d)
    assert shape(source, class_name(d)) == PLAIN["mlp"]
    assert not any(isinstance(node, ast.Import) and node.names[0].name == "os"
                   for node in ast.walk(ast.parse(source)))


def test_a_windows_path_in_the_title_compiles():
    d = mlp(None)
    d.title = "Net for C:\\Users\\me"
    source = ge.to_python(d)
    compile(source, "exported.py", "exec")
    assert ast.get_docstring(ast.parse(source)).startswith("Net for C:\\Users\\me")


# ------------------------------------------------------------------ the loss target

ACTIVATION_FOR = {"probabilities": "Softmax", "log-probabilities": "LogSoftmax",
                  "binary-probability": "Sigmoid"}
OUTPUTS = {"class-index": 3, "binary": 1, "regression": 2}
FORM = {"class-index": "class indices 0 to 2: shape (N,), dtype torch.int64",
        "binary": "0/1 labels as floats: shape (N, 1), dtype torch.float32",
        "regression": "target values as floats: shape (N, 2), dtype torch.float32"}
LOSSES = [spec for spec in REGISTRY if spec.loss is not None]


@pytest.mark.parametrize("spec", LOSSES, ids=[spec.name for spec in LOSSES])
def test_the_docstring_says_what_the_target_looks_like(spec):
    d = ge.Diagram()
    target = spec.loss.target
    ids = [d.add("Input", features=2), d.add("Linear", out_features=OUTPUTS[target])]
    if spec.loss.prediction in ACTIVATION_FOR:
        ids.append(d.add(ACTIVATION_FOR[spec.loss.prediction]))
    wire(d, *ids, d.add(spec.name))
    text = ast.get_docstring(ast.parse(ge.to_python(d)))
    assert f"loss_fn = {spec.name};" in text
    assert FORM[target] in text


# ------------------------------------------------------------------ every generator

@pytest.fixture
def hostile_file(tmp_path):
    d = formulas(lambda base: base.replace(" ", " \t\u2028 "))
    d.title = "Net for C:\\Users\\me \"\"\" ''' {} \\N{BULLET}"
    d.description = 'X"""\nimport os; os.system("echo pwned")\n"""\n# {0}\t\\'
    for block, payload in zip(d.blocks, PAYLOADS * 3, strict=False):
        attempt(d.rename, block.id, payload)
    path = tmp_path / "hostile.json"
    ge.save(d, path)
    return path


@pytest.mark.parametrize("args", [["compile", "-o"], ["export", "--python"]])
def test_the_command_line_writes_what_to_python_makes(hostile_file, tmp_path, args, capsys):
    out = tmp_path / "net.py"
    assert cli([args[0], str(hostile_file), args[1], str(out)]) == 0
    d = ge.load(hostile_file)
    source = out.read_text(encoding="utf-8")
    assert source == ge.to_python(d)
    assert shape(source, class_name(d)) == PLAIN["formulas"]


def test_compile_prints_the_same_source(hostile_file, capsys):
    assert cli(["compile", str(hostile_file)]) == 0
    d = ge.load(hostile_file)
    assert capsys.readouterr().out == ge.to_python(d)
