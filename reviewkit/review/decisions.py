"""Deciding articles: one article's verdict from its events, and a chunk of articles
decided whole in worker processes (the gate's cold path).

The gate keeps each verdict in its compact form (:func:`reviewkit.record.cache.compact_verdict`),
so a worker can do everything an article needs — parse its event files, verify their
signatures, decide, compact — and send back only a string. The parent reads the files'
bytes (one ``git cat-file``) before forking, so the workers inherit them.

Layer: review/ (may import base/, rules/, article/, record/).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reviewkit.article.content import ArticleResult
from reviewkit.base import workers as _workers
from reviewkit.base.findings import Finding
from reviewkit.base.git import TreeEntry
from reviewkit.base.model import DECIDING_KINDS, Policy, Registry, format_time
from reviewkit.base.verdict import ArticleStatus, SourceView, StoredEvent
from reviewkit.record.cache import Cache, compact_verdict, restore_verdict, verdict_key
from reviewkit.record.ledger import event_order, read_event_blobs, stored_event
from reviewkit.record.project import Project
from reviewkit.review.policy import evaluate, verify_event

NEVER = "9999-12-31T00:00:00.000000Z"


@dataclass
class Miss:
    """An article whose verdict was not in the cache: decided in this run."""

    result: ArticleResult
    entries: list[TreeEntry]  # its event files
    key: str  # its verdict's cache key ("" without a cache)


def invalid_reasons(findings: Sequence[Finding]) -> list[str]:
    """The first three errors of an article (and how many more): why it is invalid."""
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


def verify_one(item: tuple[StoredEvent, Registry]) -> tuple[str, tuple[bool, str]]:
    """(blob id, (signature ok, why not)) of one deciding event."""
    stored, registry = item
    assert stored.event is not None
    ok, why, _ = verify_event(stored.event, registry)
    return stored.blob, (ok, why)


def decide(project: Project, miss: Miss, parsed: Mapping[str, StoredEvent],
           verified: dict[str, tuple[bool, str]], now: dt.datetime, *,
           ledger_missing: bool, source: SourceView | None = None) -> ArticleStatus:
    """One article's state (:func:`reviewkit.review.policy.evaluate`)."""
    r = miss.result
    events = sorted((parsed[e.path] for e in miss.entries), key=event_order)
    st = evaluate(r.summary, r.path, events, project.registry, project.config.policy, now,
                  invalid_reasons=invalid_reasons(r.findings), verified=verified,
                  ledger_missing=ledger_missing, source=source)
    if st.state == "stale" and r.asset_states:  # name the asset that changed
        from reviewkit.review.versions import asset_changes

        st.reasons += asset_changes(project, st, r.asset_states)
    return st


@dataclass
class Decided:
    """What a worker sends back for one article (no events: a few hundred bytes)."""

    index: int
    verdict: str  # compact_verdict of the status
    until: str  # valid_until of its events
    problems: list[StoredEvent]  # its event files that do not count (event None)
    status: ArticleStatus | None  # the full status, only when the compact one cannot stand
    key: str = ""  # its cache key, when computed here


# articles per task of a worker: the task reads their event files with one `git cat-file`
# (few enough git processes to cost little; many enough tasks to balance two workers)
GROUP = 500


def decide_apart(project: Project, chunk: Mapping[int, Miss], *, now: dt.datetime,
                 ledger_missing: bool, workers: int, keys: Cache | None = None) -> list[Decided]:
    """Each article of ``chunk`` read, parsed, verified and decided as :func:`decide`
    does, in up to ``workers`` forked processes; each task reads the event files of
    :data:`GROUP` articles (:func:`reviewkit.record.ledger.read_event_blobs`), so git
    reads them in parallel too and nothing waits for all of them. With ``keys``, each
    article's verdict key in that cache is computed there too."""
    registry, policy = project.registry, project.config.policy  # read before forking

    def one(item: tuple[int, Miss], blobs: Mapping[str, bytes]) -> Decided:
        i, miss = item
        parsed = {e.path: stored_event(e, blobs) for e in miss.entries}
        verified = dict(verify_one((s, registry)) for s in parsed.values()
                        if s.event is not None and s.event.event in DECIDING_KINDS)
        st = decide(project, miss, parsed, verified, now, ledger_missing=ledger_missing)
        text = compact_verdict(st)
        key = "" if keys is None else verdict_key(
            keys, miss.result, invalid_reasons(miss.result.findings), ledger_missing,
            [(e.path, e.sha) for e in miss.entries])
        return Decided(i, text, valid_until([parsed[e.path] for e in miss.entries], policy, now),
                       [s for s in parsed.values() if s.problem is not None],
                       st if restore_verdict(text, miss.result) is None else None, key)

    def group(items: list[tuple[int, Miss]]) -> list[Decided]:
        blobs = read_event_blobs(project.repo, [e for _, m in items for e in m.entries])
        return [one(item, blobs) for item in items]

    items = list(chunk.items())
    size = GROUP if workers > 1 else max(1, len(items))  # alone: one read for the chunk
    groups = [items[k:k + size] for k in range(0, len(items), size)]
    parts = _workers.parallel_map(group, groups, workers,
                                  min_per_worker=_workers.MIN_PER_WORKER // GROUP or 1)
    return [d for part in parts for d in part]
