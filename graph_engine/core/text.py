"""Text a user or a file supplies: checked where it comes in, made harmless
where it goes out.

:func:`checked_text` is the one rule for names, ids, titles and descriptions:
text, within its length, with no control characters (line ends and tabs only
where several lines make sense) and no lone surrogates, which no file or
terminal can encode. :func:`printable` escapes anything a terminal would
obey instead of show, for messages that quote a file; :func:`quoted` quotes a
value from a file in a message, cut to a few dozen characters; :func:`path_text`
is a file name as text, whatever bytes the file system holds.
"""

from __future__ import annotations

import os
import re

# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a reader sees
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# The line and paragraph separators: a new line to some readers (spreadsheets,
# editors), so text meant as one line shows them as escapes too.
_SEPARATOR = r"\u2028\u2029"
# What printable() escapes: the controls, the separators and lone surrogates
UNPRINTABLE = re.compile(f"[{_CONTROL.pattern[1:-1]}{_SEPARATOR}\\ud800-\\udfff]")
QUOTED = 40  # characters of a value a message quotes
_MULTILINE_OK = {"\n", "\r", "\t"}  # \r: Windows line ends


def checked_text(value: object, what: str, limit: int, multiline: bool = False) -> str:
    """``value`` unchanged if it is acceptable text, else ValueError naming ``what``."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text (got {type(value).__name__})")
    if len(value) > limit:
        raise ValueError(f"{what} is longer than {limit} characters ({len(value)})")
    if _SURROGATE.search(value):
        raise ValueError(f"{what} contains a character that is not valid Unicode "
                         "(a lone surrogate)")
    for match in _CONTROL.finditer(value):
        if not (multiline and match.group() in _MULTILINE_OK):
            raise ValueError(f"{what} contains the control character "
                             f"U+{ord(match.group()):04X} at position {match.start() + 1}")
    return value


def checked_id(value: object, what: str, limit: int) -> str:
    """An id: acceptable text that is not empty or only spaces."""
    text = checked_text(value, what, limit)
    if not text.strip():
        raise ValueError(f"{what} is empty")
    return text


def printable(text: object) -> str:
    """``text`` with control characters, direction overrides, line separators and
    lone surrogates shown as escapes (\\x1b, \\ud800): one line, safe to write to
    any terminal."""
    if not isinstance(text, str):
        text = str(text)

    def escape(match: re.Match) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return UNPRINTABLE.sub(escape, text)


def quoted(value: object, limit: int = QUOTED) -> str:
    """``value`` as a message quotes it: its repr, printable, cut to ``limit``
    characters with an ellipsis (a cell of a megabyte is quoted by its start)."""
    text = printable(repr(value))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def path_text(path: object) -> str:
    """A file name as text: bytes that are not UTF-8 (which the file system may
    hold, and Python keeps as lone surrogates) shown as escapes (\\xff), so the
    name can be written to any report; other characters as they are."""
    try:
        return os.fsencode(path).decode("utf-8", "backslashreplace")  # type: ignore[arg-type]
    except (UnicodeError, TypeError):  # a surrogate no byte came from; not a path
        return printable(path)


def error_line(error: BaseException, limit: int = 300) -> str:
    """An error as one line, "Type: first line of its message", cut at ``limit``."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"


def error_message(error: BaseException, limit: int = 300) -> str:
    """What an error says, as one line for a reader: its message's first line, cut at
    ``limit``, without the internal name of its type ("an unexpected error" if it
    says nothing)."""
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else "an unexpected error"
    return text if len(text) <= limit else text[:limit - 1] + "…"


# What an allocator says when the memory it may use is spent: torch's CPU allocator
# raises a RuntimeError with these words (and the system's ENOMEM text), not MemoryError.
_NO_MEMORY = ("can't allocate memory", os.strerror(12).lower(), "not enough memory")


def out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is running out of memory: a MemoryError,
    or a library's error that says so in its allocator's words."""
    seen: BaseException | None = error
    for _ in range(10):  # the chain of causes, never a loop
        if seen is None:
            return False
        if isinstance(seen, MemoryError) or type(seen).__name__ == "OutOfMemoryError":
            return True
        if isinstance(seen, RuntimeError) and any(w in str(seen).lower() for w in _NO_MEMORY):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
