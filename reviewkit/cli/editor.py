"""The editor's commands: write an article, check it, see where it stands, ask for review,
comment, share the review events.

Layer: the command line.
"""

from __future__ import annotations

import os
from typing import Any

import click

from reviewkit.base.errors import CheckFailed, ConfigError
from reviewkit.cli._options import (
    FORMATS,
    REPORT_FORMATS,
    _arg_path,
    _as_option,
    _ctx,
    _format,
    _paths,
    _report_options,
)
from reviewkit.cli._shared import (
    _changed,
    _evaluate,
    _more_hint,
    _print_recorded,
    _record,
    _say_cache_off,
    _write_reports,
)
from reviewkit.cli._terminal import _progress, echo, echo_lines


@click.command()
@click.argument("title")
@click.option("--slug", help="File name and URL slug (default: made from the title).")
@click.option("--author", help="Author name (default: git config user.name).")
@click.option("--email", help="Author email (default: git config user.email).")
def new(title: str, slug: str | None, author: str | None, email: str | None) -> None:
    """Create content/articles/<slug>.md from the template, as a draft.

    \b
    Example:  reviewkit new "Fear of intimacy: causes, signs and how to cope"
    """
    from reviewkit.article.scaffold import new_article
    from reviewkit.base.errors import UsageError

    project = _ctx().project()
    author = author or project.repo.config_get("user.name")
    email = email or project.repo.config_get("user.email")
    if not author or not email:
        raise UsageError(
            "no author: pass --author NAME --email EMAIL",
            hint="or set git config user.name and user.email",
        )
    path = new_article(project.root, project.config.content[0], title, slug=slug,
                       author=author, email=email)
    echo(f"created {os.path.relpath(path)}")
    echo("next: write it, run `reviewkit validate`, then `reviewkit submit PATH`")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=REPORT_FORMATS, default="text", show_default=True)
@click.option("--trust-ref", metavar="REF",
              help="Read rule levels, word lists, the schema and reviewers.yaml from REF (in "
                   "CI: the PR's base), so a change cannot switch its own checks off.")
@_report_options
def validate(paths: tuple[str, ...], fmt: str, trust_ref: str | None, changed_since: str | None,
             summary: str | None, comment_file: str | None) -> None:
    """Check front matter against the schema, the body against the content rules, and
    reviewers.yaml (every error, with its position).

    Prints path:line:col: level[rule]: message per finding and exits 1 on any error.
    Files outside the content roots (e.g. a README.md from a pre-commit hook) are skipped
    with a note.

    \b
    Examples: reviewkit validate content/articles/fear-of-intimacy.md
              reviewkit validate --trust-ref origin/main     (in CI)
    """
    from reviewkit.base.workers import default_workers
    from reviewkit.outputs.output import findings_lines, render_findings
    from reviewkit.record.catalogue import load_catalogue, under_content_roots

    try:
        project = _ctx().project(trust_ref, allow_setup=True)
    except ConfigError as exc:
        if len(exc.findings) < 2:
            raise
        # the message says "run 'reviewkit validate' to list them all": here they are
        if fmt == "text":
            echo_lines(findings_lines(sorted(exc.findings), 0)[:-1])  # no "0 files" line
        else:
            echo(render_findings(sorted(exc.findings), 0, _format(fmt)))
        where = exc.findings[0].path
        raise ConfigError(f"{where}: {len(exc.findings)} errors (listed above); "
                          "nothing else was checked") from None
    notes = []
    if project.setup_base is not None:
        from reviewkit.record.project import SETUP_EXPLAINED

        notes.append("note: " + SETUP_EXPLAINED.format(ref=project.setup_label)
                     + "; its own configuration is used (the gate passes it only while every "
                       "article is a draft)")
    changed = _changed(project, changed_since)
    selected = _paths(paths)
    if paths:
        selected, skipped = under_content_roots(project, selected)
        notes += skipped
        if not selected:
            for n in notes:
                echo(n, err=fmt != "text")
            echo("no article among the given files: nothing to check" if fmt == "text" else
                 render_findings([], 0, _format(fmt)))
            return
    with _progress("validating") as progress:
        cat = load_catalogue(project, selected, workers=default_workers(),
                             progress=progress, use_cache=True)
    _say_cache_off()
    findings = sorted(cat.all_findings() + _registry_findings(project, cat))
    for n in notes:
        echo(n, err=fmt != "text")
    errors = sum(1 for f in findings if f.is_error)
    if fmt == "text":
        echo_lines(findings_lines(findings, len(cat.results)))
    else:
        echo(render_findings(findings, len(cat.results), _format(fmt), first=changed or (),
                             more=_more_hint(summary, comment_file, "validate")))
    from reviewkit.outputs.summary import validate_markdown

    checked = [r.path for r in cat.results]
    _write_reports(lambda limit: validate_markdown(findings, checked, changed, limit=limit),
                   summary, comment_file)
    if errors:
        raise CheckFailed("")  # the summary line above says it


def _registry_findings(project: Any, cat: Any) -> list[Any]:
    """reviewers.yaml's own errors (the work tree's, which a change would merge), and
    bylines in bodies that name no clinical reviewer of the (trusted) registry."""
    from reviewkit.article.byline import registry_findings as byline_findings
    from reviewkit.base.errors import ConfigError
    from reviewkit.record.config import registry_findings

    rel = project.config.registry
    path = project.root / rel
    out = registry_findings(path.read_bytes(), rel) if path.is_file() else []
    try:
        registry = project.registry
    except ConfigError:
        return out  # its errors are listed above (or the trusted one fails the gate)
    for r in cat.results:
        if r.summary is not None and r.summary.bylines:
            out += byline_findings(r.path, r.summary.bylines, registry, rel)
    return list(out)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--state", "states", multiple=True, metavar="STATE",
              type=click.Choice(["draft", "in_review", "changes_requested", "approved", "stale",
                                 "expired", "invalid", "source_changed"]),
              help="Only articles in this state (repeatable).")
def status(paths: tuple[str, ...], fmt: str, states: tuple[str, ...]) -> None:
    """The review state of each article, grouped by state, with the reasons and what to
    do next. Drafts are listed one per line.

    \b
    Examples: reviewkit status
              reviewkit status --state stale --state expired
              reviewkit status content/articles/fear-of-intimacy.md --format json
    """
    from reviewkit.outputs.render import render_status, status_lines

    # the reading grade is in the JSON (and the dashboard) only: text status stays cheap
    report = _evaluate(_ctx().project(), paths, readability=fmt == "json")
    if states:
        report.statuses = [s for s in report.statuses if s.state in states]
    if fmt == "text":
        echo_lines(status_lines(report))
    else:
        echo(render_status(report, _format(fmt)))
    if report.history_problems:  # an events history that lost an event is refused
        raise CheckFailed("")


@click.command()
@click.argument("path", type=click.Path())
@click.option("--reviewer", metavar="ID", help="Ask a particular clinical reviewer.")
@click.option("-m", "--message", default="", help="A note for the reviewer.")
@click.option("--as", "as_id", metavar="ID", help="Who you are in reviewers.yaml (default: by git user.email).")
def submit(path: str, reviewer: str | None, message: str, as_id: str | None) -> None:
    """Ask for clinical review of the article's current (committed) version.

    \b
    Example:  reviewkit submit content/articles/fear-of-intimacy.md --reviewer dwhitfield
    """
    rec = _record("submitted", path, reviewer=reviewer, message=message, as_id=as_id)
    _print_recorded(rec, "submitted")


@click.command()
@click.argument("path", type=click.Path())
@click.option("-m", "--message", required=True, help="The comment.")
@_as_option
def comment(path: str, message: str, as_id: str | None) -> None:
    """Add a comment to the article's review trail (not a decision; not signed). PATH: a
    file, or an article id as `reviewkit queue` shows it.

    \b
    Example:  reviewkit comment content/articles/x.md -m "Second section reads well."
    """
    rec = _record("commented", path, message=message, as_id=as_id)
    _print_recorded(rec, "commented on")


@click.command()
@click.argument("remote", default="origin")
def sync(remote: str) -> None:
    """Exchange review events with a remote: fetch, merge (union), push without force.

    \b
    Example:  reviewkit sync origin
    """
    from reviewkit.record.ledger import sync as do_sync

    project = _ctx().project()
    result = do_sync(project.repo, remote)
    if result.local is None:
        echo(f"no review events here or on '{remote}'")
        return
    pushed = "pushed" if result.pushed else "nothing to push"
    echo(f"synced review events with '{remote}': now {result.local[:12]} ({pushed})")


@click.command()
@click.argument("path", type=click.Path())
@click.option("--lang", required=True, metavar="TAG", help="The translation's language (BCP 47: es, pt-BR, …).")
@click.option("--slug", help="The translation's slug (default: the source's slug + -LANG).")
@click.option("--allow-unapproved", is_flag=True,
              help="Translate the current version even if the source has no approved one "
                   "(the translation cannot be approved until the source is).")
def translate(path: str, lang: str, slug: str | None, allow_unapproved: bool) -> None:
    """Create the skeleton of a translation of the article at PATH, as a draft beside it
    (NAME.LANG.md): a new id, translation_of, source_digest (the source's newest approved
    version) and the source text to translate. Never overwrites.

    \b
    Example:  reviewkit translate content/articles/fear-of-intimacy.md --lang es
    """
    from reviewkit.base.printable import one_line as _1
    from reviewkit.review.translate import create_translation
    from reviewkit.review.workflow import relative_path

    project = _ctx().project()
    rel = relative_path(project, _arg_path(path))
    made = create_translation(project, rel, lang, slug=slug, allow_unapproved=allow_unapproved)
    echo(f"created {_1(os.path.relpath(made.path))} (translation of {_1(rel)}, "
         f"source version {made.source_digest[:15]})")
    for copied in made.copied:
        echo(f"copied {_1(copied)} (an image or file the text shows; replace it with a "
             "translated one if it holds words)")
    if not made.approved:
        echo("note: that source version is not approved; the translation cannot be approved "
             "until it is")
    echo("next: translate the title, description and text, run `reviewkit validate`, commit, "
         "then `reviewkit submit PATH` (a clinical reviewer who reads "
         f"{_1(lang)} approves it)")
