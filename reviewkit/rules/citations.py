"""citations: claims and statistics need a source; ``[@id]`` must name a front-matter citation.

* A *claim* is a match of the ``citations.claims`` word list ("studies show", "research
  suggests", a percentage, "1 in 5", "40 million", …) in a paragraph, list item or table
  cell (headings are not checked; quoted mentions are not claims).
* It is *supported* when the same paragraph (the same inline block) contains a link or a
  pandoc-style citation ``[@id]`` / ``[@a; @b, p. 4]``.
* Every ``@id`` inside brackets must be the ``id`` of an entry of the front matter's
  ``citations`` list.
* A non-draft article with at least ``min_clinical`` clinical statements (the
  ``citations.clinical`` word list: "is effective", "reduces symptoms", "symptoms of",
  "diagnosis", …) and no source at all (no front-matter citation, no ``[@id]``, no
  external link) gets a warning.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from reviewkit.base.structs import ConfigDict, Field, Model
from reviewkit.rules._base import Context, Raw
from reviewkit.rules._doc import Document, Inline
from reviewkit.rules._quotes import is_quoted
from reviewkit.rules._words import PhraseMatcher, WordLists

ID = "citations"

# [ … @id … ] — a bracketed group holding at least one @key (pandoc citation syntax)
# the part before the first '@' excludes '@': one way to split, no backtracking per '@'
CITE_GROUP = re.compile(r"\[([^\[\]@]*@[^\[\]]*)\]")
CITE_KEY = re.compile(r"(?:^|[\s;,\[-])-?@([A-Za-z0-9_][\w:.#$%&+?<>~/-]*)")


def cite_keys(text: str) -> Iterator[tuple[int, str]]:
    """(offset of the '@', key) for each citation key in ``text``."""
    for g in CITE_GROUP.finditer(text):
        inner = g.group(1)
        for k in CITE_KEY.finditer(inner):
            key = k.group(1).rstrip(".:,;")
            yield g.start(1) + k.start(1) - 1, key


def is_cited(inl: Inline, text: str) -> bool:
    """Whether a paragraph (list item, cell) carries a source: a ``[@id]`` or a link."""
    if "@" in text and next(cite_keys(text), None) is not None:
        return True
    return any(not link.image for link in inl.links)


def citation_ids(front_matter: Mapping[str, Any]) -> set[str]:
    cites = front_matter.get("citations")
    ids: set[str] = set()
    if isinstance(cites, list):
        for c in cites:
            if isinstance(c, Mapping) and isinstance(c.get("id"), str):
                ids.add(c["id"])
    return ids


class Options(Model):
    model_config = ConfigDict(extra="forbid")

    require_for_claims: bool = True
    check_references: bool = True
    min_clinical: int = Field(default=3, ge=0)  # 0: never warn about an uncited article


class Citations:
    id = ID

    def __init__(self, options: Options, words: WordLists) -> None:
        self.options = options
        w = words.citations
        self.claims = PhraseMatcher(w.claims, w.allow, "citations.claims")
        self.clinical = PhraseMatcher(w.clinical, [], "citations.clinical")

    def check(self, doc: Document, ctx: Context) -> Iterator[Raw]:
        known = citation_ids(ctx.front_matter)
        # an uncited article: counted only while no source at all has been seen
        want = self.options.min_clinical
        watch = want > 0 and not known and ctx.front_matter.get("draft") is not True
        clinical: list[tuple[int, int, str]] = []
        texts = doc.texts()
        clinical_all = self.clinical.find_all(texts) if watch else {}
        claims_all = self.claims.find_all(texts) if self.options.require_for_claims else {}
        for i, inl in enumerate(doc.inlines):
            text = texts.items[i]
            keys = list(cite_keys(text)) if "@" in text else []
            if watch:
                if keys or any(
                    not link.image and link.href.lower().startswith(("http:", "https:"))
                    for link in inl.links
                ):
                    watch = False
                elif len(clinical) < want and inl.kind != "heading":
                    for m in clinical_all.get(i, ()):
                        found = text[m.start : m.end]
                        clinical.append((*inl.position(m.start, found), " ".join(found.split())))
                        if len(clinical) >= want:
                            break
            if self.options.check_references:
                for off, key in keys:
                    if key in known:
                        continue
                    line, col = inl.position(off, "@" + key)
                    close = difflib.get_close_matches(key, sorted(known), n=1)
                    yield Raw(
                        line,
                        col,
                        f"citation [@{key}] is not in the front matter's citations",
                        f"did you mean [@{close[0]}]?"
                        if close
                        else f"add an entry with id: {key} to citations in the front matter",
                    )
            if not self.options.require_for_claims or inl.kind == "heading":
                continue
            if keys or any(not link.image for link in inl.links):
                continue
            for m in claims_all.get(i, ()):
                if is_quoted(text, m.start, m.end):
                    continue
                found = " ".join(text[m.start : m.end].split())
                line, col = inl.position(m.start, text[m.start : m.end])
                yield Raw(
                    line,
                    col,
                    m.entry.message or f"“{found}” needs a source in the same paragraph",
                    m.entry.advice()
                    or "cite it with [@id] (an entry of citations in the front matter) or a link",
                )
                break  # one finding per paragraph: one citation fixes them all
        if watch and len(clinical) >= want:
            line, col, word = clinical[0]
            yield Raw(
                line,
                col,
                f"the article makes clinical statements (“{word}”, …) but cites no source",
                "add citations to the front matter and cite them in the text with [@id]",
                "warning",
            )
