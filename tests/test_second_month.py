"""A publication's second month, on real repositories with real keys: articles submitted
together on a branch, key rotation, expiring credentials, people leaving or changing role."""

from __future__ import annotations

import json

from conftest import BODY, Project, article, git

A = "content/articles/coping-with-worry.md"
B = "content/articles/sleep-and-worry.md"


def test_articles_submitted_together_that_link_to_each_other_are_approved_by_id(
        project: Project) -> None:
    """By id, the submitted version is validated against its own commit: a link to an
    article added on the same branch is not broken because the reviewer is on main."""
    git(project.path, "checkout", "-q", "-b", "two-articles")
    project.repo.write(B, article(id="01JDX9Z8Y7X6W5V4T3S2R1Q0PN", title="Sleep and worry",
                                  slug="sleep-and-worry",
                                  body=BODY + "\nSee also [worry](/articles/coping-with-worry).\n"))
    project.repo.commit("a second article")
    assert project.rk("validate").code == 0
    assert project.rk("submit", str(project.path / B), "--reviewer", "dwhitfield").code == 0
    git(project.path, "checkout", "-q", "main")
    git(project.path, "rm", "-q", A)  # the linked article is not on the reviewer's branch
    git(project.path, "commit", "-q", "-m", "retire worry")
    r = project.rk("approve", "01JDX9Z8Y7", "--key", str(project.reviewer.private),
                   "--as", "dwhitfield", "-m", "ok")
    assert r.code == 0, r.output
    git(project.path, "checkout", "-q", "two-articles")
    s = json.loads(project.rk("status", "--format", "json", str(project.path / B)).out)
    assert s["articles"][0]["state"] == "approved"


def _registry(project: Project, dana_keys: list[object]) -> None:
    from conftest import default_reviewers, registry_yaml

    people = default_reviewers(project.reviewer, project.second, project.editor)
    people[0]["keys"] = dana_keys
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("registry")


def test_a_date_only_valid_before_is_shown_as_the_start_of_that_day(
        project: Project, keys: object) -> None:
    """Retiring a key with ``valid_before: <today>`` ends it at 00:00 UTC today: an approval
    made with it later today no longer counts, and the reason must say so, not "valid until
    <today>" (which reads as "through today")."""
    import datetime as dt

    assert project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                      "--as", "dwhitfield", "-m", "ok").code == 0
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    new = keys("dwhitfield-new")  # type: ignore[operator]
    _registry(project, [{"key": project.reviewer.line, "valid_before": today}, new.line])
    r = project.rk("status", str(project.path / A))
    assert "not counted" in r.out, r.out
    assert f"valid until {today} 00:00:00 UTC)" in r.out, r.out
    assert project.rk("gate").code == 1


def test_approving_over_another_reviewers_request_for_changes_says_so(project: Project) -> None:
    """Two clinicians on one version: Michael requests changes, Dana (who may not have read
    them) approves later. The approval counts, as the design says, but approve says
    whose concern it overrides and how to take it back."""
    assert project.rk("submit", str(project.path / A)).code == 0
    r = project.rk("request-changes", str(project.path / A), "--key",
                   str(project.second.private), "--as", "mokafor", "-m", "Add the 988 line.")
    assert r.code == 0, r.output
    r = project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                   "--as", "dwhitfield", "-m", "ok")
    assert r.code == 0, r.output
    assert "state now: approved" in r.out
    assert "overrides the changes Michael Okafor requested on this version" in r.err, r.err
    assert "“Add the 988 line.”" in r.err and "reviewkit withdraw" in r.err
    # her own earlier request is not someone else's concern
    r = project.rk("request-changes", str(project.path / A), "--key",
                   str(project.reviewer.private), "--as", "dwhitfield", "-m", "wait")
    r = project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                   "--as", "dwhitfield", "-m", "ok now")
    assert r.code == 0 and "Michael Okafor" in r.err and "“wait”" not in r.err, r.err


def test_a_clinician_who_leaves_keeps_her_past_approvals_only_if_her_entry_stays(
        project: Project) -> None:
    """The content-lead guide's procedure for a leaver: end her keys (approvals made before
    count, later ones do not); deleting her entry or role un-counts them all."""
    import datetime as dt

    from conftest import default_reviewers, registry_yaml

    assert project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                      "--as", "dwhitfield", "-m", "ok").code == 0
    left = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    people = default_reviewers(project.reviewer, project.second, project.editor)
    people[0]["keys"] = [{"key": project.reviewer.line, "valid_before": left}]
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("Dana leaves")
    assert project.rk("gate").code == 0
    # deleting her role instead: fail closed, with the reason
    people[0]["roles"] = ["editor"]
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("Dana's role removed")
    r = project.rk("gate")
    assert r.code == 1 and "Dana Whitfield is not a clinical reviewer" in r.out, r.output
    project.repo.write("reviewers.yaml", registry_yaml(people[1:]))
    project.repo.commit("Dana removed")
    r = project.rk("gate")
    assert r.code == 1 and "'dwhitfield' is not in the reviewer registry" in r.out, r.output


def test_a_refusal_from_a_registry_older_than_mains_says_to_pull(
        project: Project, keys: object, tmp_path: object) -> None:
    """Dana's new key is merged on main; her clone has fetched but not pulled. Her approval
    with the new key is refused by her checkout's registry, and the refusal says why."""
    from pathlib import Path

    from conftest import rk

    clone = Path(str(tmp_path)) / "dana"
    git(project.path.parent, "clone", "-q", str(project.path), str(clone))
    new = keys("dwhitfield-laptop2")  # type: ignore[operator]
    _registry(project, [project.reviewer.line, new.line])
    args = ("approve", str(clone / A), "--key", str(new.private), "--as", "dwhitfield", "-m", "ok")
    git(clone, "fetch", "-q")
    r = rk(*args, cwd=clone)
    assert r.code == 1, r.output
    assert "reviewers.yaml here differs from origin/main's: git pull and try again" in r.err, r.err
    git(clone, "pull", "-q")
    r = rk(*args, cwd=clone)
    assert r.code == 0, r.output
    # up to date: a refusal has no such hint
    r = rk("approve", str(clone / A), "--key", str(project.second.private), "--as", "dwhitfield",
           "-m", "wrong key", cwd=clone)
    assert r.code == 1 and "git pull" not in r.err, r.err


def test_an_up_to_date_registry_with_crlf_line_ends_is_not_called_behind(
        project: Project, tmp_path: object) -> None:
    """With core.autocrlf=true the work tree's reviewers.yaml has CRLF line ends and the
    committed one LF: the same file as git sees it, so a refusal does not say to pull."""
    from pathlib import Path

    from conftest import rk

    clone = Path(str(tmp_path)) / "dana"
    git(project.path.parent, "clone", "-q", "-c", "core.autocrlf=true", str(project.path),
        str(clone))
    assert b"\r\n" in (clone / "reviewers.yaml").read_bytes()
    r = rk("approve", str(clone / A), "--key", str(project.second.private), "--as", "dwhitfield",
           "-m", "wrong key", cwd=clone)
    assert r.code == 1 and "git pull" not in r.err, r.err
    # an edit not yet committed is a registry other than main's: the hint stays
    (clone / "reviewers.yaml").write_bytes((clone / "reviewers.yaml").read_bytes() + b"\r\n")
    r = rk("approve", str(clone / A), "--key", str(project.second.private), "--as", "dwhitfield",
           "-m", "wrong key", cwd=clone)
    assert r.code == 1 and "git pull and try again" in r.err, r.err


def test_dashboard_says_does_not_count_once(project: Project, tmp_path: object) -> None:
    """The dashboard's latest events read "(does not count: Jordan Lee is not a clinical
    reviewer …)", not "(does not count: not counted: …)"."""
    from pathlib import Path

    from conftest import put_event

    put_event(project.path, "approved", A, "jlee", project.editor)
    out = Path(str(tmp_path)) / "dash"
    r = project.rk("report", "--html", str(out))
    assert r.code == 0, r.output
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "(does not count: Jordan Lee is not a clinical reviewer" in page, page
    assert "not counted: not counted" not in page and "count: not counted" not in page


def test_a_new_key_not_yet_registered_is_refused_naming_the_file_to_send(
        project: Project, keys: object) -> None:
    """Dana's new laptop: she signs before the admin registered the key. Nothing is
    recorded, and the refusal names the public key file she sends to the admin."""
    new = keys("dwhitfield-newlaptop")  # type: ignore[operator]
    r = project.rk("approve", str(project.path / A), "--key", str(new.private),
                   "--as", "dwhitfield", "-m", "ok")
    assert r.code == 1, r.output
    assert f"send an admin the public key to add to reviewers.yaml: {new.public}" in r.err, r.err
    assert "refs/reviewkit/events" not in git(project.path, "for-each-ref")


def test_an_approval_under_a_lapsed_license_is_refused_with_the_next_step(
        project: Project) -> None:
    """Michael's MD lapsed yesterday: approve refuses, says what to do, records nothing; an
    earlier approval of his (made while the license was valid) keeps counting."""
    import datetime as dt

    from conftest import default_reviewers, put_event, registry_yaml

    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=10)
    put_event(project.path, "approved", A, "mokafor", project.second, at=old)
    people = default_reviewers(project.reviewer, project.second, project.editor)
    yesterday = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).date().isoformat()
    people[1]["credentials"] = [{"type": "MD", "license": "MD-77", "expires": yesterday}]
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("Michael's license lapsed")
    assert project.rk("gate").code == 0
    r = project.rk("approve", str(project.path / A), "--key", str(project.second.private),
                   "--as", "mokafor", "-m", "again")
    assert r.code == 1, r.output
    assert f"license expired on {yesterday}" in r.err, r.err
    assert "if it was renewed, an admin updates its expires date in reviewers.yaml" in r.err


def test_a_pull_request_that_uncounts_approvals_says_so_before_the_merge(
        project: Project) -> None:
    """The lead removes a clinician who left. CI judges the pull request with the base's
    registry, so it passes; it now also says which articles the merge would block."""
    from conftest import default_reviewers, registry_yaml

    assert project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                      "--as", "dwhitfield", "-m", "ok").code == 0
    git(project.path, "branch", "base")
    people = default_reviewers(project.reviewer, project.second, project.editor)
    project.repo.write("reviewers.yaml", registry_yaml(people[1:]))
    project.repo.commit("Dana left")
    r = project.rk("gate", "--trust-ref", "refs/heads/base")
    assert r.code == 0, r.output  # the verdict is the base's, as before
    assert ("once merged, this change would block 1 article that passes now: "
            "content/articles/coping-with-worry.md") in r.output, r.output
    doc = json.loads(project.rk("gate", "--trust-ref", "refs/heads/base", "--format", "json").out)
    assert any("would block 1 article" in n for n in doc["notes"])
    # a registry change that un-counts nothing adds no such note
    people[0]["name"] = "Dana R. Whitfield"
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("Dana's full name")
    r = project.rk("gate", "--trust-ref", "refs/heads/base")
    assert r.code == 0 and "would block" not in r.output, r.output


def test_the_after_merge_note_runs_only_the_changes_registry(project: Project) -> None:
    """The note judges the change's reviewers.yaml with the base's configuration and
    schema: a schema edited by the change under test is never run by CI (a hostile one
    could only slow CI or mislead the note), so its effects are not announced."""
    from conftest import default_reviewers, registry_yaml

    assert project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                      "--as", "dwhitfield", "-m", "ok").code == 0
    git(project.path, "branch", "base")
    schema = json.loads(project.repo.read("schemas/article.schema.json"))
    schema["required"] = [*schema.get("required", []), "field_no_article_has"]
    project.repo.write("schemas/article.schema.json", json.dumps(schema))
    people = default_reviewers(project.reviewer, project.second, project.editor)
    people[0]["name"] = "Dana R. Whitfield"
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("a stricter schema and Dana's full name")
    r = project.rk("gate", "--trust-ref", "refs/heads/base")
    assert r.code == 0, r.output
    assert "edits schemas/article.schema.json" in r.output, r.output
    assert "would block" not in r.output and "would not load" not in r.output, r.output
    # the change's registry is what the note judges: removing Dana is announced
    project.repo.write("reviewers.yaml", registry_yaml(people[1:]))
    project.repo.commit("Dana left")
    r = project.rk("gate", "--trust-ref", "refs/heads/base")
    assert "would block 1 article that passes now" in r.output, r.output


def test_slugs_of_a_commit_are_read_as_the_work_trees_are(project: Project) -> None:
    """committed_slugs (approve by id) and known_slugs (the work tree) agree: nothing under
    a dot-directory or a dot-file names an article."""
    from reviewkit.article.content import known_slugs
    from reviewkit.record.project import load_project
    from reviewkit.review.submissions import committed_slugs

    for rel in ("content/articles/.drafts/hidden.md", "content/articles/.dot.md",
                "content/articles/more/nested-page.md"):
        project.repo.write(rel, article())
    project.repo.commit("hidden and nested files")
    p = load_project(project.path)
    here = known_slugs(p.root, p.config.content)
    assert committed_slugs(p, "HEAD") == here
    assert "nested-page" in here and "hidden" not in here and ".dot" not in here


def test_an_after_merge_registry_that_would_not_load_or_is_gone_is_said(
        project: Project) -> None:
    """The change's reviewers.yaml gives one key to two people (it would not load once
    merged) or deletes the file: the note says so; the verdict stays the base's."""
    from conftest import default_reviewers, registry_yaml

    assert project.rk("approve", str(project.path / A), "--key", str(project.reviewer.private),
                      "--as", "dwhitfield", "-m", "ok").code == 0
    git(project.path, "branch", "base")
    people = default_reviewers(project.reviewer, project.second, project.editor)
    people[1]["keys"] = [project.reviewer.line]
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("a key pasted into the wrong entry")
    r = project.rk("gate", "--trust-ref", "refs/heads/base")
    assert r.code == 0, r.output
    assert "once merged, this change's reviewers.yaml would not load" in r.output, r.output
    assert "also registered for 'dwhitfield'" in r.output, r.output
    git(project.path, "rm", "-q", "reviewers.yaml")
    project.repo.commit("no registry")
    r = project.rk("gate", "--trust-ref", "refs/heads/base")
    assert r.code == 0, r.output
    assert "leaves no reviewers.yaml: no approval would count" in r.output, r.output
