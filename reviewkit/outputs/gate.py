"""The CI gate: pass only if every non-draft article is valid and approved under the policy.

Fails closed: a missing events ref, an unreadable file, an event that does not parse or a
rewritten events history is a failure with its reason, never a pass.

Layer: outputs/ (may import base/, rules/, article/, record/, review/).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from reviewkit.base.errors import EnvError
from reviewkit.base.findings import Finding
from reviewkit.base.git import ResolvedRef
from reviewkit.record.cache import Cache
from reviewkit.record.ledger import EVENTS_REF
from reviewkit.record.project import Project
from reviewkit.review.policy import ArticleStatus
from reviewkit.review.status import StatusReport, evaluate_repo

FETCH_HINT = "git fetch origin '+refs/reviewkit/*:refs/reviewkit/*'"


@dataclass
class GateResult:
    report: StatusReport
    blocked: list[ArticleStatus] = field(default_factory=list)
    passed_articles: list[ArticleStatus] = field(default_factory=list)
    drafts: list[ArticleStatus] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # not tied to one article
    notes: list[str] = field(default_factory=list)
    # passed, with a warning: translations whose source changed, kept live by the policy
    warnings: list[ArticleStatus] = field(default_factory=list)
    trusted: ResolvedRef | None = None  # the trust ref as pinned, for the report header
    expected_ancestor: ResolvedRef | None = None  # --expect-events-ancestor as pinned

    @property
    def passed(self) -> bool:
        return not self.blocked and not self.failures

    def to_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "failures": self.failures,
            "notes": self.notes,
            "warnings": [s.to_dict() for s in self.warnings],
            "blocked": [s.to_dict() for s in self.blocked],
            "approved": [s.to_dict() for s in self.passed_articles],
            "drafts_ignored": [s.path for s in self.drafts],
            "events_tip": self.report.ledger.tip,
            "trust_ref": ({"ref": t.full, "commit": t.commit, "given": t.given}
                          if (t := self.trusted) else None),
            "expect_events_ancestor": ({"ref": a.full, "commit": a.commit, "given": a.given}
                                       if (a := self.expected_ancestor) else None),
        }

    def findings(self) -> list[Finding]:
        """The gate's verdicts as findings (SARIF, GitLab): one per repository problem,
        note and blocked article; rule ids ``gate-<state>`` (docs/rules.md#gate-results)."""
        out = [Finding("", 0, 0, "error", "gate-repository", f) for f in self.failures]
        out += [Finding("", 0, 0, "info", "gate-note", n) for n in self.notes]
        out += [Finding(s.path, 0, 0, "warning", gate_rule(s.state), kept_message(s))
                for s in self.warnings]
        for s in self.blocked:
            label = "not submitted" if s.state == "draft" else s.state.replace("_", " ")
            text = f"{label}: {'; '.join(s.reasons) or 'not approved'}"
            if s.fix:
                text += f". Fix: {s.fix}"
            out.append(Finding(s.path, 0, 0, "error", gate_rule(s.state), text))
        return out


def kept_message(status: ArticleStatus) -> str:
    """Why a translation passes with a warning, and what to do."""
    text = "; ".join(status.reasons)
    return f"{text}. Fix: {status.fix}" if status.fix else text


def gate_rule(state: str) -> str:
    """The rule id of a blocked article's state: ``gate-stale``, ``gate-unapproved`` …"""
    if state == "draft":  # a non-draft article with no review at all
        return "gate-unapproved"
    return "gate-" + state.replace("_", "-")


def run_gate(project: Project, *, expect_events_ancestor: str | None = None,
             now: dt.datetime | None = None, cache: Cache | None = None,
             use_cache: bool = False, workers: int = 1,
             progress: Callable[[int, int], None] | None = None,
             compact: bool = False, keep_front_matter: bool = False) -> GateResult:
    """Evaluate the whole catalogue for publication (verdicts identical with or without
    ``cache`` and for any number of ``workers``). ``use_cache``: open the repository's
    cache and save it after the run. ``compact``: keep each verdict as a cached run
    does, without its judged events (memory bounded however long the ledger; the
    ``gate`` command). ``keep_front_matter``: each parsed article keeps its front matter
    (``publish`` renders it instead of parsing it again)."""
    # The gate decides on review state and front-matter validity; the content rules are
    # `reviewkit validate`'s (CI runs both), which keeps the gate within its I/O budget.
    pinned = None
    if expect_events_ancestor:
        try:
            pinned = project.repo.resolve_ref(expect_events_ancestor, "--expect-events-ancestor")
        except EnvError:
            pinned = None  # reported below as not found
    # the tip CI saw last was checked append-only by that run: check only what came since
    report = evaluate_repo(project, now=now, lint=False, cache=cache, use_cache=use_cache,
                           workers=workers, progress=progress, compact=compact,
                           history_checked=pinned.commit if pinned else None,
                           keep_front_matter=keep_front_matter)
    result = GateResult(report, trusted=project.trusted)
    ledger = report.ledger
    publishable = [s for s in report.statuses if not (s.draft and s.state != "invalid")]
    if project.setup_base is not None:
        _setup_change(project, result, publishable)
    elif ledger.tip is None and publishable:
        result.failures.append(missing_events_message(len(publishable)))
    elif ledger.tip is None:
        result.notes.append(
            f"no review has been recorded yet ({EVENTS_REF} does not exist here); every "
            "article is a draft, so nothing needs one. Next: reviewkit submit PATH for an "
            "article that is ready"
        )
    result.failures.extend(report.history_problems)
    for e in report.problems:
        result.failures.append(f"event {e.name} on {EVENTS_REF} does not count and was not "
                               f"expected: {e.problem}")
    if expect_events_ancestor:
        expected = pinned.commit if pinned else None
        result.expected_ancestor = pinned
        if expected is None:
            result.failures.append(
                f"--expect-events-ancestor {expect_events_ancestor}: not found in this "
                f"repository (fetch it, or pass the commit id CI saw last)"
            )
        elif ledger.tip is None or not project.repo.is_ancestor(expected, ledger.tip):
            result.failures.append(
                f"{EVENTS_REF} was rewritten: it no longer contains {expected[:12]} "
                f"(--expect-events-ancestor). Deleted events could revive an approval; "
                "restore the ref from a clone that has the full history"
            )
    changed = project.changed_trusted_files()
    for rel in changed:
        result.notes.append(
            f"this change edits {rel}; the gate used the version at {project.trust_label}; "
            "changes to it take effect once merged"
        )
    if project.config.registry in changed:
        result.notes.extend(_after_merge(project, report, now, workers))
    for s in report.statuses:
        if s.draft and s.state != "invalid":
            result.drafts.append(s)
        elif s.state == "approved":
            result.passed_articles.append(s)
        elif s.state == "source_changed" and s.live:
            # policy.translations.source_changed: keep: its approved version stays live
            result.passed_articles.append(s)
            result.warnings.append(s)
        else:
            result.blocked.append(s)
    return result


def _after_merge(project: Project, report: StatusReport, now: dt.datetime | None,
                 workers: int) -> list[str]:
    """A note naming the articles that pass now but would be blocked under the change's own
    reviewers.yaml once it is merged: a reviewer removed, a key ended too early or a role
    taken away un-counts approvals that CI, judging with the base's registry, still counts
    on the pull request. Only the registry is the change's: its configuration and schema
    stay the base's (a schema from the change under test is never run). Never a verdict."""
    from dataclasses import replace

    from reviewkit.base.errors import ReviewkitError
    from reviewkit.record.config import parse_registry

    rel = project.config.registry
    path = project.root / rel
    try:
        if not path.is_file() or path.is_symlink():
            return [f"once merged, this change leaves no {rel}: no approval would count"]
        after = evaluate_repo(replace(project, _registry=parse_registry(path.read_bytes(), rel),
                                      _linter=None),
                              now=now, lint=False, workers=workers, compact=True,
                              # this run checked the events history up to this tip already
                              history_checked=report.ledger.tip)
    except (ReviewkitError, OSError) as err:
        return [f"once merged, this change's {rel} would not load: {err}"]
    passing = {s.path for s in report.statuses if s.state == "approved"}
    lost = sorted(s.path for s in after.statuses if s.path in passing and s.state != "approved")
    if not lost:
        return []
    shown = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
    one = len(lost) == 1
    return [f"once merged, this change would block {len(lost)} article{'' if one else 's'} "
            f"that {'passes' if one else 'pass'} now: {shown} (see why: reviewkit status on "
            "this branch)"]


def missing_events_message(count: int) -> str:
    """Why the gate fails with no events ref, and the two ways on (fetch, or record)."""
    n = f"{count} non-draft article{'s' if count != 1 else ''}"
    return (
        f"no review events in this clone: {EVENTS_REF} does not exist, so the {n} cannot "
        f"pass. If reviews were recorded and shared (reviewkit sync), fetch them: "
        f"{FETCH_HINT}. If none was recorded yet, each non-draft article needs one: "
        "reviewkit submit PATH, a clinical reviewer's reviewkit approve, then reviewkit "
        "sync (or keep the article draft: true until then)"
    )


def _setup_change(project: Project, result: GateResult, publishable: list[ArticleStatus]) -> None:
    """The change that adds reviewkit: its base has no configuration to trust, so it may
    pass only when it publishes nothing (fail closed: any non-draft article fails)."""
    from reviewkit.record.project import SETUP_EXPLAINED

    what = SETUP_EXPLAINED.format(ref=project.setup_label)
    if publishable:
        paths = ", ".join(s.path for s in publishable[:5])
        result.failures.append(
            f"{what}; it is checked with its own configuration, so it may publish nothing, but "
            f"it has {len(publishable)} non-draft article(s): {paths}. Set draft: true in "
            "them (or move them to a later change), merge the setup, then submit them for "
            "review"
        )
        return
    result.notes.append(
        f"{what}. It passes because it publishes nothing (every article is a draft); once "
        f"it is merged into {project.setup_target}, every later change is checked against "
        "the configuration and registry there. Next: merge it, then reviewkit new / submit "
        "on a branch"
    )


def junit_xml(result: GateResult) -> str:
    """A JUnit XML report: one test case per article, one per global failure."""
    cases = []
    for s in result.passed_articles:
        cases.append(f'  <testcase classname="reviewkit.gate" name={quoteattr(s.path)}/>')
    for s in result.drafts:
        cases.append(f'  <testcase classname="reviewkit.gate" name={quoteattr(s.path)}>'
                     '<skipped message="draft"/></testcase>')
    for s in result.blocked:
        msg = f"{s.state}: " + "; ".join(s.reasons)
        body = "\n".join([*s.reasons, f"fix: {s.fix}" if s.fix else ""])
        cases.append(f'  <testcase classname="reviewkit.gate" name={quoteattr(s.path)}>'
                     f'<failure message={quoteattr(msg)} type="{s.state}">{escape(body)}'
                     '</failure></testcase>')
    for i, f in enumerate(result.failures):
        cases.append(f'  <testcase classname="reviewkit.gate" name="repository-{i + 1}">'
                     f'<failure message={quoteattr(f)} type="repository">{escape(f)}'
                     '</failure></testcase>')
    failures = len(result.blocked) + len(result.failures)
    total = len(cases)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuite name="reviewkit gate" tests="{total}" failures="{failures}" '
        f'errors="0" skipped="{len(result.drafts)}">\n' + "\n".join(cases) + "\n</testsuite>\n"
    )
