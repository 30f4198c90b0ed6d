"""The whole catalogue: every article of the content roots, read and validated.

Layer: record/ (may import base/, rules/, article/).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewkit.article.assets import AssetError, AssetHasher, worktree_hasher
from reviewkit.article.content import (
    ArticleResult,
    check_catalogue,
    discover,
    known_slugs,
    load_article,
    read_file,
    stem,
    unreadable,
)
from reviewkit.base.findings import SKIPPED_RULE, Finding
from reviewkit.base.git import blob_id
from reviewkit.base.workers import parallel_map
from reviewkit.record.cache import (
    Cache,
    article_entry,
    article_from_entry,
    article_key,
    digest_of,
    project_cache,
)
from reviewkit.record.project import Project


@dataclass
class Catalogue:
    results: list[ArticleResult]
    findings: list[Finding] = field(default_factory=list)  # not tied to one readable article

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for r in self.results:
            out += r.findings
        return sorted(out)

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.all_findings() if f.is_error)


@contextmanager
def no_gc() -> Iterator[None]:
    """Bulk parsing makes many short-lived acyclic objects: the cycle collector only costs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _assets_unchanged(entry: Any, hasher: AssetHasher) -> bool:
    """A cached article whose assets changed (same article bytes) is parsed again."""
    try:
        for target, state in entry.get("assets") or []:
            try:
                now = hasher(str(target))
            except AssetError as exc:
                now = "!" + exc.rule
            if now != state:
                return False
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _from_cache(cache: Cache, rel: str, data: bytes, slug_key: str, hasher: AssetHasher,
                readability: bool) -> ArticleResult | None:
    """The cached result for ``rel`` with these bytes, when it still stands: its assets
    unchanged, and its reading grade kept when one is asked for."""
    key = article_key(blob_id(data), rel, slug_key)
    hit = cache.get_article(key)
    if hit is not None and _assets_unchanged(hit, hasher):
        got = article_from_entry(rel, key.split(":", 1)[0], hit)
        # an article without a readable front matter has no grade to measure
        if got is not None and (not readability or got.readability is not None
                                or got.summary is None or got.summary.digest is None):
            return got
    return None


def load_catalogue(project: Project, paths: Sequence[str] = (), *, lint: bool = True,
                   cache: Cache | None = None, use_cache: bool = False, workers: int = 1,
                   keep_articles: bool = False, readability: bool = False,
                   keep_front_matter: bool = False,
                   progress: Callable[[int, int], None] | None = None,
                   meanwhile: Callable[[], None] | None = None) -> Catalogue:
    """Read every article under the content roots (or ``paths``), reporting all findings.

    With a ``cache``, files whose blob id (and path) were seen before are not parsed
    again. ``keep_articles`` keeps the fully parsed :class:`Article` (body included) on
    each result; without it only the summaries stay in memory (``keep_front_matter``: and
    the parsed front matter, pickled, which ``publish`` renders). ``readability`` measures
    each body's reading grade (a cached entry without one is parsed again). ``use_cache``
    opens the repository's cache for a whole-catalogue run and saves it after.
    """
    if use_cache and cache is None and not paths:
        with project_cache(project, lint=lint) as opened:
            return load_catalogue(project, lint=lint, cache=opened, workers=workers,
                                  keep_articles=keep_articles, readability=readability,
                                  keep_front_matter=keep_front_matter,
                                  progress=progress, meanwhile=meanwhile)
    rels, findings = discover(project.root, project.config.content, paths,
                              assets=project.config.assets)
    slugs = {stem(r) for r in rels}
    if paths and lint:  # links may point at articles outside the selection
        slugs |= known_slugs(project.root, project.config.content)
    linter = project.linter(slugs) if lint else None
    slug_key = digest_of(sorted(slugs)) if lint else ""
    results: list[ArticleResult | None] = [None] * len(rels)
    hasher = worktree_hasher(project.root)
    todo: list[tuple[int, str, bytes | None]] = []
    # With nothing cached (a cold run) there is nothing to look up: the workers read the
    # files themselves instead of this process reading them all before they start.
    defer = (cache is None or not cache.articles) and workers > 1 and not keep_articles
    with no_gc():
        for i, rel in enumerate(rels):
            if defer:
                todo.append((i, rel, None))
                continue
            if progress is not None and i % 100 == 0:
                progress(i, len(rels))
            try:
                data = read_file(project.root, rel)
            except OSError as exc:
                results[i] = unreadable(rel, exc)
                continue
            got = (_from_cache(cache, rel, data, slug_key, hasher, readability)
                   if cache is not None else None)
            if got is not None:
                results[i] = got
                continue
            todo.append((i, rel, data))

        schema, root = project.schema, project.root

        def parse(item: tuple[int, str, bytes | None]) -> ArticleResult:
            r = load_article(root, item[1], schema, linter, data=item[2], assets=hasher,
                             readability=readability)
            if not keep_articles:
                r.article = None
                if keep_front_matter and r.front_matter is not None:
                    import pickle  # publish only

                    r.front_matter_pickle = pickle.dumps(r.front_matter, pickle.HIGHEST_PROTOCOL)
                r.front_matter = None
            return r

        parsed = parallel_map(parse, todo, 1 if keep_articles else workers, meanwhile)
        for (i, rel, _), r in zip(todo, parsed, strict=True):
            results[i] = r
            if cache is not None and r.blob:
                cache.put_article(article_key(r.blob, rel, slug_key), article_entry(r))
    if progress is not None:
        progress(len(rels), len(rels))
    done = [r for r in results if r is not None]
    _skipped_once(done)
    _cross_findings(project, done, bool(paths), hasher)
    return Catalogue(done, findings)


def _cross_findings(project: Project, done: list[ArticleResult], selection: bool,
                    hasher: AssetHasher) -> None:
    """Add the findings across articles (ids, slugs, translations) to ``done``'s results.
    A translation names its source by id: checked on a ``selection`` of paths, it is
    judged against the whole catalogue (its source, other translations)."""
    from reviewkit.article.translation import catalogue_findings

    by_path = {r.path: r for r in done}
    context = done + (_others(project, by_path, hasher) if selection and any(
        r.summary is not None and r.summary.translation_of for r in done) else [])
    for f in [*check_catalogue(done),
              *catalogue_findings(context, project.config.policy.default_lang)]:
        if f.path in by_path:
            by_path[f.path].findings.append(f)


def _others(project: Project, selected: Collection[str],
            hasher: AssetHasher) -> list[ArticleResult]:
    """The articles under the content roots outside ``selected``, front matter only."""
    rels, _ = discover(project.root, project.config.content, assets=project.config.assets)
    return [load_article(project.root, rel, project.schema, None, assets=hasher)
            for rel in rels if rel not in selected]


def under_content_roots(project: Project, paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(paths to check, notes on the ones skipped): only files under the content roots are
    articles (a README.md handed over by a pre-commit hook is not). A directory that holds
    content roots stands for those roots."""
    import os

    root = project.root.resolve()
    roots = [(root / r).resolve() for r in project.config.content]
    keep: list[str] = []
    notes: list[str] = []
    for p in paths:
        absolute = Path(os.path.abspath(p))
        try:
            rel = absolute.relative_to(root).as_posix()
        except ValueError:
            keep.append(p)  # discover() reports it as outside the repository
            continue
        if any(absolute == r or r in absolute.parents for r in roots):
            keep.append(p)
            continue
        inner = [str(r) for r in roots if absolute in r.parents and os.path.lexists(r)]
        if inner:
            keep += inner
            continue
        notes.append(f"note: {rel or '.'}: skipped, not under a content root "
                     f"({', '.join(project.config.content)} in reviewkit.yaml)")
    return list(dict.fromkeys(keep)), notes


def _skipped_once(results: list[ArticleResult]) -> None:
    """A rule skipped for lack of a word list in an article's language is said once per
    language and rule (on the first such article, with the count), not once per article."""
    if not any(r.findings for r in results):  # nothing to say
        return
    first: dict[str, tuple[Finding, int]] = {}
    for r in results:
        keep = []
        for f in r.findings:
            if f.rule != SKIPPED_RULE:
                keep.append(f)
                continue
            seen = first.get(f.message)
            first[f.message] = (seen[0] if seen else f, (seen[1] if seen else 0) + 1)
        if len(keep) != len(r.findings):
            r.findings = keep
    by_path = {r.path: r for r in results}
    for message, (f, n) in first.items():
        text = f"{message} for {n} article{'s' if n != 1 else ''}"
        by_path[f.path].findings.append(Finding(f.path, 1, 1, "info", SKIPPED_RULE, text))
