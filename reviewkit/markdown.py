"""The one Markdown dialect: every markdown-it parser in reviewkit comes from here.

CommonMark plus GitHub's tables and strikethrough, plus footnotes (mdit-py-plugins: the
footnote syntax `[^1]` that Hugo, GitHub and most site generators render). What `validate`
checks is what `publish` renders.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin


def make_parser(*, html: bool = False) -> MarkdownIt:
    """A parser of the project's dialect. ``html=False`` (the default) leaves raw HTML as
    text when rendering; the tokens still say where it was."""
    md = MarkdownIt("commonmark", {"html": html}).enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    return md
