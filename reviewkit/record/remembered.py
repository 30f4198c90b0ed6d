"""What a clone remembers between runs, besides the cache: the last events tip whose whole
history was found append-only, the article schemas already found valid, and the content
rules' findings of the committed versions a reviewer looked at lately. Each record
is authenticated with the cache's key (kept outside the repository, see
:mod:`reviewkit.record.cache`) and bound to this git directory, so a forged, foreign or stale
record is ignored: it can only save time, never change a verdict.

Layer: record/ (may import base/).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from reviewkit import __version__
from reviewkit.base.fsutil import write_atomic
from reviewkit.record.cache import _binding, cache_key, digest_of, mac

# --- the last events tip whose whole history was checked append-only -----------------------

VERIFIED_FILE = "append-only.json"


def load_verified_tip(git_dir: Path) -> str | None:
    """The events tip whose history was last found append-only here, if its record
    authenticates; None otherwise. The caller still checks that it is an ancestor of the
    tip it judges (a rewritten ref starts over)."""
    key = cache_key()
    path = git_dir / "reviewkit" / VERIFIED_FILE
    if key is None:
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        tip, claimed = doc["tip"], doc["mac"]
        if (isinstance(tip, str) and isinstance(claimed, str) and hmac.compare_digest(
                claimed, mac(key, b"append-only", _binding(path), tip.encode()))):
            return tip
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def save_verified_tip(git_dir: Path, tip: str) -> None:
    """Remember (authenticated) that ``tip``'s history was checked append-only."""
    key = cache_key()
    if key is None:
        return
    path = git_dir / "reviewkit" / VERIFIED_FILE
    doc = json.dumps({"tip": tip, "mac": mac(key, b"append-only", _binding(path), tip.encode())})
    with contextlib.suppress(OSError):  # only slower next time
        write_atomic(path, doc, private=True)


# --- article schemas already found valid (compile_schema's meta-schema check) --------------

SCHEMAS_FILE = "schemas-checked.json"
SCHEMAS_KEPT = 8  # the work tree's schema, a trusted ref's, a few recent ones


def _checker() -> bytes:
    """What checked a schema: reviewkit's version and where jsonschema is installed (its
    ``__init__``'s path, time and size; found without importing it), so an upgrade or a
    reinstall checks every schema again."""
    import importlib.util

    spec = importlib.util.find_spec("jsonschema")
    origin = spec.origin if spec is not None else None
    try:
        st = os.stat(origin) if origin else None
    except OSError:
        st = None
    where = f"{origin}|{st.st_mtime_ns}|{st.st_size}" if st is not None else "?"
    return f"{__version__}|{where}".encode()


def _schema_mac(key: bytes, path: Path, checker: bytes, sha: str) -> str:
    return mac(key, b"schema-checked", _binding(path), checker, sha.encode())


def _entries(path: Path, name: str) -> list[dict[str, Any]]:
    """The entries (mappings) listed under ``name`` in the record at ``path``; none when it
    is missing or malformed."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    items = doc.get(name) if isinstance(doc, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _checked_schemas(path: Path) -> list[dict[str, Any]]:
    return _entries(path, "checked")


def schema_checked(git_dir: Path, sha: str) -> bool:
    """Whether the schema whose bytes hash to ``sha`` passed ``compile_schema`` here before
    (by an authenticated record; see ``reviewkit.article.schema.compile_schema``'s
    ``checked``). False for a missing, forged, foreign or stale record: the schema is then
    checked in full, so the record can only save time, never accept a schema."""
    key = cache_key()
    if key is None:
        return False
    path = git_dir / "reviewkit" / SCHEMAS_FILE
    want = _schema_mac(key, path, _checker(), sha)
    return any(i.get("sha") == sha and isinstance(i.get("mac"), str)
               and hmac.compare_digest(i["mac"], want) for i in _checked_schemas(path))


def remember_schema_checked(git_dir: Path, sha: str) -> None:
    """Record (authenticated) that the schema ``sha`` passed ``compile_schema`` here."""
    key = cache_key()
    if key is None:
        return
    path = git_dir / "reviewkit" / SCHEMAS_FILE
    items = [i for i in _checked_schemas(path) if i.get("sha") != sha][-(SCHEMAS_KEPT - 1):]
    items.append({"sha": sha, "mac": _schema_mac(key, path, _checker(), sha)})
    with contextlib.suppress(OSError):  # only slower next time
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"checked": items}), private=True)


# --- the content rules' findings of committed versions (review, approve, comment, …) -------

LINTED_FILE = "linted.json"
LINTED_KEPT = 32  # the versions a reviewer looked at lately


def _code() -> bytes:
    """What lints: reviewkit's version, the files of the content rules, the packaged word
    lists and base/ (the Markdown dialect, findings), by name, time and size, and where the
    Markdown parser is installed; found without importing anything, so an upgrade or an
    edit of a rule lints every version again."""
    import importlib.util

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dirs = [os.path.join(package, *d) for d in (("rules",), ("base",), ("data", "wordlists"))]
    parts = [__version__]
    for name in ("markdown_it", "mdit_py_plugins"):
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin:
            dirs.append(os.path.dirname(origin))
    for d in dirs:
        with contextlib.suppress(OSError), os.scandir(d) as it:
            for e in sorted(it, key=lambda e: e.name):
                if e.name.endswith((".py", ".yaml")):
                    st = e.stat()
                    parts.append(f"{e.path}|{st.st_mtime_ns}|{st.st_size}")
    return "\n".join(parts).encode()


def lint_key(context: bytes, rel: str, blob: str, commit: str) -> str:
    """The key of one committed version's lint: what linted it (:func:`_code`), with what
    configuration and word lists (``context``), and the file, its blob and its commit (which
    fix the assets it shows and the article names its links may use)."""
    return digest_of(b"linted", _code(), context, rel.encode(), blob.encode(), commit.encode())


def _linted_mac(key: bytes, path: Path, lint: str, findings: str) -> str:
    return mac(key, b"linted", _binding(path), lint.encode(), findings.encode())


def _linted(path: Path) -> list[dict[str, Any]]:
    return _entries(path, "linted")


def linted_findings(git_dir: Path, lint: str) -> list[Any] | None:
    """The content rules' findings remembered for the version ``lint`` names (as
    ``[line, col, level, rule, message, suggestion]`` lists), if an authenticated record
    holds them; None otherwise (missing, forged, foreign or stale): the caller lints, so
    the record can only save time, never drop a finding."""
    key = cache_key()
    if key is None:
        return None
    path = git_dir / "reviewkit" / LINTED_FILE
    for item in _linted(path):
        found, claimed = item.get("findings"), item.get("mac")
        if (item.get("lint") == lint and isinstance(found, str) and isinstance(claimed, str)
                and hmac.compare_digest(claimed, _linted_mac(key, path, lint, found))):
            try:
                value = json.loads(found)
            except ValueError:
                return None
            return value if isinstance(value, list) else None
    return None


def remember_linted(git_dir: Path, lint: str, findings: list[Any]) -> None:
    """Remember (authenticated) the content rules' findings of the version ``lint`` names."""
    key = cache_key()
    if key is None:
        return
    path = git_dir / "reviewkit" / LINTED_FILE
    text = json.dumps(findings, ensure_ascii=False)
    items = [i for i in _linted(path) if i.get("lint") != lint][-(LINTED_KEPT - 1):]
    items.append({"lint": lint, "findings": text, "mac": _linted_mac(key, path, lint, text)})
    with contextlib.suppress(OSError):  # only slower next time
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"linted": items}, ensure_ascii=False), private=True)
