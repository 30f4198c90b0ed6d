"""``reviewkit demo``: the whole workflow, narrated, in a throwaway repository.

Runs real git and real ssh-keygen in a temporary directory: it creates a reviewer key,
a registry, an article; validates, submits, approves, gates, publishes, edits, blocks,
shows the review diff, re-approves, and gates again. Every step checks its outcome.

Layer: the command line (may import every layer).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from reviewkit.article import frontmatter
from reviewkit.base.errors import CheckFailed

Say = Callable[[str], None]

BODY = """\
Worry is a normal part of life. This article explains what everyday worry is, how to
tell when it has become too much, and what you can do about it.

## What causes worry?

Worry is the mind's way of preparing for problems. Stress at work, money trouble and
changes at home can all make it stronger.

## Three signs worry has become too much

- You cannot stop worrying even when you try.
- Worry keeps you from sleeping or eating well.
- You avoid places or people because of it.

## How to cope with worry

Set aside ten minutes a day to write your worries down. Move your body, keep a regular
sleep schedule, and talk with someone you trust.

## Find care

If worry gets in the way of daily life, talk to your doctor or a licensed mental health
professional.

*Clinically reviewed by Dana Whitfield, LPC — Clinical reviewer*

## Editorial process

Every article is reviewed by a licensed clinician before it is published.
"""


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise CheckFailed(f"demo: the story did not hold: {what}")


def run_demo(say: Say, keep: Path | None = None) -> Path:
    """Run the story; returns the demo directory (removed afterwards unless ``keep``)."""
    from reviewkit.article import scaffold
    from reviewkit.base.git import init_repo
    from reviewkit.outputs.gate import run_gate
    from reviewkit.outputs.publish import publish
    from reviewkit.record import signing
    from reviewkit.record.project import load_project
    from reviewkit.record.ssh_keygen import generate_key
    from reviewkit.review.diffs import review_diff
    from reviewkit.review.workflow import record

    signing.require_signing_support()
    base = Path(tempfile.mkdtemp(prefix="reviewkit-demo-")) if keep is None else keep
    base.mkdir(parents=True, exist_ok=True)
    repo = base / "site"
    repo.mkdir()
    try:
        # git identity of the demo repository only, passed to its git processes: neither
        # the user's config nor this process's environment is touched
        gitconfig = base / "gitconfig"
        gitconfig.write_text("[user]\n\tname = Jordan Lee\n\temail = j.lee@example.org\n"
                             "[commit]\n\tgpgsign = false\n[init]\n\tdefaultBranch = main\n")
        git_env = {"GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1"}

        say(f"1. A new content repository in {repo}")
        site = init_repo(repo, git_env)
        scaffold.init(repo)
        key = base / "dwhitfield_ed25519"
        public = generate_key(key, "demo reviewer")
        say("   Dana Whitfield, LPC, joins as clinical reviewer with a new SSH key;")
        say("   Jordan Lee is the editor.")
        registry = {"reviewers": [
            {"id": "dwhitfield", "name": "Dana Whitfield", "email": "d.whitfield@example.org",
             "roles": ["clinical_reviewer"],
             "credentials": [{"type": "LPC", "license": "L-1001", "region": "US-OR",
                              "expires": (dt.date.today() + dt.timedelta(days=700)).isoformat()}],
             "keys": [public.read_text().strip()]},
            {"id": "jlee", "name": "Jordan Lee", "email": "j.lee@example.org", "roles": ["editor"]},
        ]}
        (repo / "reviewers.yaml").write_text(json.dumps(registry, indent=2) + "\n")

        say("2. The editor writes an article: reviewkit new \"Coping with everyday worry\"")
        project = load_project(repo, env=git_env)
        path = scaffold.new_article(repo, "content/articles", "Coping with everyday worry",
                                    slug=None, author="Jordan Lee", email="j.lee@example.org")
        # the one front-matter splitter and rewriter, as every other reader uses
        text = frontmatter.update(path.read_text(), {
            "draft": False, "topics": ["anxiety", "stress"],
            "description": "Why everyday worry happens and small steps that help."})
        text = text[: len(text) - len(frontmatter.split(text).body)] + BODY
        path.write_text(text)
        rel = path.relative_to(repo).as_posix()
        from reviewkit.record.catalogue import load_catalogue

        cat = load_catalogue(project)
        say(f"   reviewkit validate: {len(cat.results)} file, {cat.error_count} errors")
        _check(cat.error_count == 0, "the new article should validate")
        site.commit_all("Add article on everyday worry")

        say("3. The editor submits it for clinical review: reviewkit submit")
        rec = record(project, "submitted", str(path), as_id="jlee", reviewer="dwhitfield",
                     message="Ready for clinical review")
        say(f"   state: {rec.status.state}")
        _check(rec.status.state == "in_review", "a submitted article is in review")

        say("4. Before sign-off the gate blocks it:")
        result = run_gate(project)
        for s in result.blocked:
            say(f"   BLOCKED {s.path} [{s.state}]: {'; '.join(s.reasons)}")
        _check(not result.passed, "the gate must block an unapproved article")

        say("5. The clinician reads it and signs off with her key: reviewkit approve")
        rec = record(project, "approved", str(path), as_id="dwhitfield", key=str(key),
                     message="Accurate, safe and clear.")
        say(f"   signed event {rec.event.file_name()}")
        say(f"   state: {rec.status.state}")
        _check(rec.status.state == "approved", "an approved article is approved")

        say("6. The gate passes:")
        result = run_gate(project)
        say(f"   gate passed: {result.passed} ({len(result.passed_articles)} approved)")
        _check(result.passed, "the gate must pass once approved")

        out = base / "public"
        bundle = publish(project, out, "html")
        page = out / bundle.articles[0]["file"]
        html = page.read_text()
        _check("Clinically reviewed by Dana Whitfield, LPC" in html, "byline in the page")
        say(f"7. reviewkit publish --format html: {page.relative_to(base)} with the byline")
        say("   \"Clinically reviewed by Dana Whitfield, LPC\" and MedicalWebPage JSON-LD")

        say("8. The editor edits the body after approval and commits:")
        path.write_text(path.read_text().replace(
            "Set aside ten minutes a day", "Set aside fifteen minutes a day"))
        site.commit_all("Tweak advice")
        result = run_gate(project)
        for s in result.blocked:
            say(f"   BLOCKED {s.path} [{s.state}]: {'; '.join(s.reasons)}")
        _check(not result.passed and result.blocked[0].state == "stale",
               "an edited article must be stale and blocked")

        say("9. The clinician sees exactly what changed: reviewkit review")
        diff = review_diff(project, str(path)).lines
        for line in diff:
            if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
                say(f"   {line}")
        _check(any("fifteen" in line for line in diff), "the diff shows the edit")

        say("10. She approves the new version; the gate passes again:")
        record(project, "approved", str(path), as_id="dwhitfield", key=str(key),
               message="Still accurate.")
        result = run_gate(project)
        say(f"   gate passed: {result.passed}")
        _check(result.passed, "the gate must pass after re-approval")
        say(f"The story held. Events are on refs/reviewkit/events of {repo}; "
            f"{rel} is approved.")
        return base
    finally:
        if keep is None:
            shutil.rmtree(base, ignore_errors=True)
