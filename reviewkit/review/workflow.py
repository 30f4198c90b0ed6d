"""Submit, approve, request changes, withdraw, comment: the library functions the CLI calls.

Every function refuses, with the reason, what the gate would not count, and appends at
most one event. Nothing here touches the checked-out branch, the index or the work tree.

Layer: review/ (may import base/, rules/, article/, record/).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from reviewkit.article.content import ArticleResult, load_article
from reviewkit.article.translation import language_problem
from reviewkit.base.errors import CheckFailed, UsageError
from reviewkit.base.model import Article, ArticleSummary, Policy, Reviewer, ReviewEvent
from reviewkit.record import signing
from reviewkit.record.ledger import EVENTS_REF, append_event, events_for, make_event
from reviewkit.record.project import Project
from reviewkit.review.policy import (
    LINGUIST,
    ArticleStatus,
    evaluate,
    judge_approval,
    refusal_hint,
    role_problem,
    verify_event,
)
from reviewkit.review.submissions import (
    Submission,
    find_submission,
    parse_committed,
    submitted_bytes,
)
from reviewkit.review.translate import source_view
from reviewkit.review.translation_policy import counted_as, language_review_problem

SIGNED_KINDS = frozenset({"approved", "changes_requested", "withdrawn"})


@dataclass
class Recorded:
    event: ReviewEvent
    tip: str
    status: ArticleStatus
    # an approval of a translation under policy.translations.linguistic_review: what it
    # counts as, in words ("the language review (es), not a clinical sign-off")
    counted_as: str | None = None


def decision_problem(person: Reviewer, kind: str, summary: ArticleSummary | None,
                     policy: Policy) -> str | None:
    """Why ``person`` may not request changes on the article (or approve it at all): not a
    clinical reviewer, nor the translation's language reviewer
    (:func:`reviewkit.review.policy.language_review_problem`)."""
    problem = role_problem(person)
    if problem is None or kind not in ("approved", "changes_requested"):
        return None
    if language_review_problem(person, summary, policy, revocation=True) is None:
        return None
    return problem


def relative_path(project: Project, path: str) -> str:
    """``path`` (as typed, relative to the cwd) as a repository-relative article path."""
    absolute = Path(os.path.abspath(path))
    try:
        rel = absolute.relative_to(project.root).as_posix()
    except ValueError:
        raise UsageError(f"{path}: outside the repository {project.root}") from None
    if not absolute.exists():
        raise UsageError(f"{path}: no such file")
    if absolute.is_symlink():
        raise UsageError(f"{path}: is a symbolic link; articles must be regular files")
    return rel


def read_current(project: Project, rel: str) -> ArticleResult:
    """The article as it is in the work tree, validated (schema and rules)."""
    from reviewkit.record.catalogue import load_catalogue

    cat = load_catalogue(project, [str(project.root / rel)], keep_articles=True)
    if not cat.results:
        raise UsageError(f"{rel}: not an article (articles are .md files under "
                         f"{', '.join(project.config.content)})")
    return cat.results[0]


def article_status(project: Project, rel: str, now: dt.datetime | None = None) -> ArticleStatus:
    """The state of one article: reads one file and the ledger, independent of catalogue size."""
    now = now or dt.datetime.now(dt.timezone.utc)
    result = load_article(project.root, rel, project.schema)
    _, events = events_for(project.repo, result.article_id)
    errors = [f.format() for f in result.findings if f.is_error]
    return evaluate(result.summary, rel, events, project.registry, project.config.policy, now,
                    invalid_reasons=errors, source=source_view(project, result.summary, now))


def resolve_actor(project: Project, as_id: str | None) -> Reviewer:
    """``--as ID``, else the registry entry whose email is git's ``user.email``."""
    registry = project.registry
    if as_id:
        person = registry.get(as_id)
        if person is None:
            raise UsageError(f"--as {as_id}: no such person in {project.config.registry}")
        return person
    email = project.repo.config_get("user.email")
    if not email:
        raise UsageError("who are you? set git config user.email, or pass --as ID")
    person = registry.by_email(email)
    if person is None:
        raise UsageError(
            f"{email} (git config user.email) is not in {project.config.registry}",
            hint="pass --as ID, or ask an admin to add you to the registry",
        )
    return person


@contextmanager
def resolve_key(project: Project, key: str | None) -> Iterator[Path]:
    """``--key PATH``, else git's ``user.signingkey``, else ``~/.ssh/id_ed25519``."""
    if key:
        path = Path(os.path.expanduser(key))
        if not path.exists():
            raise UsageError(f"--key {key}: no such file")
        yield path
        return
    configured = project.repo.config_get("user.signingkey")
    if configured and configured.startswith("key::"):
        # a literal public key whose private half is in ssh-agent (git's convention)
        with tempfile.TemporaryDirectory(prefix="reviewkit-key-") as tmp:
            pub = Path(tmp) / "key.pub"
            pub.write_text(configured[len("key::"):].strip() + "\n")
            yield pub
        return
    if configured:
        path = Path(os.path.expanduser(configured))
        if not path.exists():
            raise UsageError(f"git config user.signingkey {configured}: no such file")
        yield path
        return
    default = Path(os.path.expanduser("~/.ssh/id_ed25519"))
    if not default.exists():
        raise UsageError(
            "no signing key: pass --key PATH, or set git config user.signingkey",
            hint=f"{default} does not exist",
        )
    yield default


def _public_line(key_path: Path) -> str | None:
    pub = key_path if key_path.suffix == ".pub" else Path(str(key_path) + ".pub")
    if pub.is_file():
        return pub.read_text().strip()
    return None


def _check_key_registered(person: Reviewer, key_path: Path) -> None:
    line = _public_line(key_path)
    if line is None:
        return  # verified after signing instead
    try:
        _, blob = signing.parse_public_key(line)
    except ValueError:
        return
    for k in person.keys:
        try:
            if signing.parse_public_key(k.key)[1] == blob:
                return
        except ValueError:
            continue
    raise CheckFailed(
        f"key {signing.fingerprint(line)} is not registered for {person.id} in the registry",
        hint="use --key with your registered key, or send an admin the public key to add "
             f"to reviewers.yaml: {key_path if key_path.suffix == '.pub' else f'{key_path}.pub'}")


@dataclass
class Target:
    """The version of an article an event is about: its committed bytes, parsed."""

    rel: str
    result: ArticleResult
    blob: str
    commit: str
    text: str
    source: str  # where it was read from, for people
    submission: Submission | None = None


def _parse_blob(project: Project, rel: str, blob: str, commit: str) -> tuple[ArticleResult, str]:
    data = project.repo.read_blobs([blob])[blob]  # checked against its commit's assets and links
    return parse_committed(project, rel, data, commit), data.decode("utf-8", errors="replace")


def resolve_target(project: Project, arg: str) -> Target:
    """``arg`` as a file (its version at HEAD, which must match the work tree as git
    compares them) or as an article id / unique id prefix shown by ``queue`` (the
    submitted version, read from the commit it was submitted from)."""
    if not os.path.lexists(arg):
        sub = find_submission(project, os.path.basename(arg.rstrip("/\\")))
        if sub is None:
            # a fresh clone has no events (clones do not fetch refs/reviewkit/*): say so
            no_events = project.repo.rev_parse(EVENTS_REF) is None
            raise UsageError(
                f"{arg}: no such file, and no submitted article has an id starting with it"
                + (f" ({EVENTS_REF} does not exist in this clone)" if no_events else ""),
                hint=("run reviewkit sync to fetch the review events, then try again" if no_events
                      else "pass an article's path, or an id as shown by reviewkit queue"),
            )
        sub_blob, data = submitted_bytes(project, sub)
        result = parse_committed(project, sub.event.path, data, sub.event.commit)
        return Target(sub.event.path, result, sub_blob, sub.event.commit,
                      data.decode("utf-8", errors="replace"), f"submitted on {sub.where}", sub)
    rel = relative_path(project, arg)
    head = project.repo.head()
    if head is None:
        raise UsageError("the repository has no commits yet; commit the article first")
    if not rel.endswith(".md") or not any(
            rel.startswith(root.rstrip("/") + "/") for root in project.config.content):
        raise UsageError(f"{rel}: not an article (articles are .md files under "
                         f"{', '.join(project.config.content)})")
    blob = project.repo.blob_in(head, rel)  # the commit read below, even if HEAD moves
    if blob is None:
        raise CheckFailed(f"{rel} is not committed; a review is of committed content",
                          hint="git add and git commit it first")
    # what git compares (clean/smudge filters, core.autocrlf, eol attributes), not raw bytes
    if not project.repo.is_clean(rel):
        raise CheckFailed(f"{rel} has uncommitted changes; a review is of committed content",
                          hint="commit them first, or discard them")
    result, text = _parse_blob(project, rel, blob, head)
    return Target(rel, result, blob, head, text, "HEAD")


def target_status(project: Project, target: Target,
                  now: dt.datetime | None = None) -> ArticleStatus:
    """The state of the target version (the submitted one, not the work tree's)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    _, events = events_for(project.repo, target.result.article_id)
    errors = [f.format() for f in target.result.findings if f.is_error]
    return evaluate(target.result.summary, target.rel, events, project.registry,
                    project.config.policy, now, invalid_reasons=errors,
                    source=source_view(project, target.result.summary, now))


def _require_valid(result: ArticleResult, action: str) -> Article:
    errors = [f for f in result.findings if f.is_error]
    if result.article is None or errors:
        first = errors[0].format() if errors else "the article could not be read"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise CheckFailed(f"cannot {action}: the article does not validate: {first}{more}",
                          hint=f"run reviewkit validate {result.path}")
    return result.article


def trusted_project(project: Project, trust_ref: str | None) -> Project | None:
    """The configuration CI will trust: ``trust_ref``, else the remote's default branch
    (or the current branch's upstream); None when none is known or it has no
    reviewkit.yaml yet (the setup change)."""
    from reviewkit.record.config import CONFIG_FILE
    from reviewkit.record.project import load_project

    ref = trust_ref or project.repo.default_upstream()
    if ref is None or ref == project.trust_ref:
        return None
    if trust_ref is None and project.repo.show_file(ref, CONFIG_FILE) is None:
        return None
    return load_project(project.root, ref)


def _check_trusted(trusted: Project, event: ReviewEvent, person_id: str,
                   summary: ArticleSummary | None) -> None:
    """Refuse a decision the gate, reading ``trusted``'s registry, would not count."""
    ref = trusted.trust_name
    hint = (f"CI reads the registry and policy from {ref}; a registry change counts once it "
            "is merged there")
    person = trusted.registry.get(person_id)
    if person is None:
        raise CheckFailed(f"this would not count: {person_id} is not in {trusted.config.registry} "
                          f"at {ref}; nothing was recorded", hint=hint)
    policy = trusted.config.policy
    if decision_problem(person, event.event, summary, policy):
        raise CheckFailed(f"this would not count: {person_id} is not a clinical reviewer in "
                          f"{trusted.config.registry} at {ref}; nothing was recorded", hint=hint)
    ok, why, _ = verify_event(event, trusted.registry)
    if not ok:
        raise CheckFailed(f"this would not count under the registry at {ref}: {why}; "
                          "nothing was recorded", hint=hint)
    if event.event == "approved":
        # the author's address is judged against the project's own registry (approve)
        judged = replace(summary, author_email=None) if summary is not None else None
        cred, language, problem = judge_approval(person, when=event.when,
                                                 credential=event.credential,
                                                 summary=judged, policy=policy)
        if cred is None and not language:
            raise CheckFailed(f"this approval would not count under the policy at {ref}: "
                              f"{problem}; nothing was recorded", hint=hint)


def _check_asked(project: Project, reviewer: str, summary: ArticleSummary | None,
                 policy: Policy) -> None:
    """Refuse ``--reviewer`` naming someone who could not approve the article."""
    asked = project.registry.get(reviewer)
    if asked is None or decision_problem(asked, "approved", summary, policy):
        raise UsageError(f"--reviewer {reviewer}: not a clinical reviewer in the registry "
                         "(nor this translation's linguist)")
    lang = summary.lang if summary else None
    unread = language_problem(asked, lang, policy.default_lang) if lang else None
    if unread:  # they could not approve it: asking them would stall the review
        raise UsageError(f"--reviewer {reviewer}: {unread}; ask a clinical reviewer who "
                         f"reads {lang}")


def record(project: Project, kind: str, path: str, *, actor: Reviewer | None = None,
           as_id: str | None = None, message: str = "", key: str | None = None,
           reviewer: str | None = None, credential: str | None = None,
           now: dt.datetime | None = None, trust_ref: str | None = None,
           check_trusted: bool = True) -> Recorded:
    """Record one review event of ``kind`` for the article at ``path`` (a file, whose
    committed version is meant, or an article id as ``queue`` shows it, whose submitted
    version is read from the commit it was submitted from)."""
    target = resolve_target(project, path)
    rel, result, blob, commit = target.rel, target.result, target.blob, target.commit
    person = actor or resolve_actor(project, as_id)
    now = now or dt.datetime.now(dt.timezone.utc)
    policy = project.config.policy
    said: str | None = None

    if kind in ("approved", "changes_requested", "submitted"):
        verb = {"approved": "approve", "changes_requested": "review", "submitted": "submit"}[kind]
        article = _require_valid(result, verb)
    elif result.article is None:
        article = _require_valid(result, kind.replace("_", " "))
    else:
        article = result.article
    # a linguist's approval: judge_approval below says why it cannot count
    if decision_problem(person, kind, result.summary, policy) and (
            kind != "approved" or LINGUIST not in person.roles):
        raise CheckFailed(
            f"{role_problem(person)}; only clinical reviewers "
            f"{'(and linguists, on translations) ' if LINGUIST in person.roles else ''}can "
            f"{'approve' if kind == 'approved' else 'request changes'}"
        )
    if reviewer is not None:
        _check_asked(project, reviewer, result.summary, policy)
    if kind == "approved":
        # the registered addresses, and the git identity approving now unless it is
        # another registered person's (an unregistered one is taken as the approver's own)
        mine = person.all_emails()
        git_email = project.repo.config_get("user.email")
        if git_email and project.registry.by_email(git_email) in (None, person):
            mine.append(git_email)
        cred, language, problem = judge_approval(person, when=now, credential=credential,
                                                 summary=result.summary, approver_emails=mine,
                                                 policy=policy)
        if cred is None and not language:
            raise CheckFailed(f"this approval would not count: {problem}",
                              hint=refusal_hint(problem))
        credential = cred.type if cred else None
        said = counted_as(credential, language, result.summary, policy)

    if kind == "approved" and credential is not None:
        from reviewkit.article.byline import byline_problem

        problem = byline_problem(article.body, project, approver=person)
        if problem:
            raise CheckFailed(f"cannot approve {rel}: {problem}",
                              hint="fix or remove the byline; publish writes it from the sign-off")

    event = make_event(kind, article=article.meta.id, path=rel, digest=article.digest,
                       blob=blob, commit=commit, actor=person.id, message=message, at=now,
                       reviewer=reviewer, credential=credential)
    if kind in SIGNED_KINDS:
        signing.require_signing_support()
        with resolve_key(project, key) as key_path:
            _check_key_registered(person, key_path)
            sig = signing.sign(event.signed_payload(), key_path)
        event = event.model_copy(update={"sig": sig})
        ok, why, _ = verify_event(event, project.registry)
        if not ok:
            raise CheckFailed(f"the signature would not count: {why}; nothing was recorded")
        trusted = trusted_project(project, trust_ref) if check_trusted else None
        if trusted is not None:
            _check_trusted(trusted, event, person.id, result.summary)
    tip = append_event(project.repo, event)
    status = target_status(project, target, now=now)
    return Recorded(event, tip, status, said)
