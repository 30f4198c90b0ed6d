"""The reference YAML loader the fast :func:`reviewkit.article.frontmatter.load_yaml` is tested
against: the plain ruamel.yaml safe load, then a walk to JSON values (slower: it composes
nodes first). Test-only; it was a production module's dead weight."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reviewkit.article.frontmatter import (
    JSON,
    MAX_DEPTH,
    MAX_NODES,
    FrontMatterError,
    _json_scalar,
    _parser_error,
    _safe_loader,
)


def load_yaml_reference(text: str, line_offset: int = 1) -> JSON:
    """The plain ruamel.yaml safe load + :func:`to_json`: the reference ``load_yaml``
    is tested against (slower: it composes nodes first)."""
    try:
        data = _safe_loader().load(text)
    except Exception as exc:
        raise _parser_error(exc, line_offset) from None
    try:
        return to_json(data, line_offset)
    except FrontMatterError as exc:
        if exc.rule == "yaml-alias":
            exc.line, exc.col = _first_alias(text, line_offset)
        raise


def _first_alias(text: str, line_offset: int) -> tuple[int, int]:
    """Where the first alias (``*name``) is, for the message."""
    from ruamel.yaml.events import AliasEvent

    try:
        for event in _safe_loader().parse(text):
            if isinstance(event, AliasEvent) and event.start_mark is not None:
                return event.start_mark.line + line_offset, event.start_mark.column + 1
    except Exception:
        pass
    return line_offset, 1


def to_json(data: Any, line_offset: int = 1) -> JSON:
    """Plain JSON values from a safe-loaded document; refuses what JSON cannot say.

    Dates become ISO strings, as in the digest. A collection reached twice is an alias:
    refused, so an alias bomb never expands.
    """
    seen: set[int] = set()
    count = 0

    def fail(rule: str, msg: str) -> FrontMatterError:
        return FrontMatterError(rule, msg, line_offset, 1)

    def walk(value: Any, depth: int, where: str) -> JSON:
        nonlocal count
        count += 1
        if count > MAX_NODES:
            raise fail("yaml-size", f"front matter has more than {MAX_NODES:,} values")
        if depth > MAX_DEPTH:
            raise fail("yaml-depth", f"front matter is nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
            return value
        if isinstance(value, (float, dt.date)):
            try:
                return _json_scalar(value)
            except ValueError as exc:
                raise fail("yaml-type", f"{where}: {exc}") from None
        if isinstance(value, (dict, list)):
            if id(value) in seen:
                raise fail("yaml-alias", f"{where}: YAML anchors and aliases are not allowed")
            seen.add(id(value))
            if isinstance(value, list):
                return [walk(v, depth + 1, f"{where}[{i}]") for i, v in enumerate(value)]
            out: dict[str, JSON] = {}
            for k, v in value.items():
                if not isinstance(k, str):
                    raise fail("yaml-type", f"{where}: key {k!r} is not a string")
                out[k] = walk(v, depth + 1, f"{where}.{k}" if where else k)
            return out
        raise fail("yaml-type", f"{where or 'value'}: YAML type {type(value).__name__} is not allowed")

    return walk(data, 0, "")
