"""What one page of the bundle says: the approved values and body rendered as an html page
or a Markdown file with front matter, with the signed byline and schema.org JSON-LD.

Pure functions of a :class:`Page` (no I/O): :mod:`reviewkit.outputs.publish` runs them in forked
workers, one page at a time.

Layer: outputs/ (may import base/, rules/, article/, record/, review/).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from reviewkit.record.project import Project
from reviewkit.review.policy import EventCheck

MANIFEST = "manifest.json"


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
    return json_indented(value).replace("<", "\\u003c")


def json_indented(value: Any) -> str:
    """The text every JSON file of the bundle holds: two-space indent, UTF-8 as is."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def byline_pattern(project: Project) -> re.Pattern[str]:
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
    last = len(tokens) - 1
    for i, t in enumerate(tokens):
        if t.type != "paragraph_open" or not t.map or i >= last:
            continue
        children = tokens[i + 1].children
        if children is not None:
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


def render_body(body: str, citations: list[Any],
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
        body_html=render_body(page.body, meta.get("citations") or [], pattern),
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
