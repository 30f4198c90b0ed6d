"""Which version of each article a bundle serves, and why the others are not served.

:func:`plan` decides from the gate's verdicts (and, for articles edited after their
approval, from git history: :mod:`reviewkit.review.versions`); :func:`read_current` re-reads an
article served at its current version, in the worker that renders its page, and makes
sure it is still the approved bytes.

Layer: outputs/ (may import base/, rules/, article/, record/, review/).
"""

from __future__ import annotations

import pickle
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from reviewkit.article import frontmatter
from reviewkit.article.content import ArticleResult, read_file
from reviewkit.base.digest import content_digest, short
from reviewkit.base.errors import CheckFailed
from reviewkit.base.git import blob_id
from reviewkit.outputs.gate import GateResult
from reviewkit.outputs.publish_page import MANIFEST
from reviewkit.record.project import Project
from reviewkit.review.policy import ArticleStatus
from reviewkit.review.versions import Approved, Version, VersionFinder, approved_in_force

RECORD = "review-record"  # the signed record beside the pages
SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
RESERVED = {MANIFEST, RECORD}

Outcome = Literal["held back", "older version served", "served with expired approval",
                  "served, source changed"]


@dataclass
class Held:
    """An article not published at its current version: held back, or served older."""

    path: str
    title: str | None
    state: str
    outcome: Outcome
    why: str
    next: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "title": self.title, "state": self.state,
                "outcome": self.outcome, "why": self.why, "next": self.next}

    def line(self) -> str:
        nxt = f" → {self.next}" if self.next else ""
        return f"{self.path}: {self.outcome}: {self.why}{nxt}"


def held(status: ArticleStatus, outcome: Outcome, why: str, nxt: str | None) -> Held:
    return Held(status.path, status.title, status.state, outcome, why, nxt)


@dataclass
class Source:
    """The version a page is made from: where it came from, its bytes and its parse."""

    path: str  # the article's path in that version
    commit: str | None  # None: the work tree
    blob: str
    data: bytes
    front_matter: dict[str, Any]
    body: str
    assets: dict[str, bytes] = field(default_factory=dict)  # repository path -> bytes

    @classmethod
    def of(cls, version: Version) -> Source:
        article = version.result.article
        assert article is not None
        return cls(version.path, version.commit, version.blob, version.data,
                   article.front_matter, article.body, version.assets)


@dataclass
class Task:
    """One article to publish: its verdict, the approval in force, and the version to serve
    (None: the current one, read by :func:`read_current` when its page is made)."""

    status: ArticleStatus
    approved: Approved
    version: Version | None
    notes: list[Held] = field(default_factory=list)  # listed when the page is published


def fail_whole(result: GateResult) -> None:
    """Problems that no per-article choice can make safe: refuse everything."""
    reasons = list(result.failures)
    # files under a content root that are no article (symbolic links, unreadable files, a
    # missing content root): something is wrong with the repository itself
    reasons += [f.format() for f in result.report.catalogue.findings if f.is_error]
    for s in result.blocked:
        dup = [r for r in s.reasons if "[duplicate-slug]" in r or "[duplicate-id]" in r]
        reasons += dup
    if reasons:
        shown = "; ".join(reasons[:5]) + (f"; … {len(reasons) - 5} more" if len(reasons) > 5 else "")
        raise CheckFailed(f"publish refused: {shown}; nothing was written",
                          hint="run reviewkit gate for the details")


def asset_outputs(source: Source, name: str) -> dict[str, tuple[str, bytes]] | str:
    """Bundle path → (repository path, bytes) of the version's assets, placed at the same
    relative path from the page as from the article; or why that is impossible."""
    base = posixpath.dirname(source.path)
    out: dict[str, tuple[str, bytes]] = {}
    for target, data in sorted(source.assets.items()):
        rel = posixpath.relpath(target, base) if base else target
        top = rel.split("/", 1)[0]
        if rel.startswith("../") or top in RESERVED or rel == name:
            return (f"asset {target} lies outside the article's folder ({rel}); keep assets "
                    "in the article's folder or below it")
        out[rel] = (target, data)
    return out


def plan(project: Project, result: GateResult, finder: VersionFinder) -> list[Task | Held]:
    """What to do with each non-draft article, in path order: a :class:`Task` to publish
    it, or a :class:`Held` that says why it is held back."""
    policy = project.config.policy
    keep = policy.expired == "keep"
    candidates = [s for s in result.passed_articles + result.blocked
                  if not (s.draft and s.state == "invalid")]
    finder.prefetch([c.event for s in candidates if s.state != "approved"
                     for c in s.checks if c.event is not None and c.event.event == "approved"
                     and c.counts])
    out: list[Task | Held] = []
    for status in sorted(candidates, key=lambda s: s.path):
        if status.state == "source_changed" and not status.live:
            out.append(held(status, "held back", "; ".join(status.reasons), status.fix))
            continue
        if status.state == "approved" and status.digest:
            approved: Approved | None = Approved(status.digest, list(status.approvals))
        else:
            approved = approved_in_force(status, policy.approvals_required, keep)
        if approved is None:
            why = "; ".join(status.reasons) or status.state
            if status.state == "expired" and not keep:
                why += " (withdrawn from the bundle: policy.expired is 'withdraw')"
            out.append(held(status, "held back", why, status.fix))
            continue
        task = Task(status, approved, None)
        if approved.digest != status.digest:
            older = _older(finder, task)
            if isinstance(older, Held):
                out.append(older)
                continue
        if status.state == "source_changed":
            task.notes.append(held(status, "served, source changed", "; ".join(status.reasons),
                                   status.fix))
        if approved.expired:
            task.notes.append(held(
                status, "served with expired approval",
                f"approval older than {policy.max_age_days} days, kept live because "
                "policy.expired is 'keep'; periodic re-review is overdue",
                f"a clinical reviewer runs: reviewkit review {status.path} && "
                f"reviewkit approve {status.path}"))
        out.append(task)
    return out


def _older(finder: VersionFinder, task: Task) -> Held | None:
    """Find the approved version of an article edited since (set on ``task``), or say why
    it is held back."""
    status, approved = task.status, task.approved
    task.version = finder.find(status, approved)
    if task.version is None:
        return held(status, "held back",
                    f"its approved version {short(approved.digest)} is not in the last "
                    f"{finder.history_limit} commits of its history in this clone",
                    "fetch the full history (git fetch --unshallow) and publish again")
    newest = approved.approvals[0].event
    assert newest is not None
    why = "; ".join(status.reasons) or status.state
    task.notes.append(held(
        status, "older version served",
        f"the version approved on {newest.at[:10]} ({short(approved.digest)}) stays "
        f"live; the current version is {status.state}: {why}", status.fix))
    return None


def read_current(project: Project, finder: VersionFinder, status: ArticleStatus,
                 gate: ArticleResult | None) -> Source | Held | None:
    """The work tree's version of an article served at its current (approved) digest;
    a :class:`Held` when it does not validate, None when it changed since the gate read it.

    When the file holds the very bytes the gate parsed (same blob id), the gate found no
    error in them and they show no asset, the gate's front matter (or, without it, the
    file's, read again) is used and the digest re-computed from it and the body: a front
    matter that does not give the approved digest is never served from; otherwise the
    article is parsed and validated in full.
    """
    try:
        data = read_file(project.root, status.path)
    except OSError:
        return None
    if (gate is not None and gate.blob == blob_id(data) and not gate.asset_states
            and not any(f.is_error for f in gate.findings)):
        try:
            parts = frontmatter.split(frontmatter.decode(data))
            if gate.front_matter_pickle is not None:  # pickled by the gate's worker
                fm = pickle.loads(gate.front_matter_pickle)
            else:
                fm = gate.front_matter
                if fm is None:
                    fm = frontmatter.load_yaml(parts.yaml_text, parts.yaml_line)
        except frontmatter.FrontMatterError:
            fm = None
        if (isinstance(fm, dict)
                and content_digest(fm, parts.body, project.schema.exempt) == status.digest):
            return Source(status.path, None, gate.blob, data, fm, parts.body)
    version = finder.current(status.path, data)
    if version is None or version.digest != status.digest:
        return None
    if any(f.is_error for f in version.result.findings):  # never serve invalid
        return held(status, "held back", "; ".join(status.reasons) or "invalid", status.fix)
    return Source.of(version)
