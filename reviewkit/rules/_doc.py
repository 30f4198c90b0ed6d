"""The parsed body, shared by every rule: one markdown-it-py parse per article.

Positions: markdown-it block tokens carry ``map = [first, last)`` (0-based source lines);
inline children carry none. For each inline (the text of a paragraph, heading or table
cell) we rebuild the plain text from its children and remember, per text child, the
source line and the column where that text sits in the source line. Rules match words on
the plain text and ask :meth:`Inline.position` for ``(line, col)``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from reviewkit.rules._regex import Texts
from reviewkit.rules._words import normalize


def make_parser() -> MarkdownIt:
    from reviewkit.base.markdown import make_parser as project_parser

    return project_parser(lean=True)


@dataclass(slots=True)
class Link:
    href: str
    line: int  # 0-based body line
    col: int  # 1-based
    image: bool


@dataclass(slots=True)
class Inline:
    kind: str  # "paragraph" | "heading" | "cell" | "other"
    text: str  # plain text: formatting removed, breaks as "\n", code/html as " "
    map: tuple[int, int]
    heading_level: int  # 0 unless kind == "heading"
    in_blockquote: bool
    links: list[Link]
    comments: list[tuple[str, int]]  # (raw html_inline, 0-based line)
    lines: list[str] = field(repr=False)
    seg_starts: list[int] = field(repr=False)
    segs: list[tuple[int, int, int, int]] = field(repr=False)  # start, end, line, col0 (-1: ?)
    _normalized: str | None = field(default=None, repr=False)

    def normalized(self) -> str:
        """``text`` with curly apostrophes straightened (same length): what word lists
        match. Made once and shared by every rule, so that matchers see one string."""
        if self._normalized is None:
            self._normalized = normalize(self.text)
        return self._normalized

    def line_of(self, offset: int) -> int:
        return self.map[0] + self.text.count("\n", 0, offset)

    def position(self, offset: int, needle: str = "") -> tuple[int, int]:
        """0-based body line and 1-based column of ``text[offset]``."""
        i = bisect.bisect_right(self.seg_starts, offset) - 1
        if i >= 0:
            start, end, line, col0 = self.segs[i]
            if start <= offset < end and col0 >= 0:
                return line, col0 + (offset - start) + 1
        line = self.line_of(offset)
        src = self.lines[line] if 0 <= line < len(self.lines) else ""
        if needle:
            p = src.find(needle)
            if p < 0:
                p = src.lower().find(needle.lower())
            if p >= 0:
                return line, p + 1
        return line, first_col(src)


def first_col(src: str) -> int:
    return len(src) - len(src.lstrip()) + 1


@dataclass(slots=True)
class Heading:
    level: int
    line: int
    index: int  # index of heading_open in Document.tokens
    inline: Inline


@dataclass(slots=True)
class Document:
    lines: list[str]
    tokens: list[Token]
    inlines: list[Inline]
    headings: list[Heading]
    first_line: int  # 0-based line of the first block that is not raw HTML (0 when none)
    # heading token index -> (section end, number of direct subheadings); built on first use
    _sections: dict[int, tuple[int, int]] | None = field(default=None, repr=False)
    _texts: Texts | None = field(default=None, repr=False)
    _plain: Texts | None = field(default=None, repr=False)

    def texts(self) -> Texts:
        """Every inline's :meth:`Inline.normalized` text, in order: what word lists match
        (index ``i`` is ``inlines[i]``)."""
        if self._texts is None:
            self._texts = Texts([inl.normalized() for inl in self.inlines])
        return self._texts

    def plain_texts(self) -> Texts:
        """Every inline's ``text`` as it is (apostrophes not straightened), in order."""
        if self._plain is None:
            self._plain = Texts([inl.text for inl in self.inlines])
        return self._plain

    def article_position(self) -> tuple[int, int]:
        """Where article-level findings go: the first line of the first block."""
        src = self.lines[self.first_line] if self.first_line < len(self.lines) else ""
        return self.first_line, first_col(src)

    def _section_table(self) -> dict[int, tuple[int, int]]:
        # one pass with a stack of open sections, so that asking for every heading's
        # section stays linear in the number of headings (not one scan per heading)
        if self._sections is None:
            ends: dict[int, int] = {}
            subs: dict[int, int] = {}
            stack: list[Heading] = []
            for h in self.headings:
                while stack and stack[-1].level >= h.level:
                    ends[stack.pop().index] = h.index
                if stack and h.level == stack[-1].level + 1:
                    subs[stack[-1].index] = subs.get(stack[-1].index, 0) + 1
                stack.append(h)
            for h in stack:
                ends[h.index] = len(self.tokens)
            self._sections = {i: (end, subs.get(i, 0)) for i, end in ends.items()}
        return self._sections

    def section_end(self, heading: Heading) -> int:
        """Token index where ``heading``'s section ends (next heading of same or higher rank)."""
        return self._section_table()[heading.index][0]

    def subheading_count(self, heading: Heading) -> int:
        """Headings one level below ``heading`` inside its section."""
        return self._section_table()[heading.index][1]


_KIND = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "th_open": "cell",
    "td_open": "cell",
}


def parse(md: MarkdownIt, body: str) -> Document:
    tokens: list[Token] = md.parse(body)
    lines = body.split("\n")
    inlines: list[Inline] = []
    headings: list[Heading] = []
    first_line: int | None = None
    quote_depth = 0
    heading_open = -1
    for i, tok in enumerate(tokens):
        if first_line is None and tok.map is not None and tok.type != "html_block":
            first_line = tok.map[0]
        t = tok.type
        if t == "blockquote_open":
            quote_depth += 1
        elif t == "blockquote_close":
            quote_depth -= 1
        elif t == "heading_open":
            heading_open = i
        elif t == "inline":
            prev = tokens[i - 1].type if i else ""
            kind = _KIND.get(prev, "other")
            level = int(tokens[i - 1].tag[1:]) if kind == "heading" else 0
            inl = _build_inline(tok, kind, level, quote_depth > 0, lines)
            inlines.append(inl)
            if kind == "heading":
                headings.append(Heading(level, inl.map[0], heading_open, inl))
    return Document(lines, tokens, inlines, headings, first_line or 0)


def _attr(tok: Token, name: str) -> str:
    v: Any = tok.attrGet(name)
    return v if isinstance(v, str) else ""


def _build_inline(tok: Token, kind: str, level: int, quoted: bool, lines: list[str]) -> Inline:
    mp = tok.map or [0, 1]
    line = mp[0]
    cursor: dict[int, int] = {}
    parts: list[str] = []
    offset = 0
    starts: list[int] = []
    segs: list[tuple[int, int, int, int]] = []
    links: list[Link] = []
    comments: list[tuple[str, int]] = []

    def src(n: int) -> str:
        return lines[n] if 0 <= n < len(lines) else ""

    def locate(needle: str) -> int:
        cur = cursor.get(line, 0)
        p = src(line).find(needle, cur) if needle else -1
        if p >= 0:
            cursor[line] = p + len(needle)
        return p

    def add(s: str) -> None:
        nonlocal offset
        parts.append(s)
        offset += len(s)

    children = tok.children or []
    for c in children:
        ct = c.type
        if ct == "text":
            if not c.content:
                continue
            p = locate(c.content)
            starts.append(offset)
            segs.append((offset, offset + len(c.content), line, p))
            add(c.content)
        elif ct in ("softbreak", "hardbreak"):
            add("\n")
            line += 1
        elif ct == "code_inline":
            locate(c.markup + c.content)
            add(" ")
        elif ct == "html_inline":
            p = locate(c.content.split("\n", 1)[0])
            comments.append((c.content, line))
            n = c.content.count("\n")
            add(" " + "\n" * n)
            line += n
            if n:
                cursor[line] = len(c.content.rsplit("\n", 1)[-1])
            del p
        elif ct in ("link_open", "image"):
            image = ct == "image"
            href = _attr(c, "src" if image else "href")
            mark = "![" if image else ("<" if c.markup == "autolink" else "[")
            p = locate(mark)
            links.append(Link(href, line, (p + 1) if p >= 0 else first_col(src(line)), image))
            if image:
                add(" ")
    return Inline(
        kind=kind,
        text="".join(parts),
        map=(mp[0], mp[1]),
        heading_level=level,
        in_blockquote=quoted,
        links=links,
        comments=comments,
        lines=lines,
        seg_starts=starts,
        segs=segs,
    )
