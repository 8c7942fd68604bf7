"""Where the repository's own files lie, for tests in any folder under tests/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "resources" / "examples"
EXERCISES = ROOT / "resources" / "exercises"
DRIVERS = ROOT / "tests" / "gui" / "drivers"
