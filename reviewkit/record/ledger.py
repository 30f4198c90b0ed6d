"""Review events on ``refs/reviewkit/events``: append, read, merge, sync.

One canonical-JSON file per event at ``<shard>/<article>/<stamp>-<event>-<actor>-<nonce>.json``
(:mod:`reviewkit.base.layout`; files of the first layout, ``<article>/…``, are read too).
Appends are compare-and-swap on the ref, retried on a race; they never touch the
checked-out branch, the index or the work tree. Reading is one ``ls-tree -r`` and one
``cat-file --batch`` however many events there are.

Layer: record/ (may import base/, rules/, article/).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reviewkit.base.digest import canonical_json
from reviewkit.base.errors import CheckFailed, EnvError, UsageError
from reviewkit.base.git import (
    GitCommandError,
    HistoryEdit,
    PushDeclined,
    PushRejected,
    RefLocked,
    RefUpdate,
    Repo,
    TreeEntry,
)
from reviewkit.base.layout import article_dirs, article_of
from reviewkit.base.model import ReviewEvent, format_time
from reviewkit.base.structs import ValidationError
from reviewkit.base.verdict import StoredEvent as StoredEvent  # re-exported: the ledger makes them

EVENTS_REF = "refs/reviewkit/events"
REMOTES_PREFIX = "refs/reviewkit/remotes"
MAX_EVENT_BYTES = 256 * 1024
# A CAS append retries a lost race until this many seconds pass with no writer making
# progress; a ref lock older than STALE_LOCK_SECONDS belongs to a git that was killed (git
# holds one for milliseconds).
RETRY_SECONDS = 5.0
STALE_LOCK_SECONDS = 2.0
# as in review-event.schema.json: these two make up the event's file name
_ARTICLE_RE = re.compile(r"[0-9A-Za-z-]{1,64}")
_ACTOR_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class LedgerConflict(CheckFailed):
    """Two histories hold one event name with different bytes: tampering."""


@dataclass
class Ledger:
    tip: str | None
    events: list[StoredEvent] = field(default_factory=list)

    @property
    def problems(self) -> list[StoredEvent]:
        return [e for e in self.events if e.problem is not None]

    def by_article(self) -> dict[str, list[StoredEvent]]:
        """Events indexed by article id (the directory for files that do not parse)."""
        out: dict[str, list[StoredEvent]] = {}
        for e in self.events:
            key = e.event.article if e.event is not None else e.article_dir
            out.setdefault(key, []).append(e)
        for evs in out.values():
            evs.sort(key=event_order)
        return out


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def event_order(e: StoredEvent) -> tuple[dt.datetime, str]:
    """Oldest first; events of one instant in name order."""
    return (e.event.when if e.event else _EPOCH, e.name)


@lru_cache(maxsize=1)
def _event_validator() -> Any:
    from importlib import resources  # here: it imports tempfile and shutil (start-up)

    from jsonschema import Draft202012Validator

    doc = json.loads(
        resources.files("reviewkit").joinpath("data/schemas/review-event.schema.json").read_text()
    )
    return Draft202012Validator(doc)


def parse_event(name: str, blob: str, data: bytes) -> StoredEvent:
    """One event file, checked against the event schema and its own name. Never raises."""
    if len(data) > MAX_EVENT_BYTES:
        return StoredEvent(name, blob, None, f"event file is larger than {MAX_EVENT_BYTES} bytes")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        return StoredEvent(name, blob, None, f"not valid JSON: {exc}")
    try:
        # the model is never looser than the schema; jsonschema only explains a failure
        event = ReviewEvent.model_validate(value)
        names = event.file_names()
    except (ValidationError, ValueError) as exc:
        errors = sorted(_event_validator().iter_errors(value), key=lambda e: list(e.path))
        if errors:
            err = errors[0]
            where = ".".join(str(p) for p in err.absolute_path)
            msg = f"{where}: {err.message}" if where else err.message
            return StoredEvent(name, blob, None, f"does not match the event schema: {msg[:200]}")
        first = str(exc).splitlines()
        detail = first[2].strip() if len(first) > 2 else first[0]
        return StoredEvent(name, blob, None, f"invalid event: {detail[:200]}")
    if name not in names:
        return StoredEvent(
            name, blob, None,
            f"file name does not match its content (expected {names[0]}): copied or renamed",
        )
    return StoredEvent(name, blob, event)


def read_ledger(repo: Repo, ref: str = EVENTS_REF) -> Ledger:
    """Every event on ``ref`` (empty ledger with ``tip=None`` when the ref does not exist)."""
    tip = repo.rev_parse(ref)
    if tip is None:
        return Ledger(None)
    return Ledger(tip, load_events(repo, repo.ls_tree(tip)))


def event_bytes(event: ReviewEvent) -> bytes:
    return canonical_json(event.model_dump(exclude_none=True))


def make_event(kind: str, *, article: str, path: str, digest: str, blob: str, commit: str,
               actor: str, message: str = "", at: dt.datetime | None = None,
               **extra: Any) -> ReviewEvent:
    """A new, unsigned event stamped now (UTC, microseconds) with a random nonce.

    CheckFailed when a value cannot be part of an event (an article id such as ``../x``).
    """
    when = at or dt.datetime.now(dt.timezone.utc)
    try:
        return ReviewEvent.model_validate({
            "v": 1, "event": kind, "article": article, "path": path, "digest": digest,
            "blob": blob, "commit": commit, "actor": actor, "at": format_time(when),
            "nonce": secrets.token_hex(8), "message": message,
            **{k: v for k, v in extra.items() if v is not None},
        }, context={"unsigned": True})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "event"
        raise CheckFailed(
            f"cannot record this event: {where} {err.get('input')!r}: {err['msg']}"
        ) from None


def append_event(repo: Repo, event: ReviewEvent, *, ref: str = EVENTS_REF,
                 attempts: int = 100) -> str:
    """Commit ``event`` on ``ref`` by compare-and-swap, retrying on a race. Returns the tip."""
    data = event_bytes(event)
    name = event.file_name()
    # The file name is built from the article id and the actor: an id such as '../x' or
    # 'a/b' would make a name git silently drops (the event lost) or an event file that
    # no reader accepts (every gate fails on the shared ref).
    for what, value, pattern in (("article id", event.article, _ARTICLE_RE),
                                 ("actor", event.actor, _ACTOR_RE)):
        if not pattern.fullmatch(value):
            raise CheckFailed(
                f"refusing to record a review event: {what} {value!r} is not valid "
                f"(it must match {pattern.pattern})",
                hint="run reviewkit validate on the article",
            )
    blob = repo.hash_object(data)
    deadline = time.monotonic() + RETRY_SECONDS
    seen: str | None = None
    for attempt in range(attempts):
        old = repo.rev_parse(ref)
        if attempt and old != seen:
            # another writer got through: that is contention, not a stuck ref; the time
            # bound counts from the last progress anyone made
            deadline = time.monotonic() + RETRY_SECONDS
        seen = old
        tree = repo.tree_with(old, {name: blob})
        commit = repo.commit_tree(
            tree, [old] if old else [], f"{event.event} {event.article} by {event.actor}\n\n{name}\n",
            "reviewkit", "reviewkit@localhost",
        )
        outcome = repo.update_ref(ref, commit, old, f"reviewkit: {event.event}")
        if outcome is RefUpdate.UPDATED:
            return commit
        if not _wait_to_retry(repo, ref, outcome, attempt, deadline):
            break
    raise EnvError(f"could not update {ref}: no progress for {RETRY_SECONDS:g} s "
                   f"({attempt + 1} attempts, too much contention); try again")


def _wait_to_retry(repo: Repo, ref: str, outcome: RefUpdate, attempt: int,
                   deadline: float) -> bool:
    """Sleep before another compare-and-swap; False when time is up. A lock left by a
    killed git raises RefLocked (exit 3) naming the file: retrying cannot help."""
    if outcome is RefUpdate.LOCKED:
        age = repo.lock_age(ref)
        if age is not None and (age >= STALE_LOCK_SECONDS or time.monotonic() >= deadline):
            lock = repo.lock_path(ref)
            raise RefLocked(
                f"{ref} is locked by {lock} (made {age:.0f} s ago): a git process was "
                "probably killed while updating it",
                hint=f"if no git is running in this repository, remove it: rm '{lock}'")
    if time.monotonic() >= deadline:
        return False
    time.sleep(random.uniform(0.005, 0.02) * min(attempt + 1, 10))
    return True


# --- merging and sync ------------------------------------------------------------------------


def union_tree(repo: Repo, ours: str, theirs: str) -> str:
    """The union of two event trees; one name with different bytes raises LedgerConflict."""
    mine = {e.path: e.sha for e in repo.ls_tree(ours)}
    additions: dict[str, str] = {}
    for e in repo.ls_tree(theirs):
        have = mine.get(e.path)
        if have is None:
            additions[e.path] = e.sha
        elif have != e.sha:
            raise LedgerConflict(
                f"event {e.path} differs between the two histories (tampering?); "
                "nothing was merged"
            )
    return repo.tree_with(ours, additions)


def merge_into(repo: Repo, other: str, *, ref: str = EVENTS_REF, attempts: int = 20) -> str:
    """Merge the events history ``other`` into ``ref`` (fast-forward or union). Returns the tip."""
    deadline = time.monotonic() + RETRY_SECONDS
    for attempt in range(attempts):
        local = repo.rev_parse(ref)
        if local is None:
            new = other
        elif repo.is_ancestor(other, local):
            return local
        elif repo.is_ancestor(local, other):
            new = other
        else:
            tree = union_tree(repo, local, other)
            new = repo.commit_tree(tree, [local, other], "merge review events\n",
                                   "reviewkit", "reviewkit@localhost")
        outcome = repo.update_ref(ref, new, local, "reviewkit: merge events")
        if outcome is RefUpdate.UPDATED:
            return new
        if not _wait_to_retry(repo, ref, outcome, attempt, deadline):
            break
    raise EnvError(f"could not update {ref}: it kept moving")


# --- append-only in fact -----------------------------------------------------------------------


class HistoryRewritten(CheckFailed):
    """A commit on the events history removed or changed an event file."""


def describe_edit(edit: HistoryEdit, ref: str = EVENTS_REF) -> str:
    """One line a person can act on: the commit, the file, and what to do."""
    what = {"D": "removed", "M": "changed", "T": "changed"}.get(edit.status, "changed")
    return (f"{ref} is not append-only: commit {edit.commit[:12]} {what} event file "
            f"{edit.path} (a deleted changes_requested or withdrawn would revive an approval); "
            "restore the ref from a clone that has the full history")


def history_edits(repo: Repo, tip: str | None, *, remember: bool = True,
                  checked: str | None = None) -> list[HistoryEdit]:
    """Commits in ``tip``'s history that removed or changed an event file (empty: the
    history is append-only). Incremental: only commits not reachable from the last tip
    found append-only here are read, when that record authenticates (cache key outside the
    repository) and is an ancestor of ``tip``; otherwise one pass over the whole history.

    ``checked``: a commit id the caller vouches for as already checked (CI's
    ``--expect-events-ancestor``, the tip an earlier passing gate reported); used, like
    the record, only when it is an ancestor of ``tip``."""
    from reviewkit.record.remembered import load_verified_tip, save_verified_tip

    if tip is None:
        return []
    known = load_verified_tip(repo.git_dir)
    if known == tip or checked == tip:
        return []
    exclude: list[str] = []
    for base in (known, checked):
        if base and repo.rev_parse(base + "^{commit}") == base and repo.is_ancestor(base, tip):
            exclude.append(base)
    edits = repo.history_edits(tip, exclude)
    if not edits and remember:
        save_verified_tip(repo.git_dir, tip)
    return edits


def _fetch_checked(repo: Repo, remote: str, tracking: str) -> str | None:
    """Fetch the remote's events tip into FETCH_HEAD only (no ref), and move the remote-tracking
    ref to it only once it is known to extend what was fetched before (no rewrite) and to
    be append-only in its whole history: no local ref ever points to a history that lost
    an event."""
    try:
        fetched = repo.fetch_ref(remote, EVENTS_REF)
    except GitCommandError as exc:
        raise EnvError(
            f"could not fetch review events from '{remote}': {exc.message}; "
            "your local events are kept"
        ) from None
    if fetched is None:
        return None
    seen = repo.rev_parse(tracking)
    if seen and not repo.is_ancestor(seen, fetched):
        raise CheckFailed(
            f"the events history on '{remote}' was rewritten (it no longer contains "
            f"what was fetched before, {seen}); refusing to merge it. "
            "Someone force-pushed refs/reviewkit/events: restore it from a clone"
        )
    edits = history_edits(repo, fetched, remember=False)
    if edits:
        raise HistoryRewritten(
            f"refusing the events history of '{remote}' ({fetched[:12]}): "
            + describe_edit(edits[0]) + "; nothing was merged"
        )
    outcome = repo.update_ref(tracking, fetched, seen, "reviewkit: fetched")
    if outcome is not RefUpdate.UPDATED:
        raise EnvError(f"{tracking} moved while syncing (another sync running?); try again")
    return fetched


@dataclass
class SyncResult:
    """What a sync came to: the local events tip after it (None: no events anywhere) and
    whether it pushed."""

    remote: str
    local: str | None
    pushed: bool


def sync(repo: Repo, remote: str = "origin", *, attempts: int = 5) -> SyncResult:
    """Fetch the remote's events, merge by union, push without force; retry if it moved."""
    if not remote or remote.startswith("-"):
        raise UsageError(f"bad remote name {remote!r}")
    if "/" not in remote and ":" not in remote:  # a name, not a URL or a path
        names = repo.remote_names()
        if remote not in names:
            known = ", ".join(names) if names else "none"
            raise UsageError(f"no remote named '{remote}' (remotes: {known})",
                             hint="git remote add NAME URL, or pass a URL")
    tracking = f"{REMOTES_PREFIX}/{remote}/events"
    for _ in range(attempts):
        fetched = _fetch_checked(repo, remote, tracking)
        local = merge_into(repo, fetched) if fetched else repo.rev_parse(EVENTS_REF)
        if local is None:
            return SyncResult(remote, None, False)
        if fetched == local:
            return SyncResult(remote, local, False)
        try:
            repo.push_ref(remote, EVENTS_REF)
        except PushDeclined as exc:  # a hook or a forge rule said no: retrying cannot help
            raise EnvError(
                f"could not push review events to '{remote}': the push was declined"
                + (f" ({'; '.join(exc.said)[:300]})" if exc.said else "")
                + "; your local events are kept"
            ) from None
        except PushRejected:
            continue  # the remote moved: fetch, merge and try again
        except GitCommandError as exc:
            raise EnvError(
                f"could not push review events to '{remote}': {exc.message}; "
                "your local events are kept"
            ) from None
        repo.update_ref(tracking, local, fetched, "reviewkit: pushed")
        return SyncResult(remote, local, True)
    raise EnvError(f"'{remote}' kept moving; tried {attempts} times, your local events are kept")


# --- indexed reading (the gate's fast path) ----------------------------------------------------


@dataclass
class LedgerIndex:
    """The events ref listed (one ``ls-tree``) but not read: names and blob ids by article."""

    tip: str | None
    entries: list[TreeEntry] = field(default_factory=list)

    def by_dir(self) -> dict[str, list[TreeEntry]]:
        out: dict[str, list[TreeEntry]] = {}
        for e in self.entries:
            out.setdefault(article_of(e.path), []).append(e)
        return out


def index_ledger(repo: Repo, ref: str = EVENTS_REF,
                 articles: Sequence[str] | None = None) -> LedgerIndex:
    """List the events ref; only the given articles' directories when ``articles`` is set
    (cost then independent of the ledger's size)."""
    tip = repo.rev_parse(ref)
    if tip is None:
        return LedgerIndex(None)
    if articles is not None:
        ids = {a for a in articles if a and "/" not in a and not a.startswith(".")}
        wanted = [d for a in sorted(ids) for d in article_dirs(a)]
        listed = repo.ls_tree(tip, wanted) if wanted else []
        # an id of two hex digits names a shard too: its pathspec lists that shard's files
        return LedgerIndex(tip, [e for e in listed if article_of(e.path) in ids])
    return LedgerIndex(tip, repo.ls_tree(tip))


def events_for(repo: Repo, article_id: str | None, ref: str = EVENTS_REF) -> tuple[str | None, list[StoredEvent]]:
    """(tip, the article's events oldest first), reading only its directory."""
    index = index_ledger(repo, ref, [article_id] if article_id else [])
    events = load_events(repo, index.entries)
    return index.tip, sorted(events, key=event_order)


def load_events(repo: Repo, entries: list[TreeEntry]) -> list[StoredEvent]:
    """Read and parse the given event files: sizes first (``cat-file --batch-check``), then
    one ``cat-file --batch`` of those within MAX_EVENT_BYTES (a larger one is never read)."""
    blobs = read_event_blobs(repo, entries)
    return [stored_event(e, blobs) for e in entries]


def read_event_blobs(repo: Repo, entries: Iterable[TreeEntry]) -> dict[str, bytes]:
    """The bytes of the given event files that are blobs within MAX_EVENT_BYTES, by blob id
    (what :func:`stored_event` parses, maybe in another process)."""
    return repo.read_blobs((e.sha for e in entries if e.type == "blob"),
                           max_size=MAX_EVENT_BYTES)


def stored_event(e: TreeEntry, blobs: Mapping[str, bytes]) -> StoredEvent:
    """One event file parsed from ``blobs`` (:func:`read_event_blobs`): a file that is not
    a regular file, or is too large to have been read, does not count."""
    if e.type != "blob" or e.mode not in ("100644", "100755"):
        return StoredEvent(e.path, e.sha, None, f"not a regular file (mode {e.mode})")
    if e.sha not in blobs:
        return StoredEvent(e.path, e.sha, None,
                           f"event file is larger than {MAX_EVENT_BYTES} bytes")
    return parse_event(e.path, e.sha, blobs[e.sha])


def changed_since(repo: Repo, index: LedgerIndex, known_good: str | None) -> list[TreeEntry]:
    """Entries of ``index`` not already in the tree of ``known_good`` (a tip whose every
    event parsed). All entries when there is no usable ``known_good``."""
    if index.tip is None:
        return []
    if not known_good or repo.rev_parse(known_good + "^{commit}") is None:
        return list(index.entries)
    if known_good == index.tip:
        return []
    names = repo.paths_changed_between(known_good, index.tip)
    return [e for e in index.entries if e.path in names]
