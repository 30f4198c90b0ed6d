"""The release bundle: approved, non-draft articles only, with the signed review record.

Built in a temporary directory beside ``--out`` and swapped in by rename, so ``--out`` is
either the old bundle or the new one, never half of each; a refused gate writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
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


def _byline_pattern(project: Project) -> re.Pattern[str]:
    from reviewkit.rules.structure import DEFAULT_BYLINE

    options = (project.config.rules.get("structure") or {})
    pattern = options.get("options", {}).get("byline_pattern") if isinstance(options, dict) else None
    return re.compile(pattern if isinstance(pattern, str) else DEFAULT_BYLINE)


def byline_lines(body: str, pattern: re.Pattern[str]) -> tuple[int, int] | None:
    """Lines [start, end) of the body's byline paragraph (the editor's, unsigned), if any."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(body)
    for i, t in enumerate(tokens):
        children = tokens[i + 1].children if i + 1 < len(tokens) else None
        if t.type == "paragraph_open" and t.map and children is not None:
            text = "".join(c.content for c in children
                           if c.type in ("text", "code_inline", "softbreak"))
            if pattern.fullmatch(" ".join(text.split())):
                return t.map[0], t.map[1]
    return None


def replace_byline(body: str, pattern: re.Pattern[str], signed: str | None) -> str:
    """The body with its byline paragraph replaced by ``signed`` (removed when None);
    ``signed`` is appended when the body has none."""
    lines = body.split("\n")
    where = byline_lines(body, pattern)
    if where is None:
        return body if signed is None else body.rstrip("\n") + f"\n\n{signed}\n"
    new = [signed] if signed is not None else []
    return "\n".join(lines[: where[0]] + new + lines[where[1]:])


_CITE = re.compile(r"\[@([A-Za-z0-9_-]+)\]")


def _cite_tokens(tokens: list[Any], order: dict[str, int], known: dict[str, Any]) -> None:
    """``[@id]`` in text becomes a numbered link to the reference list (text tokens only:
    code spans and blocks are left as they are)."""
    from markdown_it.token import Token

    for t in tokens:
        if t.type != "inline" or not t.children:
            continue
        out: list[Any] = []
        for c in t.children:
            if c.type != "text" or "[@" not in c.content:
                out.append(c)
                continue
            pos = 0
            for m in _CITE.finditer(c.content):
                cid = m.group(1)
                if cid not in known:
                    continue
                if m.start() > pos:
                    out.append(Token("text", "", 0, content=c.content[pos:m.start()]))
                n = order.setdefault(cid, len(order) + 1)
                html = f'<sup class="cite"><a href="#ref-{cid}">[{n}]</a></sup>'
                out.append(Token("html_inline", "", 0, content=html))
                pos = m.end()
            if pos < len(c.content):
                out.append(Token("text", "", 0, content=c.content[pos:]))
        t.children = out


def _render_body(body: str, citations: list[Any]) -> str:
    from html import escape

    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})  # raw HTML in articles is not published
    tokens = md.parse(body)
    known = {c["id"]: c for c in citations if isinstance(c, dict) and "id" in c}
    order: dict[str, int] = {}
    _cite_tokens(tokens, order, known)
    html = str(md.renderer.render(tokens, md.options, {}))
    if order:
        items = []
        for cid, _ in sorted(order.items(), key=lambda kv: kv[1]):
            c = known[cid]
            text = escape(str(c.get("title", cid)))
            extra = ", ".join(escape(str(c[k])) for k in ("publisher", "year") if c.get(k))
            if extra:
                text += f" ({extra})"
            url = c.get("url")
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                text = f'<a href="{escape(url, quote=True)}">{text}</a>'
            items.append(f'<li id="ref-{escape(cid, quote=True)}">{text}</li>')
        html += '<section class="references"><h2>References</h2>\n<ol>\n' + \
            "\n".join(items) + "\n</ol></section>\n"
    return html


def _render_html(status: ArticleStatus, meta: dict[str, Any], body: str) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reviewkit", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    template = env.get_template("article.html.j2")
    return template.render(
        lang="en", title=meta.get("title"), description=meta.get("description"),
        byline=byline(status), body_html=_render_body(body, meta.get("citations") or []),
        digest=status.digest,
        json_ld=_script_json(json_ld(status, meta, f"{meta.get('slug')}.html")),
    )


def _render_md(status: ArticleStatus, text: str, pattern: re.Pattern[str]) -> str:
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
    head, sep, body = updated.partition("\n---\n")
    return head + sep + replace_byline(body, pattern, f"*{byline(status)}*")


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
    pattern = _byline_pattern(project)
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
                # the signed byline heads the page; the editor's copy in the body goes
                body = replace_byline(r.article.body, pattern, None)
                (tmp / name).write_text(_render_html(status, meta, body), encoding="utf-8")
            else:
                name = f"{slug}.md"
                (tmp / name).write_text(_render_md(status, decoded, pattern), encoding="utf-8")
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
