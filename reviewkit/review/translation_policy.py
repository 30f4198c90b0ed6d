"""The decision's rules for translations: the optional language review by a linguist
(``policy.translations.linguistic_review``) and the source a translation was made from
(``source_changed``). Part of :mod:`reviewkit.review.policy`, which calls these as steps
of :func:`~reviewkit.review.policy.evaluate` and re-exports :func:`check_source`.

Values only: no git, no terminal (docs/guide/translations.md says it for people).

Layer: review/ (may import base/, rules/, article/, record/).
"""

from __future__ import annotations

from collections.abc import Sequence

from reviewkit.article.translation import effective_lang, language_problem
from reviewkit.base.digest import short
from reviewkit.base.identity import same_person
from reviewkit.base.model import ArticleSummary, Policy, Reviewer, ReviewEvent
from reviewkit.base.verdict import ArticleStatus, EventCheck, SourceView


def _day(e: ReviewEvent) -> str:
    return e.when.date().isoformat()


LINGUIST = "linguist"


def language_review_required(summary: ArticleSummary | None, policy: Policy) -> bool:
    """Does this article need a language review besides its clinical sign-off? Only a
    translation, and only under ``policy.translations.linguistic_review``."""
    return (policy.translations.linguistic_review and summary is not None
            and summary.translation_of is not None)


def language_review_problem(reviewer: Reviewer, summary: ArticleSummary | None, policy: Policy,
                            *, approver_emails: Sequence[str] | None = None,
                            revocation: bool = False) -> str | None:
    """The one home of who counts as a translation's language reviewer: the policy asks for
    a language review (:func:`language_review_required`), the reviewer holds the
    ``linguist`` role, reads the translation's ``lang`` and (for an approval, not a
    ``revocation``) is not its author. None when they count; else why not. A language
    review is never a clinical sign-off (:func:`approval_problem` judges that)."""
    if not language_review_required(summary, policy):
        if summary is not None and summary.translation_of is not None:
            return "policy.translations.linguistic_review is off"
        return "a language review counts only on a translation"
    assert summary is not None
    if LINGUIST not in reviewer.roles:
        return (f"{reviewer.name} is not a linguist "
                f"(roles: {', '.join(reviewer.roles) or 'none'})")
    reason = language_problem(reviewer, effective_lang(summary.lang, policy.default_lang),
                              policy.default_lang)
    if reason is not None:
        return reason
    if revocation or policy.allow_self_approval:
        return None
    emails = list(approver_emails) if approver_emails is not None else reviewer.all_emails()
    if summary.author_email and same_person(emails, [summary.author_email]):
        return f"self-approval ({reviewer.name} is the translation's author)"
    return None


def needs_language_review_reason(summary: ArticleSummary, policy: Policy) -> str:
    """The reason a translation waits for its language review, in words."""
    return (f"needs a language review by a reader of "
            f"{effective_lang(summary.lang, policy.default_lang)} ({LINGUIST})")


def require_language_review(checks: Sequence[EventCheck], summary: ArticleSummary | None,
                            policy: Policy) -> None:
    """Step 2b, the rule of ``policy.translations.linguistic_review``: a translation's
    clinical approvals of a version count only when that same version also has a language
    review (:func:`language_review_problem`) by someone other than the clinical approvers
    it completes (the same person may stand for both only under
    ``one_reviewer_for_both``). Otherwise they stop counting (``awaiting_language``), so
    no consumer (state, publish, byline, a source's view) can take the version as approved.
    A pair is as old as its older half: when only an expired language review completes
    it, the clinical approvals are expired too."""
    if not language_review_required(summary, policy):
        return
    assert summary is not None
    need = policy.approvals_required
    same_ok = policy.translations.one_reviewer_for_both
    per_digest: dict[str, list[EventCheck]] = {}
    for c in checks:
        e = c.event
        if e is not None and e.event == "approved" and (c.counts or c.language_review):
            per_digest.setdefault(e.digest, []).append(c)

    def paired(clinical: set[str], linguists: set[str]) -> bool:
        return any(len(clinical - (set() if same_ok else {who})) >= need for who in linguists)

    for group in per_digest.values():
        clinical = {c.event.actor: c for c in group if c.counts and c.event}
        if len(clinical) < need:
            continue  # not approved anyway: the decide step says it needs more approvals
        fresh = {a for a, c in clinical.items() if not c.expired}
        linguists = {c.event.actor: c for c in group if c.language_review and c.event}
        fresh_l = {a for a, c in linguists.items() if not c.expired}
        if paired(fresh, fresh_l):
            continue
        if paired(set(clinical), set(linguists)):
            for c in group:
                c.expired = c.expired or c.counts
            continue
        why = needs_language_review_reason(summary, policy)
        if not same_ok and set(linguists) & set(clinical):
            both = ", ".join(sorted(set(linguists) & set(clinical)))
            why += (f" other than {both} (one person cannot give both reviews: "
                    "policy.translations.one_reviewer_for_both is off)")
        for c in group:
            if c.counts:
                c.counts, c.awaiting_language = False, True
                c.reason = f"not counted yet: {why}"


def language_state(status: ArticleStatus, summary: ArticleSummary,
                    ordered: list[EventCheck], language: list[EventCheck],
                    policy: Policy) -> None:
    """A translation under ``linguistic_review`` that is not approved: say which half of
    the pair its current version has. A version with a clinical approval waiting only for
    its language review (or with a language review but no clinical approval yet) is in
    review, unless changes were requested since."""
    digest, path = status.digest, status.path
    lang = effective_lang(summary.lang, policy.default_lang)
    waiting = [c for c in ordered if c.awaiting_language and c.event
               and c.event.digest == digest]
    if not language or waiting:
        status.needs_language_review = lang
    if status.state == "changes_requested" or not (waiting or language):
        return
    status.state = "in_review"
    status.reasons = [r for r in status.reasons if not r.startswith("not submitted")]
    for c in language[-1:]:
        assert c.event is not None
        who = c.reviewer.name if c.reviewer else c.event.actor
        status.reasons.append(f"language review by {who} on {_day(c.event)}; awaiting the "
                              f"clinical sign-off by a clinical reviewer who reads {lang}")
        status.fix = f"a clinical reviewer runs: reviewkit approve {path}"
    for c in waiting[-1:]:
        assert c.event is not None
        who = c.reviewer.byline(c.credential) if c.reviewer else c.event.actor
        status.reasons.append(f"version {short(c.event.digest)} approved on {_day(c.event)} by "
                              f"{who}; {c.reason.removeprefix('not counted yet: ')}")
        status.fix = (f"a linguist who reads {lang} runs: "
                      f"reviewkit review {path} && reviewkit approve {path}")


def counted_as(credential: str | None, language: bool, summary: ArticleSummary | None,
               policy: Policy) -> str | None:
    """What an approval counts as, in words, where a language review is asked for."""
    if not language_review_required(summary, policy):
        return None
    assert summary is not None
    lang = summary.lang or policy.default_lang
    clinical = f"the clinical sign-off ({credential})"
    review = f"the language review ({lang})"
    if credential and language:
        if policy.translations.one_reviewer_for_both:
            return f"{clinical} and {review}"
        return (f"{clinical} or {review}, not both: another person gives the other "
                "(policy.translations.one_reviewer_for_both is off)")
    if language:
        return f"{review}, never a clinical sign-off; a clinical reviewer who reads {lang} " \
               "approves too"
    return f"{clinical}; a linguist who reads {lang} gives the language review"


# The start of a source_changed translation's next step; `review`, which shows that diff,
# leaves it out.
SOURCE_DIFF_HINT = "reviewkit review {path} shows what changed in the source; "


def check_source(status: ArticleStatus, summary: ArticleSummary | None,
                 source: SourceView | None, policy: Policy) -> None:
    """Step 4, for a translation: its approval holds only while its ``source_digest`` is
    the source version to follow (``source.last_digest``: the source's current digest when
    it is approved in this tree, else its newest approved version). When the source was approved again since (or
    its approval was revoked, or the digest names no approved version), an approved,
    expired or stale translation is ``source_changed``: kept live (``live``) when
    ``policy.translations.source_changed`` is ``keep`` and it was made from a version of
    the source that was approved; otherwise withdrawn. Other states get the reason."""
    if summary is None or summary.translation_of is None or status.state == "invalid":
        return
    status.source = source
    made_from = summary.source_digest or ""
    if source is not None and source.last_digest is not None and source.last_digest == made_from:
        return
    if source is None or source.path is None:
        why = f"its source {summary.translation_of} was not found in the catalogue"
    elif source.last_digest is None:
        why = (f"its source {source.path} has no approved version, so source_digest "
               f"{short(made_from)} names none")
    else:
        why = (f"its source {source.path} was approved as version {short(source.last_digest)} "
               f"on {(source.last_at or '')[:10]}; this translation was made from version "
               f"{short(made_from)}")
        if made_from not in source.approved:
            why += ", which is not an approved version of the source"
    if status.state not in ("approved", "expired", "stale"):
        status.reasons.append(f"the source changed: {why}; update the translation first")
        return
    # Only an approved translation is kept live: a stale or expired one's current text has
    # no approval in force, and the source moving on must not let it pass the gate.
    was_approved = status.state == "approved"
    status.state = "source_changed"
    status.live = (was_approved and policy.translations.source_changed == "keep"
                   and source is not None and made_from in source.approved)
    status.reasons.insert(0, f"the source changed: {why}")
    if status.live:
        status.reasons.append("its approved version stays published until the translation is "
                              "updated and approved again (policy.translations.source_changed: "
                              "keep)")
    else:
        status.reasons.append("withdrawn: not published until the translation is updated and "
                              "approved again")
    target = f"source_digest: {source.last_digest}" if source and source.last_digest else (
        "source_digest to the source's approved version")
    status.fix = (SOURCE_DIFF_HINT.format(path=status.path) + f"update the translation, set "
                  f"{target}, commit, then reviewkit submit {status.path}")
