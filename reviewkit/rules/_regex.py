"""What word-list matching reads off regexes: the strings every match needs
(:func:`required_literals`, the prefilter) and whether a regex can run over many texts
joined by :data:`SEP` as over each alone (:func:`joinable`, :class:`Texts`).

Layer: rules/ (standard library only).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

# the regex parser of the standard library (re._parser since 3.11, sre_parse before)
try:
    _sre_p: Any = importlib.import_module("re._parser")
    _sre_c: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - Python 3.10
    _sre_p = importlib.import_module("sre_parse")
    _sre_c = importlib.import_module("sre_constants")

_REPEATS = {_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, getattr(_sre_c, "POSSESSIVE_REPEAT", None)}


SEP = "\x00"  # joins texts for one regex run; markdown-it turns NUL in a body into U+FFFD


class Texts:
    """Texts matched together (the paragraphs of one article): :meth:`PhraseMatcher.find_all`.

    ``joined`` is the texts with :data:`SEP` between them, ``starts`` the offset of each."""

    __slots__ = ("_lowered", "items", "joined", "starts")

    def __init__(self, items: Sequence[str]) -> None:
        self.items = list(items)
        self.joined = SEP.join(self.items)
        starts: list[int] = []
        pos = 0
        for t in self.items:
            starts.append(pos)
            pos += len(t) + 1
        self.starts = starts
        self._lowered: str | None | bool = False

    def lowered(self) -> str | None:
        """The joined text lower-cased, or None when lower-casing changes the length of
        some text (its offsets would no longer be the text's)."""
        if self._lowered is False:
            lows = [t.lower() for t in self.items]
            same = all(len(a) == len(b) for a, b in zip(lows, self.items, strict=True))
            self._lowered = SEP.join(lows) if same else None
        return self._lowered if isinstance(self._lowered, str) else None


def joinable(pattern: str) -> bool:
    """True when no match of ``pattern`` can touch :data:`SEP` and the pattern cannot tell
    :data:`SEP` from the start or end of a text: no ``.``, no negated class, no anchor but
    ``\\b``/``\\B``, classes of literals, ranges above NUL and ``\\d``, ``\\w``, ``\\s``
    only (lookarounds included), and no empty match. Then running it over texts joined by
    :data:`SEP` finds exactly the matches of running it over each text."""
    try:
        parsed = _sre_p.parse(pattern)
    except (re.error, RecursionError, TypeError, ValueError):  # pragma: no cover
        return False
    try:
        if parsed.getwidth()[0] == 0:
            return False
        return _joinable(parsed)
    except RecursionError:  # pragma: no cover
        return False


_SAFE_AT = {_sre_c.AT_BOUNDARY, _sre_c.AT_NON_BOUNDARY}
_SAFE_CATEGORIES = {_sre_c.CATEGORY_DIGIT, _sre_c.CATEGORY_WORD, _sre_c.CATEGORY_SPACE}


def _joinable(items: Any) -> bool:
    c = _sre_c
    sep = ord(SEP)
    for op, av in items:
        if op is c.LITERAL:
            if av == sep:
                return False
        elif op is c.IN:
            for iop, iav in av:
                if iop is c.LITERAL:
                    if iav == sep:
                        return False
                elif iop is c.RANGE:
                    if iav[0] <= sep:
                        return False
                elif iop is c.CATEGORY:
                    if iav not in _SAFE_CATEGORIES:
                        return False
                else:
                    return False  # NEGATE and anything unknown
        elif op is c.SUBPATTERN:
            if not _joinable(av[3]):
                return False
        elif op is c.BRANCH:
            if not all(_joinable(b) for b in av[1]):
                return False
        elif op in _REPEATS:
            if not _joinable(av[2]):
                return False
        elif op is c.ASSERT or op is c.ASSERT_NOT:
            if not _joinable(av[1]):
                return False
        elif op is getattr(c, "ATOMIC_GROUP", None):
            if not _joinable(av):
                return False
        elif op is c.AT:
            if av not in _SAFE_AT:
                return False
        else:
            return False  # ANY, NOT_LITERAL, CATEGORY outside a class, GROUPREF, ...
    return True


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Strings of which every match of ``pattern`` (case-sensitive) contains at least one,
    or None when the pattern gives no such set. A text containing none of them cannot
    match, so the matcher skips it without running the regex (the set is read off the
    parsed pattern: literal runs, alternations, groups and repeats of at least one)."""
    try:
        found = _required(_sre_p.parse(pattern))
    except (re.error, RecursionError, TypeError, ValueError):  # pragma: no cover
        return None
    if not found or any(not f for f in found):
        return None
    return tuple(sorted(set(found), key=lambda f: (-len(f), f)))


def _better(a: list[str] | None, b: list[str] | None) -> list[str] | None:
    # the set whose shortest string is longest filters best (fewer strings on a tie)
    if b is None or not b or any(not x for x in b):
        return a
    if a is None:
        return b
    ka, kb = (min(map(len, a)), -len(a)), (min(map(len, b)), -len(b))
    return b if kb > ka else a


def _required(items: Any) -> list[str] | None:
    c = _sre_c
    best: list[str] | None = None
    run: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            best = _better(best, ["".join(run)])
            run = []
        cand: list[str] | None = None
        if op is c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            cand = _required(sub) if not add_flags and not del_flags else None
        elif op is c.BRANCH:
            subs = [_required(b) for b in av[1]]
            if all(x for x in subs):
                cand = [x for sub in subs if sub for x in sub]
        elif op in _REPEATS:
            lo, _hi, sub = av
            cand = _required(sub) if lo >= 1 else None
        elif op is getattr(c, "ATOMIC_GROUP", None):
            cand = _required(av)
        best = _better(best, cand)
    if run:
        best = _better(best, ["".join(run)])
    return best


def trie_regex(words: Sequence[str]) -> str:
    """One regex matching exactly ``words`` (literals), factored by common prefixes.

    Python's ``re`` tries the branches of an alternation one by one at every position; a
    list of hundreds of names ("sertraline|sertindole|…") costs hundreds of tries per word
    of text, the factored form (``sert(?:raline|indole)``) a handful.
    """
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return build(trie)
