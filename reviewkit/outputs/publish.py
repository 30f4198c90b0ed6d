"""The release bundle: for each non-draft article, the newest approved version, with the
signed review record that lets anyone check it offline (``reviewkit verify``).

An article edited after its approval is published at its approved version (found in git
history, see :mod:`reviewkit.review.versions`); one never approved is held back. Both are listed,
with why and the next step, in the manifest and the command's summary. Repository-wide
problems (the events ref missing, an event that does not parse, a duplicate slug or id)
refuse the whole publish.

Built in a temporary directory beside ``--out`` and swapped in by rename, so ``--out`` is
either the old bundle or the new one, never half of each; a refused publish writes nothing.

Layer: outputs/ (may import base/, rules/, article/, record/, review/).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import posixpath
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reviewkit.base.digest import canonical_json, short
from reviewkit.base.errors import CheckFailed
from reviewkit.base.fsutil import check_output_dir, staged_directory
from reviewkit.base.model import Registry
from reviewkit.base.workers import default_workers, parallel_map
from reviewkit.outputs.gate import GateResult, run_gate
from reviewkit.record.ledger import event_bytes
from reviewkit.record.project import Project
from reviewkit.review.policy import ArticleStatus, EventCheck
from reviewkit.review.versions import Approved, Version, VersionFinder, approved_in_force

MANIFEST = "manifest.json"
RECORD = "review-record"  # the signed record beside the pages
REGISTRY_SNAPSHOT = f"{RECORD}/reviewers.json"
ALLOWED_SIGNERS = f"{RECORD}/allowed_signers"
_SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
_RESERVED = {MANIFEST, RECORD}


@dataclass
class Held:
    """An article not published at its current version: held back, or served older."""

    path: str
    title: str | None
    state: str
    outcome: Literal["held back", "older version served", "served with expired approval",
                     "served, source changed"]
    why: str
    next: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "title": self.title, "state": self.state,
                "outcome": self.outcome, "why": self.why, "next": self.next}

    def line(self) -> str:
        nxt = f" → {self.next}" if self.next else ""
        return f"{self.path}: {self.outcome}: {self.why}{nxt}"


@dataclass
class Bundle:
    out: Path
    articles: list[dict[str, Any]] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    gate: GateResult | None = None


# --- what a page says about its review ---------------------------------------------------


def human_date(day: dt.date) -> str:
    """``30 November 2026``."""
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
    return f"{day.day} {months[day.month - 1]} {day.year}"


def _who(c: EventCheck) -> str:
    e = c.event
    assert e is not None
    return c.reviewer.byline(c.credential) if c.reviewer else e.actor


def byline(approvals: list[EventCheck]) -> str:
    """``Clinically reviewed by Dana Whitfield, LPC on 30 November 2026`` (signed record)."""
    parts = [f"{_who(c)} on {human_date(c.event.when.date())}" for c in approvals if c.event]
    return "Clinically reviewed by " + " and ".join(parts)


def json_ld(approvals: list[EventCheck], meta: Mapping[str, Any], url: str,
            lang: str) -> dict[str, Any]:
    """schema.org MedicalWebPage: reviewedBy (Person + hasCredential), lastReviewed,
    inLanguage, citation."""
    people = []
    for c in approvals:
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
    last = max(c.event.when for c in approvals if c.event).date().isoformat()
    author = meta.get("author") if isinstance(meta.get("author"), dict) else {}
    citations = []
    for cit in meta.get("citations") or []:
        if isinstance(cit, dict):
            item: dict[str, Any] = {"@type": "CreativeWork", "name": cit.get("title")}
            if isinstance(cit.get("url"), str) and cit["url"].startswith(("http://", "https://")):
                item["url"] = cit["url"]
            if cit.get("publisher"):
                item["publisher"] = {"@type": "Organization", "name": cit["publisher"]}
            if cit.get("year"):
                item["datePublished"] = str(cit["year"])
            citations.append(item)
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": meta.get("title"),
        "headline": meta.get("title"),
        "description": meta.get("description"),
        "url": url,
        "inLanguage": lang,
        "identifier": meta.get("id"),
        "dateModified": meta.get("updated"),
        "lastReviewed": last,
        "reviewedBy": people[0] if len(people) == 1 else people,
        "author": {"@type": "Person", "name": (author or {}).get("name")},
        "about": [{"@type": "Thing", "name": t} for t in meta.get("topics") or []],
    }
    if citations:
        doc["citation"] = citations
    return doc


def page_url(project: Project, name: str) -> str:
    base = project.config.publish.base_url
    return (base.rstrip("/") + "/" + name) if base else name


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
    from reviewkit.base.markdown import shared_parser

    tokens = shared_parser().parse(body)
    i = _byline_index(tokens, pattern)
    where = tokens[i].map if i is not None else None
    return (where[0], where[1]) if where else None


def _byline_index(tokens: list[Any], pattern: re.Pattern[str]) -> int | None:
    """Index of the ``paragraph_open`` token of the byline paragraph, if any."""
    for i, t in enumerate(tokens):
        children = tokens[i + 1].children if i + 1 < len(tokens) else None
        if t.type == "paragraph_open" and t.map and children is not None:
            text = "".join(c.content for c in children
                           if c.type in ("text", "code_inline", "softbreak"))
            if pattern.fullmatch(" ".join(text.split())):
                return i
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


def _render_body(body: str, citations: list[Any],
                 byline_pattern: re.Pattern[str] | None = None) -> str:
    """HTML of the body (one parse), without the editor's byline paragraph when
    ``byline_pattern`` is given (the page shows the signed one instead)."""
    from html import escape

    from reviewkit.base.markdown import shared_parser

    md = shared_parser(html=False)  # raw HTML in articles is not published
    tokens = md.parse(body)
    if byline_pattern is not None:
        i = _byline_index(tokens, byline_pattern)
        if i is not None:
            del tokens[i:i + 3]  # paragraph_open, inline, paragraph_close
    known = {c["id"]: c for c in citations if isinstance(c, dict) and isinstance(c.get("id"), str)}
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


def approved_values(front_matter: Mapping[str, Any], exempt: Collection[str]) -> dict[str, Any]:
    """The front matter a sign-off covers: exempt fields (unreviewed) are never published."""
    return {k: v for k, v in front_matter.items() if k not in exempt}


@dataclass
class Page:
    """What one page is made of: the approved values and body, and the signed approvals."""

    values: dict[str, Any]
    body: str
    approvals: list[EventCheck]
    digest: str
    name: str
    url: str
    lang: str
    # hreflang alternates: the page itself, its source and the source's other translations
    # in the bundle, then x-default (the source); empty for an article without any
    alternates: list[dict[str, str]] = field(default_factory=list)


def link_alternates(pages: list[Page]) -> None:
    """Tie each source page and its translations' pages together (both ways, plus
    ``x-default``: the source), by ``translation_of`` in their approved front matter."""
    families: dict[str, list[Page]] = {}
    for p in pages:
        of = p.values.get("translation_of")
        key = of if isinstance(of, str) else p.values.get("id")
        if isinstance(key, str):
            families.setdefault(key, []).append(p)
    for members in families.values():
        if len(members) < 2:
            continue
        source = [p for p in members if not isinstance(p.values.get("translation_of"), str)]
        links = [{"lang": p.lang, "url": p.url} for p in sorted(members, key=lambda p: p.lang)]
        if source:
            links.append({"lang": "x-default", "url": source[0].url})
        for p in members:
            p.alternates = list(links)


@functools.lru_cache(maxsize=1)
def _article_template() -> Any:
    from reviewkit.outputs.render import jinja_env

    return jinja_env().get_template("article.html.j2")


def render_html(page: Page, pattern: re.Pattern[str]) -> str:
    meta = page.values
    author = meta.get("author") if isinstance(meta.get("author"), dict) else {}
    updated = meta.get("updated")
    try:
        updated_text = human_date(dt.date.fromisoformat(str(updated))) if updated else None
    except ValueError:
        updated_text = str(updated)
    # the signed byline heads the page; the editor's copy in the body goes
    return str(_article_template().render(
        lang=page.lang, title=meta.get("title"), description=meta.get("description"),
        author=(author or {}).get("name"), updated=updated_text,
        byline=byline(page.approvals),
        body_html=_render_body(page.body, meta.get("citations") or [], pattern),
        digest=page.digest, manifest=MANIFEST, alternates=page.alternates,
        json_ld=_script_json(json_ld(page.approvals, meta, page.url, page.lang)),
    ))


_YAML_UNSAFE = re.compile("[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029\ufeff]")


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        # YAML reads U+0085/U+2028/U+2029 as line breaks and refuses other non-printables
        return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return json.dumps(value, allow_nan=False)


def yaml_dump(value: Any, indent: int = 0) -> str:
    """JSON-compatible YAML in block style: every string double-quoted (JSON escapes), so
    every YAML 1.1 or 1.2 reader (Hugo, Jekyll, Astro, MkDocs) reads the same values —
    no anchors, tags, implicit dates or ``yes``/``no`` booleans."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            key = k if _PLAIN_KEY.fullmatch(str(k)) and str(k).lower() not in _YAML_WORDS \
                else _yaml_scalar(str(k))
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{key}:")
                lines.append(yaml_dump(v, indent + 1))
            else:
                lines.append(f"{pad}{key}: {'{}' if v == {} else '[]' if v == [] else _yaml_scalar(v)}")
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, (dict, list)) and v:
                inner = yaml_dump(v, indent + 1).lstrip(" ")
                lines.append(f"{pad}- {inner}")
            else:
                lines.append(f"{pad}- {'{}' if v == {} else '[]' if v == [] else _yaml_scalar(v)}")
    else:
        lines.append(pad + _yaml_scalar(value))
    return "\n".join(lines)


def render_md(page: Page, pattern: re.Pattern[str]) -> str:
    """Markdown with front matter written from the approved values (never the source YAML),
    plus what a site generator needs for the byline and JSON-LD (docs/publish.md)."""
    reviewed_by = []
    for c in page.approvals:
        e = c.event
        assert e is not None
        reviewed_by.append({
            "id": e.actor, "name": c.reviewer.name if c.reviewer else e.actor,
            "credential": c.credential.type if c.credential else None, "date": e.at[:10],
        })
    last = max(c.event.when for c in page.approvals if c.event).date().isoformat()
    values = dict(page.values)
    values.update({
        "draft": False, "lang": page.lang, "reviewed_by": reviewed_by, "last_reviewed": last,
        "review_digest": page.digest, "byline": byline(page.approvals),
        # a JSON string: site generators lowercase front-matter keys (Hugo does), which
        # would break schema.org names such as reviewedBy
        "json_ld": _script_json(json_ld(page.approvals, page.values, page.url, page.lang)),
    })
    if page.alternates:
        values["alternates"] = page.alternates
    signed = f"*{byline(page.approvals)}*"
    return "---\n" + yaml_dump(values) + "\n---\n" + replace_byline(page.body, pattern, signed)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_integrity(manifest: Mapping[str, Any]) -> str:
    """``sha256:`` of the manifest's canonical JSON without its ``integrity`` field."""
    return "sha256:" + _sha256(canonical_json({k: v for k, v in manifest.items()
                                               if k != "integrity"}))


def registry_snapshot(registry: Registry) -> dict[str, Any]:
    """The registry as JSON: who may sign, their keys and credentials (no other fields)."""
    data: dict[str, Any] = json.loads(registry.model_dump_json(
        include={"reviewers": {"__all__": {"id", "name", "email", "roles", "credentials", "keys"}}}))
    return data


def allowed_signers(registry: Registry) -> str:
    """An ``ssh-keygen -Y verify`` allowed-signers file of every registered key."""
    from reviewkit.record.signing import AllowedKey, allowed_signers_line
    from reviewkit.review.policy import _utc

    lines = []
    for r in registry.reviewers:
        for k in r.keys:
            try:
                lines.append(allowed_signers_line(AllowedKey(
                    r.id, k.key, _utc(k.valid_after), _utc(k.valid_before))))
            except ValueError:
                continue  # an unusable id or key verifies nothing
    return "".join(line + "\n" for line in lines)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _Writer:
    """Files of the bundle under construction, with their SHA-256 for the manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, str] = {}
        self.mode = 0o666 & ~_umask()

    def write(self, rel: str, data: bytes) -> None:
        if rel in self.files or rel == MANIFEST:
            raise CheckFailed(f"publish refused: two outputs would be written to {rel}; "
                              "nothing was written")
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.files[rel] = _sha256(data)


def _held(status: ArticleStatus, outcome: Any, why: str, nxt: str | None) -> Held:
    return Held(status.path, status.title, status.state, outcome, why, nxt)


def _fail_whole(result: GateResult) -> None:
    """Problems that no per-article choice can make safe: refuse everything."""
    reasons = list(result.failures)
    # files under a content root that are no article (symbolic links, unreadable files, a
    # missing content root): something is wrong with the repository itself
    reasons += [f.format() for f in result.report.catalogue.findings if f.is_error]
    for s in result.blocked:
        dup = [r for r in s.reasons if "[duplicate-slug]" in r or "[duplicate-id]" in r]
        reasons += dup
    if reasons:
        shown = "; ".join(reasons[:5]) + (f"; … {len(reasons) - 5} more" if len(reasons) > 5 else "")
        raise CheckFailed(f"publish refused: {shown}; nothing was written",
                          hint="run reviewkit gate for the details")


def _asset_outputs(version: Version, name: str) -> dict[str, tuple[str, bytes]] | str:
    """Bundle path → (repository path, bytes) of the version's assets, placed at the same
    relative path from the page as from the article; or why that is impossible."""
    base = posixpath.dirname(version.path)
    out: dict[str, tuple[str, bytes]] = {}
    for target, data in sorted(version.assets.items()):
        rel = posixpath.relpath(target, base) if base else target
        top = rel.split("/", 1)[0]
        if rel.startswith("../") or top in _RESERVED or rel == name:
            return (f"asset {target} lies outside the article's folder ({rel}); keep assets "
                    "in the article's folder or below it")
        out[rel] = (target, data)
    return out


def _plan(project: Project, result: GateResult, finder: VersionFinder,
          held: list[Held]) -> list[tuple[ArticleStatus, Approved, Version]]:
    """Which version of each non-draft article to publish; the others go to ``held``."""
    policy = project.config.policy
    keep = policy.expired == "keep"
    candidates = [s for s in result.passed_articles + result.blocked
                  if not (s.draft and s.state == "invalid")]
    finder.prefetch([c.event for s in candidates if s.state != "approved"
                     for c in s.checks if c.event is not None and c.event.event == "approved"
                     and c.counts])
    plan = []
    for status in sorted(candidates, key=lambda s: s.path):
        if status.state == "source_changed" and not status.live:
            held.append(_held(status, "held back", "; ".join(status.reasons), status.fix))
            continue
        if status.state == "approved" and status.digest:
            approved: Approved | None = Approved(status.digest, list(status.approvals))
        else:
            approved = approved_in_force(status, policy.approvals_required, keep)
        if approved is None:
            why = "; ".join(status.reasons) or status.state
            if status.state == "expired" and not keep:
                why += " (withdrawn from the bundle: policy.expired is 'withdraw')"
            held.append(_held(status, "held back", why, status.fix))
            continue
        if approved.digest == status.digest:
            version = finder.current(status.path)
            if version is None or version.digest != status.digest:
                raise CheckFailed(f"{status.path} changed while publishing; nothing was written")
            if any(f.is_error for f in version.result.findings):  # never serve invalid
                held.append(_held(status, "held back", "; ".join(status.reasons) or "invalid",
                                  status.fix))
                continue
        else:
            version = finder.find(status, approved)
            if version is None:
                held.append(_held(
                    status, "held back",
                    f"its approved version {short(approved.digest)} is not in the last "
                    f"{finder.history_limit} commits of its history in this clone",
                    "fetch the full history (git fetch --unshallow) and publish again"))
                continue
            newest = approved.approvals[0].event
            assert newest is not None
            why = "; ".join(status.reasons) or status.state
            held.append(_held(
                status, "older version served",
                f"the version approved on {newest.at[:10]} ({short(approved.digest)}) stays "
                f"live; the current version is {status.state}: {why}", status.fix))
        if status.state == "source_changed":
            held.append(_held(status, "served, source changed", "; ".join(status.reasons),
                              status.fix))
        if approved.expired:
            held.append(_held(
                status, "served with expired approval",
                f"approval older than {policy.max_age_days} days, kept live because "
                "policy.expired is 'keep'; periodic re-review is overdue",
                f"a clinical reviewer runs: reviewkit review {status.path} && "
                f"reviewkit approve {status.path}"))
        plan.append((status, approved, version))
    return plan


def publish(project: Project, out: Path, fmt: Literal["md", "html"] = "md",
            now: dt.datetime | None = None,
            progress: Callable[[int, int], None] | None = None,
            strict: bool = False) -> Bundle:
    """Write the bundle to ``out``: the newest approved version of every non-draft article.

    CheckFailed (nothing written) on a repository-wide problem (see the module doc), or,
    with ``strict``, when any article is held back or served at an older version.
    """
    out = Path(os.path.abspath(out))
    check_output_dir(out, MANIFEST, f"--out {out}", "bundle")
    result = run_gate(project, now=now, progress=progress, workers=default_workers())
    _fail_whole(result)
    bundle = Bundle(out, gate=result)
    finder = VersionFinder(project)
    plan = _plan(project, result, finder, bundle.held)
    if strict and bundle.held:
        shown = "; ".join(h.line() for h in bundle.held[:5])
        more = f"; … {len(bundle.held) - 5} more" if len(bundle.held) > 5 else ""
        raise CheckFailed(f"publish refused (--strict): {shown}{more}; nothing was written",
                          hint="run reviewkit status for the details")
    pattern = _byline_pattern(project)
    settings = project.config.publish
    exempt = project.schema.exempt
    # a bundle is for a web server: 0755, not mkdtemp's 0700
    with staged_directory(out, mode=0o777 & ~_umask()) as tmp:
        w = _Writer(tmp)
        ready: list[tuple[ArticleStatus, Approved, Version, str, str,
                          dict[str, tuple[str, bytes]], Page]] = []
        for status, approved, version in plan:
            article = version.result.article
            assert article is not None
            values = approved_values(article.front_matter, exempt)
            slug = str(values.get("slug") or Path(status.path).stem)
            if not _SAFE_SLUG.fullmatch(slug) or slug in _RESERVED:
                bundle.held.append(_held(status, "held back",
                                         f"slug {slug!r} cannot be a file name",
                                         "use lowercase letters, digits and hyphens"))
                continue
            name = f"{slug}.{fmt}"
            assets = _asset_outputs(version, name)
            if isinstance(assets, str):
                bundle.held.append(_held(status, "held back", assets, None))
                continue
            lang = values.get("lang") if isinstance(values.get("lang"), str) else settings.lang
            page = Page(values, article.body, approved.approvals, approved.digest, name,
                        page_url(project, name), str(lang))
            ready.append((status, approved, version, slug, name, assets, page))

        link_alternates([r[-1] for r in ready])

        def render(page: Page) -> bytes:
            text = render_html(page, pattern) if fmt == "html" else render_md(page, pattern)
            return text.encode("utf-8")

        # rendering is the costly part (a Markdown parse per page): forked workers
        texts = parallel_map(render, [r[-1] for r in ready], default_workers())
        for (status, approved, version, slug, name, assets, page), text in zip(
                ready, texts, strict=True):
            w.write(name, text)
            listed = []
            for rel, (target, data) in assets.items():
                if rel in w.files and w.files[rel] == _sha256(data):
                    pass  # two articles showing one image
                else:
                    w.write(rel, data)
                listed.append({"path": target, "file": rel, "sha256": _sha256(data)})
            source = f"{RECORD}/sources/{slug}.md.txt"
            w.write(source, version.data)
            approvals = []
            for i, c in enumerate(approved.approvals):
                e = c.event
                assert e is not None and e.sig is not None
                stem = f"{RECORD}/signatures/{slug}-{i + 1}-{e.actor}"
                w.write(stem + ".json", e.signed_payload())
                w.write(stem + ".sig", e.sig.encode("utf-8"))
                approvals.append({
                    "file": c.stored.name, "actor": e.actor,
                    "name": c.reviewer.name if c.reviewer else None, "at": e.at,
                    "credential": c.credential.type if c.credential else None,
                    "event": json.loads(event_bytes(e)), "sig": e.sig,
                    "message_file": stem + ".json", "signature_file": stem + ".sig",
                })
            bundle.articles.append({
                "id": values.get("id"), "slug": slug, "title": values.get("title"),
                "source": status.path, "file": name, "digest": approved.digest,
                "served": "current" if approved.digest == status.digest else "older",
                "current_state": status.state, "expired_kept": approved.expired,
                "version": {"path": version.path, "commit": version.commit, "blob": version.blob},
                "approved_source": source, "assets": listed,
                "byline": byline(approved.approvals), "approvals": approvals,
                "lang": page.lang, "alternates": page.alternates,
            })
        if strict and bundle.held:
            raise CheckFailed("publish refused (--strict): "
                              + "; ".join(h.line() for h in bundle.held[:5])
                              + "; nothing was written")
        registry = project.registry
        w.write(REGISTRY_SNAPSHOT, (json.dumps(registry_snapshot(registry), indent=2,
                                               ensure_ascii=False) + "\n").encode("utf-8"))
        w.write(ALLOWED_SIGNERS, allowed_signers(registry).encode("utf-8"))
        trust_commit = project.repo.rev_parse(project.trust_ref) if project.trust_ref else None
        manifest: dict[str, Any] = {
            "generator": "reviewkit",
            "format": fmt,
            "generated_at": result.report.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "events_ref": "refs/reviewkit/events",
            "events_tip": result.report.ledger.tip,
            "commit": project.repo.head(),
            "trust": {"ref": project.trust_ref, "commit": trust_commit,
                      "source": "trust-ref" if project.trust_ref else "work tree"},
            "registry": REGISTRY_SNAPSHOT,
            "allowed_signers": ALLOWED_SIGNERS,
            "exempt": sorted(exempt),
            "lang": settings.lang,
            "base_url": settings.base_url,
            "verify": "reviewkit verify DIR; or by hand: each approval's message_file is the "
                      "canonical JSON its signature_file signs: ssh-keygen -Y verify -f "
                      f"{ALLOWED_SIGNERS} -I ACTOR -n reviewkit -s SIG < MESSAGE",
            "articles": bundle.articles,
            "held_back": [h.to_dict() for h in bundle.held],
            "files": dict(sorted(w.files.items())),
        }
        manifest["integrity"] = manifest_integrity(manifest)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    return bundle
