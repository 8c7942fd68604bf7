"""JSON text checked before it is parsed (how deeply it nests), and JSON
written for a terminal.

Python's json module recurses once per level, so a file or a frame of a
million opening brackets would exhaust the stack; both readers measure the
depth first, in linear time, and refuse what is too deep.

:func:`printable_json` is the JSON the command line prints: every character
:func:`~graph_engine.core.text.printable` would escape is written as a JSON
``\\u`` escape instead, so the text is printable as it is and still the same
JSON (a ``\\x85`` escape would not be JSON at all).
"""

from __future__ import annotations

import json
import re

import numpy as np

from .text import UNPRINTABLE


def printable_json(value: object) -> str:
    """``value`` as one line of strict JSON (no NaN) that any terminal shows as it
    is: the characters ``printable`` escapes can only stand inside strings, where
    a ``\\uXXXX`` escape means the same character."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return UNPRINTABLE.sub(_unicode_escape, text)


def _unicode_escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_nesting(text: str | bytes) -> int:
    """Deepest bracket nesting outside strings: a few vectorised passes over the
    bytes, linear, with no recursion and no Python loop per character (a
    character loop took most of a second on a 5 MB file)."""
    # Drop escaped backslashes, then escaped quotes: every quote left opens or
    # closes a string. (A backslash is only valid JSON inside a string.)
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    data = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    chars = np.frombuffer(data, dtype=np.uint8)  # UTF-8: no multi-byte char holds a bracket
    steps = ((chars == ord("[")) | (chars == ord("{"))).astype(np.int8)  # small: files are large
    steps -= (chars == ord("]")) | (chars == ord("}"))
    inside = np.bitwise_xor.accumulate((chars == ord('"')).view(np.uint8))
    steps[inside.view(bool)] = 0  # brackets in strings do not nest
    return max(int(steps.cumsum(dtype=np.int32).max(initial=0)), 0)
