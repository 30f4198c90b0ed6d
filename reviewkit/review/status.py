"""The state of the catalogue: articles + ledger + registry + policy.

Layer: review/ (may import base/, rules/, article/, record/).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from reviewkit.article.content import ArticleResult
from reviewkit.base.git import HistoryEdit, TreeEntry
from reviewkit.base.model import DECIDING_KINDS, STATES, Policy, Registry, Reviewer, format_time
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
    history_edits,
    index_ledger,
    load_events,
)
from reviewkit.record.project import Project
from reviewkit.review.decisions import (
    NEVER as NEVER,
)
from reviewkit.review.decisions import Miss as _Miss
from reviewkit.review.decisions import (
    decide,
    decide_apart,
    invalid_reasons,
    valid_until,
    verify_one,
)


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


def evaluate_repo(project: Project, paths: Sequence[str] = (), *,
                  now: dt.datetime | None = None, lint: bool = False,
                  cache: Cache | None = None, use_cache: bool = False, workers: int = 1,
                  progress: Callable[[int, int], None] | None = None,
                  readability: bool = False,
                  history_checked: str | None = None, compact: bool = False,
                  keep_front_matter: bool = False) -> StatusReport:
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

    The phases: read (the catalogue, with the ledger listed meanwhile); reuse cached
    verdicts; then, a bounded chunk of articles at a time: read their events, verify the
    new signatures, decide, record the new verdicts in the cache.

    ``compact``: each verdict decided here becomes a :class:`CachedVerdict` (what a cached
    run gives: the same decision and JSON, no judged events) and its events are dropped
    once it is decided, so memory does not grow with the ledger (the gate); the report's
    ``ledger.events`` is then empty.
    """
    if use_cache and cache is None and not paths:
        with project_cache(project, lint=lint) as opened:
            return evaluate_repo(project, now=now, lint=lint, cache=opened, workers=workers,
                                 progress=progress, readability=readability,
                                 history_checked=history_checked, compact=compact,
                                 keep_front_matter=keep_front_matter)
    now = now or dt.datetime.now(dt.timezone.utc)
    catalogue, index, todo, history = _read(
        project, paths, lint=lint, cache=cache, workers=workers, progress=progress,
        readability=readability, keep_front_matter=keep_front_matter,
        history_checked=history_checked)
    whole = not paths  # a selection reads only its own articles' events
    with no_gc():
        ledger = _LedgerReader(project, todo, whole=whole, keep=not compact)
        report = _new_report(project, catalogue, index, now, ledger.problems, readability,
                             history)
        # no verdict to reuse (a cold gate): the workers compute the keys they store under
        defer = cache is not None and compact and whole and not cache.verdicts
        slots, misses = _reuse_verdicts(None if defer else cache, catalogue, index, now)
        # each miss holds its own event entries, and is dropped once decided (memory)
        index.entries = []
        translations = {i: misses.pop(i) for i in [i for i, m in misses.items()
                                                    if _translation_of(m.result)]}
        decide = _Decider(project, ledger, slots, cache=cache, now=now, workers=workers,
                          ledger_missing=index.tip is None, compact=compact, keys_here=defer)
        decide(misses)
        # translations after the others: each is judged against its source's verdict (a
        # compact one too), so no source's events need be kept
        by_id = {s.article_id: s for s in slots if s is not None and s.article_id}
        decide(translations, sources=lambda miss: _source_view(project, miss, by_id,
                                                               whole=whole, now=now))
        ledger.finish()
        if cache is not None and whole and not ledger.problems:
            cache.set_ledger_ok(index.tip)
        report.statuses = [s for s in slots if s is not None]
        report.ledger.events = ledger.events()
    for f in catalogue.findings:
        report.statuses.append(ArticleStatus(path=f.path, state="invalid", reasons=[f.format()],
                                             fix=f"reviewkit validate {f.path}"))
    return report


def _read(project: Project, paths: Sequence[str], *, lint: bool, cache: Cache | None,
          workers: int, progress: Callable[[int, int], None] | None,
          readability: bool, keep_front_matter: bool = False,
          history_checked: str | None = None,
          ) -> tuple[Catalogue, LedgerIndex, list[TreeEntry], list[HistoryEdit]]:
    """Phase 1: the catalogue, the ledger's index and its history checked append-only
    (both while worker processes parse the articles: git does the check in its own
    process); for the whole catalogue, also the event files added since the cached tip,
    which must all be read (every one must parse)."""
    repo = project.repo
    ledger_state: list[tuple[LedgerIndex, list[TreeEntry], list[HistoryEdit]]] = []

    def list_whole_ledger() -> None:
        index = index_ledger(repo)
        ledger_state.append((index, changed_since(repo, index,
                                                  cache.ledger_ok if cache else None),
                             history_edits(repo, index.tip, checked=history_checked)))

    catalogue = load_catalogue(project, paths, lint=lint, cache=cache, workers=workers,
                               progress=progress,
                               meanwhile=None if paths else list_whole_ledger,
                               readability=readability, keep_front_matter=keep_front_matter)
    if not paths:
        return catalogue, *ledger_state[0]
    index = index_ledger(repo, articles=[r.article_id for r in catalogue.results if r.article_id])
    return catalogue, index, [], history_edits(repo, index.tip, checked=history_checked)


# event files read, parsed and verified at a time: bounds the memory the ledger takes
CHUNK_EVENTS = 20_000


def _chunks(misses: dict[int, _Miss]) -> Iterator[dict[int, _Miss]]:
    """The misses in order, in chunks of about CHUNK_EVENTS event files; each is taken
    out of ``misses`` (a decided one is not kept: the gate's memory)."""
    chunk: dict[int, _Miss] = {}
    size = 0
    for i in list(misses):
        miss = chunk[i] = misses.pop(i)
        size += len(miss.entries)
        if size >= CHUNK_EVENTS:
            yield chunk
            chunk, size = {}, 0
    if chunk:
        yield chunk


class _LedgerReader:
    """The event files of a run, read a chunk at a time. ``todo`` (the files added since
    the cached tip, for the whole catalogue) must all be read: a file that does not parse
    is a problem even when no article needs it. ``keep=False`` drops a chunk's events
    once it is decided; ``problems`` (files of ``todo``, or of a selection, that do not
    parse) are always kept, in ``todo``'s order."""

    def __init__(self, project: Project, todo: list[TreeEntry], *, whole: bool,
                 keep: bool) -> None:
        self.project, self.whole, self.keep = project, whole, keep
        self.pending = {e.path: e for e in todo}  # of todo, not read yet
        self.order = {e.path: n for n, e in enumerate(todo)}
        self.parsed: dict[str, StoredEvent] = {}
        self.extra: dict[str, None] = {}  # files read that are not in todo, in reading order
        self.problems: list[StoredEvent] = []

    def read(self, entries: Sequence[TreeEntry]) -> dict[str, StoredEvent]:
        """Read (once) the given event files; returns every event read so far and kept."""
        needed = list({e.path: e for e in entries if e.path not in self.parsed}.values())
        for e in load_events(self.project.repo, needed):
            first = self.pending.pop(e.name, None) is not None
            if not first and e.name not in self.order:
                self.extra.setdefault(e.name)
            if e.problem is not None and (first or not self.whole) and e not in self.problems:
                self.problems.append(e)
            self.parsed[e.name] = e
        return self.parsed

    def absorb(self, entries: Iterable[TreeEntry], problems: Iterable[StoredEvent]) -> None:
        """Note ``entries`` as read elsewhere (worker processes): what :meth:`read` notes,
        given those of them that do not parse (``problems``)."""
        bad = {p.name: p for p in problems}
        for e in entries:
            first = self.pending.pop(e.path, None) is not None
            p = bad.get(e.path)
            if p is not None and (first or not self.whole) and p not in self.problems:
                self.problems.append(p)

    def done(self, chunk: dict[int, _Miss]) -> None:
        if not self.keep:
            for m in chunk.values():
                for e in m.entries:
                    self.parsed.pop(e.path, None)

    def finish(self) -> None:
        """Read what is left of ``todo`` (files no article needed)."""
        rest = list(self.pending.values())
        for start in range(0, len(rest), CHUNK_EVENTS):
            self.read(rest[start:start + CHUNK_EVENTS])
            if not self.keep:
                self.parsed.clear()
        self.problems.sort(key=lambda e: self.order.get(e.name, len(self.order)))

    def events(self) -> list[StoredEvent]:
        """The events read in this run, ``todo``'s first, in the order a whole read gives."""
        if not self.keep:
            return []
        first = sorted((p for p in self.parsed if p in self.order), key=self.order.__getitem__)
        return [self.parsed[p] for p in [*first, *self.extra] if p in self.parsed]


def _compacted(st: ArticleStatus, r: ArticleResult, text: str) -> ArticleStatus:
    """``st`` as a cached run would give it (no judged events kept in memory); ``text``
    is :func:`compact_verdict` of ``st``."""
    restored = restore_verdict(text, r)
    return restored if restored is not None else st


class _Decider:
    """Phase 4 over misses, a chunk of about CHUNK_EVENTS event files at a time: read the
    chunk's events, verify the new signatures, decide each article, record its verdict;
    the chunk's events are then dropped (unless the ledger reader keeps them)."""

    def __init__(self, project: Project, ledger: _LedgerReader,
                 slots: list[ArticleStatus | None], *, cache: Cache | None, now: dt.datetime,
                 workers: int, ledger_missing: bool, compact: bool,
                 keys_here: bool = False) -> None:
        self.project, self.ledger, self.slots, self.cache = project, ledger, slots, cache
        self.now, self.workers = now, workers
        self.ledger_missing, self.compact = ledger_missing, compact
        self.keys_here = keys_here  # the misses' cache keys are left to decide_apart

    def __call__(self, misses: dict[int, _Miss],
                 sources: Callable[[_Miss], SourceView | None] | None = None) -> None:
        """Decide ``misses`` (emptied as they are decided); with ``sources``
        (translations), each against its source's view, and never cached (the verdict
        also depends on the source's)."""
        if sources is None and self.compact and self.ledger.whole:
            self.apart(misses)
            return
        for chunk in _chunks(misses):
            parsed = self.ledger.read([e for m in chunk.values() for e in m.entries])
            verified = _verify_new_events(self.project.registry, chunk, parsed, self.workers)
            for i, miss in chunk.items():
                source = sources(miss) if sources is not None else None
                st = decide(self.project, miss, parsed, verified, self.now,
                             ledger_missing=self.ledger_missing, source=source)
                # one text for the cache and the compact verdict (memory: one copy)
                text = (compact_verdict(st) if self.compact
                        or (sources is None and self.cache is not None) else "")
                if sources is None:
                    _record(self.cache, miss, text, parsed, self.project.config.policy, self.now)
                self.slots[i] = _compacted(st, miss.result, text) if self.compact else st
            self.ledger.done(chunk)

    def apart(self, misses: dict[int, _Miss]) -> None:
        """The gate's path (compact, whole catalogue, no translations): each chunk read and
        decided whole in worker processes (:func:`decide_apart`), giving the verdicts,
        cache entries and problems of the path above."""
        now_iso = format_time(self.now)
        for chunk in _chunks(misses):
            done = decide_apart(self.project, chunk, now=self.now,
                                ledger_missing=self.ledger_missing, workers=self.workers,
                                keys=self.cache if self.keys_here else None)
            for d in done:
                miss = chunk[d.index]
                if self.cache is not None:
                    self.cache.put_verdict(d.key or miss.key, d.verdict, now_iso, d.until)
                self.slots[d.index] = (d.status if d.status is not None
                                       else restore_verdict(d.verdict, miss.result))
            self.ledger.absorb((e for m in chunk.values() for e in m.entries),
                               [p for d in done for p in d.problems])


def _source_view(project: Project, miss: _Miss, by_id: dict[str, ArticleStatus], *,
                 whole: bool, now: dt.datetime) -> SourceView | None:
    """What a translation's verdict needs of its source: from the source's verdict in this
    run; for a selection without its source, from the source evaluated alone."""
    source_id = _translation_of(miss.result)
    assert source_id is not None
    if source_id in by_id:
        return SourceView.of(source_id, by_id[source_id])
    if whole:  # no such article (a `translation` finding says so)
        return SourceView(source_id)
    from reviewkit.review.translate import source_view

    return source_view(project, miss.result.summary, now)


def _new_report(project: Project, catalogue: Catalogue, index: LedgerIndex, now: dt.datetime,
                problems: list[StoredEvent], readability: bool,
                history: list[HistoryEdit]) -> StatusReport:
    report = StatusReport([], catalogue, Ledger(index.tip), now,
                          project.config.policy.max_age_days, problems=problems,
                          reading_target=_reading_target(project) if readability else None,
                          history=history)
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
            key = verdict_key(cache, r, invalid_reasons(r.findings), index.tip is None,
                              [(e.path, e.sha) for e in entries])
            restored = restore_verdict(cache.get_verdict(key, now_iso), r)
            if restored is not None:
                slots.append(restored)
                continue
        misses[len(slots)] = _Miss(r, entries, key)
        slots.append(None)
    return slots, misses


def _translation_of(r: ArticleResult) -> str | None:
    return r.summary.translation_of if r.summary is not None else None




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
    return dict(parallel_map(verify_one, to_verify, workers))


def _record(cache: Cache | None, miss: _Miss, text: str,
            parsed: dict[str, StoredEvent], policy: Policy, now: dt.datetime) -> None:
    """Phase 5: keep a new verdict (``text``: :func:`compact_verdict` of it), valid until
    time alone could change it."""
    if cache is None:
        return
    events = [parsed[e.path] for e in miss.entries]
    cache.put_verdict(miss.key, text, format_time(now),
                      valid_until(events, policy, now))


def _reading_target(project: Project) -> tuple[float, int]:
    from reviewkit.record.project import rules_config
    from reviewkit.rules import readability as rule

    options = rule.Options.model_validate(rules_config(project.config).readability.options)
    return options.max_grade, options.min_words


def review_queue(report: StatusReport, reviewer: str | None = None, *,
                 linguist: Reviewer | None = None, default_lang: str = "en",
                 ) -> list[ArticleStatus]:
    """Articles awaiting a clinical reviewer, oldest submission first. ``reviewer``: only
    those asked of that reviewer; with ``linguist`` (that reviewer's registry entry), also
    the translations waiting for a language review it reads (:func:`awaits_language_review`)."""
    waiting = [s for s in report.statuses
               if s.state in ("in_review", "stale", "expired", "source_changed")]
    if reviewer is not None:
        waiting = [s for s in waiting if s.requested_reviewer == reviewer
                   or awaits_language_review(s, linguist, default_lang)]
    return sorted(waiting, key=lambda s: (s.submitted_at or "9999", s.path))


def awaits_language_review(status: ArticleStatus, linguist: Reviewer | None,
                           default_lang: str) -> bool:
    """Is ``status`` a translation whose current version waits for a language review that
    ``linguist`` (role ``linguist``) can give, reading its language?"""
    from reviewkit.article.translation import reads

    lang = status.needs_language_review
    return (linguist is not None and lang is not None and "linguist" in linguist.roles
            and reads(linguist.languages, lang, default_lang))


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
