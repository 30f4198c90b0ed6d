"""Registry mistakes made over time (key rotation by copy and paste) that would let one
person's approvals count as two people's."""

from __future__ import annotations

from conftest import Project, default_reviewers, put_event, registry_yaml

A = "content/articles/coping-with-worry.md"


def _two_approvals_required(project: Project) -> None:
    cfg = project.repo.read("reviewkit.yaml")
    project.repo.write("reviewkit.yaml", cfg.replace("approvals_required: 1",
                                                     "approvals_required: 2"))


def test_one_key_registered_for_two_reviewers_is_refused(project: Project) -> None:
    """Dana's new key pasted into Michael's entry too: whoever holds it signs as both, and
    two approvals required become one person's. validate names the line; the gate and
    status refuse the registry (exit 2) rather than count the second approval."""
    _two_approvals_required(project)
    people = default_reviewers(project.reviewer, project.second, project.editor)
    people[1]["keys"] = [project.second.line, project.reviewer.line]
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("rotation, pasted twice")
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    put_event(project.path, "approved", A, "mokafor", project.reviewer)
    r = project.rk("gate")
    assert r.code == 2, r.output
    assert "is also registered for 'dwhitfield'" in r.err, r.err
    r = project.rk("validate")
    assert r.code != 0
    assert "reviewers.yaml:" in r.out and "is also registered for 'dwhitfield'" in r.out, r.out


def test_one_reviewer_may_list_a_key_twice_with_windows(project: Project) -> None:
    """The same key twice for the same person (e.g. two windows) is not a shared key."""
    people = default_reviewers(project.reviewer, project.second, project.editor)
    people[0]["keys"] = [{"key": project.reviewer.line, "valid_before": "2020-01-01"},
                         project.reviewer.line]
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("two windows")
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    r = project.rk("gate")
    assert r.code == 0, r.output
