"""Reports for pull requests (job summary, comment, annotations) and --changed-since:
repository strings cannot inject Markdown or HTML, and REV cannot be an option or ambiguous."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from reviewkit.outputs.summary import md_code, md_text

from conftest import Project, article, git

NASTY_TITLE = 'Fear | of <script>alert(1)</script> `intimacy`\\nsecond line \\u202e @everyone [x](javascript:y)'


def test_titles_and_paths_cannot_break_the_table_or_inject_html(project: Project,
                                                                 tmp_path: Path) -> None:
    rel = "content/articles/odd|name`<b>.md"
    text = article(id="01JDX3Q7G6M2N8P4R5S6T7V8WA", slug="odd-name").replace(
        'title: "Coping with worry"', f'title: "{NASTY_TITLE}"')
    project.repo.write(rel, text)
    project.repo.commit("a nasty title")
    summary = tmp_path / "s.md"
    r = project.rk("gate", "--summary", str(summary), "--changed-since", "HEAD~1")
    assert r.code == 1, r.output
    md = summary.read_text()
    assert "<script" not in md and "\u202e" not in md and "@everyone" not in md
    assert "odd\\|name`<b>.md" in md  # raw only inside a code span, where HTML is inert
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    assert "<script" not in html and "<b>" not in html and 'href="javascript' not in html
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "<td" in r]
    assert len(rows) == 2  # the two articles, each on one row of five cells
    for row in rows:
        assert row.count("<td") == 5
    assert "odd|name`&lt;b&gt;.md" in html  # the path, shown as it is, in a code span


def test_md_helpers_keep_one_cell() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    parser = MarkdownIt("commonmark", {"html": True}).enable("table")

    @given(st.text(max_size=40))
    def one_cell(value: str) -> None:
        for cell in (md_text(value), md_code(value)):
            html = parser.render(f"| a | b |\n| --- | --- |\n| {cell} | x |\n")
            tds = re.findall(r"<td>(.*?)</td>", html, re.S)
            assert len(tds) == 2 and tds[1] == "x", (value, cell, html)
            assert "<" not in tds[0].replace("<code>", "").replace("</code>", "")

    one_cell()


@pytest.mark.parametrize("rev, why", [
    ("-oops", "not a revision name"),
    ("--output=/tmp/x", "not a revision name"),
    ("no-such-branch", "no such commit"),
])
def test_changed_since_refuses_bad_names(project: Project, rev: str, why: str) -> None:
    r = project.rk("gate", "--changed-since", rev)
    assert r.code == 2 and why in r.err, r.output




def test_changed_since_refuses_an_ambiguous_name(project: Project) -> None:
    """A tag and a branch both named ``release``: git would pick one silently."""
    git(project.path, "branch", "release")
    git(project.path, "tag", "release", "HEAD")
    r = project.rk("gate", "--changed-since", "release")
    assert r.code == 2 and "ambiguous" in r.err and "refs/tags/release" in r.err, r.output
    assert project.rk("gate", "--changed-since", "refs/heads/release").code != 2
