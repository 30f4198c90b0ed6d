"""Loading reviewkit.yaml and reviewers.yaml, with errors that name file, line and field.

Layer: record/ (may import base/, rules/, article/).
"""

from __future__ import annotations

from typing import Any, TypeVar

from reviewkit.article.frontmatter import FrontMatterError, decode, load_roundtrip, load_yaml
from reviewkit.base.errors import ConfigError
from reviewkit.base.findings import Finding
from reviewkit.base.model import Config, Registry
from reviewkit.base.structs import Model, ValidationError

CONFIG_FILE = "reviewkit.yaml"
REGISTRY_FILE = "reviewers.yaml"

M = TypeVar("M", bound=Model)


def _parse(data: bytes, source: str) -> Any:
    try:
        return load_yaml(decode(data), 1)
    except FrontMatterError as exc:
        raise ConfigError(f"{source}:{exc.line}:{exc.col}: {exc.message}") from None


def _model(model: type[M], value: Any, source: str, data: bytes | None = None) -> M:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        findings = _validation_findings(exc, model, source, data)
        first = findings[0]
        more = (f"; and {len(findings) - 1} more: run 'reviewkit validate' to list them all"
                if len(findings) > 1 else "")
        raise ConfigError(f"{source}:{first.line}:{first.col}: {first.message}{more}",
                          findings=findings) from None


def _validation_findings(exc: ValidationError, model: type[Model], source: str,
                         data: bytes | None) -> list[Finding]:
    """Every error of a model validation, each at its line and column in the YAML."""
    import difflib

    from reviewkit.article.schema import locate

    node = None
    if data is not None:
        try:
            node = load_roundtrip(decode(data))
        except Exception:  # positions are a courtesy; the errors are reported regardless
            node = None
    out = []
    for err in exc.errors():
        loc = [p for p in err["loc"]]
        where = ".".join(str(p) for p in loc) or "top level"
        pos = locate(node, loc, err["type"] == "extra_forbidden") if node is not None else None
        line, col = (pos[0] + 1, pos[1] + 1) if pos else (1, 1)
        msg = f"{where}: {err['msg']}"
        known = _fields_at(model, loc[:-1]) if err["type"] == "extra_forbidden" else []
        near = difflib.get_close_matches(str(loc[-1]), known, n=1) if known else []
        if near:
            msg += f" (did you mean `{near[0]}`?)"
        out.append(Finding(source, line, col, "error", "config", msg))
    return out


def _fields_at(model: type[Model], loc: list[Any]) -> list[str]:
    """The field names (as written: aliases) of the model found at ``loc`` under ``model``
    (``["policy"]``: Policy's); list indexes and mapping keys are stepped over."""
    import typing

    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if isinstance(current, type) and issubclass(
            current, Model) else None
        if info is None:
            return []
        tp = info.annotation
        while typing.get_origin(tp) is not None:  # list[X], X | None, dict[str, X]
            args = [a for a in typing.get_args(tp) if typing.get_origin(a) is None
                    and isinstance(a, type) and issubclass(a, Model)]
            if not args:
                break
            tp = args[0]
        current = tp
    if not (isinstance(current, type) and issubclass(current, Model)):
        return []
    return sorted(f.alias or n for n, f in current.model_fields.items())


def registry_findings(data: bytes, source: str = REGISTRY_FILE) -> list[Finding]:
    """Every problem of a reviewers.yaml, each with its position (``validate`` lists them)."""
    from reviewkit.article.schema import locate

    try:
        value = _parse(data, source)
    except ConfigError as exc:
        parts = exc.message.split(":", 3)
        try:
            return [Finding(source, int(parts[1]), int(parts[2]), "error", "config",
                            parts[3].strip())]
        except (IndexError, ValueError):
            return [Finding(source, 1, 1, "error", "config", exc.message)]
    if value is None:
        value = {}
    if not isinstance(value, dict):
        return [Finding(source, 1, 1, "error", "config",
                        "must be a mapping with a 'reviewers' list")]
    try:
        registry = Registry.model_validate(value)
    except ValidationError as exc:
        return sorted(_validation_findings(exc, Registry, source, data))
    node = load_roundtrip(decode(data))
    out = []
    seen: set[str] = set()
    for i, r in enumerate(registry.reviewers):
        pos = locate(node, ["reviewers", i, "id"], False) or (0, 0)
        if r.id in seen:
            out.append(Finding(source, pos[0] + 1, pos[1] + 1, "error", "config",
                               f"reviewer id '{r.id}' is listed twice"))
        seen.add(r.id)
        for j, k in enumerate(r.keys):
            from reviewkit.record.signing import parse_public_key

            try:
                parse_public_key(k.key)
            except ValueError as exc:
                kpos = locate(node, ["reviewers", i, "keys", j], False) or pos
                out.append(Finding(source, kpos[0] + 1, kpos[1] + 1, "error", "config",
                                   f"reviewer '{r.id}': bad public key: {exc}"))
    for i, j, message in _shared_keys(registry):
        kpos = locate(node, ["reviewers", i, "keys", j], False) or (0, 0)
        out.append(Finding(source, kpos[0] + 1, kpos[1] + 1, "error", "config", message))
    return sorted(out)


def _shared_keys(registry: Registry) -> list[tuple[int, int, str]]:
    """(reviewer index, key index, message) of each key also registered for an earlier
    reviewer: whoever holds it could sign as both, and two people's approvals
    (``approvals_required``) would be one person's."""
    from reviewkit.record.signing import fingerprint, parse_public_key

    owner: dict[bytes, str] = {}
    out = []
    for i, r in enumerate(registry.reviewers):
        for j, k in enumerate(r.keys):
            try:
                blob = parse_public_key(k.key)[1]
            except ValueError:
                continue  # reported as a bad public key
            first = owner.setdefault(blob, r.id)
            if first != r.id:
                out.append((i, j, f"key {fingerprint(k.key)} of '{r.id}' is also registered "
                                  f"for '{first}': each person signs with their own key"))
    return out


def parse_config(data: bytes, source: str = CONFIG_FILE) -> Config:
    """reviewkit.yaml from its bytes. An empty file means all defaults."""
    value = _parse(data, source)
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: must be a mapping of settings")
    return _model(Config, value, source, data)


def parse_registry(data: bytes, source: str = REGISTRY_FILE) -> Registry:
    """reviewers.yaml from its bytes; ids must be unique and keys well-formed."""
    value = _parse(data, source)
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: must be a mapping with a 'reviewers' list")
    registry = _model(Registry, value, source, data)
    seen: set[str] = set()
    for r in registry.reviewers:
        if r.id in seen:
            raise ConfigError(f"{source}: reviewer id '{r.id}' is listed twice")
        seen.add(r.id)
        for k in r.keys:
            from reviewkit.record.signing import parse_public_key

            try:
                parse_public_key(k.key)
            except ValueError as exc:
                raise ConfigError(f"{source}: reviewer '{r.id}': bad public key: {exc}") from None
    shared = _shared_keys(registry)
    if shared:
        raise ConfigError(f"{source}: {shared[0][2]}")
    return registry
