"""Translations as values: language tags, the front-matter fields that tie a translation to
the source version it translates, their findings, and who may approve one.

A translation is an article of its own (own id, file, slug and sign-off) with
``translation_of: <source id>`` and ``source_digest: sha256:…`` (the approved source
version it was made from) and a ``lang`` other than the source's. No git and no terminal
here: :mod:`reviewkit.review.translate` applies these to a repository.

Layer: article/ (may import base/ and rules/).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reviewkit.base.findings import Finding
from reviewkit.base.model import LANG_PATTERN, Reviewer

if TYPE_CHECKING:
    from reviewkit.article.content import ArticleResult

RULE = "translation"
LANG_RE = re.compile(LANG_PATTERN, re.ASCII)
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$", re.ASCII)
ID_RE = re.compile(r"^[0-9A-Za-z-]{1,64}$", re.ASCII)
MARKER = "TRANSLATE:"  # in front of the title and description of a new translation


def norm_lang(tag: str) -> str:
    """A language tag compared as BCP 47 says: case does not matter (``ES`` is ``es``)."""
    return tag.strip().lower()


def effective_lang(lang: str | None, default: str) -> str:
    """The article's language: its ``lang``, else the publication's default, normalised."""
    return norm_lang(lang if lang else default)


def reads(languages: Sequence[str] | None, lang: str, default: str) -> bool:
    """Does a reviewer listing ``languages`` (None: the default language) read ``lang``?

    A listed tag reads every tag it is a prefix of, subtag by subtag: ``es`` reads ``es``
    and ``es-MX``; ``es-MX`` reads ``es-MX`` only (not ``es-ES``, not plain ``es``)."""
    wanted = norm_lang(lang).split("-")
    for tag in languages if languages is not None else [default]:
        have = norm_lang(tag).split("-")
        if wanted[:len(have)] == have:
            return True
    return False


def language_problem(reviewer: Reviewer, lang: str, default: str) -> str | None:
    """Why ``reviewer`` may not approve an article in ``lang``, or None."""
    if reads(reviewer.languages, lang, default):
        return None
    listed = ", ".join(reviewer.languages) if reviewer.languages is not None else (
        f"{default}, the default")
    return f"{reviewer.id} does not read {lang} (languages: {listed})"


@dataclass(frozen=True)
class Fields:
    """The translation fields of one front matter, each None unless well formed, and the
    line of ``translation_of`` (for the catalogue's findings)."""

    lang: str | None = None
    translation_of: str | None = None
    source_digest: str | None = None
    line: int = 1


def read_fields(rel: str, fm: dict[str, Any], locate: Any) -> tuple[Fields, list[Finding]]:
    """The fields and their findings (``locate(keys) -> (line, col)``): a ``lang`` that is
    not a tag, a ``translation_of`` that is not an id or is the article's own, a
    ``source_digest`` missing, malformed or without ``translation_of``."""
    out: list[Finding] = []

    def bad(key: str, message: str) -> None:
        line, col = locate([key])
        out.append(Finding(rel, line, col, "error", RULE, f"{key}: {message}"))

    lang = fm.get("lang")
    if "lang" in fm and not (isinstance(lang, str) and LANG_RE.fullmatch(lang)):
        bad("lang", f"{lang!r} is not a language tag (BCP 47, ASCII letters: en, es, pt-BR)")
        lang = None
    source = fm.get("translation_of")
    if "translation_of" in fm:
        if not (isinstance(source, str) and ID_RE.fullmatch(source)):
            bad("translation_of", f"{source!r} is not an article id")
            source = None
        elif source == fm.get("id"):
            bad("translation_of", "names the article itself; it must name the source article")
            source = None
    digest = fm.get("source_digest")
    if "source_digest" in fm and not (isinstance(digest, str) and DIGEST_RE.fullmatch(digest)):
        bad("source_digest", f"{digest!r} is not a content digest (sha256: and 64 hex digits)")
        digest = None
    if "translation_of" in fm and "source_digest" not in fm:
        bad("translation_of", "a translation needs source_digest: the approved source version "
            "it translates (reviewkit translate writes it)")
    if "source_digest" in fm and "translation_of" not in fm:
        bad("source_digest", "only a translation has one; add translation_of or remove it")
        digest = None
    for key in ("title", "description") if "translation_of" in fm else ():
        value = fm.get(key)
        if isinstance(value, str) and value.lstrip().upper().startswith(MARKER.upper()):
            # the marker `reviewkit translate` writes: never published by mistake
            line, col = locate([key])
            out.append(Finding(rel, line, col, "info" if fm.get("draft") is True else "error",
                               RULE, f"{key}: still starts with {MARKER!r} (written by "
                               "reviewkit translate): translate it and remove the marker"))
    line, _ = locate(["translation_of"]) if "translation_of" in fm else (1, 1)
    return Fields(lang if isinstance(lang, str) else None,
                  source if isinstance(source, str) else None,
                  digest if isinstance(digest, str) else None, line), out


def catalogue_findings(results: Iterable[ArticleResult], default_lang: str) -> list[Finding]:
    """Findings across articles: a translation whose source is not in the catalogue, is a
    translation itself, or has the translation's own language; two translations of one
    source into one language."""
    results = [r for r in results if r.summary is not None and r.summary.id]
    by_id = {r.summary.id: r for r in results if r.summary is not None}
    seen: dict[tuple[str, str], list[ArticleResult]] = {}
    out: list[Finding] = []
    for r in results:
        s = r.summary
        assert s is not None
        if s.translation_of is None:
            continue
        line = s.translation_line

        def bad(message: str, r: ArticleResult = r, line: int = line) -> None:
            out.append(Finding(r.path, line, 1, "error", RULE, f"translation_of: {message}"))

        lang = effective_lang(s.lang, default_lang)
        source = by_id.get(s.translation_of)
        if source is None or source.summary is None:
            bad(f"no article has id {s.translation_of} (translations name their source by id)")
            continue
        if source.summary.translation_of is not None:
            bad(f"{source.path} is itself a translation; translate the original "
                f"({source.summary.translation_of})")
            continue
        if effective_lang(source.summary.lang, default_lang) == lang:
            bad(f"the source {source.path} is in {lang} too; a translation's lang differs "
                "from its source's")
            continue
        seen.setdefault((s.translation_of, lang), []).append(r)
    for (_, lang), claimants in seen.items():
        for r in claimants if len(claimants) > 1 else ():
            others = ", ".join(q.path for q in claimants if q is not r)
            assert r.summary is not None
            out.append(Finding(r.path, r.summary.translation_line, 1, "error", RULE,
                               f"translation_of: {others} translates the same source into "
                               f"{lang}; one translation per language"))
    return out
