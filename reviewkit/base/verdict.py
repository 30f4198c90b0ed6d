"""The values the review decision works on and produces: an event file as stored, one
event judged, and the state of one article.

Plain data beside :mod:`reviewkit.base.model`; no git, no signatures, no terminal. The ledger
produces :class:`StoredEvent`; the policy turns them into :class:`EventCheck` and
:class:`ArticleStatus`.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from reviewkit.base.layout import article_of
from reviewkit.base.model import DECIDING_KINDS, Credential, Reviewer, ReviewEvent, State


@dataclass
class StoredEvent:
    """An event file on the ref. ``event`` is None when the file does not count."""

    name: str
    blob: str
    event: ReviewEvent | None
    problem: str | None = None

    @property
    def article_dir(self) -> str:
        return article_of(self.name)


@dataclass
class EventCheck:
    """One event of an article, judged: ``verified`` (signature), ``counts`` and why not."""

    stored: StoredEvent
    verified: bool | None = None  # None: unsigned kind, not checked
    counts: bool = False
    reason: str = ""
    reviewer: Reviewer | None = None
    credential: Credential | None = None
    expired: bool = False  # a valid approval older than max_age_days
    # a translation under policy.translations.linguistic_review: this event is its language
    # reviewer's (an approval that counts as the language review, never as a clinical one;
    # or a request for changes / withdrawal by one)
    language_review: bool = False
    # a clinical approval that does not count (yet) only for want of a language review
    awaiting_language: bool = False

    @property
    def event(self) -> ReviewEvent | None:
        return self.stored.event


@dataclass(frozen=True)
class SourceView:
    """What a translation's verdict needs of its source article (by id): where it is, its
    newest approval that counts (digest, date, git blob) and every digest with a counting
    approval. ``path`` None: no article has the id."""

    id: str
    path: str | None = None
    last_digest: str | None = None
    last_at: str | None = None
    approved: frozenset[str] = frozenset()
    # digest -> git blob of a verified approval of it (what `review` diffs)
    blobs: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "last_digest": self.last_digest,
                "last_at": self.last_at, "approved": sorted(self.approved),
                "blobs": [list(b) for b in self.blobs]}

    @classmethod
    def of(cls, source_id: str, status: ArticleStatus | None) -> SourceView:
        """The view of ``status`` (fresh or from the cache: both have the JSON form)."""
        if status is None:
            return cls(source_id)
        d = status.to_dict()
        last = d.get("last_approved") or {}
        current = d.get("digest")
        if d.get("state") == "approved" and current and last.get("digest") != current:
            # the source in this tree is approved as it stands: a translation follows that
            # version, not a newer approval of another one (an unmerged branch's)
            at = next((a.get("at") for a in d.get("approvals") or ()
                       if a.get("digest") == current), None)
            last = {"digest": current, "at": at}
        return cls(source_id, status.path, last.get("digest"), last.get("at"),
                   frozenset(d.get("approved_digests") or ()),
                   tuple((str(k), str(v)) for k, v in (d.get("approval_blobs") or {}).items()))

    @classmethod
    def from_dict(cls, d: Any) -> SourceView | None:
        """The view :meth:`to_dict` wrote (None for none)."""
        if d is None:
            return None
        return cls(str(d["id"]), d.get("path"), d.get("last_digest"), d.get("last_at"),
                   frozenset(str(x) for x in d.get("approved") or ()),
                   tuple((str(k), str(v)) for k, v in d.get("blobs") or ()))


@dataclass
class ArticleStatus:
    """The state of one article with the reasons a person can act on."""

    path: str
    state: State
    article_id: str | None = None
    title: str | None = None
    slug: str | None = None
    draft: bool = False
    digest: str | None = None
    reasons: list[str] = field(default_factory=list)
    fix: str | None = None
    approvals: list[EventCheck] = field(default_factory=list)  # counting, current digest
    checks: list[EventCheck] = field(default_factory=list)  # every event, oldest first
    last_approved: EventCheck | None = None  # newest approval that counted for any digest
    due: dt.date | None = None  # when the current approval expires
    submitted_at: str | None = None
    requested_reviewer: str | None = None
    # a translation: its source as judged; `live`: source_changed, and the policy keeps its
    # approved version published meanwhile
    source: SourceView | None = None
    live: bool = False
    # a translation whose current version still needs a language review: its lang
    needs_language_review: str | None = None

    def approved_digests(self) -> list[str]:
        """Every digest with an approval that counts (expired ones included)."""
        return sorted({c.event.digest for c in self.checks
                       if c.event is not None and c.event.event == "approved" and c.counts})

    def approval_blobs(self) -> dict[str, str]:
        """digest -> git blob, from verified approvals (to diff a source's versions)."""
        return {c.event.digest: c.event.blob for c in self.checks
                if c.event is not None and c.event.event == "approved" and c.verified}

    def to_dict(self) -> dict[str, Any]:
        """The status as JSON (``status --format json``, the cache)."""
        def approval(c: EventCheck) -> dict[str, object]:
            e = c.event
            assert e is not None
            return {
                "actor": e.actor,
                "name": c.reviewer.name if c.reviewer else None,
                "credential": c.credential.type if c.credential else None,
                "at": e.at, "digest": e.digest, "blob": e.blob, "event": c.stored.name,
            }

        return {
            "path": self.path, "id": self.article_id, "title": self.title, "slug": self.slug,
            "draft": self.draft, "state": self.state, "digest": self.digest,
            "reasons": self.reasons, "fix": self.fix,
            "approvals": [approval(c) for c in self.approvals],
            "last_approved": approval(self.last_approved) if self.last_approved else None,
            "due": self.due.isoformat() if self.due else None,
            "submitted_at": self.submitted_at, "requested_reviewer": self.requested_reviewer,
            "approved_digests": self.approved_digests(),
            "approval_blobs": self.approval_blobs(),
            "source": self.source.to_dict() if self.source else None, "live": self.live,
            "needs_language_review": self.needs_language_review,
            "rejected": [
                {"event": c.stored.name, "kind": c.event.event if c.event else None,
                 "actor": c.event.actor if c.event else None, "reason": c.reason}
                for c in self.checks
                if c.reason and (c.event is None or c.event.event in DECIDING_KINDS)
                and not c.counts and not c.language_review
            ],
        }


_NOT_KEPT = ("approvals", "checks", "last_approved")


def with_summary(compact: dict[str, Any], **summary: Any) -> dict[str, Any]:
    """A compact verdict (:meth:`ArticleStatus.to_dict` without path, id, title, slug,
    draft and digest) with those fields put back where ``to_dict`` writes them, so a
    verdict from the cache prints exactly as a fresh one."""
    out = {k: summary[k] for k in ("path", "id", "title", "slug", "draft")}
    out["state"] = compact.pop("state")  # KeyError for a verdict without one
    out["digest"] = summary["digest"]
    out.update(compact)
    return out


class CachedVerdict(ArticleStatus):
    """A verdict restored from the cache: the decision (state, reasons, next command, due
    date) and its JSON form, without the judged events it was made from.

    It is not a complete :class:`ArticleStatus`: ``approvals``, ``checks`` and
    ``last_approved`` are not kept, and reading them raises AttributeError rather than
    answering "none" (their JSON form is in :meth:`to_dict`). Code that needs the events
    evaluates without the cache.
    """

    def __init__(self, record: dict[str, Any] | str, **fields: Any) -> None:
        super().__init__(**fields)
        # the JSON form, or (compact) its text without the fields kept as attributes
        # above: a dict per article would hold thousands of small objects (the gate's memory)
        self._record = record

    @property
    def record(self) -> dict[str, Any]:
        if isinstance(self._record, dict):
            return self._record
        return with_summary(json.loads(self._record), path=self.path, id=self.article_id,
                            title=self.title, slug=self.slug, draft=self.draft,
                            digest=self.digest)

    @classmethod
    def from_dict(cls, d: dict[str, Any], text: str | None = None) -> CachedVerdict:
        """A verdict as :meth:`ArticleStatus.to_dict` wrote it. ``text``: the same without
        path, id, title, slug, draft and digest, as compact JSON (the cache's form), kept
        instead of ``d``."""
        due = d.get("due")
        return cls(
            d if text is None else text, path=d["path"], state=d["state"], article_id=d.get("id"), title=d.get("title"),
            slug=d.get("slug"), draft=bool(d.get("draft")), digest=d.get("digest"),
            reasons=list(d.get("reasons") or []), fix=d.get("fix"),
            due=dt.date.fromisoformat(due) if isinstance(due, str) else None,
            submitted_at=d.get("submitted_at"), requested_reviewer=d.get("requested_reviewer"),
            source=SourceView.from_dict(d.get("source")), live=d.get("live") is True,
            needs_language_review=d.get("needs_language_review"),
        )

    def to_dict(self) -> dict[str, Any]:
        return self.record

    def __repr__(self) -> str:
        return f"CachedVerdict(path={self.path!r}, state={self.state!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CachedVerdict) and self.record == other.record

    __hash__ = None  # type: ignore[assignment]


def _not_kept(name: str) -> property:
    def get(self: CachedVerdict) -> Any:
        raise AttributeError(f"{name} is not kept in the verdict cache: read "
                             f"to_dict()[{name!r}], or evaluate without the cache")

    def put(self: CachedVerdict, value: Any) -> None:
        if value:  # the dataclass initialiser sets the empty defaults
            raise AttributeError(f"{name} cannot be set on a verdict from the cache")

    return property(get, put)


for _name in _NOT_KEPT:
    setattr(CachedVerdict, _name, _not_kept(_name))
