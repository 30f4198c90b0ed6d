"""safe-messaging: wording that suicide-reporting guidance advises against, and a crisis line.

1. Phrases from the ``safe-messaging.avoid`` word list ("committed suicide", "successful
   suicide attempt", "suicide epidemic", …) are reported with the suggested wording,
   unless they sit inside quotation marks (a mention such as: say "died by suicide",
   not "committed suicide").
2. An article whose text mentions suicide or self-harm (``safe-messaging.mentions``) must
   contain at least one crisis resource: one of the ``crisis_resources`` strings, found
   as a whole word in the text or anywhere in a link target (``tel:988``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, field_validator

from reviewkit.rules._base import Context, Raw
from reviewkit.rules._doc import Document
from reviewkit.rules._words import PhraseMatcher, WordLists, is_quoted, normalize, phrase_regex

ID = "safe-messaging"


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    require_crisis_resource: bool = True
    crisis_resources: list[str] = ["988"]
    crisis_suggestion: str = (
        "add a “Find care” section: call or text 988 (the 988 Suicide & Crisis Lifeline, US)"
    )

    @field_validator("crisis_resources")
    @classmethod
    def _not_empty(cls, v: list[str]) -> list[str]:
        if not v or not all(s.strip() for s in v):
            raise ValueError("crisis_resources must list at least one non-empty string")
        return v


class SafeMessaging:
    id = ID

    def __init__(self, options: Options, words: WordLists) -> None:
        self.options = options
        w = words.safe_messaging
        self.avoid = PhraseMatcher(w.avoid, w.allow, "safe-messaging.avoid")
        self.mentions = PhraseMatcher(w.mentions, [], "safe-messaging.mentions")
        self.resource_rx = re.compile(
            "|".join(rf"(?<!\w)(?:{phrase_regex(r)})(?!\w)" for r in options.crisis_resources),
            re.IGNORECASE,
        )
        self.resource_hrefs = [r.lower().replace(" ", "") for r in options.crisis_resources]

    def check(self, doc: Document, ctx: Context) -> Iterator[Raw]:
        first_mention: tuple[int, int, str] | None = None
        has_resource = False
        need_resource = self.options.require_crisis_resource
        for inl in doc.inlines:
            text = normalize(inl.text)
            for m in self.avoid.finditer(text):
                if is_quoted(text, m.start, m.end):
                    continue
                found = text[m.start : m.end]
                line, col = inl.position(m.start, found)
                e = m.entry
                msg = (
                    e.message or f"“{' '.join(found.split())}” goes against safe-messaging guidance"
                )
                yield Raw(line, col, msg, e.advice())
            if not need_resource:
                continue
            if first_mention is None:
                mm = self.mentions.search(text)
                if mm is not None:
                    found = text[mm.start : mm.end]
                    line, col = inl.position(mm.start, found)
                    first_mention = (line, col, " ".join(found.split()))
            if not has_resource:
                if self.resource_rx.search(text):
                    has_resource = True
                else:
                    for link in inl.links:
                        href = link.href.lower()
                        if any(r in href for r in self.resource_hrefs):
                            has_resource = True
                            break
        if need_resource and first_mention is not None and not has_resource:
            line, col, word = first_mention
            shown = ", ".join(self.options.crisis_resources)
            yield Raw(
                line,
                col,
                f"the article mentions “{word}” but gives no crisis resource ({shown})",
                self.options.crisis_suggestion,
            )
