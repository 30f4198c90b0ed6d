"""The content digest: the published test vector and its properties."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.article.content import parse_article
from reviewkit.article.frontmatter import decode, load_yaml, split
from reviewkit.article.schema import compile_schema
from reviewkit.base.digest import canonical_json, content_digest

from conftest import examples

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = compile_schema((ROOT / "schemas/article.schema.json").read_bytes(), "schema")
VECTOR = (
    b'---\r\nid: 01JDX3Q7G6M2N8P4R5S6T7V8W9\r\ntitle: "Caf\xc3\xa9 worries"\r\n'
    b"slug: cafe-worries\r\ndraft: true\r\nupdated: 2026-11-20\r\ntopics: [anxiety]\r\n"
    b"author: {name: Jordan Lee, email: j.lee@example.org}\r\n---\r\n"
    b"Body line one.\r\n\r\n## Section\r\n"
)


def digest_of(data: bytes, exempt: frozenset[str] = frozenset({"draft", "tags"})) -> str:
    parts = split(decode(data))
    return content_digest(load_yaml(parts.yaml_text), parts.body, exempt)


def test_vector_matches_docs() -> None:
    doc = (ROOT / "docs/digest.md").read_text()
    published = re.search(r"sha256:[0-9a-f]{64}", doc.split("## Test vector")[1])
    assert published is not None
    assert digest_of(VECTOR) == published.group(0)
    assert SCHEMA.exempt == {"draft", "tags"}


def test_vector_canonical_json_is_as_documented() -> None:
    parts = split(decode(VECTOR))
    fm = load_yaml(parts.yaml_text)
    fm.pop("draft")
    expected = ('{"author":{"email":"j.lee@example.org","name":"Jordan Lee"},'
                '"id":"01JDX3Q7G6M2N8P4R5S6T7V8W9","slug":"cafe-worries",'
                '"title":"Café worries","topics":["anxiety"],"updated":"2026-11-20"}')
    assert canonical_json(fm).decode("utf-8") == expected


def test_bom_crlf_and_lf_agree() -> None:
    lf = VECTOR.replace(b"\r\n", b"\n")
    assert digest_of(lf) == digest_of(VECTOR) == digest_of(b"\xef\xbb\xbf" + VECTOR)


def test_exempt_field_does_not_change_digest_but_others_do() -> None:
    base = digest_of(VECTOR)
    assert digest_of(VECTOR.replace(b"draft: true", b"draft: false")) == base
    assert digest_of(VECTOR.replace(b"draft: true", b"draft: true\r\ntags: [x]")) == base
    assert digest_of(VECTOR.replace(b"2026-11-20", b"2026-11-21")) != base
    assert digest_of(VECTOR.replace(b"Body line one.", b"Body line one!")) != base
    assert digest_of(VECTOR.replace(b"## Section\r\n", b"## Section \r\n")) != base


def test_move_of_file_keeps_digest() -> None:
    data = VECTOR.replace(b"draft: true", b'draft: true\ndescription: "d"')
    a = parse_article("content/articles/cafe-worries.md", data, SCHEMA)
    b = parse_article("elsewhere/deep/cafe-worries.md", data, SCHEMA)
    assert a.article is not None and b.article is not None
    assert a.article.digest == b.article.digest == digest_of(data)


keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
# raw line/paragraph separators and bidi controls are refused in front matter (test_content_attacks)
printable = st.characters(min_codepoint=0x20, max_codepoint=0x2FFF, blacklist_categories=["Cs", "Cc"],
                          blacklist_characters="\u2028\u2029\u202a\u202b\u202c\u202d\u202e"
                                               "\u2066\u2067\u2068\u2069")
scalars = st.one_of(st.integers(-10**6, 10**6), st.text(printable, max_size=20), st.booleans(),
                    st.none())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=12)
front = st.dictionaries(keys.filter(lambda k: k not in ("draft", "tags")), values,
                        min_size=1, max_size=8)
bodies = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\0"),
                 max_size=200)


def render(fm: dict[str, object], body: str, order: list[str] | None = None, crlf: bool = False) -> bytes:
    keys_ = order or list(fm)
    lines = ["---"] + [f"{json.dumps(k)}: {json.dumps(fm[k], ensure_ascii=False)}" for k in keys_]
    lines.append("---")
    text = "\n".join(lines) + "\n" + body
    if crlf:
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8")


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None)
@given(front, bodies, st.randoms())
def test_key_order_and_crlf_never_change_digest(fm: dict[str, object], body: str, rnd) -> None:  # type: ignore[no-untyped-def]
    order = list(fm)
    rnd.shuffle(order)
    assert digest_of(render(fm, body)) == digest_of(render(fm, body, order, crlf=True))


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None)
@given(front, bodies, st.text(printable, min_size=1, max_size=5))
def test_any_change_to_a_covered_field_or_the_body_changes_digest(
    fm: dict[str, object], body: str, extra: str
) -> None:
    base = digest_of(render(fm, body))
    key = next(iter(fm))
    changed = dict(fm)
    changed[key] = [fm[key], extra]
    assert digest_of(render(changed, body)) != base
    assert digest_of(render(fm, body + extra.replace("\r", "x").replace("\0", "x"))) != base
    with_exempt = dict(fm, draft=True)
    assert digest_of(render(with_exempt, body)) == base


VECTOR_V2 = (
    "---\nid: 01JDX3Q7G6M2N8P4R5S6T7V8W9\ntitle: \"Café worries\"\nslug: cafe-worries\n"
    "draft: true\nupdated: 2026-11-20\ntopics: [anxiety]\n"
    "author: {name: Jordan Lee, email: j.lee@example.org}\n---\n"
    "Body line one.\n\n![Worry chart](img/chart.png)\n"
).encode()


def test_v2_vector_matches_docs(tmp_path: Path) -> None:
    """docs/digest.md's version 2 vector: through the real work-tree asset reader, and by
    hand from the documented canonical form."""
    import hashlib

    from reviewkit.article.assets import worktree_hasher

    doc = (ROOT / "docs/digest.md").read_text().split("### Test vector (version 2)")[1]
    published = re.search(r"sha256:[0-9a-f]{64}", doc.split("Digest (version 2)")[1])
    canonical = re.search(r'```\n(\{"assets".*\})\n```', doc)
    assert published is not None and canonical is not None
    (tmp_path / "content/articles/img").mkdir(parents=True)
    (tmp_path / "content/articles/img/chart.png").write_bytes(b"chart bytes\n")
    data = VECTOR_V2.replace(b"draft: true", b'draft: true\ndescription: "d"')
    r = parse_article("content/articles/cafe-worries.md", data, SCHEMA, None,
                      worktree_hasher(tmp_path))
    assert r.asset_states == [("content/articles/img/chart.png",
                               hashlib.sha256(b"chart bytes\n").hexdigest())]
    parts = split(decode(VECTOR_V2))
    assets = r.asset_states
    assert content_digest(load_yaml(parts.yaml_text), parts.body, {"draft"}, assets) \
        == published.group(0)
    by_hand = hashlib.sha256(b"reviewkit-digest-v2\n" + canonical.group(1).encode()
                             + b"\n" + parts.body.encode()).hexdigest()
    assert "sha256:" + by_hand == published.group(0)
    # a version 1 article keeps its version 1 digest; with the chart it is a new digest
    no_asset = data.replace(b"\n\n![Worry chart](img/chart.png)", b"")
    assert parse_article("a/x.md", no_asset, SCHEMA).article is not None
    r2 = parse_article("content/articles/cafe-worries.md", data, SCHEMA, None,
                       worktree_hasher(tmp_path))
    assert r2.article is not None
    (tmp_path / "content/articles/img/chart.png").write_bytes(b"chart bytes!\n")
    r3 = parse_article("content/articles/cafe-worries.md", data, SCHEMA, None,
                       worktree_hasher(tmp_path))
    assert r3.article is not None and r3.article.digest != r2.article.digest


def test_one_markdown_dialect() -> None:
    """validate's rules and publish parse with one factory: tables, strikethrough and
    footnotes render in the bundle."""
    from reviewkit.outputs.publish import _render_body
    from reviewkit.rules._doc import make_parser as rules_parser

    body = ("| a | b |\n| - | - |\n| 1 | 2 |\n\n~~old advice~~ new advice[^1]\n\n"
            "[^1]: A footnote.\n")
    html = _render_body(body, [])
    assert "<table>" in html and "<td>1</td>" in html
    assert "<s>old advice</s>" in html
    assert 'class="footnote-ref"' in html and "A footnote." in html
    tokens = [t.type for t in rules_parser().parse(body)]
    assert "table_open" in tokens and "footnote_block_open" in tokens
