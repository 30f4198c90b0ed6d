"""The one Markdown dialect: every markdown-it parser in reviewkit comes from here.

CommonMark plus GitHub's tables and strikethrough, plus footnotes (mdit-py-plugins: the
footnote syntax `[^1]` that Hugo, GitHub and most site generators render). What `validate`
checks is what `publish` renders.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@lru_cache(maxsize=2)
def shared_parser(*, html: bool = True) -> MarkdownIt:
    """One parser per setting for the whole process (building one costs more than parsing
    a short article); parsing and rendering do not change it."""
    return make_parser(html=html)


def make_parser(*, html: bool = True) -> MarkdownIt:
    """A parser of the project's dialect. Raw HTML is recognised (``html_block`` and
    ``html_inline`` tokens: suppression comments, ``<img>``); ``html=False`` is for
    rendering, where raw HTML in an article is shown as text, never passed through."""
    # imported here: modules that only need strip_comments stay light to import
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": html}).enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    _quiet_block_loggers()
    return md


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
