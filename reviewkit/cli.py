"""The ``reviewkit`` command: argument parsing and output only; the work is in the library.

Library modules are imported inside each command so ``reviewkit --help`` stays fast.

Layer: the command line (may import every layer).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, NoReturn, cast

import click

from reviewkit import __version__
from reviewkit.base.errors import CheckFailed, ReviewkitError

if TYPE_CHECKING:
    from reviewkit.outputs.output import Format, Line

FORMATS = click.Choice(["text", "json", "github"])
REPORT_FORMATS = click.Choice(["text", "json", "github", "sarif", "gitlab"])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _format(fmt: str) -> Format:
    """A --format value (already one of a click.Choice) as the renderers' type."""
    return cast("Format", fmt)


def _library_value(parse: Callable[[str], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """An option callback that parses the value with a library function; its UsageError
    becomes click's "Invalid value for '--OPTION': …" (the library knows no option names)."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        from reviewkit.base.errors import UsageError

        if not isinstance(value, str):
            return value
        try:
            return parse(value)
        except UsageError as exc:
            raise click.BadParameter(str(exc), ctx, param) from None

    return callback


def _parse_window(text: str) -> int:
    from reviewkit.review.status import parse_window

    return parse_window(text)


def _parse_since(text: str) -> str:
    from reviewkit.outputs.audit import parse_since

    return parse_since(text)


WINDOW = _library_value(_parse_window)
SINCE = _library_value(_parse_since)


class Ctx:
    def __init__(self, directory: str, debug: bool) -> None:
        self.directory = directory
        self.debug = debug

    def project(self, trust_ref: str | None = None, allow_setup: bool = False) -> Any:
        from reviewkit.record.project import load_project

        return load_project(self.directory, trust_ref, allow_setup=allow_setup)


def _ctx() -> Ctx:
    obj = click.get_current_context().find_object(Ctx)
    assert obj is not None
    return obj


def _paths(paths: Sequence[str]) -> list[str]:
    """Paths as the user typed them; relative ones resolve against -C DIR, as in git."""
    return [_arg_path(p) for p in paths]


def _arg_path(path: str) -> str:
    """One path argument made absolute against -C DIR (the cwd without -C)."""
    return os.path.abspath(os.path.join(_ctx().directory, os.path.expanduser(path)))


def echo(text: str = "", err: bool = False, color: bool | None = None,
         styled: bool = False) -> None:
    """Print a line. Control characters in ``text`` (article or event text, user input)
    become visible escapes such as ``\\x1b``, whatever the colour setting; only
    ``styled`` text, made by :func:`_style` from already-printable parts, keeps its ANSI codes.
    """
    from reviewkit.base.printable import printable

    # color=True keeps ANSI codes even when piped (click strips them otherwise)
    click.echo(text if styled else printable(text), err=err, color=color)


def _style(text: str, **style: Any) -> str:
    """``click.style`` of the printable form of ``text``: the only way ANSI codes get in."""
    from reviewkit.base.printable import printable

    return click.style(printable(text), **style)


# What each kind of span (reviewkit.outputs.output.Line) looks like at a terminal.
STYLES: dict[str, dict[str, Any]] = {
    "fail": {"fg": "red", "bold": True}, "blocked": {"fg": "red", "bold": True},
    "failed": {"fg": "red", "bold": True}, "passed": {"fg": "green", "bold": True},
    "approved": {"fg": "green", "bold": True}, "stale": {"fg": "yellow", "bold": True},
    "expired": {"fg": "yellow", "bold": True}, "in_review": {"fg": "cyan", "bold": True},
    "changes_requested": {"fg": "magenta", "bold": True},
    "invalid": {"fg": "red", "bold": True}, "draft": {"bold": True},
    "note": {"fg": "blue"}, "hint": {"fg": "cyan"},
    "error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow", "bold": True},
    "signed": {"fg": "green"}, "bad-signature": {"fg": "red", "bold": True},
    "diff-file": {"bold": True}, "diff-add": {"fg": "green"}, "diff-del": {"fg": "red"},
    "diff-hunk": {"fg": "cyan"}, "word-add": {"fg": "green"}, "word-del": {"fg": "red"},
}


def echo_lines(lines: Sequence[Line], color: bool | None = None) -> None:
    """Print rendered lines, every span printable; coloured by kind when ``color`` (default:
    a terminal without NO_COLOR)."""
    from reviewkit.base.printable import printable

    use = _use_color(color)
    for line in lines:
        text = "".join(_style(t, **STYLES[k]) if use and k in STYLES else printable(t)
                       for k, t in line)
        echo(text, color=True if use else None, styled=True)


@click.group(context_settings=CONTEXT)
@click.option("-C", "directory", default=".", metavar="DIR", help="Run as if started in DIR (like git -C).")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.version_option(__version__, "--version", prog_name="reviewkit")
@click.pass_context
def cli(ctx: click.Context, directory: str, debug: bool) -> None:
    """Clinical review sign-off for health content kept in git.

    Editors draft articles (Markdown + YAML front matter); licensed clinicians sign off
    with their SSH keys; CI refuses to publish content whose current version lacks a
    valid sign-off. Every review event lives in git on refs/reviewkit/events.

    \b
    Start:   reviewkit init && reviewkit new "Coping with panic attacks"
    Check:   reviewkit validate && reviewkit status
    """
    ctx.obj = Ctx(directory, debug)


# --- editor ----------------------------------------------------------------------------------


@cli.command()
def init() -> None:
    """Scaffold reviewkit in this directory (refuses to overwrite anything).

    Writes reviewkit.yaml, reviewers.yaml, schemas/, content/articles/,
    .github/workflows/reviewkit.yml and the gate action it runs,
    .github/actions/reviewkit/action.yml (installs this reviewkit version).

    \b
    Example:  cd my-site && git init && reviewkit init
    """
    from pathlib import Path

    from reviewkit.article.scaffold import init as do_init

    root = Path(_ctx().directory).resolve()
    for rel in do_init(root):
        echo(f"created {rel}")
    echo("next: add reviewers to reviewers.yaml, then `reviewkit new \"TITLE\"`")
    echo("then commit this on a branch and open a pull request: CI passes this setup change "
         "while every article is a draft, and checks every later change against it")


@cli.command()
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


def _report_options(f: Callable[..., None]) -> Callable[..., None]:
    """--changed-since, --summary and --comment-file (docs/ci.md)."""
    f = click.option("--comment-file", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Write the Markdown report for a sticky pull-request comment here.")(f)
    f = click.option("--summary", "summary", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Append the Markdown report to FILE (default: $GITHUB_STEP_SUMMARY).")(f)
    return click.option("--changed-since", metavar="REV",
                        help="The pull request's base: its articles come first in the report "
                             "and the annotations.")(f)


def _changed(project: Any, rev: str | None) -> set[str] | None:
    return None if rev is None else project.repo.changed_paths(rev)


def _more_hint(summary: str | None, comment_file: str | None, command: str) -> str:
    from reviewkit.outputs.summary import report_targets

    if report_targets(summary, os.environ) is not None:
        return "see the job summary"
    if comment_file:
        return "see the pull-request comment"
    return f"run `reviewkit {command}` or pass --summary FILE to list them all"


def _write_reports(markdown: Callable[[int], str], summary: str | None,
                   comment_file: str | None) -> None:
    """Append the job summary and write the comment file (``markdown(limit)``)."""
    from pathlib import Path

    from reviewkit.base.errors import EnvError
    from reviewkit.base.fsutil import write_atomic
    from reviewkit.outputs.summary import (
        COMMENT_LIMIT,
        SUMMARY_LIMIT,
        append_summary,
        as_comment,
        report_targets,
    )

    target = report_targets(summary, os.environ)
    try:
        if target is not None:
            append_summary(target, markdown(SUMMARY_LIMIT))
        if comment_file:
            write_atomic(Path(comment_file).resolve(), as_comment(markdown(COMMENT_LIMIT)))
    except OSError as exc:  # the verdict stands; the report could not be written
        where = exc.filename or target or comment_file
        raise EnvError(f"cannot write the report to {where}: {exc.strerror or exc}") from None


@cli.command()
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

    project = _ctx().project(trust_ref, allow_setup=True)
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


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--state", "states", multiple=True, metavar="STATE",
              type=click.Choice(["draft", "in_review", "changes_requested", "approved", "stale",
                                 "expired", "invalid"]),
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


def _evaluate(project: Any, paths: Sequence[str] = (), *, readability: bool = False) -> Any:
    """The catalogue's states for status, queue and due: the cache (whole catalogue only),
    the default workers and a progress bar on a terminal."""
    from reviewkit.base.workers import default_workers
    from reviewkit.review.status import evaluate_repo

    with _progress("reading") as progress:
        return evaluate_repo(project, _paths(paths), lint=False, use_cache=True,
                             workers=default_workers(), progress=progress,
                             readability=readability)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal, for runs over many articles."""
    if not sys.stderr.isatty() or os.environ.get("REVIEWKIT_NO_PROGRESS"):
        yield None
        return
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if total < 200:
            return
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


# --- review workflow -------------------------------------------------------------------------


def _print_recorded(rec: Any, verb: str) -> None:
    from reviewkit.base.printable import one_line as _1

    e = rec.event
    echo(f"{verb} {_1(e.path)} ({e.digest[:15]}) as {_1(e.actor)}; event {_1(e.file_name())}")
    echo(f"state now: {rec.status.state}")
    if rec.status.state != "approved" and rec.status.reasons:
        for r in rec.status.reasons:
            echo(f"  {_1(r)}")
    echo("share it: reviewkit sync")


def _record(kind: str, path: str, **kw: Any) -> Any:
    from reviewkit.review.workflow import record

    return record(_ctx().project(), kind, _arg_path(path), **kw)


@cli.command()
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


_key_option = click.option("--key", metavar="KEYFILE",
                           help="SSH key to sign with (default: git user.signingkey, then ~/.ssh/id_ed25519).")
_as_option = click.option("--as", "as_id", metavar="ID",
                          help="Your id in reviewers.yaml (default: found by git user.email).")
_trust_option = click.option(
    "--trust-ref", metavar="REF",
    help="Also check the sign-off against the registry and policy at REF, as the gate will "
         "(default: origin's default branch, else the current branch's upstream).")


@cli.command()
@click.argument("path", type=click.Path())
@click.option("-m", "--message", default="", help="A note kept with the sign-off.")
@click.option("--credential", metavar="TYPE", help="Which of your credentials you sign under (e.g. LPC).")
@_key_option
@_as_option
@_trust_option
def approve(path: str, message: str, credential: str | None, key: str | None, as_id: str | None,
            trust_ref: str | None) -> None:
    """Sign off the article's current committed version with your SSH key.

    PATH is the article's file, or its id (or the start of it) as `reviewkit queue` shows
    it: then the version submitted on another branch is signed off, read from the commit
    it was submitted from, without checking that branch out.

    Refuses what the gate would not count: self-approval, not a clinical reviewer, an
    article that does not validate, uncommitted changes, a credential the policy does
    not accept.

    \b
    Example:  reviewkit approve content/articles/fear-of-intimacy.md -m "Accurate and safe."
    """
    rec = _record("approved", path, message=message, key=key, as_id=as_id, credential=credential,
                  trust_ref=trust_ref)
    _print_recorded(rec, "approved")


@cli.command("request-changes")
@click.argument("path", type=click.Path())
@click.option("-m", "--message", required=True, help="What must change (the editor reads this).")
@_key_option
@_as_option
@_trust_option
def request_changes(path: str, message: str, key: str | None, as_id: str | None,
                    trust_ref: str | None) -> None:
    """Block the current version until it changes and is approved (signed). PATH: a file,
    or an article id as `reviewkit queue` shows it.

    \b
    Example:  reviewkit request-changes content/articles/x.md -m "Add the 988 line."
    """
    rec = _record("changes_requested", path, message=message, key=key, as_id=as_id,
                  trust_ref=trust_ref)
    _print_recorded(rec, "requested changes on")


@cli.command()
@click.argument("path", type=click.Path())
@click.option("-m", "--message", required=True, help="Why (kept in the audit trail).")
@_key_option
@_as_option
def withdraw(path: str, message: str, key: str | None, as_id: str | None) -> None:
    """Withdraw: a reviewer revokes sign-off of the current version; an editor withdraws
    the submission (signed).

    \b
    Example:  reviewkit withdraw content/articles/x.md -m "New guidance published."
    """
    rec = _record("withdrawn", path, message=message, key=key, as_id=as_id)
    _print_recorded(rec, "withdrew")


@cli.command()
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


@cli.command()
@click.option("--mine", is_flag=True, help="Only what was asked of me (by git user.email or --as).")
@_as_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def queue(mine: bool, as_id: str | None, fmt: str) -> None:
    """What awaits clinical review: submitted, stale and expired articles, oldest first.

    \b
    Example:  reviewkit queue --mine
    """
    from reviewkit.outputs.render import queue_json, queue_lines
    from reviewkit.review.status import review_queue
    from reviewkit.review.submissions import open_submissions

    project = _ctx().project()
    report = _evaluate(project)
    me = None
    if mine:
        from reviewkit.review.workflow import resolve_actor

        me = resolve_actor(project, as_id).id
    items = review_queue(report, me)
    current = {(s.article_id, s.digest) for s in report.statuses if s.article_id and s.digest}
    # submitted on other branches: read from the commit they were submitted from
    elsewhere = [s for s in open_submissions(project, current)
                 if me is None or s.status.requested_reviewer == me]
    if fmt == "json":
        echo(queue_json(items, elsewhere))
    else:
        echo_lines(queue_lines(items, elsewhere, mine=mine))


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--color/--no-color", default=None, help="Colour the diff (default: when a terminal).")
@click.option("--word-diff", is_flag=True,
              help="Show changed words ([-old-]{+new+}) instead of whole lines: for prose "
                   "written one paragraph per line.")
def review(path: str, color: bool | None, word_diff: bool) -> None:
    """Show what changed since the last approved version (or all of it); after a request
    for changes, what changed since that request.

    PATH is the article's file, or its id (or the start of it) as `reviewkit queue` shows
    it: then the version submitted on another branch is shown, read from its commit,
    without checking the branch out.

    \b
    Examples: reviewkit review content/articles/fear-of-intimacy.md | less -R
              reviewkit review 01JDX3Q7 --word-diff
    """
    from reviewkit.outputs.render import review_lines
    from reviewkit.review.workflow import review_diff

    view = review_diff(_ctx().project(), _arg_path(path), word_diff=word_diff)
    echo_lines(review_lines(view, path, word_diff=word_diff), color=_use_color(color))


def _use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def log(path: str, fmt: str) -> None:
    """The article's audit trail: every event, verified, and why it does or does not count.

    \b
    Example:  reviewkit log content/articles/fear-of-intimacy.md --format json
    """
    from reviewkit.outputs.render import log_json, log_lines
    from reviewkit.review.workflow import article_status, relative_path

    project = _ctx().project()
    st = article_status(project, relative_path(project, _arg_path(path)))
    if fmt == "json":
        echo(log_json(st))
    else:
        echo_lines(log_lines(st))


@cli.command()
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


# --- CI and release ------------------------------------------------------------------------


@cli.command()
@click.option("--trust-ref", metavar="REF",
              help="Read reviewers.yaml, reviewkit.yaml and the schema from REF (in CI: the PR's base).")
@click.option("--expect-events-ancestor", metavar="REF_OR_SHA",
              help="Fail if the events history no longer contains this commit (rewritten).")
@click.option("--format", "fmt", type=REPORT_FORMATS, default="text", show_default=True)
@click.option("--junit", type=click.Path(dir_okay=False), help="Also write a JUnit XML report here.")
@click.option("--sarif", "sarif_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write a SARIF 2.1.0 report here (GitHub code scanning).")
@click.option("--no-cache", is_flag=True, help="Ignore and do not write the cache in .git/reviewkit/.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes for parsing and signature checks (default: up to 2).")
@_report_options
def gate(trust_ref: str | None, expect_events_ancestor: str | None, fmt: str, junit: str | None,
         sarif_file: str | None, no_cache: bool, workers: int | None, changed_since: str | None,
         summary: str | None, comment_file: str | None) -> None:
    """Exit 1 unless every non-draft article is valid and approved under the policy.

    Fails closed: a missing refs/reviewkit/events, an unreadable file or event, or a
    rewritten events history fails the gate with the reason.

    \b
    Example (CI, pull request):
      git fetch origin '+refs/reviewkit/*:refs/reviewkit/*' main
      reviewkit gate --trust-ref refs/remotes/origin/main --format github --junit gate.xml
    """
    from pathlib import Path

    from reviewkit.base.fsutil import write_atomic
    from reviewkit.base.workers import default_workers
    from reviewkit.outputs.gate import junit_xml, run_gate
    from reviewkit.outputs.render import gate_lines, render_gate

    project = _ctx().project(trust_ref, allow_setup=True)
    _say_trusted(project)
    changed = _changed(project, changed_since)
    with _progress("checking") as progress:
        result = run_gate(project, expect_events_ancestor=expect_events_ancestor,
                          use_cache=not no_cache, workers=workers or default_workers(),
                          progress=progress, compact=True)
    if result.expected_ancestor is not None:
        echo(f"--expect-events-ancestor: {result.expected_ancestor.describe()}", err=True)
    if fmt == "text":
        echo_lines(gate_lines(result))
    else:
        echo(render_gate(result, _format(fmt), first=changed or (),
                         more=_more_hint(summary, comment_file, "gate")))
    if junit:
        write_atomic(Path(_arg_path(junit)).resolve(), junit_xml(result))
    if sarif_file:
        from reviewkit.base.errors import EnvError
        from reviewkit.outputs.output import sarif_log

        try:
            write_atomic(Path(_arg_path(sarif_file)).resolve(), sarif_log(result.findings()))
        except OSError as exc:
            raise EnvError(f"cannot write {sarif_file}: {exc.strerror or exc}") from None
    from reviewkit.outputs.summary import gate_markdown

    _write_reports(lambda limit: gate_markdown(result, changed, trust_ref=trust_ref, limit=limit),
                   summary, comment_file)
    if not result.passed:
        raise CheckFailed("")


def _say_trusted(project: Any) -> None:
    """Name the full ref and commit the trusted files were read from (stderr)."""
    if project.trusted is not None:
        echo(f"trusted configuration: {project.trusted.describe()}", err=True)


@cli.command()
@click.option("--within", "days", callback=WINDOW, default="30d", show_default=True,
              metavar="DURATION", help="Window: days (30d), weeks (6w) or months (3m, of 30 days).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
def due(days: int, fmt: str) -> None:
    """Approvals that expire within the window, soonest first: the re-review list.

    \b
    Example:  reviewkit due --within 60d
    """
    from reviewkit.outputs.output import to_json
    from reviewkit.outputs.render import due_csv, due_lines, due_rows
    from reviewkit.review.status import due_list

    rows = due_rows(due_list(_evaluate(_ctx().project()), days))
    if fmt == "json":
        echo(to_json(rows))
    elif fmt == "csv":
        click.echo(due_csv(rows), nl=False)  # printable: csv_text escapes every row
    else:
        echo_lines(due_lines(rows, days))


@cli.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("--trust-ref", metavar="REF", help="As for gate.")
@click.option("--strict", is_flag=True,
              help="Exit 1, writing nothing, when any article would be held back or served "
                   "at an older approved version.")
def publish(out: str, fmt: str, trust_ref: str | None, strict: bool) -> None:
    """Write the release bundle: the newest approved version of each non-draft article,
    with the reviewer byline, JSON-LD (html), manifest.json and the signed review record.

    An article edited after its approval is published at its approved version; one
    never approved is held back. Both are listed, with why and the next step.

    \b
    Example:  reviewkit publish --out site --format html
    """
    from pathlib import Path

    from reviewkit.outputs.publish import publish as do_publish
    from reviewkit.outputs.verify import printable

    project = _ctx().project(trust_ref)
    _say_trusted(project)
    with _progress("publishing") as progress:
        bundle = do_publish(project, Path(_arg_path(out)), cast("Literal['md', 'html']", fmt),
                            progress=progress, strict=strict)
    echo(f"published {len(bundle.articles)} article{'s' if len(bundle.articles) != 1 else ''} "
         f"to {out} ({fmt}); manifest: {Path(out) / 'manifest.json'}")
    if bundle.held:
        echo(f"{len(bundle.held)} not published at their current version:")
        for h in bundle.held:
            echo(f"  {printable(h.line())}")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(directory: str, fmt: str) -> None:
    """Check a published bundle offline: every file against the manifest, every approval
    signature against the bundled reviewer keys, every byline against its signer.

    Needs no repository and no network. Exit 0 only when everything holds.

    \b
    Example:  reviewkit verify site
    """
    from pathlib import Path

    from reviewkit.base.errors import CheckFailed
    from reviewkit.outputs.output import to_json
    from reviewkit.outputs.verify import printable, verify_bundle

    report = verify_bundle(Path(directory))
    if fmt == "json":
        echo(to_json(report.to_dict()))
    else:
        for p in report.problems:
            echo(printable(f"{p.file}: {p.message}"))
        if report.ok:
            echo(f"bundle verified: {report.articles} article"
                 f"{'s' if report.articles != 1 else ''}, {report.signatures} signature"
                 f"{'s' if report.signatures != 1 else ''}, {report.files} files")
    if not report.ok:
        raise CheckFailed(f"bundle {directory} does not verify: {len(report.problems)} "
                          f"problem{'s' if len(report.problems) != 1 else ''}")


@cli.command()
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the demo repository in this new directory.")
def demo(keep: str | None) -> None:
    """Walk the whole workflow in a throwaway repository, with narration.

    new article → validate → submit → approve → gate passes → publish → edit → gate blocks
    as stale → review diff → re-approve → gate passes. Exits 0 when the story held.

    \b
    Example:  reviewkit demo --keep /tmp/reviewkit-demo
    """
    from pathlib import Path

    from reviewkit.demo import run_demo

    if keep and Path(keep).exists():
        from reviewkit.base.errors import UsageError

        raise UsageError(f"--keep {keep}: already exists; name a new directory")
    run_demo(echo, Path(keep).resolve() if keep else None)


@cli.command()
@click.option("--since", callback=SINCE, metavar="DATE", help="Only events at or after DATE (2026-01-31 or an ISO-8601 time, UTC).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
def audit(since: str | None, fmt: str) -> None:
    """Every review event, oldest first, verified: the record an external auditor asks for.

    One row per event file on refs/reviewkit/events (files that do not parse included,
    with their problem): time, event, article, path, actor, credential, digest, blob,
    commit, verified (yes/no/unsigned), counts and why not.

    \b
    Example:  reviewkit audit --since 2026-01-01 --format csv > audit.csv
    """
    from reviewkit.outputs.audit import audit as do_audit
    from reviewkit.outputs.output import to_json
    from reviewkit.outputs.render import audit_csv

    result = do_audit(_ctx().project(), since=since)
    if fmt == "json":
        echo(to_json(result.to_dict()))
    else:
        click.echo(audit_csv(result), nl=False)  # printable: csv_text escapes every row


@cli.command()
@click.option("--html", "html_dir", required=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Directory to write the dashboard to (replaced atomically).")
@click.option("--within", "days", callback=WINDOW, default="30d", show_default=True,
              metavar="DURATION", help="Highlight approvals that expire within this window (30d, 6w, 3m).")
@click.option("--trust-ref", metavar="REF",
              help="Judge every event against the registry and policy at REF, as the gate does.")
def report(html_dir: str, days: int, trust_ref: str | None) -> None:
    """Write a static dashboard of the catalogue: counts per state, a sortable and
    filterable table, review activity, re-reviews due, and per article its audit trail
    and the diff awaiting review. Self-contained: open DIR/index.html from disk.

    \b
    Example:  reviewkit report --html out/dashboard --within 60d
    """
    from pathlib import Path

    from reviewkit.outputs.report import write_dashboard

    result = write_dashboard(_ctx().project(trust_ref), Path(_arg_path(html_dir)),
                             within_days=days)
    summary = ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in result.counts.items() if n)
    echo(f"wrote {Path(html_dir) / 'index.html'} and {result.pages} article page"
         f"{'s' if result.pages != 1 else ''}: {result.articles} article"
         f"{'s' if result.articles != 1 else ''} ({summary or 'none'}), {result.events} event"
         f"{'s' if result.events != 1 else ''}")


# --- entry point -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console entry point: one handler turns every error into ``Error: …`` and an exit code."""
    ctx: click.Context | None = None
    try:
        ctx = cli.make_context("reviewkit", list(argv if argv is not None else sys.argv[1:]))
        with ctx:
            cli.invoke(ctx)
        code = 0
    except click.exceptions.Abort:
        echo("Aborted.", err=True)
        code = 1
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        import io

        buf = io.StringIO()  # click quotes the user's input: print it printable
        exc.show(file=buf)
        echo(buf.getvalue().rstrip("\n"), err=True)
        code = 2
    except ReviewkitError as exc:
        if not isinstance(exc, CheckFailed) or exc.message:
            echo(f"Error: {exc}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        echo("Interrupted.", err=True)
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # a bug: one line, and --debug for the traceback
        if ctx is not None and ctx.params.get("debug"):  # the group's own --debug
            import traceback

            traceback.print_exc()
        echo(f"Error: internal error: {type(exc).__name__}: {exc} "
             "(this is a bug in reviewkit; rerun with --debug for the traceback)", err=True)
        code = 4
    sys.exit(code)



