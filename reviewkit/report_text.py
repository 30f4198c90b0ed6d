"""Plain-text and machine renderings of status reports."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from reviewkit.digest import short
from reviewkit.gate import GateResult
from reviewkit.model import STATES
from reviewkit.output import (
    Format,
    capped_annotations,
    github_annotation,
    gitlab_report,
    sarif_log,
    to_json,
)
from reviewkit.policy import EventCheck
from reviewkit.status import StatusReport

LABEL = {
    "approved": "approved", "draft": "draft", "in_review": "in review",
    "changes_requested": "changes requested", "stale": "stale", "expired": "expired",
    "invalid": "invalid",
}


def render_status(report: StatusReport, fmt: Format) -> str:
    if fmt == "json":
        return to_json(report.to_dict())
    if fmt == "github":
        notes = []
        for s in report.statuses:
            if s.state != "approved":
                level = "error" if s.state == "invalid" else "notice"
                notes.append(github_annotation(
                    level, f"{LABEL[s.state]}: {'; '.join(s.reasons)}", path=s.path,
                    title=f"reviewkit: {LABEL[s.state]}"))
        return "\n".join(notes)
    lines: list[str] = []
    for note in report.notes:
        lines.append(f"note: {note}")
    groups = {state: [s for s in report.statuses if s.state == state] for state in STATES}
    for state, items in groups.items():
        if not items:
            continue
        lines.append(f"{LABEL[state]} ({len(items)})")
        if state == "draft" and len(items) > 1:
            # drafts need no reasons each: one line per article, one hint for the group
            for s in sorted(items, key=lambda s: s.path):
                lines.append(f"  {s.path}  {s.title or ''}")
            lines.append("      → when one is ready: reviewkit submit PATH")
            continue
        for s in sorted(items, key=lambda s: s.path):
            draft = " [draft]" if s.draft else ""
            digest = f"  {short(s.digest)}" if s.digest else ""
            lines.append(f"  {s.path}{digest}  {s.title or ''}{draft}")
            approvals = s.to_dict()["approvals"] if s.state == "approved" else []
            if approvals:
                first = approvals[0]
                who = first["name"] or first["actor"]
                if first["credential"]:
                    who += f", {first['credential']}"
                due = f"; re-review due {s.due}" if s.due else ""
                lines.append(f"      approved by {who} on {first['at'][:10]}{due}")
            for reason in s.reasons:
                lines.append(f"      {reason}")
            if s.fix and s.state != "approved":
                lines.append(f"      → {s.fix}")
    counts = report.counts()
    total = sum(counts.values())
    order = {state: i for i, state in enumerate(STATES)}
    summary = ", ".join(
        f"{n} {LABEL[k]}" for k, n in sorted(counts.items(), key=lambda kv: order[kv[0]])  # type: ignore[index]
        if n
    )
    lines.append(f"{total} article{'s' if total != 1 else ''}: {summary or 'none'}")
    return "\n".join(lines)


def check_dict(c: EventCheck) -> dict[str, Any]:
    """One judged event as plain data (``log --format json``, audit)."""
    e = c.event
    return {
        "file": c.stored.name,
        "event": e.event if e else None,
        "actor": e.actor if e else None,
        "at": e.at if e else None,
        "digest": e.digest if e else None,
        "blob": e.blob if e else None,
        "commit": e.commit if e else None,
        "message": e.message if e else None,
        "credential": (c.credential.type if c.credential else (e.credential if e else None)),
        "verified": c.verified,
        "counts": c.counts,
        "reason": c.reason or None,
    }


def render_gate(result: GateResult, fmt: Format, *, first: Collection[str] = (),
                more: str = "see the job summary") -> str:
    """The gate's verdict; ``github`` annotations put paths in ``first`` (the change's own
    articles) first and are capped at GitHub's limits, ending with how many more."""
    if fmt == "json":
        return to_json(result.to_dict())
    if fmt == "sarif":
        return sarif_log(result.findings())
    if fmt == "gitlab":
        return gitlab_report(result.findings())
    lines: list[str] = []
    if fmt == "github":
        items: list[tuple[str, str | None, str]] = []
        for f in result.failures:
            items.append(("error", "", github_annotation("error", f, title="reviewkit gate")))
        for n in result.notes:
            items.append(("notice", "", github_annotation("notice", n, title="reviewkit gate")))
        for s in sorted(result.blocked, key=lambda s: s.path):
            fix = f" Fix: {s.fix}" if s.fix else ""
            items.append(("error", s.path, github_annotation(
                "error", f"{'; '.join(s.reasons)}.{fix}", path=s.path,
                title=f"reviewkit gate: {'not submitted' if s.state == 'draft' else LABEL[s.state]}")))
        # repository problems concern every change: they stay ahead of any article
        lines += capped_annotations(items, first={"", *first}, more=more)
    else:
        for f in result.failures:
            lines.append(f"FAIL {f}")
        for n in result.notes:
            lines.append(f"note: {n}")
        for s in sorted(result.blocked, key=lambda s: s.path):
            lines.append(f"BLOCKED {s.path} [{LABEL[s.state]}]")
            for r in s.reasons:
                lines.append(f"    {r}")
            if s.fix:
                lines.append(f"    → {s.fix}")
    total = len(result.blocked) + len(result.passed_articles)
    drafts = f", {len(result.drafts)} draft{'s' if len(result.drafts) != 1 else ''} ignored"
    if result.passed:
        lines.append(f"gate passed: {len(result.passed_articles)} of {total} articles approved{drafts}")
    else:
        problems = f"{len(result.blocked)} of {total} articles blocked"
        if result.failures:
            problems += f", {len(result.failures)} repository problem{'s' if len(result.failures) != 1 else ''}"
        lines.append(f"gate FAILED: {problems}{drafts}")
    return "\n".join(lines)
