"""Sign-off end to end on real repositories with real keys (issue: clinical sign-off)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Project, git, put_event

A = "content/articles/coping-with-worry.md"


def approve(project: Project, *extra: str, who: str = "dwhitfield") -> object:
    key = {"dwhitfield": project.reviewer, "mokafor": project.second, "jlee": project.editor}[who]
    return project.rk("approve", str(project.path / A), "--key", str(key.private), "--as", who,
                      "-m", "looks right", *extra)


def state(project: Project, rel: str = A) -> dict:  # type: ignore[type-arg]
    r = project.rk("status", "--format", "json", str(project.path / rel))
    assert r.code == 0, r.output
    return json.loads(r.out)["articles"][0]  # type: ignore[no-any-return]


def test_submit_approve_edit_stale_review_diff(project: Project) -> None:
    assert state(project)["state"] == "draft"
    r = project.rk("submit", str(project.path / A), "--reviewer", "dwhitfield", "-m", "please")
    assert r.code == 0, r.output
    s = state(project)
    assert s["state"] == "in_review" and s["requested_reviewer"] == "dwhitfield"
    r = approve(project)
    assert r.code == 0, r.output
    assert "state now: approved" in r.out
    s = state(project)
    assert s["state"] == "approved"
    assert s["approvals"][0]["name"] == "Dana Whitfield" and s["approvals"][0]["credential"] == "LPC"
    # edit the body → stale, with reasons naming the approved version
    project.repo.write(A, project.repo.read(A).replace("Plain words", "Plainer words"))
    project.repo.commit("edit")
    s = state(project)
    assert s["state"] == "stale"
    assert "approved on" in s["reasons"][0] and "by Dana Whitfield, LPC" in s["reasons"][0]
    assert "content changed since" in s["reasons"][0]
    r = project.rk("review", str(project.path / A))
    assert r.code == 0
    assert "-Plain words about the topic." in r.out and "+Plainer words about the topic." in r.out
    # the queue shows it to reviewers
    r = project.rk("queue")
    assert A in r.out and "[stale]" in r.out


def test_exempt_field_change_keeps_approval(project: Project) -> None:
    assert approve(project).code == 0  # type: ignore[attr-defined]
    project.repo.write(A, project.repo.read(A).replace("draft: false", "draft: true"))
    project.repo.commit("back to draft")
    assert state(project)["state"] == "approved"


def test_rename_rebase_and_squash_keep_approval(project: Project) -> None:
    repo = project.repo
    base = repo.git("rev-parse", "HEAD")
    # a feature branch with two commits editing the article, approved at its tip
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(A, repo.read(A).replace("Plain words", "Clear words"))
    repo.commit("edit 1")
    repo.write("other.txt", "unrelated\n")
    repo.commit("edit 2")
    assert approve(project).code == 0  # type: ignore[attr-defined]
    assert state(project)["state"] == "approved"
    # main moves on; rebase the feature branch: commits change, content does not
    repo.git("checkout", "-q", "main")
    repo.write("README.txt", "main moved\n")
    repo.commit("main moves")
    repo.git("checkout", "-q", "feature")
    repo.git("rebase", "-q", "main")
    assert repo.git("merge-base", "--is-ancestor", base, "HEAD") == ""
    assert state(project)["state"] == "approved"
    # squash-merge into main
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--squash", "feature")
    repo.commit("squashed")
    assert state(project)["state"] == "approved"
    # rename the file (slug must follow the file name, and the slug is covered: re-slug is
    # a content change) — a move to another directory keeps the approval
    (project.path / "content/articles/2026").mkdir()
    repo.git("mv", A, "content/articles/2026/coping-with-worry.md")
    repo.commit("move")
    s = state(project, "content/articles/2026/coping-with-worry.md")
    assert s["state"] == "approved", s


def test_forged_events_do_not_count_and_log_says_why(project: Project, keys) -> None:  # type: ignore[no-untyped-def]
    stranger = keys("stranger")
    put_event(project.path, "approved", A, "dwhitfield", None, credential="LPC")  # unsigned
    put_event(project.path, "approved", A, "dwhitfield", stranger)  # unknown key
    put_event(project.path, "approved", A, "mokafor", project.reviewer)  # other actor's name
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer,
              sign_as={"message": "altered after signing"})  # tampered JSON
    s = state(project)
    assert s["state"] != "approved"
    r = project.rk("log", str(project.path / A), "--format", "json")
    assert r.code == 0, r.output
    reasons = [e["reason"] for e in json.loads(r.out)["events"]]
    text = "\n".join(reasons)
    assert "'sig' is a required property" in text
    assert "which is not registered for dwhitfield" in text
    assert "not registered for mokafor" in text
    assert "does not match the content" in text
    assert all(not e["counts"] for e in json.loads(r.out)["events"])
    r = project.rk("log", str(project.path / A))
    assert "signature ✗" in r.out


def test_approve_refusals(project: Project) -> None:
    # not a clinical reviewer
    r = approve(project, who="jlee")
    assert r.code == 1 and "is not a clinical reviewer" in r.err  # type: ignore[attr-defined]
    # uncommitted changes
    project.repo.write(A, project.repo.read(A) + "\nmore\n")
    r = approve(project)
    assert r.code == 1 and "uncommitted changes" in r.err  # type: ignore[attr-defined]
    git(project.path, "checkout", "--", A)
    # invalid article
    project.repo.write(A, project.repo.read(A).replace("draft: false", "draft: 3"))
    project.repo.commit("broken")
    r = approve(project)
    assert r.code == 1 and "does not validate" in r.err  # type: ignore[attr-defined]
    git(project.path, "revert", "--no-edit", "HEAD")
    # self-approval: the author is a reviewer too
    project.repo.write(A, project.repo.read(A).replace("j.lee@example.org", "m.okafor@example.org"))
    project.repo.commit("author is okafor")
    r = approve(project, who="mokafor")
    assert r.code == 1 and "self-approval" in r.err  # type: ignore[attr-defined]
    # a key that is not the reviewer's
    r = project.rk("approve", str(project.path / A), "--key", str(project.second.private),
                   "--as", "dwhitfield")
    assert r.code == 1 and "is not registered for dwhitfield" in r.err
    # nothing was recorded by any refusal
    assert git(project.path, "for-each-ref", "refs/reviewkit/") == ""


def test_identity_from_git_email_and_default_key(project: Project, _isolate: Path) -> None:
    git(project.path, "config", "user.email", "d.whitfield@example.org")
    ssh = _isolate / ".ssh"
    ssh.mkdir()
    (ssh / "id_ed25519").write_bytes(project.reviewer.private.read_bytes())
    (ssh / "id_ed25519").chmod(0o600)
    (ssh / "id_ed25519.pub").write_bytes(project.reviewer.public.read_bytes())
    r = project.rk("approve", str(project.path / A))
    assert r.code == 0, r.output
    assert "as dwhitfield" in r.out


def test_request_changes_then_approval_of_new_version(project: Project) -> None:
    r = project.rk("request-changes", str(project.path / A), "-m", "Add the 988 line",
                   "--key", str(project.reviewer.private), "--as", "dwhitfield")
    assert r.code == 0, r.output
    s = state(project)
    assert s["state"] == "changes_requested"
    assert "Add the 988 line" in s["reasons"][0]
    project.repo.write(A, project.repo.read(A).replace("Plain words", "Plain words, and 988"))
    project.repo.commit("fix")
    assert state(project)["state"] == "changes_requested"
    assert project.rk("submit", str(project.path / A)).code == 0
    assert state(project)["state"] == "in_review"
    assert approve(project).code == 0  # type: ignore[attr-defined]
    assert state(project)["state"] == "approved"


def test_changes_requested_after_approval_revokes_it(project: Project) -> None:
    assert approve(project).code == 0  # type: ignore[attr-defined]
    r = project.rk("request-changes", str(project.path / A), "-m", "On second thought",
                   "--key", str(project.second.private), "--as", "mokafor")
    assert r.code == 0, r.output
    s = state(project)
    assert s["state"] == "changes_requested"
    r = project.rk("withdraw", str(project.path / A), "-m", "withdrawn",
                   "--key", str(project.reviewer.private), "--as", "dwhitfield")
    assert r.code == 0
    assert approve(project, who="mokafor").code == 0  # type: ignore[attr-defined]
    assert state(project)["state"] == "approved"


def test_comment_and_log(project: Project) -> None:
    assert project.rk("comment", str(project.path / A), "-m", "Reads well", "--as", "jlee").code == 0
    r = project.rk("log", str(project.path / A))
    assert "commented" in r.out and "Reads well" in r.out and "unsigned" in r.out


def test_editor_withdraws_submission_and_queue_mine(project: Project) -> None:
    assert project.rk("submit", str(project.path / A), "--reviewer", "mokafor").code == 0
    mine = project.rk("queue", "--mine", "--as", "mokafor")
    assert A in mine.out and "for mokafor" in mine.out
    assert "nothing awaits review from you" in project.rk("queue", "--mine", "--as", "dwhitfield").out
    r = project.rk("withdraw", str(project.path / A), "-m", "not ready after all",
                   "--key", str(project.editor.private), "--as", "jlee")
    assert r.code == 0, r.output
    s = state(project)
    assert s["state"] == "draft"
    assert s["reasons"] == [s["reasons"][0]] and "submission withdrawn on" in s["reasons"][0]
    assert "by Jordan Lee" in s["reasons"][0]
    assert A not in project.rk("queue").out


def test_review_of_a_never_approved_article_shows_all_of_it(project: Project) -> None:
    r = project.rk("review", str(project.path / A), "--no-color")
    assert r.code == 0
    assert "never approved; the whole article is new to review" in r.out
    assert "+Plain words about the topic." in r.out
    colour = project.rk("review", str(project.path / A), "--color")
    assert "\x1b[32m+Plain words" in colour.out


def test_an_article_with_an_image_is_submitted_and_approved_from_its_commit(
        project: Project) -> None:
    """The committed version is digested with the assets of the same commit, by path and
    by id (from a branch, without checking it out); the approval counts on the work tree."""
    project.repo.write("content/articles/img/chart.png", b"\x89PNG first chart")
    project.repo.write(A, project.repo.read(A).replace(
        "Plain words about the topic.", "Plain words about the topic.\n\n![A chart](img/chart.png)"))
    project.repo.commit("chart")
    r = project.rk("submit", str(project.path / A), "--reviewer", "dwhitfield")
    assert r.code == 0, r.output
    assert approve(project).code == 0
    assert state(project)["state"] == "approved"
    # the chart's bytes change on a branch: submitted there, approved by id from main
    git(project.path, "checkout", "-q", "-b", "new-chart")
    project.repo.write("content/articles/img/chart.png", b"\x89PNG second chart")
    project.repo.commit("new chart")
    assert state(project)["state"] == "stale"
    assert project.rk("submit", str(project.path / A)).code == 0
    git(project.path, "checkout", "-q", "-")
    article_id = state(project)["id"]
    r = project.rk("approve", article_id, "--key", str(project.reviewer.private),
                   "--as", "dwhitfield")
    assert r.code == 0, r.output
    git(project.path, "checkout", "-q", "new-chart")
    assert state(project)["state"] == "approved"
