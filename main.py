"""NetCanvas from a source checkout: ``python main.py`` is the installed
``netcanvas`` command (gui/launch.py has the usage).

    python main.py                 open the editor
    python main.py FILE            open FILE in the editor
    python main.py validate|compile|train|export|examples ...   headless
"""

from __future__ import annotations

import sys

from gui.launch import PROG, is_command, main, unknown_command

__all__ = ["PROG", "is_command", "main", "unknown_command"]

if __name__ == "__main__":
    sys.exit(main())
