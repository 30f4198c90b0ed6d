"""Rendering reports for people and machines. Returns strings; the CLI prints them.

Layer: outputs/ (may import base/, rules/, article/, record/, review/).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Sequence
from typing import Any, Literal
from urllib.parse import quote

from reviewkit.base.findings import Finding
from reviewkit.base.printable import UNSAFE, one_line, printable

Format = Literal["text", "json", "github", "sarif", "gitlab"]

# Text output for people is lines of spans ``(kind, text)``. The kind says what a span is
# ("error", "approved", "hint", ...; "" for plain text), never how it looks: the CLI maps
# kinds to colours, so colour does not depend on the wording. :func:`plain` drops the kinds.
Span = tuple[str, str]
Line = list[Span]


def plain(lines: Sequence[Line]) -> str:
    """Text lines without their kinds, joined by line feeds."""
    return "\n".join("".join(text for _, text in line) for line in lines)

# GitHub shows at most this many annotations of each kind per step (and 50 per job).
GITHUB_LIMITS = {"error": 10, "warning": 10, "notice": 10}
# A finding that is about the repository rather than one file is reported on this file.
REPOSITORY_PATH = "reviewkit.yaml"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_RULES = "docs/rules.md"


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


def capped_annotations(items: Sequence[tuple[str, str | None, str]], *,
                       first: Collection[str] = (), more: str = "see the job summary") -> list[str]:
    """GitHub annotations within the per-step limits, the change's own first.

    ``items`` are ``(kind, path, annotation)`` with kind error|warning|notice; those whose
    path is in ``first`` come first (otherwise in the given order). When some do not fit,
    the last annotation is a notice saying how many more there are and ``more`` (where).
    """
    ordered = sorted(items, key=lambda it: it[1] not in first)  # stable: own first
    counts: dict[str, int] = {}
    for kind, _, _ in ordered:
        counts[kind] = counts.get(kind, 0) + 1
    overflow = any(n > GITHUB_LIMITS.get(k, 10) for k, n in counts.items())
    limits = dict(GITHUB_LIMITS)
    if overflow:
        limits["notice"] -= 1  # room for the "N more" note
    shown: list[str] = []
    used: dict[str, int] = {}
    for kind, _, line in ordered:
        if used.get(kind, 0) < limits.get(kind, 10):
            used[kind] = used.get(kind, 0) + 1
            shown.append(line)
    hidden = len(ordered) - len(shown)
    if hidden:
        shown.append(github_annotation(
            "notice", f"{hidden} more finding{'s' if hidden != 1 else ''} not annotated "
            f"(GitHub shows at most {GITHUB_LIMITS['error']} errors and "
            f"{GITHUB_LIMITS['warning']} warnings per step): {more}",
            title="reviewkit"))
    return shown


def finding_annotation(f: Finding) -> tuple[str, str | None, str]:
    """A finding as ``(kind, path, annotation)`` for :func:`capped_annotations`."""
    kind = {"error": "error", "warning": "warning"}.get(f.level, "notice")
    message = f.message + (f" (suggestion: {f.suggestion})" if f.suggestion else "")
    return kind, f.path, github_annotation(f.level, message, path=f.path or None,
                                           line=f.line, col=f.col, title=f.rule)


def summary_line(findings: Sequence[Finding], files: int) -> str:
    errors = sum(1 for f in findings if f.level == "error")
    warnings = sum(1 for f in findings if f.level == "warning")
    notes = sum(1 for f in findings if f.level == "info")
    noun = "file" if files == 1 else "files"
    # info findings (e.g. a draft's unfinished parts) are a to-do list, not problems
    tail = f" ({notes} note{'s' if notes != 1 else ''})" if notes else ""
    if not errors and not warnings:
        return f"{files} {noun} checked: no problems found{tail}"
    return f"{files} {noun} checked: {errors} error{'s' if errors != 1 else ''}, " \
           f"{warnings} warning{'s' if warnings != 1 else ''}{tail}"


def render_findings(findings: Sequence[Finding], files: int, fmt: Format, *,
                    first: Collection[str] = (), more: str = "see the job summary") -> str:
    if fmt == "json":
        doc: dict[str, Any] = {
            "files": files,
            "errors": sum(1 for f in findings if f.level == "error"),
            "warnings": sum(1 for f in findings if f.level == "warning"),
            "findings": [f.to_dict() for f in findings],
        }
        return json_text(doc)
    if fmt == "sarif":
        return sarif_log(findings)
    if fmt == "gitlab":
        return gitlab_report(findings)
    if fmt == "github":
        lines = capped_annotations([finding_annotation(f) for f in findings], first=first,
                                   more=more)
        lines.append(summary_line(findings, files))
        return "\n".join(lines)
    return plain(findings_lines(findings, files))


def findings_lines(findings: Sequence[Finding], files: int) -> list[Line]:
    """``path:line:col: level[rule]: message`` per finding (the level marked), then the
    summary line."""
    out: list[Line] = []
    for f in findings:
        where, level, rest = f.parts()
        out.append([("", where), (level, level), ("", rest)])
    out.append([("", summary_line(findings, files))])
    return out


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


# --- SARIF 2.1.0 and GitLab Code Quality ------------------------------------------------------

# (rule id or id prefix, heading anchor in docs/rules.md, help text)
_RULE_DOCS: tuple[tuple[str, str, str], ...] = (
    ("suppression", "suppressing-a-finding",
     "A suppression comment without a reason, for an unknown rule, or malformed."),
    ("front-matter", "front-matter-and-file-checks",
     "The file must start with YAML front matter between '---' lines, as a mapping of fields."),
    ("yaml-", "front-matter-and-file-checks",
     "The front matter must be plain YAML: no duplicate keys, tags, anchors or aliases, "
     "within the size and depth limits."),
    ("schema-", "front-matter-and-file-checks",
     "The front matter must match the article schema (schemas/article.schema.json)."),
    ("slug-mismatch", "front-matter-and-file-checks",
     "The front matter's slug must match the file name (rename the file or set the slug)."),
    ("duplicate-id", "front-matter-and-file-checks",
     "Two articles claim the same id; every article needs its own."),
    ("rule-language", "languages",
     "Content rules skipped for articles in a language that has no word list (info)."),
    ("translation", "front-matter-and-file-checks",
     "A translation's lang, translation_of or source_digest is missing, malformed, or names "
     "no source, a translation, or a source in the same language (docs/guide/translations.md)."),
    ("unreadable", "front-matter-and-file-checks",
     "The file could not be read (permissions, encoding, size)."),
    ("content-root", "front-matter-and-file-checks",
     "A content directory named in reviewkit.yaml is missing."),
    ("symlink", "front-matter-and-file-checks",
     "Articles must be regular files, not symbolic links."),
    ("gate-repository", "gate-results",
     "The review record could not be verified (events ref missing, unreadable or rewritten): "
     "the gate fails closed."),
    ("gate-note", "gate-results", "Information from the gate, e.g. a change to a trusted file."),
    ("gate-unapproved", "gate-results",
     "A published (non-draft) article was never submitted or approved."),
    ("gate-in-review", "gate-results", "Submitted for clinical review, not yet approved."),
    ("gate-changes-requested", "gate-results",
     "A clinical reviewer requested changes to this version."),
    ("gate-stale", "gate-results",
     "An earlier version was approved; the current content was not."),
    ("gate-expired", "gate-results",
     "The approval is older than the policy's max_age_days: periodic re-review is due."),
    ("gate-source-changed", "gate-results",
     "A translation whose source was approved again since it was made (or whose source "
     "version is not approved), withdrawn by policy.translations.source_changed."),
    ("gate-invalid", "gate-results",
     "The front matter does not validate, so the article cannot be approved."),
)


def rule_doc(rule: str) -> tuple[str, str]:
    """(anchor in docs/rules.md, help text) for a rule id."""
    from reviewkit.rules import RULE_IDS

    if rule in RULE_IDS:
        import importlib

        module = importlib.import_module(
            "reviewkit.rules." + rule.replace("-", "_"))
        doc = (module.__doc__ or rule).strip().splitlines()[0]
        return rule, doc.split(": ", 1)[-1]
    for prefix, anchor, text in _RULE_DOCS:
        if rule == prefix or (prefix.endswith("-") and rule.startswith(prefix)):
            return anchor, text
    return "", f"reviewkit rule {rule}."


def _docs_url() -> str | None:
    """The project's documentation URL from the package metadata, if it names one."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("reviewkit").get_all("Project-URL") or []
    except PackageNotFoundError:  # running from a source tree
        return None
    for entry in urls:
        label, _, url = entry.partition(", ")
        if label.strip().lower() in ("documentation", "docs") and url.startswith("https://"):
            return str(url).rstrip("/") + "/"
    return None


_SARIF_LEVEL = {"error": "error", "warning": "warning"}


def sarif_log(findings: Sequence[Finding]) -> str:
    """A SARIF 2.1.0 log: one run, one rule per rule id (help and docs link), one result
    per finding with its file, line and column."""
    from reviewkit import __version__

    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    docs = _docs_url()
    results: list[dict[str, Any]] = []
    for f in findings:
        if f.rule not in index:
            anchor, text = rule_doc(f.rule)
            link = f"{DOCS_RULES}#{anchor}" if anchor else DOCS_RULES
            rule: dict[str, Any] = {
                "id": f.rule,
                "shortDescription": {"text": text},
                "help": {"text": f"{text} See {link}.",
                         "markdown": f"{text} See [{link}]({link})."},
                "defaultConfiguration": {"level": _SARIF_LEVEL.get(f.level, "note")},
            }
            if docs:
                rule["helpUri"] = docs + link.removeprefix("docs/")
            index[f.rule] = len(rules)
            rules.append(rule)
        region: dict[str, int] = {"startLine": max(f.line, 1)}
        if f.col:
            region["startColumn"] = f.col
        message = f.message + (f" (suggestion: {f.suggestion})" if f.suggestion else "")
        results.append({
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _SARIF_LEVEL.get(f.level, "note"),
            "message": {"text": message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": quote(f.path or REPOSITORY_PATH, safe="/"),
                                     "uriBaseId": "%SRCROOT%"},
                "region": region,
            }}],
            "partialFingerprints": {"reviewkit/v1": _fingerprint(f)},
        })
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "reviewkit", "version": __version__,
                                "semanticVersion": __version__, "rules": rules}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json_text(log)


def _fingerprint(f: Finding) -> str:
    """Stable across runs and unrelated edits: the rule, the file and the message (not the
    line, which moves when text is added above). A gate finding is one per article and
    state, and its message carries digests and dates that change: rule and file only."""
    message = "" if f.rule.startswith("gate-") else f.message
    return hashlib.sha256(f"{f.rule}\0{f.path}\0{message}".encode()).hexdigest()


_GITLAB_SEVERITY = {"error": "major", "warning": "minor"}


def gitlab_report(findings: Sequence[Finding]) -> str:
    """A GitLab Code Quality report: a JSON array, one entry per finding."""
    entries = []
    seen: dict[str, int] = {}
    for f in findings:
        base = _fingerprint(f)
        # the same message twice in one file stays two entries with distinct fingerprints
        n = seen.get(base, 0)
        seen[base] = n + 1
        fingerprint = base if n == 0 else hashlib.sha256(f"{base}\0{n}".encode()).hexdigest()
        message = f.message + (f" (suggestion: {f.suggestion})" if f.suggestion else "")
        entries.append({
            "description": message,
            "check_name": f.rule,
            "fingerprint": fingerprint,
            "severity": _GITLAB_SEVERITY.get(f.level, "info"),
            "location": {"path": f.path or REPOSITORY_PATH,
                         "lines": {"begin": max(f.line, 1)}},
        })
    return json_text(entries)
