"""`reviewkit gate`: each outcome on a real repository."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import Project, article, default_reviewers, git, put_event, registry_yaml

A = "content/articles/coping-with-worry.md"
NOW = dt.datetime.now(dt.timezone.utc)


def approve(project: Project, who: str = "dwhitfield", rel: str = A) -> None:
    key = {"dwhitfield": project.reviewer, "mokafor": project.second}[who]
    r = project.rk("approve", str(project.path / rel), "--key", str(key.private), "--as", who)
    assert r.code == 0, r.output


def gate(project: Project, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = project.rk("gate", "--format", "json", *args)
    assert r.code in (0, 1), r.output
    return r.code, json.loads(r.out)


def blocked_reasons(doc: dict) -> str:  # type: ignore[type-arg]
    return "\n".join(f"{b['state']}: {' | '.join(b['reasons'])}" for b in doc["blocked"]) + \
        "\n".join(doc["failures"])


def set_policy(project: Project, **policy: object) -> None:
    text = project.repo.read("reviewkit.yaml")
    for k, v in policy.items():
        text = text.replace("policy:\n", f"policy:\n  {k}: {json.dumps(v)}\n", 1)
    lines, seen = [], set()
    for line in text.splitlines():
        key = line.strip().split(":")[0]
        if line.startswith("  ") and key in policy:
            if key in seen:
                continue
            seen.add(key)
        lines.append(line)
    project.repo.write("reviewkit.yaml", "\n".join(lines) + "\n")
    project.repo.commit("policy")


def test_approved_passes_and_text_output(project: Project) -> None:
    approve(project)
    code, doc = gate(project)
    assert code == 0 and doc["passed"]
    r = project.rk("gate")
    assert r.code == 0 and "gate passed: 1 of 1 articles approved" in r.out


def test_draft_is_ignored(project: Project) -> None:
    project.repo.write("content/articles/wip.md",
                       article(slug="wip", id="01JDX3Q7G6M2N8P4R5S6T7V8WC", draft="true"))
    project.repo.commit("wip")
    approve(project)
    code, doc = gate(project)
    assert code == 0 and doc["drafts_ignored"] == ["content/articles/wip.md"]


def test_stale_blocks_with_fix(project: Project) -> None:
    approve(project)
    project.repo.write(A, project.repo.read(A).replace("Plain words", "Other words"))
    project.repo.commit("edit")
    r = project.rk("gate")
    assert r.code == 1
    assert f"BLOCKED {A} [stale]" in r.out and f"reviewkit review {A}" in r.out
    r = project.rk("gate", "--format", "github")
    assert f"::error file={A},title=reviewkit gate%3A stale::" in r.out


def test_expired(project: Project) -> None:
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer,
              at=NOW - dt.timedelta(days=400), credential="LPC")
    code, doc = gate(project)
    assert code == 1 and doc["blocked"][0]["state"] == "expired"
    assert "approvals expire after 365 days" in blocked_reasons(doc)
    r = project.rk("due", "--within", "30d")
    assert "OVERDUE" in r.out and A in r.out


def test_due_lists_soon_expiring(project: Project) -> None:
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer,
              at=NOW - dt.timedelta(days=350), credential="LPC")
    assert gate(project)[0] == 0
    r = project.rk("due", "--within", "30d", "--format", "json")
    rows = json.loads(r.out)
    assert rows[0]["path"] == A and rows[0]["reviewer"] == "Dana Whitfield"
    assert rows[0]["due"] == (NOW - dt.timedelta(days=350) + dt.timedelta(days=365)).date().isoformat()
    assert json.loads(project.rk("due", "--within", "7d", "--format", "json").out) == []


def test_changes_requested_blocks(project: Project) -> None:
    approve(project)
    r = project.rk("request-changes", str(project.path / A), "-m", "cite the study",
                   "--key", str(project.second.private), "--as", "mokafor")
    assert r.code == 0
    code, doc = gate(project)
    assert code == 1 and doc["blocked"][0]["state"] == "changes_requested"
    assert "cite the study" in blocked_reasons(doc)


def _registry(project: Project, edit) -> None:  # type: ignore[no-untyped-def]
    people = default_reviewers(project.reviewer, project.second, project.editor)
    edit(people)
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("registry")


def test_credential_expired_on_approval_date(project: Project) -> None:
    def lapse(people):  # type: ignore[no-untyped-def]
        people[0]["credentials"][0]["expires"] = (NOW - dt.timedelta(days=10)).date().isoformat()
    _registry(project, lapse)
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    code, doc = gate(project)
    assert code == 1
    assert "LPC license expired on" in blocked_reasons(doc)
    # an approval made while the license was valid still counts
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer,
              at=NOW - dt.timedelta(days=20))
    assert gate(project)[0] == 0


def test_wrong_credential_for_topic(project: Project) -> None:
    project.repo.write(A, project.repo.read(A).replace("topics: [anxiety]", "topics: [medication]"))
    project.repo.commit("medication topic")
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    code, doc = gate(project)
    assert code == 1 and "topic 'medication' needs DO, MD, NP, PharmD" in blocked_reasons(doc)
    approve(project, "mokafor")  # an MD
    assert gate(project)[0] == 0


def test_self_approval(project: Project) -> None:
    project.repo.write(A, project.repo.read(A).replace("j.lee@example.org", "d.whitfield@example.org"))
    project.repo.commit("reviewer wrote it")
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    code, doc = gate(project)
    assert code == 1 and "self-approval" in blocked_reasons(doc)
    set_policy(project, allow_self_approval=True)
    assert gate(project)[0] == 0


def test_too_few_distinct_approvers(project: Project) -> None:
    set_policy(project, approvals_required=2)
    approve(project)
    approve(project)  # the same person twice is one approver
    code, doc = gate(project)
    assert code == 1 and "1 of 2 required approvals" in blocked_reasons(doc)
    approve(project, "mokafor")
    assert gate(project)[0] == 0


def test_future_dated_approval(project: Project) -> None:
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer,
              at=NOW + dt.timedelta(days=2))
    code, doc = gate(project)
    assert code == 1 and "dated in the future" in blocked_reasons(doc)


def test_key_outside_validity_window(project: Project) -> None:
    def window(people):  # type: ignore[no-untyped-def]
        people[0]["keys"] = [{"key": project.reviewer.line,
                              "valid_before": (NOW - dt.timedelta(days=5)).isoformat()}]
    _registry(project, window)
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    code, doc = gate(project)
    assert code == 1 and "is not valid" in blocked_reasons(doc)


def test_missing_events_ref_fails_closed(project: Project) -> None:
    code, doc = gate(project)
    assert code == 1 and "refs/reviewkit/events does not exist" in doc["failures"][0]
    # the advice covers both cases: recorded elsewhere (fetch) and none recorded yet (submit)
    assert "fetch them: git fetch origin '+refs/reviewkit/*:refs/reviewkit/*'" in doc["failures"][0]
    assert "If none was recorded yet" in doc["failures"][0]
    assert "reviewkit submit PATH" in doc["failures"][0]
    reason = doc["blocked"][0]["reasons"][0]
    assert "no review events in this clone: refs/reviewkit/events does not exist" in reason
    assert "none recorded yet, or not fetched" in reason
    assert doc["blocked"][0]["fix"].startswith("reviewkit submit content/articles/")
    # with no article to publish, nothing needs a review: a fresh repository's gate passes
    # and says so (never "fetch" a ref nobody pushed)
    project.repo.write(A, project.repo.read(A).replace("draft: false", "draft: true"))
    project.repo.commit("draft")
    code, doc = gate(project)
    assert code == 0 and doc["failures"] == []
    assert "no review has been recorded yet" in doc["notes"][0]
    assert "git fetch" not in doc["notes"][0]


def test_rewritten_events_ref(project: Project) -> None:
    approve(project)
    seen = git(project.path, "rev-parse", "refs/reviewkit/events")
    r = project.rk("request-changes", str(project.path / A), "-m", "no", "--key",
                   str(project.second.private), "--as", "mokafor")
    assert r.code == 0
    last = git(project.path, "rev-parse", "refs/reviewkit/events")
    assert gate(project, "--expect-events-ancestor", seen)[0] == 1  # blocked: changes requested
    # delete the changes_requested event by rewinding the ref
    git(project.path, "update-ref", "refs/reviewkit/events", seen)
    code, doc = gate(project, "--expect-events-ancestor", last)
    assert code == 1 and "was rewritten" in doc["failures"][0]
    assert gate(project, "--expect-events-ancestor", seen)[0] == 0


def test_trust_ref_blocks_pr_that_adds_its_author_as_reviewer(project: Project, keys) -> None:  # type: ignore[no-untyped-def]
    base = git(project.path, "rev-parse", "HEAD")
    mallory = keys("mallory")
    git(project.path, "checkout", "-q", "-b", "pr")
    people = default_reviewers(project.reviewer, project.second, project.editor)
    people.append({"id": "mallory", "name": "Mal Lory", "email": "mal@example.org",
                   "roles": ["clinical_reviewer"], "credentials": [{"type": "LPC"}],
                   "keys": [mallory.line]})
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.write(A, project.repo.read(A).replace("Plain words", "Unreviewed words"))
    project.repo.commit("PR: edit and add myself as a reviewer")
    r = project.rk("approve", str(project.path / A), "--key", str(mallory.private), "--as", "mallory")
    assert r.code == 0, r.output  # the work tree's registry accepts it ...
    assert gate(project)[0] == 0
    code, doc = gate(project, "--trust-ref", base)  # ... the base's does not
    assert code == 1
    assert "'mallory' is not in the reviewer registry" in blocked_reasons(doc)
    assert any("this change edits reviewers.yaml" in n for n in doc["notes"])
    # a PR weakening the policy or exempting a clinical field is not honoured either
    set_policy(project, approvals_required=1)
    schema = json.loads(project.repo.read("schemas/article.schema.json"))
    schema["properties"]["description"]["x-review-exempt"] = True
    project.repo.write("schemas/article.schema.json", json.dumps(schema))
    project.repo.commit("exempt description")
    code, doc = gate(project, "--trust-ref", base)
    assert code == 1
    assert any("schemas/article.schema.json" in n for n in doc["notes"])


def test_unknown_trust_ref_is_environment_error(project: Project) -> None:
    r = project.rk("gate", "--trust-ref", "no-such-branch")
    assert r.code == 3 and "--trust-ref no-such-branch: no such ref" in r.err


def test_invalid_article_blocks_and_unreadable_event_fails(project: Project) -> None:
    approve(project)
    project.repo.write("content/articles/broken.md", "---\ntitle: [\n---\n")
    project.repo.commit("broken")
    code, doc = gate(project)
    assert code == 1 and doc["blocked"][0]["state"] == "invalid"


def test_junit_report(project: Project, tmp_path: Path) -> None:
    approve(project)
    project.repo.write("content/articles/second.md",
                       article(slug="second", id="01JDX3Q7G6M2N8P4R5S6T7V8WD"))
    project.repo.commit("second")
    out = tmp_path / "junit.xml"
    r = project.rk("gate", "--junit", str(out))
    assert r.code == 1
    suite = ET.parse(out).getroot()
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    failed = [c for c in suite if c.find("failure") is not None]
    assert failed[0].get("name") == "content/articles/second.md"


def test_missing_content_root_fails_closed(project: Project) -> None:
    """Articles moved out of every content root must not make the gate pass unseen."""
    approve(project)
    project.repo.git("mv", "content/articles", "content/posts")
    project.repo.commit("move everything out of the content root")
    code, doc = gate(project)
    assert code == 1
    assert doc["blocked"][0]["path"] == "content/articles"
    assert "content root 'content/articles' (reviewkit.yaml) does not exist" in blocked_reasons(doc)
    r = project.rk("validate")
    assert r.code == 1 and "error[content-root]" in r.out


def test_due_csv_and_bad_window(project: Project) -> None:
    import csv
    import io

    put_event(project.path, "approved", A, "dwhitfield", project.reviewer,
              at=NOW - dt.timedelta(days=350), credential="LPC")
    rows = list(csv.DictReader(io.StringIO(project.rk("due", "--format", "csv").out)))
    assert [(r["path"], r["reviewer"], r["credential"]) for r in rows] == [
        (A, "Dana Whitfield", "LPC")]
    r = project.rk("due", "--within", "soon")
    assert r.code == 2 and "'--within': 'soon': use days like 30d" in r.err


def test_status_state_filter(project: Project) -> None:
    project.repo.write("content/articles/other.md",
                       article(slug="other", id="01JDX3Q7G6M2N8P4R5S6T7V8WQ"))
    project.repo.commit("other")
    approve(project)
    doc = json.loads(project.rk("status", "--format", "json", "--state", "approved").out)
    assert [a["path"] for a in doc["articles"]] == [A]
    r = project.rk("status", "--state", "draft")
    assert "content/articles/other.md" in r.out and A not in r.out
