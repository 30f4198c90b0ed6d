"""The audit record: every event of the ledger, oldest first, verified and judged.

Judgments come from the same code as ``status`` (:func:`reviewkit.review.policy.evaluate`, via
:func:`reviewkit.review.status.evaluate_repo`). Events whose article is no longer in the work tree
are still verified (:func:`reviewkit.review.policy.verify_event`) and marked
"article not in the catalogue"; event files that do not parse are listed with their problem.

Layer: outputs/ (may import base/, rules/, article/, record/, review/).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from reviewkit.base.errors import UsageError
from reviewkit.base.model import DECIDING_KINDS, Registry, format_time, parse_time
from reviewkit.record.ledger import EVENTS_REF, StoredEvent
from reviewkit.record.project import Project
from reviewkit.review.policy import EventCheck, verify_event
from reviewkit.review.status import StatusReport, evaluate_repo

COLUMNS = (
    "at", "event", "article", "path", "actor", "actor_name", "credential", "digest", "blob",
    "commit", "verified", "counts", "reason", "message", "file",
)
NOT_IN_CATALOGUE = "article not in the catalogue"
_STAMP = re.compile(r"/(\d{8}T\d{6}(?:\.\d{1,6})?Z)-")


@dataclass
class AuditRow:
    at: str | None
    event: str | None
    article: str | None
    path: str | None
    actor: str | None
    actor_name: str | None
    credential: str | None
    digest: str | None
    blob: str | None
    commit: str | None
    verified: str  # yes | no | unsigned
    counts: bool
    reason: str | None
    message: str | None
    file: str

    @property
    def why_not(self) -> str | None:
        """The reason without the decision's "not counted: " (shown after "does not count")."""
        return self.reason.removeprefix("not counted: ") if self.reason else self.reason

    def to_dict(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in COLUMNS}

    def csv_dict(self) -> dict[str, str]:
        d = self.to_dict()
        d["counts"] = "yes" if self.counts else "no"
        return {k: "" if v is None else str(v) for k, v in d.items()}


@dataclass
class AuditReport:
    rows: list[AuditRow]
    generated_at: str
    events_tip: str | None
    since: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at, "events_ref": EVENTS_REF,
            "events_tip": self.events_tip, "since": self.since, "notes": self.notes,
            "count": len(self.rows), "columns": list(COLUMNS),
            "events": [r.to_dict() for r in self.rows],
        }


def check_dict(c: EventCheck) -> dict[str, Any]:
    """One judged event as plain data (``log --format json``, the audit rows)."""
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


def verified_label(c: EventCheck) -> str:
    """``yes``/``no`` for signed kinds; ``unsigned`` for kinds that are not signed."""
    if c.event is None:
        return "no"
    if c.verified is None:
        return "unsigned"
    return "yes" if c.verified else "no"


def _stamp_of(name: str) -> str | None:
    """The time in an event file's name, for files whose content does not parse."""
    m = _STAMP.search(name)
    if not m:
        return None
    try:
        fmt = "%Y%m%dT%H%M%S.%fZ" if "." in m.group(1) else "%Y%m%dT%H%M%SZ"
        t = dt.datetime.strptime(m.group(1), fmt).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None
    return format_time(t)


def row_from_check(c: EventCheck, registry: Registry, reason: str | None = None) -> AuditRow:
    d = check_dict(c)
    e = c.event
    person = c.reviewer or (registry.get(e.actor) if e else None)
    return AuditRow(
        at=d["at"] or _stamp_of(c.stored.name), event=d["event"],
        article=e.article if e else c.stored.article_dir, path=e.path if e else None,
        actor=d["actor"], actor_name=person.name if person else None,
        credential=d["credential"], digest=d["digest"], blob=d["blob"], commit=d["commit"],
        verified=verified_label(c), counts=bool(d["counts"]),
        reason=reason if reason is not None else d["reason"],
        message=d["message"] or None, file=c.stored.name,
    )


def _orphan(stored: StoredEvent, registry: Registry) -> AuditRow:
    """An event whose article is not in the work tree: verified, never counted."""
    c = EventCheck(stored)
    e = stored.event
    if e is None:
        c.reason = f"not counted: {stored.problem}"
        return row_from_check(c, registry, f"{NOT_IN_CATALOGUE}; {c.reason}")
    reason = NOT_IN_CATALOGUE
    if e.event in DECIDING_KINDS:
        ok, why, reviewer = verify_event(e, registry)
        c.verified, c.reviewer = ok, reviewer
        if not ok:
            reason += f"; {why}"
    return row_from_check(c, registry, reason)


def _sort_key(r: AuditRow) -> tuple[str, str]:
    return (r.at or "", r.file)


def audit_rows(report: StatusReport, registry: Registry) -> list[AuditRow]:
    """Every event file on the ledger the report was made from, judged, oldest first."""
    judged: dict[str, EventCheck] = {}
    for s in report.statuses:
        for c in s.checks:
            judged.setdefault(c.stored.name, c)
    rows = []
    for stored in report.ledger.events:
        found = judged.get(stored.name)
        rows.append(row_from_check(found, registry) if found is not None
                    else _orphan(stored, registry))
    return sorted(rows, key=_sort_key)


def parse_since(text: str) -> str:
    """``2026-01-31`` or an ISO-8601 time → the UTC form events use (``…Z``)."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = dt.date.fromisoformat(value)
            return format_time(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc))
        return format_time(parse_time(value))
    except ValueError:
        raise UsageError(
            f"{text!r}: use a date like 2026-01-31 or a time like 2026-01-31T09:00:00Z"
        ) from None


def audit(project: Project, *, since: str | None = None,
          now: dt.datetime | None = None) -> AuditReport:
    """The audit record of the repository (events at or after ``since``, when given).

    Rows whose time is unknown (a file that does not parse and whose name holds no time)
    are always included.
    """
    report = evaluate_repo(project, lint=False, now=now)
    rows = audit_rows(report, project.registry)
    start = parse_since(since) if since else None
    if start:
        rows = [r for r in rows if r.at is None or r.at >= start]
    return AuditReport(rows, format_time(report.now), report.ledger.tip, start,
                       list(report.notes))
