"""Loading reviewkit.yaml and reviewers.yaml, with errors that name file, line and field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reviewkit.errors import ConfigError
from reviewkit.frontmatter import FrontMatterError, decode, load_yaml
from reviewkit.model import Config, Registry

CONFIG_FILE = "reviewkit.yaml"
REGISTRY_FILE = "reviewers.yaml"

M = TypeVar("M", bound=BaseModel)


def _parse(data: bytes, source: str) -> Any:
    try:
        return load_yaml(decode(data), 1)
    except FrontMatterError as exc:
        raise ConfigError(f"{source}:{exc.line}:{exc.col}: {exc.message}") from None


def _model(model: type[M], value: Any, source: str) -> M:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "top level"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{source}: {where}: {err['msg']}{more}") from None


def parse_config(data: bytes, source: str = CONFIG_FILE) -> Config:
    """reviewkit.yaml from its bytes. An empty file means all defaults."""
    value = _parse(data, source)
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: must be a mapping of settings")
    return _model(Config, value, source)


def parse_registry(data: bytes, source: str = REGISTRY_FILE) -> Registry:
    """reviewers.yaml from its bytes; ids must be unique and keys well-formed."""
    value = _parse(data, source)
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: must be a mapping with a 'reviewers' list")
    registry = _model(Registry, value, source)
    seen: set[str] = set()
    for r in registry.reviewers:
        if r.id in seen:
            raise ConfigError(f"{source}: reviewer id '{r.id}' is listed twice")
        seen.add(r.id)
        for k in r.keys:
            from reviewkit.signing import parse_public_key

            try:
                parse_public_key(k.key)
            except ValueError as exc:
                raise ConfigError(f"{source}: reviewer '{r.id}': bad public key: {exc}") from None
    return registry
