"""The state of the catalogue: articles + ledger + registry + policy.

Layer: review/ (may import base/, rules/, article/, record/).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reviewkit.article.content import ArticleResult
from reviewkit.base.findings import Finding
from reviewkit.base.git import HistoryEdit, TreeEntry
from reviewkit.base.model import DECIDING_KINDS, STATES, Policy, Registry, format_time
from reviewkit.base.verdict import ArticleStatus, SourceView, StoredEvent
from reviewkit.base.verdict import CachedVerdict as CachedVerdict  # what a cached verdict is
from reviewkit.base.workers import parallel_map
from reviewkit.record.cache import (
    Cache,
    compact_verdict,
    project_cache,
    restore_verdict,
    verdict_key,
)
from reviewkit.record.cache import open_cache as open_cache  # re-exported: tests and benchmarks
from reviewkit.record.catalogue import Catalogue, load_catalogue, no_gc
from reviewkit.record.ledger import (
    EVENTS_REF,
    Ledger,
    LedgerIndex,
    changed_since,
    describe_edit,
    event_order,
    history_edits,
    index_ledger,
    load_events,
)
from reviewkit.record.project import Project
from reviewkit.review.policy import evaluate, verify_event

NEVER = "9999-12-31T00:00:00.000000Z"


@dataclass
class StatusReport:
    statuses: list[ArticleStatus]
    catalogue: Catalogue
    ledger: Ledger  # the tip, and the event files read in this run (all, without a cache)
    now: dt.datetime
    max_age_days: int = 365
    notes: list[str] = field(default_factory=list)
    problems: list[StoredEvent] = field(default_factory=list)  # event files that do not parse
    # (target grade, min words) when the reading grade was measured (status, dashboard)
    reading_target: tuple[float, int] | None = None
    # commits of the events history that removed or changed an event file (not append-only)
    history: list[HistoryEdit] = field(default_factory=list)

    @property
    def history_problems(self) -> list[str]:
        return [describe_edit(h) for h in self.history]

    def counts(self) -> dict[str, int]:
        """Articles per state; every state is listed, zero included."""
        out: dict[str, int] = dict.fromkeys(STATES, 0)
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
            "articles": self._articles(),
            "ledger_problems": [{"event": e.name, "problem": e.problem} for e in self.problems],
            "history_problems": [{"commit": h.commit, "file": h.path, "problem": d}
                                 for h, d in zip(self.history, self.history_problems, strict=True)],
        }


    def _articles(self) -> list[dict[str, object]]:
        rows = [s.to_dict() for s in self.statuses]
        if self.reading_target is None:
            return rows
        target, min_words = self.reading_target
        measured = {r.path: r.readability for r in self.catalogue.results}
        for row in rows:
            m = measured.get(str(row["path"]))
            # grade null: too short to grade (under the readability rule's min_words)
            row["readability"] = None if m is None else {
                "grade": m[0] if m[1] >= min_words else None, "target": target, "words": m[1]}
        return rows


def _invalid_reasons(findings: Sequence[Finding]) -> list[str]:
    errors = [f for f in findings if f.is_error]
    reasons = [f"{f.format()}" for f in errors[:3]]
    if len(errors) > 3:
        reasons.append(f"… and {len(errors) - 3} more error(s)")
    return reasons


def valid_until(events: Sequence[StoredEvent], policy: Policy, now: dt.datetime) -> str:
    """The first moment at which the article's state could change with no new event:
    an approval reaching ``max_age_days``, or a future-dated event coming within the skew."""
    skew = dt.timedelta(seconds=policy.clock_skew_seconds)
    max_age = dt.timedelta(days=policy.max_age_days)
    moments = []
    for e in events:
        if e.event is None:
            continue
        for t in (e.event.when - skew, e.event.when + max_age):
            if t > now:
                moments.append(t)
    return format_time(min(moments)) if moments else NEVER


def _verify(item: tuple[StoredEvent, Registry]) -> tuple[str, tuple[bool, str]]:
    stored, registry = item
    assert stored.event is not None
    ok, why, _ = verify_event(stored.event, registry)
    return stored.blob, (ok, why)


def evaluate_repo(project: Project, paths: Sequence[str] = (), *,
                  now: dt.datetime | None = None, lint: bool = False,
                  cache: Cache | None = None, use_cache: bool = False, workers: int = 1,
                  progress: Callable[[int, int], None] | None = None,
                  readability: bool = False,
                  history_checked: str | None = None) -> StatusReport:
    """Evaluate every article (or ``paths``) against the ledger and the policy.

    ``invalid`` means the front matter does not validate (what the digest and the decision
    rest on); ``lint=True`` also counts content-rule errors, as ``reviewkit validate`` does.

    ``use_cache``: open the repository's cache for a whole-catalogue run and save it after
    (a selection of ``paths`` never uses it); or pass an open ``cache``. With one,
    unchanged articles are not parsed, event files already known to parse are not read,
    and an article whose content and events are unchanged keeps its verdict (a
    :class:`CachedVerdict`) until it could change by time alone. The verdicts are the same
    either way.

    The events history is checked append-only (``ledger.history_edits``), from
    ``history_checked`` when that commit is an ancestor of the tip.

    The phases: read (the catalogue, with the ledger read meanwhile); reuse cached
    verdicts; verify the new events; decide; record the new verdicts in the cache.
    """
    if use_cache and cache is None and not paths:
        with project_cache(project, lint=lint) as opened:
            return evaluate_repo(project, now=now, lint=lint, cache=opened, workers=workers,
                                 progress=progress, readability=readability,
                                 history_checked=history_checked)
    now = now or dt.datetime.now(dt.timezone.utc)
    catalogue, index, parsed = _read(project, paths, lint=lint, cache=cache, workers=workers,
                                     progress=progress, readability=readability)
    whole = not paths  # a selection reads only its own articles' events
    with no_gc():
        problems = [e for e in parsed.values() if e.problem is not None]
        if cache is not None and whole and not problems:
            cache.set_ledger_ok(index.tip)
        report = _new_report(project, catalogue, index, now, problems, readability,
                             history_checked)
        slots, misses = _reuse_verdicts(cache, catalogue, index, now)
        _read_events(project, misses, parsed, problems if not whole else None)
        verified = _verify_new_events(project.registry, misses, parsed, workers)
        translations = {i: m for i, m in misses.items() if _translation_of(m.result)}
        for i, miss in misses.items():
            if i in translations:
                continue
            st = _decide(project, miss, parsed, verified, now, ledger_missing=index.tip is None)
            _record(cache, miss, st, parsed, project.config.policy, now)
            slots[i] = st
        # translations after the others: each is judged against its source's state
        by_id = {s.article_id: s for s in slots if s is not None and s.article_id}
        for i, miss in translations.items():
            source_id = _translation_of(miss.result)
            assert source_id is not None
            view: SourceView | None
            if source_id in by_id:
                view = SourceView.of(source_id, by_id[source_id])
            elif whole:  # no such article (a `translation` finding says so)
                view = SourceView(source_id)
            else:  # a selection without its source
                from reviewkit.review.translate import source_view

                view = source_view(project, miss.result.summary, now)
            slots[i] = _decide(project, miss, parsed, verified, now,
                               ledger_missing=index.tip is None, source=view)
        report.statuses = [s for s in slots if s is not None]
        report.ledger.events = list(parsed.values())
    for f in catalogue.findings:
        report.statuses.append(ArticleStatus(path=f.path, state="invalid", reasons=[f.format()],
                                             fix=f"reviewkit validate {f.path}"))
    return report


@dataclass
class _Miss:
    """An article whose verdict was not in the cache: decided in this run."""

    result: ArticleResult
    entries: list[TreeEntry]  # its event files
    key: str  # its verdict's cache key ("" without a cache)


def _read(project: Project, paths: Sequence[str], *, lint: bool, cache: Cache | None,
          workers: int, progress: Callable[[int, int], None] | None,
          readability: bool) -> tuple[Catalogue, LedgerIndex, dict[str, StoredEvent]]:
    """Phase 1: the catalogue and the ledger's index; for the whole catalogue, the event
    files (those added since the cached tip) are read and parsed while worker processes
    parse the articles, so git I/O and parsing overlap."""
    repo = project.repo
    parsed: dict[str, StoredEvent] = {}
    ledger_state: list[LedgerIndex] = []

    def read_whole_ledger() -> None:
        index = index_ledger(repo)
        with no_gc():
            for e in load_events(repo, changed_since(repo, index,
                                                     cache.ledger_ok if cache else None)):
                parsed[e.name] = e
        ledger_state.append(index)

    catalogue = load_catalogue(project, paths, lint=lint, cache=cache, workers=workers,
                               progress=progress,
                               meanwhile=None if paths else read_whole_ledger,
                               readability=readability)
    if not paths:
        return catalogue, ledger_state[0], parsed
    index = index_ledger(repo, articles=[r.article_id for r in catalogue.results if r.article_id])
    return catalogue, index, parsed


def _new_report(project: Project, catalogue: Catalogue, index: LedgerIndex, now: dt.datetime,
                problems: list[StoredEvent], readability: bool,
                history_checked: str | None) -> StatusReport:
    report = StatusReport([], catalogue, Ledger(index.tip), now,
                          project.config.policy.max_age_days, problems=problems,
                          reading_target=_reading_target(project) if readability else None,
                          history=history_edits(project.repo, index.tip,
                                                checked=history_checked))
    if index.tip is None:
        report.notes.append(
            f"no review events: {EVENTS_REF} does not exist here "
            "(run `reviewkit sync` to fetch it, or `reviewkit submit` to start)"
        )
    return report


def _reuse_verdicts(cache: Cache | None, catalogue: Catalogue, index: LedgerIndex,
                    now: dt.datetime) -> tuple[list[ArticleStatus | None], dict[int, _Miss]]:
    """Phase 2: each article's verdict from the cache when its inputs are unchanged and
    time alone has not changed it; the others are misses, decided below."""
    now_iso = format_time(now)
    by_dir = index.by_dir()
    slots: list[ArticleStatus | None] = []
    misses: dict[int, _Miss] = {}
    for r in catalogue.results:
        entries = by_dir.get(r.article_id, []) if r.article_id else []
        key = ""
        # a translation's verdict also depends on its source's: never cached
        if cache is not None and not _translation_of(r):
            key = verdict_key(cache, r, _invalid_reasons(r.findings), index.tip is None,
                              [(e.path, e.sha) for e in entries])
            restored = restore_verdict(cache.get_verdict(key, now_iso), r)
            if restored is not None:
                slots.append(restored)
                continue
        misses[len(slots)] = _Miss(r, entries, key)
        slots.append(None)
    return slots, misses


def _read_events(project: Project, misses: dict[int, _Miss], parsed: dict[str, StoredEvent],
                 problems: list[StoredEvent] | None) -> None:
    """The event files of the misses not read yet (all of them for a selection);
    ``problems`` collects the ones that do not parse."""
    needed = [e for m in misses.values() for e in m.entries if e.path not in parsed]
    for e in load_events(project.repo, needed):
        parsed[e.name] = e
        if e.problem is not None and problems is not None:
            problems.append(e)


def _verify_new_events(registry: Registry, misses: dict[int, _Miss],
                       parsed: dict[str, StoredEvent],
                       workers: int) -> dict[str, tuple[bool, str]]:
    """Phase 3: the signatures of the misses' deciding events, in worker processes."""
    to_verify = []
    for m in misses.values():
        for entry in m.entries:
            stored = parsed[entry.path]
            if stored.event is not None and stored.event.event in DECIDING_KINDS:
                to_verify.append((stored, registry))
    return dict(parallel_map(_verify, to_verify, workers))


def _translation_of(r: ArticleResult) -> str | None:
    return r.summary.translation_of if r.summary is not None else None


def _decide(project: Project, miss: _Miss, parsed: dict[str, StoredEvent],
            verified: dict[str, tuple[bool, str]], now: dt.datetime, *,
            ledger_missing: bool, source: SourceView | None = None) -> ArticleStatus:
    """Phase 4: one article's state (:func:`reviewkit.review.policy.evaluate`)."""
    r = miss.result
    events = sorted((parsed[e.path] for e in miss.entries), key=event_order)
    st = evaluate(r.summary, r.path, events, project.registry, project.config.policy, now,
                  invalid_reasons=_invalid_reasons(r.findings), verified=verified,
                  ledger_missing=ledger_missing, source=source)
    if st.state == "stale" and r.asset_states:  # name the asset that changed
        from reviewkit.review.versions import asset_changes

        st.reasons += asset_changes(project, st, r.asset_states)
    return st


def _record(cache: Cache | None, miss: _Miss, st: ArticleStatus,
            parsed: dict[str, StoredEvent], policy: Policy, now: dt.datetime) -> None:
    """Phase 5: keep a new verdict, valid until time alone could change it."""
    if cache is None:
        return
    events = [parsed[e.path] for e in miss.entries]
    cache.put_verdict(miss.key, compact_verdict(st), format_time(now),
                      valid_until(events, policy, now))


def _reading_target(project: Project) -> tuple[float, int]:
    from reviewkit.record.project import rules_config
    from reviewkit.rules import readability as rule

    options = rule.Options.model_validate(rules_config(project.config).readability.options)
    return options.max_grade, options.min_words


def review_queue(report: StatusReport, reviewer: str | None = None) -> list[ArticleStatus]:
    """Articles awaiting a clinical reviewer, oldest submission first."""
    waiting = [s for s in report.statuses
               if s.state in ("in_review", "stale", "expired", "source_changed")]
    if reviewer is not None:
        waiting = [s for s in waiting if s.requested_reviewer == reviewer]
    return sorted(waiting, key=lambda s: (s.submitted_at or "9999", s.path))


def parse_window(text: str) -> int:
    """``30d`` / ``6w`` / ``3m`` / ``45`` → days."""
    import re

    from reviewkit.base.errors import UsageError

    m = re.fullmatch(r"\s*(\d+)\s*([dwm]?)\s*", text)
    if not m:
        raise UsageError(f"{text!r}: use days like 30d, weeks like 6w, or months like 3m")
    n = int(m.group(1)) * {"": 1, "d": 1, "w": 7, "m": 30}[m.group(2)]
    if n > 36500:
        raise UsageError(f"{text!r}: at most 100 years (36500d)")
    return n


def due_list(report: StatusReport, within_days: int) -> list[ArticleStatus]:
    """Approved articles whose approval expires within the window, and expired ones; a
    translation whose source changed is listed too (its re-review is due now)."""
    horizon = (report.now + dt.timedelta(days=within_days)).date()
    out = [s for s in report.statuses
           if (s.state == "approved" and s.due and s.due <= horizon)
           or s.state in ("expired", "source_changed")]
    return sorted(out, key=lambda s: (dt.date.min if s.state == "source_changed" else
                                      s.due or dt.date.min, s.path))
