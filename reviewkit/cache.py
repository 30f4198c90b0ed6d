"""A cache under ``.git/reviewkit/`` that makes a gate over an unchanged catalogue I/O-bound.

Three parts, each tied to a *context* (reviewkit's version and the hashes of the schema,
configuration and registry) so a change of any of them drops what it could affect:

- ``articles``: git blob id → the article's summary and findings (parse + schema + digest);
- ``ledger_ok``: an events tip whose every event file parsed, so a later run only parses
  the event files added since (``git diff-tree``);
- ``verdicts``: a key over (article summary, findings, the article's event names and blob
  ids) → its status, with the time until which that status cannot change by itself.

The file is authenticated: an HMAC-SHA256 under a key kept outside the repository
(``$XDG_CACHE_HOME/reviewkit/cache-key``, else ``~/.cache/reviewkit/cache-key``, made
0600 on first use) over the payload and the git directory it belongs to. A missing,
unreadable, corrupt, forged or foreign cache is ignored, never trusted, so a verdict with a
cache is the verdict without one: whoever can write ``.git/reviewkit/`` cannot claim an
approval there. Without a usable key there is no cache (slower, never different). It is
written atomically (temp file + rename).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewkit import __version__
from reviewkit.fsutil import write_atomic

FORMAT = "reviewkit-cache"
VERSION = 6  # 3: readability in article entries; 4: parse findings include control characters and
# document markers; 5: authenticated (HMAC) with a per-user key; 6: summaries carry the
# body's bylines
KEY_FILE = "cache-key"


def key_dir() -> Path:
    """Where the cache key lives: outside every repository, per user."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reviewkit"


def cache_key() -> bytes | None:
    """The per-user key that authenticates caches; made (0600) on first use. None when it
    cannot be read or made: then nothing is cached, and nothing cached is trusted."""
    path = key_dir() / KEY_FILE
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # mode 0600; another process may have made one meanwhile: keep theirs
        with contextlib.suppress(FileExistsError):
            write_atomic(path, secrets.token_bytes(32), exclusive=True)
        data = path.read_bytes()
        return data if len(data) >= 32 else None
    except OSError:
        return None


def mac(key: bytes, *parts: bytes) -> str:
    """HMAC-SHA256 of ``parts`` (length-prefixed, so no two part lists collide)."""
    h = hmac.new(key, digestmod=hashlib.sha256)
    for p in parts:
        h.update(len(p).to_bytes(8, "big"))
        h.update(p)
    return h.hexdigest()


def _binding(path: Path) -> bytes:
    # a cache authenticates only where it was written: the git directory it lives in
    return os.fsencode(os.path.abspath(path))


def digest_of(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        data = p if isinstance(p, bytes) else json.dumps(p, sort_keys=True, default=str).encode()
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@dataclass
class Cache:
    path: Path | None
    article_context: str
    verdict_context: str
    articles: dict[str, Any] = field(default_factory=dict)
    verdicts: dict[str, Any] = field(default_factory=dict)
    ledger_ok: str | None = None
    dirty: bool = False
    touched_articles: set[str] = field(default_factory=set)
    touched_verdicts: set[str] = field(default_factory=set)

    # -- articles ----------------------------------------------------------------------

    def get_article(self, key: str) -> Any:
        entry = self.articles.get(key)
        if entry is not None:
            self.touched_articles.add(key)
        return entry

    def put_article(self, key: str, entry: Any) -> None:
        self.articles[key] = entry
        self.touched_articles.add(key)
        self.dirty = True

    # -- verdicts ----------------------------------------------------------------------

    def get_verdict(self, key: str, now_iso: str) -> Any:
        entry = self.verdicts.get(key)
        if entry is None or not isinstance(entry, dict):
            return None
        since, until = entry.get("since"), entry.get("until")
        # valid from when it was computed until time alone could change it; a clock that
        # went backwards (a future-dated event not yet due) is outside that window too
        if not isinstance(since, str) or not isinstance(until, str) or not since <= now_iso < until:
            return None
        self.touched_verdicts.add(key)
        return entry.get("status")

    def put_verdict(self, key: str, status: Any, since_iso: str, until_iso: str) -> None:
        self.verdicts[key] = {"status": status, "since": since_iso, "until": until_iso}
        self.touched_verdicts.add(key)
        self.dirty = True

    def set_ledger_ok(self, tip: str | None) -> None:
        if tip != self.ledger_ok:
            self.ledger_ok = tip
            self.dirty = True

    # -- file ----------------------------------------------------------------------------

    def save(self, *, prune: bool = True) -> None:
        """Write atomically. ``prune`` keeps only the entries this run used, so the cache
        follows the catalogue instead of growing with its history."""
        stale = prune and (len(self.touched_articles) < len(self.articles)
                           or len(self.touched_verdicts) < len(self.verdicts))
        if self.path is None or not (self.dirty or stale):
            return
        articles, verdicts = self.articles, self.verdicts
        if prune:
            articles = {k: v for k, v in articles.items() if k in self.touched_articles}
            verdicts = {k: v for k, v in verdicts.items() if k in self.touched_verdicts}
        body = {
            "article_context": self.article_context, "verdict_context": self.verdict_context,
            "articles": articles, "verdicts": verdicts, "ledger_ok": self.ledger_ok,
        }
        payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        del body, articles, verdicts
        key = cache_key()
        if key is None:
            return
        doc = json.dumps({"format": FORMAT, "version": VERSION,
                          "mac": mac(key, _binding(self.path), payload)})
        # written in pieces (no second copy in memory); one that cannot be is only slower
        with contextlib.suppress(OSError):
            write_atomic(self.path, (doc[:-1].encode() + b',"body":', payload, b"}"))


def load_cache(path: Path | None, article_context: str, verdict_context: str) -> Cache:
    """The cache at ``path`` for these contexts; empty when absent, corrupt or stale."""
    cache = Cache(path, article_context, verdict_context)
    if path is None:
        return cache
    key = cache_key()
    if key is None:
        return cache
    try:
        raw = path.read_text(encoding="utf-8")
        cut = raw.index(',"body":')
        doc = json.loads(raw[:cut] + "}")
        payload = raw[cut + len(',"body":'):-1]
        claimed = doc.get("mac")
        if (doc.get("format") != FORMAT or doc.get("version") != VERSION
                or not isinstance(claimed, str)
                or not hmac.compare_digest(claimed, mac(key, _binding(path), payload.encode()))):
            return cache
        body = json.loads(payload)
        if body.get("article_context") == article_context and isinstance(body.get("articles"), dict):
            cache.articles = body["articles"]
        if body.get("verdict_context") == verdict_context and isinstance(body.get("verdicts"), dict):
            cache.verdicts = body["verdicts"]
            ledger_ok = body.get("ledger_ok")
            cache.ledger_ok = ledger_ok if isinstance(ledger_ok, str) else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Cache(path, article_context, verdict_context)
    return cache


def contexts(schema_sha: str, config: Any, registry_bytes: bytes | None, lint: bool) -> tuple[str, str]:
    """(article context, verdict context) for the current inputs."""
    article = digest_of(__version__, FORMAT, VERSION, schema_sha, config.model_dump(mode="json"), lint)
    verdict = digest_of(article, registry_bytes or b"")
    return article, verdict


def cache_path(git_dir: Path, *, lint: bool = False) -> Path:
    """``cache.json`` for gate and status; ``cache-lint.json`` for ``validate`` (content
    rules on), so the two never evict each other."""
    return git_dir / "reviewkit" / ("cache-lint.json" if lint else "cache.json")


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
        write_atomic(path, doc)
