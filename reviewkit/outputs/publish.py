"""The release bundle: for each non-draft article, the newest approved version, with the
signed review record that lets anyone check it offline (``reviewkit verify``).

An article edited after its approval is published at its approved version (found in git
history, see :mod:`reviewkit.review.versions`); one never approved is held back. Both are listed,
with why and the next step, in the manifest and the command's summary. Repository-wide
problems (the events ref missing, an event that does not parse, a duplicate slug or id)
refuse the whole publish.

Built in a temporary directory beside ``--out`` and swapped in by rename, so ``--out`` is
either the old bundle or the new one, never half of each; a refused publish writes nothing.

Pages stream: forked workers re-read, render and describe one article at a time
(:func:`make_parts`), and this process writes each article's files as they arrive, keeping
only their hashes and the manifest entries. Which version is served is decided in
:mod:`reviewkit.outputs.publish_plan`, what a page says in :mod:`reviewkit.outputs.publish_page`.

Layer: outputs/ (may import base/, rules/, article/, record/, review/).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reviewkit.article.content import ArticleResult
from reviewkit.base.digest import canonical_json
from reviewkit.base.errors import CheckFailed
from reviewkit.base.fsutil import check_output_dir, staged_directory, umask
from reviewkit.base.model import Registry
from reviewkit.base.workers import default_workers, parallel_iter
from reviewkit.outputs.gate import GateResult, run_gate
from reviewkit.outputs.publish_page import (
    MANIFEST,
    Page,
    approved_values,
    byline,
    byline_pattern,
    human_date,
    json_indented,
    json_ld,
    link_alternates,
    page_url,
    render_html,
    render_md,
)
from reviewkit.outputs.publish_page import render_body as _render_body
from reviewkit.outputs.publish_plan import (
    RECORD,
    RESERVED,
    SAFE_SLUG,
    Held,
    Source,
    Task,
    asset_outputs,
    fail_whole,
    held,
    plan,
    read_current,
)
from reviewkit.record.ledger import event_bytes
from reviewkit.record.project import Project
from reviewkit.review.versions import VersionFinder

__all__ = [
    "ALLOWED_SIGNERS", "MANIFEST", "RECORD", "REGISTRY_SNAPSHOT", "Bundle", "Held", "Page",
    "Parts", "_render_body", "allowed_signers", "approved_values", "byline", "human_date",
    "json_ld", "link_alternates", "make_parts", "manifest_integrity", "publish", "registry_snapshot",
    "render_html", "render_md",
]

REGISTRY_SNAPSHOT = f"{RECORD}/reviewers.json"
ALLOWED_SIGNERS = f"{RECORD}/allowed_signers"


@dataclass
class Bundle:
    out: Path
    articles: list[dict[str, Any]] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    gate: GateResult | None = None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_integrity(manifest: Mapping[str, Any]) -> str:
    """``sha256:`` of the manifest's canonical JSON without its ``integrity`` field."""
    return "sha256:" + _sha256(canonical_json({k: v for k, v in manifest.items()
                                               if k != "integrity"}))


def registry_snapshot(registry: Registry) -> dict[str, Any]:
    """The registry as JSON: who may sign, their keys and credentials (no other fields)."""
    keep = ("id", "name", "email", "roles", "credentials", "keys")
    return {"reviewers": [{k: v for k, v in r.model_dump(mode="json").items() if k in keep}
                          for r in registry.reviewers]}


def allowed_signers(registry: Registry) -> str:
    """An ``ssh-keygen -Y verify`` allowed-signers file of every registered key."""
    from reviewkit.record.signing import AllowedKey, allowed_signers_line
    from reviewkit.review.policy import _utc

    lines = []
    for r in registry.reviewers:
        for k in r.keys:
            try:
                lines.append(allowed_signers_line(AllowedKey(
                    r.id, k.key, _utc(k.valid_after), _utc(k.valid_before))))
            except ValueError:
                continue  # an unusable id or key verifies nothing
    return "".join(line + "\n" for line in lines)


class _Writer:
    """Files of the bundle under construction, with their SHA-256 for the manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, str] = {}
        self.mode = 0o666 & ~umask()
        self._dirs: set[str] = {""}  # folders made, relative to root
        self._base = os.fspath(root)

    def write(self, rel: str, data: bytes) -> None:
        if rel in self.files or rel == MANIFEST:
            raise CheckFailed(f"publish refused: two outputs would be written to {rel}; "
                              "nothing was written")
        # plain strings and os calls: tens of thousands of files, one at a time
        path = os.path.join(self._base, rel)
        folder = os.path.dirname(rel)
        if folder not in self._dirs:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self._dirs.add(folder)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.files[rel] = _sha256(data)



@dataclass
class Parts:
    """One article's share of the bundle, made in a worker: its files in the order they are
    written (path, bytes, whether another article may hold the same file: assets) and its
    manifest entry; or why it is not published (``held``: listed after the planned ones;
    ``invalid``: in place of the article's planned notes); or ``changed``."""

    files: list[tuple[str, bytes, bool]] = field(default_factory=list)
    entry: dict[str, Any] | None = None
    held: Held | None = None
    invalid: Held | None = None
    changed: bool = False


@dataclass
class _Context:
    project: Project
    finder: VersionFinder
    fmt: Literal["md", "html"]
    pattern: re.Pattern[str]
    parsed: dict[str, ArticleResult]  # the gate's reading of each file, by path
    # each page's hreflang alternates, by article path (:func:`page_alternates`)
    alternates: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def page_alternates(project: Project, fmt: str, tasks: list[Task],
                    parsed: Mapping[str, ArticleResult]) -> dict[str, list[dict[str, str]]]:
    """Each page's hreflang alternates by article path, worked out before any page is made
    (a page links to its family's urls). A current version is known from the gate's
    summary (same digest: same reviewed front matter), an older one from its own front
    matter; a page that will be held back (its slug, its assets, errors) links to none."""
    pages: dict[str, Page] = {}
    for task in tasks:
        path = task.status.path
        if task.version is not None:
            source = Source.of(task.version)
            fm = source.front_matter
        else:
            gate = parsed.get(path)
            if gate is None or gate.summary is None or any(f.is_error for f in gate.findings):
                continue
            s = gate.summary
            fm = {k: v for k, v in (("id", s.id), ("slug", s.slug), ("lang", s.lang),
                                    ("translation_of", s.translation_of)) if v is not None}
            source = Source(path, None, "", b"", fm, "",
                            {target: b"" for target, _ in gate.asset_states})
        values = approved_values(fm, project.schema.exempt)
        slug = str(values.get("slug") or Path(path).stem)
        name = f"{slug}.{fmt}"
        if (not SAFE_SLUG.fullmatch(slug) or slug in RESERVED
                or isinstance(asset_outputs(source, name), str)):
            continue
        lang = values.get("lang")
        pages[path] = Page(values, "", [], "", name, page_url(project, name),
                           str(lang if isinstance(lang, str) else project.config.publish.lang))
    link_alternates(list(pages.values()))
    return {path: p.alternates for path, p in pages.items()}


def make_parts(ctx: _Context, task: Task) -> Parts:
    """Read the version ``task`` serves, render its page and describe it for the manifest."""
    status, approved = task.status, task.approved
    if task.version is not None:
        source: Source | Held | None = Source.of(task.version)
    else:
        source = read_current(ctx.project, ctx.finder, status, ctx.parsed.get(status.path))
    if source is None:
        return Parts(changed=True)
    if isinstance(source, Held):
        return Parts(invalid=source)
    values = approved_values(source.front_matter, ctx.project.schema.exempt)
    slug = str(values.get("slug") or Path(status.path).stem)
    if not SAFE_SLUG.fullmatch(slug) or slug in RESERVED:
        return Parts(held=held(status, "held back", f"slug {slug!r} cannot be a file name",
                               "use lowercase letters, digits and hyphens"))
    name = f"{slug}.{ctx.fmt}"
    assets = asset_outputs(source, name)
    if isinstance(assets, str):
        return Parts(held=held(status, "held back", assets, None))
    settings = ctx.project.config.publish
    lang = values.get("lang") if isinstance(values.get("lang"), str) else settings.lang
    page = Page(values, source.body, approved.approvals, approved.digest, name,
                page_url(ctx.project, name), str(lang),
                list(ctx.alternates.get(status.path, [])))
    text = render_html(page, ctx.pattern) if ctx.fmt == "html" else render_md(page, ctx.pattern)
    parts = Parts([(name, text.encode("utf-8"), False)])
    listed = []
    for rel, (target, data) in assets.items():
        parts.files.append((rel, data, True))
        listed.append({"path": target, "file": rel, "sha256": _sha256(data)})
    record = f"{RECORD}/sources/{slug}.md.txt"
    parts.files.append((record, source.data, False))
    approvals = []
    for i, c in enumerate(approved.approvals):
        e = c.event
        assert e is not None and e.sig is not None
        stem = f"{RECORD}/signatures/{slug}-{i + 1}-{e.actor}"
        parts.files.append((stem + ".json", e.signed_payload(), False))
        parts.files.append((stem + ".sig", e.sig.encode("utf-8"), False))
        approvals.append({
            "file": c.stored.name, "actor": e.actor,
            "name": c.reviewer.name if c.reviewer else None, "at": e.at,
            "credential": c.credential.type if c.credential else None,
            "event": json.loads(event_bytes(e)), "sig": e.sig,
            "message_file": stem + ".json", "signature_file": stem + ".sig",
        })
    parts.entry = {
        "id": values.get("id"), "slug": slug, "title": values.get("title"),
        "source": status.path, "file": name, "digest": approved.digest,
        "served": "current" if approved.digest == status.digest else "older",
        "current_state": status.state, "expired_kept": approved.expired,
        "version": {"path": source.path, "commit": source.commit, "blob": source.blob},
        "approved_source": record, "assets": listed,
        "byline": byline(approved.approvals), "approvals": approvals,
        "lang": page.lang, "alternates": page.alternates,
    }
    return parts


def _refuse_strict(held_now: list[Held]) -> None:
    shown = "; ".join(h.line() for h in held_now[:5])
    more = f"; … {len(held_now) - 5} more" if len(held_now) > 5 else ""
    raise CheckFailed(f"publish refused (--strict): {shown}{more}; nothing was written",
                      hint="run reviewkit status for the details")


def _write_articles(w: _Writer, bundle: Bundle, steps: list[Task | Held],
                    parts: Iterator[Parts], strict: bool) -> None:
    """Write each article's files as its parts arrive (in ``steps``' order) and list it."""
    late: list[Held] = []  # held back when its page was made: listed after the planned ones
    for step in steps:
        if isinstance(step, Held):
            bundle.held.append(step)
            continue
        got = next(parts)
        if got.changed:
            raise CheckFailed(f"{step.status.path} changed while publishing; nothing was written")
        if got.invalid is not None:
            bundle.held.append(got.invalid)
            continue
        bundle.held += step.notes
        if got.held is not None:
            late.append(got.held)
            continue
        for rel, data, shared in got.files:
            if not (shared and rel in w.files and w.files[rel] == _sha256(data)):
                w.write(rel, data)  # unless two articles show one image
        assert got.entry is not None
        bundle.articles.append(got.entry)
    if strict and bundle.held:
        _refuse_strict(bundle.held)
    bundle.held += late
    if strict and bundle.held:
        raise CheckFailed("publish refused (--strict): "
                          + "; ".join(h.line() for h in bundle.held[:5])
                          + "; nothing was written")


def _manifest(project: Project, result: GateResult, bundle: Bundle, w: _Writer,
              fmt: str) -> dict[str, Any]:
    settings = project.config.publish
    trust_commit = project.repo.rev_parse(project.trust_ref) if project.trust_ref else None
    manifest: dict[str, Any] = {
        "generator": "reviewkit",
        "format": fmt,
        "generated_at": result.report.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "events_ref": "refs/reviewkit/events",
        "events_tip": result.report.ledger.tip,
        "commit": project.repo.head(),
        "trust": {"ref": project.trust_ref, "commit": trust_commit,
                  "source": "trust-ref" if project.trust_ref else "work tree"},
        "registry": REGISTRY_SNAPSHOT,
        "allowed_signers": ALLOWED_SIGNERS,
        "exempt": sorted(project.schema.exempt),
        "lang": settings.lang,
        "base_url": settings.base_url,
        "verify": "reviewkit verify DIR; or by hand: each approval's message_file is the "
                  "canonical JSON its signature_file signs: ssh-keygen -Y verify -f "
                  f"{ALLOWED_SIGNERS} -I ACTOR -n reviewkit -s SIG < MESSAGE",
        "articles": bundle.articles,
        "held_back": [h.to_dict() for h in bundle.held],
        "files": dict(sorted(w.files.items())),
    }
    manifest["integrity"] = manifest_integrity(manifest)
    return manifest


def publish(project: Project, out: Path, fmt: Literal["md", "html"] = "md",
            now: dt.datetime | None = None,
            progress: Callable[[int, int], None] | None = None,
            strict: bool = False) -> Bundle:
    """Write the bundle to ``out``: the newest approved version of every non-draft article.

    CheckFailed (nothing written) on a repository-wide problem (see the module doc), or,
    with ``strict``, when any article is held back or served at an older version.
    """
    out = Path(os.path.abspath(out))
    check_output_dir(out, MANIFEST, f"--out {out}", "bundle")
    # the gate's workers hand back each article's front matter: a page of an unchanged
    # file is made from it (after its digest is checked again), not from a second parse
    result = run_gate(project, now=now, progress=progress, workers=default_workers(),
                      keep_front_matter=True)
    fail_whole(result)
    bundle = Bundle(out, gate=result)
    finder = VersionFinder(project)
    steps = plan(project, result, finder)
    if strict and any(isinstance(s, Held) or s.notes for s in steps):
        _refuse_strict([h for s in steps for h in ([s] if isinstance(s, Held) else s.notes)])
    parsed = {r.path: r for r in result.report.catalogue.results}
    tasks = [s for s in steps if isinstance(s, Task)]
    ctx = _Context(project, finder, fmt, byline_pattern(project), parsed,
                   page_alternates(project, fmt, tasks, parsed))
    # a bundle is for a web server: 0755, not mkdtemp's 0700
    with staged_directory(out, mode=0o777 & ~umask()) as tmp:
        w = _Writer(tmp)
        # making pages is the costly part (a Markdown parse per page): forked workers,
        # and each page is written as it comes, never all of them held
        parts = parallel_iter(lambda t: make_parts(ctx, t), tasks, default_workers())
        try:
            _write_articles(w, bundle, steps, parts, strict)
        finally:
            parts.close()
        registry = project.registry
        w.write(REGISTRY_SNAPSHOT, (json_indented(registry_snapshot(registry))
                                    + "\n").encode("utf-8"))
        w.write(ALLOWED_SIGNERS, allowed_signers(registry).encode("utf-8"))
        manifest = _manifest(project, result, bundle, w, fmt)
        (tmp / MANIFEST).write_text(json_indented(manifest) + "\n", encoding="utf-8")
    return bundle
