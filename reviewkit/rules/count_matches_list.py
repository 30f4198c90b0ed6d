"""count-matches-list: "Seven signs…" must be followed by a list of exactly seven items.

A heading *announces* a count when it starts (optionally after "The", "Top", "Our",
"These", "Here are", or after a colon) with a number from 2 to 99, in digits or words,
followed within three words by a plural noun (a word ending in "s"), with no preposition
or verb in between and the noun not in the ``not_items`` word list (years, minutes, …).
The items counted are those of the first top-level list in the heading's section (up to
the next heading of the same or higher rank); with no list there, the direct subheadings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewkit.base.structs import ConfigDict, Model
from reviewkit.rules._base import Context, Raw
from reviewkit.rules._doc import Document, Heading
from reviewkit.rules._words import WordLists

ID = "count-matches-list"

_UNITS = [
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORDS: dict[str, int] = {w: i + 2 for i, w in enumerate(_UNITS)}
for _t, _w in enumerate(_TENS):
    WORDS[_w] = 20 + 10 * _t
    for _u, _uw in enumerate(["one", *_UNITS[:8]]):
        WORDS[f"{_w}-{_uw}"] = 20 + 10 * _t + _u + 1
NAMES = {v: k for k, v in WORDS.items()}

_NUM = "|".join(sorted(WORDS, key=len, reverse=True))
_ANNOUNCE = re.compile(
    rf"(?:^|:\s+)(?:(?:the|top|our|these|here\s+are(?:\s+the)?)\s+)?(?P<num>\d{{1,2}}|{_NUM})\s+(?P<rest>.+)",
    re.IGNORECASE,
)
_STOP = frozenset(
    [
        "in",
        "of",
        "out",
        "to",
        "and",
        "or",
        "for",
        "by",
        "with",
        "at",
        "on",
        "from",
        "as",
        "than",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "be",
        "percent",
        "per",
        "cent",
    ]
)


class Options(Model):
    model_config = ConfigDict(extra="forbid")

    count_subheadings: bool = True  # no list in the section: count the direct subheadings


def announced(text: str, not_items: frozenset[str]) -> tuple[int, str] | None:
    """(count, the number as written) when the heading text announces a list."""
    m = _ANNOUNCE.search(" ".join(text.split()))
    if m is None:
        return None
    raw = m.group("num")
    n = int(raw) if raw.isdigit() else WORDS[raw.lower()]
    if n < 2:
        return None
    for word in m.group("rest").split()[:3]:
        w = word.strip(".,;:!?\"'()[]…—–").lower()
        if not w or w in _STOP or w in not_items:
            return None
        if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s")):
            return n, raw
    return None


def renumber(text: str, raw: str, count: int) -> str:
    if raw.isdigit() or count not in NAMES:
        new = str(count)
    else:
        new = NAMES[count]
        if raw[0].isupper():
            new = new.capitalize()
    return text.replace(raw, new, 1)


class CountMatchesList:
    id = ID

    def __init__(self, options: Options, words: WordLists) -> None:
        self.options = options
        self.not_items = frozenset(w.lower() for w in words.count_matches_list.not_items)

    def check(self, doc: Document, ctx: Context) -> Iterator[Raw]:
        for h in doc.headings:
            got = announced(h.inline.text, self.not_items)
            if got is None:
                continue
            n, raw = got
            items = self._count(doc, h)
            line, col = h.inline.position(0)
            title = " ".join(h.inline.text.split())
            if items is None:
                yield Raw(
                    h.line,
                    col,
                    f"heading announces {n} items but no list follows it",
                    "add a list with one item per point, or reword the heading",
                )
            elif items != n:
                yield Raw(
                    h.line,
                    col,
                    f"heading announces {n} items but the list that follows has {items}",
                    f"make the list {n} items long, or retitle: “{renumber(title, raw, items)}”",
                )

    def _count(self, doc: Document, h: Heading) -> int | None:
        toks = doc.tokens
        end = doc.section_end(h)
        for i in range(h.index + 3, end):
            t = toks[i]
            if t.level == 0 and t.type in ("bullet_list_open", "ordered_list_open"):
                n = 0
                for j in range(i + 1, end):
                    u = toks[j]
                    if u.level == 0:
                        break
                    if u.type == "list_item_open" and u.level == 1:
                        n += 1
                return n
        if self.options.count_subheadings:
            subs = doc.subheading_count(h)
            if subs:
                return subs
        return None
