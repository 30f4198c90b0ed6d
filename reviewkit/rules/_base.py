"""What every rule shares: its raw finding and the per-article context."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
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


class LazySlugs(Collection[str]):
    """The catalogue's article names, read on first use: listing them is one git process
    and, at 100,000 articles, about half a second, while most articles link to none."""

    def __init__(self, load: Callable[[], Collection[str]]) -> None:
        self._load = load
        self._names: frozenset[str] | None = None

    def _get(self) -> frozenset[str]:
        if self._names is None:
            self._names = frozenset(self._load())
        return self._names

    def __contains__(self, name: object) -> bool:
        return name in self._get()

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def slug_names(known: Collection[str]) -> Collection[str]:
    """``known`` as the rules keep it: a LazySlugs as it is (not read), else a frozenset."""
    return known if isinstance(known, LazySlugs) else frozenset(known)


@dataclass(frozen=True, slots=True)
class Context:
    front_matter: Mapping[str, Any]
    path: str
    known_slugs: Collection[str]  # a frozenset, or LazySlugs
    body_line: int = 1  # file line of the body's first line


class Rule(Protocol):
    id: str

    def check(self, doc: Document, ctx: Context) -> Iterable[Raw]: ...
