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

import re
from collections.abc import Collection
from dataclasses import dataclass

from reviewkit.rules._base import Raw
from reviewkit.rules._doc import Document

SUPPRESSION = "suppression"
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_HEAD = re.compile(r"^\s*reviewkit\s*:", re.IGNORECASE)
_BODY = re.compile(
    r"^\s*reviewkit\s*:\s*allow\s+(?P<rules>[A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*)"
    r"\s*(?:--\s*(?P<reason>.*?))?\s*$",
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


def collect(doc: Document, known: Collection[str]) -> tuple[list[Suppression], list[Raw]]:
    sups: list[Suppression] = []
    raws: list[Raw] = []
    toks = doc.tokens
    for i, tok in enumerate(toks):
        if tok.type != "html_block" or "reviewkit" not in tok.content or tok.map is None:
            continue
        scope: tuple[int, int] | None = None
        for nxt in toks[i + 1 :]:
            if nxt.map is not None:
                scope = (nxt.map[0], nxt.map[1])
                break
        for cm in _COMMENT.finditer(tok.content):
            if not _HEAD.match(cm.group(1)):
                continue
            before = tok.content[: cm.start()]
            line = tok.map[0] + before.count("\n")
            src = doc.lines[line] if line < len(doc.lines) else ""
            col = src.find("<!--") + 1 or 1
            s, r = _parse_one(cm.group(1), line, col, scope, known)
            if s is not None:
                sups.append(s)
            if r is not None:
                raws.append(r)
    for inl in doc.inlines:
        for content, line in inl.comments:
            if "reviewkit" not in content:
                continue
            im = _COMMENT.fullmatch(content.strip())
            if im is None or not _HEAD.match(im.group(1)):
                continue
            src = doc.lines[line] if line < len(doc.lines) else ""
            col = src.find("<!--") + 1 or 1
            s, r = _parse_one(im.group(1), line, col, inl.map, known)
            if s is not None:
                sups.append(s)
            if r is not None:
                raws.append(r)
    return sups, raws
