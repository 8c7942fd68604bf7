"""NetCanvas's generic top-level package names (``gui``, ``resources``): when another
package has taken one, the command says so and exits 2 instead of starting."""

from __future__ import annotations

import sys
import types

import pytest
from commands import run_cli

from gui import launch


def test_netcanvas_recognises_its_own_packages():
    assert launch.foreign_package() == ""


@pytest.mark.parametrize("name", sorted(launch.GENERIC_PACKAGES))
def test_a_foreign_package_of_the_same_name_is_named_and_refused(name, monkeypatch, tmp_path):
    other = types.ModuleType(name)
    other.__file__ = str(tmp_path / "site-packages" / name / "__init__.py")
    monkeypatch.setitem(sys.modules, name, other)
    result = run_cli("examples")
    assert result.returncode == 2 and result.stdout == ""
    assert f"the package {name!r} in {tmp_path / 'site-packages' / name} is not NetCanvas's" \
        in result.stderr
    assert "virtual environment of its own" in result.stderr


def test_a_package_replaced_in_netcanvas_own_folder_is_refused_too(monkeypatch):
    import resources

    replaced = types.ModuleType("resources")  # another __init__.py in the same folder
    replaced.__file__ = resources.__file__
    monkeypatch.setitem(sys.modules, "resources", replaced)
    assert "is not NetCanvas's" in launch.foreign_package()
