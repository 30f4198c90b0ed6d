"""readability: Flesch-Kincaid grade level of the article's prose, against a target grade.

Text measured: paragraphs and list items (headings, code, tables and citation keys
``[@id]`` are left out; so are byline-like paragraphs such as "Clinically reviewed by
…" or "Written by …", and the paragraphs and items of a reference list: a section
headed "References", "Sources", "Further reading", "Bibliography", …). A sentence ends
at ``.``, ``!`` or ``?`` followed by a space or the end of the paragraph, and every
paragraph or list item ends one. Words are runs of letters and digits (``self-harm`` and
``don't`` are one word); syllables are counted with the usual vowel-group heuristic. Grade = 0.39 × words/sentence + 11.8 × syllables/word −
15.59 (Kincaid et al., 1975). Articles under ``min_words`` words are not graded.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from reviewkit.base.structs import ConfigDict, Field, Model
from reviewkit.rules._base import Context, Raw
from reviewkit.rules._doc import Document, make_parser, parse
from reviewkit.rules.citations import CITE_GROUP

ID = "readability"

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’\-][A-Za-z0-9]+)*")
_SENT_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)")
_VOWELS = re.compile(r"[aeiouy]{1,2}")
_TRAILING = re.compile(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$")


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables of one word (a heuristic: vowel groups, silent final -e/-es/-ed)."""
    total = 0
    for part in re.split(r"['’\-]", word.lower()):
        if not part:
            continue
        if part.isdigit():
            total += 1
            continue
        if len(part) <= 3:
            total += 1
            continue
        w = _TRAILING.sub("", part)
        w = w[1:] if w.startswith("y") else w
        total += max(1, len(_VOWELS.findall(w)))
    return max(1, total)


@dataclass(slots=True)
class Stats:
    words: int = 0
    sentences: int = 0
    syllables: int = 0

    def add_text(self, text: str) -> None:
        text = CITE_GROUP.sub(" ", text)
        for sentence in _SENT_END.split(text):
            words = _WORD.findall(sentence)
            if not words:
                continue
            self.sentences += 1
            self.words += len(words)
            self.syllables += sum(map(syllables, words))

    def merge(self, other: Stats) -> None:
        self.words += other.words
        self.sentences += other.sentences
        self.syllables += other.syllables

    @property
    def grade(self) -> float:
        if not self.words or not self.sentences:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59


def grade_of(text: str) -> float:
    s = Stats()
    s.add_text(text)
    return s.grade


_BYLINE = re.compile(
    r"^\W*(?:(?:clinically|medically|fact|expert)[\s-]+)?(?:reviewed|checked|written|edited|"
    r"fact-checked|updated|illustrated)\s+by\b|^\W*by\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)*\W*$",
    re.IGNORECASE,
)
_REFERENCES = re.compile(
    r"^\W*(?:references?|sources?|bibliography|works\s+cited|further\s+reading|citations|"
    r"notes|footnotes|resources)\W*$",
    re.IGNORECASE,
)


def is_byline(text: str) -> bool:
    """A short paragraph naming who wrote or reviewed the article: not prose."""
    flat = " ".join(text.split())
    return len(flat) <= 200 and _BYLINE.search(flat) is not None


def measure(doc: Document) -> tuple[Stats, list[tuple[float, int, int]]]:
    """The article's prose statistics, and (grade, words, 0-based line) per paragraph."""
    total = Stats()
    parts: list[tuple[float, int, int]] = []
    skip_below = 0  # inside a reference list: skip until a heading of this rank or higher
    for inl in doc.inlines:
        if inl.kind == "heading":
            if skip_below and inl.heading_level <= skip_below:
                skip_below = 0
            if not skip_below and _REFERENCES.match(" ".join(inl.text.split())):
                skip_below = inl.heading_level
            continue
        if inl.kind != "paragraph" or skip_below or is_byline(inl.text):
            continue
        s = Stats()
        s.add_text(inl.text)
        if s.words:
            total.merge(s)
            parts.append((s.grade, s.words, inl.map[0]))
    return total, parts


_PARSER = make_parser()


def grade_body(body: str) -> tuple[float, int]:
    """(Flesch-Kincaid grade, words) of a Markdown body, measured as the rule measures it."""
    total, _ = measure(parse(_PARSER, body.replace("\r\n", "\n").replace("\r", "\n")))
    return round(total.grade, 1), total.words


class Options(Model):
    model_config = ConfigDict(extra="forbid")

    max_grade: float = Field(default=8.0, gt=0)
    min_words: int = Field(default=100, ge=0)


class Readability:
    id = ID

    def __init__(self, options: Options, words: object) -> None:
        self.options = options

    def measure(self, doc: Document) -> tuple[Stats, list[tuple[float, int, int]]]:
        return measure(doc)

    def check(self, doc: Document, ctx: Context) -> Iterator[Raw]:
        total, parts = measure(doc)
        if total.words < self.options.min_words:
            return
        grade = total.grade
        if grade <= self.options.max_grade:
            return
        # hardest first (a paragraph of fewer than 8 words is too short to judge)
        hardest = heapq.nlargest(3, (p for p in parts if p[1] >= 8))
        where = ", ".join(f"line {line + ctx.body_line} (grade {g:.1f})" for g, _, line in hardest)
        line, col = doc.article_position()
        yield Raw(
            line,
            col,
            f"reading grade {grade:.1f} (Flesch-Kincaid) is above the target of "
            f"{self.options.max_grade:g}"
            + (f"; hardest paragraph{'s' if len(hardest) > 1 else ''}: {where}" if where else ""),
            "use shorter sentences and everyday words, starting with "
            + ("those paragraphs" if len(hardest) > 1 else "that paragraph")
            if hardest
            else "use shorter sentences and everyday words",
        )
