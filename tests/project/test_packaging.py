"""The wheel works anywhere: built from pyproject.toml, installed into a fresh
environment, run from another folder, it finds its examples, style sheet and
docs through importlib.resources and its ``netcanvas`` command works.

The fresh environment borrows this one's dependencies (torch and the rest) by
a path file, so nothing is downloaded; the path file adds the folder without
running the path files in it, so this checkout's editable install stays out.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from paths import ROOT

SOURCES = ("graph_engine", "gui", "resources", "docs", "pyproject.toml", "setup.py",
           "README.md")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def run(args, cwd, timeout=120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                            timeout=timeout, env={**env, "PIP_NO_INPUT": "1"})
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def test_examples_come_in_lesson_order_when_the_folder_gives_one(tmp_path):
    import resources

    for name in ("a", "b", "c", "d"):
        (tmp_path / f"{name}.json").write_text("{}", encoding="utf-8")
    assert [p.stem for p in resources.examples(tmp_path)] == ["a", "b", "c", "d"]
    (tmp_path / "ORDER").write_text("c\na\ngone\n", encoding="utf-8")
    assert [p.stem for p in resources.examples(tmp_path)] == ["c", "a", "b", "d"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (the checkout stays clean)."""
    work = tmp_path_factory.mktemp("build")
    source = work / "netcanvas"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=IGNORED)
        else:
            shutil.copy2(ROOT / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "-w", work / "dist", source], cwd=work)
    (built,) = (work / "dist").glob("netcanvas-*.whl")
    return built


def test_the_wheel_holds_the_resources_and_the_docs(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    examples = {p.name for p in (ROOT / "resources" / "examples").glob("*.json")}
    assert {f"resources/examples/{n}" for n in examples} <= names
    if (ROOT / "resources" / "examples" / "ORDER").is_file():  # the lesson order
        assert "resources/examples/ORDER" in names
    assert {"resources/__init__.py", "resources/style.qss", "resources/docs/guide.md",
            "resources/docs/blocks.md", "gui/launch.py", "graph_engine/cli.py"} <= names
    images = {f"resources/docs/images/{p.name}" for p in (ROOT / "docs" / "images").iterdir()}
    assert images <= names
    assert not any(n.startswith(("tests/", "tools/", "benchmarks/")) or n == "main.py"
                   for n in names)
    scripts = next(n for n in names if n.endswith("entry_points.txt"))
    entry_points = zipfile.ZipFile(wheel).read(scripts).decode()
    assert "netcanvas = gui.launch:main" in entry_points


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh environment with the wheel installed; returns its bin folder."""
    env = tmp_path_factory.mktemp("env") / "fresh"
    run([sys.executable, "-m", "venv", "--without-pip", env], cwd=env.parent)
    python = env / ("Scripts" if os.name == "nt" else "bin") / "python"
    fresh_site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], cwd=env.parent).stdout.strip())
    (fresh_site / "_netcanvas_dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
         "--no-index", "--quiet", wheel], cwd=env.parent)
    return python.parent


def test_netcanvas_runs_from_another_folder_with_its_shipped_files(installed, tmp_path):
    netcanvas = installed / "netcanvas"
    listed = run([netcanvas, "examples"], cwd=tmp_path).stdout
    paths = run([netcanvas, "examples", "--paths"], cwd=tmp_path).stdout.split()
    assert len(paths) == len(list((ROOT / "resources" / "examples").glob("*.json")))
    assert "xor  " in listed and "XOR with a hidden layer" in listed
    xor = Path(next(p for p in paths if p.endswith("xor.json")))
    assert ROOT not in xor.parents and installed.parent in xor.parents
    assert run([netcanvas, "validate", xor], cwd=tmp_path).stdout.strip() == "no problems"
    where = run([installed / "python", "-c", "import gui.style, resources; "
                 "print(resources.docs()); print(len(gui.style.style_sheet()))"],
                cwd=tmp_path).stdout.split()
    assert installed.parent in Path(where[0]).parents
    assert (Path(where[0]) / "guide.md").is_file() and int(where[1]) > 0
