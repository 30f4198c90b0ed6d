"""Approved versions of an article, found in git history.

``publish`` serves, for each article, the newest version whose digest is approved and in
force. The current file is that version when its own digest is approved; otherwise the
approval events name the blob and commit that were reviewed (checked here: the blob's
digest, with the assets of that commit, must equal the approved digest — an event's
``blob`` is a hint, never trusted), and failing that the article's own history is
searched, newest first and bounded. Digests are cached by blob id (and commit when the
article has assets), so a catalogue of 10,000 articles costs one lookup per changed one.

Layer: review/ (may import base/, rules/, article/, record/).
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field

from reviewkit.article.assets import (
    MAX_ASSET_BYTES,
    AssetError,
    AssetHasher,
    CommitAssets,
    sha256_hex,
    worktree_hasher,
)
from reviewkit.article.content import ArticleResult, parse_article, read_file
from reviewkit.article.frontmatter import MAX_FILE_BYTES
from reviewkit.base.model import ReviewEvent
from reviewkit.record.project import Project
from reviewkit.review.policy import ArticleStatus, EventCheck

HISTORY_LIMIT = 200  # commits of one article's history searched for an approved blob


@dataclass
class Approved:
    """The digest an article may be published at, and the approvals that put it in force."""

    digest: str
    approvals: list[EventCheck]  # newest first, one per reviewer
    expired: bool = False  # in force only because policy.expired is `keep`


def approved_in_force(status: ArticleStatus, required: int, keep_expired: bool) -> Approved | None:
    """The newest approved digest of the article (any version, not only the current one):
    ``required`` distinct reviewers whose approvals count, are not revoked and (unless
    ``keep_expired``) are not older than the policy's ``max_age_days``. The current digest
    of an ``invalid`` article is never one: an approval cannot make invalid content
    publishable (an older valid version may still be)."""
    unpublishable = status.digest if status.state == "invalid" else None
    per_digest: dict[str, dict[str, EventCheck]] = {}
    for c in status.checks:
        e = c.event
        if e is not None and e.event == "approved" and c.counts and e.digest != unpublishable:
            per_digest.setdefault(e.digest, {})[e.actor] = c  # oldest first: keeps the newest
    best: Approved | None = None
    best_at: dt.datetime | None = None
    for digest, by_actor in per_digest.items():
        fresh = [c for c in by_actor.values() if not c.expired]
        expired = False
        if len(fresh) < required and keep_expired and len(by_actor) >= required:
            fresh, expired = list(by_actor.values()), True
        if len(fresh) < required:
            continue
        fresh.sort(key=lambda c: c.event.when if c.event else dt.datetime.min, reverse=True)
        newest = fresh[0].event
        assert newest is not None
        if best_at is None or newest.when > best_at:
            best, best_at = Approved(digest, fresh, expired), newest.when
    return best


@dataclass
class Version:
    """One version of an article: where it came from, its parse, and its assets' bytes."""

    path: str  # the article's path in that version
    result: ArticleResult
    commit: str | None  # None: the work tree
    blob: str
    data: bytes
    assets: dict[str, bytes] = field(default_factory=dict)  # repository path -> bytes

    @property
    def digest(self) -> str | None:
        return self.result.article.digest if self.result.article else None


def _commit_assets(project: Project, commit: str) -> CommitAssets:
    return CommitAssets(project.repo, commit)


class _WorktreeAssets:
    def __init__(self, project: Project) -> None:
        self.root = project.root
        self.hash: AssetHasher = worktree_hasher(project.root)
        self.data: dict[str, bytes] = {}

    def __call__(self, rel: str) -> str:
        digest = self.hash(rel)
        data = read_file_any(self.root, rel)
        if sha256_hex(data) != digest:  # changed between the two reads
            raise AssetError("asset-missing", "changed while being read")
        self.data[rel] = data
        return digest


def read_file_any(root: object, rel: str) -> bytes:
    import os
    from pathlib import Path

    fd = os.open(Path(str(root)) / rel, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        return fh.read(MAX_ASSET_BYTES + 1)


class VersionFinder:
    """Finds the version of an article with a given digest (bounded, cached by blob)."""

    def __init__(self, project: Project, history_limit: int = HISTORY_LIMIT) -> None:
        self.project = project
        self.history_limit = history_limit
        self._blobs: dict[str, bytes] = {}
        self._digests: dict[tuple[str, str, str], str | None] = {}
        self._commits: set[str] = set()  # known to be in the repository
        self.searched: int = 0  # blobs parsed, for the benchmark and tests

    def current(self, rel: str, data: bytes | None = None) -> Version | None:
        """The work tree's version (None when it cannot be read); ``data``: its bytes, when
        already read."""
        if data is None:
            try:
                data = read_file(self.project.root, rel)
            except OSError:
                return None
        assets = _WorktreeAssets(self.project)
        result = parse_article(rel, data, self.project.schema, None, assets)
        return Version(rel, result, None, result.blob or "", data, dict(assets.data))

    def prefetch(self, events: Sequence[ReviewEvent]) -> None:
        """Read the blobs that approval events name with one ``cat-file`` (missing ones and
        ones over the article size limit are skipped: they cannot be what was approved),
        and check with one more that their commits are present."""
        wanted = [e.blob for e in events if e.blob not in self._blobs]
        self._blobs.update(self.project.repo.read_present_blobs(wanted, MAX_FILE_BYTES))
        self._commits |= self.project.repo.present_commits(e.commit for e in events)

    def _try(self, path: str, blob: str, commit: str, digest: str) -> Version | None:
        data = self._blobs.get(blob)
        if data is None:
            got = self.project.repo.read_present_blobs([blob], MAX_FILE_BYTES)
            if blob not in got:
                return None
            data = self._blobs[blob] = got[blob]
        key = (blob, path, commit)
        # an article without assets has one digest per blob, whatever the commit
        plain = (blob, path, "")
        for known in (plain, key):
            if known in self._digests and self._digests[known] != digest:
                return None
        if commit not in self._commits:
            if self.project.repo.rev_parse(commit + "^{commit}") is None:
                return None
            self._commits.add(commit)
        assets = _commit_assets(self.project, commit)
        result = parse_article(path, data, self.project.schema, None, assets)
        self.searched += 1
        got_digest = result.article.digest if result.article else None
        self._digests[key] = got_digest
        if not result.asset_states:
            self._digests[plain] = got_digest
        if got_digest != digest or any(f.is_error for f in result.findings):
            return None
        return Version(path, result, commit, blob, data, dict(assets.data))

    def find(self, status: ArticleStatus, approved: Approved) -> Version | None:
        """The version of ``status``'s article whose digest is ``approved.digest``."""
        hints: list[tuple[str, str, str]] = []
        for c in status.checks:
            e = c.event
            if e is not None and e.digest == approved.digest and e.event == "approved":
                hints.append((e.path, e.blob, e.commit))
        for path, blob, commit in reversed(hints):  # newest approval first
            if posixpath.isabs(path) or ".." in path.split("/"):
                continue
            found = self._try(path, blob, commit, approved.digest)
            if found is not None:
                return found
        for commit, blob in self.project.repo.file_history(status.path, self.history_limit):
            found = self._try(status.path, blob, commit, approved.digest)
            if found is not None:
                return found
        return None


def asset_changes(project: Project, status: ArticleStatus,
                  current: Sequence[tuple[str, str]]) -> list[str]:
    """How the assets differ from the last approved version, one line each, e.g.
    ``image content/articles/img/chart.png changed since the approved version``; empty when
    they do not (or the approved version cannot be found)."""
    last = status.last_approved
    if last is None or last.event is None:
        return []
    approved = VersionFinder(project).find(status, Approved(last.event.digest, [last]))
    if approved is None:
        return []
    before = {t: sha256_hex(b) for t, b in approved.assets.items()}
    now = dict(current)
    lines = []
    for target in sorted(set(before) | set(now)):
        old, new = before.get(target), now.get(target)
        if old == new:
            continue
        if old is None:
            lines.append(f"asset {target} is new since the approved version")
        elif new is None or new.startswith("!"):
            lines.append(f"asset {target} was removed since the approved version")
        else:
            lines.append(f"asset {target} changed since the approved version "
                         f"(sha256 {old[:12]} → {new[:12]})")
    return lines
