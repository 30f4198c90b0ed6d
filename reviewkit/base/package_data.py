"""Files shipped in ``reviewkit/data/``: the scaffold ``init`` and ``new`` write (the
article template included, which the leftovers rule also reads), schemas, word lists.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

from importlib import resources

#: The article ``reviewkit new`` writes, with @ID@, @TITLE@, @SLUG@, @AUTHOR@, @EMAIL@ and
#: @UPDATED@ to fill (``article.scaffold.article_text``).
ARTICLE_TEMPLATE = "scaffold/article.md"


def read_data(name: str) -> bytes:
    """The bytes of ``reviewkit/data/<name>`` (``name`` relative to data/, '/'-separated)."""
    return resources.files("reviewkit").joinpath("data", name).read_bytes()
