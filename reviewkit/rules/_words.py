"""Word lists: YAML data files, validated, merged and compiled once per configuration.

A word-list file is a mapping with any subset of these sections (the packaged files in
``reviewkit/data/wordlists/`` use the same format; ``docs/rules.md`` documents it)::

    safe-messaging: {avoid: [ENTRY…], allow: [PHRASE…], mentions: [ENTRY…],
                     methods: [ENTRY…], explicit_methods: [ENTRY…], context: [ENTRY…]}
    person-first:   {avoid: [ENTRY…], allow: [PHRASE…]}
    citations:      {claims: [ENTRY…], allow: [PHRASE…], clinical: [ENTRY…]}
    medication:     {names: [ENTRY…], doses: [ENTRY…], frequencies: [ENTRY…],
                     dose_context: [ENTRY…], allow: [PHRASE…]}
    leftovers:      {placeholders: [ENTRY…]}
    count-matches-list: {not_items: [WORD…]}

An ENTRY is ``{phrase: str | [str…]}`` or ``{pattern: REGEX}``, optionally with
``not_followed_by: [WORD…]``, ``suggestion``, ``message``, ``id``, ``level`` and
``case_sensitive``. Matching is case-insensitive (unless ``case_sensitive``), on whole
words, on the text of the Markdown (formatting removed).

In a phrase, ``~word`` stands for the word's inflections (``~hang`` = hang, hangs, hanged,
hanging, hung; ``~overdose`` = overdose, overdoses, overdosed, overdosing: see
:func:`forms`), ``{self}`` for a reflexive pronoun (himself, herself, themselves, …) and
``{poss}`` for a possessive (his, her, their, …).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from reviewkit.base.errors import ConfigError
from reviewkit.rules._regex import SEP, Texts, joinable, required_literals, trie_regex
from reviewkit.rules._wordlists import (
    PACKAGED,
    CitationWords,
    CountWords,
    Entry,
    LeftoverWords,
    MedicationWords,
    PersonFirstWords,
    SafeMessagingWords,
    WordListFile,
    WordLists,
    load_word_lists,
    packaged_digest,
)

__all__ = [
    "PACKAGED",
    "CitationWords",
    "CountWords",
    "Entry",
    "LeftoverWords",
    "Match",
    "MedicationWords",
    "PersonFirstWords",
    "PhraseMatcher",
    "SafeMessagingWords",
    "WordListFile",
    "WordLists",
    "entry_regex",
    "forms",
    "load_word_lists",
    "normalize",
    "packaged_digest",
    "phrase_regex",
    "trie_regex",
]

# --- compiling -------------------------------------------------------------------------

_APOS = str.maketrans({"\u2019": "'", "\u2018": "'"})


def normalize(text: str) -> str:
    """Same length as ``text``: curly apostrophes become straight ones."""
    return text.translate(_APOS)


# past forms of irregular verbs (they replace the regular -ed form)
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "hang": ("hanged", "hung"),
    "shoot": ("shot",),
    "take": ("took", "taken"),
    "throw": ("threw", "thrown"),
    "leap": ("leaped", "leapt"),
    "drink": ("drank", "drunk"),
    "cut": (),
    "slit": (),
    "set": (),
    "put": (),
    "hurt": (),
    "lie": ("lay", "lain", "lied"),
    "give": ("gave", "given"),
    "run": ("ran",),
    "fall": ("fell", "fallen"),
    "swim": ("swam", "swum"),
}
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
PRONOUNS = {
    "{self}": ("himself", "herself", "themselves", "themself", "myself", "yourself",
               "ourselves", "oneself"),
    "{poss}": ("his", "her", "their", "my", "your", "our", "one's"),
}


def forms(word: str) -> tuple[str, ...]:
    """A word and its regular inflections (-s, -ed, -ing) plus known irregular ones.

    Small and rule-based on purpose (no NLP dependency): ``jump`` → jumps, jumped, jumping;
    ``overdose`` → overdoses, overdosed, overdosing; ``stab`` → stabs, stabbed, stabbing;
    ``hang`` → hangs, hanged, hanging, hung.
    """
    w = word.lower()
    out = [w]
    if re.search(r"(?:s|sh|ch|x|z|o)$", w):
        out.append(w + "es")
    elif re.search(r"[^aeiou]y$", w):
        out.append(w[:-1] + "ies")
    else:
        out.append(w + "s")
    one_syllable = len(_VOWEL_GROUP.findall(w)) == 1
    # stab → stabbed, step → stepping (a short final syllable doubles its consonant)
    doubles = one_syllable and re.search(r"[^aeiou][aeiou][^aeiouwxy]$", w) is not None
    stem = w + w[-1] if doubles else w
    if w.endswith("ie"):
        out += [w + "d", w[:-2] + "ying"]
    elif w.endswith("ee"):
        out += [w + "d", w + "ing"]
    elif w.endswith("e"):
        out += [w + "d", w[:-1] + "ing"]
    elif re.search(r"[^aeiou]y$", w):
        out += [w[:-1] + "ied", w + "ing"]
    else:
        out += [stem + "ed", stem + "ing"]
    if w in _IRREGULAR:
        out = [f for f in out if not f.endswith("ed")] + list(_IRREGULAR[w])
    return tuple(dict.fromkeys(out))


def _word_regex(word: str) -> str:
    if word in PRONOUNS:
        return "(?:" + "|".join(re.escape(p) for p in PRONOUNS[word]) + ")"
    if word.startswith("~") and len(word) > 1:
        alts = sorted(forms(word[1:]), key=len, reverse=True)
        return "(?:" + "|".join(re.escape(a) for a in alts) + ")"
    return re.escape(word)


def phrase_regex(phrase: str) -> str:
    words = normalize(phrase).split()
    return r"\s+".join(_word_regex(w) for w in words)


def _single_words(phrases: Sequence[str]) -> tuple[list[str], list[str]]:
    """(literal words, the other phrases): one-word phrases become trie material."""
    words: list[str] = []
    rest: list[str] = []
    for p in phrases:
        parts = normalize(p).split()
        if len(parts) != 1 or parts[0] in PRONOUNS:
            rest.append(p)
        elif parts[0].startswith("~") and len(parts[0]) > 1:
            words += forms(parts[0][1:])
        else:
            words.append(parts[0])
    return words, rest


def entry_regex(entry: Entry, *, boundary: bool = True) -> str:
    if entry.pattern is not None:
        core = entry.pattern
    else:
        words, rest = _single_words(entry.phrases)
        if len(words) < 8:  # a short list is as fast as it is
            words, rest = [], entry.phrases
        alts = [phrase_regex(p) for p in rest]
        if words:
            # the (?!\w) after the group backtracks into the trie's optional tails,
            # so every listed word still matches as a whole word
            alts.append(trie_regex(words))
        core = "|".join(alts)
    rx = rf"(?<!\w)(?:{core})(?!\w)" if boundary else rf"(?:{core})(?!\w)"
    if entry.not_followed_by:
        nfb = "|".join(phrase_regex(w) for w in entry.not_followed_by)
        rx += rf"(?![\s\-]+(?:{nfb})(?!\w))"
    return rx


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: Entry


_ESCAPE = re.compile(r"\\.")


def _lowercase_safe(pattern: str) -> bool:
    """True when ``pattern`` has no upper-case letter outside escapes (\\S, \\W, …)."""
    return _ESCAPE.sub("", pattern) == _ESCAPE.sub("", pattern).lower()


class PhraseMatcher:
    """One combined regex for a list of entries, minus the spans of allowed phrases.

    Case-insensitive. Fast path: when every entry is lower-case-safe the regex is compiled
    without ``re.IGNORECASE`` and run on the lower-cased text (about twice as fast); there,
    a text containing none of the strings that every match must contain
    (:func:`required_literals`) is skipped without running the regex (``prefilter``:
    most paragraphs hold no listed word, and the test costs a fraction of the regex).
    """

    def __init__(
        self, entries: Sequence[Entry], allow: Sequence[str], what: str, *,
        ignore_case: bool = True, prefilter: bool = True,
    ) -> None:
        self.entries = list(entries)
        self._flags = re.IGNORECASE if ignore_case else 0
        self._rx: re.Pattern[str] | None = None
        # the case-insensitive regexes are compiled when first needed: with the fast path
        # they serve only texts whose lower-casing changes a length (rare), and compiling
        # them is most of the cost of a one-article command's linter (approve, validate)
        self._source_i: str | None = None
        self._rx_i: re.Pattern[str] | None = None
        # the allowed phrases' regex (lower-case) is compiled at the first match of the
        # entries' regex, the needed strings' one at its first use: most texts need neither
        self._allow_low: str | None = None
        self._allow_rx: re.Pattern[str] | None = None
        self._allow_src: str | None = None
        self._allow_i: re.Pattern[str] | None = None
        # strings of which every match of ``_rx`` contains one (None: not known)
        self._needs: tuple[str, ...] | None = None
        self._needs_src: str | None = None
        self._needs_compiled: re.Pattern[str] | None = None
        self._joinable_cache: dict[tuple[str, str | None], bool] = {}
        self._need_list: tuple[str, ...] | None = None  # _needs even when long
        try:
            if self.entries:
                # the word-start check is hoisted out of the alternation: inside a word the
                # whole regex fails at once instead of trying every entry
                source = (
                    r"(?<!\w)(?:"
                    + "|".join(
                        f"(?P<e{i}>{entry_regex(e, boundary=False)})"
                        for i, e in enumerate(self.entries)
                    )
                    + ")"
                )
                self._source_i = source
                lowered = [
                    Entry.model_construct(
                        **{
                            **e.__dict__,
                            "phrase": _lower(e.phrase),
                            "not_followed_by": [w.lower() for w in e.not_followed_by],
                        }
                    )
                    for e in self.entries
                ]
                if ignore_case and all(
                    e.pattern is None or _lowercase_safe(e.pattern) for e in self.entries
                ):
                    self._rx = re.compile(
                        r"(?<!\w)(?:"
                        + "|".join(
                            f"(?P<e{i}>{entry_regex(e, boundary=False)})"
                            for i, e in enumerate(lowered)
                        )
                        + ")"
                    )
                    needs = required_literals(self._rx.pattern) if prefilter else None
                    if needs is not None and any(SEP in n for n in needs):
                        needs = None
                    self._need_list = needs
                    if needs is not None and len(needs) > 16:
                        # many strings: one factored regex finds any of them faster than
                        # a loop of `in` tests
                        self._needs_src = trie_regex(needs)
                    else:
                        self._needs = needs
                else:
                    self._rx_i = re.compile(source, self._flags)
            if allow:
                alts = "|".join(rf"(?<!\w)(?:{phrase_regex(a)})(?!\w)" for a in allow)
                self._allow_src = alts
                self._allow_low = alts.lower()
        except re.error as exc:  # pragma: no cover - entries are checked one by one on load
            raise ConfigError(f"word lists ({what}): cannot compile: {exc}") from None

    def _allow(self) -> re.Pattern[str] | None:
        """The allowed phrases' regex for lower-cased text (compiled once, when needed)."""
        if self._allow_rx is None and self._allow_low is not None:
            self._allow_rx = re.compile(self._allow_low)
        return self._allow_rx

    def _needs_rx(self) -> re.Pattern[str] | None:
        """One regex finding any needed string, when there are many (compiled once)."""
        if self._needs_compiled is None and self._needs_src is not None:
            self._needs_compiled = re.compile(self._needs_src)
        return self._needs_compiled

    def __bool__(self) -> bool:
        return self._source_i is not None

    def _case_insensitive(self) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
        """The regex and the allowed phrases' regex for text as written (compiled once)."""
        if self._rx_i is None:
            assert self._source_i is not None
            self._rx_i = re.compile(self._source_i, self._flags)
        if self._allow_i is None and self._allow_src is not None:
            self._allow_i = re.compile(self._allow_src, self._flags)
        return self._rx_i, self._allow_i

    def finditer(self, text: str) -> Iterator[Match]:
        if self._source_i is None:
            return
        if self._rx is not None:
            low = _lowered(text)
            if len(low) == len(text):
                needs, needs_rx = self._needs, self._needs_rx()
                if needs is not None and not any(n in low for n in needs):
                    return  # no match can start anywhere in this text
                if needs_rx is not None and needs_rx.search(low) is None:
                    return
                for s, e, idx in _spans(self._rx, self._allow, low, 0, len(low)):
                    yield Match(s, e, self.entries[idx])
                return
        rx, allow_i = self._case_insensitive()
        for s, e, idx in _spans(rx, lambda: allow_i, text, 0, len(text)):
            yield Match(s, e, self.entries[idx])

    def search(self, text: str) -> Match | None:
        return next(iter(self.finditer(text)), None)

    def find_all(self, texts: Texts) -> dict[int, list[Match]]:
        """``{i: list(self.finditer(texts.items[i]))}`` for every text with a match.

        The strings every match needs are looked for once in all the texts joined (by
        :data:`SEP`); the regex then runs on the texts that hold one, each as a window of
        the joined text when no part of the regex can tell :data:`SEP` from the start or
        end of a text (:func:`joinable`), else on the text itself (as :meth:`finditer`)."""
        if self._source_i is None:
            return {}
        n = len(texts.items)
        if self._rx is not None:
            low = texts.lowered()
            if low is None:  # lower-casing changes a length: finditer's own slow path
                return self._per_text(texts, range(n))
            hay, rx, allow, allow_src = low, self._rx, self._allow, self._allow_low
            cands = self._candidates(low, texts.starts)
        else:
            rx, allow_i = self._case_insensitive()
            hay, cands, allow_src = texts.joined, None, self._allow_src

            def allow() -> re.Pattern[str] | None:
                return allow_i
        if cands is not None and not cands:
            return {}
        if not self._joinable(rx, allow_src):
            return self._per_text(texts, cands if cands is not None else range(n))
        out: dict[int, list[Match]] = {}
        entries = self.entries
        starts, items = texts.starts, texts.items
        # each text as a window of the joined text; with no prefilter, one window for all
        windows = ([(starts[i], starts[i] + len(items[i])) for i in cands]
                   if cands is not None else [(0, len(hay))])
        for lo, hi in windows:
            found: list[Match] | None = None
            last = -1
            for s, e, idx in _spans(rx, allow, hay, lo, hi):
                i = bisect.bisect_right(starts, s) - 1
                if found is None or i != last:
                    found = out.setdefault(i, [])
                    last = i
                found.append(Match(s - starts[i], e - starts[i], entries[idx]))
        return out

    def _per_text(self, texts: Texts, which: Iterable[int]) -> dict[int, list[Match]]:
        out: dict[int, list[Match]] = {}
        for i in which:
            found = list(self.finditer(texts.items[i]))
            if found:
                out[i] = found
        return out

    def _joinable(self, rx: re.Pattern[str], allow: str | None) -> bool:
        """Whether ``rx`` and the allowed phrases' regex (its source ``allow``) can run
        over texts joined by SEP (:func:`joinable`)."""
        key = (rx.pattern, allow)
        ok = self._joinable_cache.get(key)
        if ok is None:
            ok = self._joinable_cache[key] = joinable(rx.pattern) and (
                allow is None or joinable(allow))
        return ok

    def _candidates(self, low: str, starts: list[int]) -> list[int] | None:
        """Indexes of the texts (lower-cased, joined in ``low``) that hold one of the
        strings every match needs; None when those are not known."""
        needs = self._need_list
        if needs is None:
            return None
        found: set[int] = set()
        needs_rx = self._needs_rx() if len(needs) > 64 else None
        if needs_rx is not None:
            # matches do not overlap, but an occurrence skipped for overlapping a match
            # lies in that match's text (no needed string holds SEP): no text is missed
            for m in needs_rx.finditer(low):
                found.add(bisect.bisect_right(starts, m.start()) - 1)
        else:
            last = len(starts) - 1
            # str.find runs at memory speed: a few dozen scans beat one regex scan
            for need in needs:
                p = low.find(need)
                while p >= 0:
                    i = bisect.bisect_right(starts, p) - 1
                    found.add(i)
                    p = low.find(need, starts[i + 1]) if i < last else -1  # one hit a text
        return sorted(found)


def _spans(rx: re.Pattern[str], allow: Callable[[], re.Pattern[str] | None], text: str, lo: int,
           hi: int) -> Iterator[tuple[int, int, int]]:
    """(start, end, entry index) of each match of ``rx`` in ``text[lo:hi]`` that no match
    of ``allow()`` (the allowed phrases' regex, asked for at the first match) overlaps."""
    allowed: list[tuple[int, int]] | None = None
    k = 0  # matches and allowed spans both come in order: one pointer, linear
    for m in rx.finditer(text, lo, hi):
        if allowed is None:
            allow_rx = allow()  # compiled at the first match, if ever
            allowed = ([a.span() for a in allow_rx.finditer(text, lo, hi)]
                       if allow_rx is not None else [])
        s, e = m.span()
        while k < len(allowed) and allowed[k][1] <= s:
            k += 1
        if k < len(allowed) and allowed[k][0] < e:
            continue
        name = m.lastgroup
        yield s, e, int(name[1:]) if name is not None else 0


_LOWERED: dict[str, str] = {}


def _lowered(text: str) -> str:
    """``text.lower()``, made once per text: each rule runs several matchers on the same
    paragraph (the dictionary is emptied when it grows past a few articles' worth)."""
    low = _LOWERED.get(text)
    if low is None:
        if len(_LOWERED) > 4096:
            _LOWERED.clear()
        low = _LOWERED[text] = text.lower()
    return low


def _lower(phrase: str | list[str] | None) -> str | list[str] | None:
    if phrase is None:
        return None
    return phrase.lower() if isinstance(phrase, str) else [p.lower() for p in phrase]
