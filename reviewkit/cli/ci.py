"""CI and release commands: the gate, the release bundle and its offline check, the audit
export, the dashboard.

Layer: the command line.
"""

from __future__ import annotations

from typing import Literal, cast

import click

from reviewkit.base.errors import CheckFailed
from reviewkit.cli._options import (
    REPORT_FORMATS,
    SINCE,
    WINDOW,
    _arg_path,
    _ctx,
    _format,
    _report_options,
)
from reviewkit.cli._shared import (
    _changed,
    _more_hint,
    _say_cache_off,
    _say_trusted,
    _write_reports,
)
from reviewkit.cli._terminal import _progress, echo, echo_lines


@click.command()
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
    if not no_cache:
        _say_cache_off()
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


@click.command()
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
    # served as they stand, with a notice (an expired approval, a translation whose source
    # changed); the others are held back or served at an older approved version
    notices = [h for h in bundle.held if h.outcome.startswith("served")]
    others = [h for h in bundle.held if not h.outcome.startswith("served")]
    for listed, head in ((others, "not published at {its} current version"),
                         (notices, "published with a notice")):
        if listed:
            n = len(listed)
            its = "their" if n != 1 else "its"
            echo(f"{n} article{'s' if n != 1 else ''} {head.format(its=its)}:")
            for h in listed:
                echo(f"  {printable(h.line())}")


@click.command()
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


@click.command()
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


@click.command()
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
