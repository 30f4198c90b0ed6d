"""Rendering reports for people and machines. Returns strings; the CLI prints them."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Literal

from reviewkit.findings import Finding
from reviewkit.printable import UNSAFE, one_line, printable

Format = Literal["text", "json", "github"]


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github_annotation(level: str, message: str, *, path: str | None = None, line: int = 0,
                      col: int = 0, title: str | None = None) -> str:
    """One GitHub Actions workflow command (``::error file=…,line=…::message``).

    Always one line: line feeds and carriage returns are %-encoded, so no text can start
    another workflow command (``::set-output``, ``::add-mask``…); control characters show
    as escapes.
    """
    message = printable(message)
    path = one_line(path) if path else path
    title = one_line(title) if title else title
    kind = {"error": "error", "warning": "warning"}.get(level, "notice")
    props = []
    if path:
        props.append(f"file={_gh_escape(path, True)}")
    if line:
        props.append(f"line={line}")
    if col:
        props.append(f"col={col}")
    if title:
        props.append(f"title={_gh_escape(title, True)}")
    head = f"::{kind} {','.join(props)}" if props else f"::{kind}"
    return f"{head}::{_gh_escape(message)}"


def summary_line(findings: Sequence[Finding], files: int) -> str:
    errors = sum(1 for f in findings if f.level == "error")
    warnings = sum(1 for f in findings if f.level == "warning")
    noun = "file" if files == 1 else "files"
    if not errors and not warnings:
        return f"{files} {noun} checked: no problems found"
    return f"{files} {noun} checked: {errors} error{'s' if errors != 1 else ''}, " \
           f"{warnings} warning{'s' if warnings != 1 else ''}"


def render_findings(findings: Sequence[Finding], files: int, fmt: Format) -> str:
    if fmt == "json":
        doc: dict[str, Any] = {
            "files": files,
            "errors": sum(1 for f in findings if f.level == "error"),
            "warnings": sum(1 for f in findings if f.level == "warning"),
            "findings": [f.to_dict() for f in findings],
        }
        return json_text(doc)
    if fmt == "github":
        lines = [
            github_annotation(f.level, f.message + (f" (suggestion: {f.suggestion})" if f.suggestion else ""),
                              path=f.path, line=f.line, col=f.col, title=f.rule)
            for f in findings
        ]
        lines.append(summary_line(findings, files))
        return "\n".join(lines)
    lines = [f.format() for f in findings]
    lines.append(summary_line(findings, files))
    return "\n".join(lines)


def _u_escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def json_text(value: Any, **kw: Any) -> str:
    """Indented JSON, UTF-8 text kept, faithful to the data; the control characters JSON
    leaves raw (DEL, C1 such as U+009B CSI, line separators, bidi controls) as ``\\uXXXX``
    escapes, which mean the same to a JSON reader and nothing to a terminal."""
    text = json.dumps(value, indent=2, ensure_ascii=False, **kw)
    return UNSAFE.sub(_u_escape, text)


def to_json(value: Any) -> str:
    return json_text(value, default=str)
