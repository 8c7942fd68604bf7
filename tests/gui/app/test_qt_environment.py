"""The installed PySide6 must not take references to None with it: on CPython 3.11
that aborts the editor after seconds of live plots. pyproject.toml excludes the
release known to do so (PySide6-Essentials 6.12.0); this proves the install obeys."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def drops_references() -> bool:
    """True when a Qt method returning nothing takes a reference to None with it."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(100):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= 50


def test_the_installed_pyside6_counts_references_correctly():
    assert not drops_references()


def test_many_qt_calls_do_not_abort_the_interpreter():
    probe = QObject()
    for _ in range(200_000):  # several times what None's own count could pay for
        probe.setObjectName("probe")
    assert sys.getrefcount(None) > 0
