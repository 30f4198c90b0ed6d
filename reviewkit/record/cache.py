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

Every format the cache holds is written and read here: article entries
(:func:`article_entry`, :func:`article_from_entry`, :func:`article_key`), verdicts
(:func:`compact_verdict`, :func:`restore_verdict`, :func:`verdict_key`) and the contexts
(:func:`open_cache`). The library opens and saves it (:func:`project_cache`); commands only
say whether to use it.

Layer: record/ (may import base/, rules/, article/).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewkit import __version__
from reviewkit.base.findings import Finding
from reviewkit.base.fsutil import write_atomic
from reviewkit.base.model import ArticleSummary
from reviewkit.base.verdict import CachedVerdict, with_summary

if TYPE_CHECKING:
    from reviewkit.article.content import ArticleResult
    from reviewkit.base.verdict import ArticleStatus
    from reviewkit.record.project import Project

FORMAT = "reviewkit-cache"
VERSION = 9  # 3: readability in article entries; 4: parse findings include control characters and
# document markers; 5: authenticated (HMAC) with a per-user key; 6: summaries carry the
# body's bylines; 7: and the translation fields; 8: an asset outside the article's folder
# is a finding; 9: one entry a line, the MAC last (written and read a line at a time)
KEY_FILE = "cache-key"


def key_dir() -> Path:
    """Where the cache key lives: outside every repository, per user."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reviewkit"


def cache_key() -> bytes | None:
    """The per-user key that authenticates caches; made (0600) on first use. None when it
    cannot be read or made: then nothing is cached, and nothing cached is trusted."""
    path = key_dir() / KEY_FILE
    with contextlib.suppress(OSError):
        return _private_key(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # mode 0600; another process may have made one meanwhile: keep theirs
        with contextlib.suppress(FileExistsError):
            write_atomic(path, secrets.token_bytes(32), exclusive=True, private=True)
        return _private_key(path)
    except OSError:
        return None


def _private_key(path: Path) -> bytes | None:
    """The key file's bytes when it is this user's and no one else may read or write it
    (whoever can read the key can forge a cache); None otherwise: no cache, never a
    different verdict. Raises OSError when it cannot be read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        if _unsafe(os.fstat(fh.fileno())):
            return None
        data = fh.read(4096)
    return data if len(data) >= 32 else None


def _unsafe(st: os.stat_result) -> str | None:
    """Why a key file with this status must not be used ("owner", "mode"), or None."""
    if not hasattr(os, "getuid"):  # no owners or modes to check (Windows)
        return None
    if st.st_uid != os.getuid():
        return "owner"
    return "mode" if st.st_mode & 0o077 else None


def cache_key_problem() -> str | None:
    """Why nothing can be cached for this user, in words for a note (None: caching works).
    The commands print it, so that a cache turned off by a key others can read does not
    just make every run slow without saying why."""
    if cache_key() is not None:
        return None
    path = key_dir() / KEY_FILE
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"cannot make the cache key {path}: {exc.strerror or exc}"
    remove = "remove it (a new one is made)"
    if stat.S_ISLNK(st.st_mode):
        return f"the cache key {path} is a symbolic link; {remove}"
    if not stat.S_ISREG(st.st_mode):
        return f"the cache key {path} is not a file; {remove}"
    unsafe = _unsafe(st)
    if unsafe == "owner":
        return f"the cache key {path} belongs to another user; {remove}"
    if unsafe == "mode":
        return f"others may read or change the cache key {path}; run: chmod 600 {path}"
    return f"the cache key {path} cannot be read or is too short; {remove}"


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
    """The cache of one run. Entries are kept as text, not dict trees (a dict per article
    would hold dozens of small objects: the gate's memory at 100,000 articles): an article
    entry as its compact JSON, parsed when it is looked up; a verdict as (since, until,
    its compact JSON)."""

    path: Path | None
    article_context: str
    verdict_context: str
    articles: dict[str, str] = field(default_factory=dict)
    verdicts: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    ledger_ok: str | None = None
    dirty: bool = False
    touched_articles: set[str] = field(default_factory=set)
    touched_verdicts: set[str] = field(default_factory=set)
    # since/until of the verdicts: a few distinct values, kept once each
    moments: dict[str, str] = field(default_factory=dict, repr=False)

    # -- articles ----------------------------------------------------------------------

    def get_article(self, key: str) -> Any:
        """The entry :func:`article_entry` made for ``key``; None when absent or unreadable."""
        text = self.articles.get(key)
        if text is None:
            return None
        try:
            entry = json.loads(text)
        except ValueError:
            return None
        self.touched_articles.add(key)
        return entry

    def put_article(self, key: str, entry: Any) -> None:
        self.articles[key] = json.dumps(entry, separators=(",", ":"))
        self.touched_articles.add(key)
        self.dirty = True

    # -- verdicts ----------------------------------------------------------------------

    def get_verdict(self, key: str, now_iso: str) -> str | None:
        entry = self.verdicts.get(key)
        if entry is None:
            return None
        since, until, status = entry
        # valid from when it was computed until time alone could change it; a clock that
        # went backwards (a future-dated event not yet due) is outside that window too
        if not since <= now_iso < until:
            return None
        self.touched_verdicts.add(key)
        return status

    def put_verdict(self, key: str, status: str, since_iso: str, until_iso: str) -> None:
        self.verdicts[key] = (self.moments.setdefault(since_iso, since_iso),
                              self.moments.setdefault(until_iso, until_iso), status)
        self.touched_verdicts.add(key)
        self.dirty = True

    def set_ledger_ok(self, tip: str | None) -> None:
        if tip != self.ledger_ok:
            self.ledger_ok = tip
            self.dirty = True

    # -- file ----------------------------------------------------------------------------

    def save(self, *, prune: bool = True) -> None:
        """Write atomically, one entry at a time (the file is never whole in memory).
        ``prune`` keeps only the entries this run used, so the cache follows the catalogue
        instead of growing with its history."""
        stale = prune and (len(self.touched_articles) < len(self.articles)
                           or len(self.touched_verdicts) < len(self.verdicts))
        if self.path is None or not (self.dirty or stale):
            return
        key = cache_key()
        if key is None:
            return
        # written in pieces; one that cannot be is only slower
        with contextlib.suppress(OSError):
            write_atomic(self.path, _lines(self, key, self.path, prune), private=True)


# The file (version 9), one entry a line, so it is written and read a line at a time:
#   {"format":…,"version":9,"article_context":…,"verdict_context":…,"ledger_ok":…}
#   a<TAB>key<TAB>entry JSON                      (one per article entry)
#   v<TAB>key<TAB>since<TAB>until<TAB>verdict JSON (one per verdict)
#   mac<TAB>HMAC-SHA256 of the binding and every byte above
# JSON never holds a raw newline or tab (json.dumps escapes control characters).
_MAC = b"mac\t"
_BATCH = 1 << 16


def _stream_mac(key: bytes, path: Path) -> hmac.HMAC:
    h = hmac.new(key, digestmod=hashlib.sha256)
    binding = _binding(path)
    h.update(FORMAT.encode() + b"\0" + str(VERSION).encode() + b"\0")
    h.update(len(binding).to_bytes(8, "big"))
    h.update(binding)
    return h


def _encode(line: str) -> bytes:
    # a lone surrogate (a path git gave us undecodable) round-trips; never a crash
    return line.encode("utf-8", "surrogatepass")


def _entry_lines(cache: Cache, prune: bool) -> Iterator[str]:
    for k, text in cache.articles.items():
        if not prune or k in cache.touched_articles:
            yield f"a\t{k}\t{text}\n"
    for k, (since, until, status) in cache.verdicts.items():
        if not prune or k in cache.touched_verdicts:
            yield f"v\t{k}\t{since}\t{until}\t{status}\n"


def _lines(cache: Cache, key: bytes, path: Path, prune: bool) -> Iterator[bytes]:
    """The file's bytes in batches of about 64 KiB, the MAC last. Keys are hex digests
    (``article_key``, ``verdict_key``) and moments ``format_time`` text, so no field but
    the last (JSON, which escapes control characters) can hold a tab or a newline."""
    h = _stream_mac(key, path)
    head = json.dumps({"format": FORMAT, "version": VERSION,
                       "article_context": cache.article_context,
                       "verdict_context": cache.verdict_context,
                       "ledger_ok": cache.ledger_ok}, separators=(",", ":"))
    batch: list[bytes] = [_encode(head + "\n")]
    size = 0
    for line in _entry_lines(cache, prune):
        batch.append(_encode(line))
        size += len(batch[-1])
        if size >= _BATCH:
            chunk = b"".join(batch)
            h.update(chunk)
            yield chunk
            batch, size = [], 0
    chunk = b"".join(batch)
    h.update(chunk)
    yield chunk
    yield _MAC + h.hexdigest().encode() + b"\n"


class _Unusable(ValueError):
    """The file is not a cache this run may trust."""


def load_cache(path: Path | None, article_context: str, verdict_context: str) -> Cache:
    """The cache at ``path`` for these contexts; empty when absent, corrupt, forged or
    stale. Read a line at a time; nothing read is kept unless the MAC at the end matches."""
    cache = Cache(path, article_context, verdict_context)
    if path is None:
        return cache
    key = cache_key()
    if key is None:
        return cache
    try:
        articles: dict[str, str] = {}
        verdicts: dict[str, tuple[str, str, str]] = {}
        moments = cache.moments
        claimed = b""
        h = _stream_mac(key, path)
        with open(path, "rb") as fh:
            first = fh.readline()
            head = json.loads(first)
            h.update(first)
            if (not isinstance(head, dict) or head.get("format") != FORMAT
                    or head.get("version") != VERSION):
                return cache
            keep_articles = head.get("article_context") == article_context
            keep_verdicts = head.get("verdict_context") == verdict_context
            for raw in fh:
                if raw.startswith(_MAC):
                    claimed = raw[len(_MAC):]
                    if fh.read(1):
                        raise _Unusable("data after the MAC")
                    break
                h.update(raw)
                if not raw.endswith(b"\n"):
                    raise _Unusable("truncated")
                line = raw[:-1].decode("utf-8", "surrogatepass")
                kind, k, rest = line.split("\t", 2)
                if kind == "a":
                    if keep_articles:
                        articles[k] = rest
                elif kind == "v":
                    since, until, status = rest.split("\t", 2)
                    if keep_verdicts:
                        verdicts[k] = (moments.setdefault(since, since),
                                       moments.setdefault(until, until), status)
                else:
                    raise _Unusable("unknown entry")
        if not hmac.compare_digest(claimed, h.hexdigest().encode() + b"\n"):
            return cache
        cache.articles = articles
        if keep_verdicts:
            cache.verdicts = verdicts
            ledger_ok = head.get("ledger_ok")
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


# --- opening and saving: the library's, not the commands' -----------------------------------

def open_cache(project: Project, *, lint: bool = False) -> Cache:
    """The cache of this repository for the current schema, configuration and registry."""
    from reviewkit.record.config import CONFIG_FILE

    registry = project.read_trusted(project.config.registry)
    config = project.read_trusted(CONFIG_FILE)
    article_ctx, verdict_ctx = contexts(project.schema.sha256, project.config, registry, lint)
    if lint:  # the publication's word lists (every language's) change findings as the
        # configuration does
        from reviewkit.rules._words import packaged_digest

        article_ctx = digest_of(article_ctx, packaged_digest(),
                                *[part for pair in project.word_lists() for part in pair])
    verdict_ctx = digest_of(verdict_ctx, config or b"", project.trust_ref or "")
    return load_cache(cache_path(project.repo.git_dir, lint=lint), article_ctx, verdict_ctx)


@contextmanager
def project_cache(project: Project, *, lint: bool = False,
                  enabled: bool = True) -> Iterator[Cache | None]:
    """The project's cache for the length of a run (None when not ``enabled``), saved when
    the run completes; a run that fails leaves the file as it was."""
    cache = open_cache(project, lint=lint) if enabled else None
    yield cache
    if cache is not None:
        cache.save()


# --- article entries: git blob id (+ path, catalogue slugs) -> summary, findings, assets --------

def article_key(blob: str, rel: str, slug_key: str) -> str:
    """The key of an article entry: the path is part of it (the slug must match the file
    name); with the content rules on, so are the catalogue's slugs (internal links)."""
    extra = hashlib.sha256(f"{rel}\0{slug_key}".encode()).hexdigest()[:16]
    return f"{blob}:{extra}"


def article_entry(r: ArticleResult) -> dict[str, Any]:
    """What the cache keeps of a parsed article (not its body)."""
    s = r.summary.to_dict() if r.summary else None
    if s is not None:
        del s["path"]
    entry: dict[str, Any] = {"summary": s,
                             "findings": [[f.line, f.col, f.level, f.rule, f.message, f.suggestion]
                                          for f in r.findings],
                             "assets": [list(a) for a in r.asset_states]}
    if r.readability is not None:
        entry["readability"] = list(r.readability)
    return entry


def article_from_entry(rel: str, blob: str, entry: Any) -> ArticleResult | None:
    """An article result from its entry; None for a malformed entry (ignored, never trusted)."""
    from reviewkit.article.content import ArticleResult

    try:
        s = entry["summary"]
        summary = ArticleSummary.from_dict({**s, "blob": blob}, rel) if s is not None else None
        findings = [Finding(rel, int(f[0]), int(f[1]), f[2], str(f[3]), str(f[4]), f[5])
                    for f in entry["findings"]]
        grade = entry.get("readability")
        readability = (float(grade[0]), int(grade[1])) if grade is not None else None
        assets = [(str(t), str(h)) for t, h in entry.get("assets") or []]
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None
    return ArticleResult(rel, findings, summary=summary, blob=blob, readability=readability,
                         asset_states=assets)


# --- verdicts: (summary, findings, the article's event files) -> its status -----------------

# fields of a status that the article's summary already holds: not stored in the cache
_FROM_SUMMARY = ("path", "id", "title", "slug", "draft", "digest")


def verdict_key(cache: Cache, r: ArticleResult, errors: Sequence[str], ledger_missing: bool,
                events: Sequence[tuple[str, str]]) -> str:
    """The key of an article's verdict: its summary and errors, whether the events ref
    exists, and its event files' (name, blob id)."""
    # the repr of strings, numbers, booleans, None and tuples of them (an ArticleSummary is
    # a frozen dataclass of such fields) is unambiguous, and a fifth of the cost of
    # canonical JSON: a warm gate makes this key for every article
    text = repr((cache.verdict_context, r.path, r.summary, tuple(errors), ledger_missing,
                 tuple(events)))
    return hashlib.sha256(text.encode()).hexdigest()


def compact_verdict(st: ArticleStatus | CachedVerdict) -> str:
    """A verdict as the cache keeps it: compact JSON of the decision, without what the
    article's summary already says (strings, not dict trees: a tenth of the memory)."""
    d = {k: v for k, v in st.to_dict().items() if k not in _FROM_SUMMARY}
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


def restore_verdict(text: Any, r: ArticleResult) -> CachedVerdict | None:
    """The verdict kept for ``r``; None when absent or malformed (ignored, never trusted)."""
    if not isinstance(text, str):
        return None
    try:
        s = r.summary
        d = with_summary(json.loads(text), path=r.path, id=s.id if s else None,
                         title=s.title if s else None, slug=s.slug if s else None,
                         draft=s.draft if s else False, digest=s.digest if s else None)
        if not isinstance(d.get("draft"), bool):
            return CachedVerdict.from_dict(d)
        return CachedVerdict.from_dict(d, text)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
