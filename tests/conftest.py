"""Shared test setup: settings and caches in a scratch home, so no test reads or
writes the user's real configuration. GUI fixtures live in tests/gui/conftest.py."""

from __future__ import annotations

import os
import tempfile

_HOME = tempfile.mkdtemp(prefix="netcanvas-test-home-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["XDG_CACHE_HOME"] = os.path.join(_HOME, "cache")
os.environ.setdefault("XDG_RUNTIME_DIR", os.path.join(_HOME, "runtime"))
os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
