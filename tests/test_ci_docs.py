"""The examples of docs/ci.md, made by running reviewkit on a small pull request.

main has four articles: two approved, one submitted and awaiting review. The change edits
an approved article (now stale) and adds one that nobody submitted, with a list that does
not match its heading.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docs_examples import check_example

from reviewkit.outputs.summary import MARKER

from conftest import BODY, Project, article, git

A = "content/articles/"
GRIEF_BODY = BODY.replace("## Find care", """## Three ways to support a grieving colleague

- Ask how they are, and listen.
- Offer practical help with work.

## Find care""")


@pytest.fixture
def change(project: Project, tmp_path: Path) -> tuple[Project, Path]:
    p = project
    key = str(p.reviewer.private)
    p.repo.write(A + "panic-attacks.md", article(
        id="01JDX3Q7G6M2N8P4R5S6T7V8X1", title="Panic attacks: what helps in the moment",
        slug="panic-attacks"))
    p.repo.write(A + "signs-of-burnout.md", article(
        id="01JDX3Q7G6M2N8P4R5S6T7V8X2", title="Signs of burnout", slug="signs-of-burnout",
        topics="stress"))
    p.repo.commit("two more articles")
    for rel in ("coping-with-worry.md", "panic-attacks.md"):
        r = p.rk("approve", str(p.path / A / rel), "--key", key, "--as", "dwhitfield",
                 "-m", "Accurate and safe.")
        assert r.code == 0, r.output
    r = p.rk("submit", str(p.path / A / "signs-of-burnout.md"), "--as", "jlee",
             "--reviewer", "dwhitfield")
    assert r.code == 0, r.output
    git(p.path, "checkout", "-q", "-b", "change")
    text = p.repo.read(A + "panic-attacks.md")
    p.repo.write(A + "panic-attacks.md", text.replace("Plain words about the topic.",
                                                      "Breathe slowly; the wave passes."))
    p.repo.write(A + "grief-at-work.md", article(
        id="01JDX3Q7G6M2N8P4R5S6T7V8X3", title="Grief at work", slug="grief-at-work",
        topics="grief", body=GRIEF_BODY))
    p.repo.commit("panic attacks: a practical tip; new: grief at work")
    out = tmp_path / "out"
    out.mkdir()
    return p, out


def test_docs_show_what_the_gate_and_validate_write(change: tuple[Project, Path]) -> None:
    p, out = change
    r = p.rk("gate", "--trust-ref", "main", "--changed-since", "main", "--format", "github",
             "--summary", str(out / "summary.md"), "--comment-file", str(out / "comment.md"))
    assert r.code == 1, r.output
    summary = (out / "summary.md").read_text()
    assert "#### Articles this change touches (2)" in summary
    assert "#### Other blocked articles (1)" in summary
    check_example("gate-summary", summary)
    comment = (out / "comment.md").read_text()
    assert comment == f"{MARKER}\n{summary}"
    check_example("gate-comment-head", "\n".join(comment.splitlines()[:2]))
    check_example("gate-annotations", r.out)

    sarif = p.rk("validate", "--changed-since", "main", "--format", "sarif")
    assert sarif.code == 1, sarif.output
    log = json.loads(sarif.out)
    assert [x["ruleId"] for x in log["runs"][0]["results"]] == ["count-matches-list"]
    check_example("validate-sarif", sarif.out)

    r = p.rk("validate", "--changed-since", "main", "--summary", str(out / "validate.md"))
    assert r.code == 1, r.output
    validate = (out / "validate.md").read_text()
    assert validate.startswith("### ❌ reviewkit validate: 1 error, 0 warnings in 4 files")
    assert "#### Findings in files this change touches (1)" in validate
    assert "| `content/articles/grief-at-work.md:20:4` | error | `count-matches-list` |" in validate
    assert "<details><summary>3 files without findings</summary>" in validate
    check_example("validate-summary", validate)

    gitlab = p.rk("gate", "--trust-ref", "main", "--format", "gitlab")
    assert gitlab.code == 1
    assert len(json.loads(gitlab.out)) == 3
    check_example("gate-gitlab", gitlab.out)
