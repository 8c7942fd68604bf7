"""NetCanvas's PySide6 editor: a view and controller over ``graph_engine``."""

from .qt_workarounds import apply as _guard_pyside

_guard_pyside()  # PySide6 6.12.0 on CPython 3.11 would abort the editor after seconds
