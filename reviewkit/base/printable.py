"""Control characters: finding them in articles and showing them as visible escapes.

One definition serves both uses. A character is *unsafe* when a terminal, a YAML parser
or Python's ``str.splitlines`` may give it a meaning the reader does not see: C0 controls
except tab and line feed (ESC starts terminal escape sequences; CR, VT, FF and FS/GS/RS
are line breaks to some readers and not to others), DEL, C1 controls (U+0085 NEL is a YAML
line break, U+009B is a one-byte CSI), U+2028/U+2029 (line and paragraph separators) and
the bidirectional embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069, which
reorder what is displayed ("Trojan Source"), and U+FEFF (a byte-order mark anywhere but at
the start of a file: invisible, and read differently by YAML parsers).

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# tab (0x09) and line feed (0x0a) are the only C0 characters an article may contain
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
UNSAFE = re.compile(f"[{_UNSAFE}]")
_UNSAFE_OR_NEWLINE = re.compile(f"[{_UNSAFE}\n]")

_NAMES = {
    "\x1b": "ESC (starts a terminal escape sequence)",
    "\r": "carriage return (a line break to YAML, not to the line counter)",
    "\x0b": "vertical tab (a line break to some readers)",
    "\x0c": "form feed (a line break to some readers)",
    "\x85": "NEL, next line (a line break to YAML)",
    "\x9b": "CSI (starts a terminal escape sequence)",
    "\u2028": "line separator (a line break to YAML)",
    "\u2029": "paragraph separator (a line break to YAML)",
    "\ufeff": "zero-width no-break space (byte-order mark)",
}


_SHORT = {"\n": "\\n", "\r": "\\r"}


def escape(ch: str) -> str:
    """The visible form of one character: ``\\x1b``, ``\\u202e``, ``\\n``."""
    short = _SHORT.get(ch)
    if short is not None:
        return short
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape_match(m: re.Match[str]) -> str:
    return escape(m.group())


def printable(text: str, *, newlines: bool = True) -> str:
    """``text`` with every unsafe character as a visible escape (``ESC`` → ``\\x1b``).

    Tabs stay; line feeds stay unless ``newlines`` is false (for a one-line field such as
    a title or a message, where a line feed could fake the next line of a report).
    Idempotent, and the identity on text without unsafe characters.
    """
    pattern = UNSAFE if newlines else _UNSAFE_OR_NEWLINE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape_match, text)


def one_line(text: str) -> str:
    """A field shown inside a line of a report: :func:`printable` with line feeds escaped."""
    return printable(text, newlines=False)


def describe(ch: str) -> str:
    """What a person is told about an unsafe character."""
    code = ord(ch)
    name = _NAMES.get(ch)
    if name is None:
        if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
            name = unicodedata.name(ch, "bidirectional control").lower() + \
                " (reorders the text as displayed)"
        else:
            name = "control character"
    return f"U+{code:04X} {name}"


def find(text: str) -> Iterator[tuple[int, int, str]]:
    """``(line, column, character)`` of each unsafe character; 1-based, lines split at LF."""
    line, start, nl = 1, 0, -1
    for m in UNSAFE.finditer(text):
        i = m.start()
        breaks = text.count("\n", start, i)
        if breaks:  # look back only as far as the previous match: linear on one long line
            line += breaks
            nl = text.rfind("\n", start, i)
        start = i
        yield line, i - nl, m.group()
