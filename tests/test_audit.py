"""`reviewkit audit`: every event, oldest first, verified, as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from catalogue_fixture import Catalogue, big_catalogue  # noqa: F401

from reviewkit.base.git import open_repo
from reviewkit.outputs.audit import COLUMNS
from reviewkit.record.ledger import EVENTS_REF

from conftest import Project, rk

ARTICLE = "content/articles/coping-with-worry.md"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def ledger_files(path: Path) -> list[str]:
    repo = open_repo(path)
    tip = repo.rev_parse(EVENTS_REF)
    return [e.path for e in repo.ls_tree(tip)] if tip else []


def rewrite_event(path: Path, name: str, data: bytes) -> None:
    """Put ``data`` at ``name`` on the events ref (as someone editing the ledger would)."""
    repo = open_repo(path)
    old = repo.rev_parse(EVENTS_REF)
    tree = repo.tree_with(old, {name: repo.hash_object(data)})
    commit = repo.commit_tree(tree, [old] if old else [], "edit\n", "x", "x@example.org")
    assert repo.update_ref(EVENTS_REF, commit, old, "test")


def event_json(path: Path, name: str) -> dict[str, object]:
    repo = open_repo(path)
    tip = repo.rev_parse(EVENTS_REF)
    assert tip
    sha = {e.path: e.sha for e in repo.ls_tree(tip)}[name]
    value: dict[str, object] = json.loads(repo.read_blobs([sha])[sha])
    return value


def approve(p: Project, key: Path | None = None, as_id: str = "dwhitfield", **kw: str) -> None:
    args = ["approve", str(p.path / ARTICLE), "--key", str(key or p.reviewer.private),
            "--as", as_id]
    for k, v in kw.items():
        args += [f"--{k}", v]
    r = p.rk(*args)
    assert r.code == 0, r.output


@pytest.mark.slow
def test_audit_csv_of_the_fixture_repo(big_catalogue: Catalogue) -> None:  # noqa: F811
    path = big_catalogue.project.path
    r = rk("audit", "--format", "csv", cwd=path)
    assert r.code == 0, r.output
    table = rows(r.out)
    assert len(table) == big_catalogue.events == len(ledger_files(path))
    assert list(table[0]) == list(COLUMNS)
    assert sorted(t["file"] for t in table) == sorted(ledger_files(path))
    assert [t["at"] for t in table] == sorted(t["at"] for t in table)  # oldest first
    for t in table:
        if t["event"] in ("approved", "changes_requested", "withdrawn"):
            assert t["verified"] == "yes", t
        else:
            assert t["verified"] == "unsigned", t
    approved = [t for t in table if t["event"] == "approved"]
    assert {t["credential"] for t in approved} == {"LPC", "MD"}
    assert {t["actor_name"] for t in approved} == {"Dana Whitfield", "Michael Okafor"}
    # approvals of stale versions were valid but no longer decide: they still "count" as
    # events; the 400-day-old ones count too (their expiry is the article's state)
    assert all(t["counts"] == "yes" for t in table)
    # JSON has the same rows
    doc = json.loads(rk("audit", "--format", "json", cwd=path).out)
    assert doc["count"] == len(table)
    assert [e["file"] for e in doc["events"]] == [t["file"] for t in table]


def test_audit_judgments_are_those_of_log(project: Project) -> None:
    """One source: the verdict per event is what `log --format json` says."""
    p = project
    assert p.rk("submit", str(p.path / ARTICLE)).code == 0
    approve(p)
    assert p.rk("request-changes", str(p.path / ARTICLE), "-m", "Cite, please.",
                "--key", str(p.second.private), "--as", "mokafor").code == 0
    log = json.loads(p.rk("log", str(p.path / ARTICLE), "--format", "json").out)
    audit = json.loads(p.rk("audit", "--format", "json").out)["events"]
    by_file = {e["file"]: e for e in audit}
    assert len(by_file) == len(log["events"]) == 3
    for e in log["events"]:
        a = by_file[e["file"]]
        for k in ("event", "actor", "at", "digest", "blob", "commit", "counts", "reason",
                  "credential"):
            assert a[k] == e[k], k
    revoked = next(e for e in audit if e["event"] == "approved")
    assert revoked["counts"] is False
    assert revoked["reason"].startswith("revoked: changes requested by Michael Okafor")
    assert revoked["verified"] == "yes"


def test_tampered_event_does_not_verify(project: Project) -> None:
    p = project
    approve(p, message="Accurate.")
    [name] = ledger_files(p.path)
    value = event_json(p.path, name)
    value["message"] = "Accurate, and I never said otherwise."
    rewrite_event(p.path, name, json.dumps(value, sort_keys=True, separators=(",", ":")).encode())
    [row] = rows(p.rk("audit").out)
    assert row["verified"] == "no" and row["counts"] == "no"
    assert "signature rejected" in row["reason"]
    assert row["message"] == "Accurate, and I never said otherwise."


def test_unsigned_approval_is_not_verified(project: Project) -> None:
    p = project
    approve(p)
    [name] = ledger_files(p.path)
    value = event_json(p.path, name)
    del value["sig"]
    rewrite_event(p.path, name, json.dumps(value, sort_keys=True, separators=(",", ":")).encode())
    [row] = rows(p.rk("audit").out)
    assert (row["verified"], row["counts"]) == ("no", "no")
    assert "'sig' is a required property" in row["reason"]  # the event schema requires it
    assert row["event"] == "" and row["file"] == name  # an invalid file: listed, not trusted


def test_unreadable_event_files_are_listed_with_their_problem(project: Project) -> None:
    p = project
    assert p.rk("submit", str(p.path / ARTICLE)).code == 0
    [name] = ledger_files(p.path)
    article_dir = name.split("/")[0]
    broken = f"{article_dir}/20250101T000000Z-approved-mallory-00112233aabbccdd.json"
    rewrite_event(p.path, broken, b"{not json")
    table = rows(p.rk("audit").out)
    assert len(table) == 2
    first = table[0]  # its time comes from its name: 2025, before the submission
    assert first["file"] == broken
    assert first["at"] == "2025-01-01T00:00:00.000000Z"
    assert first["verified"] == "no" and first["counts"] == "no"
    assert "not valid JSON" in first["reason"]
    assert first["article"] == article_dir


def test_events_of_deleted_articles_are_still_verified(project: Project) -> None:
    p = project
    assert p.rk("submit", str(p.path / ARTICLE)).code == 0
    approve(p)
    p.repo.git("rm", "-q", ARTICLE)
    p.repo.commit("remove the article")
    table = rows(p.rk("audit").out)
    assert len(table) == 2
    for t in table:
        assert t["reason"].startswith("article not in the catalogue"), t
        assert t["counts"] == "no"
        assert t["path"] == ARTICLE
    approved = next(t for t in table if t["event"] == "approved")
    assert approved["verified"] == "yes"
    assert approved["actor_name"] == "Dana Whitfield"
    assert next(t for t in table if t["event"] == "submitted")["verified"] == "unsigned"


def test_deleted_article_with_a_forged_event(project: Project) -> None:
    p = project
    approve(p)
    [name] = ledger_files(p.path)
    value = event_json(p.path, name)
    value["digest"] = "sha256:" + "0" * 64
    rewrite_event(p.path, name, json.dumps(value, sort_keys=True, separators=(",", ":")).encode())
    p.repo.git("rm", "-q", ARTICLE)
    p.repo.commit("remove the article")
    [row] = rows(p.rk("audit").out)
    assert row["verified"] == "no"
    assert row["reason"].startswith("article not in the catalogue; signature rejected")


def test_since_and_messages_that_need_quoting(project: Project) -> None:
    p = project
    assert p.rk("submit", str(p.path / ARTICLE), "-m", 'line one, "quoted"\nline two').code == 0
    table = rows(p.rk("audit").out)
    assert table[0]["message"] == 'line one, "quoted"\nline two'
    at = table[0]["at"]
    assert len(rows(p.rk("audit", "--since", at[:10]).out)) == 1
    assert len(rows(p.rk("audit", "--since", at).out)) == 1
    assert rows(p.rk("audit", "--since", "2999-01-01").out) == []
    doc = json.loads(p.rk("audit", "--since", "2999-01-01", "--format", "json").out)
    assert doc["count"] == 0 and doc["since"] == "2999-01-01T00:00:00.000000Z"
    bad = p.rk("audit", "--since", "last tuesday")
    assert bad.code == 2 and "'--since': 'last tuesday': use a date like 2026-01-31" in bad.err


def test_audit_without_events(project: Project) -> None:
    r = project.rk("audit")
    assert r.code == 0
    assert r.out.strip() == ",".join(COLUMNS)
    doc = json.loads(project.rk("audit", "--format", "json").out)
    assert doc["count"] == 0 and doc["events_tip"] is None
    assert doc["notes"] and "no review events" in doc["notes"][0]
    h = project.rk("audit", "--help")
    assert h.code == 0 and "Example:" in h.out
