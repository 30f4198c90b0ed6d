"""The state of the catalogue: articles + ledger + registry + policy."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reviewkit.cache import Cache, digest_of
from reviewkit.catalogue import Catalogue, load_catalogue, no_gc
from reviewkit.content import ArticleResult
from reviewkit.findings import Finding
from reviewkit.git import HistoryEdit, TreeEntry
from reviewkit.ledger import (
    EVENTS_REF,
    Ledger,
    LedgerIndex,
    StoredEvent,
    changed_since,
    describe_edit,
    event_order,
    history_edits,
    index_ledger,
    load_events,
)
from reviewkit.model import DECIDING_KINDS, STATES, Policy, Registry, format_time
from reviewkit.policy import ArticleStatus, evaluate, verify_event
from reviewkit.project import Project
from reviewkit.workers import parallel_map

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


# fields of a status that the article's summary already holds: not stored in the cache
_FROM_SUMMARY = ("path", "id", "title", "slug", "draft", "digest")


def _compact(st: ArticleStatus) -> str:
    """A verdict as the cache keeps it: compact JSON of the decision, without what the
    article's summary already says (strings, not dict trees: a tenth of the memory)."""
    d = {k: v for k, v in st.to_dict().items() if k not in _FROM_SUMMARY}
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


def _restore(text: str, r: ArticleResult) -> ArticleStatus | None:
    try:
        d = json.loads(text)
        s = r.summary
        d.update(path=r.path, id=s.id if s else None, title=s.title if s else None,
                 slug=s.slug if s else None, draft=s.draft if s else False,
                 digest=s.digest if s else None)
        return ArticleStatus.from_dict(d)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # a malformed entry is ignored, never trusted


def _verify(item: tuple[StoredEvent, Registry]) -> tuple[str, tuple[bool, str]]:
    stored, registry = item
    assert stored.event is not None
    ok, why, _ = verify_event(stored.event, registry)
    return stored.blob, (ok, why)


def evaluate_repo(project: Project, paths: Sequence[str] = (), *,
                  now: dt.datetime | None = None, lint: bool = False,
                  cache: Cache | None = None, workers: int = 1,
                  progress: Callable[[int, int], None] | None = None,
                  readability: bool = False,
                  history_checked: str | None = None) -> StatusReport:
    """Evaluate every article (or ``paths``) against the ledger and the policy.

    ``invalid`` means the front matter does not validate (what the digest and the decision
    rest on); ``lint=True`` also counts content-rule errors, as ``reviewkit validate`` does.

    With a ``cache``, unchanged articles are not parsed, event files already known to parse
    are not read, and an article whose content and events are unchanged keeps its
    verdict until it could change by time alone. The verdicts are the same either way.

    The events history is checked append-only (``ledger.history_edits``), from
    ``history_checked`` when that commit is an ancestor of the tip.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    now_iso = format_time(now)
    repo = project.repo
    policy = project.config.policy
    whole = not paths  # a selection reads only its own articles' events
    parsed: dict[str, StoredEvent] = {}
    ledger_state: list[LedgerIndex] = []

    def read_whole_ledger() -> None:
        # runs while worker processes parse the articles: git I/O and event parsing overlap
        index = index_ledger(repo)
        with no_gc():
            for e in load_events(repo, changed_since(repo, index,
                                                     cache.ledger_ok if cache else None)):
                parsed[e.name] = e
        ledger_state.append(index)

    catalogue = load_catalogue(project, paths, lint=lint, cache=cache, workers=workers,
                               progress=progress, meanwhile=read_whole_ledger if whole else None,
                               readability=readability)
    registry = project.registry
    if whole:
        index = ledger_state[0]
    else:
        index = index_ledger(repo, articles=[r.article_id for r in catalogue.results
                                             if r.article_id])
    with no_gc():
        problems = [e for e in parsed.values() if e.problem is not None]
        if cache is not None and whole and not problems:
            cache.set_ledger_ok(index.tip)
        by_dir = index.by_dir()

        report = StatusReport([], catalogue, Ledger(index.tip), now, policy.max_age_days,
                              problems=problems,
                              reading_target=_reading_target(project) if readability else None,
                              history=history_edits(repo, index.tip, checked=history_checked))
        if index.tip is None:
            report.notes.append(
                f"no review events: {EVENTS_REF} does not exist here "
                "(run `reviewkit sync` to fetch it, or `reviewkit submit` to start)"
            )
        slots: list[ArticleStatus | None] = []
        misses: list[tuple[int, ArticleResult, list[TreeEntry], str]] = []
        for r in catalogue.results:
            entries = by_dir.get(r.article_id, []) if r.article_id else []
            errors = _invalid_reasons(r.findings)
            key = ""
            if cache is not None:
                key = digest_of(cache.verdict_context, r.path,
                                r.summary.to_dict() if r.summary else None, errors,
                                index.tip is None, [(e.path, e.sha) for e in entries])
                hit = cache.get_verdict(key, now_iso)
                restored = _restore(hit, r) if isinstance(hit, str) else None
                if restored is not None:
                    slots.append(restored)
                    continue
            slots.append(None)
            misses.append((len(slots) - 1, r, entries, key))

        needed = [e for _, _, entries, _ in misses for e in entries if e.path not in parsed]
        for e in load_events(repo, needed):
            parsed[e.name] = e
            if e.problem is not None and not whole:
                problems.append(e)
        to_verify = []
        for _, _, entries, _ in misses:
            for entry in entries:
                stored = parsed[entry.path]
                if stored.event is not None and stored.event.event in DECIDING_KINDS:
                    to_verify.append((stored, registry))
        verified = dict(parallel_map(_verify, to_verify, workers))
        for i, r, entries, key in misses:
            events = sorted((parsed[e.path] for e in entries), key=event_order)
            st = evaluate(r.summary, r.path, events, registry, policy, now,
                          invalid_reasons=_invalid_reasons(r.findings), verified=verified,
                          ledger_missing=index.tip is None)
            if st.state == "stale" and r.asset_states:  # name the asset that changed
                from reviewkit.versions import asset_changes

                st.reasons += asset_changes(project, st, r.asset_states)
            slots[i] = st
            if cache is not None:
                cache.put_verdict(key, _compact(st), now_iso, valid_until(events, policy, now))
        report.statuses = [s for s in slots if s is not None]
        report.ledger.events = list(parsed.values())
    for f in catalogue.findings:
        report.statuses.append(ArticleStatus(path=f.path, state="invalid", reasons=[f.format()],
                                             fix=f"reviewkit validate {f.path}"))
    return report


def _reading_target(project: Project) -> tuple[float, int]:
    from reviewkit.project import rules_config
    from reviewkit.rules import readability as rule

    options = rule.Options.model_validate(rules_config(project.config).readability.options)
    return options.max_grade, options.min_words


def open_cache(project: Project, *, lint: bool = False) -> Cache:
    """The cache of this repository for the current schema, configuration and registry."""
    from reviewkit.cache import cache_path, contexts, load_cache
    from reviewkit.config import CONFIG_FILE

    registry = project.read_trusted(project.config.registry)
    config = project.read_trusted(CONFIG_FILE)
    article_ctx, verdict_ctx = contexts(project.schema.sha256, project.config, registry, lint)
    if lint:  # the publication's extra word lists change findings as much as the config does
        lists = project.config.rules.get("word_lists") or []
        extra = []
        for rel in lists if isinstance(lists, list) else []:
            extra.append((str(rel), project.read_trusted(str(rel)) or b""))
        from reviewkit.rules._words import packaged_digest

        article_ctx = digest_of(article_ctx, packaged_digest(),
                                *[part for pair in extra for part in pair])
    verdict_ctx = digest_of(verdict_ctx, config or b"", project.trust_ref or "")
    return load_cache(cache_path(project.repo.git_dir, lint=lint), article_ctx, verdict_ctx)


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
        raise UsageError(f"{text!r}: use days like 30d, weeks like 6w, or months like 3m")
    n = int(m.group(1)) * {"": 1, "d": 1, "w": 7, "m": 30}[m.group(2)]
    if n > 36500:
        raise UsageError(f"{text!r}: at most 100 years (36500d)")
    return n


def due_list(report: StatusReport, within_days: int) -> list[ArticleStatus]:
    """Approved articles whose approval expires within the window, and expired ones."""
    horizon = (report.now + dt.timedelta(days=within_days)).date()
    out = [s for s in report.statuses
           if (s.state == "approved" and s.due and s.due <= horizon) or s.state == "expired"]
    return sorted(out, key=lambda s: (s.due or dt.date.min, s.path))
