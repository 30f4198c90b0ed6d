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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from reviewkit.base.errors import ConfigError

PACKAGED = (
    "safe-messaging",
    "person-first",
    "citations",
    "count-matches-list",
    "medication",
    "leftovers",
)
_FORBIDDEN_IN_PATTERN = re.compile(r"\(\?P[<=]|\\[1-9]|\(\?[aiLmsux]+\)")


class Entry(BaseModel):
    """One phrase (or regex) to look for."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    phrase: str | list[str] | None = None
    pattern: str | None = None
    not_followed_by: list[str] = []
    suggestion: str | None = None  # replacement wording, shown as: use “…”
    hint: str | None = None  # free-text advice, shown as is (when there is no suggestion)
    message: str | None = None
    # this entry's level, overriding the rule's (e.g. slurs are errors in a warning rule)
    level: Literal["error", "warning", "off"] | None = None
    case_sensitive: bool = False  # "TODO", "TK": only in capitals

    def advice(self) -> str | None:
        return f"use “{self.suggestion}”" if self.suggestion else self.hint

    @model_validator(mode="after")
    def _one_of(self) -> Entry:
        if (self.phrase is None) == (self.pattern is None):
            raise ValueError("an entry needs exactly one of 'phrase' or 'pattern'")
        if self.pattern is not None:
            if _FORBIDDEN_IN_PATTERN.search(self.pattern):
                raise ValueError(
                    f"pattern {self.pattern!r}: named groups, backreferences and inline "
                    "flags are not allowed (use (?:…) groups; matching is case-insensitive)"
                )
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern {self.pattern!r} is not a valid regex: {exc}") from None
        return self

    @property
    def phrases(self) -> list[str]:
        if self.phrase is None:
            return []
        return [self.phrase] if isinstance(self.phrase, str) else list(self.phrase)

    def label(self) -> str:
        return self.id or (self.phrases[0] if self.phrases else str(self.pattern))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SafeMessagingWords(_Section):
    avoid: list[Entry] = []
    allow: list[str] = []
    mentions: list[Entry] = []
    methods: list[Entry] = []  # a method description when near a ``context`` match
    explicit_methods: list[Entry] = []  # a method description on their own ("hanged himself")
    context: list[Entry] = []  # suicide, self-harm, death by suicide: what methods must be near


class PersonFirstWords(_Section):
    avoid: list[Entry] = []
    allow: list[str] = []


class CitationWords(_Section):
    claims: list[Entry] = []
    allow: list[str] = []
    clinical: list[Entry] = []  # clinical statements: an article with them should cite sources


class MedicationWords(_Section):
    names: list[Entry] = []  # psychiatric medicines, generic and brand names
    doses: list[Entry] = []  # amounts: "20 mg"
    frequencies: list[Entry] = []  # "twice daily": a dose only with dose_context nearby
    dose_context: list[Entry] = []  # "take", "dose", "tablet", a medicine name…
    allow: list[str] = []


class LeftoverWords(_Section):
    placeholders: list[Entry] = []


class CountWords(_Section):
    not_items: list[str] = []


class WordListFile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    safe_messaging: SafeMessagingWords = Field(
        default_factory=SafeMessagingWords, alias="safe-messaging"
    )
    person_first: PersonFirstWords = Field(default_factory=PersonFirstWords, alias="person-first")
    citations: CitationWords = Field(default_factory=CitationWords)
    count_matches_list: CountWords = Field(default_factory=CountWords, alias="count-matches-list")
    medication: MedicationWords = Field(default_factory=MedicationWords)
    leftovers: LeftoverWords = Field(default_factory=LeftoverWords)


@dataclass
class WordLists:
    """All word lists merged (packaged first, then the publication's files in order)."""

    safe_messaging: SafeMessagingWords = field(default_factory=SafeMessagingWords)
    person_first: PersonFirstWords = field(default_factory=PersonFirstWords)
    citations: CitationWords = field(default_factory=CitationWords)
    count_matches_list: CountWords = field(default_factory=CountWords)
    medication: MedicationWords = field(default_factory=MedicationWords)
    leftovers: LeftoverWords = field(default_factory=LeftoverWords)

    def extend(self, other: WordListFile) -> None:
        for name in type(other).model_fields:
            mine, theirs = getattr(self, name), getattr(other, name)
            for key in type(theirs).model_fields:
                getattr(mine, key).extend(getattr(theirs, key))


def _parse(text: str, name: str) -> WordListFile:
    try:
        data: Any = YAML(typ="safe", pure=False).load(text)
    except YAMLError as exc:
        raise ConfigError(f"word list {name}: not valid YAML: {exc}".replace("\n", " ")) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"word list {name}: expected a mapping of sections, got {type(data).__name__}"
        )
    try:
        return WordListFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"word list {name}: {where}: {first['msg']}") from None


@lru_cache(maxsize=1)
def _packaged() -> tuple[WordListFile, ...]:
    base = resources.files("reviewkit").joinpath("data").joinpath("wordlists")
    out = []
    for name in PACKAGED:
        res = base.joinpath(f"{name}.yaml")
        out.append(_parse(res.read_text(encoding="utf-8"), f"reviewkit/data/wordlists/{name}.yaml"))
    return tuple(out)


def packaged_digest() -> str:
    """SHA-256 over the packaged word-list files: cached findings follow their edits."""
    import hashlib

    h = hashlib.sha256()
    base = resources.files("reviewkit").joinpath("data").joinpath("wordlists")
    for name in PACKAGED:
        data = base.joinpath(f"{name}.yaml").read_bytes()
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def load_word_lists(extra: Sequence[str], root: Path) -> WordLists:
    """Packaged lists plus the publication's extra files (paths relative to ``root``)."""
    words = WordLists()
    for f in _packaged():
        words.extend(f.model_copy(deep=True))
    for rel in extra:
        path = root / rel
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(
                f"word list {rel}: file not found", hint=f"looked in {root}"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"word list {rel}: cannot read: {exc}") from None
        words.extend(_parse(text, rel))
    return words


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
    without ``re.IGNORECASE`` and run on the lower-cased text (about twice as fast).
    """

    def __init__(
        self, entries: Sequence[Entry], allow: Sequence[str], what: str, *,
        ignore_case: bool = True,
    ) -> None:
        self.entries = list(entries)
        flags = re.IGNORECASE if ignore_case else 0
        self._rx: re.Pattern[str] | None = None
        self._rx_i: re.Pattern[str] | None = None
        self._allow: re.Pattern[str] | None = None
        self._allow_i: re.Pattern[str] | None = None
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
                self._rx_i = re.compile(source, flags)
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
            if allow:
                alts = "|".join(rf"(?<!\w)(?:{phrase_regex(a)})(?!\w)" for a in allow)
                self._allow_i = re.compile(alts, flags)
                self._allow = re.compile(alts.lower())
        except re.error as exc:  # pragma: no cover - entries are checked one by one on load
            raise ConfigError(f"word lists ({what}): cannot compile: {exc}") from None

    def __bool__(self) -> bool:
        return self._rx_i is not None

    def finditer(self, text: str) -> Iterator[Match]:
        if self._rx_i is None:
            return
        rx, allow = self._rx_i, self._allow_i
        if self._rx is not None:
            low = text.lower()
            if len(low) == len(text):
                rx, allow, text = self._rx, self._allow, low
        allowed: list[tuple[int, int]] | None = None
        k = 0  # matches and allowed spans both come in order: one pointer, linear
        for m in rx.finditer(text):
            if allowed is None:
                allowed = [a.span() for a in allow.finditer(text)] if allow is not None else []
            s, e = m.span()
            while k < len(allowed) and allowed[k][1] <= s:
                k += 1
            if k < len(allowed) and allowed[k][0] < e:
                continue
            name = m.lastgroup
            idx = int(name[1:]) if name is not None else 0
            yield Match(s, e, self.entries[idx])

    def search(self, text: str) -> Match | None:
        return next(iter(self.finditer(text)), None)


def _lower(phrase: str | list[str] | None) -> str | list[str] | None:
    if phrase is None:
        return None
    return phrase.lower() if isinstance(phrase, str) else [p.lower() for p in phrase]


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
