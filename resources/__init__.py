"""NetCanvas's shipped files, found through importlib.resources.

The example diagrams (examples/), the exercises (exercises/, when there are
any), the Qt style sheet and icons live in this package, so an installed
wheel carries them and the code finds them wherever it is installed, never by
a path relative to a source checkout. The docs the app opens are copied into
docs/ here when a wheel is built (setup.py); in a checkout they are the
project's own docs folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

FOLDER = Path(str(files(__name__)))  # a regular package on disk: a real folder
EXAMPLES = FOLDER / "examples"
EXERCISES = FOLDER / "exercises"
STYLE_SHEET = FOLDER / "style.qss"
ICONS = FOLDER / "icons"


MAX_ORDER = 64 * 1024  # bytes of examples/ORDER read at the most


def examples(folder: Path = EXAMPLES) -> list[Path]:
    """The example diagrams in lesson order (``ORDER`` in their folder, one name a
    line, when there is one), any others after them in alphabetical order."""
    try:
        with open(folder / "ORDER", "rb") as file:
            order = file.read(MAX_ORDER).decode("utf-8").split()
    except (OSError, ValueError):  # no ORDER (or an unreadable one): by name
        order = []
    rank = {name: index for index, name in enumerate(order)}
    return sorted(folder.glob("*.json"), key=lambda p: (rank.get(p.stem, len(rank)), p.stem))


def exercises(folder: Path = EXERCISES) -> list[Path]:
    """The exercises, by name."""
    return sorted(folder.glob("*.json"), key=lambda p: p.stem)


def docs() -> Path:
    """The folder of the guide and the block reference: inside this package in
    an installed wheel, beside it in a source checkout."""
    shipped = FOLDER / "docs"
    return shipped if shipped.is_dir() else FOLDER.parent / "docs"
