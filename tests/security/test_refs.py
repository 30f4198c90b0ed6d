"""Every user-given ref is pinned to exactly one full ref name or a commit id: an ambiguous
name is refused with its candidates (exit 2), a name beginning with '-' never reaches git
as an option, and the ref and commit used are printed.

SECURITY.md points here (``R:``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from _sec import A, approve, put_raw, set_registry

from reviewkit.base.git import open_repo

from conftest import Key, Project, git, put_event


def _base_with_remote_tracking(project: Project) -> str:
    """The base branch as CI sees it: refs/remotes/origin/main; then a PR branch."""
    base = git(project.path, "rev-parse", "HEAD")
    git(project.path, "update-ref", "refs/remotes/origin/main", base)
    git(project.path, "checkout", "-q", "-b", "pr")
    return base


def _attacker_registry(project: Project, mallory: Key) -> str:
    """A commit (on no branch) whose registry lists the attacker as a clinical reviewer."""
    def add(people: list[dict[str, Any]]) -> None:
        people.append({"id": "mallory", "name": "Mal Lory", "email": "mal@example.org",
                       "roles": ["clinical_reviewer"], "credentials": [{"type": "MD"}],
                       "keys": [mallory.line]})
    set_registry(project, add)
    commit = git(project.path, "rev-parse", "HEAD")
    git(project.path, "reset", "-q", "--hard", "HEAD~1")
    return commit


@pytest.mark.parametrize("shadow", ["refs/tags/origin/main", "refs/heads/origin/main"])
def test_trust_ref_shadowed_by_a_tag_or_branch_is_refused(
        project: Project, keys: Any, shadow: str) -> None:
    base = _base_with_remote_tracking(project)
    mallory: Key = keys("mallory")
    evil = _attacker_registry(project, mallory)
    git(project.path, "update-ref", shadow, evil)  # anyone who can push a tag
    project.repo.write(A, project.repo.read(A).replace("Plain words", "Unreviewed words"))
    project.repo.commit("PR: unreviewed edit")
    put_event(project.path, "approved", A, "mallory", mallory)
    r = project.rk("gate", "--trust-ref", "origin/main", "--format", "json")
    assert r.code == 2, r.output
    assert "ambiguous" in r.err and shadow in r.err and "refs/remotes/origin/main" in r.err
    # the full name is unambiguous: the base's registry decides, and the gate says which
    r = project.rk("gate", "--trust-ref", "refs/remotes/origin/main", "--format", "json")
    assert r.code == 1, r.output
    assert f"trusted configuration: refs/remotes/origin/main at {base}" in r.err
    doc = json.loads(r.out)
    assert doc["trust_ref"] == {"ref": "refs/remotes/origin/main", "commit": base,
                                "given": "refs/remotes/origin/main"}
    # and so is the base commit id (what the workflow `init` writes passes)
    r = project.rk("gate", "--trust-ref", base, "--format", "json")
    assert r.code == 1 and f"trusted configuration: commit {base}" in r.err
    # publish takes the same option, the same way
    r = project.rk("publish", "--out", str(project.path.parent / "out"), "--trust-ref", "origin/main")
    assert r.code == 2 and "ambiguous" in r.err


def test_expect_events_ancestor_ambiguous_is_refused(project: Project) -> None:
    approve(project)
    seen = git(project.path, "rev-parse", "refs/reviewkit/events")
    git(project.path, "update-ref", "refs/tags/seen", seen)
    put_raw(project.path, {"x/y.json": b"{}"})
    git(project.path, "update-ref", "refs/heads/seen",
        git(project.path, "rev-parse", "refs/reviewkit/events"))
    r = project.rk("gate", "--expect-events-ancestor", "seen", "--format", "json")
    assert r.code == 2 and "refs/tags/seen" in r.err and "refs/heads/seen" in r.err, r.output


@pytest.mark.parametrize("argv", [
    ["gate", "--trust-ref=-c"], ["gate", "--trust-ref=--output=x"],
    ["gate", "--expect-events-ancestor=--all"], ["publish", "--out", "o", "--trust-ref=-h"],
    ["sync", "--", "--upload-pack=touch pwned"],
])
def test_option_injection_through_a_ref_is_refused(project: Project, argv: list[str]) -> None:
    approve(project)
    r = project.rk(*argv)
    assert r.code == 2, r.output
    assert "'-'" in r.err or "bad remote name" in r.err, r.err
    assert not (project.path / "pwned").exists() and not (project.path / "x").exists()


@pytest.mark.parametrize("rev", ["HEAD~1", "main^", "main@{1}", "a..b", "main:x"])
def test_revision_expressions_are_refused_with_a_usage_error(project: Project, rev: str) -> None:
    r = project.rk("gate", "--trust-ref", rev)
    assert r.code == 2 and "not a revision expression" in r.err, r.output


def test_resolve_ref_library_operation(project: Project) -> None:
    repo = open_repo(project.path)
    head = git(project.path, "rev-parse", "HEAD")
    assert repo.resolve_ref("main").full == "refs/heads/main"
    assert repo.resolve_ref("refs/heads/main").commit == head
    assert repo.resolve_ref(head).full is None
    assert repo.resolve_ref(head[:10]).commit == head
    git(project.path, "tag", "-a", "-m", "t", "v1")
    assert repo.resolve_ref("v1").commit == head  # an annotated tag pinned to its commit
    from reviewkit.base.errors import EnvError, UsageError

    with pytest.raises(EnvError):
        repo.resolve_ref("no-such-branch")
    git(project.path, "branch", "v1")
    with pytest.raises(UsageError, match="refs/tags/v1, refs/heads/v1"):
        repo.resolve_ref("v1")


def test_workflow_written_by_init_passes_a_full_ref() -> None:
    """init's workflow runs the packaged action, which names the base by its full ref."""
    from importlib import resources
    from pathlib import Path

    text = resources.files("reviewkit").joinpath("data/scaffold/workflow.yml").read_text()
    assert "--trust-ref \"origin/" not in text
    action = (Path(__file__).resolve().parents[2] / "action.yml").read_text()
    assert 'trust="refs/remotes/origin/${GITHUB_BASE_REF}"' in action
