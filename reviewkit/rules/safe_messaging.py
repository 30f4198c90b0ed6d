"""safe-messaging: wording that suicide-reporting guidance advises against, and a crisis line.

1. Phrases from the ``safe-messaging.avoid`` word list ("committed suicide", "successful
   suicide attempt", "suicide epidemic", …) are reported with the suggested wording,
   unless they sit inside quotation marks (a mention such as: say "died by suicide",
   not "committed suicide").
2. Method descriptions: a ``safe-messaging.methods`` match ("overdosed on her pills",
   "jumped from the bridge") in a paragraph that also has a ``context`` match (suicide,
   self-harm, "took his own life", "on purpose", …), and every ``explicit_methods`` match
   ("hanged himself"), anywhere; one finding per paragraph, at its first method.
   Quotation marks do not exempt them: a quoted method is still a method. Matching is
   on the plain text, never on link targets or code.
3. An article whose text mentions suicide or self-harm (``safe-messaging.mentions`` or an
   explicit method) must contain at least one crisis resource: one of the resources of
   its locale (the front matter's ``lang``, else ``default_lang``) from ``locales``, or
   ``crisis_resources`` when the locale has no entry, found as a whole word in the text or
   anywhere in a link target (``tel:988``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from reviewkit.base.structs import ConfigDict, Field, Model, field_validator
from reviewkit.rules._base import Context, Raw
from reviewkit.rules._doc import Document
from reviewkit.rules._quotes import is_quoted
from reviewkit.rules._regex import Texts, joinable
from reviewkit.rules._words import PhraseMatcher, WordLists, phrase_regex

ID = "safe-messaging"


def _check_resources(v: list[str]) -> list[str]:
    if not v or not all(s.strip() for s in v):
        raise ValueError("must list at least one non-empty string")
    return v


class Locale(Model):
    """The crisis resources an article in one locale must give (any one of them)."""

    model_config = ConfigDict(extra="forbid")

    resources: list[str]
    suggestion: str

    @field_validator("resources")
    @classmethod
    def _not_empty(cls, v: list[str]) -> list[str]:
        return _check_resources(v)


DEFAULT_LOCALES: dict[str, dict[str, Any]] = {
    "en-US": {
        "resources": ["988"],
        "suggestion": "add a “Find care” section: call or text 988 "
        "(the 988 Suicide & Crisis Lifeline, US)",
    },
    "en-CA": {
        "resources": ["988", "9-8-8"],
        "suggestion": "add a “Find care” section: call or text 9-8-8 "
        "(9-8-8 Suicide Crisis Helpline, Canada)",
    },
    "en-GB": {
        "resources": ["116 123", "Samaritans"],
        "suggestion": "add a “Find care” section: call Samaritans free on 116 123 (UK)",
    },
    "en-IE": {
        "resources": ["116 123", "Samaritans"],
        "suggestion": "add a “Find care” section: call Samaritans free on 116 123 (Ireland)",
    },
    "en-AU": {
        "resources": ["13 11 14", "Lifeline"],
        "suggestion": "add a “Find care” section: call Lifeline on 13 11 14 (Australia)",
    },
    "en-NZ": {
        "resources": ["1737"],
        "suggestion": "add a “Find care” section: call or text 1737 (New Zealand)",
    },
}


class Options(Model):
    model_config = ConfigDict(extra="forbid")

    require_crisis_resource: bool = True
    # for articles whose locale has no entry in `locales` (and with no lang at all)
    crisis_resources: list[str] = ["988"]
    crisis_suggestion: str = (
        "add a “Find care” section: call or text 988 (the 988 Suicide & Crisis Lifeline, US)"
    )
    # the locale of articles without a `lang` field (None: use crisis_resources)
    default_lang: str | None = None
    # BCP 47 tag -> resources; the publication's entries are merged over these defaults
    locales: dict[str, Locale] = Field(default_factory=dict)
    check_methods: bool = True

    @field_validator("crisis_resources")
    @classmethod
    def _not_empty(cls, v: list[str]) -> list[str]:
        return _check_resources(v)

    def all_locales(self) -> dict[str, Locale]:
        merged = {k.lower(): Locale.model_validate(v) for k, v in DEFAULT_LOCALES.items()}
        merged.update({k.lower(): v for k, v in self.locales.items()})
        return merged


class _Resources:
    def __init__(self, resources: list[str], suggestion: str) -> None:
        self.names = resources
        self.suggestion = suggestion
        self.rx = re.compile(
            "|".join(rf"(?<!\w)(?:{phrase_regex(r)})(?!\w)" for r in resources), re.IGNORECASE
        )
        self.hrefs = [r.lower().replace(" ", "") for r in resources]
        self.joinable = joinable(self.rx.pattern)

    def in_text(self, text: str) -> bool:
        return self.rx.search(text) is not None

    def in_texts(self, texts: Texts) -> bool:
        """Whether any of the texts names a resource."""
        if self.joinable:
            return self.rx.search(texts.joined) is not None
        return any(self.rx.search(t) is not None for t in texts.items)

    def in_href(self, href: str) -> bool:
        h = href.lower()
        return any(r in h for r in self.hrefs)


METHOD_MESSAGE = (
    "“{found}” describes a suicide or self-harm method: safe-messaging guidance says not to "
    "describe how a person died or harmed themselves (detail can lead to imitation)"
)
METHOD_ADVICE = "say that the person died by suicide (or harmed themselves), without the method"


class SafeMessaging:
    id = ID

    def __init__(self, options: Options, words: WordLists) -> None:
        self.options = options
        w = words.safe_messaging
        self.avoid = PhraseMatcher(w.avoid, w.allow, "safe-messaging.avoid")
        self.mentions = PhraseMatcher(w.mentions, [], "safe-messaging.mentions")
        self.methods = PhraseMatcher(w.methods, w.allow, "safe-messaging.methods")
        self.explicit = PhraseMatcher(
            w.explicit_methods, w.allow, "safe-messaging.explicit_methods"
        )
        self.context = PhraseMatcher(w.context, [], "safe-messaging.context")
        self.fallback = _Resources(options.crisis_resources, options.crisis_suggestion)
        self.locales = {
            k: _Resources(v.resources, v.suggestion) for k, v in options.all_locales().items()
        }

    def resources_for(self, front_matter: Any) -> _Resources:
        """The crisis resources this article must give: by its ``lang``, else the default."""
        lang = front_matter.get("lang") if hasattr(front_matter, "get") else None
        if not isinstance(lang, str) or not lang.strip():
            lang = self.options.default_lang
        if lang is None:
            return self.fallback
        return self.locales.get(lang.strip().lower(), self.fallback)

    def check(self, doc: Document, ctx: Context) -> Iterator[Raw]:
        first_mention: tuple[int, int, str] | None = None
        has_resource = False
        need_resource = self.options.require_crisis_resource
        methods = self.options.check_methods
        resources = self.resources_for(ctx.front_matter)
        texts = doc.texts()
        # every matcher runs once over the article's texts; the loop reads its matches
        avoid = self.avoid.find_all(texts)
        explicit_all = self.explicit.find_all(texts) if methods or need_resource else {}
        described_all = self.methods.find_all(texts) if methods else {}
        context_all = self.context.find_all(texts) if described_all else {}
        mentions_all = self.mentions.find_all(texts) if need_resource else {}
        if need_resource:
            has_resource = resources.in_texts(texts) or any(
                resources.in_href(link.href) for inl in doc.inlines for link in inl.links)
        for i, inl in enumerate(doc.inlines):
            text = texts.items[i]
            for m in avoid.get(i, ()):
                if is_quoted(text, m.start, m.end):
                    continue
                found = text[m.start : m.end]
                line, col = inl.position(m.start, found)
                e = m.entry
                msg = (
                    e.message or f"“{' '.join(found.split())}” goes against safe-messaging guidance"
                )
                yield Raw(line, col, msg, e.advice())
            explicit = explicit_all.get(i, [])
            if methods:
                # one finding per paragraph, at its first method: rewriting the sentence
                # fixes them all
                first = explicit[0] if explicit else None
                described_i = described_all.get(i)
                described = described_i[0] if described_i else None
                if (
                    described is not None
                    and (first is None or described.start < first.start)
                    and i in context_all
                ):
                    first = described
                if first is not None:
                    yield self._method(inl, text, first.start, first.end, first.entry.message)
            if not need_resource:
                continue
            if first_mention is None:
                mentions_i = mentions_all.get(i)
                mm = mentions_i[0] if mentions_i else None
                if mm is None and explicit:
                    mm = explicit[0]
                if mm is not None:
                    found = text[mm.start : mm.end]
                    line, col = inl.position(mm.start, found)
                    first_mention = (line, col, " ".join(found.split()))
        if need_resource and first_mention is not None and not has_resource:
            line, col, word = first_mention
            shown = ", ".join(resources.names)
            yield Raw(
                line,
                col,
                f"the article mentions “{word}” but gives no crisis resource ({shown})",
                resources.suggestion,
            )

    @staticmethod
    def _method(inl: Any, text: str, start: int, end: int, message: str | None) -> Raw:
        found = text[start:end]
        line, col = inl.position(start, found)
        flat = " ".join(found.split())
        return Raw(line, col, message or METHOD_MESSAGE.format(found=flat), METHOD_ADVICE)
