"""NetCanvas from a source checkout: ``python main.py`` is the installed
``netcanvas`` command (gui/launch.py has the usage).

    python main.py                 open the editor
    python main.py FILE            open FILE in the editor
    python main.py FILE --screenshot OUT.png
    python main.py validate|compile|train|export|trace|predict|examples ...   headless (see --help)

The first argument decides: an existing file, a path or a ``.json`` name opens
the editor; a plain word is a command, and an unknown one is refused with a
suggestion rather than opening a window (which would wait for ever on a
machine with no display).
"""

from __future__ import annotations

import sys

from gui.launch import PROG, is_command, main, unknown_command

__all__ = ["PROG", "is_command", "main", "unknown_command"]

if __name__ == "__main__":
    sys.exit(main())
