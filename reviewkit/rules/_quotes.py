"""Whether a matched phrase sits inside quotation marks: a mention, not a use (the
safe-messaging, person-first and citation rules skip those). Linear per text: the marks'
positions are indexed once, and each question is a binary search.

Layer: rules/ (standard library only).
"""

from __future__ import annotations

import bisect

_OPEN_CLOSE = {"\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb"}


class _Quotes:
    """Where the quotation marks of one text are, so that each :func:`is_quoted` question
    costs a binary search instead of a copy and a scan of the text (linear per article)."""

    def __init__(self, text: str) -> None:
        self.text = text
        marks = {'"', *_OPEN_CLOSE, *_OPEN_CLOSE.values()}
        self.pos: dict[str, list[int]] = {m: [] for m in marks}
        for i, ch in enumerate(text):
            if ch in marks:
                self.pos[ch].append(i)

    def count_before(self, ch: str, i: int) -> int:
        return bisect.bisect_left(self.pos[ch], i)

    def last_before(self, ch: str, i: int) -> int:
        n = bisect.bisect_left(self.pos[ch], i)
        return self.pos[ch][n - 1] if n else -1

    def any_from(self, ch: str, i: int) -> bool:
        p = self.pos[ch]
        return bool(p) and p[-1] >= i


_last_quotes: _Quotes | None = None


def _quotes(text: str) -> _Quotes:
    global _last_quotes
    # rules ask about many matches of one text in a row; the index of the last text is kept
    if _last_quotes is None or _last_quotes.text is not text:
        _last_quotes = _Quotes(text)
    return _last_quotes


def is_quoted(text: str, start: int, end: int) -> bool:
    """True when text[start:end] sits inside quotation marks (a mention, not a use)."""
    q = _quotes(text)
    # the same paragraph line is enough context; quotes do not span paragraphs here
    if q.count_before('"', start) % 2 == 1 and q.any_from('"', end):
        return True
    for o, c in _OPEN_CLOSE.items():
        last_o, last_c = q.last_before(o, start), q.last_before(c, start)
        if last_o > last_c and q.any_from(c, end):
            if o == "\u2018":
                # ’ doubles as an apostrophe: require the closing mark right after the phrase
                i = end
                while i < len(text) and text[i] in ".,;:!?":
                    i += 1
                return text.startswith(c, i) or text.startswith(c, end)
            return True
    # 'word' in straight single quotes, tight around the phrase
    return start > 0 and text[start - 1] == "'" and text.startswith("'", end)
