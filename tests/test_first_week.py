"""A real team's first week, in real clones of a bare origin: an editor, a clinician (LPC)
and CI, each in their own clone, following docs/guide/ci-release.md.

init on a branch → the setup PR goes green → merged by squash → a new article submitted on a
branch → found by the clinician's `queue` on main → reviewed and approved by id without a
checkout → the PR goes green → merged by squash → the gate is green on main. The same with
Windows line endings; and a PR that switches a rule off still fails `validate --trust-ref`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Key, Project, Result, article, git, put_event, registry_yaml, rk

ARTICLE_PATH = "content/articles/social-anxiety-at-work.md"

# Original text in the shape of the publisher's articles; every name is fictional.
LONG_ARTICLE = """\
---
id: {id}
title: "Social anxiety at work: causes, signs and how to cope"
slug: social-anxiety-at-work
description: "Why meetings, calls and small talk can feel so hard, the signs to look for, and steps that help."
author:
  name: Jordan Lee
  email: j.lee@example.org
topics: [anxiety, work, social-anxiety]
draft: false
updated: 2026-11-23
citations:
  - id: harlow2022
    title: "Social anxiety in the workplace: a survey of office workers"
    url: https://example.org/studies/harlow-2022
    publisher: "Institute for Work and Mind (fictional)"
    year: 2022
  - id: okonkwo2024
    title: "Talk therapy for social anxiety: a review of trials"
    url: https://example.org/reviews/okonkwo-2024
    publisher: "Riverbend Health Review (fictional)"
    year: 2024
---
You know the work. You know the answer. But when it is your turn to speak in a meeting,
your face gets hot, your mind goes blank and you wish you could disappear. Later you go
over every word you said, sure that everyone noticed.

If this sounds like you, you are not alone. Social anxiety is one of the most common
kinds of anxiety, and work is where many people feel it most. This guide explains where it
comes from, how to spot it, and what you can do about it.

## What causes social anxiety at work?

Social anxiety is a strong fear of being judged by other people. At work, you are judged
all the time, or it can feel that way. Reviews, meetings and even lunch with coworkers can
set it off.

There is rarely one cause. Some people are more sensitive to stress from birth. Others
learned to fear criticism after hard times at school or at home. A harsh boss or a
mistake in front of the team can also make the fear grow.

In one survey, about one in five office workers said that fear of being judged made them
avoid speaking up at work [@harlow2022].

## Seven signs you may have social anxiety at work

You may notice some of these:

1. You dread meetings for days before they happen.
2. Your heart races or your hands shake when you have to speak.
3. You avoid phone calls and send long emails instead.
4. You eat lunch alone so that you do not have to make small talk.
5. You turn down chances to present or to lead a project.
6. You replay conversations for hours, looking for mistakes.
7. You feel sure that your coworkers think less of you.

Having one or two of these now and then is normal. When they shape your choices at work,
it is worth paying attention.

## How to overcome social anxiety at work

**Start small.** Pick one low-stakes step, like asking a question in a small meeting. Each
time you do it, your brain learns that you can cope.

**Prepare, but do not script.** Jot down two or three points before a meeting. A full
script can make you more nervous if you lose your place.

**Notice your thoughts.** When you think "everyone saw me blush", ask yourself what the
evidence is. Most people are far more focused on themselves than on you.

**Breathe slowly.** Breathe in for a count of four and out for a count of six. Slow
breathing calms the body's alarm system.

**Get support.** Talk therapy, especially cognitive behavioral therapy, helps many people
with social anxiety. A review of trials found that most people who finished a course of it
felt less anxious afterwards [@okonkwo2024].

## Three ways to support a coworker with social anxiety

1. Share the agenda before meetings so they can prepare.
2. Offer a chance to add ideas in writing as well as out loud.
3. Notice their good work, and say so in private as well as in public.

## Find care

If social anxiety is making work hard, you do not have to push through it alone. A
licensed therapist or your primary care doctor can help you make a plan. Many employers
also offer free, private counseling through an employee assistance program.
"""

REGISTRY_NOTE = "# who may sign off (reviewkit docs: docs/guide/ci-release.md)\n"


def run(cwd: Path, *args: str) -> str:
    return git(cwd, *args)


def ok(r: Result) -> Result:
    assert r.code == 0, r.output
    return r


class Team:
    """The bare origin and the three clones of the week."""

    def __init__(self, base: Path, clinician: Key, editor: Key, crlf: str | None) -> None:
        self.base = base
        self.clinician_key = clinician
        self.editor_key = editor
        self.origin = base / "origin.git"
        run(base, "init", "-q", "--bare", "-b", "main", str(self.origin))
        seed = base / "seed"
        run(base, "clone", "-q", str(self.origin), str(seed))
        (seed / "README.md").write_text("# Calm Harbor Health articles\n")
        run(seed, "add", "-A")
        run(seed, "commit", "-q", "-m", "start")
        run(seed, "push", "-q", "origin", "main")
        self.editor = self._clone("editor", "Jordan Lee", "j.lee@example.org", crlf)
        self.clinician = self._clone("clinician", "Dana Whitfield", "d.whitfield@example.org", crlf)
        self.ci = self._clone("ci", "CI", "ci@example.org", None)

    def _clone(self, name: str, user: str, email: str, crlf: str | None) -> Path:
        path = self.base / name
        extra = ["-c", "core.autocrlf=true"] if crlf == "autocrlf" else []
        run(self.base, "clone", "-q", *extra, str(self.origin), str(path))
        run(path, "config", "user.name", user)
        run(path, "config", "user.email", email)
        return path

    def registry(self) -> str:
        return REGISTRY_NOTE + registry_yaml([
            {"id": "dwhitfield", "name": "Dana Whitfield", "email": "d.whitfield@example.org",
             "roles": ["clinical_reviewer"],
             "credentials": [{"type": "LPC", "license": "L-1001", "region": "US-OR",
                              "expires": "2099-06-30"}],
             "keys": [self.clinician_key.line]},
            {"id": "jlee", "name": "Jordan Lee", "email": "j.lee@example.org",
             "roles": ["editor"], "keys": [self.editor_key.line]},
        ])

    def ci_pull_request(self, branch: str) -> tuple[Result, Result]:
        """What the workflow `init` writes does on a pull request into main."""
        ci = self.ci
        run(ci, "fetch", "-q", "origin", branch, "main")
        run(ci, "checkout", "-q", "--detach", f"origin/{branch}")
        run(ci, "fetch", "-q", "--no-tags", "origin", "+refs/reviewkit/*:refs/reviewkit/*")
        validate = rk("validate", "--format", "github", "--trust-ref", "origin/main", cwd=ci)
        gate = rk("gate", "--trust-ref", "origin/main", cwd=ci)
        return validate, gate

    def ci_push_main(self) -> tuple[Result, Result]:
        ci = self.ci
        run(ci, "fetch", "-q", "origin", "main")
        run(ci, "checkout", "-q", "--detach", "origin/main")
        run(ci, "fetch", "-q", "--no-tags", "origin", "+refs/reviewkit/*:refs/reviewkit/*")
        return rk("validate", cwd=ci), rk("gate", cwd=ci)

    def squash_merge(self, branch: str, message: str) -> None:
        ed = self.editor
        run(ed, "switch", "-q", "main")
        run(ed, "pull", "-q", "--ff-only", "origin", "main")
        run(ed, "merge", "-q", "--squash", f"origin/{branch}")
        run(ed, "commit", "-q", "-m", message)
        run(ed, "push", "-q", "origin", "main")


def _write(path: Path, text: str, crlf: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes(data.encode("utf-8"))


def _week(tmp_path: Path, keys: Callable[[str], Key], crlf: str | None) -> Team:
    team = Team(tmp_path, keys("dwhitfield"), keys("jlee"), crlf)
    ed, cl = team.editor, team.clinician
    windows = crlf is not None

    # Monday: the editor sets reviewkit up on a branch and opens the setup pull request
    run(ed, "switch", "-q", "-c", "setup-reviewkit")
    out = ok(rk("init", cwd=ed)).out
    assert "created .github/workflows/reviewkit.yml" in out
    _write(ed / "reviewers.yaml", team.registry(), windows)
    if crlf == "gitattributes":
        (ed / ".gitattributes").write_text("*.md text eol=crlf\n*.yaml text eol=crlf\n")
    run(ed, "add", "-A")
    run(ed, "commit", "-q", "-m", "Set up reviewkit")
    run(ed, "push", "-q", "-u", "origin", "setup-reviewkit")

    # CI on the setup PR: the base has no reviewkit.yaml yet; it says so and passes
    validate, gate = team.ci_pull_request("setup-reviewkit")
    assert validate.code == 0, validate.output
    assert "the trusted base origin/main (commit " in validate.err
    assert "has no reviewkit configuration yet" in validate.err
    assert gate.code == 0, gate.output
    assert "this is the setup change that adds reviewkit" in gate.out
    assert "passes because it publishes nothing" in gate.out
    assert "once it is merged into origin/main, every later change" in gate.out
    assert "Next: merge it" in gate.out
    assert "run 'reviewkit init'" not in gate.output

    team.squash_merge("setup-reviewkit", "Set up reviewkit (#1)")
    validate, gate = team.ci_push_main()
    assert validate.code == 0 and gate.code == 0, validate.output + gate.output
    assert "no review has been recorded yet" in gate.out
    assert "Next: reviewkit submit PATH" in gate.out
    assert "git fetch" not in gate.out  # nothing to fetch: no review was ever recorded

    # Tuesday: a new article on a branch, submitted for review
    run(ed, "switch", "-q", "-c", "social-anxiety", "main")
    if crlf == "gitattributes":
        run(ed, "checkout", "--", ".")  # the attributes apply to files checked out from now
    ok(rk("new", "Social anxiety at work: causes, signs and how to cope",
          "--slug", "social-anxiety-at-work", cwd=ed))
    text = (ed / ARTICLE_PATH).read_text()
    aid = text.split("id: ", 1)[1].split()[0]
    _write(ed / ARTICLE_PATH, LONG_ARTICLE.format(id=aid), windows)
    ok(rk("validate", ARTICLE_PATH, cwd=ed))
    run(ed, "add", "-A")
    run(ed, "commit", "-q", "-m", "Social anxiety at work")
    assert run(ed, "status", "--porcelain") == ""
    run(ed, "push", "-q", "-u", "origin", "social-anxiety")
    sub = ok(rk("submit", ARTICLE_PATH, "--reviewer", "dwhitfield", "-m", "Ready", cwd=ed))
    assert "submitted content/articles/social-anxiety-at-work.md" in sub.out
    ok(rk("sync", cwd=ed))
    _, gate = team.ci_pull_request("social-anxiety")
    assert gate.code == 1 and "in review" in gate.out

    # Wednesday: the clinician, on main, finds it and signs it off by id, without checkout
    run(cl, "pull", "-q", "--ff-only")
    ok(rk("sync", cwd=cl))
    queue = ok(rk("queue", "--mine", cwd=cl))
    assert "content/articles/social-anxiety-at-work.md  [in_review]" in queue.out
    assert f"id {aid}" in queue.out and "origin/social-anxiety" in queue.out
    assert f"→ reviewkit review {aid}" in queue.out
    head, tree = run(cl, "rev-parse", "HEAD"), run(cl, "status", "--porcelain")
    review = ok(rk("review", aid[:10], cwd=cl))
    assert "social-anxiety-at-work.md, submitted on origin/social-anxiety (commit" in review.out
    assert "never approved; the whole article is new to review" in review.out
    assert "+## Seven signs you may have social anxiety at work" in review.out
    approve = ok(rk("approve", aid[:10], "--key", str(team.clinician_key.private),
                    "-m", "Accurate and kind.", cwd=cl))
    assert "approved content/articles/social-anxiety-at-work.md" in approve.out
    assert "state now: approved" in approve.out
    assert run(cl, "rev-parse", "HEAD") == head and run(cl, "status", "--porcelain") == tree
    assert not (cl / ARTICLE_PATH).exists()  # the work tree was never touched
    ok(rk("sync", cwd=cl))

    # Thursday: CI on the PR is green; merged by squash; the gate on main is green
    validate, gate = team.ci_pull_request("social-anxiety")
    assert validate.code == 0 and gate.code == 0, validate.output + gate.output
    team.squash_merge("social-anxiety", "Social anxiety at work (#2)")
    validate, gate = team.ci_push_main()
    assert validate.code == 0 and gate.code == 0, validate.output + gate.output
    assert "gate passed" in gate.out
    return team


def test_first_week_in_real_clones(tmp_path: Path, keys: Callable[[str], Key]) -> None:
    team = _week(tmp_path, keys, None)
    workflow = (team.editor / ".github/workflows/reviewkit.yml").read_text()
    from reviewkit.article.scaffold import installed_version

    assert f'pip install "reviewkit-clinical=={installed_version()}"' in workflow
    assert "pip install reviewkit\n" not in workflow
    assert f'version: "{installed_version()}"' in workflow  # the action installs it too
    assert ('reviewkit validate --format github --trust-ref '
            '"refs/remotes/origin/${GITHUB_BASE_REF}"') in workflow
    # the gate runs the action init wrote beside the workflow (pinned by this repository's
    # own commit: nothing to fill in); every other action by a full commit id, tag in a comment
    assert "uses: ./.github/actions/reviewkit\n" in workflow
    assert (team.editor / ".github/actions/reviewkit/action.yml").is_file()
    for line in workflow.splitlines():
        if "uses:" in line and "./.github/actions/reviewkit" not in line:
            ref = line.split("@", 1)[1]
            sha, _, comment = ref.partition(" # ")
            assert len(sha) == 40 and all(c in "0123456789abcdef" for c in sha), line
            assert comment.startswith("v"), line


@pytest.mark.parametrize("crlf", ["autocrlf", "gitattributes"])
def test_first_week_with_windows_line_endings(tmp_path: Path, keys: Callable[[str], Key],
                                              crlf: str) -> None:
    team = _week(tmp_path, keys, crlf)
    cl = team.clinician
    # a Windows clone approving by path: a clean `git status` is clean for reviewkit too
    run(cl, "pull", "-q", "--ff-only")
    raw = (cl / ARTICLE_PATH).read_bytes()
    assert b"\r\n" in raw  # really checked out with CRLF
    assert run(cl, "status", "--porcelain") == ""
    edited = raw.replace(b"You know the work.", b"You know your work.")
    (cl / ARTICLE_PATH).write_bytes(edited)
    run(cl, "commit", "-q", "-am", "wording")
    assert run(cl, "status", "--porcelain") == ""
    r = rk("request-changes", ARTICLE_PATH, "--key", str(team.clinician_key.private),
           "-m", "Name the employee assistance program in the first section too.", cwd=cl)
    assert r.code == 0 and "uncommitted" not in r.output, r.output
    r = rk("comment", ARTICLE_PATH, "-m", "Otherwise fine.", cwd=cl)
    assert r.code == 0, r.output
    # a real uncommitted change is still refused, with the advice
    (cl / ARTICLE_PATH).write_bytes(edited + b"More.\r\n")
    r = rk("approve", ARTICLE_PATH, "--key", str(team.clinician_key.private), cwd=cl)
    assert r.code == 1 and "has uncommitted changes" in r.err and "commit them first" in r.err


def test_pull_request_that_turns_a_rule_off_still_fails(tmp_path: Path,
                                                        keys: Callable[[str], Key]) -> None:
    team = Team(tmp_path, keys("dwhitfield"), keys("jlee"), None)
    ed = team.editor
    ok(rk("init", cwd=ed))
    (ed / "reviewers.yaml").write_text(team.registry())
    run(ed, "add", "-A")
    run(ed, "commit", "-q", "-m", "Set up reviewkit")
    run(ed, "push", "-q", "origin", "main")
    run(ed, "switch", "-q", "-c", "quiet-rules")
    config = (ed / "reviewkit.yaml").read_text().replace(
        "rules: {}", "rules:\n  safe-messaging: off\n  count-matches-list: off")
    (ed / "reviewkit.yaml").write_text(config)
    body = LONG_ARTICLE.format(id="01JDX3Q7G6M2N8P4R5S6T7V8WA").replace("draft: false", "draft: true")
    body = body.replace("Having one or two", "A coworker committed suicide last year. Having one or two")
    (ed / ARTICLE_PATH).write_text(body.replace("7. You feel sure that your coworkers think less of you.\n", ""))
    run(ed, "add", "-A")
    run(ed, "commit", "-q", "-m", "Quieter rules")
    run(ed, "push", "-q", "origin", "quiet-rules")
    assert rk("validate", cwd=ed).code == 0  # with its own configuration it passes
    validate, _ = team.ci_pull_request("quiet-rules")
    assert validate.code == 1, validate.output
    assert "safe-messaging" in validate.out and "count-matches-list" in validate.out


def test_queue_says_which_fetch_brings_a_missing_commit(tmp_path: Path,
                                                        keys: Callable[[str], Key]) -> None:
    team = Team(tmp_path, keys("dwhitfield"), keys("jlee"), None)
    ed, cl = team.editor, team.clinician
    ok(rk("init", cwd=ed))
    (ed / "reviewers.yaml").write_text(team.registry())
    run(ed, "add", "-A")
    run(ed, "commit", "-q", "-m", "Set up reviewkit")
    run(ed, "push", "-q", "origin", "main")
    run(ed, "switch", "-q", "-c", "draft-one")
    _write(ed / ARTICLE_PATH, LONG_ARTICLE.format(id="01JDX3Q7G6M2N8P4R5S6T7V8WC"), False)
    run(ed, "add", "-A")
    run(ed, "commit", "-q", "-m", "article")
    run(ed, "push", "-q", "origin", "draft-one")
    ok(rk("submit", ARTICLE_PATH, cwd=ed))
    ok(rk("sync", cwd=ed))
    run(cl, "pull", "-q", "--ff-only")
    ok(rk("sync", cwd=cl))
    # the events arrived, the branch did not (no fetch since): the queue says what to do
    run(cl, "update-ref", "-d", "refs/remotes/origin/draft-one")
    subprocess.run(["git", "gc", "-q", "--prune=now"], cwd=cl, check=True)
    queue = ok(rk("queue", cwd=cl))
    assert "not in this clone" in queue.out and "→ git fetch origin" in queue.out
    r = rk("approve", "01JDX3Q7G6M2", "--key", str(team.clinician_key.private), cwd=cl)
    assert r.code == 3
    assert "is not in this clone" in r.err and "run 'git fetch origin'" in r.err
    r = rk("review", "01JDX3Q7G6M2", cwd=cl)
    assert r.code == 3 and "git fetch origin" in r.err
    run(cl, "fetch", "-q", "origin")
    queue = ok(rk("queue", "--format", "json", cwd=cl))
    (item,) = json.loads(queue.out)
    assert item["branches"] == ["origin/draft-one"] and item["present"] is True
    # an unknown id says what an id is
    r = rk("review", "01ZZZZZZ", cwd=cl)
    assert r.code == 2 and "no submitted article has an id starting with it" in r.err
    assert "as shown by reviewkit queue" in r.err


def test_an_id_in_a_clone_without_review_events_says_to_sync(project: Project) -> None:
    """A fresh clone has no refs/reviewkit/events (clones do not fetch it): an id cannot be
    found there, and the error says why and what to run."""
    project.repo.git("update-ref", "-d", "refs/reviewkit/events")
    for command in ("approve", "review"):
        r = project.rk(command, "01JDX3Q7G6M2")
        assert r.code == 2, r.output
        assert "refs/reviewkit/events does not exist in this clone" in r.err
        assert "run reviewkit sync" in r.err


# --- the smaller things of the week, on one repository ----------------------------------------

A = "content/articles/coping-with-worry.md"


def _approve(project: Project, *extra: str, who: str = "dwhitfield", path: str = A) -> Result:
    key = {"dwhitfield": project.reviewer, "mokafor": project.second}[who]
    return project.rk("approve", path, "--key", str(key.private), "--as", who, *extra)


def test_review_after_request_shows_changes_since_the_request_and_word_diff(
        project: Project) -> None:
    repo = project.repo
    ok(project.rk("submit", A))
    r = project.rk("request-changes", A, "--key", str(project.reviewer.private), "--as",
                   "dwhitfield", "-m", "Say who to talk to.")
    assert r.code == 0, r.output
    repo.write(A, repo.read(A).replace("Plain words about the topic.",
                                       "Plain words about the topic, and who can help."))
    repo.commit("revised")
    r = ok(project.rk("review", A))
    assert "changes since dwhitfield requested changes on" in r.out
    assert "they asked: “Say who to talk to.”" in r.out
    assert "-Plain words about the topic." in r.out
    assert "+Plain words about the topic, and who can help." in r.out
    r = ok(project.rk("review", A, "--word-diff"))
    assert "Plain words about the [-topic.-]{+topic, and who can help.+}" in r.out
    assert "## Find care" not in r.out  # unchanged paragraphs are left out


def test_dash_C_resolves_relative_paths_like_git(project: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    import os

    cwd = os.getcwd()
    os.chdir(elsewhere)
    try:
        r = rk("-C", str(project.path), "validate", A)
        assert r.code == 0, r.output
        assert "1 file checked" in r.out
        r = rk("-C", str(project.path), "submit", A)
        assert r.code == 0, r.output
        r = rk("-C", str(project.path), "log", A)
        assert r.code == 0 and "submitted" in r.out
    finally:
        os.chdir(cwd)


def test_pre_commit_paths_outside_content_roots_are_skipped_with_a_note(project: Project) -> None:
    project.repo.write("README.md", "# Our site\n\nNo front matter here.\n")
    hooks = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text()
    assert "entry: reviewkit validate" in hooks
    r = project.rk("validate", "README.md", A)
    assert r.code == 0, r.output
    assert "note: README.md: skipped, not under a content root (content/articles" in r.out
    assert "1 file checked: no problems found" in r.out
    r = project.rk("validate", "README.md")
    assert r.code == 0 and "nothing to check" in r.out


def test_yaml_errors_say_the_fix(project: Project) -> None:
    cases = {
        'title: Fear: causes and signs': 'must be quoted, e.g. title: "Fear of intimacy: causes"',
        "author:\n\tname: x": "indent with spaces: YAML does not allow tabs",
        'title: "Fear of intimacy': "add the closing quote",
    }
    for i, (bad, advice) in enumerate(cases.items()):
        project.repo.write(f"content/articles/bad-{i}.md", f"---\n{bad}\n---\nbody\n")
        r = project.rk("validate", f"content/articles/bad-{i}.md")
        assert r.code == 1 and advice in r.out, (bad, r.out)
    text = article(id="01JDX3Q7G6M2N8P4R5S6T7V8WD", slug="dates").replace(
        "updated: 2026-11-20", "updated: 20/11/2026").replace("draft: false", "draft: yes")
    project.repo.write("content/articles/dates.md", text.replace("topics:", "topcs: [x]\ntopics:"))
    r = project.rk("validate", "content/articles/dates.md")
    assert "write dates as YYYY-MM-DD" in r.out
    assert "write true or false" in r.out
    assert "unknown field 'topcs' (not in the schema: did you mean `topics`?)" in r.out
    project.repo.write("reviewkit.yaml", project.repo.read("reviewkit.yaml") + "contnet: [x]\n")
    r = project.rk("validate")
    assert r.code == 2 and "contnet: Extra inputs are not permitted (did you mean `content`?)" in r.err


def test_validate_lists_every_registry_error_with_its_position(project: Project) -> None:
    project.repo.write("reviewers.yaml", (
        "reviewers:\n"
        "  - id: dwhitfield\n"
        "    name: Dana Whitfield\n"
        "    roles: [clinical_reviewer, boss]\n"
        "  - id: jlee\n"
        "    email: j.lee@example.org\n"
        "    roles: [editor]\n"))
    r = project.rk("validate")
    assert r.code == 1
    assert "reviewers.yaml:2:5: error[config]: reviewers.0.email: Field required" in r.out
    assert "reviewers.yaml:4:32: error[config]: reviewers.0.roles.1: Input should be" in r.out
    assert "reviewers.yaml:5:5: error[config]: reviewers.1.name: Field required" in r.out
    assert "and 1 more" not in r.output
    # every other command names the first, with its position, and where to see them all
    r = project.rk("status")
    assert r.code == 2 and "reviewers.yaml:2:5: reviewers.0.email: Field required" in r.err
    assert "run 'reviewkit validate' to list them all" in r.err


def test_byline_must_name_a_registry_reviewer_who_approved_that_version(project: Project) -> None:
    repo = project.repo
    made_up = "\n*Clinically reviewed by Alex Moreno, LPC — Clinical reviewer*\n"
    repo.write(A, repo.read(A) + made_up)
    repo.commit("made-up byline")
    r = project.rk("validate")
    assert r.code == 1
    assert "error[byline-reviewer]: the byline names “Alex Moreno”, who is not a clinical " \
           "reviewer in reviewers.yaml" in r.out
    assert "remove the byline (publish writes it from the sign-off)" in r.out
    r = _approve(project)
    assert r.code == 1 and "the byline names “Alex Moreno”" in r.err
    # a real reviewer, but not the one who approved: the gate and publish refuse it
    repo.write(A, repo.read(A).replace("Alex Moreno, LPC", "Michael Okafor, MD"))
    repo.commit("wrong reviewer")
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer, credential="LPC")
    r = project.rk("gate", "--format", "json")
    assert r.code == 1
    (blocked,) = json.loads(r.out)["blocked"]
    assert "the body's byline names Michael Okafor, who did not approve this version" in \
        blocked["reasons"][0]
    # publish holds it back (never served), and --strict refuses the release
    out = project.path.parent / "bundle"
    assert project.rk("publish", "--out", str(out)).code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert A in {h["path"] for h in manifest["held_back"]}
    assert A not in {a["path"] for a in manifest["articles"]}
    assert project.rk("publish", "--strict", "--out", str(out)).code == 1
    # the byline of the reviewer who approved is fine; none at all is fine too
    repo.write(A, repo.read(A).replace("Michael Okafor, MD", "Dana Whitfield, LPC"))
    repo.commit("right reviewer")
    ok(_approve(project))
    ok(project.rk("gate"))


def test_rename_with_unchanged_slug_keeps_the_approval(project: Project) -> None:
    ok(_approve(project))
    git(project.path, "mv", A, "content/articles/worry-2026.md")
    project.repo.commit("rename")
    ok(project.rk("validate"))  # slug differs from the file name: fine, as in Hugo
    r = ok(project.rk("gate"))
    assert "gate passed" in r.out


def test_approve_checks_the_trusted_registry(project: Project, keys: Callable[[str], Key],
                                             tmp_path: Path) -> None:
    # main (the trusted base) knows dwhitfield; a branch adds a new "reviewer"
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(project.path), str(origin))
    git(project.path, "remote", "add", "origin", str(origin))
    git(project.path, "fetch", "-q", "origin")
    git(project.path, "remote", "set-head", "origin", "main")
    git(project.path, "switch", "-q", "-c", "add-reviewer")
    newcomer = keys("rvance")
    doc = json.loads(project.repo.read("reviewers.yaml"))
    doc["reviewers"].append({
        "id": "rvance", "name": "Riley Vance", "email": "r.vance@example.org",
        "roles": ["clinical_reviewer"],
        "credentials": [{"type": "LPC", "license": "L-2002", "expires": "2099-01-01"}],
        "keys": [newcomer.line]})
    project.repo.write("reviewers.yaml", json.dumps(doc))
    project.repo.commit("add a reviewer")
    r = project.rk("approve", A, "--key", str(newcomer.private), "--as", "rvance")
    assert r.code == 1
    assert "this would not count: rvance is not in reviewers.yaml at refs/remotes/origin/main" in r.err
    assert "a registry change counts once it is merged there" in r.err
    assert "rvance" not in project.rk("log", A).out  # nothing was recorded
    # a sign-off the trusted registry accepts goes through
    ok(_approve(project))
    # the dashboard, judged as the gate judges (--trust-ref), says per event whether it counts
    put_event(project.path, "approved", A, "rvance", newcomer, credential="LPC")
    out = tmp_path / "dash"
    ok(project.rk("report", "--html", str(out), "--trust-ref", "origin/main"))
    index = (out / "index.html").read_text()
    assert "(counts)" in index and "(does not count" in index
