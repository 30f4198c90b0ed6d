"""JSON Schema validation of front matter, with positions, and the schema's exempt marks.

Layer: article/ (may import base/ and rules/).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reviewkit.base.errors import ConfigError
from reviewkit.base.findings import Finding

EXEMPT_MARK = "x-review-exempt"


@dataclass
class ArticleSchema:
    """A compiled article schema: one validator, reused for every article."""

    source: str
    document: dict[str, Any]
    sha256: str
    # jsonschema-rs, when installed: decides "valid" in microseconds; jsonschema (the
    # reference) runs only for documents it does not accept, to report the errors
    fast: Any = field(default=None, repr=False)
    _validator: Any = field(default=None, repr=False)

    @property
    def validator(self) -> Any:
        """The jsonschema validator (the reference, which names every error), made on first
        use: a command whose articles all pass ``fast`` never imports jsonschema."""
        if self._validator is None:
            from jsonschema import validators

            base = validators.validator_for(self.document,
                                            default=validators.Draft202012Validator)
            self._validator = base(self.document, format_checker=base.FORMAT_CHECKER)
        return self._validator

    @functools.cached_property
    def exempt(self) -> frozenset[str]:
        """Top-level fields whose ``x-review-exempt`` is true: left out of the digest
        (computed once: every article's digest asks)."""
        props = self.document.get("properties", {})
        return frozenset(
            k for k, v in props.items() if isinstance(v, Mapping) and v.get(EXEMPT_MARK) is True
        )

    @property
    def rememberable(self) -> bool:
        """Whether "these bytes passed ``compile_schema``" may be remembered and handed back
        as ``checked``: a 2020-12 schema with a jsonschema-rs validator (the fast path)."""
        return self.fast is not None


DIALECT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def compile_schema(data: bytes, source: str, *, checked: bool = False) -> ArticleSchema:
    """Parse and compile a JSON Schema (2020-12 unless it names another dialect).

    ``checked``: the caller vouches (an authenticated record, ``record/cache.py``) that these
    very bytes passed this function before with a fast validator (``rememberable``). Then
    jsonschema's check of the schema against its meta-schema is not repeated and jsonschema
    is not imported until an article fails the fast validator (import time of one-article
    commands). Anything else takes the full path."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{source}: not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{source}: a schema must be a JSON object")
    sha = hashlib.sha256(data).hexdigest()
    if checked and doc.get("$schema", DIALECT_2020_12) == DIALECT_2020_12:
        fast = _rs_validator(doc)
        if fast is not None:
            return ArticleSchema(source, doc, sha, fast)
    from jsonschema import exceptions, validators

    base = validators.validator_for(doc, default=validators.Draft202012Validator)
    try:
        base.check_schema(doc)
    except exceptions.SchemaError as exc:
        raise ConfigError(f"{source}: not a valid JSON Schema: {exc.message}") from None
    validator = base(doc, format_checker=base.FORMAT_CHECKER)
    fast = _rs_validator(doc) if base is validators.Draft202012Validator else None
    return ArticleSchema(source, doc, sha, fast, validator)


def _rs_validator(doc: dict[str, Any]) -> Any:
    """A jsonschema-rs validator for a 2020-12 schema, checking formats, or None.

    Used only to say "valid": a document it accepts must be one jsonschema accepts, which
    the property tests check (Rust regexes and its format checks are, if anything,
    stricter: ``$`` does not match before a final newline, ``email`` is checked fully).
    """
    try:
        import jsonschema_rs

        return jsonschema_rs.validator_for(doc, validate_formats=True)
    except Exception:  # not installed, or a schema it cannot compile: jsonschema alone
        return None


def _value_advice(err: Any) -> str:
    """How to write the value the schema wanted, for the usual YAML slips."""
    want = err.validator_value
    if err.validator == "format" and want in ("date", "date-time"):
        return " — write dates as YYYY-MM-DD, e.g. 2026-11-20"
    if err.validator == "type" and (want == "boolean" or (isinstance(want, list) and "boolean" in want)):
        return " — write true or false (not yes/no or on/off)"
    if err.validator == "type" and want == "string" and isinstance(err.instance, (dt.date, bool, int, float)):
        return ' — quote it to keep it text, e.g. "…"'
    return ""


def _rule(validator: str) -> str:
    out = "".join("-" + c.lower() if c.isupper() else c for c in validator)
    return "schema-" + out


def locate(node: Any, path: list[str | int], key: bool) -> tuple[int, int] | None:
    """(line, column), 0-based, of the key or value at ``path`` in a round-trip YAML tree
    (of its deepest existing parent when ``path`` goes further)."""
    pos: tuple[int, int] | None = None
    for i, part in enumerate(path):
        last = i == len(path) - 1
        try:
            if isinstance(part, str) and isinstance(node, Mapping) and part in node:
                lc = node.lc.key(part) if (key and last) else node.lc.value(part)  # type: ignore[attr-defined]
                node = node[part]
            elif isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
                lc = node.lc.item(part)  # type: ignore[attr-defined]
                node = node[part]
            else:
                break
            pos = (int(lc[0]), int(lc[1]))
        except (AttributeError, KeyError, TypeError, IndexError):
            break
    return pos


def locate_value(yaml_text: str, yaml_line: int, path: list[str | int]) -> tuple[int, int]:
    """File line and column of the value at ``path`` in the front matter (1, 1 if unknown)."""
    from reviewkit.article.frontmatter import load_roundtrip

    try:
        pos = locate(load_roundtrip(yaml_text), path, False)
    except Exception:
        pos = None
    return (pos[0] + yaml_line, pos[1] + 1) if pos is not None else (1, 1)


def validate(
    schema: ArticleSchema, data: Any, *, path: str, yaml_text: str, yaml_line: int
) -> list[Finding]:
    """Every schema error of one document, each at the line and column of its key or value."""
    if schema.fast is not None:
        try:
            if schema.fast.is_valid(data):
                return []
        except Exception:  # a value it cannot take (a lone surrogate, a huge int): ask jsonschema
            pass
    errors = list(schema.validator.iter_errors(data))
    if not errors:
        return []
    from reviewkit.article.frontmatter import load_roundtrip

    try:
        node = load_roundtrip(yaml_text)
    except Exception:
        node = None
    findings: list[Finding] = []

    def at(p: list[str | int], *, key: bool = False) -> tuple[int, int]:
        pos = locate(node, p, key) if node is not None else None
        if pos is None:
            return (1, 1)
        return (pos[0] + yaml_line, pos[1] + 1)

    for err in errors:
        where = list(err.absolute_path)
        rule = _rule(str(err.validator))
        field_name = ".".join(str(p) for p in where) or "front matter"
        if err.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(
            err.instance, Mapping
        ):
            known = set(err.schema.get("properties", {}))
            patterns = [re.compile(p) for p in err.schema.get("patternProperties", {})]
            extras = [
                k for k in err.instance
                if k not in known and not any(p.search(k) for p in patterns)
            ]
            for k in extras or [None]:
                if k is None:
                    line, col = at(where)
                    findings.append(Finding(path, line, col, "error", rule, err.message))
                    continue
                line, col = at([*where, k], key=True)
                import difflib  # only to suggest a name

                near = difflib.get_close_matches(str(k), sorted(known), n=1, cutoff=0.6)
                hint = (f" (not in the schema: did you mean `{near[0]}`?)" if near
                        else " (not in the schema; check the spelling)")
                findings.append(
                    Finding(path, line, col, "error", "schema-unknown-field",
                            f"unknown field '{'.'.join(str(p) for p in [*where, k])}'{hint}")
                )
            continue
        if err.validator == "required":
            line, col = at(where) if where else (1, 1)
            missing = str(err.message).split("'")[1] if "'" in err.message else err.message
            prefix = f"{field_name}: " if where else ""
            findings.append(
                Finding(path, line, col, "error", rule, f"{prefix}missing required field '{missing}'")
            )
            continue
        line, col = at(where)
        findings.append(Finding(path, line, col, "error", rule,
                                f"{field_name}: {err.message}{_value_advice(err)}"))
    return sorted(findings)
