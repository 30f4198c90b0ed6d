"""links: internal links resolve to articles of the catalogue; external links are well-formed.

No network access. A link target (``href`` of a link, ``src`` of an image) is:

* **internal** when it is ``/articles/<slug>`` (the ``articles_prefix`` option; a trailing
  ``/``, ``#fragment`` or ``?query`` is allowed) or a relative path ending in ``.md``
  (resolved against the directory of the article's path; it must stay in that directory,
  ``content/articles/<slug>.md``). ``<slug>`` must be one of the catalogue's slugs.
* **external** when it has a scheme: ``http``/``https`` need a host name with a dot (or
  ``localhost``) made of letters, digits and hyphens, and a numeric port if any;
  ``mailto:`` needs ``name@domain``; ``tel:`` needs digits. Other schemes are findings
  unless listed in ``allowed_schemes``.
* a same-page ``#fragment`` or another site-relative path (``/about``, ``images/x.png``):
  not checked, except that a relative path starting with a domain name
  (``www.example.org/x``) is reported as a missing ``https://``.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from reviewkit.base.structs import ConfigDict, Model, field_validator
from reviewkit.rules._base import Context, Raw
from reviewkit.rules._doc import Document
from reviewkit.rules._words import WordLists

ID = "links"

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_DOMAINISH = re.compile(r"^(?:www\.|[A-Za-z0-9-]+\.(?:com|org|net|gov|edu|io|co|us|uk)(?:/|$))")
_EMAIL = re.compile(r"^[^@\s/]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
_TEL = re.compile(r"^\+?[0-9][0-9().\- ]*$")


class Options(Model):
    model_config = ConfigDict(extra="forbid")

    articles_prefix: str = "/articles/"
    allowed_schemes: list[str] = ["http", "https", "mailto", "tel"]
    check_images: bool = True

    @field_validator("articles_prefix")
    @classmethod
    def _slashes(cls, v: str) -> str:
        if not v.startswith("/"):
            raise ValueError("articles_prefix must start with '/'")
        return v if v.endswith("/") else v + "/"


def host_ok(host: str) -> bool:
    if host == "localhost":
        return True
    if re.fullmatch(r"[0-9.]+", host):
        parts = host.split(".")
        return len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)
    labels = host.split(".")
    if len(labels) < 2:
        return False
    return all(_LABEL.match(lab) for lab in labels) and not labels[-1].isdigit()


def external_problem(href: str, scheme: str) -> str | None:
    if scheme in ("http", "https"):
        try:
            parts = urlsplit(href)
            port = parts.port
        except ValueError as exc:
            return f"malformed URL ({exc})"
        del port
        if not href.lower().startswith(f"{scheme}://"):
            return f"an {scheme} URL needs '//' after '{scheme}:'"
        host = parts.hostname or ""
        if not host:
            return "the URL has no host name"
        if host.startswith("[") or ":" in host:
            return None  # IPv6 literal: accepted
        if not host_ok(host):
            return f"host name {host!r} is not well-formed"
        return None
    if scheme == "mailto":
        addr = unquote(href[len("mailto:") :]).split("?", 1)[0]
        return None if _EMAIL.match(addr) else "mailto: needs an address like name@example.org"
    if scheme == "tel":
        num = unquote(href[len("tel:") :])
        return None if _TEL.match(num) else "tel: needs a phone number"
    return None


class Links:
    id = ID

    def __init__(self, options: Options, words: WordLists) -> None:
        self.options = options
        self.schemes = frozenset(s.lower() for s in options.allowed_schemes)

    def check(self, doc: Document, ctx: Context) -> Iterator[Raw]:
        base = posixpath.normpath(posixpath.dirname(ctx.path.replace("\\", "/")) or ".")
        for inl in doc.inlines:
            for link in inl.links:
                if link.image and not self.options.check_images:
                    continue
                got = self._problem(link.href, link.image, base, ctx)
                if got is not None:
                    yield Raw(link.line, link.col, got[0], got[1])

    def _problem(
        self, href: str, image: bool, base: str, ctx: Context
    ) -> tuple[str, str | None] | None:
        what = "image" if image else "link"
        if not href.strip():
            return f"empty {what} target", "add the URL or remove the link"
        m = _SCHEME.match(href)
        if m:
            scheme = m.group(1).lower()
            if scheme not in self.schemes:
                return f"{what} scheme '{scheme}:' is not allowed", (
                    "allowed: " + ", ".join(sorted(self.schemes))
                )
            p = external_problem(href, scheme)
            return (f"{what} {href!r}: {p}", None) if p else None
        if href.startswith("//"):
            return f"protocol-relative {what} {href!r}", "write https:// explicitly"
        if href.startswith("#"):
            return None
        path = unquote(href.split("#", 1)[0].split("?", 1)[0])
        prefix = self.options.articles_prefix
        if path.startswith(prefix):
            slug = path[len(prefix) :].rstrip("/")
            if "/" in slug or not slug:
                return f"{what} {href!r} is not of the form {prefix}<slug>", None
            return self._slug(slug, href, ctx)
        if path.endswith(".md") and not path.startswith("/"):
            target = posixpath.normpath(posixpath.join(base, path))
            if posixpath.dirname(target) != (base if base != "." else ""):
                return (
                    f"{what} {href!r} points outside the articles directory",
                    f"link to another article as {prefix}<slug> or <slug>.md",
                )
            return self._slug(posixpath.basename(target)[:-3], href, ctx)
        if re.match(r"^https?//", path, re.IGNORECASE):
            return f"{what} {href!r} is missing ':' after the scheme", href.replace("//", "://", 1)
        if _DOMAINISH.match(path):
            return f"{what} {href!r} looks like a web address without https://", (f"https://{href}")
        return None

    def _slug(self, slug: str, href: str, ctx: Context) -> tuple[str, str | None] | None:
        if slug in ctx.known_slugs:
            return None
        close = difflib.get_close_matches(slug, list(ctx.known_slugs), n=1)
        return (
            f"internal link {href!r}: no article with slug '{slug}'",
            f"did you mean {self.options.articles_prefix}{close[0]}?" if close else None,
        )
