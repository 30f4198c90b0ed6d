"""Translations in a repository: finding a translation's source and its review state, the
source diff a translation's reviewer reads, and ``reviewkit translate`` (the skeleton).

The decision itself is :func:`reviewkit.review.policy.check_source`; the field rules are
:mod:`reviewkit.article.translation`. Layout: a translation sits beside its source as
``<name>.<lang>.md`` (docs/guide/translations.md); any file under a content root works,
since a translation is tied to its source by id, never by path.

Layer: review/ (may import base/, rules/, article/, record/).
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewkit.article.content import ArticleResult, load_article
from reviewkit.article.frontmatter import MAX_FILE_BYTES
from reviewkit.article.translation import LANG_RE, MARKER, effective_lang
from reviewkit.base.digest import short
from reviewkit.base.errors import CheckFailed, EnvError, UsageError
from reviewkit.base.model import ArticleSummary
from reviewkit.base.verdict import ArticleStatus, SourceView
from reviewkit.record.ledger import events_for
from reviewkit.record.project import Project
from reviewkit.review.policy import evaluate


def _article_path(project: Project, rel: str) -> bool:
    """Is ``rel`` (as an event names it: untrusted) a plain path under a content root?"""
    if not rel or rel.startswith("/") or "\\" in rel or posixpath.normpath(rel) != rel:
        return False
    return rel.endswith(".md") and any(rel.startswith(r.rstrip("/") + "/")
                                       for r in project.config.content)


def source_status(project: Project, source_id: str,
                  now: dt.datetime) -> tuple[ArticleResult, ArticleStatus] | None:
    """The source article (the file with this id: where its events last saw it, else
    found in the catalogue) and its state; None when no article has the id."""
    _, events = events_for(project.repo, source_id)
    candidates = [e.event.path for e in reversed(events) if e.event is not None]
    result: ArticleResult | None = None
    for rel in dict.fromkeys(candidates):
        if _article_path(project, rel) and (project.root / rel).is_file():
            r = load_article(project.root, rel, project.schema)
            if r.article_id == source_id:
                result = r
                break
    if result is None:
        from reviewkit.record.catalogue import load_catalogue

        for r in load_catalogue(project, lint=False, use_cache=True).results:
            if r.article_id == source_id:
                result = r
                break
    if result is None:
        return None
    errors = [f.format() for f in result.findings if f.is_error]
    status = evaluate(result.summary, result.path, events, project.registry,
                      project.config.policy, now, invalid_reasons=errors)
    return result, status


def source_view(project: Project, summary: ArticleSummary | None,
                now: dt.datetime) -> SourceView | None:
    """The view of a translation's source for :func:`reviewkit.review.policy.evaluate` (None for
    an article that is no translation)."""
    if summary is None or summary.translation_of is None:
        return None
    found = source_status(project, summary.translation_of, now)
    return SourceView.of(summary.translation_of, found[1] if found else None)


def source_diff(project: Project, status: ArticleStatus,
                summary: ArticleSummary | None) -> list[str]:
    """For a ``source_changed`` translation: the source's diff from the version translated
    to its newest approved version (unified, as ``review`` shows it)."""
    src = status.source
    if status.state != "source_changed" or src is None or summary is None:
        return []
    blobs = dict(src.blobs)
    made_from = summary.source_digest or ""
    old_blob, new_blob = blobs.get(made_from), blobs.get(src.last_digest or "")
    head = f"# the source {src.path}: what changed since the version this translates"
    if new_blob is None:
        return [head, "# (the source has no approved version to compare with)"]
    if old_blob is None:
        return [head, f"# (version {short(made_from)} was never approved: no diff; "
                "compare the whole source)"]
    try:
        found = project.repo.read_blobs([old_blob, new_blob], max_size=MAX_FILE_BYTES)
    except EnvError:
        return [head, "# (the source's approved versions are not in this clone: "
                "git fetch --unshallow)"]
    old = found.get(old_blob, b"").decode("utf-8", errors="replace").replace("\r\n", "\n")
    new = found.get(new_blob, b"").decode("utf-8", errors="replace").replace("\r\n", "\n")
    import difflib  # here: status imports this module for source_view only

    return [head, *difflib.unified_diff(
        old.splitlines(), new.splitlines(), lineterm="",
        fromfile=f"source {short(made_from)} (translated)",
        tofile=f"source {short(src.last_digest or '')} (approved {(src.last_at or '')[:10]})")]


@dataclass
class Created:
    path: Path
    source: str
    source_digest: str
    approved: bool  # the source version is an approved one
    copied: list[str]  # the source's assets copied beside the translation


def create_translation(project: Project, rel: str, lang: str, *, slug: str | None = None,
                       allow_unapproved: bool = False,
                       now: dt.datetime | None = None) -> Created:
    """Write the skeleton of the ``lang`` translation of the article at ``rel``: a draft
    with a new id, ``translation_of``, ``source_digest`` (the source's newest approved
    version) and the source's text to translate, as ``<name>.<lang>.md`` beside it, or
    as ``<slug>.md`` in the one content root that has ``lang`` as a path segment (e.g.
    ``content/es/articles``). Never overwrites."""
    from reviewkit.article.frontmatter import FrontMatterError, decode, load_yaml, split
    from reviewkit.article.scaffold import new_ulid, write_new_file

    if not LANG_RE.fullmatch(lang):
        raise UsageError(f"--lang {lang!r}: not a language tag (BCP 47: es, pt-BR, …)")
    now = now or dt.datetime.now(dt.timezone.utc)
    if not _article_path(project, rel):
        raise UsageError(f"{rel}: not an article (articles are .md files under "
                         f"{', '.join(project.config.content)})")
    source = load_article(project.root, rel, project.schema)
    if source.summary is None or source.article is None or source.summary.id is None:
        first = next((f.format() for f in source.findings if f.is_error), "")
        raise CheckFailed(f"{rel}: the source does not validate: {first}",
                          hint=f"run reviewkit validate {rel}")
    summary = source.summary
    source_id = summary.id
    assert source_id is not None  # checked above
    if summary.translation_of is not None:
        raise UsageError(f"{rel} is itself a translation (of {summary.translation_of}); "
                         "translate the original")
    default = project.config.policy.default_lang
    if effective_lang(summary.lang, default) == effective_lang(lang, default):
        raise UsageError(f"{rel} is already in {effective_lang(lang, default)}")
    found = source_status(project, source_id, now)
    status = found[1] if found else None
    last = status.last_approved.event if status and status.last_approved else None
    if last is not None:
        digest, approved = last.digest, True
        if last.digest != summary.digest:
            from reviewkit.article.frontmatter import MAX_FILE_BYTES as limit

            data = project.repo.read_blobs([last.blob], max_size=limit).get(last.blob)
            if data is None:
                raise EnvError(f"the approved version of {rel} ({last.blob[:12]}) is not in "
                               "this clone", hint="git fetch --unshallow")
            text = decode(data)
        else:
            text = (project.root / rel).read_text(encoding="utf-8")
    elif allow_unapproved:
        digest, approved = summary.digest or "", False
        text = (project.root / rel).read_text(encoding="utf-8")
    else:
        raise CheckFailed(
            f"{rel} has no approved version; a translation is made from an approved source",
            hint="have the source approved first, or pass --allow-unapproved (the "
                 "translation then cannot be approved until the source is)")
    try:
        parts = split(text)
        approved_fm = load_yaml(parts.yaml_text, parts.yaml_line)
    except FrontMatterError as exc:  # cannot be: that version was parsed to be approved
        raise CheckFailed(f"{rel}: the version to translate does not parse: {exc}") from None
    body = parts.body
    lang_tag = lang
    stem = Path(rel).name[:-3]
    new_slug = slug or f"{summary.slug or stem}-{lang_tag.lower()}"
    # one folder per language when the publication has one (a content root with the tag
    # as a path segment, e.g. content/es/articles), else beside the source
    lang_roots = [r for r in project.config.content
                  if lang_tag.lower() in r.lower().strip("/").split("/")]
    if len(lang_roots) == 1:
        target = project.root / lang_roots[0] / f"{new_slug}.md"
    else:
        target = project.root / Path(rel).parent / f"{stem}.{lang_tag.lower()}.md"
    # the front matter of the version translated (the approved one), not the work tree's
    fm = dict(approved_fm) if isinstance(approved_fm, dict) else dict(source.article.front_matter)
    out = _skeleton(fm, new_ulid(), new_slug, lang_tag, source_id, digest, now.date(), body)
    target_rel = target.relative_to(project.root).as_posix()
    write_new_file(target, out.encode("utf-8"), shown=target_rel)
    return Created(target, rel, digest, approved, _copy_assets(project, body, rel, target_rel))


def _copy_assets(project: Project, body: str, source_rel: str, target_rel: str) -> list[str]:
    """In another folder (content/es/articles), the translation gets a copy of each local
    file the source text shows or links, at the same relative path, so the text's
    references resolve there (an asset must lie in its article's folder). Never
    overwrites: a file already there is kept. Returns the paths copied."""
    from reviewkit.article.assets import asset_refs
    from reviewkit.article.scaffold import write_new_file

    src_dir, dst_dir = posixpath.dirname(source_rel), posixpath.dirname(target_rel)
    if src_dir == dst_dir:
        return []
    copied = []
    for asset in dict.fromkeys(r.target for r in asset_refs(body, source_rel) if r.target):
        src = project.root / asset
        inside = posixpath.relpath(asset, src_dir or ".")
        dst_rel = posixpath.join(dst_dir, inside)
        dst = project.root / dst_rel
        if inside.startswith("../") or not src.is_file() or src.is_symlink() or dst.exists():
            continue  # validate says what is wrong with the translation's references
        write_new_file(dst, src.read_bytes(), shown=dst_rel)
        copied.append(dst_rel)
    return copied


def _skeleton(fm: dict[str, Any], new_id: str, slug: str, lang: str, source_id: str,
              digest: str, today: dt.date, body: str) -> str:
    import json

    def q(value: object) -> str:  # a YAML scalar: JSON strings are valid YAML
        return json.dumps(value, ensure_ascii=False)

    author = fm.get("author") if isinstance(fm.get("author"), dict) else {}
    assert isinstance(author, dict)
    lines = [
        "---",
        f"id: {new_id}",
        f"title: {q(MARKER + ' ' + str(fm.get('title', '')))}",
        f"slug: {slug}",
        f"description: {q(MARKER + ' ' + str(fm.get('description', '')))}",
        f"author: {{name: {q(author.get('name', ''))}, email: {q(author.get('email', ''))}}}",
        f"topics: {q(list(fm.get('topics') or []))}",
        "draft: true",
        f"updated: {today.isoformat()}",
        f"lang: {lang}",
        f"translation_of: {source_id}",
        f"source_digest: \"{digest}\"",
    ]
    if fm.get("citations"):
        lines.append(f"citations: {q(fm.get('citations'))}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body
