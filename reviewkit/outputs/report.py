"""``reviewkit report --html DIR``: a static, self-contained dashboard of the catalogue.

Everything shown is computed by the library: the status of each article is
:meth:`reviewkit.review.status.StatusReport.to_dict` (what ``status --format json`` prints), the
audit trail of each article is :func:`reviewkit.outputs.audit.audit_rows`, the diff awaiting review
is :func:`reviewkit.review.diffs.diff_since_approved`. Jinja2 templates only lay it out.

The pages need nothing but a browser: no CDN, no external file, inline CSS and vanilla JS,
a Content-Security-Policy that forbids any network access, and they work from ``file://``.
The directory is built beside ``DIR`` and swapped in (as ``publish`` does), so ``DIR`` is
the old dashboard or the new one, never half of each.

Layer: outputs/ (may import base/, rules/, article/, record/, review/).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from reviewkit.article.frontmatter import MAX_FILE_BYTES
from reviewkit.base.errors import EnvError
from reviewkit.base.fsutil import check_output_dir, staged_directory
from reviewkit.base.model import EVENT_KINDS, STATES, check_time_range, parse_time
from reviewkit.outputs.audit import AuditRow, audit_rows
from reviewkit.outputs.render import LABEL, jinja_env, signoff
from reviewkit.record.project import Project
from reviewkit.review.diffs import diff_since_approved
from reviewkit.review.policy import ArticleStatus
from reviewkit.review.status import StatusReport, due_list, evaluate_repo

MARKER = "dashboard.json"  # written with every dashboard; an existing DIR must hold it
MAX_DIFF_LINES = 3000
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class ArticlePage:
    """One article's page: its status, its audit trail and the diff awaiting review."""

    file: str  # relative to DIR, e.g. articles/coping-with-worry.html
    status: ArticleStatus
    row: dict[str, Any]
    events: list[AuditRow]
    diff: list[tuple[str, str]] = field(default_factory=list)  # (css class, line)
    diff_note: str = ""


@dataclass
class Bucket:
    label: str
    start: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Timeline:
    unit: str  # day | week | month
    buckets: list[Bucket]

    @property
    def peak(self) -> int:
        return max((b.total for b in self.buckets), default=0)

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "buckets": [
            {"label": b.label, "start": b.start, "counts": b.counts, "total": b.total}
            for b in self.buckets]}


@dataclass
class DashboardData:
    report: StatusReport
    within_days: int
    status: dict[str, Any]  # StatusReport.to_dict(): the numbers of `status --format json`
    counts: dict[str, int]  # every state, zeros included
    rows: list[dict[str, Any]]
    pages: list[ArticlePage]
    events: list[AuditRow]
    timeline: Timeline
    orphans: list[AuditRow]  # events of articles that are not in the catalogue
    reading: dict[str, Any] = field(default_factory=dict)  # the catalogue's reading level

    def to_json(self) -> dict[str, Any]:
        """The data embedded in the dashboard (and written to dashboard.json)."""
        return {
            "generator": "reviewkit",
            "within_days": self.within_days,
            "counts": self.counts,
            "due_soon": [r["path"] for r in self.rows if r["due_class"]],
            "rows": self.rows,
            "timeline": self.timeline.to_dict(),
            "status": self.status,
            "reading": self.reading,
        }


@dataclass
class Dashboard:
    out: Path
    articles: int
    pages: int
    counts: dict[str, int]
    events: int


# --- data ------------------------------------------------------------------------------------


def _page_names(statuses: list[ArticleStatus]) -> list[str]:
    """A unique, safe file name per article: its slug, else its file name."""
    used: set[str] = set()
    names = []
    for s in statuses:
        base = s.slug if s.slug and not _SAFE_NAME.search(s.slug) else Path(s.path).stem
        base = _SAFE_NAME.sub("-", base).strip(".-")[:80] or "article"
        name, n = base, 1
        while name.lower() in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name.lower())
        names.append(f"articles/{name}.html")
    return names


def _row(d: dict[str, Any], page: str, due_class: str,
         names: dict[str, str]) -> dict[str, Any]:
    """One table row, from the article's ``status --format json`` object."""
    shown = signoff(d)
    reviewer = credential = last_reviewed = None
    if shown:
        reviewer, credential, last_reviewed = shown.reviewer, shown.credential, shown.date
    elif d["requested_reviewer"]:
        asked = d["requested_reviewer"]
        reviewer = f"{names.get(asked, asked)} (requested)"
    state = d["state"]
    row = {
        "path": d["path"], "id": d["id"], "title": d["title"] or d["path"], "state": state,
        "state_label": LABEL[state], "state_order": STATES.index(state), "draft": d["draft"], "reviewer": reviewer,
        "credential": credential, "last_reviewed": last_reviewed, "due": d["due"],
        "due_class": due_class, "reasons": d["reasons"], "fix": d["fix"], "page": page,
        "readability": d.get("readability"),
    }
    search = [row["title"], d["path"], d["id"] or "", LABEL[state], reviewer or "",
              credential or "", *d["reasons"]]
    row["search"] = " ".join(search).lower()
    return row


def _diff(project: Project, s: ArticleStatus, approved: dict[str, bytes | None]
          ) -> tuple[list[tuple[str, str]], str]:
    try:
        path = project.root / s.path
        if path.is_symlink() or not path.is_file():
            return [], "the file cannot be read as an article"
        current = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return [], f"the file cannot be read: {exc.strerror}"
    last = s.last_approved.event if s.last_approved else None
    who = (s.last_approved.reviewer.name if s.last_approved and s.last_approved.reviewer
           else last.actor if last else "")
    old: bytes | None = None
    note = ""
    if last is not None:
        old = approved.get(last.blob)
        if old is None:
            return [], (f"the approved version ({last.blob[:12]}) is not in this clone; "
                        "fetch the full history to see the diff")
        note = f"changes since the version approved on {last.at[:10]} by {who}"
    else:
        note = "never approved: the whole article awaits review"
    lines = diff_since_approved(s.path, current, old, last)
    if last is not None and not lines:
        note = f"no changes since the version approved on {last.at[:10]} by {who}"
    out = []
    for line in lines[:MAX_DIFF_LINES]:
        if line.startswith(("+++", "---")):
            kind = "meta"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        elif line.startswith("@@"):
            kind = "hunk"
        else:
            kind = "ctx"
        out.append((kind, line))
    if len(lines) > MAX_DIFF_LINES:
        note += f" (first {MAX_DIFF_LINES} of {len(lines)} lines shown)"
    return out, note


def _approved_blobs(project: Project, statuses: list[ArticleStatus]) -> dict[str, bytes | None]:
    wanted = {s.last_approved.event.blob for s in statuses
              if s.last_approved and s.last_approved.event}
    # an article is never larger than MAX_FILE_BYTES: a larger blob is not read (None)
    try:
        blobs = project.repo.read_blobs(sorted(wanted), max_size=MAX_FILE_BYTES)
        return {sha: blobs.get(sha) for sha in wanted}
    except EnvError:  # some are missing (a shallow clone): read what there is, one by one
        out: dict[str, bytes | None] = {}
        for sha in wanted:
            try:
                out[sha] = project.repo.read_blobs([sha], max_size=MAX_FILE_BYTES).get(sha)
            except EnvError:
                out[sha] = None
        return out


def _day(r: AuditRow) -> dt.date | None:
    """The row's UTC day, or None when its time is unreadable or out of the accepted range
    (such an event is a ledger problem; it gets no bar, and the chart no 8000-year axis)."""
    try:
        t = parse_time(r.at or "")
        check_time_range(t, "at")
    except ValueError:
        return None
    return t.date()


def _timeline(rows: list[AuditRow]) -> Timeline:
    """Events per day, week or month (whichever gives a readable number of bars)."""
    days = sorted(d for r in rows if (d := _day(r)) is not None)
    if not days:
        return Timeline("day", [])
    first, last = days[0], days[-1]
    span = (last - first).days
    unit = "day" if span <= 62 else "week" if span <= 7 * 104 else "month"

    def start_of(d: dt.date) -> dt.date:
        if unit == "week":
            return d - dt.timedelta(days=d.weekday())
        if unit == "month":
            return d.replace(day=1)
        return d

    def step(d: dt.date) -> dt.date:
        if unit == "day":
            return d + dt.timedelta(days=1)
        if unit == "week":
            return d + dt.timedelta(days=7)
        return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)

    def label(d: dt.date) -> str:
        if unit == "month":
            return d.strftime("%Y-%m")
        return d.isoformat() if unit == "day" else f"week of {d.isoformat()}"

    buckets: dict[dt.date, Bucket] = {}
    d = start_of(first)
    while d <= last:
        buckets[d] = Bucket(label(d), d.isoformat(), {})
        d = step(d)
    for r in rows:
        day = _day(r)
        if day is None:
            continue
        b = buckets[start_of(day)]
        kind = r.event or "unreadable"
        b.counts[kind] = b.counts.get(kind, 0) + 1
    return Timeline(unit, list(buckets.values()))


def build_dashboard(project: Project, *, within_days: int = 30,
                    now: dt.datetime | None = None) -> DashboardData:
    """Everything the dashboard shows, computed once from the repository."""
    report = evaluate_repo(project, now=now, readability=True)
    status = report.to_dict()
    registry = project.registry
    events = audit_rows(report, registry)
    by_article: dict[str, list[AuditRow]] = {}
    for e in events:
        by_article.setdefault(e.article or "", []).append(e)
    known = {s.article_id for s in report.statuses if s.article_id}
    orphans = [e for e in events if (e.article or "") not in known]

    due = {s.path: ("overdue" if s.state == "expired" else "soon")
           for s in due_list(report, within_days)}
    names = {r.id: r.name for r in registry.reviewers}
    articles: list[dict[str, Any]] = status["articles"]  # type: ignore[assignment]
    files = _page_names(report.statuses)
    approved = _approved_blobs(project, report.statuses)
    rows, pages = [], []
    for s, d, page in zip(report.statuses, articles, files, strict=True):
        row = _row(d, page, due.get(s.path, ""), names)
        rows.append(row)
        diff, note = _diff(project, s, approved)
        pages.append(ArticlePage(page, s, row, by_article.get(s.article_id or "", []) if
                                 s.article_id else [], diff, note))
    counts: dict[str, int] = {state: 0 for state in STATES}
    counts.update(report.counts())
    return DashboardData(report, within_days, status, counts, rows, pages, events,
                         _timeline(events), orphans, _reading(rows, report))


def _reading(rows: list[dict[str, Any]], report: StatusReport) -> dict[str, Any]:
    """The catalogue's reading level: median grade of the graded articles, how many are
    above the target (the readability rule's max_grade)."""
    grades = sorted(r["readability"]["grade"] for r in rows
                    if r.get("readability") and r["readability"]["grade"] is not None)
    target = report.reading_target[0] if report.reading_target else None
    if not grades:
        return {"graded": 0, "median": None, "target": target, "above": 0}
    n = len(grades)
    median = grades[n // 2] if n % 2 else (grades[n // 2 - 1] + grades[n // 2]) / 2
    above = sum(1 for g in grades if target is not None and g > target)
    return {"graded": n, "median": round(median, 1), "target": target, "above": above}


# --- rendering -------------------------------------------------------------------------------


def script_json(value: Any) -> str:
    """JSON for a ``<script type="application/json">``: ``<`` escaped so nothing closes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _asset(name: str) -> str:
    return resources.files("reviewkit").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def render(data: DashboardData, *, title: str = "Review dashboard") -> dict[str, str]:
    """The dashboard's files: relative path → HTML."""
    env = jinja_env(trim_blocks=True)
    common = {
        "css": _asset("dashboard.css"), "guard": _asset("dashboard-guard.js"),
        "labels": LABEL, "states": STATES, "kinds": (*EVENT_KINDS, "unreadable"),
        "generated_at": data.status["generated_at"], "events_tip": data.status["events_tip"],
        "title": title,
    }
    out: dict[str, str] = {}
    index = env.get_template("dashboard.html.j2")
    out["index.html"] = index.render(
        **common, data=data, json_data=script_json(data.to_json()), js=_asset("dashboard.js"),
        total=sum(data.counts.values()),
        recent=list(reversed(data.events[-20:])),
        pages_by_article={p.status.article_id: p.file for p in data.pages if p.status.article_id},
    )
    page_template = env.get_template("dashboard_article.html.j2")
    for p in data.pages:
        out[p.file] = page_template.render(**common, page=p, s=p.status, row=p.row)
    return out


def write_dashboard(project: Project, out: Path, *, within_days: int = 30,
                    now: dt.datetime | None = None) -> Dashboard:
    """Build the dashboard into a temporary directory beside ``out``, then swap it in."""
    out = Path(os.path.abspath(out))
    check_output_dir(out, MARKER, f"--html {out}", "dashboard")
    data = build_dashboard(project, within_days=within_days, now=now)
    files = render(data, title=f"Review dashboard — {project.root.name}")
    with staged_directory(out, mode=0o755) as tmp:  # mkdtemp makes it 0700
        (tmp / "articles").mkdir()
        for rel, text in files.items():
            (tmp / rel).write_text(text, encoding="utf-8")
        (tmp / MARKER).write_text(
            json.dumps(data.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return Dashboard(out, len(data.rows), len(data.pages), data.counts, len(data.events))


