"""NetCanvas's entry point: ``netcanvas`` (installed) and ``python main.py``.

    netcanvas                      open the editor
    netcanvas FILE                 open FILE in the editor
    netcanvas FILE --screenshot OUT.png
    netcanvas validate|compile|train|export|predict|examples ...   headless (see --help)

The first argument decides: an existing file, a path or a ``.json`` name opens
the editor; a plain word is a command, and an unknown one is refused with a
suggestion rather than opening a window (which would wait for ever on a
machine with no display). A command never imports Qt.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
import textwrap

PROG = "netcanvas"
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


# Two of NetCanvas's top-level packages have generic names; a package of the same
# name installed into the same environment (PyPI has one called resources) writes
# into the same folder or shadows it, so the command checks them before it starts.
GENERIC_PACKAGES = {"gui": "launch", "resources": "examples"}  # name -> what NetCanvas has


def foreign_package() -> str:
    """Why NetCanvas cannot start when ``gui`` or ``resources`` is not its own
    (found away from graph_engine, or without what NetCanvas puts in it), else ""."""
    import graph_engine
    import gui
    import resources

    home = os.path.dirname(os.path.dirname(os.path.abspath(graph_engine.__file__)))
    for module, member in ((gui, GENERIC_PACKAGES["gui"]),
                           (resources, GENERIC_PACKAGES["resources"])):
        name = module.__name__
        folder = os.path.dirname(os.path.abspath(getattr(module, "__file__", None) or "?"))
        if os.path.dirname(folder) != home or not hasattr(module, member):
            return (f"the package {name!r} in {folder} is not NetCanvas's: another installed "
                    f"package uses the name {name!r}. Install NetCanvas into a virtual "
                    "environment of its own (python -m venv), or remove the other package "
                    f"and install NetCanvas again.")
    return ""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from graph_engine.cli import COMMANDS

    clash = foreign_package()
    if clash:
        print(f"{PROG}: {clash}", file=sys.stderr)
        return 2
    if argv and argv[0] in ("-h", "--help"):
        print(textwrap.dedent(__doc__.split("\n\n", 1)[1]).strip())
        return 0
    if argv and is_command(argv[0]):
        if argv[0] not in COMMANDS:
            print(f"{PROG}: {unknown_command(argv[0], COMMANDS)}", file=sys.stderr)
            return 2
        from graph_engine.cli import main as cli_main

        return cli_main(argv)
    from .app import main as gui_main

    return gui_main(argv)


def is_command(first: str) -> bool:
    """A word that names no existing file (``validate``, or ``valdiate`` mistyped);
    a path, a ``.json`` name or an option is for the editor."""
    return bool(_WORD.fullmatch(first)) and not os.path.exists(first)


def unknown_command(word: str, commands) -> str:
    close = difflib.get_close_matches(word.lower(), commands, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else f"the commands are {', '.join(commands)}"
    return f"unknown command {word!r}; {hint}"
