"""Engine test setup: the whole-epoch training kernel is loaded before any test
trains, so no run switches to it halfway (which would move its numbers by
rounding). numba's on-disk cache makes that a fraction of a second per worker."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _training_kernel():
    from graph_engine.training.kernel import loading

    loading.wait()
