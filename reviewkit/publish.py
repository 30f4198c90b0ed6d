"""The release bundle: approved, non-draft articles only, with the signed review record.

Built in a temporary directory beside ``--out`` and swapped in by rename, so ``--out`` is
either the old bundle or the new one, never half of each; a refused gate writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reviewkit import frontmatter
from reviewkit.content import parse_article, read_file
from reviewkit.errors import CheckFailed, UsageError
from reviewkit.gate import GateResult, run_gate
from reviewkit.ledger import event_bytes
from reviewkit.policy import ArticleStatus, EventCheck
from reviewkit.project import Project

MANIFEST = "manifest.json"


@dataclass
class Bundle:
    out: Path
    articles: list[dict[str, Any]] = field(default_factory=list)
    gate: GateResult | None = None


def _reviewers(status: ArticleStatus) -> list[EventCheck]:
    return [c for c in status.approvals if c.event is not None]


def byline(status: ArticleStatus) -> str:
    """``Clinically reviewed by NAME, CREDENTIAL — DATE`` from the signed approvals."""
    parts = []
    for c in _reviewers(status):
        e = c.event
        assert e is not None
        who = c.reviewer.byline(c.credential) if c.reviewer else e.actor
        parts.append(f"{who} — {e.at[:10]}")
    return "Clinically reviewed by " + "; ".join(parts)


def json_ld(status: ArticleStatus, meta: dict[str, Any], url: str) -> dict[str, Any]:
    """schema.org MedicalWebPage with reviewedBy (Person + hasCredential) and lastReviewed."""
    people = []
    for c in _reviewers(status):
        person: dict[str, Any] = {"@type": "Person", "name": c.reviewer.name if c.reviewer else ""}
        if c.credential:
            cred: dict[str, Any] = {
                "@type": "EducationalOccupationalCredential",
                "credentialCategory": "license",
                "name": c.credential.type,
            }
            if c.credential.region:
                cred["recognizedBy"] = {"@type": "Organization", "areaServed": c.credential.region}
            person["hasCredential"] = cred
        people.append(person)
    last = max(c.event.when for c in _reviewers(status) if c.event).date().isoformat()
    author = meta.get("author") or {}
    doc = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": meta.get("title"),
        "headline": meta.get("title"),
        "description": meta.get("description"),
        "url": url,
        "identifier": meta.get("id"),
        "dateModified": meta.get("updated"),
        "lastReviewed": last,
        "reviewedBy": people[0] if len(people) == 1 else people,
        "author": {"@type": "Person", "name": author.get("name")},
        "about": [{"@type": "Thing", "name": t} for t in meta.get("topics", [])],
    }
    return doc


def _script_json(value: Any) -> str:
    # '<' escaped so no string can close the <script> element
    return json.dumps(value, indent=2, ensure_ascii=False).replace("<", "\\u003c")


def _render_html(status: ArticleStatus, meta: dict[str, Any], body: str) -> str:
    import jinja2
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})  # raw HTML in articles is not published
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reviewkit", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    template = env.get_template("article.html.j2")
    return template.render(
        lang="en", title=meta.get("title"), description=meta.get("description"),
        byline=byline(status), body_html=md.render(body), digest=status.digest,
        json_ld=_script_json(json_ld(status, meta, f"{meta.get('slug')}.html")),
    )


def _render_md(status: ArticleStatus, text: str) -> str:
    reviewed_by = []
    for c in _reviewers(status):
        e = c.event
        assert e is not None
        reviewed_by.append({
            "id": e.actor, "name": c.reviewer.name if c.reviewer else e.actor,
            "credential": c.credential.type if c.credential else None, "date": e.at[:10],
        })
    last = max(c.event.when for c in _reviewers(status) if c.event).date().isoformat()
    updated = frontmatter.update(text, {
        "reviewed_by": reviewed_by, "last_reviewed": last, "review_digest": status.digest,
    })
    return updated.rstrip("\n") + f"\n\n*{byline(status)}*\n"


def _check_out_dir(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise UsageError(f"--out {out}: exists and is not a directory")
        if any(out.iterdir()) and not (out / MANIFEST).is_file():
            raise UsageError(
                f"--out {out}: not empty and not an earlier reviewkit bundle (no {MANIFEST}); "
                "refusing to replace it"
            )


def publish(project: Project, out: Path, fmt: Literal["md", "html"] = "md",
            now: dt.datetime | None = None,
            progress: Callable[[int, int], None] | None = None) -> Bundle:
    """Write the bundle to ``out``; CheckFailed (nothing written) when the gate fails."""
    out = Path(os.path.abspath(out))
    _check_out_dir(out)
    result = run_gate(project, now=now, progress=progress)
    if not result.passed:
        reasons = result.failures + [f"{s.path}: {s.state}" for s in result.blocked]
        shown = "; ".join(reasons[:5]) + (f"; … {len(reasons) - 5} more" if len(reasons) > 5 else "")
        raise CheckFailed(f"publish refused: the gate fails ({shown}); nothing was written",
                          hint="run reviewkit gate for the details")
    bundle = Bundle(out, gate=result)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.building-"))
    try:
        for status in sorted(result.passed_articles, key=lambda s: s.path):
            text = read_file(project.root, status.path)
            r = parse_article(status.path, text, project.schema)
            if r.article is None or r.article.digest != status.digest:
                raise CheckFailed(f"{status.path} changed while publishing; nothing was written")
            meta = r.article.front_matter
            slug = str(meta["slug"])
            decoded = frontmatter.decode(text)
            if fmt == "html":
                name = f"{slug}.html"
                (tmp / name).write_text(_render_html(status, meta, r.article.body), encoding="utf-8")
            else:
                name = f"{slug}.md"
                (tmp / name).write_text(_render_md(status, decoded), encoding="utf-8")
            bundle.articles.append({
                "id": meta["id"], "slug": slug, "title": meta.get("title"),
                "source": status.path, "file": name, "digest": status.digest,
                "approvals": [
                    {"file": c.stored.name, "actor": c.event.actor, "at": c.event.at,
                     "credential": c.credential.type if c.credential else None,
                     "event": json.loads(event_bytes(c.event)), "sig": c.event.sig}
                    for c in _reviewers(status) if c.event
                ],
            })
        manifest = {
            "generator": "reviewkit",
            "format": fmt,
            "generated_at": result.report.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "events_ref": "refs/reviewkit/events",
            "events_tip": result.report.ledger.tip,
            "commit": project.repo.head(),
            "verify": "each approval's `event` minus `sig`, as canonical JSON (sorted keys, no "
                      "spaces, UTF-8), is signed with `ssh-keygen -Y sign -n reviewkit`",
            "articles": bundle.articles,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return bundle


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(rc == 0)


def _swap(new: Path, out: Path) -> None:
    """Replace ``out`` by ``new``: one atomic exchange where the OS has it, else two renames.

    The old bundle is removed only afterwards.
    """
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the old bundle
        return
    old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
