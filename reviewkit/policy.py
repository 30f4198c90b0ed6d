"""The decision: which review events count, and the state of an article.

Everything here is a pure function of the article, its events, the registry, the policy
and the time: no git, no terminal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewkit.digest import short
from reviewkit.identity import same_person
from reviewkit.ledger import StoredEvent
from reviewkit.model import (
    DECIDING_KINDS,
    ArticleSummary,
    Credential,
    Policy,
    Registry,
    Reviewer,
    ReviewEvent,
    State,
)
from reviewkit.signing import AllowedKey, verify


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

    @property
    def event(self) -> ReviewEvent | None:
        return self.stored.event


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
    cached: dict[str, Any] | None = field(default=None, repr=False)  # from the verdict cache

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArticleStatus:
        """A status as :meth:`to_dict` wrote it (the cache); ``checks`` are not kept."""
        due = d.get("due")
        return cls(
            path=d["path"], state=d["state"], article_id=d.get("id"), title=d.get("title"),
            slug=d.get("slug"), draft=bool(d.get("draft")), digest=d.get("digest"),
            reasons=list(d.get("reasons") or []), fix=d.get("fix"),
            due=dt.date.fromisoformat(due) if isinstance(due, str) else None,
            submitted_at=d.get("submitted_at"), requested_reviewer=d.get("requested_reviewer"),
            cached=d,
        )

    def to_dict(self) -> dict[str, Any]:
        if self.cached is not None:
            return self.cached
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
            "rejected": [
                {"event": c.stored.name, "kind": c.event.event if c.event else None,
                 "actor": c.event.actor if c.event else None, "reason": c.reason}
                for c in self.checks
                if c.reason and (c.event is None or c.event.event in DECIDING_KINDS)
                and not c.counts
            ],
        }


def _day(e: ReviewEvent) -> str:
    return e.when.date().isoformat()


def verify_event(event: ReviewEvent, registry: Registry) -> tuple[bool, str, Reviewer | None]:
    """Is ``event`` signed by a registered key of its actor, valid at the event's time?"""
    reviewer = registry.get(event.actor)
    if not event.sig:
        return False, "not signed", reviewer
    if reviewer is None:
        return False, f"'{event.actor}' is not in the reviewer registry", None
    keys = [AllowedKey(reviewer.id, k.key, _utc(k.valid_after), _utc(k.valid_before))
            for k in reviewer.keys]
    if not keys:
        return False, f"{reviewer.name} has no registered key", reviewer
    result = verify(event.signed_payload(), event.sig, reviewer.id, keys, event.when)
    if not result.ok:
        return False, f"signature rejected: {result.reason}", reviewer
    return True, "", reviewer


def _utc(t: dt.datetime | None) -> dt.datetime | None:
    if t is None:
        return None
    if t.tzinfo is None:
        return t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(dt.timezone.utc)


def pick_credential(reviewer: Reviewer, event: ReviewEvent, topics: Sequence[str],
                    policy: Policy) -> tuple[Credential | None, str]:
    """The credential an approval is made under, or the reason none qualifies."""
    day = event.when.date()
    needed: set[str] | None = None
    for t in topics:
        if t in policy.topic_credentials:
            allowed = set(policy.topic_credentials[t])
            needed = allowed if needed is None else needed & allowed
    accepted = set(policy.accepted_credentials)
    held = [c for c in reviewer.credentials if event.credential in (None, c.type)]
    if not reviewer.credentials:
        return None, f"{reviewer.name} has no credential in the registry"
    if event.credential and not held:
        return None, f"{reviewer.name} holds no {event.credential} credential"
    if needed is not None:
        topic_ok = [c for c in held if c.type in needed]
        if not topic_ok:
            topics_named = ", ".join(t for t in topics if t in policy.topic_credentials)
            return None, (
                f"topic '{topics_named}' needs {', '.join(sorted(needed))}; "
                f"{reviewer.name} holds {', '.join(c.type for c in held) or 'none'}"
            )
        held = topic_ok
    else:
        held = [c for c in held if c.type in accepted]
        if not held:
            return None, (
                f"{reviewer.name}'s credential "
                f"({', '.join(c.type for c in reviewer.credentials)}) is not accepted "
                f"(accepted: {', '.join(policy.accepted_credentials)})"
            )
    valid = [c for c in held if c.valid_on(day)]
    if not valid:
        c = held[0]
        return None, (
            f"{reviewer.name}'s {c.type} license expired on {c.expires}, "
            f"before the approval on {day.isoformat()}"
        )
    return valid[0], ""


def evaluate(
    summary: ArticleSummary | None,
    path: str,
    events: Sequence[StoredEvent],
    registry: Registry,
    policy: Policy,
    now: dt.datetime,
    *,
    invalid_reasons: Sequence[str] = (),
    verified: Mapping[str, tuple[bool, str]] | None = None,
    ledger_missing: bool = False,
) -> ArticleStatus:
    """The state of one article from its current content and its events.

    ``verified`` holds signature results computed beforehand (by event blob id), e.g. in
    worker processes; events not in it are verified here. ``ledger_missing``: the events
    ref itself is absent, which the reasons must say instead of "not submitted".
    """
    status = ArticleStatus(
        path=path, state="draft",
        article_id=summary.id if summary else None,
        title=summary.title if summary else None,
        slug=summary.slug if summary else None,
        draft=summary.draft if summary else False,
        digest=summary.digest if summary else None,
    )
    checks = [EventCheck(e) for e in events]
    status.checks = checks
    skew = dt.timedelta(seconds=policy.clock_skew_seconds)
    max_age = dt.timedelta(days=policy.max_age_days)
    author_email = summary.author_email if summary else None
    topics = list(summary.topics) if summary else []

    # 1. signatures and per-event eligibility
    for c in checks:
        e = c.event
        if e is None:
            c.reason = f"not counted: {c.stored.problem}"
            continue
        if e.event in DECIDING_KINDS:
            if verified is not None and c.stored.blob in verified:
                ok, why = verified[c.stored.blob]
                reviewer = registry.get(e.actor)
            else:
                ok, why, reviewer = verify_event(e, registry)
            c.verified, c.reviewer = ok, reviewer
            if not ok:
                c.reason = f"not counted: {why}"
                continue
            if e.when > now + skew:
                c.verified = True
                c.reason = f"not counted: dated in the future ({e.at})"
                continue
        else:
            c.reviewer = registry.get(e.actor)
        if e.event != "approved":
            c.counts = True
            continue
        reviewer = c.reviewer
        assert reviewer is not None
        if "clinical_reviewer" not in reviewer.roles:
            c.reason = (f"not counted: {reviewer.name} is not a clinical reviewer "
                        f"(roles: {', '.join(reviewer.roles) or 'none'})")
            continue
        if (not policy.allow_self_approval and author_email
                and same_person(reviewer.all_emails(), [author_email])):
            c.reason = f"not counted: self-approval ({reviewer.name} is the article's author)"
            continue
        cred, why = pick_credential(reviewer, e, topics, policy)
        if cred is None:
            c.reason = f"not counted: {why}"
            continue
        c.credential = cred
        c.counts = True

    def by_reviewer(c: EventCheck) -> bool:
        return c.reviewer is not None and "clinical_reviewer" in c.reviewer.roles

    # 2. revocations: a later changes_requested / withdrawn by a reviewer on the same digest
    ordered = [c for c in checks if c.event is not None]
    for i, c in enumerate(ordered):
        e = c.event
        assert e is not None
        if e.event != "approved" or not c.counts:
            continue
        for later in ordered[i + 1:]:
            le = later.event
            assert le is not None
            if (le.event in ("changes_requested", "withdrawn") and later.counts
                    and le.digest == e.digest and by_reviewer(later)):
                who = later.reviewer.name if later.reviewer else le.actor
                what = "changes requested" if le.event == "changes_requested" else "withdrawn"
                c.counts = False
                c.reason = f"revoked: {what} by {who} on {_day(le)}"
                break
        if c.counts and e.when + max_age < now:
            c.expired = True

    approvals = [c for c in ordered if c.event and c.event.event == "approved" and c.counts]
    if approvals:
        status.last_approved = approvals[-1]

    if summary is None or summary.digest is None or invalid_reasons:
        status.state = "invalid"
        status.reasons = list(invalid_reasons) or ["the article could not be read"]
        status.fix = f"reviewkit validate {path}"
        return status

    digest = summary.digest
    current = [c for c in approvals if c.event and c.event.digest == digest]
    latest_per_actor: dict[str, EventCheck] = {}
    for c in current:
        assert c.event is not None
        latest_per_actor[c.event.actor] = c  # ordered oldest first: keeps the newest
    fresh = [c for c in latest_per_actor.values() if not c.expired]
    need = policy.approvals_required
    status.approvals = sorted(fresh, key=lambda c: c.event.when if c.event else now, reverse=True)

    submissions = [c for c in ordered if c.event and c.event.event == "submitted"]
    if submissions:
        last_sub = submissions[-1].event
        assert last_sub is not None
        status.submitted_at = last_sub.at
        status.requested_reviewer = last_sub.reviewer

    if len(fresh) >= need and summary.bylines:
        from reviewkit.byline import unapproved_names

        approvers = [c.reviewer.name for c in fresh if c.reviewer is not None]
        wrong = unapproved_names(summary.bylines, approvers)
        if wrong:
            status.state = "invalid"
            status.reasons.append(
                f"the body's byline names {', '.join(wrong)}, who did not approve this version "
                f"(approved by {', '.join(approvers)}); publish writes the byline from the "
                "sign-off")
            status.fix = f"remove the byline from {path}, or correct it, and have it approved"
            return status
    if len(fresh) >= need:
        status.state = "approved"
        counted = status.approvals[:need]
        oldest = min(c.event.when for c in counted if c.event)
        status.due = (oldest + max_age).date()
        return status

    def describe(c: EventCheck) -> str:
        e = c.event
        assert e is not None
        who = c.reviewer.byline(c.credential) if c.reviewer else e.actor
        return f"version {short(e.digest)} approved on {_day(e)} by {who}"

    if len(latest_per_actor) >= need:
        status.state = "expired"
        newest = max(latest_per_actor.values(), key=lambda c: c.event.when if c.event else now)
        assert newest.event is not None
        status.due = (newest.event.when + max_age).date()
        status.reasons.append(
            f"{describe(newest)}; approvals expire after {policy.max_age_days} days — "
            "periodic re-review is due"
        )
        status.fix = f"a clinical reviewer runs: reviewkit review {path} && reviewkit approve {path}"
        return status

    # the newest action that is not an approval decides between the remaining states
    actions = [c for c in ordered if c.counts and c.event and (
        c.event.event == "submitted"
        or (c.event.event == "changes_requested" and by_reviewer(c))
        or (c.event.event == "withdrawn" and not by_reviewer(c))
    )]
    last = actions[-1].event if actions else None
    if last is not None and last.event == "changes_requested" and not any(
        c.event and c.event.when > last.when for c in current
    ):
        who = actions[-1].reviewer.byline() if actions[-1].reviewer else last.actor
        status.state = "changes_requested"
        msg = f": “{last.message}”" if last.message else ""
        status.reasons.append(f"changes requested on {_day(last)} by {who}{msg}")
        if last.digest != digest:
            status.reasons.append("the article changed since; when it is ready, submit it again")
        status.fix = f"edit the article, then: reviewkit submit {path}"
        return status

    older = [c for c in approvals if c.event and c.event.digest != digest]
    if older:
        status.state = "stale"
        status.reasons.append(
            f"{describe(older[-1])}; the content changed since (now {short(digest)})"
        )
        status.fix = f"a clinical reviewer runs: reviewkit review {path} && reviewkit approve {path}"
    elif last is not None and last.event == "submitted":
        status.state = "in_review"
        who = f" ({last.reviewer} asked)" if last.reviewer else ""
        status.reasons.append(f"submitted for review on {_day(last)}{who}; awaiting sign-off")
        if last.digest != digest:
            status.reasons.append("the article changed after it was submitted")
        status.fix = f"a clinical reviewer runs: reviewkit approve {path}"
    else:
        status.state = "draft"
        if ledger_missing:
            status.reasons.append(
                "no review events in this clone: refs/reviewkit/events does not exist (none "
                "recorded yet, or not fetched: plain clones and CI checkouts do not fetch it)")
            status.fix = (f"reviewkit submit {path} if none was recorded yet; else fetch them: "
                          "git fetch origin '+refs/reviewkit/*:refs/reviewkit/*'")
            return status
        if last is not None and last.event == "withdrawn":
            who = actions[-1].reviewer.name if actions[-1].reviewer else last.actor
            status.reasons.append(f"submission withdrawn on {_day(last)} by {who}")
        else:
            status.reasons.append("not submitted for review")
        status.fix = f"reviewkit submit {path}"

    if current and len(latest_per_actor) < need:
        status.reasons.append(
            f"{len(latest_per_actor)} of {need} required approvals from distinct reviewers"
        )
    rejected = [c for c in checks if c.event and c.event.event == "approved"
                and c.event.digest == digest and not c.counts]
    for c in rejected[-3:]:
        e = c.event
        assert e is not None
        status.reasons.append(f"approval by {e.actor} on {_day(e)} {c.reason}")
    return status
