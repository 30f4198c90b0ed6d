"""Steps several commands share: evaluating the catalogue, recording an event, the CI
reports of validate and gate, naming the trusted configuration.

Layer: the command line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from reviewkit.cli._options import _arg_path, _ctx, _paths
from reviewkit.cli._terminal import _progress, echo


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


def _evaluate(project: Any, paths: Sequence[str] = (), *, readability: bool = False) -> Any:
    """The catalogue's states for status, queue and due: the cache (whole catalogue only),
    the default workers and a progress bar on a terminal."""
    from reviewkit.base.workers import default_workers
    from reviewkit.review.status import evaluate_repo

    with _progress("reading") as progress:
        report = evaluate_repo(project, _paths(paths), lint=False, use_cache=True,
                               workers=default_workers(), progress=progress,
                               readability=readability)
    if not paths:  # a selection never uses the cache
        _say_cache_off()
    return report


def _print_recorded(rec: Any, verb: str) -> None:
    from reviewkit.base.printable import one_line as _1

    e = rec.event
    echo(f"{verb} {_1(e.path)} ({e.digest[:15]}) as {_1(e.actor)}; event {_1(e.file_name())}")
    if getattr(rec, "counted_as", None):
        echo(f"counts as: {_1(rec.counted_as)}")
    echo(f"state now: {rec.status.state}")
    for c in _overridden(rec):  # a safety concern another reviewer raised on this version
        who = c.reviewer.name if c.reviewer else c.event.actor
        echo(f"note: this approval overrides the changes {_1(who)} requested on this version "
             f"on {_1(c.event.at[:10])}: “{_1(c.event.message)}” (tell them, or withdraw it: "
             f"reviewkit withdraw {_1(e.path)} -m WHY)", err=True)
    if rec.status.state != "approved" and rec.status.reasons:
        for r in rec.status.reasons:
            echo(f"  {_1(r)}")
    echo("share it: reviewkit sync")


def _overridden(rec: Any) -> list[Any]:
    """Others' signed requests for changes on the version this approval now clears."""
    e = rec.event
    if e.event != "approved":
        return []
    return [c for c in rec.status.checks if c.event is not None and c.verified
            and c.event.event == "changes_requested" and c.event.digest == e.digest
            and c.event.actor != e.actor and c.event.when <= e.when]


def _record(kind: str, path: str, **kw: Any) -> Any:
    from reviewkit.base.errors import CheckFailed, UsageError
    from reviewkit.review.workflow import record

    project = _ctx().project()
    try:
        return record(project, kind, _arg_path(path), **kw)
    except (CheckFailed, UsageError) as err:
        behind = _registry_behind(project, kw.get("trust_ref"))
        if behind:
            err.hint = f"{err.hint}; {behind}" if err.hint else behind
        raise


def _registry_behind(project: Any, trust_ref: str | None) -> str | None:
    """Why a refusal may be out of date: this checkout's registry is not the one CI trusts
    (a new key, a renewed license or a new role merged since the reviewer last pulled)."""
    from reviewkit.base.errors import ReviewkitError

    try:
        ref = trust_ref or project.repo.default_upstream()
        rel = project.config.registry
        if ref is None or project.trust_ref is not None:
            return None
        # as git compares them (core.autocrlf, clean filters), not as bytes on disk
        there = project.repo.blob_in(ref, rel)
        same = there == project.repo.blob_at_head(rel) and project.repo.is_clean(rel)
    except (ReviewkitError, OSError):
        return None
    if there is None or same:
        return None
    return f"{rel} here differs from {ref.removeprefix('refs/remotes/')}'s: git pull and try again"


def _say_cache_off() -> None:
    """A note (stderr) when nothing can be cached for this user, and why: otherwise every
    run would be a cold one without a word."""
    from reviewkit.record.cache import cache_key_problem

    problem = cache_key_problem()
    if problem:
        echo(f"note: nothing is cached, so every run checks everything: {problem}", err=True)


def _say_trusted(project: Any) -> None:
    """Name the full ref and commit the trusted files were read from (stderr)."""
    if project.trusted is not None:
        echo(f"trusted configuration: {project.trusted.describe()}", err=True)
