"""Text placed into generated Python source, made inert.

Titles, descriptions and formulas come from files anyone can write. In the
exported source they only ever appear through these functions: inside a
string literal whose every backslash, quote and unprintable character is
escaped (so no text can end the literal, start a statement or make an
invalid escape), or as an identifier built from letters and digits alone.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

_NAMED = {"\\": "\\\\", "\r": "\\r", "\t": "\\t"}
_KEPT = {"\n"}  # a docstring has lines; every other control character is escaped
_APOSTROPHES = re.compile(r"['\u2019\u02bc`\u00b4]")
_WORDS = re.compile(r"[A-Za-z0-9]+")


def docstring(text: str) -> str:
    """A triple-quoted literal whose value is exactly ``text``. A quote is
    escaped when another follows it or it ends the text, so no two unescaped
    quotes ever touch: nothing can close the literal early."""
    parts = []
    for index, char in enumerate(text):
        if char == '"' and text[index + 1:index + 2] in ('"', ""):
            parts.append('\\"')
        else:
            parts.append(_escaped(char))
    return '"""' + "".join(parts) + '"""'


def _escaped(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    if char in _KEPT or char.isprintable():
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def one_line(text: str) -> str:
    """``text`` with each run of whitespace (newlines too) as one space."""
    return " ".join(text.split())


def identifier(text: str, suffixes: tuple[str, ...], default: str, limit: int = 48) -> str:
    """A CamelCase ASCII identifier read from ``text``: accents dropped,
    apostrophes joining words ("Playground's" -> "Playgrounds"), whole words
    up to ``limit`` characters, ending in one of ``suffixes`` (the first is
    added when none ends it). ``default`` when no word remains."""
    plain = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text))
    words = _WORDS.findall(plain.encode("ascii", "ignore").decode("ascii"))
    name = ""
    for word in words:
        word = word[:1].upper() + word[1:]
        if name and len(name) + len(word) > limit:
            break
        name += word[:limit]
    if not name:
        return default
    if name[0].isdigit():
        name = default + name
    if not name.endswith(suffixes):
        name += suffixes[0]
    return name if _free(name) else default


def _free(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and not hasattr(builtins, name)
