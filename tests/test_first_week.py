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

from conftest import Key, Result, git, registry_yaml, rk

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
    assert "the trusted base origin/main has no reviewkit configuration yet" in validate.err
    assert gate.code == 0, gate.output
    assert "this is the setup change that adds reviewkit" in gate.out
    assert "passes because it publishes nothing" in gate.out
    assert "run 'reviewkit init'" not in gate.output

    team.squash_merge("setup-reviewkit", "Set up reviewkit (#1)")
    validate, gate = team.ci_push_main()
    assert validate.code == 0 and gate.code == 0, validate.output + gate.output
    assert "no review has been recorded yet" in gate.out
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
    assert "submitted on origin/social-anxiety" in review.out
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
    from reviewkit.scaffold import installed_version

    assert f'pip install "reviewkit-clinical=={installed_version()}"' in workflow
    assert "pip install reviewkit\n" not in workflow
    assert 'reviewkit validate --format github --trust-ref "origin/${{ github.base_ref }}"' in workflow
    for line in workflow.splitlines():
        if "uses:" in line:  # every action pinned by a full commit id, the tag in a comment
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
