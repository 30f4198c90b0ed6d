"""What ``reviewkit review`` shows a clinician: the diff from the version last approved
(or last sent back) to the version under review, as lines or word by word, with its
images and, for a translation, its source's changes (the dashboard uses the same diff).

Layer: review/ (may import base/, rules/, article/, record/).
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass

from reviewkit.article.content import load_article
from reviewkit.article.frontmatter import MAX_FILE_BYTES
from reviewkit.base.errors import CheckFailed, EnvError
from reviewkit.base.model import ReviewEvent
from reviewkit.record.project import Project
from reviewkit.review.policy import ArticleStatus
from reviewkit.review.translate import source_diff
from reviewkit.review.workflow import (
    Target,
    article_status,
    relative_path,
    resolve_target,
    target_status,
)


@dataclass
class ReviewView:
    """What ``review`` shows: the target version, the version it is compared with and why."""

    status: ArticleStatus
    target: Target | None
    base_kind: str  # "approved", "changes_requested" or "none"
    base: ReviewEvent | None
    lines: list[str]


def review_diff(project: Project, path: str, *, word_diff: bool = False) -> ReviewView:
    """The diff a reviewer reads: from the newest of (the last approved version, the
    version changes were last requested on) to the committed or submitted version."""
    if os.path.lexists(path):
        rel = relative_path(project, path)
        status = article_status(project, rel)
        current = (project.root / rel).read_text(encoding="utf-8", errors="replace")
        target = None
    else:
        target = resolve_target(project, path)
        rel, current = target.rel, target.text
        status = target_status(project, target)
    base_kind, base = _review_base(status)
    if base is None:
        return ReviewView(status, target, "none", None,
                          diff_since_approved(rel, current, None, None))
    try:
        found = project.repo.read_blobs([base.blob], max_size=MAX_FILE_BYTES)
    except EnvError:
        raise EnvError(
            f"the {'approved' if base_kind == 'approved' else 'reviewed'} version "
            f"({base.blob[:12]}) is not in this clone",
            hint="fetch the full history: git fetch --unshallow",
        ) from None
    old = found.get(base.blob)
    if old is None:  # never read: no article is that large
        raise CheckFailed(f"the reviewed version ({base.blob[:12]}) is larger than "
                          f"{MAX_FILE_BYTES:,} bytes; it cannot be an article")
    if word_diff:
        lines = word_diff_lines(old.decode("utf-8", errors="replace"), current)
    else:
        lines = diff_since_approved(rel, current, old, base)
    if target is None:  # the work tree's assets against the approved ones
        from reviewkit.review.versions import asset_changes

        result = load_article(project.root, rel, project.schema)
        lines += asset_changes(project, status, result.asset_states)
    lines += source_diff(project, status, (target.result if target else
                                           load_article(project.root, rel,
                                                        project.schema)).summary)
    return ReviewView(status, target, base_kind, base, lines)


def _review_base(status: ArticleStatus) -> tuple[str, ReviewEvent | None]:
    last = status.last_approved.event if status.last_approved else None
    requests = [c.event for c in status.checks
                if c.counts and c.event is not None and c.event.event == "changes_requested"]
    req = requests[-1] if requests else None
    if req is not None and req.digest != status.digest and (last is None or req.when > last.when):
        return "changes_requested", req
    if last is not None:
        return "approved", last
    return "none", None


_WORD = re.compile(r"\s+|[^\s]+")


def word_diff_lines(old: str, new: str) -> list[str]:
    """A word-level diff, paragraph by paragraph: ``[-removed-]{+added+}``, as in
    ``git diff --word-diff``; unchanged lines are left out, changed ones shown whole."""
    a = _WORD.findall(old.replace("\r\n", "\n"))
    b = _WORD.findall(new.replace("\r\n", "\n"))
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if i2 > i1:
            out.append("[-" + "".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + "".join(b[j1:j2]) + "+}")
    merged = "".join(out).split("\n")
    return [line for line in merged if "[-" in line or "{+" in line]


def diff_since_approved(rel: str, current: str, approved: bytes | None,
                        last: ReviewEvent | None) -> list[str]:
    """Unified diff lines from the approved version's bytes to ``current`` (all of it,
    as added lines, when nothing was approved)."""
    if approved is None or last is None:
        return [f"+{line}" for line in current.replace("\r\n", "\n").splitlines()]
    old_text = approved.decode("utf-8", errors="replace").replace("\r\n", "\n")
    label = "approved" if last.event == "approved" else "changes requested"
    diff = difflib.unified_diff(
        old_text.splitlines(), current.replace("\r\n", "\n").splitlines(),
        fromfile=f"{label} {last.at[:10]} ({last.blob[:10]})",
        tofile=f"{rel} (now)", lineterm="",
    )
    return list(diff)
