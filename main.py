"""NetCanvas entry point.

    python main.py                 open the editor
    python main.py FILE            open FILE in the editor
    python main.py FILE --screenshot OUT.png
    python main.py validate|compile|train|export|trace ...   headless (see --help)

The first argument decides: an existing file, a path or a ``.json`` name opens
the editor; a plain word is a command, and an unknown one is refused with a
suggestion rather than opening a window (which would wait for ever on a
machine with no display).
"""

from __future__ import annotations

import difflib
import os
import re
import sys

PROG = "netcanvas"
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from graph_engine.cli import COMMANDS

    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if argv and is_command(argv[0]):
        if argv[0] not in COMMANDS:
            print(f"{PROG}: {unknown_command(argv[0], COMMANDS)}", file=sys.stderr)
            return 2
        from graph_engine.cli import main as cli_main

        return cli_main(argv)
    from gui.app import main as gui_main

    return gui_main(argv)


def is_command(first: str) -> bool:
    """A word that names no existing file (``validate``, or ``valdiate`` mistyped);
    a path, a ``.json`` name or an option is for the editor."""
    return bool(_WORD.fullmatch(first)) and not os.path.exists(first)


def unknown_command(word: str, commands) -> str:
    close = difflib.get_close_matches(word.lower(), commands, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else f"the commands are {', '.join(commands)}"
    return f"unknown command {word!r}; {hint}"


if __name__ == "__main__":
    sys.exit(main())
