"""NetCanvas entry point.

    python main.py                 open the editor
    python main.py FILE            open FILE in the editor
    python main.py FILE --screenshot OUT.png
    python main.py validate|compile|train|export ...   headless (see --help)
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from graph_engine.cli import COMMANDS

    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help")):
        if argv[0] in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        from graph_engine.cli import main as cli_main

        return cli_main(argv)
    from gui.app import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    sys.exit(main())
