"""Finding, reading, parsing and digesting articles.

Layer: article/ (may import base/ and rules/).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from reviewkit.article import frontmatter, schema, translation
from reviewkit.article.assets import AssetError, AssetHasher, asset_refs, covered
from reviewkit.article.byline import find_bylines
from reviewkit.article.schema import ArticleSchema
from reviewkit.base import identity, printable
from reviewkit.base.digest import content_digest
from reviewkit.base.errors import UsageError
from reviewkit.base.findings import Finding
from reviewkit.base.git import blob_id
from reviewkit.base.model import ARTICLE_LIKE, DEFAULT_ASSETS, Article, ArticleSummary, FrontMatter
from reviewkit.base.structs import ValidationError


class BodyLinter(Protocol):
    def lint(
        self, body: str, front_matter: Any, *, path: str, body_line: int
    ) -> list[Finding]: ...


@dataclass
class ArticleResult:
    """What reading one file gave: a summary when the front matter could be read, the
    fully typed article when it was parsed here (not when it came from the cache), and
    all findings."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    summary: ArticleSummary | None = None
    article: Article | None = None
    front_matter: dict[str, Any] | None = None
    # the front matter as pickle bytes, kept when it is asked for (publish) in place of the
    # dict: a few KB an article instead of tens (made and read by reviewkit's own processes)
    front_matter_pickle: bytes | None = None
    blob: str | None = None
    readability: tuple[float, int] | None = None  # (grade, words) when asked for
    # each distinct asset target and what hashing it gave: SHA-256 hex, or "!rule"
    # (the catalogue cache re-checks these: an asset can change without the article)
    asset_states: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.summary is not None and self.summary.digest is not None
                and not any(f.is_error for f in self.findings))

    @property
    def article_id(self) -> str | None:
        return self.summary.id if self.summary else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def summarize(rel: str, blob: str, fm: dict[str, Any], meta: FrontMatter | None,
              digest: str | None,
              bylines: tuple[tuple[int, str], ...] = (),
              fields: translation.Fields | None = None) -> ArticleSummary:
    t = fields or translation.Fields()
    return ArticleSummary(
        lang=t.lang, translation_of=t.translation_of, source_digest=t.source_digest,
        translation_line=t.line,
        path=rel, blob=blob, id=_str(fm.get("id")), title=_str(fm.get("title")),
        slug=_str(fm.get("slug")), draft=fm.get("draft") is True,
        digest=digest if meta is not None else None,
        author_email=meta.author.email.strip().lower() if meta is not None else None,
        topics=tuple(meta.topics) if meta is not None else (), bylines=bylines,
    )


def parse_article(
    rel: str,
    data: bytes,
    article_schema: ArticleSchema,
    linter: BodyLinter | None = None,
    assets: AssetHasher | None = None,
    *,
    readability: bool = False,
) -> ArticleResult:
    """Parse, validate and digest one article from its bytes. Never raises on bad input.

    ``assets`` hashes the local files the body shows or links (the work tree's by
    :func:`reviewkit.article.assets.worktree_hasher`, a commit's when publishing); without it an
    article that has any cannot be digested and gets a finding. ``readability`` also
    measures the body's reading grade (status and the dashboard).
    """
    result = ArticleResult(rel, blob=blob_id(data))
    try:
        text = frontmatter.decode(data)
        parts = frontmatter.split(text)
        fm = frontmatter.load_yaml(parts.yaml_text, parts.yaml_line)
    except frontmatter.FrontMatterError as exc:
        result.findings.append(exc.finding(rel))
        return result
    if not isinstance(fm, dict):
        result.findings.append(
            Finding(rel, 2, 1, "error", "front-matter", "front matter must be a mapping of fields")
        )
        return result
    result.front_matter = fm
    fields, field_findings = translation.read_fields(
        rel, fm, lambda keys: schema.locate_value(parts.yaml_text, parts.yaml_line, keys))
    result.summary = summarize(rel, result.blob or "", fm, None, None, fields=fields)
    result.findings += field_findings
    if "\\" in parts.yaml_text:  # split() refused them in the raw text: only an escape adds one
        result.findings += value_control_findings(rel, fm, parts.yaml_text, parts.yaml_line)
    result.findings += body_control_findings(rel, parts.body, parts.body_line)
    result.findings += schema.validate(
        article_schema, fm, path=rel, yaml_text=parts.yaml_text, yaml_line=parts.yaml_line
    )
    try:
        meta = FrontMatter.model_validate(fm)
    except ValidationError as exc:
        if not result.findings:  # the schema allowed what reviewkit itself cannot use
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                result.findings.append(
                    Finding(rel, 1, 1, "error", "front-matter", f"{where}: {err['msg']}")
                )
        return result
    email_problem = identity.email_problem(meta.author.email)
    if email_problem:
        line, col = schema.locate_value(parts.yaml_text, parts.yaml_line, ["author", "email"])
        result.findings.append(Finding(rel, line, col, "error", "author-email",
                                       f"author.email: {email_problem}"))
    # `slug` may differ from the file name (as in Hugo, Jekyll and Astro): no check here
    if linter is not None:
        result.findings += linter.lint(parts.body, fm, path=rel, body_line=parts.body_line)
    if readability:
        from reviewkit.rules.readability import grade_body

        result.readability = grade_body(parts.body)
    hashes = _hash_assets(result, parts.body, parts.body_line, assets)
    digest = content_digest(fm, parts.body, article_schema.exempt, hashes)
    result.summary = summarize(rel, result.blob or "", fm, meta, digest,
                               find_bylines(parts.body, parts.body_line), fields)
    result.article = Article(
        path=rel, blob=result.blob or "", meta=meta, front_matter=fm, body=parts.body,
        body_line=parts.body_line, digest=digest,
    )
    result.findings.sort()
    return result


def _hash_assets(result: ArticleResult, body: str, body_line: int,
                 assets: AssetHasher | None) -> list[tuple[str, str]]:
    """Hashes of the local files the body shows or links (findings and each asset's state
    go on ``result``)."""
    refs = asset_refs(body, result.path)
    hasher = assets if assets is not None else _no_assets
    states: dict[str, str] = {}

    def record(target: str) -> str:
        try:
            states[target] = hasher(target)
        except AssetError as exc:
            states[target] = "!" + exc.rule
            raise
        return states[target]

    hashes, asset_findings = covered(refs, record, result.path, body_line)
    result.asset_states = sorted(states.items())
    result.findings += asset_findings
    return hashes


MAX_CONTROL_FINDINGS = 10


def body_control_findings(rel: str, body: str, body_line: int) -> list[Finding]:
    """Control characters, line separators and bidi controls in the body: errors, each at
    its line and column (the first :data:`MAX_CONTROL_FINDINGS`, then a count)."""
    out: list[Finding] = []
    for n, (line, col, ch) in enumerate(printable.find(body)):
        if n == MAX_CONTROL_FINDINGS:
            out.append(Finding(rel, body_line + line - 1, col, "error", "control-character",
                               "more control characters follow; delete them all"))
            break
        out.append(Finding(
            rel, body_line + line - 1, col, "error", "control-character",
            f"{printable.describe(ch)}: delete it (it is invisible or changes what a "
            "terminal or browser shows, so a reviewer could see something else)"))
    return out


def value_control_findings(rel: str, fm: dict[str, Any], yaml_text: str,
                           yaml_line: int) -> list[Finding]:
    """Control characters that YAML escapes (``"\\e"``, ``"\\u202e"``, ``"\\L"``) put
    into front-matter keys or values: errors at the value (the raw text has none, the
    splitter saw to that)."""
    out: list[Finding] = []

    def walk(value: Any, where: list[str | int]) -> None:
        if len(out) >= MAX_CONTROL_FINDINGS:
            return
        if isinstance(value, str):
            m = printable.UNSAFE.search(value)
            if m is not None:
                line, col = schema.locate_value(yaml_text, yaml_line, where)
                name = ".".join(str(p) for p in where)
                out.append(Finding(rel, line, col, "error", "control-character",
                                   f"{name}: {printable.describe(m.group())} (written as a YAML "
                                   "escape): remove it"))
        elif isinstance(value, dict):
            for k, v in value.items():
                if printable.UNSAFE.search(k):
                    walk(k, where)
                walk(v, [*where, k])
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, [*where, i])

    walk(fm, [])
    return out


def _no_assets(target: str) -> str:
    raise AssetError("asset-missing", "cannot be checked here (no repository to read it from)")


def _rel(root: Path, p: Path) -> str:
    return p.relative_to(root).as_posix()


def stem(name: str) -> str:
    """``PurePosixPath(name).stem`` without building a path (one per article)."""
    base = name.rsplit("/", 1)[-1]
    i = base.rfind(".")
    return base[:i] if 0 < i < len(base) - 1 else base


def _suffix(name: str) -> str:
    """``PurePosixPath(name).suffix`` of a file name."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


# files a directory may hold without being content: empty placeholders that keep it in git
_PLACEHOLDERS = frozenset({".gitkeep", ".keep"})


def _not_content(name: str, size: int, asset_exts: Collection[str]) -> str | None:
    """Why a regular file that is not an article may not sit under a content root, or
    None when it may (an asset, an empty placeholder)."""
    if name in _PLACEHOLDERS and size == 0:
        return None
    suffix = _suffix(name)
    ext = suffix[1:].lower()
    if name.startswith("."):
        return "hidden file under a content root"
    if ext in asset_exts:
        return None
    if ext in ARTICLE_LIKE:
        return f"'.{suffix[1:]}' is not an article: articles end in '.md' (lower case)"
    return (f"'{suffix or name}' is neither an article (.md) nor an asset "
            f"({', '.join(sorted(asset_exts)) or 'none'}; reviewkit.yaml `assets`)")


def _targets(root: Path, content_roots: Sequence[str], paths: Sequence[str],
             findings: list[Finding]) -> list[Path]:
    """Where discovery starts: the given ``paths`` (inside ``root``), else the content
    roots (a missing one is a finding)."""
    targets: list[Path] = []
    if paths:
        for p in paths:
            candidate = Path(os.path.abspath(p))
            try:
                candidate.relative_to(root)
            except ValueError:
                raise UsageError(f"{p}: outside the repository {root}") from None
            if not os.path.lexists(candidate):
                raise UsageError(f"{p}: no such file or directory")
            targets.append(candidate)
        return targets
    for r in content_roots:
        if os.path.lexists(root / r):
            targets.append(root / r)
        else:
            # articles moved outside every content root must not pass unseen
            findings.append(Finding(r, 0, 0, "error", "content-root",
                                    f"content root '{r}' (reviewkit.yaml) does not exist"))
    return targets


def discover(root: Path, content_roots: Sequence[str], paths: Sequence[str] = (), *,
             assets: Collection[str] = DEFAULT_ASSETS) -> tuple[list[str], list[Finding]]:
    """Article files (relative paths) under the content roots, or the given ``paths``.

    Every file under a content root is an article (``*.md``), an asset (an extension in
    ``assets``, case-insensitive) or an error finding (``content-file``): ``*.MD``,
    ``*.markdown``, ``*.mdx``, other extensions, hidden files and directories, special
    files. Nothing is skipped silently. Symbolic links and anything resolving outside
    ``root`` are findings, never read.
    """
    asset_exts = frozenset(a.lower() for a in assets)
    findings: list[Finding] = []
    found: list[str] = []
    root = root.resolve()
    targets = _targets(root, content_roots, paths, findings)

    # paths are strings below (one per file: pathlib's parsing would cost more than the
    # lstat); targets are normalised Paths, and a child is its parent joined with a name
    root_s = str(root)

    def rel_of(p: str) -> str:
        return "." if p == root_s else p[len(root_s) + 1:]

    def visit(p: str) -> None:
        try:
            st = os.lstat(p)
        except OSError as exc:
            findings.append(Finding(rel_of(p), 0, 0, "error", "unreadable", str(exc.strerror)))
            return
        name = os.path.basename(p)
        if stat.S_ISLNK(st.st_mode):
            target = os.path.realpath(p)
            inside = Path(target).is_relative_to(root)
            where = "inside" if inside else "outside"
            findings.append(
                Finding(rel_of(p), 0, 0, "error", "symlink",
                        f"is a symbolic link (to a path {where} the repository); files under "
                        "a content root (articles and their images) must be regular files: "
                        "copy the file here instead")
            )
            return
        if stat.S_ISDIR(st.st_mode):
            if name.startswith(".") and p not in explicit:
                findings.append(Finding(rel_of(p), 0, 0, "error", "content-file",
                                        "hidden directory under a content root: its files "
                                        "would be published unseen; rename or move it"))
                return
            for entry in sorted(os.listdir(p)):
                # a link (to a file or a directory) becomes the `symlink` finding: an
                # article behind a linked directory must not go unseen by the gate
                visit(os.path.join(p, entry))
            return
        rel = rel_of(p)
        if not stat.S_ISREG(st.st_mode):
            findings.append(Finding(rel, 0, 0, "error", "content-file",
                                    "not a regular file; articles are regular .md files"))
            return
        if (_suffix(name) == ".md" and not name.startswith(".")) or p in explicit:
            found.append(rel)  # a file named on the command line is read as an article
            return
        why = _not_content(name, st.st_size, asset_exts)
        if why is not None:
            findings.append(Finding(rel, 0, 0, "error", "content-file",
                                    f"{why}: rename it, move it out of the content root, or "
                                    "list its extension under `assets` in reviewkit.yaml"))

    explicit = {str(t) for t in targets}
    for t in targets:
        visit(str(t))
    return sorted(dict.fromkeys(found)), findings


def known_slugs(root: Path, content_roots: Sequence[str]) -> set[str]:
    """File stems of every ``.md`` under the content roots (names only: no stat per file)."""
    out: set[str] = set()
    stack = [root / r for r in content_roots]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    if entry.name.startswith("."):
                        continue
                    if entry.name.endswith(".md"):
                        out.add(entry.name[:-3])
                    elif entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
        except OSError:
            continue
    return out


def read_file(root: Path, rel: str) -> bytes:
    """Bytes of a regular file inside ``root``, refusing links (O_NOFOLLOW) and huge files."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(os.path.join(root, rel), flags)
    try:
        chunks = []
        remaining = frontmatter.MAX_FILE_BYTES + 1  # one byte more tells "too large"
        while remaining > 0:
            chunk = os.read(fd, remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def unreadable(rel: str, exc: OSError) -> ArticleResult:
    """The result for a file that cannot be read: one finding."""
    return ArticleResult(rel, [Finding(rel, 0, 0, "error", "unreadable",
                                       f"cannot read: {exc.strerror}")])


def load_article(root: Path, rel: str, article_schema: ArticleSchema,
                 linter: BodyLinter | None = None, *, data: bytes | None = None,
                 assets: AssetHasher | None = None, readability: bool = False) -> ArticleResult:
    """Read (unless its bytes are given as ``data``) and parse one article file; an
    unreadable file is a finding."""
    if data is None:
        try:
            data = read_file(root, rel)
        except OSError as exc:
            return unreadable(rel, exc)
    if assets is None:
        from reviewkit.article.assets import worktree_hasher

        assets = worktree_hasher(root)
    return parse_article(rel, data, article_schema, linter, assets, readability=readability)


def check_catalogue(results: Iterable[ArticleResult]) -> list[Finding]:
    results = list(results)
    """Cross-article findings: two files claiming one id or one slug."""
    by_id: dict[str, list[str]] = {}
    for r in results:
        if r.article_id:
            by_id.setdefault(r.article_id, []).append(r.path)
    findings = []
    # one slug, one page: the effective slug (front matter `slug`, else the file name),
    # across every content root
    by_slug: dict[str, list[str]] = {}
    for r in results:
        if r.summary is not None or r.front_matter is not None:
            slug = r.summary.slug if r.summary and r.summary.slug else Path(r.path).stem
            by_slug.setdefault(slug, []).append(r.path)
    for slug, claimants in by_slug.items():
        for p in claimants if len(claimants) >= 2 else ():
            others = ", ".join(q for q in claimants if q != p)
            findings.append(
                Finding(p, 0, 0, "error", "duplicate-slug",
                        f"slug '{slug}' is also the slug of {others}; both would be "
                        "published to one page")
            )
    for aid, paths in by_id.items():
        if len(paths) > 1:
            for p in paths:
                others = ", ".join(q for q in paths if q != p)
                findings.append(
                    Finding(p, 0, 0, "error", "duplicate-id",
                            f"id {aid} is also claimed by {others}; every article needs its own id")
                )
    return findings
