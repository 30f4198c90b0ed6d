"""Finding, reading, parsing and digesting articles."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from reviewkit import frontmatter, schema
from reviewkit.byline import find_bylines
from reviewkit.digest import content_digest
from reviewkit.errors import UsageError
from reviewkit.findings import Finding
from reviewkit.git import blob_id
from reviewkit.model import Article, ArticleSummary, FrontMatter
from reviewkit.schema import ArticleSchema


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
    blob: str | None = None

    @property
    def ok(self) -> bool:
        return (self.summary is not None and self.summary.digest is not None
                and not any(f.is_error for f in self.findings))

    @property
    def article_id(self) -> str | None:
        return self.summary.id if self.summary else None

    @property
    def is_draft(self) -> bool:
        """Drafts are not published. Unknown (unreadable) counts as *not* a draft: fail closed."""
        return self.summary is not None and self.summary.draft


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def summarize(rel: str, blob: str, fm: dict[str, Any], meta: FrontMatter | None,
              digest: str | None,
              bylines: tuple[tuple[int, str], ...] = ()) -> ArticleSummary:
    return ArticleSummary(
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
) -> ArticleResult:
    """Parse, validate and digest one article from its bytes. Never raises on bad input."""
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
    result.summary = summarize(rel, result.blob or "", fm, None, None)
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
    # `slug` may differ from the file name (as in Hugo, Jekyll and Astro): no check here
    if linter is not None:
        result.findings += linter.lint(parts.body, fm, path=rel, body_line=parts.body_line)
    digest = content_digest(fm, parts.body, article_schema.exempt)
    result.summary = summarize(rel, result.blob or "", fm, meta, digest,
                               find_bylines(parts.body, parts.body_line))
    result.article = Article(
        path=rel, blob=result.blob or "", meta=meta, front_matter=fm, body=parts.body,
        body_line=parts.body_line, digest=digest,
    )
    result.findings.sort()
    return result


def _rel(root: Path, p: Path) -> str:
    return p.relative_to(root).as_posix()


def discover(root: Path, content_roots: Sequence[str], paths: Sequence[str] = ()) -> tuple[list[str], list[Finding]]:
    """Article files (relative paths) under the content roots, or the given ``paths``.

    Symbolic links and anything resolving outside ``root`` are findings, never read.
    """
    findings: list[Finding] = []
    found: list[str] = []
    root = root.resolve()
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
    else:
        for r in content_roots:
            if os.path.lexists(root / r):
                targets.append(root / r)
            else:
                # articles moved outside every content root must not pass unseen
                findings.append(Finding(r, 0, 0, "error", "content-root",
                                        f"content root '{r}' (reviewkit.yaml) does not exist"))

    def visit(p: Path) -> None:
        try:
            st = os.lstat(p)
        except OSError as exc:
            findings.append(Finding(_rel(root, p), 0, 0, "error", "unreadable", str(exc.strerror)))
            return
        if stat.S_ISLNK(st.st_mode):
            target = os.path.realpath(p)
            inside = Path(target).is_relative_to(root)
            where = "inside" if inside else "outside"
            findings.append(
                Finding(_rel(root, p), 0, 0, "error", "symlink",
                        f"is a symbolic link (to a path {where} the repository); "
                        "articles must be regular files")
            )
            return
        if stat.S_ISDIR(st.st_mode):
            for entry in sorted(os.listdir(p)):
                if not entry.startswith("."):
                    child = p / entry
                    # a link (to a file or a directory) becomes the `symlink` finding: an
                    # article behind a linked directory must not go unseen by the gate
                    if child.suffix == ".md" or os.path.islink(child) or os.path.isdir(child):
                        visit(child)
            return
        if stat.S_ISREG(st.st_mode):
            found.append(_rel(root, p))

    for t in targets:
        visit(t)
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
    fd = os.open(root / rel, flags)
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


def load_article(root: Path, rel: str, article_schema: ArticleSchema,
                 linter: BodyLinter | None = None) -> ArticleResult:
    """Read and parse one article file; an unreadable file is a finding."""
    try:
        data = read_file(root, rel)
    except OSError as exc:
        return ArticleResult(rel, [Finding(rel, 0, 0, "error", "unreadable",
                                           f"cannot read: {exc.strerror}")])
    return parse_article(rel, data, article_schema, linter)


def check_catalogue(results: Iterable[ArticleResult]) -> list[Finding]:
    """Cross-article findings: two files claiming one id or one slug."""
    by_id: dict[str, list[str]] = {}
    for r in results:
        if r.article_id:
            by_id.setdefault(r.article_id, []).append(r.path)
    findings = []
    for aid, paths in by_id.items():
        if len(paths) > 1:
            for p in paths:
                others = ", ".join(q for q in paths if q != p)
                findings.append(
                    Finding(p, 0, 0, "error", "duplicate-id",
                            f"id {aid} is also claimed by {others}; every article needs its own id")
                )
    return findings
