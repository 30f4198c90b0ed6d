"""Attacks on the published bundle (issue 11: 8, 10, 11, 13): what publish writes is what
was approved, read the same way by every YAML reader; it never crashes on what the gate
passed; one slug is one page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _sec import A, approve, gate
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import Project, article, examples, put_event

ROOT = Path(__file__).resolve().parents[2]


def _front(text: str) -> str:
    return text.split("\n---\n", 1)[0]


def test_duplicate_slug_across_content_roots_is_refused(project: Project, tmp_path: Path) -> None:
    """Two articles with one slug in two content roots: a finding, the gate blocks, publish
    refuses (before: one page silently replaced the other, the manifest listed it twice)."""
    cfg = project.repo.read("reviewkit.yaml").replace(
        "content: [content/articles]", "content: [content/articles, content/guides]")
    assert "content/guides" in cfg, cfg
    project.repo.write("reviewkit.yaml", cfg)
    twin = "content/guides/coping-with-worry.md"
    project.repo.write(twin, article(id="01JDX3Q7G6M2N8P4R5S6T7V8WC", title="Twin"))
    project.repo.commit("a second content root with a twin slug")
    approve(project)
    approve(project, rel=twin)
    r = project.rk("validate")
    assert r.code == 1 and r.output.count("duplicate-slug") == 2, r.output
    code, _ = gate(project)
    assert code == 1
    out = tmp_path / "bundle"
    r = project.rk("publish", "--out", str(out))
    assert r.code == 1 and "duplicate-slug" in r.err and not out.exists(), r.output


def test_effective_slug_is_the_file_name_when_slug_is_absent(project: Project) -> None:
    """Duplicate detection keys on the effective slug, so two files named alike in two
    folders collide even when one has a different front-matter slug... and a front-matter
    slug that equals another file's name collides with it."""
    from reviewkit.article.content import ArticleResult, check_catalogue
    from reviewkit.base.model import ArticleSummary

    def res(path: str, slug: str | None) -> ArticleResult:
        return ArticleResult(path, summary=ArticleSummary(path, "0" * 40, "x", "t", slug, False))

    found = check_catalogue([res("a/one.md", "two"), res("b/two.md", None), res("c/three.md", "three")])
    assert sorted(f.path for f in found if f.rule == "duplicate-slug") == ["a/one.md", "b/two.md"]


def test_yaml_anchor_in_front_matter_is_refused(project: Project) -> None:
    """An anchor (`&a`) is read differently by different YAML readers: refused like aliases."""
    text = project.repo.read(A).replace('title: "Coping with worry"',
                                        'title: &t "Coping with worry"')
    project.repo.write(A, text)
    r = project.rk("validate", str(project.path / A))
    assert r.code == 1 and "yaml-alias" in r.output and "anchors" in r.output


def test_md_bundle_front_matter_is_written_from_the_approved_values(
        project: Project, tmp_path: Path) -> None:
    """Plain scalars that YAML 1.1 readers (Hugo's, Jekyll's, PyYAML) read as booleans or
    numbers reach them as the strings that were approved: never copied verbatim."""
    from ruamel.yaml import YAML

    text = project.repo.read(A).replace('title: "Coping with worry"', "title: on") \
        .replace('description: "A short description of the article."', "description: no")
    project.repo.write(A, text)
    project.repo.commit("plain scalars")
    approve(project)
    out = tmp_path / "bundle"
    r = project.rk("publish", "--out", str(out))
    assert r.code == 0, r.output
    page = (out / "coping-with-worry.md").read_text()
    yaml11 = YAML(typ="safe", pure=True)
    yaml11.version = (1, 1)
    values = yaml11.load(_front(page)[4:])
    assert values["title"] == "on" and values["description"] == "no"
    assert "&" not in _front(page) and "!!" not in _front(page)


def test_exempt_fields_are_not_published(project: Project, tmp_path: Path) -> None:
    """`tags` is exempt (unreviewed): text in it never reaches the bundle, md or html."""
    text = project.repo.read(A).replace("draft: false",
                                        'draft: false\ntags: ["Stop your medication today"]')
    project.repo.write(A, text)
    project.repo.commit("unreviewed text in an exempt field")
    approve(project)
    for fmt in ("md", "html"):
        out = tmp_path / fmt
        r = project.rk("publish", "--out", str(out), "--format", fmt)
        assert r.code == 0, r.output
        for f in out.rglob("*"):
            if f.is_file() and "review-record" not in f.parts:
                assert "Stop your medication" not in f.read_text(), f


def test_line_separators_in_front_matter_never_crash_publish(project: Project,
                                                              tmp_path: Path) -> None:
    """U+0085/U+2028/U+2029 in values (before: publish exit 4). One loader, one meaning:
    they are a finding wherever the front matter is read, so no clinician can approve them,
    and an approval forced onto the ledger makes publish hold the article back, not crash."""
    text = project.repo.read(A).replace('title: "Coping with worry"',
                                        'title: "Coping\\u2028with\\x85worry\\u2029"')
    project.repo.write(A, text)
    project.repo.commit("line separators")
    r = project.rk("validate")
    assert r.code == 1 and "error[control-character]" in r.out
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer, credential="LPC")
    assert gate(project)[0] == 1
    for fmt in ("md", "html"):
        out = tmp_path / fmt
        r = project.rk("publish", "--out", str(out), "--format", fmt)
        assert r.code == 0, r.output
        manifest = json.loads((out / "manifest.json").read_text())
        assert A in {h["path"] for h in manifest["held_back"]}, json.dumps(manifest)


# --- the property: whatever the gate passes, publish renders --------------------------------

_text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\0"),
                min_size=1, max_size=40)
_slug = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)


@pytest.mark.slow
@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(title="Worry\u2028at\x85night", description="d", name="Jordan Lee", topics=["anxiety"],
         body="Text.\n", extra={"tags": "Stop your medication", "lang": "es"}, slug="worry")
@given(title=_text, description=_text, name=_text, topics=st.lists(_slug, max_size=3, unique=True),
       body=st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\0\r"),
                    max_size=300),
       extra=st.dictionaries(st.sampled_from(["lang", "tags"]), _text, max_size=2),
       slug=_slug)
def test_every_article_the_gate_passes_publishes_in_md_and_html(
        title: str, description: str, name: str, topics: list[str], body: str,
        extra: dict[str, str], slug: str) -> None:
    import datetime as dt

    from reviewkit.article.content import parse_article
    from reviewkit.article.frontmatter import load_yaml, split
    from reviewkit.article.schema import compile_schema
    from reviewkit.base.model import Credential, Reviewer
    from reviewkit.outputs.publish import Page, approved_values, render_html, render_md
    from reviewkit.record.ledger import StoredEvent, make_event
    from reviewkit.review.policy import EventCheck

    schema = compile_schema((ROOT / "schemas/article.schema.json").read_bytes(), "schema")
    fm = {"id": "01JDX3Q7G6M2N8P4R5S6T7V8W9", "title": title, "slug": slug,
          "description": description, "author": {"name": name, "email": "j.lee@example.org"},
          "topics": topics, "draft": False, "updated": "2026-11-20", "citations": []}
    if "tags" in extra:
        fm["tags"] = [extra["tags"]]
    if "lang" in extra:
        fm["lang"] = extra["lang"]
    source = "---\n" + json.dumps(fm, ensure_ascii=False) + "\n---\n" + body
    r = parse_article(f"content/articles/{slug}.md", source.encode(), schema)
    if r.article is None or any(f.is_error for f in r.findings):
        return  # the gate would not pass it
    event = make_event("approved", article=fm["id"], path="a.md", digest=r.article.digest,
                       blob="0" * 40, commit="0" * 40, actor="dwhitfield",
                       at=dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc))
    who = Reviewer(id="dwhitfield", name="Dana Whitfield", email="d.whitfield@example.org",
                   roles=["clinical_reviewer"], credentials=[Credential(type="LPC")])
    check = EventCheck(StoredEvent("x.json", "0" * 40, event), True, True, "", who,
                       who.credentials[0])
    values = approved_values(r.article.front_matter, schema.exempt)
    page = Page(values, r.article.body, [check], r.article.digest, f"{slug}.html",
                f"https://example.org/{slug}.html", str(values.get("lang") or "en"))
    import re

    pattern = re.compile(r"Clinically reviewed by .*")
    html = render_html(page, pattern)
    assert "Clinically reviewed by Dana Whitfield, LPC on 30 November 2026" in html
    md = render_md(page, pattern)
    back = load_yaml(split(md).yaml_text)
    assert isinstance(back, dict)
    for k, v in values.items():
        if k != "draft":
            assert back[k] == v, k
    assert "tags" not in back and "Stop your medication" not in html + md
