"""The decision: which review events count, and the state of an article.

Everything here is a function of values (the article's summary, its events, the registry,
the policy and the time): no git, no terminal. Read :func:`evaluate` top down; it is three
steps, each a plain function:

1. :func:`judge_events`: which events are eligible (signature, date, and for approvals
   :func:`approval_problem`, the one home of the role, self-approval and credential rules,
   and :func:`language_review_problem`, the one home of who counts as a translation's
   language reviewer);
2. :func:`apply_revocations`: what a later request for changes or withdrawal revokes, and
   which approvals have expired; then :func:`require_language_review`: under
   ``policy.translations.linguistic_review`` a translation's clinical approvals of a version
   count only together with a language review of that same version;
3. :func:`decide_state`: the resulting state, its reasons and the next command.

Signatures are checked by a ``verifier`` (default :func:`verify_event`: the in-process
SSHSIG verifier, which shells out to ``ssh-keygen`` only for security-key types); tests
pass a stub.

Layer: review/ (may import base/, rules/, article/, record/).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from reviewkit.article.translation import effective_lang, language_problem
from reviewkit.base.digest import short
from reviewkit.base.identity import same_person
from reviewkit.base.model import (
    DECIDING_KINDS,
    ArticleSummary,
    Credential,
    Policy,
    Registry,
    Reviewer,
    ReviewEvent,
)
from reviewkit.base.verdict import ArticleStatus as ArticleStatus  # re-exported (its old home)
from reviewkit.base.verdict import EventCheck as EventCheck
from reviewkit.base.verdict import SourceView, StoredEvent
from reviewkit.record.signing import AllowedKey, verify
from reviewkit.review.translation_policy import LINGUIST as LINGUIST
from reviewkit.review.translation_policy import check_source as check_source
from reviewkit.review.translation_policy import (
    language_review_problem,
    language_review_required,
    language_state,
    require_language_review,
)

# (event, registry) -> (signature ok, why not, the registered signer)
Verifier = Callable[[ReviewEvent, Registry], tuple[bool, str, Reviewer | None]]


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


def pick_credential(reviewer: Reviewer, requested: str | None, day: dt.date,
                    topics: Sequence[str], policy: Policy) -> tuple[Credential | None, str]:
    """The credential an approval on ``day`` is made under (``requested``: the one the
    event names, if any), or the reason none qualifies."""
    needed: set[str] | None = None
    for t in topics:
        if t in policy.topic_credentials:
            allowed = set(policy.topic_credentials[t])
            needed = allowed if needed is None else needed & allowed
    accepted = set(policy.accepted_credentials)
    held = [c for c in reviewer.credentials if requested in (None, c.type)]
    if not reviewer.credentials:
        return None, f"{reviewer.name} has no credential in the registry"
    if requested and not held:
        return None, f"{reviewer.name} holds no {requested} credential"
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


def refusal_hint(problem: str | None) -> str | None:
    """What to do about an approval :func:`judge_approval` would not count, when it is clear."""
    if problem and problem.startswith("self-approval"):
        return "ask another clinical reviewer"
    if problem and " license expired on " in problem:
        return ("if it was renewed, an admin updates its expires date in reviewers.yaml; "
                "meanwhile ask another clinical reviewer")
    return None


def role_problem(reviewer: Reviewer) -> str | None:
    """Why ``reviewer`` may not approve or request changes (the clinical role), or None."""
    if "clinical_reviewer" not in reviewer.roles:
        return (f"{reviewer.name} is not a clinical reviewer "
                f"(roles: {', '.join(reviewer.roles) or 'none'})")
    return None


def approval_problem(reviewer: Reviewer, *, when: dt.datetime, credential: str | None,
                     topics: Sequence[str], author_email: str | None, policy: Policy,
                     approver_emails: Sequence[str] | None = None,
                     lang: str | None = None,
                     ) -> tuple[Credential | None, str | None]:
    """The one home of the rules an approval must meet beyond its signature (whose key
    window :func:`verify_event` judges): the clinical role, reading the article's language
    (``lang``: its front matter's, None for the publication's default; the reviewer's
    ``languages``, :func:`reviewkit.article.translation.reads`), no self-approval (by
    identity, :func:`reviewkit.base.identity.same_person`), and a credential that is
    accepted (or that
    the article's topics require), held and valid on the approval's date.

    Returns the credential the approval counts under, or the problem. The gate passes the
    registry's addresses; ``approve`` also the git identity approving now
    (``approver_emails``). The byline rule needs every approver, so it is judged on the
    whole state (:func:`decide_state`) and, for one approver, by ``byline.byline_problem``.
    """
    problem = role_problem(reviewer)
    if problem is not None:
        return None, problem
    problem = language_problem(reviewer, effective_lang(lang, policy.default_lang),
                               policy.default_lang)
    if problem is not None:
        return None, problem
    emails = list(approver_emails) if approver_emails is not None else reviewer.all_emails()
    if (not policy.allow_self_approval and author_email
            and same_person(emails, [author_email])):
        return None, f"self-approval ({reviewer.name} is the article's author)"
    cred, why = pick_credential(reviewer, credential, when.date(), topics, policy)
    if cred is None:
        return None, why
    return cred, None


# --------------------------------------------------------------------------- the steps

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
    verifier: Verifier | None = None,
    source: SourceView | None = None,
) -> ArticleStatus:
    """The state of one article from its current content and its events (oldest first).

    A translation (``translation_of``) is also judged against ``source``, its source
    article's view (:func:`check_source`); without one it cannot be approved.

    ``verified`` holds signature results computed beforehand (by event blob id), e.g. in
    worker processes; events not in it are checked by ``verifier`` (default
    :func:`verify_event`). ``ledger_missing``: the events ref itself is absent, which the
    reasons must say instead of "not submitted".
    """
    checks = judge_events(events, summary, registry, policy, now, verified=verified,
                          verifier=verifier or verify_event)
    apply_revocations(checks, policy, now)
    require_language_review(checks, summary, policy)
    status = decide_state(summary, path, checks, policy, now, invalid_reasons=invalid_reasons,
                          ledger_missing=ledger_missing)
    check_source(status, summary, source, policy)
    return status


def judge_events(events: Sequence[StoredEvent], summary: ArticleSummary | None,
                 registry: Registry, policy: Policy, now: dt.datetime, *,
                 verified: Mapping[str, tuple[bool, str]] | None = None,
                 verifier: Verifier = verify_event) -> list[EventCheck]:
    """Step 1: each event on its own: is it eligible to count, and if not, why."""
    checks = [EventCheck(e) for e in events]
    for c in checks:
        _judge(c, summary, registry, policy, now, verified, verifier)
    return checks


def _judge(c: EventCheck, summary: ArticleSummary | None, registry: Registry, policy: Policy,
           now: dt.datetime, verified: Mapping[str, tuple[bool, str]] | None,
           verifier: Verifier) -> None:
    e = c.event
    if e is None:
        c.reason = f"not counted: {c.stored.problem}"
        return
    skew = dt.timedelta(seconds=policy.clock_skew_seconds)
    if e.event in DECIDING_KINDS:
        if verified is not None and c.stored.blob in verified:
            ok, why = verified[c.stored.blob]
            reviewer = registry.get(e.actor)
        else:
            ok, why, reviewer = verifier(e, registry)
        c.verified, c.reviewer = ok, reviewer
        if not ok:
            c.reason = f"not counted: {why}"
            return
        if e.when > now + skew:
            c.verified = True
            c.reason = f"not counted: dated in the future ({e.at})"
            return
    else:
        c.reviewer = registry.get(e.actor)
    if e.event != "approved":
        c.counts = True
        if e.event in DECIDING_KINDS and c.reviewer is not None:
            c.language_review = language_review_problem(c.reviewer, summary, policy,
                                                        revocation=True) is None
        return
    assert c.reviewer is not None  # a verified signature has a registered signer
    cred, language, problem = judge_approval(
        c.reviewer, when=e.when, credential=e.credential, summary=summary, policy=policy)
    c.credential, c.counts, c.language_review = cred, cred is not None, language
    if cred is None:
        c.reason = (f"not counted: {problem}" if not language else
                    "counts as the language review only, never as a clinical sign-off")


def judge_approval(reviewer: Reviewer, *, when: dt.datetime, credential: str | None,
                   summary: ArticleSummary | None, policy: Policy,
                   approver_emails: Sequence[str] | None = None,
                   ) -> tuple[Credential | None, bool, str | None]:
    """What one approval by ``reviewer`` counts as: a clinical sign-off (the credential,
    :func:`approval_problem`), a translation's language review (:func:`
    language_review_problem`), both (one person with both roles: the decide step allows
    them to stand for both only under ``policy.translations.one_reviewer_for_both``), or
    neither. Returns (credential or None, counts as the language review, why it counts
    as no clinical sign-off)."""
    cred, problem = approval_problem(
        reviewer, when=when, credential=credential,
        topics=list(summary.topics) if summary else [],
        author_email=summary.author_email if summary else None, policy=policy,
        approver_emails=approver_emails, lang=summary.lang if summary else None)
    language = language_review_problem(reviewer, summary, policy,
                                       approver_emails=approver_emails)
    if cred is None and language is not None and LINGUIST in reviewer.roles:
        problem = f"{problem}; as the language review: {language}"
    return cred, language is None, problem


def _by_reviewer(c: EventCheck) -> bool:
    """A reviewer's event (its request for changes or withdrawal revokes approvals): a
    clinical reviewer's, or the translation's language reviewer's."""
    return c.reviewer is not None and ("clinical_reviewer" in c.reviewer.roles
                                       or c.language_review)


def apply_revocations(checks: Sequence[EventCheck], policy: Policy, now: dt.datetime) -> None:
    """Step 2: an approval stops counting when a clinical reviewer later requests changes
    on, or withdraws, the same digest; one that still counts expires after
    ``max_age_days``."""
    max_age = dt.timedelta(days=policy.max_age_days)
    ordered = [c for c in checks if c.event is not None]
    for i, c in enumerate(ordered):
        e = c.event
        assert e is not None
        if e.event != "approved" or not (c.counts or c.language_review):
            continue
        for later in ordered[i + 1:]:
            le = later.event
            assert le is not None
            if (le.event in ("changes_requested", "withdrawn") and later.counts
                    and le.digest == e.digest and _by_reviewer(later)):
                who = later.reviewer.name if later.reviewer else le.actor
                what = "changes requested" if le.event == "changes_requested" else "withdrawn"
                c.counts = c.language_review = False
                c.reason = f"revoked: {what} by {who} on {_day(le)}"
                break
        if (c.counts or c.language_review) and e.when + max_age < now:
            c.expired = True


def _kind(c: EventCheck) -> str | None:
    return c.event.event if c.event else None


def decide_state(summary: ArticleSummary | None, path: str, checks: list[EventCheck],
                 policy: Policy, now: dt.datetime, *, invalid_reasons: Sequence[str] = (),
                 ledger_missing: bool = False) -> ArticleStatus:
    """Step 3: the article's state from its judged events, with its reasons and the next
    command. The first of these that applies decides: invalid; approved (unless a
    byline names someone else: invalid); expired; changes requested; stale; in review;
    draft."""
    status = ArticleStatus(
        path=path, state="draft",
        article_id=summary.id if summary else None,
        title=summary.title if summary else None,
        slug=summary.slug if summary else None,
        draft=summary.draft if summary else False,
        digest=summary.digest if summary else None,
        checks=checks,
    )
    ordered = [c for c in checks if c.event is not None]
    approvals = [c for c in ordered if _kind(c) == "approved" and c.counts]
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
    status.approvals = sorted(fresh, key=lambda c: c.event.when if c.event else now, reverse=True)
    submissions = [c.event for c in ordered if _kind(c) == "submitted"]
    if submissions and submissions[-1] is not None:
        status.submitted_at = submissions[-1].at
        status.requested_reviewer = submissions[-1].reviewer

    need = policy.approvals_required
    # a translation's language reviews of this version (require_language_review)
    language = [c for c in ordered if _kind(c) == "approved" and c.language_review
                and not c.expired and c.event and c.event.digest == digest]
    if len(fresh) >= need:
        _approved(status, summary, fresh, policy)
        if status.state == "approved" and language and status.due is not None:
            newest = max(c.event.when for c in language if c.event)
            status.due = min(status.due, (newest + dt.timedelta(days=policy.max_age_days)).date())
        return status
    if len(latest_per_actor) >= need:
        return _expired(status, list(latest_per_actor.values()), policy, now)
    _not_yet_approved(status, ordered, current, approvals, ledger_missing)
    if status.state == "draft" and ledger_missing:
        return status
    if language_review_required(summary, policy):
        language_state(status, summary, ordered, language, policy)
    if current and len(latest_per_actor) < need:
        status.reasons.append(
            f"{len(latest_per_actor)} of {need} required approvals from distinct reviewers"
        )
    rejected = [c for c in checks if c.event and c.event.event == "approved"
                and c.event.digest == digest and not c.counts
                and not c.awaiting_language and not c.language_review]
    for c in rejected[-3:]:
        e = c.event
        assert e is not None
        status.reasons.append(f"approval by {e.actor} on {_day(e)} {c.reason}")
    return status


def _describe(c: EventCheck) -> str:
    e = c.event
    assert e is not None
    who = c.reviewer.byline(c.credential) if c.reviewer else e.actor
    return f"version {short(e.digest)} approved on {_day(e)} by {who}"


def _approved(status: ArticleStatus, summary: ArticleSummary, fresh: list[EventCheck],
              policy: Policy) -> ArticleStatus:
    """Enough current approvals: approved, unless the body's byline names someone else."""
    path = status.path
    if summary.bylines:
        from reviewkit.article.byline import unapproved_names

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
    status.state = "approved"
    counted = status.approvals[:policy.approvals_required]
    oldest = min(c.event.when for c in counted if c.event)
    status.due = (oldest + dt.timedelta(days=policy.max_age_days)).date()
    return status


def _expired(status: ArticleStatus, latest: list[EventCheck], policy: Policy,
             now: dt.datetime) -> ArticleStatus:
    """Enough approvals of this version, but too old: periodic re-review is due."""
    status.state = "expired"
    newest = max(latest, key=lambda c: c.event.when if c.event else now)
    assert newest.event is not None
    status.due = (newest.event.when + dt.timedelta(days=policy.max_age_days)).date()
    status.reasons.append(
        f"{_describe(newest)}; approvals expire after {policy.max_age_days} days — "
        "periodic re-review is due"
    )
    status.fix = (f"a clinical reviewer runs: reviewkit review {status.path} && "
                  f"reviewkit approve {status.path}")
    return status


def _not_yet_approved(status: ArticleStatus, ordered: list[EventCheck],
                      current: list[EventCheck], approvals: list[EventCheck],
                      ledger_missing: bool) -> None:
    """Not enough approvals: the newest action that is not an approval decides between
    changes requested, stale, in review and draft."""
    path, digest = status.path, status.digest
    actions = [c for c in ordered if c.counts and (
        _kind(c) == "submitted"
        or (_kind(c) == "changes_requested" and _by_reviewer(c))
        or (_kind(c) == "withdrawn" and not _by_reviewer(c))
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
        return
    older = [c for c in approvals if c.event and c.event.digest != digest]
    if older:
        status.state = "stale"
        status.reasons.append(
            f"{_describe(older[-1])}; the content changed since (now {short(digest or '')})"
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
            return
        if last is not None and last.event == "withdrawn":
            who = actions[-1].reviewer.name if actions[-1].reviewer else last.actor
            status.reasons.append(f"submission withdrawn on {_day(last)} by {who}")
        else:
            status.reasons.append("not submitted for review")
        status.fix = f"reviewkit submit {path}"
