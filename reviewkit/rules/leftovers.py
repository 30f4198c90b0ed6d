"""leftovers: placeholder text, untouched template text and empty sections.

* Placeholders: matches of the ``leftovers.placeholders`` word list ("Lorem ipsum",
  "TODO", a standalone "TK", "[insert …]", "XX%"), in paragraphs, list items, headings and
  table cells (never in code or HTML comments, which readers do not see).
* Template text: a paragraph left exactly (whitespace aside) as ``reviewkit new`` wrote it
  (the template ``reviewkit/data/scaffold/article.md``), and the template's front-matter
  description.
  The template's editorial-process note is a real note and is not reported.
* Empty sections: a heading followed directly by a heading of the same or a higher rank,
  or by the end of the article (HTML comments are not content).

In a non-draft article these take the rule's level (error); in a draft (``draft: true``)
they are reported as info: a draft is expected to be unfinished.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Literal

from reviewkit.base.markdown import strip_comments
from reviewkit.base.package_data import ARTICLE_TEMPLATE, read_data
from reviewkit.base.structs import ConfigDict, Model
from reviewkit.rules._base import Context, Raw
from reviewkit.rules._doc import Document, first_col, make_parser, parse
from reviewkit.rules._words import PhraseMatcher, WordLists

ID = "leftovers"
Level = Literal["error", "warning", "info", "off"]
_KEEP_SECTIONS = {"editorial process"}  # template text that is fine as it stands


class Options(Model):
    model_config = ConfigDict(extra="forbid")

    check_placeholders: bool = True
    check_template: bool = True
    check_empty_sections: bool = True


def _flat(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=1)
def template_text() -> tuple[frozenset[str], str]:
    """(paragraphs, description) that ``reviewkit new`` writes, whitespace collapsed."""
    text = read_data(ARTICLE_TEMPLATE).decode("utf-8")
    _, fm, body = text.split("---\n", 2)
    doc = parse(make_parser(), body)
    paragraphs: set[str] = set()
    section = ""
    for inl in doc.inlines:
        if inl.kind == "heading":
            section = _flat(inl.text).lower()
        elif inl.kind == "paragraph" and section not in _KEEP_SECTIONS:
            paragraphs.add(_flat(inl.text))
    m = re.search(r'^description: "(.*)"$', fm, re.MULTILINE)
    return frozenset(paragraphs), m.group(1) if m else ""


def _is_comment_only(html: str) -> bool:
    return not strip_comments(html).strip()


class Leftovers:
    id = ID

    def __init__(self, options: Options, words: WordLists) -> None:
        self.options = options
        entries = words.leftovers.placeholders
        self.exact = PhraseMatcher(
            [e for e in entries if e.case_sensitive], [], "leftovers.placeholders",
            ignore_case=False,
        )
        self.loose = PhraseMatcher(
            [e for e in entries if not e.case_sensitive], [], "leftovers.placeholders"
        )
        self.paragraphs, self.description = template_text()

    def check(self, doc: Document, ctx: Context) -> Iterator[Raw]:
        level: Level | None = "info" if ctx.front_matter.get("draft") is True else None
        opts = self.options
        if opts.check_template and self.description:
            desc = ctx.front_matter.get("description")
            if isinstance(desc, str) and _flat(desc) == self.description:
                yield Raw(1 - ctx.body_line, 1, "the description is still the template's text",
                          "write one or two sentences about this article", level)
        exact = loose = {}
        if opts.check_placeholders:
            texts = doc.plain_texts()
            exact, loose = self.exact.find_all(texts), self.loose.find_all(texts)
        for i, inl in enumerate(doc.inlines):
            if opts.check_placeholders:
                hits = [*exact.get(i, ()), *loose.get(i, ())]
                for m in sorted(hits, key=lambda h: h.start):
                    found = inl.text[m.start : m.end]
                    line, col = inl.position(m.start, found)
                    yield Raw(line, col, f"placeholder text “{_flat(found)}”",
                              "replace it with the final text, or remove it", level)
            if (
                opts.check_template
                and inl.kind == "paragraph"
                and _flat(inl.text) in self.paragraphs
            ):
                line, col = inl.position(0, inl.text[:20])
                yield Raw(line, col, "this paragraph is still the text `reviewkit new` wrote",
                          "replace it with the article's own text", level)
        if opts.check_empty_sections:
            yield from self._empty_sections(doc, level)

    @staticmethod
    def _empty_sections(doc: Document, level: Level | None) -> Iterator[Raw]:
        heads = doc.headings
        toks = doc.tokens
        for k, h in enumerate(heads):
            nxt = heads[k + 1] if k + 1 < len(heads) else None
            if nxt is not None and nxt.level > h.level:
                continue  # its subsections are its content
            end = nxt.index if nxt is not None else len(toks)
            # heading_open, inline, heading_close, then the section's own tokens
            if any(
                t.type != "html_block" or not _is_comment_only(t.content)
                for t in toks[h.index + 3 : end]
            ):
                continue
            src = doc.lines[h.line] if h.line < len(doc.lines) else ""
            yield Raw(h.line, first_col(src), f"the section “{_flat(h.inline.text)}” is empty",
                      "write the section or remove its heading", level)
