"""Clinical bylines typed into an article's body, checked against who really signed off.

The byline belongs to the signed record: ``publish`` writes it from the approval, so an
article needs none in its body. Where a body does carry one ("Clinically reviewed by
NAME, LPC"), it must name a clinical reviewer of the registry (``validate``) and one who
approved that very version (the gate and ``publish``): a made-up or stale name never
reaches readers.

Layer: article/ (may import base/ and rules/).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from reviewkit.base.findings import Finding
from reviewkit.base.markdown import strip_comments
from reviewkit.base.model import Config, Registry, Reviewer

RULE = "byline-reviewer"
_BYLINE = re.compile(
    r"^(?:clinically|medically)\s+reviewed\s+by:?\s+(?P<name>[^,;—–(\n]+?)\s*(?:[,;—–(]|\s-{1,3}\s|\.?$)",
    re.IGNORECASE,
)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
# what every byline holds, with _BYLINE's own case rules (re.IGNORECASE also lets "i" match
# "ı" and "İ", which str.lower() does not): a cheap test that never skips a byline
_MENTION = re.compile("reviewed", re.IGNORECASE)


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def find_bylines(body: str, body_line: int = 1) -> tuple[tuple[int, str], ...]:
    """(file line, name) of every byline in ``body`` outside code blocks and HTML comments."""
    # each line's text is a piece of the body unless a comment is cut out of it (which can
    # join "re<!-- -->viewed"): without a comment, no "reviewed" in the body, no byline
    if "<!--" not in body and _MENTION.search(body) is None:
        return ()
    return scan_bylines(body, body_line, quick=True)


def scan_bylines(body: str, body_line: int = 1, *,
                 quick: bool = False) -> tuple[tuple[int, str], ...]:
    """:func:`find_bylines` line by line; ``quick`` skips, before the byline regex, a line
    without "reviewed" (property-tested to change nothing against ``quick=False``)."""
    out = []
    fence: str | None = None
    in_comment = False
    for i, raw in enumerate(body.splitlines()):
        m = _FENCE.match(raw)
        if m:
            fence = None if fence == m.group(1) else (fence or m.group(1))
            continue
        if fence:
            continue
        line = raw
        if in_comment:
            if "-->" not in line:
                continue
            in_comment, line = False, line.split("-->", 1)[1]
        line = strip_comments(line)
        if "<!--" in line:
            in_comment, line = True, line.split("<!--", 1)[0]
        text = line.strip().lstrip(">#").strip().strip("*_").strip()
        if quick and _MENTION.search(text) is None:
            continue
        hit = _BYLINE.match(text)
        if hit:
            name = hit.group("name").strip().strip("*_").strip()
            if name:
                out.append((body_line + i, name))
    return tuple(out)


def clinical_reviewer_named(registry: Registry, name: str) -> Reviewer | None:
    """The registry's clinical reviewer whose name is ``name`` (case and spacing aside)."""
    for r in registry.reviewers:
        if _norm(r.name) == _norm(name) and "clinical_reviewer" in r.roles:
            return r
    return None


def registry_findings(path: str, bylines: Iterable[Sequence[object]],
                      registry: Registry, registry_file: str) -> list[Finding]:
    """``validate``'s check: every byline names a clinical reviewer of the registry."""
    out = []
    for line, name in bylines:
        if clinical_reviewer_named(registry, str(name)) is None:
            out.append(Finding(
                path, int(str(line)), 1, "error", RULE,
                f"the byline names “{name}”, who is not a clinical reviewer in {registry_file}",
                suggestion="remove the byline (publish writes it from the sign-off) or name "
                           "the clinician who reviews this article",
            ))
    return out


def unapproved_names(bylines: Iterable[Sequence[object]], approvers: Iterable[str]) -> list[str]:
    """Names in the bylines that are not among the people who approved the version."""
    ok = {_norm(a) for a in approvers}
    return [str(name) for _, name in bylines if _norm(str(name)) not in ok]


class ProjectView(Protocol):
    """What :func:`byline_problem` reads of a project (``record.project.Project`` is one):
    the registry, read only when a byline needs it, and the configuration."""

    @property
    def registry(self) -> Registry: ...

    @property
    def config(self) -> Config: ...


def byline_problem(body: str, project: ProjectView, approver: Reviewer | None = None) -> str | None:
    """Why the bylines of ``body`` cannot stand for an approval by ``approver``, or None."""
    for _, name in find_bylines(body):
        if clinical_reviewer_named(project.registry, name) is None:
            return (f"the byline names “{name}”, who is not a clinical reviewer in "
                    f"{project.config.registry}")
        if (approver is not None and project.config.policy.approvals_required == 1
                and _norm(name) != _norm(approver.name)):
            return f"the byline names “{name}”, but {approver.name} is approving this version"
    return None
