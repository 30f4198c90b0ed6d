"""The one Markdown dialect: every markdown-it parser in reviewkit comes from here.

CommonMark plus GitHub's tables and strikethrough, plus footnotes (mdit-py-plugins: the
footnote syntax `[^1]` that Hugo, GitHub and most site generators render). What `validate`
checks is what `publish` renders.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin


@lru_cache(maxsize=2)
def shared_parser(*, html: bool = True) -> MarkdownIt:
    """One parser per setting for the whole process (building one costs more than parsing
    a short article); parsing and rendering do not change it."""
    return make_parser(html=html)


def make_parser(*, html: bool = True) -> MarkdownIt:
    """A parser of the project's dialect. Raw HTML is recognised (``html_block`` and
    ``html_inline`` tokens: suppression comments, ``<img>``); ``html=False`` is for
    rendering, where raw HTML in an article is shown as text, never passed through."""
    md = MarkdownIt("commonmark", {"html": html}).enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    return md
