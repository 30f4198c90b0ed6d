"""The clinical reviewer's commands: what awaits review, the diff, sign-off or a request for
changes, withdrawal, the audit trail of one article, the re-review list.

Layer: the command line.
"""

from __future__ import annotations

import click

from reviewkit.cli._options import (
    WINDOW,
    _arg_path,
    _as_option,
    _ctx,
    _key_option,
    _trust_option,
)
from reviewkit.cli._shared import (
    _evaluate,
    _print_recorded,
    _record,
)
from reviewkit.cli._terminal import _use_color, echo, echo_lines


@click.command()
@click.option("--mine", is_flag=True, help="Only what was asked of me (by git user.email or --as).")
@_as_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def queue(mine: bool, as_id: str | None, fmt: str) -> None:
    """What awaits clinical review: submitted, stale and expired articles, oldest first.

    \b
    Example:  reviewkit queue --mine
    """
    from reviewkit.outputs.render import queue_json, queue_lines
    from reviewkit.review.status import awaits_language_review, review_queue
    from reviewkit.review.submissions import open_submissions

    project = _ctx().project()
    report = _evaluate(project)
    me = person = None
    if mine:
        from reviewkit.review.workflow import resolve_actor

        person = resolve_actor(project, as_id)
        me = person.id
    lang = project.config.policy.default_lang
    items = review_queue(report, me, linguist=person, default_lang=lang)
    current = {(s.article_id, s.digest) for s in report.statuses if s.article_id and s.digest}
    # submitted on other branches: read from the commit they were submitted from
    elsewhere = [s for s in open_submissions(project, current)
                 if me is None or s.status.requested_reviewer == me
                 or awaits_language_review(s.status, person, lang)]
    if fmt == "json":
        echo(queue_json(items, elsewhere))
    else:
        echo_lines(queue_lines(items, elsewhere, mine=mine))


@click.command()
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
    from reviewkit.review.diffs import review_diff

    view = review_diff(_ctx().project(), _arg_path(path), word_diff=word_diff)
    echo_lines(review_lines(view, path, word_diff=word_diff), color=_use_color(color))


@click.command()
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


@click.command("request-changes")
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


@click.command()
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


@click.command()
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


@click.command()
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
