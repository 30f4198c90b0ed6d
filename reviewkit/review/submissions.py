"""Submissions recorded on the ledger, read from the commit they were made from.

A submission made on a branch is reviewable from any checkout: the ``submitted`` event
records the commit, and the submitted version is read from that commit (``git cat-file``),
never from the work tree. Reviewers name it by article id (or a unique prefix of it).

Layer: review/ (may import base/, rules/, article/, record/).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from reviewkit.article.assets import CommitAssets
from reviewkit.article.content import ArticleResult, parse_article
from reviewkit.base.errors import ConfigError, EnvError, UsageError
from reviewkit.base.findings import Finding
from reviewkit.base.git import blob_id
from reviewkit.base.model import ArticleSummary, ReviewEvent
from reviewkit.record.ledger import Ledger, StoredEvent, read_ledger
from reviewkit.record.project import Project
from reviewkit.review.policy import ArticleStatus, evaluate

OPEN_STATES = frozenset({"in_review", "stale", "expired", "source_changed"})
_ID_PREFIX = re.compile(r"[0-9A-Za-z-]{4,64}")


@dataclass
class Submission:
    """The newest ``submitted`` event of one article, and the state of that version."""

    article_id: str
    event: ReviewEvent
    events: list[StoredEvent]
    status: ArticleStatus
    present: bool  # the submitted commit is in this clone
    branches: list[str] = field(default_factory=list)  # branches that contain the commit

    @property
    def where(self) -> str:
        """Where the submitted version lives, for people: a branch, else the commit."""
        short = self.event.commit[:10]
        if self.branches:
            return f"{self.branches[0]} (commit {short})"
        if self.present:
            return f"commit {short}"
        return f"commit {short}, not in this clone"

    def to_dict(self) -> dict[str, object]:
        d = self.status.to_dict()
        d.update({"commit": self.event.commit, "branches": self.branches,
                  "present": self.present, "submitted_by": self.event.actor})
        return d


def missing_commit_error(project: Project, sub: Submission) -> EnvError:
    """The environment error for a submitted commit this clone does not have."""
    remotes = project.repo.remote_names()
    remote = "origin" if "origin" in remotes or not remotes else remotes[0]
    return EnvError(
        f"the version of {sub.event.path} submitted by {sub.event.actor} on "
        f"{sub.event.at[:10]} (commit {sub.event.commit[:12]}) is not in this clone",
        hint=f"run 'git fetch {remote}' to bring the branch it was submitted on "
             "(the editor must have pushed it), then try again",
    )


def submitted_bytes(project: Project, sub: Submission) -> tuple[str, bytes]:
    """The submitted version's blob id and bytes, read from its commit (not the work tree;
    :func:`parse_committed` validates them against that commit).

    EnvError (exit 3) naming the fetch that brings it when the commit is missing.
    """
    repo = project.repo
    if not repo.has_commit(sub.event.commit):
        raise missing_commit_error(project, sub)
    blob = repo.blob_in(sub.event.commit, sub.event.path)
    if blob is None:
        raise EnvError(f"{sub.event.path} is not in commit {sub.event.commit[:12]} "
                       "(the submission names a file the commit does not have)")
    return blob, repo.read_blobs([blob])[blob]


def parse_committed(project: Project, rel: str, data: bytes, commit: str) -> ArticleResult:
    """``data`` (the file ``rel`` in ``commit``) parsed and validated against that commit:
    its assets and the articles its internal links may name are the commit's, as CI sees
    them, not those of the branch the reviewer has checked out."""
    linter = _CommittedLinter(project, rel, blob_id(data), commit)
    return parse_article(rel, data, project.schema, linter, CommitAssets(project.repo, commit))


class _CommittedLinter:
    """The content rules for one committed version: the findings this clone remembers for
    it (an authenticated record, record/remembered.py) when it has them, else the
    configured linter's, then remembered. ``review`` then ``approve`` of a version (or a
    second approve) lint it once: the rules and their word lists are not even loaded."""

    def __init__(self, project: Project, rel: str, blob: str, commit: str) -> None:
        self.project, self.rel, self.blob, self.commit = project, rel, blob, commit

    def lint(self, body: str, front_matter: Any, *, path: str, body_line: int) -> list[Finding]:
        from reviewkit.record import remembered

        git_dir = self.project.repo.git_dir
        key = self._key()
        found = remembered.linted_findings(git_dir, key) if key is not None else None
        if found is not None:
            try:
                return [Finding(path, int(f[0]), int(f[1]), f[2], str(f[3]), str(f[4]), f[5])
                        for f in found]
            except (TypeError, ValueError, IndexError, KeyError):
                pass  # not a list of findings: lint
        from reviewkit.rules import LazySlugs

        # the names are listed only if the article links to another article
        project, commit = self.project, self.commit
        linter = project.linter(LazySlugs(lambda: committed_slugs(project, commit)))
        findings: list[Finding] = linter.lint(body, front_matter, path=path, body_line=body_line)
        if key is not None:
            remembered.remember_linted(git_dir, key, [
                [f.line, f.col, f.level, f.rule, f.message, f.suggestion] for f in findings])
        return findings

    def _key(self) -> str | None:
        """What the findings depend on besides the version: the configuration and the
        publication's word lists (None when one cannot be read: then lint)."""
        from reviewkit.record.cache import digest_of
        from reviewkit.record.remembered import lint_key

        try:
            lists = self.project.word_lists()
        except (ConfigError, OSError):
            return None
        context = digest_of(self.project.config.model_dump(mode="json"),
                            *[part for pair in lists for part in pair])
        return lint_key(context.encode(), self.rel, self.blob, self.commit)


def committed_slugs(project: Project, commit: str) -> set[str]:
    """The article names (file stems) under the content roots in ``commit``."""
    roots = [r.rstrip("/") for r in project.config.content]
    # as known_slugs reads a work tree: no dot-file, nothing under a dot-directory
    return {p.rsplit("/", 1)[-1][:-3] for p in project.repo.file_paths(commit, roots)
            if p.endswith(".md") and "/." not in f"/{p}"}


def _summary(project: Project, e: ReviewEvent, present: bool) -> ArticleSummary:
    if present:
        blob = project.repo.blob_in(e.commit, e.path)
        if blob is not None:
            data = project.repo.read_blobs([blob])[blob]
            result = parse_article(e.path, data, project.schema, None,
                                   CommitAssets(project.repo, e.commit))
            if result.summary is not None and result.summary.digest is not None:
                return result.summary
    # not fetched yet: what the event itself says
    return ArticleSummary(path=e.path, blob=e.blob, id=e.article, title=None, slug=None,
                          draft=False, digest=e.digest)


def submissions(project: Project, ledger: Ledger | None = None,
                now: dt.datetime | None = None, *,
                article: Callable[[str], bool] | None = None,
                skip: Collection[tuple[str, str]] = (),
                superseded: Callable[[list[ReviewEvent]], set[str]] | None = None,
                only_open: bool = False) -> list[Submission]:
    """The newest submission of every article on the ledger (those ``article`` accepts,
    not in ``skip`` by (id, digest), not among the article ids ``superseded`` returns for
    the remaining submitted events), with its state. Signatures are checked and git is
    asked only for what remains, so the cost follows the open submissions."""
    now = now or dt.datetime.now(dt.timezone.utc)
    ledger = ledger if ledger is not None else read_ledger(project.repo)
    candidates = []
    for aid, events in ledger.by_article().items():
        if article is not None and not article(aid):
            continue
        subs = [e.event for e in events if e.event is not None and e.event.event == "submitted"]
        if subs and (aid, subs[-1].digest) not in skip:
            candidates.append((aid, events, subs[-1]))
    if superseded is not None and candidates:
        gone = superseded([last for _, _, last in candidates])
        candidates = [c for c in candidates if c[0] not in gone]
    out = []
    registry, policy = project.registry, project.config.policy
    for aid, events, last in candidates:
        present = project.repo.has_commit(last.commit)
        summary = _summary(project, last, present)
        from reviewkit.review.translate import source_view

        status = evaluate(summary, last.path, events, registry, policy, now,
                          source=source_view(project, summary, now))
        if only_open and status.state not in OPEN_STATES:
            continue
        branches = project.repo.refs_containing(last.commit) if present else []
        out.append(Submission(aid, last, events, status, present, branches))
    return out


def open_submissions(project: Project, current: Collection[tuple[str, str]],
                     ledger: Ledger | None = None) -> list[Submission]:
    """Submissions awaiting review of versions other than the checked-out ones: made on
    other branches. ``current`` is (article id, digest) of every article in the work
    tree, whose own state the caller shows; a submission made in this branch's history of
    an article it still has is superseded by that state."""
    local = {aid for aid, _ in current}

    def superseded(events: list[ReviewEvent]) -> set[str]:
        ours = project.repo.reachable_from_head(e.commit for e in events if e.article in local)
        return {e.article for e in events if e.article in local and e.commit in ours}

    out = submissions(project, ledger, skip=set(current), superseded=superseded,
                      only_open=True)
    return sorted(out, key=lambda s: (s.event.at, s.event.path))


def find_submission(project: Project, arg: str) -> Submission | None:
    """The submission whose article id is ``arg`` or starts with it (case-insensitive);
    None when ``arg`` does not look like an id or nothing matches."""
    if not _ID_PREFIX.fullmatch(arg):
        return None
    want = arg.upper()
    matches = submissions(project, article=lambda aid: aid.upper().startswith(want))
    exact = [s for s in matches if s.article_id.upper() == want]
    if exact:
        return exact[0]
    if len(matches) > 1:
        ids = ", ".join(sorted(s.article_id for s in matches)[:5])
        raise UsageError(f"'{arg}' is the start of more than one article id ({ids})",
                         hint="type more of the id, as shown by reviewkit queue")
    return matches[0] if matches else None
