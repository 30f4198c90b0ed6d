"""What every rule shares: its raw finding and the per-article context."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol

from reviewkit.rules._doc import Document


class Raw(NamedTuple):
    """A finding before the linter adds path, level and the body offset."""

    line: int  # 0-based line of the body
    col: int  # 1-based
    message: str
    suggestion: str | None = None
    # None: the rule's configured level; else this finding's own (a word-list entry's
    # level, or a softer level for drafts); "off" drops the finding
    level: Literal["error", "warning", "info", "off"] | None = None


@dataclass(frozen=True, slots=True)
class Context:
    front_matter: Mapping[str, Any]
    path: str
    known_slugs: frozenset[str]
    body_line: int = 1  # file line of the body's first line


class Rule(Protocol):
    id: str

    def check(self, doc: Document, ctx: Context) -> Iterable[Raw]: ...
