"""Attacks on what the first week added: the setup change (a base without reviewkit.yaml),
`validate --trust-ref`, bylines in bodies, approving by id, and approve's trusted registry.
Each runs on a real throwaway repository."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from _sec import A_ID, A, gate

from conftest import Key, Project, git, put_event


def _base_without_reviewkit(project: Project) -> None:
    """Make `origin/main` a commit with no reviewkit.yaml: the base of a setup change."""
    tree = git(project.path, "mktree", input="")
    commit = git(project.path, "commit-tree", tree, "-m", "before reviewkit")
    git(project.path, "update-ref", "refs/remotes/origin/main", commit)


def test_setup_change_cannot_publish_an_unreviewed_article(project: Project) -> None:
    # the fixture's article is draft: false and has no review at all
    _base_without_reviewkit(project)
    code, doc = gate(project, "--trust-ref", "origin/main")
    assert code == 1
    assert "this is the setup change that adds reviewkit" in doc["failures"][0]
    assert "it may publish nothing" in doc["failures"][0]
    assert "Set draft: true in them" in doc["failures"][0]
    # every article a draft: the setup change passes, and says why
    project.repo.write(A, project.repo.read(A).replace("draft: false", "draft: true"))
    project.repo.commit("draft")
    code, doc = gate(project, "--trust-ref", "origin/main")
    assert code == 0 and "passes because it publishes nothing" in doc["notes"][0]


def test_setup_change_names_its_base_as_given_and_never_merges_into_a_commit(
        project: Project) -> None:
    _base_without_reviewkit(project)
    project.repo.write(A, project.repo.read(A).replace("draft: false", "draft: true"))
    project.repo.commit("draft")
    full = git(project.path, "rev-parse", "origin/main")
    base = full[:12]
    for given in ("origin/main", "refs/remotes/origin/main"):
        code, doc = gate(project, "--trust-ref", given)
        assert code == 0, doc
        note = doc["notes"][0]
        assert f"the trusted base {given} (commit {base}) has no reviewkit configuration" in note
        assert f"once it is merged into {given}, every later change" in note
        assert f"merged into {base}" not in note and "merged into origin/main (" not in note
    code, doc = gate(project, "--trust-ref", full)  # a commit id: there is no branch name
    assert code == 0, doc
    assert f"the trusted base commit {base} has no" in doc["notes"][0]
    assert "once it is merged into the base branch," in doc["notes"][0]
    r = project.rk("validate", "--trust-ref", "origin/main")
    assert r.code == 0 and f"the trusted base origin/main (commit {base}) has no" in r.output


def test_setup_change_is_not_a_way_around_an_existing_configuration(project: Project) -> None:
    # the base has reviewkit.yaml: deleting it in the change does not make it a setup change
    git(project.path, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(project.path, "rm", "-q", "reviewkit.yaml")
    project.repo.commit("remove reviewkit")
    code, doc = gate(project, "--trust-ref", "origin/main")
    assert code == 1 and "setup change" not in json.dumps(doc)


def test_rule_switched_off_in_the_same_change_still_applies(project: Project) -> None:
    git(project.path, "update-ref", "refs/remotes/origin/main", "HEAD")
    body = project.repo.read(A).replace("Plain words about the topic.",
                                        "Her brother committed suicide in 2019.")
    project.repo.write(A, body)
    config = project.repo.read("reviewkit.yaml").replace("rules: {}", "rules:\n  safe-messaging: off")
    project.repo.write("reviewkit.yaml", config)
    project.repo.commit("quieter")
    assert project.rk("validate").code == 0  # judged by its own configuration
    r = project.rk("validate", "--trust-ref", "origin/main")
    assert r.code == 1 and "error[safe-messaging]" in r.out


def test_word_list_allowing_a_phrase_in_the_same_change_does_not_count(project: Project) -> None:
    config = project.repo.read("reviewkit.yaml").replace(
        "rules: {}", "rules:\n  word_lists: [words.yaml]")
    project.repo.write("reviewkit.yaml", config)
    project.repo.write("words.yaml", "person-first:\n  avoid: []\n")
    project.repo.commit("our word list")
    git(project.path, "update-ref", "refs/remotes/origin/main", "HEAD")
    project.repo.write("words.yaml", "safe-messaging:\n  allow: [committed suicide]\n")
    project.repo.write(A, project.repo.read(A).replace(
        "Plain words about the topic.",
        "Her brother committed suicide in 2019. Call or text 988 any time."))
    project.repo.commit("allow it")
    assert project.rk("validate").code == 0  # the branch's own list allows it
    r = project.rk("validate", "--trust-ref", "origin/main")
    assert r.code == 1 and "error[safe-messaging]" in r.out and "commit(ted) suicide" in r.out


def test_byline_naming_someone_who_did_not_approve_is_blocked(project: Project) -> None:
    project.repo.write(A, project.repo.read(A)
                       + "\n*Clinically reviewed by Michael Okafor, MD — Clinical reviewer*\n")
    project.repo.commit("claims okafor")
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer, credential="LPC")
    code, doc = gate(project)
    assert code == 1
    assert "byline names Michael Okafor, who did not approve this version" in \
        doc["blocked"][0]["reasons"][0]


def test_forged_submission_pointing_outside_the_repository_reads_nothing(
        project: Project) -> None:
    put_event(project.path, "submitted", A, "jlee", None, path="../../etc/passwd")
    r = project.rk("review", A_ID)
    assert r.code in (2, 3) and "root:" not in r.output and "Traceback" not in r.output
    r = project.rk("approve", A_ID, "--key", str(project.reviewer.private), "--as", "dwhitfield")
    assert r.code in (2, 3) and "approved" not in r.out


def test_approve_refuses_a_sign_off_the_trusted_registry_would_not_count(
        project: Project, keys: Callable[[str], Key], tmp_path: Path) -> None:
    git(project.path, "update-ref", "refs/remotes/origin/main", "HEAD")
    intruder = keys("intruder")
    doc = json.loads(project.repo.read("reviewers.yaml"))
    doc["reviewers"][0]["keys"].append(intruder.line)  # a key added on the branch
    project.repo.write("reviewers.yaml", json.dumps(doc))
    project.repo.commit("another key for dwhitfield")
    r = project.rk("approve", A, "--key", str(intruder.private), "--as", "dwhitfield",
                   "--trust-ref", "origin/main")
    assert r.code == 1 and "would not count under the registry at origin/main" in r.err
    assert "nothing was recorded" in r.err
    assert git(project.path, "for-each-ref", "refs/reviewkit/events") == ""


def test_other_commands_explain_a_trust_ref_without_configuration(project: Project) -> None:
    _base_without_reviewkit(project)
    r = project.rk("publish", "--out", str(project.path.parent / "bundle"),
                   "--trust-ref", "origin/main")
    assert r.code == 2
    base = git(project.path, "rev-parse", "origin/main")[:12]
    assert f"reviewkit.yaml: not found at origin/main (commit {base})" in r.err
    assert "this is the setup change that adds reviewkit" in r.err
    assert "merge it, then later changes are checked against it" in r.err
    assert not (project.path.parent / "bundle").exists()
