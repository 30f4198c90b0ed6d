"""Where an event file lives on ``refs/reviewkit/events``.

Written as ``<shard>/<article>/<stamp>-<event>-<actor>-<nonce>.json``: ``<shard>`` is the
first two hex digits of the SHA-256 of the article id, so the root tree has at most 256
entries however many articles there are. Each append rewrites the root, one shard and one
article directory, and each commit of the history differs from its parent in those three
trees only; with one directory per article at the root (the first layout), both cost
a tree of N entries: ``approve`` rewrote it, and the append-only check read one per commit
(20 s for 30,000 events over 10,000 articles, against 1.6 s sharded; performance-notes.md).

One level of 256 shards suits catalogues up to about 100,000 articles: a shard then holds
about 400 article directories, and the check's cost per commit grows with that number (a
second level would keep it flat beyond, at a higher cost below).

Files written in the first layout, ``<article>/<stamp>-….json``, stay where they are: an
event once on the ref is never moved (that would be a removal) and is read in either place.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import hashlib


def shard(article: str) -> str:
    """The shard directory of ``article``'s events: two lowercase hex digits."""
    return hashlib.sha256(article.encode("utf-8", "surrogateescape")).hexdigest()[:2]


def event_path(article: str, file: str) -> str:
    """Where an event file named ``file`` of ``article`` is written."""
    return f"{shard(article)}/{article}/{file}"


def legacy_path(article: str, file: str) -> str:
    """Where the first layout wrote it (still read, never written)."""
    return f"{article}/{file}"


def article_dirs(article: str) -> tuple[str, str]:
    """The two directories that may hold ``article``'s events (pathspecs, ``/``-ended)."""
    return f"{shard(article)}/{article}/", f"{article}/"


def article_of(path: str) -> str:
    """The article directory an event file is in: the second part of a three-part path
    (sharded), else the first. Only a name; :func:`reviewkit.record.ledger.parse_event`
    checks that the file's content names this article and this very path."""
    parts = path.split("/")
    return parts[1] if len(parts) >= 3 else parts[0]
