"""Word-list files: read, validated and merged (packaged first, then the publication's).

The format is documented in :mod:`reviewkit.rules._words` and ``docs/rules.md``; compiling
the merged lists into matchers is :mod:`reviewkit.rules._words`' job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from reviewkit.base.errors import ConfigError
from reviewkit.base.structs import ConfigDict, Field, Model, ValidationError, model_validator

PACKAGED = (
    "safe-messaging",
    "person-first",
    "citations",
    "count-matches-list",
    "medication",
    "leftovers",
)
_FORBIDDEN_IN_PATTERN = re.compile(r"\(\?P[<=]|\\[1-9]|\(\?[aiLmsux]+\)")


class Entry(Model):
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


class _Section(Model):
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


class WordListFile(Model):
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


def load_word_lists(extra: Sequence[str], root: Path, *, packaged: bool = True) -> WordLists:
    """Packaged lists (English; unless ``packaged`` is False) plus the publication's extra
    files (paths relative to ``root``)."""
    words = WordLists()
    for f in _packaged() if packaged else ():
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
