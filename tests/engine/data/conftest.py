"""Data tests start with an empty table cache, so each test reads its files itself."""

from __future__ import annotations

import pytest

from graph_engine.data import tabular


@pytest.fixture(autouse=True)
def fresh_cache():
    tabular.forget_tables()
    yield
    tabular.forget_tables()
