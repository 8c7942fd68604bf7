"""NetCanvas's PySide6 editor: a view and controller over ``graph_engine``."""
