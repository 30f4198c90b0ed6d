"""What the commands print: status, gate, queue, log, due, audit and review, as text for
people and as JSON, CSV or annotations for machines; and the Jinja environment of the HTML
pages. Returns strings or lines of marked spans (:data:`reviewkit.outputs.output.Line`); only the
CLI prints and chooses colours.

Text that comes from articles, events or users is made one-line printable here
(``one_line``); the CLI makes every span printable again before it prints.

Layer: outputs/ (may import base/, rules/, article/, record/, review/).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reviewkit.base.digest import short
from reviewkit.base.model import STATES
from reviewkit.base.printable import one_line as _1
from reviewkit.base.printable import printable
from reviewkit.outputs.output import (
    Format,
    Line,
    capped_annotations,
    github_annotation,
    gitlab_report,
    plain,
    sarif_log,
    to_json,
)

if TYPE_CHECKING:  # imported where used: `status` of one article needs none (import time)
    import jinja2

    from reviewkit.outputs.audit import AuditReport
    from reviewkit.outputs.gate import GateResult
    from reviewkit.review.diffs import ReviewView
    from reviewkit.review.policy import ArticleStatus
    from reviewkit.review.status import StatusReport
    from reviewkit.review.submissions import Submission

LABEL = {
    "approved": "approved", "draft": "draft", "in_review": "in review",
    "changes_requested": "changes requested", "stale": "stale", "expired": "expired",
    "source_changed": "source changed",
    "invalid": "invalid",
}


def render_status(report: StatusReport, fmt: Format) -> str:
    if fmt == "json":
        return to_json(report.to_dict())
    if fmt == "github":
        notes = [github_annotation("error", p, title="reviewkit: events history")
                 for p in report.history_problems]
        for s in report.statuses:
            if s.state != "approved":
                level = "error" if s.state == "invalid" else "notice"
                notes.append(github_annotation(
                    level, f"{LABEL[s.state]}: {'; '.join(s.reasons)}", path=s.path,
                    title=f"reviewkit: {LABEL[s.state]}"))
        return "\n".join(notes)
    return plain(status_lines(report))


def status_lines(report: StatusReport) -> list[Line]:
    """``status`` for people: the articles grouped by state, with reasons and next steps."""
    lines: list[Line] = [[("fail", f"FAIL {p}")] for p in report.history_problems]
    for note in report.notes:
        lines.append([("note", f"note: {_1(note)}")])
    groups = {state: [s for s in report.statuses if s.state == state] for state in STATES}
    for state, items in groups.items():
        if not items:
            continue
        lines.append([(state, f"{LABEL[state]} ({len(items)})")])
        if state == "draft" and len(items) > 1:
            # drafts need no reasons each: one line per article, one hint for the group
            for s in sorted(items, key=lambda s: s.path):
                lines.append([("", f"  {_1(s.path)}  {_1(s.title or '')}")])
            lines.append([("hint", "      → when one is ready: reviewkit submit PATH")])
            continue
        for s in sorted(items, key=lambda s: s.path):
            draft = " [draft]" if s.draft else ""
            digest = f"  {short(s.digest)}" if s.digest else ""
            lines.append([("", f"  {_1(s.path)}{digest}  {_1(s.title or '')}{draft}")])
            first = signoff(s.to_dict()) if s.state == "approved" else None
            if first:
                due = f"; re-review due {s.due}" if s.due else ""
                lines.append([("", f"      approved by {_1(first.byline())} on {first.date}{due}")])
            for reason in s.reasons:
                lines.append([("", f"      {_1(reason)}")])
            if s.fix and s.state != "approved":
                lines.append([("hint", f"      → {_1(s.fix)}")])
    counts = report.counts()
    total = sum(counts.values())
    summary = ", ".join(f"{counts[k]} {LABEL[k]}" for k in STATES if counts.get(k))
    lines.append([("", f"{total} article{'s' if total != 1 else ''}: {summary or 'none'}")])
    return lines


@dataclass(frozen=True)
class Signoff:
    """Who signed an article off, under which credential, when (``due``, the dashboard)."""

    reviewer: str
    credential: str | None
    at: str

    @property
    def date(self) -> str:
        return self.at[:10]

    def byline(self) -> str:
        return f"{self.reviewer}, {self.credential}" if self.credential else self.reviewer


def signoff(status: Mapping[str, Any]) -> Signoff | None:
    """The first counting approval of an article (else its last approved version), from
    its ``status --format json`` object; None when it was never approved."""
    first = status["approvals"][0] if status["approvals"] else status["last_approved"]
    if not first:
        return None
    return Signoff(first["name"] or first["actor"], first["credential"], str(first["at"]))


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
        from reviewkit.outputs.gate import kept_message

        for s in sorted(result.warnings, key=lambda s: s.path):
            items.append(("warning", s.path, github_annotation(
                "warning", kept_message(s), path=s.path,
                title=f"reviewkit gate: {LABEL[s.state]}")))
        for s in sorted(result.blocked, key=lambda s: s.path):
            fix = f" Fix: {s.fix}" if s.fix else ""
            items.append(("error", s.path, github_annotation(
                "error", f"{'; '.join(s.reasons)}.{fix}", path=s.path,
                title=f"reviewkit gate: {'not submitted' if s.state == 'draft' else LABEL[s.state]}")))
        # repository problems concern every change: they stay ahead of any article
        lines += capped_annotations(items, first={"", *first}, more=more)
        lines += [plain([line]) for line in _gate_verdict(result)]
        return "\n".join(lines)
    return plain(gate_lines(result))


def gate_lines(result: GateResult) -> list[Line]:
    """The gate's verdict for people: repository failures, each blocked article, the verdict."""
    lines: list[Line] = []
    for f in result.failures:
        lines.append([("fail", f"FAIL {_1(f)}")])
    for n in result.notes:
        lines.append([("note", f"note: {_1(n)}")])
    for style, word, listed in (("stale", "WARNING", result.warnings),
                                ("blocked", "BLOCKED", result.blocked)):
        for s in sorted(listed, key=lambda s: s.path):
            lines.append([(style, f"{word} {_1(s.path)} [{LABEL[s.state]}]")])
            lines += [[("", f"    {_1(r)}")] for r in s.reasons]
            if s.fix:
                lines.append([("hint", f"    → {_1(s.fix)}")])
    return lines + _gate_verdict(result)


def _gate_verdict(result: GateResult) -> list[Line]:
    total = len(result.blocked) + len(result.passed_articles)
    drafts = f", {len(result.drafts)} draft{'s' if len(result.drafts) != 1 else ''} ignored"
    if result.passed:
        return [[("passed", f"gate passed: {len(result.passed_articles)} of {total} articles "
                            f"approved{drafts}")]]
    problems = f"{len(result.blocked)} of {total} articles blocked"
    if result.failures:
        problems += f", {len(result.failures)} repository problem{'s' if len(result.failures) != 1 else ''}"
    return [[("failed", f"gate FAILED: {problems}{drafts}")]]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def queue_json(items: Sequence[ArticleStatus], elsewhere: Sequence[Submission]) -> str:
    return to_json([s.to_dict() for s in items] + [s.to_dict() for s in elsewhere])


def queue_lines(items: Sequence[ArticleStatus], elsewhere: Sequence[Submission], *,
                mine: bool = False) -> list[Line]:
    """``queue`` for people: each article awaiting review, with the command to review it;
    then those submitted on other branches."""
    if not items and not elsewhere:
        return [[("", "nothing awaits review" + (" from you" if mine else ""))]]
    lines: list[Line] = []
    for s in items:
        since = _1((s.submitted_at or "")[:10])
        who = f" for {_1(s.requested_reviewer)}" if s.requested_reviewer else ""
        lines.append([("", f"{_1(s.path)}  [{s.state}]  {_1(s.title or '')}")])
        if s.state == "source_changed":  # nothing submitted: the translation is updated first
            why = _1(s.reasons[0]) if s.reasons else "the source changed"
            lines.append([("", f"    id {_1(s.article_id or '')}  {why}")])
            lines.append([("hint", f"    → first its editor updates it: {_1(s.fix or '')}")])
            continue
        detail = f"; {_1(s.reasons[0])}" if s.state != "in_review" and s.reasons else ""
        if s.needs_language_review:
            detail += f"; needs a language review ({_1(s.needs_language_review)})"
        lines.append([("", f"    id {_1(s.article_id or '')}  submitted {since or '—'}{who}{detail}")])
        lines.append([("hint", f"    → reviewkit review {_1(s.path)}")])
    for sub in elsewhere:
        st = sub.status
        who = f" for {_1(st.requested_reviewer)}" if st.requested_reviewer else ""
        lines.append([("", f"{_1(st.path)}  [{st.state}]  {_1(st.title or '')}")])
        lines.append([("", f"    id {_1(sub.article_id)}  submitted {_1(sub.event.at[:10])} by "
                           f"{_1(sub.event.actor)}{who} on {_1(sub.where)}")])
        if not sub.present:
            lines.append([("hint", "    → git fetch origin   (brings the branch it was submitted on)")])
        lines.append([("hint", f"    → reviewkit review {_1(sub.article_id)}")])
    lines.append([("", f"{_plural(len(items) + len(elsewhere), 'article')} awaiting review")])
    return lines


def log_json(st: ArticleStatus) -> str:
    from reviewkit.outputs.audit import check_dict

    return to_json({"path": st.path, "id": st.article_id, "state": st.state,
                    "digest": st.digest, "events": [check_dict(c) for c in st.checks]})


_MARK = {True: "signed ✓", False: "signature ✗", None: "unsigned"}


def log_lines(st: ArticleStatus) -> list[Line]:
    """``log`` for people: every event of one article, verified, and whether it counts."""
    lines: list[Line] = [
        [("", f"{_1(st.path)}  {_1(st.title or '')}")],
        [("", f"id {_1(st.article_id or '')}  now {st.digest}  "), (st.state, f"state {st.state}")],
    ]
    if not st.checks:
        lines.append([("", "no review events")])
    from reviewkit.outputs.audit import check_dict

    for c in st.checks:
        d = check_dict(c)
        verdict = "counts" if c.counts else (c.reason or "does not count")
        lines.append([
            ("", f"{_1(d['at'] or '?')[:19]}  {_1(d['event'] or '?'):<18} "
                 f"{_1(d['actor'] or '?'):<12} {_1(d['digest'] or '')[:15]}  "),
            ("signed" if c.verified else "unsigned" if c.verified is None else "bad-signature",
             _MARK[c.verified]),
            ("", f"  {_1(verdict)}"),
        ])
        if d["message"]:
            lines.append([("", f"    “{_1(d['message'])}”")])
    return lines


def due_rows(items: Iterable[ArticleStatus]) -> list[dict[str, Any]]:
    """``due``'s rows (JSON and CSV): the article, when it is due, who approved it."""
    rows = []
    for s in items:
        first = signoff(s.to_dict())
        rows.append({
            "path": s.path, "title": s.title, "state": s.state,
            "due": s.due.isoformat() if s.due else None,
            "reviewer": first.reviewer if first else None,
            "credential": first.credential if first else None,
            "approved_at": first.at if first else None,
        })
    return rows


def due_lines(rows: Sequence[Mapping[str, Any]], days: int) -> list[Line]:
    if not rows:
        return [[("", f"no approval expires within {days} days")]]
    lines: list[Line] = []
    for r in rows:
        who = f"{r['reviewer']}, {r['credential']}" if r["credential"] else r["reviewer"]
        overdue = r["state"] == "expired"
        if r["state"] == "source_changed":  # due now, whatever its approval's own date
            lines.append([("stale", "SOURCE CHANGED"),
                          ("", f" now  {_1(str(r['path']))}  (the source changed; "
                               f"update the translation: reviewkit review {_1(str(r['path']))})")])
            continue
        lines.append([("expired" if overdue else "stale", "OVERDUE" if overdue else "due"),
                      ("", f" {r['due']}  {_1(str(r['path']))}  (approved "
                           f"{_1(str(r['approved_at']))[:10]} by {_1(str(who))})")])
    lines.append([("", f"{_plural(len(rows), 'article')} due for re-review within {days} days")])
    return lines


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """CSV (RFC 4180 row ends) with control characters as visible escapes; the one CSV
    writer of ``due`` and ``audit``."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns))
    w.writeheader()
    w.writerows(rows)
    return "\r\n".join(printable(row) for row in buf.getvalue().split("\r\n"))


def due_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    return csv_text(rows, list(rows[0]) if rows else ["path"])


def audit_csv(result: AuditReport) -> str:
    from reviewkit.outputs.audit import COLUMNS

    return csv_text((r.csv_dict() for r in result.rows), COLUMNS)


_WORDS = re.compile(r"(\[-.*?-\]|\{\+.*?\+\})")


def review_lines(view: ReviewView, path: str, *, word_diff: bool = False) -> list[Line]:
    """``review``: what the diff is against and why, the state, the diff (each line one
    printed line, marked by what it is), and what to do next. ``path`` as the user gave it."""
    st = view.status
    target = st.path if view.target is None else view.target.result.article_id or path
    where = "" if view.target is None else _1(f", {view.target.source}")
    head = f"{_1(st.path)}{where}"
    lines: list[Line] = []
    if view.base is None:
        lines.append([("", f"{head}: never approved; the whole article is new to review")])
    elif view.base_kind == "changes_requested":
        e = view.base
        lines.append([("", f"{head}: changes since {_1(e.actor)} requested changes on {e.at[:10]}")])
        if e.message:
            lines.append([("", f"  they asked: “{_1(e.message)}”")])
    else:
        last = st.last_approved
        assert last is not None
        who = last.reviewer.byline(last.credential) if last.reviewer else view.base.actor
        lines.append([("", f"{head}: changes since the version approved on {view.base.at[:10]} "
                           f"by {_1(who)}")])
    lines.append([("", f"state: {st.state}")])
    if not view.lines:
        lines.append([("", "no changes since that version")])
    for raw in view.lines:
        # one diff line is one printed line: a line feed or ESC in it shows as an escape
        line = _1(raw)
        if word_diff:
            lines.append([(("word-del" if part.startswith("[-") else "word-add")
                           if _WORDS.fullmatch(part) else "", part)
                          for part in _WORDS.split(line) if part])
        elif line.startswith(("+++", "---")):
            lines.append([("diff-file", line)])
        elif line.startswith("+"):
            lines.append([("diff-add", line)])
        elif line.startswith("-"):
            lines.append([("diff-del", line)])
        elif line.startswith("@@"):
            lines.append([("diff-hunk", line)])
        else:
            lines.append([("", line)])
    if st.state == "source_changed" and st.fix:  # the translation needs updating first
        from reviewkit.review.translation_policy import SOURCE_DIFF_HINT

        fix = st.fix.removeprefix(SOURCE_DIFF_HINT.format(path=st.path))
        lines.append([("hint", f"→ the source's changes are above: {_1(fix)}")])
    elif st.state != "approved":
        lines.append([("hint", f"→ reviewkit approve {target}   or   "
                               f"reviewkit request-changes {target} -m …")])
    return lines


def jinja_env(*, trim_blocks: bool = False) -> jinja2.Environment:
    """The Jinja environment of every HTML page (bundle and dashboard): the package's
    templates, HTML autoescaping, and an error for any undefined name."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("reviewkit", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=trim_blocks, lstrip_blocks=trim_blocks,
    )
