"""Local files an article shows or links (images, PDFs, …): part of what a sign-off covers.

An *asset reference* is a Markdown image, an HTML ``<img src>``, or a Markdown link to a
local file with an extension other than ``.md``/``.html`` (links to other pages are not
assets). Its target is resolved against the article's directory and must stay inside the
repository: an absolute path, a ``..`` that climbs out, or a symbolic link is a finding,
and so is a missing file. The digest (docs/digest.md, version 2) covers each asset's
repository path and SHA-256.

Layer: article/ (may import base/ and rules/).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from reviewkit.base.findings import Finding

if TYPE_CHECKING:
    from reviewkit.base.git import Repo

MAX_ASSET_BYTES = 64 * 1024 * 1024
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IMG = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_PAGE_SUFFIXES = {"", ".md", ".markdown", ".html", ".htm"}


class AssetError(Exception):
    """An asset that cannot be covered: missing, a link, not a regular file, too large."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class AssetRef:
    """One reference in the body: ``target`` is the repository path (None when refused)."""

    raw: str
    line: int  # 0-based body line
    image: bool
    target: str | None
    problem: str | None = None


def _local(raw: str) -> str | None:
    """The path part of a local reference, or None for URLs, anchors and mail links."""
    ref = raw.strip()
    if not ref or ref.startswith(("#", "//")) or _SCHEME.match(ref):
        return None
    ref = ref.split("#", 1)[0].split("?", 1)[0]
    return unquote(ref) if ref else None


def resolve(article_rel: str, raw: str, *, image: bool) -> AssetRef | None:
    """The asset a reference names, or None when it is not an asset (URL, page link)."""
    path = _local(raw)
    if path is None:
        return None
    if not image and posixpath.splitext(path.rstrip("/"))[1].lower() in _PAGE_SUFFIXES:
        return None
    if path.endswith("/") and not image:
        return None
    if "\\" in path or "\0" in path or any(ord(c) < 32 for c in path):
        return AssetRef(raw, 0, image, None, "is not a plain relative path")
    if path.startswith("/"):
        return AssetRef(raw, 0, image, None,
                        "is an absolute path; use a path relative to the article")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(article_rel), path))
    if joined == ".." or joined.startswith("../") or joined in (".", ""):
        return AssetRef(raw, 0, image, None, "points outside the repository")
    if joined == ".git" or joined.startswith(".git/"):
        return AssetRef(raw, 0, image, None, "points into .git")
    folder = posixpath.dirname(article_rel)
    if folder and not joined.startswith(folder + "/"):
        # publish places each asset at the same path relative to the page: it could not
        # serve this one, so it must not pass validate and the gate either
        return AssetRef(raw, 0, image, None, "lies outside the article's folder "
                        f"({folder}); keep assets in the article's folder or below it")
    return AssetRef(raw, 0, image, joined)


_SIMPLE_DEST = re.compile(r"\]\(\s*([^\s()<>\\]*)\)")


def _may_have_assets(body: str, article_rel: str) -> bool:
    """False only when the body certainly has no asset reference: no image syntax, no
    ``<img``, no reference definition, and every inline link destination is a URL, an
    anchor or a page. Saves a Markdown parse for most articles (the gate reads them all)."""
    if "![" in body or "]:" in body or "<img" in body.lower():
        return True
    simple = list(_SIMPLE_DEST.finditer(body))
    if len(simple) != body.count("]("):  # a destination with a title, <…>, parentheses
        return True
    return any(resolve(article_rel, m.group(1), image=False) is not None for m in simple)


def asset_refs(body: str, article_rel: str) -> list[AssetRef]:
    """Every asset reference of the body, in order (code spans and blocks are not read)."""
    from reviewkit.base.markdown import shared_parser

    if not _may_have_assets(body, article_rel):
        return []
    tokens = shared_parser(html=True).parse(body)
    out: list[AssetRef] = []

    def add(raw: str, line: int, image: bool) -> None:
        ref = resolve(article_rel, raw, image=image)
        if ref is not None:
            out.append(AssetRef(ref.raw, line, ref.image, ref.target, ref.problem))

    def html(content: str, line: int) -> None:
        for m in _IMG.finditer(content):
            add(next(g for g in m.groups() if g is not None), line, True)

    for t in tokens:
        line = t.map[0] if t.map else 0
        if t.type == "html_block":
            html(t.content, line)
        for c in t.children or ():
            if c.type == "image":
                add(str(c.attrGet("src") or ""), line, True)
            elif c.type == "link_open":
                add(str(c.attrGet("href") or ""), line, False)
            elif c.type == "html_inline":
                html(c.content, line)
    return out


AssetHasher = Callable[[str], str]
"""Repository path → SHA-256 hex of the asset's bytes; raises :class:`AssetError`."""


def worktree_hasher(root: Path) -> AssetHasher:
    """Hash assets in the work tree, refusing links anywhere on the path (O_NOFOLLOW)."""
    root = Path(os.path.realpath(root))

    def hasher(rel: str) -> str:
        path = root / rel
        # every directory on the way must be a real directory inside the repository
        if os.path.realpath(path.parent) != os.path.normpath(path.parent):
            raise AssetError("asset-outside", "is reached through a symbolic link")
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            raise AssetError("asset-missing", "does not exist") from None
        except OSError as exc:
            raise AssetError("asset-missing", f"cannot be read: {exc.strerror}") from None
        if stat.S_ISLNK(st.st_mode):
            raise AssetError("asset-outside", "is a symbolic link; assets must be regular files")
        if not stat.S_ISREG(st.st_mode):
            raise AssetError("asset-missing", "is not a regular file")
        if st.st_size > MAX_ASSET_BYTES:
            raise AssetError("asset-missing", f"is larger than {MAX_ASSET_BYTES:,} bytes")
        h = hashlib.sha256()
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()

    return hasher


class CommitAssets:
    """Hash assets as they are in one commit (symbolic links and over-large files refused):
    what a version read from a commit (submitted, approved, HEAD) is digested with."""

    def __init__(self, repo: Repo, commit: str) -> None:
        self.repo, self.commit = repo, commit
        self.data: dict[str, bytes] = {}

    def __call__(self, rel: str) -> str:
        entries = self.repo.ls_tree(self.commit, [rel], recursive=False)
        entry = next((e for e in entries if e.path == rel), None)
        if entry is None:
            raise AssetError("asset-missing", f"does not exist in commit {self.commit[:12]}")
        if entry.mode == "120000":
            raise AssetError("asset-outside", "is a symbolic link; assets must be regular files")
        if entry.type != "blob":
            raise AssetError("asset-missing", "is not a regular file")
        got = self.repo.read_present_blobs([entry.sha], MAX_ASSET_BYTES)
        if entry.sha not in got:
            raise AssetError("asset-missing", f"is larger than {MAX_ASSET_BYTES:,} bytes")
        self.data[rel] = got[entry.sha]
        return sha256_hex(got[entry.sha])


def covered(refs: Iterable[AssetRef], hasher: AssetHasher, path: str,
            body_line: int) -> tuple[list[tuple[str, str]], list[Finding]]:
    """(path, sha256) of each distinct asset, sorted, and the findings of the rest."""
    hashes: dict[str, str] = {}
    findings: list[Finding] = []
    for ref in refs:
        line = body_line + ref.line
        what = "image" if ref.image else "linked file"
        if ref.target is None:
            findings.append(Finding(path, line, 1, "error", "asset-outside",
                                    f"{what} '{ref.raw}' {ref.problem}"))
            continue
        if ref.target in hashes:
            continue
        try:
            hashes[ref.target] = hasher(ref.target)
        except AssetError as exc:
            findings.append(Finding(path, line, 1, "error", exc.rule,
                                    f"{what} '{ref.raw}' ({ref.target}) {exc.message}"))
    return sorted(hashes.items()), findings


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
