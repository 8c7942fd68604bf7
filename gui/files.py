"""Lists of files the editor remembers between sessions (recent diagrams, the
exercises opened), kept in the platform's settings store."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def remembered_paths(key: str) -> list[str]:
    """The paths kept in the settings under ``key``, newest first."""
    value = QSettings().value(key, [])
    paths = [value] if isinstance(value, str) else list(value or [])  # type: ignore[call-overload]
    return [p for p in paths if isinstance(p, str)]


def remember_path(key: str, path: str, most: int) -> None:
    """Put ``path`` first under ``key``, keeping at most ``most`` paths."""
    paths = [path] + [p for p in remembered_paths(key) if p != path]
    QSettings().setValue(key, paths[:most])


def forget_paths(key: str) -> None:
    QSettings().setValue(key, [])
