"""The state of the catalogue: articles + ledger + registry + policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from reviewkit.catalogue import Catalogue, load_catalogue
from reviewkit.findings import Finding
from reviewkit.ledger import EVENTS_REF, Ledger, StoredEvent, read_ledger
from reviewkit.policy import ArticleStatus, evaluate
from reviewkit.project import Project


@dataclass
class StatusReport:
    statuses: list[ArticleStatus]
    catalogue: Catalogue
    ledger: Ledger
    now: dt.datetime
    max_age_days: int = 365
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.statuses:
            out[s.state] = out.get(s.state, 0) + 1
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "generated_at": self.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "events_ref": EVENTS_REF,
            "events_tip": self.ledger.tip,
            "counts": self.counts(),
            "notes": self.notes,
            "articles": [s.to_dict() for s in self.statuses],
            "ledger_problems": [
                {"event": e.name, "problem": e.problem} for e in self.ledger.problems
            ],
        }


def _invalid_reasons(findings: Sequence[Finding]) -> list[str]:
    errors = [f for f in findings if f.is_error]
    reasons = [f"{f.format()}" for f in errors[:3]]
    if len(errors) > 3:
        reasons.append(f"… and {len(errors) - 3} more error(s)")
    return reasons


def evaluate_repo(project: Project, paths: Sequence[str] = (), *,
                  now: dt.datetime | None = None, lint: bool = True) -> StatusReport:
    """Evaluate every article (or ``paths``) against the ledger and the policy."""
    from reviewkit.signing import SignatureCache

    now = now or dt.datetime.now(dt.timezone.utc)
    catalogue = load_catalogue(project, paths, lint=lint)
    ledger = read_ledger(project.repo)
    registry = project.registry
    by_article = ledger.by_article()
    cache = SignatureCache()
    report = StatusReport([], catalogue, ledger, now, project.config.policy.max_age_days)
    if ledger.tip is None:
        report.notes.append(
            f"no review events: {EVENTS_REF} does not exist here "
            "(run `reviewkit sync` to fetch it, or `reviewkit submit` to start)"
        )
    for r in catalogue.results:
        events: list[StoredEvent] = by_article.get(r.article_id, []) if r.article_id else []
        errors = [f for f in r.findings if f.is_error]
        report.statuses.append(evaluate(
            r.article, r.path, events, registry, project.config.policy, now,
            invalid_reasons=_invalid_reasons(errors), front_matter=r.front_matter, cache=cache,
        ))
    for f in catalogue.findings:
        report.statuses.append(ArticleStatus(path=f.path, state="invalid", reasons=[f.format()],
                                             fix=f"reviewkit validate {f.path}"))
    return report


def review_queue(report: StatusReport, reviewer: str | None = None) -> list[ArticleStatus]:
    """Articles awaiting a clinical reviewer, oldest submission first."""
    waiting = [s for s in report.statuses if s.state in ("in_review", "stale", "expired")]
    if reviewer is not None:
        waiting = [s for s in waiting if s.requested_reviewer == reviewer]
    return sorted(waiting, key=lambda s: (s.submitted_at or "9999", s.path))


def parse_window(text: str) -> int:
    """``30d`` / ``6w`` / ``3m`` / ``45`` → days."""
    import re

    from reviewkit.errors import UsageError

    m = re.fullmatch(r"\s*(\d+)\s*([dwm]?)\s*", text)
    if not m:
        raise UsageError(f"--within {text!r}: use days like 30d, weeks like 6w, or months like 3m")
    n = int(m.group(1))
    return n * {"": 1, "d": 1, "w": 7, "m": 30}[m.group(2)]


def due_list(report: StatusReport, within_days: int) -> list[ArticleStatus]:
    """Approved articles whose approval expires within the window, and expired ones."""
    horizon = (report.now + dt.timedelta(days=within_days)).date()
    out = [s for s in report.statuses
           if (s.state == "approved" and s.due and s.due <= horizon) or s.state == "expired"]
    return sorted(out, key=lambda s: (s.due or dt.date.min, s.path))

