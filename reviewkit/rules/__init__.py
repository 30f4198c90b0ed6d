"""Content rules run by ``reviewkit validate`` on an article's Markdown body.

One :class:`Linter` per configuration: it compiles the word lists and regexes once; each
:meth:`Linter.lint` parses the body once with markdown-it-py and hands the same token
stream to every rule. ``docs/rules.md`` documents each rule.

Layer: rules/ (may import base/; ``leftovers`` reads the template of ``reviewkit new`` from
article/scaffold, a listed exception in tests/test_layout.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, Literal

from reviewkit.base.errors import ConfigError
from reviewkit.base.findings import SKIPPED_RULE, Finding
from reviewkit.base.structs import ConfigDict, Field, Model, ValidationError, model_validator
from reviewkit.rules import (
    citations,
    count_matches_list,
    leftovers,
    links,
    medication,
    person_first,
    readability,
    safe_messaging,
    structure,
)
from reviewkit.rules._base import Context, LazySlugs, Raw, Rule, slug_names
from reviewkit.rules._doc import make_parser, parse
from reviewkit.rules._suppress import SUPPRESSION, Suppressions, collect
from reviewkit.rules._words import WordLists, load_word_lists

__all__ = [
    "DEFAULT_LEVELS",
    "RULE_IDS",
    "SUPPRESSION",
    "LazySlugs",
    "Linter",
    "RuleSettings",
    "RulesConfig",
    "slug_names",
]

RuleLevel = Literal["error", "warning", "off"]

# rule id -> (options model, rule class, default level)
_REGISTRY: dict[str, tuple[type[Model], Callable[[Any, WordLists], Rule], RuleLevel]] = {
    count_matches_list.ID: (
        count_matches_list.Options,
        count_matches_list.CountMatchesList,
        "error",
    ),
    safe_messaging.ID: (safe_messaging.Options, safe_messaging.SafeMessaging, "error"),
    person_first.ID: (person_first.Options, person_first.PersonFirst, "warning"),
    citations.ID: (citations.Options, citations.Citations, "error"),
    links.ID: (links.Options, links.Links, "error"),
    readability.ID: (readability.Options, readability.Readability, "warning"),
    structure.ID: (structure.Options, structure.Structure, "error"),
    medication.ID: (medication.Options, medication.Medication, "error"),
    leftovers.ID: (leftovers.Options, leftovers.Leftovers, "error"),
}
RULE_IDS: tuple[str, ...] = tuple(_REGISTRY)
# rules that read the text's language (word lists, an English reading formula): run on an
# article only in a language they have lists for; the others run in every language
LANGUAGE_BOUND = frozenset({count_matches_list.ID, safe_messaging.ID, person_first.ID,
                            citations.ID, readability.ID, medication.ID, leftovers.ID})
WORD_LISTS_LANG = "en"  # the language of the packaged word lists and of `word_lists`
# the finding that a rule was skipped for lack of a word list (one per language and rule)
SKIPPED = SKIPPED_RULE
DEFAULT_LEVELS: dict[str, RuleLevel] = {k: v[2] for k, v in _REGISTRY.items()}


class RuleSettings(Model):
    """A rule's level and options (``rules.<id>`` in reviewkit.yaml)."""

    model_config = ConfigDict(extra="forbid")

    level: RuleLevel
    options: dict[str, Any] = {}


def _default(rule_id: str) -> Callable[[], RuleSettings]:
    return lambda: RuleSettings(level=DEFAULT_LEVELS[rule_id])


class RulesConfig(Model):
    """The ``rules:`` block of reviewkit.yaml.

    Each rule accepts ``{level: error|warning|off, options: {…}}``; as a shorthand the
    level alone (``readability: off``), and a block without ``level`` keeps the default.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    count_matches_list: RuleSettings = Field(
        default_factory=_default("count-matches-list"), alias="count-matches-list"
    )
    safe_messaging: RuleSettings = Field(
        default_factory=_default("safe-messaging"), alias="safe-messaging"
    )
    person_first: RuleSettings = Field(
        default_factory=_default("person-first"), alias="person-first"
    )
    citations: RuleSettings = Field(default_factory=_default("citations"))
    links: RuleSettings = Field(default_factory=_default("links"))
    readability: RuleSettings = Field(default_factory=_default("readability"))
    structure: RuleSettings = Field(default_factory=_default("structure"))
    medication: RuleSettings = Field(default_factory=_default("medication"))
    leftovers: RuleSettings = Field(default_factory=_default("leftovers"))
    word_lists: list[str] = []
    # word lists per language (BCP 47 tag -> files): an article in such a language is
    # checked with these instead of the packaged English lists (readability, an English
    # formula, is skipped); in a language with none, the word-list rules are skipped
    languages: dict[str, list[str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        out = dict(data)
        for rule_id in RULE_IDS:
            for key in (rule_id, rule_id.replace("-", "_")):
                if key not in out:
                    continue
                v = out[key]
                if isinstance(v, str):
                    out[key] = {"level": v}
                elif isinstance(v, Mapping) and "level" not in v:
                    out[key] = {"level": DEFAULT_LEVELS[rule_id], **v}
        return out

    @model_validator(mode="after")
    def _check_options(self) -> RulesConfig:
        for rule_id in RULE_IDS:
            _options(rule_id, self.settings(rule_id).options, ValueError)
        return self

    def settings(self, rule_id: str) -> RuleSettings:
        """The settings of one rule, by its id (``"safe-messaging"``)."""
        if rule_id not in _REGISTRY:
            raise KeyError(rule_id)
        value: RuleSettings = getattr(self, rule_id.replace("-", "_"))
        return value


def _options(rule_id: str, raw: Mapping[str, Any], exc: type[Exception]) -> Model:
    model = _REGISTRY[rule_id][0]
    try:
        return model.model_validate(dict(raw))
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "options"
        msg = first["msg"]
        if first["type"] == "extra_forbidden":
            known = ", ".join(model.model_fields) or "none"
            msg = f"unknown option (known: {known})"
        raise exc(f"rules.{rule_id}.options.{where}: {msg}") from None


class Linter:
    """Checks article bodies against the configured rules. Build once, lint many."""

    def __init__(self, config: RulesConfig, *, root: Path, known_slugs: Collection[str],
                 default_lang: str = WORD_LISTS_LANG) -> None:
        self.config = config
        self.root = root
        self.known_slugs = slug_names(known_slugs)
        self.words = load_word_lists(config.word_lists, root)
        self._md = make_parser()
        self._rules: list[tuple[Rule, Literal["error", "warning"]]] = []
        for rule_id, (_model, factory, _lvl) in _REGISTRY.items():
            settings = config.settings(rule_id)
            options = _options(rule_id, settings.options, ConfigError)
            if settings.level == "off":
                continue
            self._rules.append((factory(options, self.words), settings.level))
        self.default_lang = default_lang
        # language (lower case) -> its rules; the packaged lists' language has them all
        self._by_lang: dict[str, list[tuple[Rule, Literal["error", "warning"]]]] = {
            WORD_LISTS_LANG: self._rules}
        for lang, files in config.languages.items():
            words = load_word_lists(files, root, packaged=False)
            self._by_lang[lang.lower()] = [
                (factory(_options(rule.id, config.settings(rule.id).options, ConfigError),
                         words), level)
                for rule, level in self._rules if rule.id != readability.ID
                for factory in [_REGISTRY[rule.id][1]]]

    def has_lists(self, lang: str) -> bool:
        """Does the configuration give word lists for ``lang`` (or its primary subtag)?"""
        tag = lang.strip().lower()
        return tag in self._by_lang or tag.split("-")[0] in self._by_lang

    def rules_for(self, lang: str) -> tuple[list[tuple[Rule, Literal["error", "warning"]]],
                                            list[str]]:
        """(the rules that run on an article in ``lang``, the ids of those skipped)."""
        tag = lang.strip().lower()
        for key in (tag, tag.split("-")[0]):
            if key in self._by_lang:
                rules = self._by_lang[key]
                break
        else:
            rules = [(r, lvl) for r, lvl in self._rules if r.id not in LANGUAGE_BOUND]
        ran = {r.id for r, _ in rules}
        return rules, [r.id for r, _ in self._rules if r.id not in ran]

    def lint(
        self, body: str, front_matter: Mapping[str, Any], *, path: str, body_line: int
    ) -> list[Finding]:
        """All findings for one article body, sorted by position."""
        body = body.replace("\r\n", "\n").replace("\r", "\n")
        doc = parse(self._md, body)
        ctx = Context(front_matter, path, self.known_slugs, body_line)
        found, bad = collect(doc, RULE_IDS)
        sups = Suppressions(found)
        out: list[Finding] = [self._finding(ctx, r, SUPPRESSION, "error") for r in bad]
        lang = front_matter.get("lang") if hasattr(front_matter, "get") else None
        lang = lang if isinstance(lang, str) and lang.strip() else self.default_lang
        rules, skipped = self.rules_for(lang)
        if skipped:  # counted and reported once per language by the catalogue
            what = "rule" if len(skipped) == 1 else "rules"
            tag = lang.strip().lower()
            why = (f"{tag}: English only" if self.has_lists(tag) else f"no {tag} word list")
            out.append(Finding(path, 0, 0, "info", SKIPPED,
                               f"{why}; {what} {', '.join(skipped)} skipped"))
        for rule, level in rules:
            for r in rule.check(doc, ctx):
                if sups.covers(rule.id, r.line):
                    continue
                if r.level == "off":
                    continue
                out.append(self._finding(ctx, r, rule.id, r.level or level))
        out.sort()
        return out

    @staticmethod
    def _finding(
        ctx: Context, r: Raw, rule: str, level: Literal["error", "warning", "info"]
    ) -> Finding:
        return Finding(
            path=ctx.path,
            line=max(1, ctx.body_line + r.line),
            col=max(1, r.col),
            level=level,
            rule=rule,
            message=r.message,
            suggestion=r.suggestion,
        )
