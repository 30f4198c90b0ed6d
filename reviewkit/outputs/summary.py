"""The Markdown report of a check, for a CI job summary and a pull-request comment.

One report per run of ``gate`` or ``validate``: a headline, the articles (or findings) of
the change first, every other problem below, and what passed folded in ``<details>``.
Every string that comes from the repository (titles, paths, messages) is escaped: it can
neither break a table nor inject HTML or a mention. No network: the CI job posts it.

Layer: outputs/ (may import base/, rules/, article/, record/, review/).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewkit.base.digest import short
from reviewkit.base.findings import Finding
from reviewkit.base.fsutil import write_atomic
from reviewkit.outputs.gate import GateResult, gate_rule
from reviewkit.review.policy import ArticleStatus

MARKER = "<!-- reviewkit -->"
# A pull-request comment holds at most 65,536 characters; a job summary at most 1 MiB.
COMMENT_LIMIT = 60_000
SUMMARY_LIMIT = 900_000

_LABEL = {
    "approved": "approved", "draft": "not submitted", "in_review": "in review",
    "changes_requested": "changes requested", "stale": "stale", "expired": "expired",
    "source_changed": "source changed",
    "invalid": "invalid",
}
# bidirectional overrides and isolates reorder what a reader sees ("Trojan Source")
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}
# Newlines are gone, so nothing starts a line: block syntax (#, -, 1.) cannot apply; these
# are the characters that mean something inside a line (links, emphasis, code, cells, math).
_MD_PUNCT = set("\\`*_[]|~$")


def clean(text: str) -> str:
    """One line without control characters: line breaks and tabs become spaces; other
    control, bidi and line-separator characters are dropped."""
    out = []
    for ch in text:
        if ch in "\r\n\t\u2028\u2029\x85":
            out.append(" ")
        elif ch in _BIDI or unicodedata.category(ch) == "Cc":
            continue
        else:
            out.append(ch)
    return "".join(out)


def md_text(text: str) -> str:
    """Plain text for Markdown (a table cell or a list item): punctuation that Markdown
    reads is backslash-escaped, ``& < >`` become entities, ``@`` cannot mention anyone."""
    escaped = "".join("\\" + ch if ch in _MD_PUNCT else ch for ch in clean(text))
    return (escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("@", "@&#8203;"))


def md_code(text: str) -> str:
    """A code span safe inside a table cell (HTML inside a code span is shown, not run)."""
    body = clean(text).replace("|", "\\|")
    if not body.strip():
        return "—"
    longest = run = 0
    for ch in body:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    return f"{fence}{body}{fence}"


def _next_step(fix: str | None) -> str:
    """``a clinical reviewer runs: reviewkit approve X`` → words, then the command as code."""
    if not fix:
        return "—"
    for start in ("reviewkit ", "git "):
        i = fix.find(start)
        if i == 0:
            return md_code(fix)
        if i > 0:
            return f"{md_text(fix[:i].strip())} {md_code(fix[i:])}"
    return md_text(fix)


def _article_cell(s: ArticleStatus) -> str:
    title = md_text(s.title) if s.title else "(no title)"
    return f"{title}<br>{md_code(s.path)}"


def _digests(s: ArticleStatus) -> str:
    last = s.to_dict().get("last_approved") or {}
    before = last.get("digest") if isinstance(last, dict) else None
    now = short(s.digest) if s.digest else "—"
    if before and before == s.digest:
        return md_code(now)
    return f"{md_code(short(before)) if before else 'never approved'} → {md_code(now)}"


def _status_row(s: ArticleStatus) -> str:
    state = _LABEL.get(s.state, s.state)
    if s.draft and s.state != "invalid":
        state += " · draft: true, not gated"
    reasons = "; ".join(s.reasons)
    state_cell = f"**{md_text(state)}**" + (f"<br>{md_text(reasons)}" if reasons else "")
    asked = md_text(s.requested_reviewer) if s.requested_reviewer else "—"
    fix = "—" if s.state == "approved" else _next_step(s.fix)
    return (f"| {_article_cell(s)} | {state_cell} | {_digests(s)} | {asked} | {fix} |")


_STATUS_HEAD = ("| Article | State | Approved → current digest | Reviewer asked | Next |\n"
                "| --- | --- | --- | --- | --- |")


def _approved_row(s: ArticleStatus) -> str:
    approvals = s.to_dict().get("approvals") or []
    who = "—"
    if approvals:
        first = approvals[0]
        who = md_text(str(first.get("name") or first.get("actor") or "?"))
        if first.get("credential"):
            who += f", {md_text(str(first['credential']))}"
        who += f" on {md_text(str(first.get('at') or '')[:10])}"
    due = md_text(s.due.isoformat()) if s.due else "—"
    digest = md_code(short(s.digest)) if s.digest else "—"
    return f"| {_article_cell(s)} | {who} | {digest} | {due} |"


_APPROVED_HEAD = ("| Article | Approved by | Digest | Re-review due |\n"
                  "| --- | --- | --- | --- |")


@dataclass
class _Section:
    """A heading and table rows that can be cut short to fit a size limit."""

    title: str
    head: str
    rows: list[str]
    folded: bool = False
    empty: str = ""

    def render(self, keep: int | None = None) -> str:
        rows = self.rows if keep is None else self.rows[:keep]
        cut = len(self.rows) - len(rows)
        if not self.rows:
            return f"{self.title}\n\n{self.empty}\n" if self.empty else ""
        table = "\n".join([self.head, *rows])
        if cut:
            table += (f"\n\n… and {cut} more, not shown: the report is limited in size "
                      "(all are in `reviewkit gate` / `reviewkit validate` output).")
        if self.folded:
            return f"<details><summary>{self.title}</summary>\n\n{table}\n\n</details>\n"
        return f"{self.title}\n\n{table}\n"


def _assemble(head: str, sections: list[_Section], limit: int) -> str:
    """Head and sections within ``limit`` bytes: folded sections shrink first, then the
    last sections; the headline and the change's own rows are kept longest."""
    keep: list[int | None] = [None] * len(sections)

    def text() -> str:
        parts = [head] + [s.render(k) for s, k in zip(sections, keep, strict=True)]
        return "\n".join(p for p in parts if p)

    order = sorted(range(len(sections)), key=lambda i: (not sections[i].folded, -i))
    for i in order:
        if len(text().encode()) <= limit:
            break
        lo, hi = 0, len(sections[i].rows)
        while lo < hi:  # the most rows of this section that fit
            mid = (lo + hi + 1) // 2
            keep[i] = mid
            if len(text().encode()) <= limit:
                lo = mid
            else:
                hi = mid - 1
        keep[i] = lo
    return text()


def gate_markdown(result: GateResult, changed: Collection[str] | None = None, *,
                  trust_ref: str | None = None, limit: int = SUMMARY_LIMIT) -> str:
    """The gate's report: headline, the change's articles, other blocked, approved folded."""
    total = len(result.blocked) + len(result.passed_articles)
    drafts = len(result.drafts)
    if result.passed:
        headline = f"### ✅ reviewkit gate passed: {len(result.passed_articles)} of {total} " \
                   f"articles approved"
    else:
        headline = f"### ❌ reviewkit gate: {len(result.blocked)} of {total} articles blocked"
        if result.failures:
            count = len(result.failures)
            headline += f", {count} repository problem{'s' if count != 1 else ''}"
    lines = [headline, ""]
    facts = [f"{drafts} draft{'s' if drafts != 1 else ''} ignored"]
    if trust_ref:
        facts.append(f"reviewers and policy from {md_code(trust_ref)}")
    lines.append(" · ".join(facts))
    lines.append("")
    for f in result.failures:
        lines.append(f"- **Repository problem:** {md_text(f)}")
    for note in result.notes:
        lines.append(f"- Note: {md_text(note)}")
    for s in result.warnings:  # passed, kept live by the policy: say so
        lines.append(f"- **Warning:** {md_code(s.path)}: {md_text('; '.join(s.reasons))}")
    head = "\n".join(lines).rstrip() + "\n"

    sections: list[_Section] = []
    if changed is not None:
        mine = [s for s in [*result.blocked, *result.passed_articles, *result.drafts]
                if s.path in changed]
        mine.sort(key=lambda s: (s.state == "approved", s.draft, s.path))
        sections.append(_Section(f"#### Articles this change touches ({len(mine)})",
                                 _STATUS_HEAD, [_status_row(s) for s in mine],
                                 empty="This change touches no article."))
        others = [s for s in result.blocked if s.path not in changed]
        title = f"#### Other blocked articles ({len(others)})"
    else:
        others = list(result.blocked)
        title = f"#### Blocked articles ({len(others)})"
    others.sort(key=lambda s: (gate_rule(s.state), s.path))
    sections.append(_Section(title, _STATUS_HEAD, [_status_row(s) for s in others]))
    approved = sorted((s for s in result.passed_articles
                       if changed is None or s.path not in changed), key=lambda s: s.path)
    sections.append(_Section(f"{len(approved)} approved article{'s' if len(approved) != 1 else ''}",
                             _APPROVED_HEAD, [_approved_row(s) for s in approved], folded=True))
    return _assemble(head, sections, limit)


def _finding_row(f: Finding) -> str:
    where = f.path + (f":{f.line}:{f.col or 1}" if f.line else "")
    message = f.message + (f" (suggestion: {f.suggestion})" if f.suggestion else "")
    return f"| {md_code(where)} | {md_text(f.level)} | {md_code(f.rule)} | {md_text(message)} |"


_FINDING_HEAD = "| Where | Level | Rule | Message |\n| --- | --- | --- | --- |"


def validate_markdown(findings: Sequence[Finding], paths: Sequence[str],
                      changed: Collection[str] | None = None, *,
                      limit: int = SUMMARY_LIMIT) -> str:
    """``validate``'s report: headline, the change's findings, other findings, clean files
    folded."""
    errors = sum(1 for f in findings if f.level == "error")
    warnings = sum(1 for f in findings if f.level == "warning")
    files = len(paths)
    noun = f"{files} file{'s' if files != 1 else ''}"
    if errors:
        headline = (f"### ❌ reviewkit validate: {errors} error{'s' if errors != 1 else ''}, "
                    f"{warnings} warning{'s' if warnings != 1 else ''} in {noun}")
    elif warnings:
        headline = f"### ✅ reviewkit validate passed with {warnings} " \
                   f"warning{'s' if warnings != 1 else ''} in {noun}"
    else:
        headline = f"### ✅ reviewkit validate passed: {noun}, no problems found"
    order = sorted(findings, key=lambda f: (f.level != "error", f.path, f.line, f.col))
    sections: list[_Section] = []
    if changed is not None:
        mine = [f for f in order if f.path in changed]
        sections.append(_Section(f"#### Findings in files this change touches ({len(mine)})",
                                 _FINDING_HEAD, [_finding_row(f) for f in mine],
                                 empty="No findings in the files this change touches."))
        rest = [f for f in order if f.path not in changed]
        title = f"#### Other findings ({len(rest)})"
    else:
        rest = order
        title = f"#### Findings ({len(rest)})"
    sections.append(_Section(title, _FINDING_HEAD, [_finding_row(f) for f in rest]))
    flagged = {f.path for f in findings}
    clean_files = sorted(p for p in paths if p not in flagged)
    sections.append(_Section(
        f"{len(clean_files)} file{'s' if len(clean_files) != 1 else ''} without findings",
        "| File |\n| --- |", [f"| {md_code(p)} |" for p in clean_files], folded=True))
    return _assemble(headline + "\n", sections, limit)


def as_comment(markdown: str) -> str:
    """The report as a sticky pull-request comment: the hidden marker finds it again."""
    return f"{MARKER}\n{markdown}"


def append_summary(path: Path, markdown: str) -> None:
    """Append one report to a job-summary file (GITHUB_STEP_SUMMARY), all or nothing."""
    try:
        before = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        before = ""
    sep = "\n" if before and not before.endswith("\n") else ""
    write_atomic(path.resolve(), before + sep + markdown + ("" if markdown.endswith("\n") else "\n"))


def report_targets(summary: str | None, environ: Any) -> Path | None:
    """Where the job summary goes: ``--summary FILE``, else ``$GITHUB_STEP_SUMMARY``."""
    target = summary or environ.get("GITHUB_STEP_SUMMARY") or None
    return Path(target) if target else None
