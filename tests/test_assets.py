"""Asset references: which references are assets, and the fast path that skips a parse."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.article.assets import asset_refs
from reviewkit.base.markdown import shared_parser

from conftest import examples

A = "content/articles/x.md"


def _full(body: str) -> list[str | None]:
    """Asset targets by a full parse (the fast path's reference)."""
    from reviewkit.article import assets

    saved = assets._may_have_assets
    assets._may_have_assets = lambda b, r: True  # type: ignore[assignment]
    try:
        return [r.target for r in asset_refs(body, A)]
    finally:
        assets._may_have_assets = saved  # type: ignore[assignment]


def test_which_references_are_assets() -> None:
    body = ("See [a sheet](files/sheet.pdf), [a page](other.md), [a folder](guides/), "
            "[the web](https://example.org/a.png), [mail](mailto:a@example.org), "
            "[top](#top), [query](img/c.png?v=2#x) and `![code](not/an/asset.png)`.\n\n"
            "    ![indented code](no.png)\n\n<IMG SRC='up/pic.jpg'>\n")
    got = [r.target for r in asset_refs(body, A)]
    assert got == ["content/articles/files/sheet.pdf", "content/articles/img/c.png",
                   "content/articles/up/pic.jpg"]
    assert [r.target for r in asset_refs("Only [a link](https://example.org).", A)] == []


pieces = st.sampled_from([
    "[a](b.md)", "[a](b.pdf)", "![i](c.png)", "[r]: d.png", "[r]", "<img src=e.png>",
    "](", "](f.png)", "`x`", "\n", " ", "[a](https://x.org/y.png)", "[a](#h)", "![", "]:",
    "\\](g.pdf)", "[a](<h i.pdf>)", "[a](\nj.pdf)", "<IMG\nsrc='k.png'>", "text",
])


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(pieces, max_size=12).map("".join))
def test_fast_path_never_misses_an_asset(body: str) -> None:
    assert [r.target for r in asset_refs(body, A)] == _full(body)
    shared_parser()  # the shared parser survives every parse unchanged
