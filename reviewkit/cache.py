"""A cache under ``.git/reviewkit/`` that makes a gate over an unchanged catalogue I/O-bound.

Three parts, each tied to a *context* (reviewkit's version and the hashes of the schema,
configuration and registry) so a change of any of them drops what it could affect:

- ``articles``: git blob id → the article's summary and findings (parse + schema + digest);
- ``ledger_ok``: an events tip whose every event file parsed, so a later run only parses
  the event files added since (``git diff-tree``);
- ``verdicts``: a key over (article summary, findings, the article's event names and blob
  ids) → its status, with the time until which that status cannot change by itself.

The file carries a checksum; a missing, unreadable, corrupt or foreign cache is ignored,
never trusted. It is written atomically (temp file + rename). Whoever can write ``.git/``
can rewrite refs too, so the cache adds no new trust; CI should still not restore it from
an untrusted source.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewkit import __version__

FORMAT = "reviewkit-cache"
VERSION = 3  # 3: summaries carry the body's bylines


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
        doc = json.dumps({"format": FORMAT, "version": VERSION,
                          "checksum": hashlib.sha256(payload).hexdigest()})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".cache-")
            with os.fdopen(fd, "wb") as fh:  # written in pieces: no second copy in memory
                fh.write(doc[:-1].encode() + b',"body":')
                fh.write(payload)
                fh.write(b"}")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written is only slower


def load_cache(path: Path | None, article_context: str, verdict_context: str) -> Cache:
    """The cache at ``path`` for these contexts; empty when absent, corrupt or stale."""
    cache = Cache(path, article_context, verdict_context)
    if path is None:
        return cache
    try:
        raw = path.read_text(encoding="utf-8")
        cut = raw.index(',"body":')
        doc = json.loads(raw[:cut] + "}")
        payload = raw[cut + len(',"body":'):-1]
        if (doc.get("format") != FORMAT or doc.get("version") != VERSION
                or doc.get("checksum") != hashlib.sha256(payload.encode()).hexdigest()):
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
