"""``reviewkit init`` and ``reviewkit new``: files a person starts from.

Layer: article/ (may import base/ and rules/).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import time
import unicodedata
from pathlib import Path

from reviewkit.base.errors import UsageError
from reviewkit.base.fsutil import write_atomic
from reviewkit.base.package_data import ARTICLE_TEMPLATE, read_data
from reviewkit.base.printable import UNSAFE, describe

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(now: float | None = None) -> str:
    """A ULID: 48-bit millisecond time + 80 random bits, Crockford base32 (26 chars)."""
    ms = int((time.time() if now is None else now) * 1000)
    value = (ms << 80) | secrets.randbits(80)
    out = []
    for _ in range(26):
        out.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(out))


def slugify(title: str) -> str:
    """``"Fear of intimacy: causes"`` → ``fear-of-intimacy-causes``."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-")


_data = read_data


def write_new_file(path: Path, data: bytes, *, shown: str | None = None) -> None:
    """Create ``path`` with ``data`` atomically; never overwrite (fails if it exists).
    ``shown``: the path as the error names it (default: ``path``)."""
    try:
        write_atomic(path, data, exclusive=True)  # a link refuses an existing target: no race
    except FileExistsError:
        raise UsageError(f"{shown or path}: already exists; reviewkit never overwrites") from None


DISTRIBUTION = "reviewkit-clinical"  # the package index name; import package and command: reviewkit


def installed_version() -> str:
    """The version of reviewkit that runs (the package metadata, else ``__version__``)."""
    from importlib.metadata import PackageNotFoundError, version

    from reviewkit import __version__

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return __version__


def workflow_text(version: str | None = None) -> bytes:
    """The CI workflow ``init`` writes: installs exactly ``version`` (default: this one)."""
    version = version or installed_version()
    text = _data("scaffold/workflow.yml").decode("utf-8")
    text = text.replace("@REQUIREMENT@", f"{DISTRIBUTION}=={version}")
    return text.replace("@VERSION@", version).encode("utf-8")


ACTION_PATH = ".github/actions/reviewkit/action.yml"


def scaffold_files() -> dict[str, bytes]:
    """Every file ``init`` writes, by path relative to the repository root."""
    return {
        "reviewkit.yaml": _data("scaffold/reviewkit.yaml"),
        "reviewers.yaml": _data("scaffold/reviewers.yaml"),
        "schemas/article.schema.json": _data("schemas/article.schema.json"),
        "content/articles/.gitkeep": b"",
        ".github/workflows/reviewkit.yml": workflow_text(),
        # the action the workflow runs (`uses: ./.github/actions/reviewkit`): the project's
        # root action.yml, byte for byte (tests/test_action.py keeps the two identical)
        ACTION_PATH: _data("action.yml"),
    }


def init(root: Path) -> list[str]:
    """Scaffold a reviewkit repository in the existing directory ``root``.

    Refuses, writing nothing, when any of the files already exists.
    """
    if not root.is_dir():
        raise UsageError(f"{root}: no such directory")
    files = scaffold_files()
    existing = [rel for rel in files if os.path.lexists(root / rel)]
    if existing:
        raise UsageError(
            f"refusing to overwrite: {', '.join(existing)}",
            hint="init writes nothing when any of its files exists",
        )
    written = []
    for rel, data in files.items():
        write_new_file(root / rel, data)
        written.append(rel)
    return written


def _q(value: str) -> str:
    """A YAML double-quoted scalar."""
    import json

    return json.dumps(value, ensure_ascii=False)


def article_text(title: str, slug: str, author: str, email: str, today: dt.date,
                 article_id: str | None = None) -> str:
    """The article ``new`` writes: ``reviewkit/data/scaffold/article.md`` with its @FIELDS@
    filled in one pass (a value that looks like a field stays as typed)."""
    values = {"ID": article_id or new_ulid(), "TITLE": _q(title), "SLUG": slug,
              "AUTHOR": _q(author), "EMAIL": _q(email), "UPDATED": today.isoformat()}
    template = read_data(ARTICLE_TEMPLATE).decode("utf-8")
    return re.sub(r"@([A-Z]+)@", lambda m: values[m.group(1)], template)


def new_article(root: Path, content_root: str, title: str, *, slug: str | None, author: str,
                email: str, today: dt.date | None = None) -> Path:
    """Write ``content/articles/<slug>.md`` from the template; never overwrites."""
    if not title.strip():
        raise UsageError("the title is empty")
    for what, value in (("title", title), ("author", author), ("email", email)):
        m = UNSAFE.search(value)
        if m is not None:
            raise UsageError(f"the {what} contains {describe(m.group())}: remove it")
    slug = slug or slugify(title)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise UsageError(f"slug {slug!r} must be lowercase letters, digits and single hyphens")
    path = root / content_root / f"{slug}.md"
    text = article_text(title.strip(), slug, author, email, today or dt.date.today())
    write_new_file(path, text.encode("utf-8"))
    return path
