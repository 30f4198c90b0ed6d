"""person-first: stigmatizing labels, with person-first wording as the suggestion.

The ``person-first.avoid`` word list holds the labels. Entries are tuned to the noun use
("an addict", "a schizophrenic", "depressives") and to words about people ("he's crazy",
"a psycho", "insane people"); clinical terms ("bipolar disorder", "a depressive episode",
"major depressive disorder", "alcoholic beverages") are left alone through
``not_followed_by`` and the ``allow`` list. Quoted mentions ("avoid words like “crazy”")
are not reported.

Severity follows harm: entries marked ``level: error`` in the word list (slurs and
dehumanising labels: "an addict", "schizophrenics", "psycho") are errors; the others
take the rule's level (warning). ``options.levels`` sets any entry's level by its id
(``{addict: warning, so-ocd: off}``); an unknown id is a configuration error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from reviewkit.base.structs import ConfigDict, Model
from reviewkit.rules._base import Context, Raw
from reviewkit.rules._doc import Document
from reviewkit.rules._quotes import is_quoted
from reviewkit.rules._words import PhraseMatcher, WordLists

ID = "person-first"


class Options(Model):
    model_config = ConfigDict(extra="forbid")

    check_headings: bool = True
    levels: dict[str, Literal["error", "warning", "off"]] = {}


class PersonFirst:
    id = ID

    def __init__(self, options: Options, words: WordLists) -> None:
        self.options = options
        w = words.person_first
        self.avoid = PhraseMatcher(w.avoid, w.allow, "person-first.avoid")
        known = {e.id for e in w.avoid if e.id}
        unknown = sorted(set(options.levels) - known)
        if unknown:
            from reviewkit.base.errors import ConfigError

            raise ConfigError(
                f"rules.person-first.options.levels: unknown entry id {', '.join(unknown)} "
                f"(known: {', '.join(sorted(known))})"
            )

    def check(self, doc: Document, ctx: Context) -> Iterator[Raw]:
        texts = doc.texts()
        avoid = self.avoid.find_all(texts)
        for i, inl in enumerate(doc.inlines):
            if inl.kind == "heading" and not self.options.check_headings:
                continue
            text = texts.items[i]
            for m in avoid.get(i, ()):
                if is_quoted(text, m.start, m.end):
                    continue
                found = " ".join(text[m.start : m.end].split())
                line, col = inl.position(m.start, text[m.start : m.end])
                e = m.entry
                msg = e.message or f"“{found}” labels a person by a condition"
                level = self.options.levels.get(e.id, e.level) if e.id else e.level
                yield Raw(line, col, msg, e.advice(), level)
