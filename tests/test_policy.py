"""The decision on constructed values: every state, reason and revocation order.

No git, no ssh-keygen: events are built in memory and a stub verifier stands in for the
signature check (a signature reading ``bad`` is rejected, one of an unregistered actor
names the registry, as :func:`reviewkit.review.policy.verify_event` does). The end-to-end tests
(test_gate.py, tests/security/) prove the same rules through git and real keys.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from reviewkit.base.model import ArticleSummary, Policy, Registry, Reviewer, ReviewEvent
from reviewkit.base.verdict import ArticleStatus, SourceView, StoredEvent
from reviewkit.review.policy import (
    apply_revocations,
    approval_problem,
    decide_state,
    evaluate,
    judge_events,
)

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
V1 = "sha256:" + "1" * 64
V2 = "sha256:" + "2" * 64
BLOB = "b" * 40
PATH = "content/coping-with-worry.md"
GOOD = "-----BEGIN SSH SIGNATURE-----\ngood"
BAD = "-----BEGIN SSH SIGNATURE-----\nbad"

REGISTRY = Registry.model_validate({"reviewers": [
    {"id": "dwhitfield", "name": "Dana Whitfield", "email": "dwhitfield@example.org",
     "roles": ["clinical_reviewer"], "credentials": [{"type": "LPC"}]},
    {"id": "mokafor", "name": "Michael Okafor", "email": "mokafor@example.org",
     "roles": ["clinical_reviewer"], "credentials": [{"type": "MD"}]},
    {"id": "jlee", "name": "Jordan Lee", "email": "jlee@example.org", "roles": ["editor"]},
    {"id": "rvance", "name": "Riley Vance", "email": "rvance@example.org",
     "roles": ["clinical_reviewer", "admin"],
     "credentials": [{"type": "LCSW", "expires": "2026-01-31"}]},
    {"id": "tnone", "name": "Taylor None", "email": "tnone@example.org",
     "roles": ["clinical_reviewer"]},
    {"id": "scastro", "name": "Sam Castro", "email": "scastro@example.org",
     "roles": ["clinical_reviewer"], "credentials": [{"type": "LCSW"}], "languages": ["en", "es"]},
    {"id": "pmx", "name": "Pat Ruiz", "email": "pruiz@example.org",
     "roles": ["clinical_reviewer"], "credentials": [{"type": "LCSW"}], "languages": ["es-MX"]},
    # language reviewers (policy.translations.linguistic_review)
    {"id": "lmarin", "name": "Lucia Marin", "email": "lmarin@example.org",
     "roles": ["linguist"], "languages": ["es"]},
    {"id": "fdubois", "name": "Fabrice Dubois", "email": "fdubois@example.org",
     "roles": ["linguist"], "languages": ["fr"]},
    {"id": "aboth", "name": "Alex Borrego", "email": "aboth@example.org",
     "roles": ["clinical_reviewer", "linguist"], "credentials": [{"type": "LCSW"}],
     "languages": ["en", "es"]},
]})


def stub_verifier(event: ReviewEvent, registry: Registry) -> tuple[bool, str, Reviewer | None]:
    reviewer = registry.get(event.actor)
    if not event.sig:
        return False, "not signed", reviewer
    if reviewer is None:
        return False, f"'{event.actor}' is not in the reviewer registry", None
    if "bad" in event.sig:
        return False, "signature rejected: wrong key", reviewer
    return True, "", reviewer


def ev(kind: str, actor: str, days_ago: float, digest: str = V1, *, sig: str | None = GOOD,
       n: int = 0, **extra: Any) -> StoredEvent:
    at = (NOW - dt.timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    data: dict[str, Any] = {
        "v": 1, "event": kind, "article": "01J0ARTICLE", "path": PATH, "digest": digest,
        "blob": BLOB, "commit": "c" * 40, "actor": actor, "at": at,
        "nonce": f"{n:016x}", "message": extra.pop("message", ""), **extra}
    if kind in ("approved", "changes_requested", "withdrawn") and sig is not None:
        data["sig"] = sig
    event = ReviewEvent.model_validate(data, context={"unsigned": True})
    return StoredEvent(f"01J0ARTICLE/{at}-{kind}-{actor}-{n}.json", f"{n:040x}", event)


def summary(digest: str | None = V1, **kw: Any) -> ArticleSummary:
    base: dict[str, Any] = dict(path=PATH, blob=BLOB, id="01J0ARTICLE", title="Coping with worry",
                                slug="coping-with-worry", draft=False, digest=digest,
                                author_email="jlee@example.org")
    base.update(kw)
    return ArticleSummary(**base)


@dataclass
class Case:
    id: str
    events: list[StoredEvent]
    state: str
    reasons: list[str] = field(default_factory=list)  # each a substring of some reason
    fix: str | None = None  # a substring of the next command
    approvers: list[str] = field(default_factory=list)  # status.approvals, newest first
    summary: ArticleSummary = field(default_factory=summary)
    policy: dict[str, Any] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)
    ledger_missing: bool = False
    rejected: dict[int, str] = field(default_factory=dict)  # event index -> reason substring
    source: SourceView | None = None  # a translation's source
    live: bool | None = None  # source_changed: kept published?


def _events(*specs: StoredEvent) -> list[StoredEvent]:
    return list(specs)


SRC = "01J0SOURCE"
V8 = "sha256:" + "8" * 64
V9 = "sha256:" + "9" * 64


def translation(lang: str = "es", made_from: str = V9) -> ArticleSummary:
    return summary(lang=lang, translation_of=SRC, source_digest=made_from)


def source(last: str | None = V9, *approved: str) -> SourceView:
    return SourceView(SRC, "content/source.md", last, "2026-05-20T00:00:00.000000Z",
                      frozenset(approved or ((last,) if last else ())))


CASES = [
    # --- draft, in review, invalid ------------------------------------------------------------
    Case("no-events", [], "draft", ["not submitted for review"], "reviewkit submit"),
    Case("ledger-missing", [], "draft", ["refs/reviewkit/events does not exist"],
         "git fetch origin", ledger_missing=True),
    Case("submitted", _events(ev("submitted", "jlee", 3)), "in_review",
         ["submitted for review on 2026-05-29; awaiting sign-off"], "reviewkit approve"),
    Case("submitted-asking", _events(ev("submitted", "jlee", 3, reviewer="mokafor")), "in_review",
         ["(mokafor asked)"]),
    Case("submitted-then-edited", _events(ev("submitted", "jlee", 3, V2)), "in_review",
         ["the article changed after it was submitted"]),
    Case("withdrawn-by-editor", _events(ev("submitted", "jlee", 3), ev("withdrawn", "jlee", 2, n=1)),
         "draft", ["submission withdrawn on 2026-05-30 by Jordan Lee"], "reviewkit submit"),
    Case("commented-only", _events(ev("commented", "mokafor", 1)), "draft",
         ["not submitted for review"]),
    Case("front-matter-invalid", [], "invalid", ["title: required"], "reviewkit validate",
         invalid=["title: required"]),
    Case("unreadable", [], "invalid", ["the article could not be read"],
         summary=summary(digest=None)),
    # --- approved -----------------------------------------------------------------------------
    Case("approved", _events(ev("submitted", "jlee", 3), ev("approved", "dwhitfield", 1, n=1)),
         "approved", approvers=["dwhitfield"]),
    Case("approved-two-required", _events(ev("approved", "dwhitfield", 2),
                                          ev("approved", "mokafor", 1, n=1)),
         "approved", approvers=["mokafor", "dwhitfield"], policy={"approvals_required": 2}),
    Case("approve-request-approve", _events(ev("approved", "dwhitfield", 3),
                                            ev("changes_requested", "mokafor", 2, n=1),
                                            ev("approved", "mokafor", 1, n=2)),
         "approved", approvers=["mokafor"], rejected={0: "revoked: changes requested by "
                                                         "Michael Okafor on 2026-05-30"}),
    Case("topic-credential-held", _events(ev("approved", "mokafor", 1)), "approved",
         approvers=["mokafor"], summary=summary(topics=("medication",)),
         policy={"topic_credentials": {"medication": ["MD", "DO"]}}),
    Case("credential-named-held", _events(ev("approved", "dwhitfield", 1, credential="LPC")),
         "approved", approvers=["dwhitfield"]),
    Case("self-approval-allowed", _events(ev("approved", "dwhitfield", 1)), "approved",
         approvers=["dwhitfield"], summary=summary(author_email="dwhitfield@example.org"),
         policy={"allow_self_approval": True}),
    Case("byline-names-the-approver", _events(ev("approved", "dwhitfield", 1)), "approved",
         summary=summary(bylines=((12, "Dana Whitfield"),)), approvers=["dwhitfield"]),
    Case("within-skew", _events(ev("approved", "dwhitfield", -60 / 86400)), "approved",
         approvers=["dwhitfield"]),
    # --- changes requested --------------------------------------------------------------------
    Case("changes-requested", _events(ev("submitted", "jlee", 3),
                                      ev("changes_requested", "dwhitfield", 2, n=1,
                                         message="cite the dosage source")),
         "changes_requested",
         ["changes requested on 2026-05-30 by Dana Whitfield, LPC: “cite the dosage source”"],
         "edit the article, then: reviewkit submit"),
    Case("approve-then-request", _events(ev("approved", "dwhitfield", 3),
                                         ev("changes_requested", "mokafor", 2, n=1)),
         "changes_requested", ["changes requested on 2026-05-30 by Michael Okafor, MD"],
         rejected={0: "revoked: changes requested by Michael Okafor"}),
    Case("changes-then-edited", _events(ev("changes_requested", "dwhitfield", 2, V2)),
         "changes_requested", ["the article changed since; when it is ready, submit it again"]),
    Case("request-then-resubmit", _events(ev("changes_requested", "dwhitfield", 3),
                                          ev("submitted", "jlee", 1, n=1)),
         "in_review", ["submitted for review on 2026-05-31"]),
    Case("editor-request-is-not-a-revocation", _events(ev("approved", "dwhitfield", 3),
                                                       ev("changes_requested", "jlee", 2, n=1)),
         "approved", approvers=["dwhitfield"]),
    # --- revocation by withdrawal -------------------------------------------------------------
    Case("withdrawn-by-reviewer", _events(ev("approved", "dwhitfield", 3),
                                          ev("withdrawn", "dwhitfield", 2, n=1)),
         "draft", ["not submitted for review"], rejected={0: "revoked: withdrawn by Dana Whitfield"}),
    Case("withdrawal-of-another-version", _events(ev("approved", "dwhitfield", 3),
                                                  ev("withdrawn", "dwhitfield", 2, V2, n=1)),
         "approved", approvers=["dwhitfield"]),
    Case("withdraw-then-approve", _events(ev("approved", "dwhitfield", 3),
                                          ev("withdrawn", "dwhitfield", 2, n=1),
                                          ev("approved", "dwhitfield", 1, n=2)),
         "approved", approvers=["dwhitfield"]),
    # --- stale, expired -----------------------------------------------------------------------
    Case("stale", _events(ev("approved", "dwhitfield", 3, V2)), "stale",
         ["approved on 2026-05-29 by Dana Whitfield, LPC; the content changed since (now "],
         "reviewkit review"),
    Case("expired", _events(ev("approved", "dwhitfield", 400)), "expired",
         ["approvals expire after 365 days — periodic re-review is due"], "reviewkit approve"),
    Case("expired-short-window", _events(ev("approved", "dwhitfield", 40)), "expired",
         policy={"max_age_days": 30}),
    Case("reapproved-after-expiry", _events(ev("approved", "dwhitfield", 400),
                                            ev("approved", "dwhitfield", 1, n=1)),
         "approved", approvers=["dwhitfield"]),
    # --- approvals that do not count ----------------------------------------------------------
    Case("distinct-approvers", _events(ev("approved", "dwhitfield", 2),
                                       ev("approved", "dwhitfield", 1, n=1)),
         "draft", ["1 of 2 required approvals from distinct reviewers"],
         approvers=["dwhitfield"], policy={"approvals_required": 2}),
    Case("self-approval", _events(ev("approved", "dwhitfield", 1)), "draft",
         ["approval by dwhitfield on 2026-05-31 not counted: self-approval (Dana Whitfield is "
          "the article's author)"],
         summary=summary(author_email="DWhitfield+worry@EXAMPLE.org"),
         rejected={0: "self-approval"}),
    Case("editor-approval", _events(ev("approved", "jlee", 1)), "draft",
         ["not counted: Jordan Lee is not a clinical reviewer (roles: editor)"]),
    Case("unknown-actor", _events(ev("approved", "nobody", 1)), "draft",
         ["not counted: 'nobody' is not in the reviewer registry"]),
    Case("unsigned", _events(ev("approved", "dwhitfield", 1, sig=None)), "draft",
         ["not counted: not signed"]),
    Case("bad-signature", _events(ev("approved", "dwhitfield", 1, sig=BAD)), "draft",
         ["not counted: signature rejected: wrong key"]),
    Case("future-dated", _events(ev("approved", "dwhitfield", -1)), "draft",
         ["not counted: dated in the future (2026-06-02T12:00:00.000000Z)"]),
    Case("future-dated-request-cannot-be-outvoted", _events(
        ev("approved", "dwhitfield", 2), ev("changes_requested", "mokafor", -2, n=1),
        ev("approved", "mokafor", -1, n=2)), "approved", approvers=["dwhitfield"]),
    Case("expired-credential", _events(ev("approved", "rvance", 1)), "draft",
         ["Riley Vance's LCSW license expired on 2026-01-31, before the approval on 2026-05-31"]),
    Case("credential-before-expiry", _events(ev("approved", "rvance", 200)), "approved",
         approvers=["rvance"]),
    Case("no-credential", _events(ev("approved", "tnone", 1)), "draft",
         ["Taylor None has no credential in the registry"]),
    Case("credential-not-held", _events(ev("approved", "dwhitfield", 1, credential="MD")),
         "draft", ["Dana Whitfield holds no MD credential"]),
    Case("credential-not-accepted", _events(ev("approved", "dwhitfield", 1)), "draft",
         ["Dana Whitfield's credential (LPC) is not accepted (accepted: MD)"],
         policy={"accepted_credentials": ["MD"]}),
    Case("topic-credential-missing", _events(ev("approved", "dwhitfield", 1)), "draft",
         ["topic 'medication' needs DO, MD; Dana Whitfield holds LPC"],
         summary=summary(topics=("medication",)),
         policy={"topic_credentials": {"medication": ["MD", "DO"]}}),
    Case("unreadable-event-file", [StoredEvent("01J0ARTICLE/x.json", "e" * 40, None,
                                               "not valid JSON")],
         "draft", ["not submitted for review"], rejected={0: "not counted: not valid JSON"}),
    Case("submitted-with-rejected-approval", _events(ev("submitted", "jlee", 3),
                                                     ev("approved", "jlee", 1, n=1)),
         "in_review", ["awaiting sign-off", "Jordan Lee is not a clinical reviewer"]),
    Case("stale-with-current-rejected", _events(ev("approved", "dwhitfield", 3, V2),
                                                ev("approved", "jlee", 1, n=1)),
         "stale", ["the content changed since", "approval by jlee"]),
    # --- translations: the reviewer reads the language; the source moves on ------------------
    Case("translation-approved-by-a-reader", _events(ev("approved", "scastro", 1)), "approved",
         approvers=["scastro"], summary=translation(), source=source()),
    Case("translation-refused-to-a-non-reader", _events(ev("approved", "dwhitfield", 1)), "draft",
         ["dwhitfield does not read es (languages: en, the default)"],
         summary=translation(), source=source(),
         rejected={0: "dwhitfield does not read es (languages: en, the default)"}),
    Case("language-case-does-not-matter", _events(ev("approved", "scastro", 1)), "approved",
         approvers=["scastro"], summary=translation(lang="ES"), source=source()),
    Case("a-language-reads-its-regions", _events(ev("approved", "scastro", 1)), "approved",
         approvers=["scastro"], summary=translation(lang="es-MX"), source=source()),
    Case("a-region-does-not-read-the-language", _events(ev("approved", "pmx", 1)), "draft",
         ["pmx does not read es (languages: es-MX)"], summary=translation(), source=source()),
    Case("an-original-in-another-language", _events(ev("approved", "dwhitfield", 1)), "draft",
         ["dwhitfield does not read es"], summary=summary(lang="es")),
    Case("source-changed-kept-live", _events(ev("approved", "scastro", 1)), "source_changed",
         ["the source changed: its source content/source.md was approved as version"],
         "source_digest: " + V8, approvers=["scastro"], summary=translation(),
         source=source(V8, V8, V9), live=True),
    Case("source-changed-withdrawn-by-policy", _events(ev("approved", "scastro", 1)),
         "source_changed", ["withdrawn"], summary=translation(), source=source(V8, V8, V9),
         approvers=["scastro"], policy={"translations": {"source_changed": "withdraw"}},
         live=False),
    Case("source-digest-never-approved", _events(ev("approved", "scastro", 1)), "source_changed",
         ["which is not an approved version of the source"], approvers=["scastro"],
         summary=translation(), source=source(V8), live=False),
    Case("source-has-no-approved-version", _events(ev("approved", "scastro", 1)),
         "source_changed", ["has no approved version"], approvers=["scastro"],
         summary=translation(), source=source(None), live=False),
    Case("source-not-judged-fails-closed", _events(ev("approved", "scastro", 1)),
         "source_changed", ["was not found"], approvers=["scastro"], summary=translation(),
         live=False),
    Case("stale-translation-source-changed", _events(ev("approved", "scastro", 1, V2)),
         "source_changed", ["the content changed since"], summary=translation(),
         source=source(V8, V8, V9), live=False),  # its current text has no approval
    Case("translation-in-review-source-changed", _events(ev("submitted", "jlee", 1)),
         "in_review", ["the source changed", "update the translation first"],
         summary=translation(), source=source(V8, V8, V9)),
    # --- bylines ------------------------------------------------------------------------------
    Case("byline-names-someone-else", _events(ev("approved", "dwhitfield", 1)), "invalid",
         ["the body's byline names Michael Okafor, who did not approve this version "
          "(approved by Dana Whitfield)"], "remove the byline", approvers=["dwhitfield"],
         summary=summary(bylines=((12, "Michael Okafor"),))),
]


LR: dict[str, Any] = {"translations": {"linguistic_review": True}}
BOTH_OK: dict[str, Any] = {"translations": {"linguistic_review": True,
                                            "one_reviewer_for_both": True}}
NEEDS = "needs a language review by a reader of es (linguist)"
SUB = ev("submitted", "jlee", 5, n=9)

# policy.translations.linguistic_review: a translation is approved only with a counting
# clinical approval AND a counting language review of the same version, by two people
CASES += [
    Case("lr-clinical-only", _events(SUB, ev("approved", "scastro", 1)), "in_review",
         [NEEDS], "a linguist who reads es runs: reviewkit review", summary=translation(),
         source=source(), policy=LR, rejected={1: NEEDS}),
    Case("lr-linguistic-only", _events(SUB, ev("approved", "lmarin", 1)), "in_review",
         ["language review by Lucia Marin", "awaiting the clinical sign-off"],
         "a clinical reviewer runs: reviewkit approve", summary=translation(),
         source=source(), policy=LR, rejected={1: "counts as the language review only"}),
    Case("lr-linguistic-only-not-submitted", _events(ev("approved", "lmarin", 1)), "in_review",
         ["awaiting the clinical sign-off"], summary=translation(), source=source(), policy=LR),
    Case("lr-both", _events(ev("approved", "scastro", 2), ev("approved", "lmarin", 1, n=1)),
         "approved", approvers=["scastro"], summary=translation(), source=source(), policy=LR),
    Case("lr-both-linguist-first",
         _events(ev("approved", "lmarin", 2), ev("approved", "scastro", 1, n=1)),
         "approved", approvers=["scastro"], summary=translation(), source=source(), policy=LR),
    Case("lr-both-but-different-digests",
         _events(SUB, ev("approved", "scastro", 2), ev("approved", "lmarin", 1, V2, n=1)),
         "in_review", [NEEDS], summary=translation(), source=source(), policy=LR),
    Case("lr-both-on-another-digest-language-current",
         _events(SUB, ev("approved", "scastro", 2, V2), ev("approved", "lmarin", 1, n=1)),
         "in_review", ["awaiting the clinical sign-off"], summary=translation(),
         source=source(), policy=LR),
    Case("lr-same-person-for-both", _events(SUB, ev("approved", "aboth", 1)), "in_review",
         [NEEDS + " other than aboth (one person cannot give both reviews"],
         summary=translation(), source=source(), policy=LR),
    Case("lr-same-person-for-both-allowed", _events(ev("approved", "aboth", 1)), "approved",
         approvers=["aboth"], summary=translation(), source=source(), policy=BOTH_OK),
    Case("lr-dual-role-as-the-linguist",
         _events(ev("approved", "aboth", 2), ev("approved", "scastro", 1, n=1)), "approved",
         approvers=["scastro", "aboth"], summary=translation(), source=source(), policy=LR),
    Case("lr-dual-role-as-the-clinician",
         _events(ev("approved", "aboth", 2), ev("approved", "lmarin", 1, n=1)), "approved",
         approvers=["aboth"], summary=translation(), source=source(), policy=LR),
    Case("lr-two-clinicians-required-dual-cannot-be-third",
         _events(SUB, ev("approved", "aboth", 2), ev("approved", "scastro", 1, n=1)),
         "in_review", [NEEDS], summary=translation(), source=source(),
         policy={**LR, "approvals_required": 2}),
    Case("lr-two-clinicians-and-a-linguist",
         _events(ev("approved", "aboth", 3), ev("approved", "scastro", 2, n=1),
                 ev("approved", "lmarin", 1, n=2)),
         "approved", approvers=["scastro", "aboth"], summary=translation(), source=source(),
         policy={**LR, "approvals_required": 2}),
    Case("lr-linguist-not-reading-the-lang",
         _events(SUB, ev("approved", "scastro", 2), ev("approved", "fdubois", 1, n=1)),
         "in_review", [NEEDS, "fdubois does not read es (languages: fr)"],
         summary=translation(), source=source(), policy=LR,
         rejected={2: "fdubois does not read es"}),
    Case("lr-two-clinicians-are-no-language-review",
         _events(SUB, ev("approved", "scastro", 2), ev("approved", "pmx", 1, n=1)),
         "in_review", ["needs a language review by a reader of es-mx (linguist)"],
         summary=translation(lang="es-MX"), source=source(), policy=LR),
    Case("lr-linguist-is-the-author",
         _events(SUB, ev("approved", "scastro", 2), ev("approved", "lmarin", 1, n=1)),
         "in_review", [NEEDS, "self-approval (Lucia Marin is the translation's author)"],
         summary=summary(lang="es", translation_of=SRC, source_digest=V9,
                         author_email="lmarin@example.org"),
         source=source(), policy=LR, rejected={2: "self-approval"}),
    Case("lr-linguist-signature-bad",
         _events(SUB, ev("approved", "scastro", 2), ev("approved", "lmarin", 1, sig=BAD, n=1)),
         "in_review", [NEEDS], summary=translation(), source=source(), policy=LR,
         rejected={2: "signature rejected"}),
    Case("lr-flag-off-clinical-suffices", _events(ev("approved", "scastro", 1)), "approved",
         approvers=["scastro"], summary=translation(), source=source()),
    Case("lr-flag-off-linguist-counts-for-nothing", _events(ev("approved", "lmarin", 1)),
         "draft", ["policy.translations.linguistic_review is off"], summary=translation(),
         source=source(), rejected={0: "Lucia Marin is not a clinical reviewer"}),
    Case("lr-original-needs-no-language-review", _events(ev("approved", "dwhitfield", 1)),
         "approved", approvers=["dwhitfield"], policy=LR),
    Case("lr-linguist-on-an-original-counts-for-nothing", _events(ev("approved", "lmarin", 1)),
         "draft", ["a language review counts only on a translation"], policy=LR),
    Case("lr-linguist-requests-changes",
         _events(ev("approved", "scastro", 3), ev("approved", "lmarin", 2, n=1),
                 ev("changes_requested", "lmarin", 1, n=2, message="el tono")),
         "changes_requested", ["changes requested on", "el tono"], summary=translation(),
         source=source(), policy=LR, rejected={0: "revoked: changes requested by Lucia Marin"}),
    Case("lr-linguist-withdraws",
         _events(SUB, ev("approved", "scastro", 3), ev("approved", "lmarin", 2, n=1),
                 ev("withdrawn", "lmarin", 1, n=2)),
         "in_review", ["revoked: withdrawn by Lucia Marin"], summary=translation(),
         source=source(), policy=LR, rejected={1: "revoked: withdrawn by Lucia Marin"}),
    Case("lr-clinician-revokes-both",
         _events(SUB, ev("approved", "scastro", 3), ev("approved", "lmarin", 2, n=1),
                 ev("changes_requested", "scastro", 1, n=2)),
         "changes_requested", summary=translation(), source=source(), policy=LR),
    Case("lr-other-language-linguist-cannot-revoke",
         _events(ev("approved", "scastro", 3), ev("approved", "lmarin", 2, n=1),
                 ev("changes_requested", "fdubois", 1, n=2)),
         "approved", approvers=["scastro"], summary=translation(), source=source(), policy=LR),
    Case("lr-language-review-expired",
         _events(ev("approved", "lmarin", 400), ev("approved", "scastro", 1, n=1)), "expired",
         summary=translation(), source=source(), policy=LR),
    Case("lr-older-pair-stays-the-stale-version",
         _events(ev("approved", "scastro", 4, V2), ev("approved", "lmarin", 3, V2, n=1),
                 ev("approved", "scastro", 1, n=2)),
         "in_review", [NEEDS, "version sha256:22222222 approved"], summary=translation(),
         source=source(), policy=LR),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_decision(case: Case) -> None:
    policy = Policy.model_validate({"accepted_credentials": ["LPC", "LCSW", "MD", "DO"],
                                    **case.policy})
    st = evaluate(case.summary, PATH, case.events, REGISTRY, policy, NOW,
                  invalid_reasons=case.invalid, ledger_missing=case.ledger_missing,
                  verifier=stub_verifier, source=case.source)
    assert st.state == case.state, st.reasons
    if case.live is not None:
        assert st.live is case.live
    for want in case.reasons:
        assert any(want in r for r in st.reasons), (want, st.reasons)
    if case.fix is not None:
        assert st.fix is not None and case.fix in st.fix
    assert [c.event.actor for c in st.approvals if c.event] == case.approvers
    for i, want in case.rejected.items():
        assert not st.checks[i].counts and want in st.checks[i].reason, st.checks[i]
    if st.state == "approved":
        assert st.reasons == [] and st.due is not None
    else:
        assert st.reasons and st.fix


def test_every_state_is_covered() -> None:
    from reviewkit.base.model import STATES

    assert {c.state for c in CASES} == set(STATES)


def test_precomputed_signature_results_stand_in_for_the_verifier() -> None:
    events = [ev("approved", "dwhitfield", 1)]

    def refuse(event: ReviewEvent, registry: Registry) -> tuple[bool, str, Reviewer | None]:
        raise AssertionError("verified here although a result was given")

    policy = Policy()
    st = evaluate(summary(), PATH, events, REGISTRY, policy, NOW,
                  verified={events[0].blob: (True, "")}, verifier=refuse)
    assert st.state == "approved"
    st = evaluate(summary(), PATH, events, REGISTRY, policy, NOW,
                  verified={events[0].blob: (False, "signature rejected: revoked key")},
                  verifier=refuse)
    assert st.state == "draft" and "signature rejected: revoked key" in st.checks[0].reason


def test_the_steps_compose_to_evaluate() -> None:
    events = [ev("approved", "dwhitfield", 3), ev("changes_requested", "mokafor", 2, n=1)]
    policy = Policy()
    checks = judge_events(events, summary(), REGISTRY, policy, NOW, verifier=stub_verifier)
    assert [c.counts for c in checks] == [True, True]  # each eligible on its own
    apply_revocations(checks, policy, NOW)
    assert [c.counts for c in checks] == [False, True]
    st = decide_state(summary(), PATH, checks, policy, NOW)
    assert isinstance(st, ArticleStatus) and st.state == "changes_requested"


@pytest.mark.parametrize(("reviewer", "kw", "want"), [
    ("jlee", {}, "Jordan Lee is not a clinical reviewer (roles: editor)"),
    ("dwhitfield", {"author_email": "dwhitfield@example.org"}, "self-approval"),
    ("dwhitfield", {"approver_emails": ["dana@home.example"],
                    "author_email": "dana@home.example"}, "self-approval"),
    ("dwhitfield", {"credential": "MD"}, "holds no MD credential"),
    ("dwhitfield", {"topics": ["medication"]}, "topic 'medication' needs MD"),
    ("rvance", {}, "license expired on 2026-01-31"),
    ("mokafor", {"topics": ["medication"]}, None),
])
def test_approval_problem_is_the_one_home_of_the_rules(reviewer: str, kw: dict[str, Any],
                                                       want: str | None) -> None:
    person = REGISTRY.get(reviewer)
    assert person is not None
    args: dict[str, Any] = {"when": NOW, "credential": None, "topics": [],
                            "author_email": "jlee@example.org", **kw}
    policy = Policy(topic_credentials={"medication": ["MD"]})
    cred, problem = approval_problem(person, policy=policy, **args)
    if want is None:
        assert cred is not None and problem is None
    else:
        assert cred is None and problem is not None and want in problem
