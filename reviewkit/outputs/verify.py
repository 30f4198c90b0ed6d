"""Checking a published bundle offline: no repository, no network (``reviewkit verify``).

What holds when it passes:

- every file of the bundle is listed in ``manifest.json`` with its SHA-256, and matches it;
  nothing unlisted is present; the manifest's own ``integrity`` hash matches;
- every approval's signature verifies against the reviewer keys snapshotted in the bundle
  (``review-record/reviewers.json``; ``review-record/allowed_signers`` holds the same keys
  for ``ssh-keygen -Y verify``), at the approval's time, by a clinical reviewer whose
  credential was unexpired that day; its message file is exactly the signed bytes;
- the approved source in the bundle, with the bundled assets, has the digest the
  approvals sign (so the published version is the approved one);
- each page's byline names every signer of its approval.

Each failure names the file it concerns.

Layer: outputs/ (may import base/, rules/, article/, record/, review/).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewkit.article.assets import AssetError
from reviewkit.article.content import parse_article
from reviewkit.article.schema import ArticleSchema
from reviewkit.base.model import Registry, ReviewEvent
from reviewkit.base.structs import ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``), never obeyed."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                        else f"\\u{ord(m.group()):04x}", text)


@dataclass
class Problem:
    file: str
    message: str


@dataclass
class VerifyReport:
    problems: list[Problem] = field(default_factory=list)
    articles: int = 0
    signatures: int = 0
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "articles": self.articles, "signatures": self.signatures,
                "files": self.files,
                "problems": [{"file": p.file, "message": p.message} for p in self.problems]}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _walk(root: Path) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(Path(dirpath) / d)]):
            out.append((Path(dirpath) / name).relative_to(root).as_posix())
    return out


def _permissive_schema(exempt: list[str]) -> ArticleSchema:
    """A schema that accepts any front matter and marks ``exempt`` (the bundle recorded
    which fields the trusted schema exempted): only the digest is recomputed here."""
    from reviewkit.article.schema import compile_schema

    doc = {"type": "object",
           "properties": {k: {"x-review-exempt": True} for k in exempt}}
    return compile_schema(json.dumps(doc).encode(), "manifest.json")


def verify_bundle(root: Path) -> VerifyReport:
    """Check the bundle at ``root`` (see the module doc). Never raises on bad input."""
    from reviewkit.base.digest import canonical_json
    from reviewkit.review.policy import verify_event

    report = VerifyReport()

    def fail(file: str, message: str) -> None:
        report.problems.append(Problem(file, message))

    if not root.is_dir():
        fail(str(root), "not a directory")
        return report
    try:
        manifest = json.loads((root / "manifest.json").read_bytes())
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        fail("manifest.json", f"cannot be read: {exc}")
        return report
    integrity = manifest.get("integrity")
    without = {k: v for k, v in manifest.items() if k != "integrity"}
    try:
        if integrity != "sha256:" + _sha256(canonical_json(without)):
            fail("manifest.json", "its integrity hash does not match its content (edited?)")
    except (TypeError, ValueError) as exc:
        fail("manifest.json", f"not canonical JSON values: {exc}")
        return report

    # 1. every file listed, matching, and nothing else
    files = manifest.get("files")
    if not isinstance(files, dict):
        fail("manifest.json", "has no 'files' list")
        return report
    present = set(_walk(root)) - {"manifest.json"}
    data: dict[str, bytes] = {}
    for rel, digest in sorted(files.items()):
        path = root / rel
        if not isinstance(rel, str) or rel not in present:
            fail(str(rel), "listed in manifest.json but missing from the bundle")
            continue
        if path.is_symlink() or not path.is_file():
            fail(rel, "is not a regular file")
            continue
        content = path.read_bytes()
        if _sha256(content) != digest:
            fail(rel, "content differs from the SHA-256 in manifest.json (changed after publish)")
        data[rel] = content
    for rel in sorted(present - set(files)):
        fail(rel, "is in the bundle but not in manifest.json")
    report.files = len(files)

    # 2. the registry snapshot
    reg_file = str(manifest.get("registry", ""))
    try:
        registry = Registry.model_validate(json.loads(data[reg_file]))
    except (KeyError, ValueError, ValidationError) as exc:
        fail(reg_file or "manifest.json", f"reviewer registry snapshot unusable: {exc}")
        return report
    signers_file = str(manifest.get("allowed_signers", ""))
    if signers_file not in data:
        fail(signers_file or "manifest.json", "allowed_signers file missing")
    else:
        from reviewkit.outputs.publish import allowed_signers

        if data[signers_file].decode("utf-8", "replace") != allowed_signers(registry):
            fail(signers_file, "does not list exactly the keys of the registry snapshot")

    exempt = manifest.get("exempt")
    schema = _permissive_schema([str(x) for x in exempt] if isinstance(exempt, list) else [])
    articles = manifest.get("articles")
    if not isinstance(articles, list):
        fail("manifest.json", "has no 'articles' list")
        return report
    for entry in articles:
        report.articles += 1
        _verify_article(entry, data, registry, schema, report, fail, verify_event)
    return report


def _verify_article(entry: Any, data: dict[str, bytes], registry: Registry,
                    schema: ArticleSchema, report: VerifyReport, fail: Any,
                    verify_event: Any) -> None:
    if not isinstance(entry, dict):
        fail("manifest.json", "an article entry is not an object")
        return
    page = str(entry.get("file", ""))
    digest = entry.get("digest")
    if page not in data:
        fail(page or "manifest.json", "the article's page is missing")
        return
    # 3. approvals: signed by a registered clinical reviewer, over this digest
    signers: list[str] = []
    approvals = entry.get("approvals")
    if not isinstance(approvals, list) or not approvals:
        fail(page, "has no approval in manifest.json")
        return
    for a in approvals:
        report.signatures += 1
        sig_file = str(a.get("signature_file", "")) if isinstance(a, dict) else ""
        msg_file = str(a.get("message_file", "")) if isinstance(a, dict) else ""
        try:
            event = ReviewEvent.model_validate({**a["event"], "sig": a["sig"]})
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            fail(sig_file or "manifest.json", f"approval record of {page} is malformed: {exc}")
            continue
        if sig_file not in data or data[sig_file].decode("utf-8", "replace") != event.sig:
            fail(sig_file or "manifest.json",
                 f"signature of {page}'s approval differs from the one in manifest.json")
        if msg_file not in data or data[msg_file] != event.signed_payload():
            fail(msg_file or "manifest.json",
                 f"message of {page}'s approval is not the signed event")
        ok, why, reviewer = verify_event(event, registry)
        if not ok:
            fail(sig_file or "manifest.json", f"approval of {page} does not verify: {why}")
            continue
        assert reviewer is not None
        if event.event != "approved" or event.digest != digest:
            fail(sig_file, f"signs {event.event} of {event.digest}, not the approval of {digest}")
        if "clinical_reviewer" not in reviewer.roles:
            fail(sig_file, f"{reviewer.name} is not a clinical reviewer in the registry snapshot")
        day = event.when.date()
        creds = [c for c in reviewer.credentials
                 if (event.credential in (None, c.type)) and c.valid_on(day)]
        if not creds:
            fail(sig_file, f"{reviewer.name} held no valid credential on {day.isoformat()}")
            continue
        signers.append(reviewer.byline(creds[0]))
    # 4. the approved source, with the bundled assets, has the approved digest
    source = str(entry.get("approved_source", ""))
    assets = {str(x.get("path")): str(x.get("file")) for x in entry.get("assets") or []
              if isinstance(x, dict)}
    if source not in data:
        fail(source or page, "the approved source is missing")
    else:
        def hasher(target: str) -> str:
            f = assets.get(target)
            if f is None or f not in data:
                raise AssetError("asset-missing", "is not in the bundle")
            return _sha256(data[f])

        version = entry.get("version") if isinstance(entry.get("version"), dict) else {}
        path = str((version or {}).get("path") or entry.get("source") or "article.md")
        r = parse_article(path, data[source], schema, None, hasher)
        got = r.article.digest if r.article else None
        if got != digest:
            bad = [f for t, f in assets.items() if f in data and t not in dict(r.asset_states)]
            fail(source, f"its digest is {got}, not the approved {digest}"
                 + (f" (assets: {', '.join(bad)})" if bad else ""))
    # 5. the page's byline names every signer
    text = data[page].decode("utf-8", "replace")
    import html as html_lib

    shown = html_lib.unescape(text)
    for who in signers:
        if f"Clinically reviewed by {who}" not in shown and f" and {who} on " not in shown:
            fail(page, f"its byline does not name {who}, who signed its approval")
