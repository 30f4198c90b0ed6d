"""The content digest: what a clinical sign-off covers (docs/digest.md).

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

PREFIX = "sha256:"
V2_HEADER = b"reviewkit-digest-v2\n"  # v1's canonical form starts with '{': never this


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 (no ASCII escaping). Values must be plain JSON."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def content_digest(front_matter: Mapping[str, Any], body: str, exempt: Collection[str],
                   assets: Sequence[tuple[str, str]] = ()) -> str:
    """``sha256:<hex>`` over canonical front matter minus ``exempt`` top-level keys, ``\\n``, body.

    ``front_matter`` holds plain JSON values (dates already ISO strings, see
    :func:`reviewkit.article.frontmatter.load_yaml`); ``body`` has its CRLF turned into LF here.

    ``assets`` — (repository path, SHA-256 hex) of each local file the body shows or
    links — makes it a version 2 digest (docs/digest.md): the header
    ``reviewkit-digest-v2\\n``, then canonical JSON of ``{"assets": [{"path", "sha256"}…],
    "front_matter": …}``, ``\\n``, body. Without assets the digest is version 1, as before.
    """
    covered = {k: v for k, v in front_matter.items() if k not in exempt}
    if assets:
        listed = [{"path": p, "sha256": s} for p, s in sorted(set(assets))]
        h = hashlib.sha256(V2_HEADER)
        h.update(canonical_json({"assets": listed, "front_matter": covered}))
    else:
        h = hashlib.sha256(canonical_json(covered))
    h.update(b"\n")
    h.update(body.replace("\r\n", "\n").encode("utf-8"))
    return PREFIX + h.hexdigest()


def short(digest: str) -> str:
    """``sha256:ab12cd34`` — the first 8 hex digits, for people."""
    return digest[: len(PREFIX) + 8]
