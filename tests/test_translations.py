"""Translations with their own clinical review, end to end (issue 18): the source approved,
its Spanish translation approved only by a reviewer who reads Spanish, the source edited
and re-approved (the translation is source_changed with the source diff), the translation
updated and approved again, and publish linking both pages with hreflang."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import Project, default_reviewers, registry_yaml

A = "content/articles/coping-with-worry.md"
ES = "content/articles/coping-with-worry.es.md"

SPANISH_BODY = """\
Una breve introducción para quienes leen.

## Qué es

Palabras sencillas sobre el tema.

## Buscar ayuda

Habla con una persona profesional de salud mental con licencia.
"""


def keyfile(project: Project, who: str) -> str:
    key = {"dwhitfield": project.reviewer, "mokafor": project.second, "jlee": project.editor}[who]
    return str(key.private)


def approve(project: Project, rel: str, who: str) -> object:
    return project.rk("approve", str(project.path / rel), "--key", keyfile(project, who),
                      "--as", who, "-m", "ok")


def state(project: Project, rel: str) -> dict:  # type: ignore[type-arg]
    r = project.rk("status", "--format", "json")
    assert r.code in (0, 1), r.output
    rows = [a for a in json.loads(r.out)["articles"] if a["path"] == rel]
    assert rows, r.out
    return rows[0]  # type: ignore[no-any-return]


def with_languages(project: Project, **languages: list[str]) -> None:
    people = default_reviewers(project.reviewer, project.second, project.editor)
    for p in people:
        if p["id"] in languages:
            p["languages"] = languages[str(p["id"])]
    project.repo.write("reviewers.yaml", registry_yaml(people))


def set_policy(project: Project, extra: str) -> None:
    path = project.path / "reviewkit.yaml"
    text = path.read_text()
    path.write_text(text.replace("policy:\n", "policy:\n" + extra, 1))


def spanish(project: Project, *, source_digest: str | None = None) -> None:
    """Translate the skeleton: Spanish title, description and body (front matter kept)."""
    path = project.path / ES
    text = path.read_text()
    fm, _ = text[4:].split("\n---\n", 1)
    fm = re.sub(r"^title: .*$", 'title: "Cómo afrontar la preocupación"', fm, flags=re.M)
    fm = re.sub(r"^description: .*$", 'description: "Una breve descripción del artículo."',
                fm, flags=re.M)
    fm = re.sub(r"^draft: .*$", "draft: false", fm, flags=re.M)
    if source_digest is not None:
        fm = re.sub(r"^source_digest: .*$", f'source_digest: "{source_digest}"', fm, flags=re.M)
    path.write_text("---\n" + fm + "\n---\n" + SPANISH_BODY)


def source_digest_of(project: Project) -> str:
    m = re.search(r'^source_digest: "(sha256:[0-9a-f]{64})"$', (project.path / ES).read_text(),
                  re.M)
    assert m is not None
    return m.group(1)


@pytest.fixture
def translated(project: Project) -> Project:
    """The English article approved; its Spanish translation made, written and committed;
    mokafor reads English and Spanish, dwhitfield only the default (en)."""
    with_languages(project, mokafor=["en", "ES"])  # case does not matter (BCP 47)
    project.repo.commit("mokafor reads Spanish")
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    r = project.rk("translate", str(project.path / A), "--lang", "es")
    assert r.code == 0, r.output
    assert "created" in r.out and "next:" in r.out
    spanish(project)
    project.repo.commit("Spanish translation")
    return project


def test_translate_writes_a_draft_skeleton_and_never_overwrites(project: Project) -> None:
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    r = project.rk("translate", str(project.path / A), "--lang", "es")
    assert r.code == 0, r.output
    text = (project.path / ES).read_text()
    src = state(project, A)
    assert "draft: true" in text and "lang: es" in text
    assert f"translation_of: {src['id']}" in text
    assert f'source_digest: "{src["digest"]}"' in text
    assert "A short introduction for readers." in text  # the text to translate
    assert not re.search(rf"^id: {src['id']}$", text, re.M)  # its own id
    again = project.rk("translate", str(project.path / A), "--lang", "es")
    assert again.code == 2 and "already exists" in again.err
    assert (project.path / ES).read_text() == text
    assert project.rk("validate", str(project.path / ES)).code == 0  # judged with its source


def test_translate_starts_from_the_approved_version_not_the_work_tree(
        project: Project) -> None:
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    approved = state(project, A)["digest"]
    en = project.path / A
    en.write_text(en.read_text().replace("Coping with worry", "Coping with worry, edited")
                  .replace("Plain words", "Unreviewed words"))
    project.repo.commit("an edit nobody approved yet")
    r = project.rk("translate", str(project.path / A), "--lang", "es")
    assert r.code == 0, r.output
    text = (project.path / ES).read_text()
    assert f'source_digest: "{approved}"' in text
    assert "Plain words" in text and "Unreviewed words" not in text
    assert "edited" not in text
    outside = project.rk("translate", str(project.path / "reviewkit.yaml"), "--lang", "es")
    assert outside.code == 2 and "not an article" in outside.err


def test_translate_refuses_an_unapproved_source_unless_allowed(project: Project) -> None:
    r = project.rk("translate", str(project.path / A), "--lang", "es")
    assert r.code == 1 and "has no approved version" in r.err
    assert not (project.path / ES).exists()
    r = project.rk("translate", str(project.path / A), "--lang", "es", "--allow-unapproved")
    assert r.code == 0 and "not approved" in r.out


@pytest.mark.parametrize("lang", ["", "e", "español", "es_MX", "еs"])  # Cyrillic е last
def test_translate_refuses_a_bad_language_tag(project: Project, lang: str) -> None:
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    r = project.rk("translate", str(project.path / A), "--lang", lang)
    assert r.code == 2 and "not a language tag" in r.err


def test_translation_review_flow_end_to_end(translated: Project) -> None:
    project = translated
    # a clinician who does not read Spanish is refused up front, with the reason
    r = approve(project, ES, "dwhitfield")
    assert r.code == 1  # type: ignore[attr-defined]
    assert "dwhitfield does not read es (languages: en" in r.err  # type: ignore[attr-defined]
    assert state(project, ES)["state"] == "draft"
    # one who does is counted
    assert approve(project, ES, "mokafor").code == 0  # type: ignore[attr-defined]
    assert state(project, ES)["state"] == "approved"

    # the English edited and re-approved: the Spanish is source_changed, with the diff
    en = project.path / A
    en.write_text(en.read_text().replace("Plain words about the topic.",
                                         "Plain words about the topic, and what helps."))
    project.repo.commit("English update")
    assert state(project, ES)["state"] == "approved"  # the edit alone is not approved yet
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    es = state(project, ES)
    assert es["state"] == "source_changed" and es["live"] is True
    assert "the source changed" in es["reasons"][0] and A in es["reasons"][0]
    assert "source_digest:" in es["fix"]
    review = project.rk("review", str(project.path / ES), "--no-color")
    assert review.code == 0, review.output
    assert "+Plain words about the topic, and what helps." in review.out
    assert "-Plain words about the topic." in review.out
    assert "set source_digest: sha256:" in review.out
    # the default policy keeps the approved translation live, with a warning
    gate = project.rk("gate", "--format", "json")
    assert gate.code == 0, gate.output
    assert [w["path"] for w in json.loads(gate.out)["warnings"]] == [ES]
    # queue and due list it
    queue = project.rk("queue", "--format", "json")
    assert "coping-with-worry.es.md" in queue.out
    assert "coping-with-worry.es.md" in project.rk("due", "--format", "json").out

    # updated from the source and approved again
    spanish(project, source_digest=state(project, A)["digest"])
    project.repo.commit("Spanish follows the English update")
    assert approve(project, ES, "mokafor").code == 0  # type: ignore[attr-defined]
    assert state(project, ES)["state"] == "approved"
    assert project.rk("gate").code == 0

    # publish: both pages, hreflang both ways, the translation's own reviewer
    out = project.path.parent / "bundle"
    r = project.rk("publish", "--out", str(out), "--format", "html")
    assert r.code == 0, r.output
    en_page = (out / "coping-with-worry.html").read_text()
    es_page = (out / "coping-with-worry-es.html").read_text()
    for page in (en_page, es_page):
        assert 'hreflang="es" href="coping-with-worry-es.html"' in page
        assert 'hreflang="en" href="coping-with-worry.html"' in page
        assert 'hreflang="x-default" href="coping-with-worry.html"' in page
    assert '<html lang="es">' in es_page and '"inLanguage": "es"' in es_page
    assert '"inLanguage": "en"' in en_page
    assert "Michael Okafor" in es_page and "Dana Whitfield" not in es_page
    assert "Dana Whitfield" in en_page


def test_withdraw_policy_fails_the_gate_and_holds_the_translation_back(
        translated: Project) -> None:
    project = translated
    config = project.path / "reviewkit.yaml"  # init writes the default, keep
    config.write_text(config.read_text().replace("source_changed: keep", "source_changed: withdraw"))
    project.repo.commit("withdraw outdated translations")
    assert approve(project, ES, "mokafor").code == 0  # type: ignore[attr-defined]
    en = project.path / A
    en.write_text(en.read_text().replace("Plain words", "Simple words"))
    project.repo.commit("English update")
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    es = state(project, ES)
    assert es["state"] == "source_changed" and es["live"] is False
    gate = project.rk("gate")
    assert gate.code == 1 and "gate-source-changed" in project.rk(
        "gate", "--format", "github").output or "source changed" in gate.output
    out = project.path.parent / "bundle"
    r = project.rk("publish", "--out", str(out))
    assert r.code == 0, r.output
    assert (out / "coping-with-worry.md").exists()
    assert not (out / "coping-with-worry-es.md").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert [h["path"] for h in manifest["held_back"]] == [ES]


def test_a_source_approved_on_an_unmerged_branch_does_not_change_main(
        translated: Project) -> None:
    """The translation follows the source as it stands in the tree being judged: an
    approval of another version on a branch not merged yet (the ledger is shared) neither
    warns nor withdraws on main; on that branch the translation is source_changed."""
    project = translated
    config = project.path / "reviewkit.yaml"
    config.write_text(config.read_text().replace("source_changed: keep", "source_changed: withdraw"))
    project.repo.commit("withdraw outdated translations")
    assert approve(project, ES, "mokafor").code == 0  # type: ignore[attr-defined]
    main = project.repo.git("rev-parse", "--abbrev-ref", "HEAD").strip()
    project.repo.git("switch", "-q", "-c", "src-edit")
    en = project.path / A
    en.write_text(en.read_text().replace("Plain words", "Simple words"))
    project.repo.commit("English update, on a branch")
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    assert state(project, ES)["state"] == "source_changed"
    assert project.rk("gate", "--no-cache").code == 1
    project.repo.git("switch", "-q", main)
    for args in (("--no-cache",), (), ()):  # no cache, a cold one, a warm one
        assert project.rk("gate", *args).code == 0, args
    es = state(project, ES)
    assert es["state"] == "approved", es["reasons"]


def test_publish_lists_a_kept_translation_as_published_with_a_notice(
        translated: Project) -> None:
    """source_changed: keep serves the translation as it stands: publish says so, and does
    not count it among the articles not published at their current version."""
    project = translated
    assert approve(project, ES, "mokafor").code == 0  # type: ignore[attr-defined]
    en = project.path / A
    en.write_text(en.read_text().replace("Plain words", "Simple words"))
    project.repo.commit("English update")
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    r = project.rk("publish", "--out", str(project.path.parent / "bundle"))
    assert r.code == 0, r.output
    assert "1 article published with a notice:" in r.out
    assert f"{ES}: served, source changed" in r.out
    assert "not published at" not in r.out


def test_a_forged_source_digest_is_withdrawn_not_kept(translated: Project) -> None:
    """A source_digest that names no approved source version: never served."""
    project = translated
    spanish(project, source_digest="sha256:" + "ab" * 32)
    project.repo.commit("forged")
    assert approve(project, ES, "mokafor").code == 0  # type: ignore[attr-defined]
    es = state(project, ES)
    assert es["state"] == "source_changed" and es["live"] is False
    assert "not an approved version of the source" in es["reasons"][0]
    assert project.rk("gate").code == 1


def _write_translation(project: Project, rel: str, id: str, *, of: str, lang: str = "es",
                       digest: str = "sha256:" + "0" * 64, slug: str = "t-es") -> None:
    from conftest import article

    text = article(id=id, slug=slug)
    extra = f"lang: {lang}\ntranslation_of: {of}\nsource_digest: \"{digest}\"\n"
    project.repo.write(rel, text.replace("citations: []\n", "citations: []\n" + extra, 1))


SOURCE_ID = "01JDX3Q7G6M2N8P4R5S6T7V8W9"


@pytest.mark.parametrize(("of", "lang", "message"), [
    ("01JDX3Q7G6M2N8P4R5S6T7V8XX", "es", "no article has id"),
    (SOURCE_ID, "EN", "is in en too"),  # case does not make another language
    (SOURCE_ID, "en-us", None),  # a regional variant is another language tag: allowed
])
def test_catalogue_checks_of_translations(project: Project, of: str, lang: str,
                                          message: str | None) -> None:
    _write_translation(project, "content/articles/t.md", "01JDX3Q7G6M2N8P4R5S6T7V8Y0",
                       of=of, lang=lang)
    r = project.rk("validate", "--format", "json")
    findings = [f for f in json.loads(r.out)["findings"] if f["rule"] == "translation"]
    if message is None:
        assert findings == [], findings
        return
    assert findings and message in findings[0]["message"], findings
    assert findings[0]["line"] == 14  # the line of translation_of


def test_translation_of_a_translation_itself_and_duplicates(project: Project) -> None:
    _write_translation(project, "content/articles/t1.md", "01JDX3Q7G6M2N8P4R5S6T7V8Y1",
                       of=SOURCE_ID, slug="t1")
    _write_translation(project, "content/articles/t2.md", "01JDX3Q7G6M2N8P4R5S6T7V8Y2",
                       of=SOURCE_ID, lang="ES", slug="t2")  # "ES" is "es"
    _write_translation(project, "content/articles/t3.md", "01JDX3Q7G6M2N8P4R5S6T7V8Y3",
                       of="01JDX3Q7G6M2N8P4R5S6T7V8Y1", lang="fr", slug="t3")
    _write_translation(project, "content/articles/t4.md", "01JDX3Q7G6M2N8P4R5S6T7V8Y4",
                       of="01JDX3Q7G6M2N8P4R5S6T7V8Y4", lang="de", slug="t4")
    r = project.rk("validate", "--format", "json")
    got = {(f["path"], f["message"]) for f in json.loads(r.out)["findings"]
           if f["rule"] == "translation"}
    text = "\n".join(f"{p}: {m}" for p, m in sorted(got))
    assert "t1.md: translation_of: content/articles/t2.md translates the same source" in text
    assert "t2.md: translation_of: content/articles/t1.md translates the same source" in text
    assert "t3.md: translation_of: content/articles/t1.md is itself a translation" in text
    assert "t4.md: translation_of: names the article itself" in text
    assert r.code == 1


@pytest.mark.parametrize(("extra", "message"), [
    ("lang: es\ntranslation_of: 01JDX3Q7G6M2N8P4R5S6T7V8W9\n", "needs source_digest"),
    ("lang: es\ntranslation_of: 01JDX3Q7G6M2N8P4R5S6T7V8W9\nsource_digest: sha256:abc\n",
     "is not a content digest"),
    ("source_digest: \"sha256:" + "0" * 64 + "\"\n", "only a translation has one"),
    ("lang: \"es\\u0301\"\n", "not a language tag"),
])
def test_malformed_translation_fields_are_findings(project: Project, extra: str,
                                                  message: str) -> None:
    from conftest import article

    text = article(id="01JDX3Q7G6M2N8P4R5S6T7V8Y5", slug="t5")
    project.repo.write("content/articles/t5.md",
                       text.replace("citations: []\n", "citations: []\n" + extra, 1))
    r = project.rk("validate", str(project.path / "content/articles/t5.md"), "--format", "json")
    assert r.code == 1
    msgs = [f["message"] for f in json.loads(r.out)["findings"]]
    assert any(message in m for m in msgs), msgs


def test_sample_translation_validates() -> None:
    """The project's own sample content includes a translated article: valid, no findings
    but the note that Spanish has no word lists, made from the English sample as it is."""
    from reviewkit.record.catalogue import load_catalogue
    from reviewkit.record.project import load_project

    project = load_project(Path(__file__).resolve().parents[1])
    results = {r.path: r for r in load_catalogue(project).results}
    es = results["content/es/articles/como-afrontar-los-ataques-de-panico.md"]
    en = results["content/articles/coping-with-panic-attacks.md"]
    assert es.summary is not None and en.summary is not None
    assert [f.rule for f in es.findings] == ["rule-language"], es.findings
    assert es.summary.translation_of == en.summary.id and es.summary.lang == "es"
    # edit the English sample and this translation's source_digest must follow
    assert es.summary.source_digest == en.summary.digest


def test_translate_writes_into_the_language_content_root(project: Project) -> None:
    path = project.path / "reviewkit.yaml"
    path.write_text(path.read_text().replace("content: [content/articles]",
                                             "content: [content/articles, content/es/articles]"))
    (project.path / "content/es/articles").mkdir(parents=True)
    (project.path / "content/es/articles/.gitkeep").write_text("")
    project.repo.commit("a folder for Spanish")
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    r = project.rk("translate", str(project.path / A), "--lang", "es", "--slug",
                   "como-afrontar-la-preocupacion")
    assert r.code == 0, r.output
    made = project.path / "content/es/articles/como-afrontar-la-preocupacion.md"
    assert "slug: como-afrontar-la-preocupacion" in made.read_text()
    assert not (project.path / ES).exists()


SPANISH_LIST = """\
safe-messaging:
  mentions:
    - phrase: [suicidio]
"""


def test_rules_run_with_the_word_list_of_the_article_language(project: Project) -> None:
    """English lists never run on Spanish text: without a Spanish list the word rules are
    skipped, said once for all such articles; with one, they run with it."""
    from conftest import article

    for i, slug in enumerate(("uno", "dos")):
        text = article(id=f"01JDX3Q7G6M2N8P4R5S6T7V8Z{i}", slug=slug,
                       body="Si piensas en el suicidio, no estás solo.\n")
        project.repo.write(f"content/articles/{slug}.md",
                           text.replace("citations: []\n", "citations: []\nlang: es\n"))
    r = project.rk("validate", "--format", "json")
    notes = [f for f in json.loads(r.out)["findings"] if f["rule"] == "rule-language"]
    assert len(notes) == 1 and notes[0]["level"] == "info", notes
    assert notes[0]["message"].startswith("no es word list; rules ")
    assert "safe-messaging" in notes[0]["message"]
    assert notes[0]["message"].endswith("skipped for 2 articles")
    # the publication's Spanish list: safe-messaging runs, and asks for a crisis resource
    project.repo.write("wordlists/es.yaml", SPANISH_LIST)
    path = project.path / "reviewkit.yaml"
    assert "rules: {}\n" in path.read_text()
    path.write_text(path.read_text().replace(
        "rules: {}\n", "rules:\n  languages: {es: [wordlists/es.yaml]}\n"))
    r = project.rk("validate", "--format", "json")
    findings = json.loads(r.out)["findings"]
    notes = [f["message"] for f in findings if f["rule"] == "rule-language"]
    assert notes == ["es: English only; rule readability skipped for 2 articles"], notes
    crisis = [f for f in findings if f["rule"] == "safe-messaging" and "suicidio" in f["message"]]
    assert {f["path"] for f in crisis} == {"content/articles/uno.md", "content/articles/dos.md"}


# --- the field parser and language matching, on any input ------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_any = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=80),
                 st.lists(st.text(max_size=5), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2))
_tag = st.from_regex(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,2}", fullmatch=True)


@settings(deadline=None, suppress_health_check=list(HealthCheck))
@given(fm=st.dictionaries(st.sampled_from(["id", "lang", "translation_of", "source_digest"]),
                          _any, max_size=4))
def test_translation_fields_never_raise_and_accept_only_well_formed_values(
        fm: dict[str, object]) -> None:
    from reviewkit.article.translation import DIGEST_RE, ID_RE, LANG_RE, read_fields

    fields, findings = read_fields("x.md", fm, lambda keys: (3, 1))
    assert all(f.rule == "translation" and f.is_error and f.line == 3 for f in findings)
    if fields.lang is not None:
        assert LANG_RE.fullmatch(fields.lang) and fields.lang.isascii()
    if fields.translation_of is not None:
        assert ID_RE.fullmatch(fields.translation_of) and fields.translation_of != fm.get("id")
    if fields.source_digest is not None:
        assert DIGEST_RE.fullmatch(fields.source_digest) and fields.translation_of is not None
    if "translation_of" in fm and not findings:
        assert fields.translation_of is not None and fields.source_digest is not None


@settings(deadline=None, suppress_health_check=list(HealthCheck))
@given(tag=_tag, other=_tag)
def test_language_matching_ignores_case_and_covers_subtags(tag: str, other: str) -> None:
    from reviewkit.article.translation import reads

    assert reads([tag], tag.upper(), "en") and reads([tag.lower()], tag.swapcase(), "en")
    assert reads([tag], f"{tag}-x1", "en")  # a tag reads its regional variants
    assert reads(None, tag, tag)  # no languages: the default only
    if reads([other], tag, "en"):
        assert tag.lower() == other.lower() or tag.lower().startswith(other.lower() + "-")
