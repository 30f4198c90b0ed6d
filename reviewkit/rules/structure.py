"""structure: one title, no skipped heading levels, clinical byline and editorial note.

* The title is the front matter's ``title`` (a non-empty string); the body must not have
  an H1 (``#`` or ``===``): each one is reported.
* Headings may go down one level at a time: the title counts as level 1, so the first
  heading of the body is ``##`` and ``##`` → ``####`` is a skip. Going back up is fine.
* ``require_byline`` (off by default: ``publish`` writes the byline): some paragraph's text (formatting removed, whitespace collapsed)
  fully matches ``byline_pattern``; by default
  ``Clinically reviewed by NAME, CREDENTIAL[, CREDENTIAL…] — Clinical reviewer`` (em dash,
  en dash or hyphen; a final full stop allowed), e.g.
  ``*Clinically reviewed by Dana Whitfield, LPC — Clinical reviewer*``.
* ``require_editorial_note`` (off by default: a site template's job): a heading whose text is ``editorial_heading`` (default
  "Editorial process", case-insensitive) with a paragraph in its section, or a paragraph
  containing ``editorial_phrase`` (default "reviewed by a licensed clinician before").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewkit.base.structs import ConfigDict, Model, field_validator
from reviewkit.rules._base import Context, Raw
from reviewkit.rules._doc import Document, first_col

ID = "structure"

DEFAULT_BYLINE = (
    r"Clinically reviewed by (?P<name>[^,]+?), "
    r"(?P<credentials>[A-Z][A-Za-z.\-]*(?:,? [A-Z][A-Za-z.\-]*)*) "
    r"(?:—|–|-{1,3}) Clinical reviewer\.?"
)


class Options(Model):
    model_config = ConfigDict(extra="forbid")

    require_byline: bool = False  # publish writes the byline from the sign-off
    # A draft has no clinical reviewer yet; the byline is required once draft is false.
    require_byline_in_drafts: bool = False
    byline_pattern: str = DEFAULT_BYLINE
    require_editorial_note: bool = False  # a site template's job by default
    editorial_heading: str = "Editorial process"
    editorial_phrase: str = "reviewed by a licensed clinician before"

    @field_validator("byline_pattern")
    @classmethod
    def _regex(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"byline_pattern is not a valid regex: {exc}") from None
        return v


def _flat(text: str) -> str:
    return " ".join(text.split())


class Structure:
    id = ID

    def __init__(self, options: Options, words: object) -> None:
        self.options = options
        self.byline = re.compile(options.byline_pattern)
        self.heading = _flat(options.editorial_heading).casefold()
        self.phrase = _flat(options.editorial_phrase).casefold()

    def check(self, doc: Document, ctx: Context) -> Iterator[Raw]:
        title = ctx.front_matter.get("title")
        if not isinstance(title, str) or not title.strip():
            yield Raw(1 - ctx.body_line, 1, "the front matter has no title", 'add title: "…"')
        prev = 1
        for h in doc.headings:
            col = first_col(doc.lines[h.line]) if h.line < len(doc.lines) else 1
            if h.level == 1:
                yield Raw(
                    h.line,
                    col,
                    "an H1 in the body: the title lives in the front matter",
                    "use ## for sections",
                )
            elif h.level > prev + 1 and not h.inline.in_blockquote:
                yield Raw(
                    h.line,
                    col,
                    f"heading level skips from h{prev} to h{h.level}",
                    f"use {'#' * (prev + 1)} here",
                )
            prev = h.level
        want_byline = self.options.require_byline and (
            self.options.require_byline_in_drafts or ctx.front_matter.get("draft") is not True
        )
        want_note = self.options.require_editorial_note
        if not (want_byline or want_note):
            return
        has_byline = has_note = False
        for inl in doc.inlines:
            if inl.kind != "paragraph":
                continue
            flat = _flat(inl.text)
            if want_byline and not has_byline and self.byline.fullmatch(flat):
                has_byline = True
            if want_note and not has_note and self.phrase and self.phrase in flat.casefold():
                has_note = True
        if want_note and not has_note:
            has_note = self._note_heading(doc)
        line, col = doc.article_position()
        if want_byline and not has_byline:
            yield Raw(
                line,
                col,
                "no clinical-review byline",
                "add a line like: *Clinically reviewed by NAME, LPC — Clinical reviewer*",
            )
        if want_note and not has_note:
            yield Raw(
                line,
                col,
                "no editorial-process note",
                f"add a “{self.options.editorial_heading}” section saying every article is "
                f"{self.options.editorial_phrase} publishing",
            )

    def _note_heading(self, doc: Document) -> bool:
        for h in doc.headings:
            if _flat(h.inline.text).casefold() != self.heading:
                continue
            end = doc.section_end(h)
            if any(
                t.type == "inline"
                and t.content.strip()
                and doc.tokens[i - 1].type == "paragraph_open"
                for i, t in enumerate(doc.tokens[h.index + 3 : end], start=h.index + 3)
            ):
                return True
        return False
