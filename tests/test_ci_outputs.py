"""What a pull request shows: job summary, sticky comment, capped annotations, SARIF, GitLab.

The big test builds one 500-article repository (60 blocked articles, 8 of them touched by
the change under test) per module, runs the gate and validate once each with every
output, and checks each output against the catalogue it was built from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from catalogue_fixture import Catalogue, build, path_for, seeded_site
from docs_examples import check_example
from markdown_it import MarkdownIt

from reviewkit.outputs.output import rule_doc
from reviewkit.outputs.summary import MARKER

from conftest import (
    Key,
    Project,
    git,
    rk,
)

ROOT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = json.loads((ROOT / "tests/data/sarif-schema-2.1.0.json").read_text())
N_BLOCKED = 60
CHANGED = {path_for(i) for i in range(45, 53)}  # the stale and invalid ones: edited last
BLOCKED = {path_for(i) for i in range(25, 85)}  # 25-52 in every state, 53-84 never submitted
APPROVED = {path_for(i) for i in range(0, 25)}


@dataclass
class Run:
    cat: Catalogue
    base: str  # the commit the change is based on
    out: str  # gate --format github
    code: int
    summary: str
    comment: str
    sarif: dict[str, object]


@pytest.fixture(scope="module")
def pr(tmp_path_factory: pytest.TempPathFactory, keys: Callable[[str], Key]) -> Iterator[Run]:
    """500 articles, 60 blocked; the change under test is the last commit. Built once."""
    with seeded_site(tmp_path_factory, keys, "ci") as (project, mp):
        repo = project.repo
        cat = build(project, 500, draft_after=85)
        base = git(repo.path, "rev-parse", "HEAD~1")
        out = tmp_path_factory.mktemp("ci-out")
        summary = out / "summary.md"
        summary.write_text("earlier step's summary\n")
        mp.setenv("GITHUB_STEP_SUMMARY", str(summary))
        r = rk("gate", "--trust-ref", base, "--changed-since", base, "--format", "github",
               "--comment-file", str(out / "comment.md"), "--sarif", str(out / "gate.sarif"),
               cwd=repo.path)
        yield Run(cat, base, r.out, r.code, summary.read_text(),
                  (out / "comment.md").read_text(), json.loads((out / "gate.sarif").read_text()))


def table_rows(markdown: str, heading: str) -> list[str]:
    """The rows of the table that follows ``heading`` (a line starting with it)."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    return rows[2:]  # header and delimiter


def row_paths(rows: list[str]) -> list[str]:
    return [m.group(1) for r in rows for m in [re.search(r"<br>`([^`]+)`", r)] if m]


def test_the_fixture_has_500_articles_and_60_blocked(pr: Run) -> None:
    assert pr.cat.n == 500
    assert pr.code == 1
    assert "gate FAILED: 60 of 85 articles blocked, 415 drafts ignored" in pr.out


def test_summary_is_appended_and_lists_all_60_blocked_articles(pr: Run) -> None:
    assert pr.summary.startswith("earlier step's summary\n### ❌ reviewkit gate: 60 of 85 "
                                 "articles blocked")
    mine = row_paths(table_rows(pr.summary, "#### Articles this change touches (8)"))
    others = row_paths(table_rows(pr.summary, "#### Other blocked articles (52)"))
    assert mine == sorted(CHANGED)  # blocked, in path order
    assert set(others) == BLOCKED - CHANGED and len(others) == 52
    assert set(mine) | set(others) == BLOCKED
    approved = row_paths(table_rows(pr.summary, "<details><summary>25 approved articles"))
    assert set(approved) == APPROVED
    # each row of the change's table: state, digests, reviewer asked and the next command
    stale = next(r for r in table_rows(pr.summary, "#### Articles this change") if path_for(45) in r)
    assert re.search(r"\*\*stale\*\*.*`sha256:[0-9a-f]{8}` → `sha256:[0-9a-f]{8}`", stale)
    assert "`reviewkit review content/articles/article-0045.md && reviewkit approve" in stale


def test_summary_renders_as_tables_and_passing_articles_are_folded(pr: Run) -> None:
    html = MarkdownIt("commonmark").enable("table").render(pr.summary)
    assert html.count("<table>") == 3
    assert re.search(r"<details><summary>25 approved articles</summary>", html)
    for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            assert row.count("<td") in (4, 5)


def test_comment_file_is_the_same_report_with_the_marker(pr: Run) -> None:
    assert pr.comment.startswith(MARKER + "\n### ❌ reviewkit gate: 60 of 85")
    assert pr.comment.removeprefix(MARKER + "\n") == pr.summary.removeprefix(
        "earlier step's summary\n")


def test_annotations_put_the_change_first_and_end_with_how_many_more(pr: Run) -> None:
    annotations = [line for line in pr.out.splitlines() if line.startswith("::")]
    errors = [a for a in annotations if a.startswith("::error")]
    assert len(errors) == 10  # GitHub's limit per step
    files = [re.search(r"file=([^,:]+)", a).group(1) for a in errors]  # type: ignore[union-attr]
    assert set(files[:8]) == CHANGED
    assert not set(files[8:]) & CHANGED
    assert annotations[-1].startswith("::notice title=reviewkit::50 more findings not annotated")
    assert annotations[-1].endswith("see the job summary")
    check_example("gate-annotations-capped", "\n".join([annotations[0], annotations[9],
                                                        annotations[-1]]))


def test_sarif_from_the_gate_validates_and_has_one_result_per_blocked_article(pr: Run) -> None:
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(pr.sarif)
    run = pr.sarif["runs"][0]  # type: ignore[index]
    results = run["results"]
    assert len(results) == N_BLOCKED
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == BLOCKED
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"gate-expired", "gate-in-review", "gate-changes-requested",
                          "gate-stale", "gate-invalid", "gate-unapproved"}
    assert all(r["level"] == "error" for r in results)
    assert all(rules[r["ruleId"]] is run["tool"]["driver"]["rules"][r["ruleIndex"]]
               for r in results)
    assert "docs/rules.md#gate-results" in rules["gate-stale"]["help"]["text"]


def test_validate_sarif_and_gitlab_have_one_entry_per_finding(pr: Run) -> None:
    path = pr.cat.project.path
    as_json = json.loads(rk("validate", "--format", "json", cwd=path).out)
    found = as_json["findings"]
    assert found  # the three invalid articles at least
    sarif = rk("validate", "--format", "sarif", cwd=path)
    assert sarif.code == 1
    log = json.loads(sarif.out)
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == len(found)
    for f, r in zip(found, results, strict=True):
        region = r["locations"][0]["physicalLocation"]["region"]
        assert (r["ruleId"], region["startLine"], region.get("startColumn", 0)) == (
            f["rule"], max(f["line"], 1), f["col"])
        assert r["level"] == {"error": "error", "warning": "warning"}.get(f["level"], "note")
    gitlab = rk("validate", "--format", "gitlab", cwd=path)
    report = json.loads(gitlab.out)
    assert len(report) == len(found)
    assert len({e["fingerprint"] for e in report}) == len(report)
    for f, e in zip(found, report, strict=True):
        assert e["check_name"] == f["rule"] and e["location"]["path"] == f["path"]
        assert e["location"]["lines"]["begin"] == max(f["line"], 1)
        assert e["severity"] in ("info", "minor", "major", "critical", "blocker")
    again = json.loads(rk("validate", "--format", "gitlab", cwd=path).out)
    assert [e["fingerprint"] for e in again] == [e["fingerprint"] for e in report]


def test_gate_gitlab_report_has_one_entry_per_blocked_article(pr: Run) -> None:
    r = rk("gate", "--trust-ref", pr.base, "--format", "gitlab", cwd=pr.cat.project.path)
    assert r.code == 1
    report = json.loads(r.out)
    assert len(report) == N_BLOCKED
    assert {e["location"]["path"] for e in report} == BLOCKED
    assert {e["check_name"] for e in report} >= {"gate-stale", "gate-unapproved"}


# --- small repositories ------------------------------------------------------------------------

def test_rule_docs_point_at_headings_that_exist() -> None:
    from reviewkit.rules import RULE_IDS

    headings = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
                for h in re.findall(r"^#{2,4} (.+)$", (ROOT / "docs/rules.md").read_text(), re.M)}
    for rule in [*RULE_IDS, "suppression", "front-matter", "yaml-syntax", "schema-required",
                 "slug-mismatch", "duplicate-id", "unreadable", "content-root", "symlink",
                 "gate-repository", "gate-note", "gate-unapproved", "gate-stale",
                 "gate-in-review", "gate-changes-requested", "gate-expired", "gate-invalid"]:
        anchor, text = rule_doc(rule)
        assert anchor in headings, (rule, anchor)
        assert text and not text.startswith("reviewkit rule")


def test_report_too_big_keeps_the_change_and_says_what_was_cut(pr: Run) -> None:
    from reviewkit.outputs.gate import run_gate
    from reviewkit.outputs.summary import gate_markdown
    from reviewkit.record.project import load_project

    result = run_gate(load_project(pr.cat.project.path, pr.base))
    full = gate_markdown(result, CHANGED, trust_ref=pr.base)
    assert full == pr.summary.removeprefix("earlier step's summary\n")
    small = gate_markdown(result, CHANGED, limit=len(full.encode()) // 2)
    assert len(small.encode()) <= len(full.encode()) // 2
    assert row_paths(table_rows(small, "#### Articles this change touches (8)")) == sorted(CHANGED)
    assert "<details><summary>25 approved articles</summary>" in small
    assert "… and 25 more, not shown: the report is limited in size" in small
    assert "… and" in small.split("#### Other blocked articles (52)")[1].split("<details>")[0]


def test_annotations_are_capped_per_kind_and_the_note_fits(project: Project) -> None:
    from reviewkit.outputs.output import capped_annotations, github_annotation

    items = ([("error", f"e{i}.md", github_annotation("error", "x", path=f"e{i}.md"))
              for i in range(3)]
             + [("warning", f"w{i}.md", github_annotation("warning", "x", path=f"w{i}.md"))
                for i in range(12)]
             + [("notice", f"n{i}.md", github_annotation("notice", "x", path=f"n{i}.md"))
                for i in range(12)])
    shown = capped_annotations(items, first={"w11.md", "n11.md"}, more="see the job summary")
    kinds = [line.split(" ", 1)[0] for line in shown]
    assert kinds.count("::error") == 3 and kinds.count("::warning") == 10
    assert kinds.count("::notice") == 10  # nine findings and the note
    assert shown[0].startswith("::warning file=w11.md") and "file=n11.md" in shown[1]
    assert shown[-1].endswith("::5 more findings not annotated (GitHub shows at most 10 errors "
                              "and 10 warnings per step): see the job summary")
    assert capped_annotations(items[:5]) == [i[2] for i in items[:5]]  # no note when all fit


def test_an_unwritable_summary_is_an_environment_error(project: Project, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = project.rk("gate", "--summary", str(blocker / "summary.md"))
    assert r.code == 3 and "cannot write the report" in r.err, r.output
    assert "Traceback" not in r.output
