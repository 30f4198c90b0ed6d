"""Suppression comments: ``<!-- reviewkit: allow RULE[, RULE…] -- REASON -->``.

* A comment that is a block of its own (on its own line(s)) covers the **next block**:
  every line of the block that follows it (a heading, a paragraph, a whole list, a whole
  blockquote, a table, …).
* A comment inside a block's text (e.g. at the end of a line of a paragraph, a list
  item or a heading) covers **that block**: every line of that paragraph/heading/item.
* The reason after `` -- `` is required; without it, with an unknown rule id, or with a
  malformed comment, the comment suppresses nothing and is itself a finding (rule id
  ``suppression``, always an error).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from reviewkit.rules._base import Raw
from reviewkit.rules._doc import Document

SUPPRESSION = "suppression"
_HEAD = re.compile(r"^\s*reviewkit\s*:", re.IGNORECASE)
_BODY = re.compile(
    r"^\s*reviewkit\s*:\s*allow\s+(?P<rules>[A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*)"
    r"\s*(?:--\s*(?P<reason>.*\S)?)?\s*$",  # greedy to the last non-space: linear
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Suppression:
    rules: frozenset[str]
    first: int  # 0-based body lines, [first, last)
    last: int

    def covers(self, rule: str, line: int) -> bool:
        return rule in self.rules and self.first <= line < self.last


def _parse_one(
    comment: str, line: int, col: int, scope: tuple[int, int] | None, known: Collection[str]
) -> tuple[Suppression | None, Raw | None]:
    m = _BODY.match(comment)
    if m is None:
        return None, Raw(
            line,
            col,
            "malformed reviewkit comment",
            "write <!-- reviewkit: allow RULE-ID -- the reason -->",
        )
    rules = [r.strip().lower() for r in m.group("rules").split(",")]
    unknown = [r for r in rules if r not in known]
    if unknown:
        return None, Raw(
            line,
            col,
            f"suppression names unknown rule {', '.join(repr(u) for u in unknown)}",
            "known rules: " + ", ".join(sorted(known)),
        )
    reason = (m.group("reason") or "").strip()
    if not reason:
        return None, Raw(
            line,
            col,
            "suppression without a reason",
            f"write <!-- reviewkit: allow {', '.join(rules)} -- why this is fine here -->",
        )
    if scope is None:
        return None, Raw(line, col, "suppression comment is not followed by any block", None)
    return Suppression(frozenset(rules), scope[0], scope[1]), None


def comments(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, inner text)`` of each ``<!-- … -->`` in ``text``, in one pass (a regex
    with a lazy ``.*?`` rescans the rest of the text from every unclosed ``<!--``)."""
    i = 0
    while True:
        start = text.find("<!--", i)
        if start < 0:
            return
        end = text.find("-->", start + 4)
        if end < 0:
            return  # no later comment can close either
        yield start, text[start + 4 : end]
        i = end + 3


class Suppressions:
    """The suppressions of one article, indexed by rule: :meth:`covers` is a binary search."""

    def __init__(self, sups: Iterable[Suppression]) -> None:
        spans: dict[str, list[tuple[int, int]]] = {}
        for s in sups:
            for rule in s.rules:
                spans.setdefault(rule, []).append((s.first, s.last))
        # per rule: disjoint, sorted [first, last) spans (overlapping ones merged)
        self._starts: dict[str, list[int]] = {}
        self._ends: dict[str, list[int]] = {}
        for rule, items in spans.items():
            starts: list[int] = []
            ends: list[int] = []
            for first, last in sorted(items):
                if starts and first <= ends[-1]:
                    ends[-1] = max(ends[-1], last)
                else:
                    starts.append(first)
                    ends.append(last)
            self._starts[rule], self._ends[rule] = starts, ends

    def covers(self, rule: str, line: int) -> bool:
        starts = self._starts.get(rule)
        if not starts:
            return False
        i = bisect.bisect_right(starts, line) - 1
        return i >= 0 and line < self._ends[rule][i]


def collect(doc: Document, known: Collection[str]) -> tuple[list[Suppression], list[Raw]]:
    sups: list[Suppression] = []
    raws: list[Raw] = []
    toks = doc.tokens
    # the next token with a position after each token, from one backward pass
    next_map: list[tuple[int, int] | None] = [None] * len(toks)
    following: tuple[int, int] | None = None
    for i in range(len(toks) - 1, -1, -1):
        next_map[i] = following
        mp = toks[i].map
        if mp is not None:
            following = (mp[0], mp[1])
    for i, tok in enumerate(toks):
        if tok.type != "html_block" or "reviewkit" not in tok.content or tok.map is None:
            continue
        scope = next_map[i]
        seen, line = 0, tok.map[0]
        for offset, inner in comments(tok.content):
            if not _HEAD.match(inner):
                continue
            line += tok.content.count("\n", seen, offset)
            seen = offset
            src = doc.lines[line] if line < len(doc.lines) else ""
            col = src.find("<!--") + 1 or 1
            s, r = _parse_one(inner, line, col, scope, known)
            if s is not None:
                sups.append(s)
            if r is not None:
                raws.append(r)
    for inl in doc.inlines:
        for content, line in inl.comments:
            if "reviewkit" not in content:
                continue
            stripped = content.strip()
            found = list(comments(stripped)) if stripped.endswith("-->") else []
            if len(found) != 1 or found[0][0] != 0 or len(found[0][1]) + 7 != len(stripped):
                continue  # not exactly one whole comment
            inner = found[0][1]
            if not _HEAD.match(inner):
                continue
            src = doc.lines[line] if line < len(doc.lines) else ""
            col = src.find("<!--") + 1 or 1
            s, r = _parse_one(inner, line, col, inl.map, known)
            if s is not None:
                sups.append(s)
            if r is not None:
                raws.append(r)
    return sups, raws
