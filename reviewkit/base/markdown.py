"""The one Markdown dialect: every markdown-it parser in reviewkit comes from here.

CommonMark plus GitHub's tables and strikethrough, plus footnotes (mdit-py-plugins: the
footnote syntax `[^1]` that Hugo, GitHub and most site generators render). What `validate`
checks is what `publish` renders.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@lru_cache(maxsize=2)
def shared_parser(*, html: bool = True) -> MarkdownIt:
    """One parser per setting for the whole process (building one costs more than parsing
    a short article); parsing and rendering do not change it."""
    return make_parser(html=html)


def make_parser(*, html: bool = True, lean: bool = False) -> MarkdownIt:
    """A parser of the project's dialect. Raw HTML is recognised (``html_block`` and
    ``html_inline`` tokens: suppression comments, ``<img>``); ``html=False`` is for
    rendering, where raw HTML in an article is shown as text, never passed through.

    ``lean``: inline content without any character an inline rule starts at gets its
    tokens from :func:`plain_children` instead of the inline parser (the same tokens,
    property-tested); where the parser's rules are not the known ones, nothing changes."""
    # imported here: modules that only need strip_comments stay light to import
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": html}).enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    _quiet_block_loggers()
    if lean and _known_rules(md):
        md.core.ruler.at("inline", _lean_inline)
    return md


# the rules the plain-text shortcut was checked against (markdown-it-py 3 and 4, this
# dialect): with any other rule on, some plain text could mean something else
_INLINE_RULES = {"text", "newline", "escape", "backticks", "strikethrough", "emphasis", "link",
                 "image", "footnote_inline", "footnote_ref", "autolink", "html_inline",
                 "entity"}
_INLINE_RULES2 = {"balance_pairs", "strikethrough", "emphasis", "fragments_join"}
_CORE_RULES = {"normalize", "block", "inline", "footnote_tail", "text_join"}
# every character at which one of _INLINE_RULES but text and newline can start ('!' only
# before '[', footnote_inline at '^[')
_INLINE_SYNTAX = re.compile(r"[\\`~*_\[^<&]")


def _known_rules(md: MarkdownIt) -> bool:
    def active(ruler: Any) -> set[str]:
        return set(ruler.get_active_rules())

    return (active(md.inline.ruler) <= _INLINE_RULES
            and active(md.inline.ruler2) <= _INLINE_RULES2
            and active(md.core.ruler) <= _CORE_RULES
            and not md.options.get("linkify") and not md.options.get("typographer"))


def plain_children(content: str) -> list[Token] | None:
    """The tokens markdown-it-py's inline parser makes of ``content`` when no inline rule
    but ``text`` and ``newline`` can apply (None otherwise): one ``text`` per line, with a
    ``softbreak`` (one trailing space dropped) or a ``hardbreak`` (two or more: all
    dropped) between lines, and the next line's leading spaces and tabs skipped."""
    if _INLINE_SYNTAX.search(content) is not None:
        return None
    from markdown_it.token import Token

    out: list[Token] = []
    lines = content.split("\n")
    pending = lines[0]
    for nxt in lines[1:]:
        kind = "softbreak"
        if pending.endswith(" "):
            if pending.endswith("  "):
                pending = pending.rstrip(" ")
                kind = "hardbreak"
            else:
                pending = pending[:-1]
        if pending:
            out.append(Token("text", "", 0, content=pending))
        out.append(Token(kind, "br", 0))
        pending = nxt.lstrip(" \t")
    if pending:
        out.append(Token("text", "", 0, content=pending))
    return out


def _lean_inline(state: Any) -> None:
    """markdown-it-py's core ``inline`` rule, with :func:`plain_children` first."""
    md = state.md
    for token in state.tokens:
        if token.type == "inline":
            plain = plain_children(token.content)
            if plain is not None:
                token.children = plain
                continue
            if token.children is None:
                token.children = []
            md.inline.parse(token.content, md, state.env, token.children)


class _Quiet:
    """Stands in for a markdown-it-py module logger whose debug level is off."""

    @staticmethod
    def debug(*_args: Any, **_kwargs: Any) -> None:
        return None


def _quiet_block_loggers() -> None:
    """markdown-it-py's block rules log a debug line on every call (about a thousand per
    article: a few per cent of a parse, spent finding out that debug logging is off).
    Where the module's logger would drop them anyway, a no-op logger takes its place;
    with debug logging on for ``markdown_it`` nothing changes."""
    import logging  # here: a command that parses no Markdown need not import it

    for name, module in list(sys.modules.items()):
        if not name.startswith("markdown_it."):
            continue
        logger = getattr(module, "LOGGER", None)
        if isinstance(logger, logging.Logger) and not logger.isEnabledFor(logging.DEBUG):
            setattr(module, "LOGGER", _Quiet())  # noqa: B010 (a module attribute mypy cannot see)


def strip_comments(text: str) -> str:
    """``re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)`` in linear time.

    The regex retries every ``<!--`` against the rest of the text when no ``-->`` follows,
    which is quadratic on a line of 25,000 unclosed ``<!--``; this stops at the first
    comment that does not close (no later one can close either)."""
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            break
        end = text.find("-->", start + 4)
        if end < 0:
            break
        out.append(text[pos:start])
        pos = end + 3
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)
