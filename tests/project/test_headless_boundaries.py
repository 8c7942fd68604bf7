"""The engine's boundaries: no Qt, torch only when needed, no code-running loaders.

The import checks run in a fresh interpreter, so modules this test session
already loaded (PySide6 for the GUI tests, torch) cannot hide a violation.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from paths import ROOT

IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys
import graph_engine
names = [m.name for m in pkgutil.walk_packages(graph_engine.__path__, "graph_engine.")
         if not m.name.endswith("__main__")]  # an entry point runs when imported
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "PyQt5",
                                                         "PyQt6", "pyqtgraph"))
print(json.dumps({"modules": names, "qt": qt}))
"""

VALIDATE_WITHOUT_TORCH = """
import json, sys, tempfile, os
import graph_engine as ge
d = ge.Diagram()
ids = [d.add("Input", features=2), d.add("Linear", out_features=8), d.add("ReLU"),
       d.add("CustomActivation"), d.add("Linear", out_features=2), d.add("Softmax"),
       d.add("CrossEntropyLoss")]
for src, dst in zip(ids, ids[1:]):
    d.connect(src, dst)
d.dataset = "circle"
problems = ge.validate(d)
path = os.path.join(tempfile.mkdtemp(), "net.json")
ge.save(d, path)
ge.validate(ge.load(path))
from graph_engine.build.export import export_python
export_python(ge.to_python(d), os.path.join(os.path.dirname(path), "net.py"))
print(json.dumps({"codes": [p.code for p in problems],
                  "torch": sorted(m for m in sys.modules if m.split(".")[0] == "torch")}))
"""


def run_python(code: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_engine_module_loads_qt():
    found = run_python(IMPORT_EVERYTHING)
    assert {"graph_engine.build.compiler", "graph_engine.cli"} <= set(found["modules"])
    assert found["qt"] == []


def test_validating_a_diagram_does_not_import_torch():
    found = run_python(VALIDATE_WITHOUT_TORCH)
    assert "softmax-before-cross-entropy" in found["codes"]
    assert found["torch"] == [], "importing, validating, saving or exporting source loaded torch"


# ------------------------------------------------------------ dangerous calls

CODE_RUNNERS = {"eval", "exec"}
PICKLERS = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "shelve", "joblib",
            "marshal"}


def source_files() -> list[Path]:
    files = [ROOT / "main.py"]
    for folder in ("graph_engine", "gui", "benchmarks", "tools"):
        if (ROOT / folder).is_dir():
            files += sorted((ROOT / folder).rglob("*.py"))
    return files


def _call_problem(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name) and func.id in CODE_RUNNERS:
        return f"{func.id}() runs code from a string"
    if isinstance(func, ast.Attribute) and func.attr in CODE_RUNNERS and \
            isinstance(func.value, ast.Name) and func.value.id == "builtins":
        return f"builtins.{func.attr}() runs code from a string"
    if isinstance(func, ast.Attribute) and func.attr == "load" and \
            isinstance(func.value, ast.Name) and func.value.id == "torch":
        safe = any(k.arg == "weights_only" and isinstance(k.value, ast.Constant)
                   and k.value.value is True for k in node.keywords)
        return None if safe else "torch.load without weights_only=True"
    return _other_runner(node)


# (owner, function) calls that load code or run a shell; "owner" is the last dotted part
OTHER_RUNNERS = {("yaml", "unsafe_load"), ("yaml", "full_load"), ("yaml", "load_all"),
                 ("importlib", "import_module"), ("os", "system"), ("os", "popen"),
                 ("jit", "load"), ("pd", "read_pickle"), ("pandas", "read_pickle")}


def _keyword_is(node: ast.Call, name: str, value) -> bool:
    return any(k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is value
               for k in node.keywords)


def _other_runner(node: ast.Call) -> str | None:
    """YAML, numpy and TorchScript loaders that can run code, dynamic imports, shells,
    and the builtin compile() (the engine's compile(diagram) takes no mode)."""
    func = node.func
    if isinstance(func, ast.Name):
        mode = len(node.args) >= 3 or any(k.arg == "mode" for k in node.keywords)
        return "compile() of source text" if func.id == "compile" and mode else None
    if not isinstance(func, ast.Attribute):
        return None
    owner = func.value.attr if isinstance(func.value, ast.Attribute) else \
        getattr(func.value, "id", "")
    if (owner, func.attr) in OTHER_RUNNERS:
        return f"{owner}.{func.attr}() can run code"
    if (owner, func.attr) == ("yaml", "load") and "Safe" not in ast.unparse(node):
        return "yaml.load without SafeLoader"
    if owner in ("np", "numpy") and func.attr == "load" and \
            _keyword_is(node, "allow_pickle", True):
        return "numpy.load with allow_pickle=True"
    if owner == "subprocess" and _keyword_is(node, "shell", True):
        return f"subprocess.{func.attr} with shell=True"
    return None


def _import_problem(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import):
        names = [alias.name.split(".")[0] for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        names = [(node.module or "").split(".")[0]]
    else:
        return None
    bad = PICKLERS.intersection(names)
    return f"imports {', '.join(sorted(bad))}" if bad else None


def problems_in(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        problem = _call_problem(node) if isinstance(node, ast.Call) else _import_problem(node)
        if isinstance(node, (ast.Name, ast.Attribute)) and problem is None:
            name = node.id if isinstance(node, ast.Name) else node.attr
            problem = f"uses {name}" if name in PICKLERS or name == "__import__" else None
        if problem:
            found.append(f"{path.relative_to(root)}:{node.lineno}: {problem}")
    return found


def test_the_scanner_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import pickle\nimport torch\nx = torch.load('w.pt')\n"
                      "y = torch.load('w.pt', weights_only=True)\nmodel.eval()\n"
                      "ev" "al('1 + 1')\ndata = pickle.dumps(x)\n", encoding="utf-8")
    found = problems_in(sample, tmp_path)
    assert sorted(int(f.split(":")[1]) for f in found) == [1, 3, 6, 7], found


def test_no_eval_exec_pickle_or_unsafe_torch_load_in_the_source():
    files = source_files()
    assert len(files) > 20
    found = [problem for path in files for problem in problems_in(path)]
    assert found == []


def test_the_scanner_finds_the_other_ways_to_run_code(tmp_path):
    harmful = ["import marshal", "from marshal import loads", "yaml.load(stream)",
               "yaml.unsafe_load(s)", "np.load(p, allow_pickle=True)", "os.system('ls')",
               "importlib.import_module(name)", "subprocess.run(c, shell=True)",
               "torch.jit.load(p)", "compile(text, 'f', 'exec')", "compile(t, f, mode='eval')",
               "pd.read_pickle(p)", "__import__('os')", "builtins.exec(text)"]
    harmless = ["app.exec()", "dialog.exec() == 1", "drag.exec(action)", "ge.compile(d)",
                "compile(d, seed=0)", "yaml.safe_load(s)", "yaml.load(s, Loader=yaml.SafeLoader)",
                "np.load(p)", "subprocess.run(['ls'])", "text = 'no pickle here'  # eval",
                "getattr(self, f'cmd_{name}')"]
    sample = tmp_path / "sample.py"
    sample.write_text("\n".join(harmful + harmless) + "\n", encoding="utf-8")
    lines = sorted({int(f.split(":")[1]) for f in problems_in(sample, tmp_path)})
    assert lines == list(range(1, len(harmful) + 1))
