"""Attacks on translations (issue 18): an approval by someone who does not read the
language, a reader added in the change under test, a translation that points at itself or
in a cycle, a forged or unapproved source version, and language tags that look alike."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import test_translations as tr
from _sec import A_ID, A, approve, gate
from test_translations import translated  # noqa: F401  (a fixture)

from conftest import (
    Key,
    Project,
    article,
    default_reviewers,
    git,
    put_event,
    registry_yaml,
    translations_setting,
)

ES = "content/articles/coping-with-worry.es.md"
ES_ID = "01JDX3Q7G6M2N8P4R5S6T7V8Y9"


def _digest(project: Project, rel: str) -> str:
    r = project.rk("status", "--format", "json", str(project.path / rel))
    return str(json.loads(r.out)["articles"][0]["digest"])


def _spanish(project: Project, *, of: str = A_ID, made_from: str | None = None,
             lang: str = "es", id: str = ES_ID, rel: str = ES, slug: str = "x-es") -> None:
    digest = made_from or _digest(project, A)
    text = article(id=id, slug=slug).replace(
        "citations: []\n",
        f"citations: []\nlang: {lang}\ntranslation_of: {of}\nsource_digest: \"{digest}\"\n", 1)
    project.repo.write(rel, text)


def _readers(project: Project, **languages: list[str]) -> None:
    people = default_reviewers(project.reviewer, project.second, project.editor)
    for p in people:
        if p["id"] in languages:
            p["languages"] = languages[str(p["id"])]
    project.repo.write("reviewers.yaml", registry_yaml(people))


def _state(doc: dict, rel: str) -> dict:  # type: ignore[type-arg]
    rows = [s for s in doc["blocked"] + doc["approved"] if s["path"] == rel]
    assert rows, doc
    return rows[0]  # type: ignore[no-any-return]


def test_approval_by_a_non_reader_forged_onto_the_ledger_does_not_count(
        project: Project) -> None:
    """approve refuses it up front; written straight onto the ledger, the gate ignores it
    with the same reason."""
    approve(project)
    _spanish(project)
    project.repo.commit("es")
    key = project.reviewer
    r = project.rk("approve", str(project.path / ES), "--key", str(key.private),
                   "--as", "dwhitfield")
    assert r.code == 1 and "dwhitfield does not read es (languages: en" in r.err
    put_event(project.path, "approved", ES, "dwhitfield", key, credential="LPC")
    code, doc = gate(project)
    assert code == 1
    blocked = _state(doc, ES)
    assert any("dwhitfield does not read es" in x["reason"] for x in blocked["rejected"])


def test_a_reader_added_in_the_change_under_test_does_not_count(project: Project) -> None:
    """reviewers.yaml comes from the trust ref: languages added by the pull request itself
    are not trusted."""
    approve(project)
    _spanish(project)
    project.repo.commit("es")
    git(project.path, "update-ref", "refs/remotes/origin/main", "HEAD")  # the base
    _readers(project, dwhitfield=["en", "es"])
    project.repo.commit("dwhitfield now 'reads' Spanish")
    put_event(project.path, "approved", ES, "dwhitfield", project.reviewer, credential="LPC")
    code, doc = gate(project, "--trust-ref", "origin/main")
    assert code == 1
    assert any("dwhitfield does not read es" in x["reason"] for x in _state(doc, ES)["rejected"])
    # without a trust ref (the local view) the registry of the work tree applies
    assert gate(project)[0] == 0


def test_translation_of_itself_or_in_a_cycle_is_invalid(project: Project) -> None:
    _spanish(project, of=ES_ID)  # itself
    b_id, c_id = "01JDX3Q7G6M2N8P4R5S6T7V8YB", "01JDX3Q7G6M2N8P4R5S6T7V8YC"
    _spanish(project, of=c_id, id=b_id, rel="content/articles/b.md", slug="b", lang="fr")
    _spanish(project, of=b_id, id=c_id, rel="content/articles/c.md", slug="c", lang="de")
    project.repo.commit("loops")
    code, doc = gate(project)
    assert code == 1
    for rel in (ES, "content/articles/b.md", "content/articles/c.md"):
        assert _state(doc, rel)["state"] == "invalid"
    reasons = " ".join(r for s in doc["blocked"] for r in s["reasons"])
    assert "names the article itself" in reasons
    assert "is itself a translation" in reasons


def test_a_forged_source_digest_is_never_served(project: Project) -> None:
    approve(project)
    _spanish(project, made_from="sha256:" + "ab" * 32)
    _readers(project, mokafor=["es"])
    project.repo.commit("es")
    approve(project, "mokafor", ES)
    code, doc = gate(project)
    assert code == 1
    st = _state(doc, ES)
    assert st["state"] == "source_changed" and st["live"] is False
    assert "not an approved version of the source" in st["reasons"][0]


def test_a_translation_of_an_unapproved_source_is_never_served(project: Project) -> None:
    """The source was never approved: its current digest, claimed as source_digest, does
    not make the translation publishable (nor an approval revoked later)."""
    _spanish(project)  # the source's current (unapproved) digest
    _readers(project, mokafor=["es"])
    project.repo.commit("es")
    approve(project, "mokafor", ES)
    code, doc = gate(project)
    st = _state(doc, ES)
    assert code == 1 and st["state"] == "source_changed" and st["live"] is False
    assert "has no approved version" in st["reasons"][0]


def test_lookalike_and_case_variant_language_tags(project: Project) -> None:
    approve(project)
    _spanish(project, lang="\u0435s")  # Cyrillic е: not a language tag
    project.repo.commit("es")
    r = project.rk("validate", "--format", "json")
    assert r.code == 1
    assert any(f["path"] == ES and f["rule"] in ("translation", "schema-pattern")
               for f in json.loads(r.out)["findings"])
    # "ES" and "es" are one language: two translations of one source into it
    _spanish(project, lang="es")
    _spanish(project, lang="ES", id="01JDX3Q7G6M2N8P4R5S6T7V8YD", rel="content/articles/d.md",
             slug="d")
    project.repo.commit("twice")
    r = project.rk("validate", "--format", "json")
    dup = [f for f in json.loads(r.out)["findings"] if "translates the same source" in
           f["message"]]
    assert {f["path"] for f in dup} == {ES, "content/articles/d.md"}


def test_source_paths_from_the_ledger_are_confined_to_the_content_roots(
        project: Project) -> None:
    """The events name a path; finding a source by it never reads outside a content root."""
    from reviewkit.record.project import load_project
    from reviewkit.review.translate import _article_path

    p = load_project(project.path)
    assert _article_path(p, A)
    for bad in ("../etc/passwd.md", "content/articles/../../x.md", "/etc/x.md",
                "content/articles\\x.md", "reviewers.yaml", "content/articlesX/y.md", ""):
        assert not _article_path(p, bad), bad


# --- the optional language review (policy.translations.linguistic_review) ---------------------

LINGUIST_ROW = {"id": "lmarin", "name": "Lucia Marin", "email": "l.marin@example.org",
                "roles": ["linguist"], "languages": ["es"]}


def _with_linguist(project: Project, linguist: object, *, on: bool = True,
                   **languages: list[str]) -> None:
    people = default_reviewers(project.reviewer, project.second, project.editor)
    for p in people:
        if p["id"] in languages:
            p["languages"] = languages[str(p["id"])]
    people.append({**LINGUIST_ROW, "keys": [linguist.line]})  # type: ignore[attr-defined]
    project.repo.write("reviewers.yaml", registry_yaml(people))
    if on:
        translations_setting(project, "linguistic_review: true")


@pytest.mark.parametrize("on", [True, False])
def test_a_linguist_approval_never_passes_a_clinically_unreviewed_translation(
        project: Project, keys: Callable[[str], Key], on: bool) -> None:
    """However many language reviews, written straight onto the ledger: without a
    clinical sign-off the translation is neither approved by the gate nor published."""
    linguist, second = keys("lmarin"), keys("ncortes")
    approve(project)
    _with_linguist(project, linguist, on=on, mokafor=["es"])
    doc = json.loads(project.repo.read("reviewers.yaml"))
    doc["reviewers"].append({"id": "ncortes", "name": "Noa Cortes",
                             "email": "n.cortes@example.org", "roles": ["linguist"],
                             "languages": ["es"], "keys": [second.line]})
    project.repo.write("reviewers.yaml", registry_yaml(doc["reviewers"]))
    _spanish(project)
    project.repo.commit("es, untranslated")
    put_event(project.path, "approved", ES, "lmarin", linguist)
    put_event(project.path, "approved", ES, "lmarin", linguist, credential="MD")
    put_event(project.path, "approved", ES, "ncortes", second)
    code, doc = gate(project)
    assert code == 1
    st = _state(doc, ES)
    assert st["state"] != "approved" and st["approvals"] == []
    out = project.path.parent / "bundle"
    r = project.rk("publish", "--out", str(out))
    assert r.code == 0, r.output
    assert [h["path"] for h in json.loads((out / "manifest.json").read_text())["held_back"]] == [ES]
    assert not (out / "x-es.md").exists()


def test_a_clinical_approval_alone_is_not_served_when_a_language_review_is_required(
        project: Project, keys: Callable[[str], Key]) -> None:
    """The clinical half alone: not approved, not published (publish reads the same rule)."""
    linguist = keys("lmarin")
    approve(project)
    _with_linguist(project, linguist, mokafor=["es"])
    _spanish(project)
    project.repo.commit("es")
    approve(project, "mokafor", ES)
    code, doc = gate(project)
    assert code == 1 and _state(doc, ES)["state"] == "in_review"
    out = project.path.parent / "bundle"
    assert project.rk("publish", "--out", str(out)).code == 0
    assert not (out / "x-es.md").exists()
    put_event(project.path, "approved", ES, "lmarin", linguist)
    assert gate(project)[0] == 0


def test_a_linguist_role_added_in_the_change_under_test_does_not_count(
        project: Project, keys: Callable[[str], Key]) -> None:
    """reviewers.yaml comes from the trust ref: a pull request that makes someone a
    linguist (here a clinician who does not read Spanish) cannot supply the language
    review."""
    approve(project)
    _readers(project, mokafor=["es"])
    translations_setting(project, "linguistic_review: true")
    _spanish(project)
    project.repo.commit("es; language review required")
    git(project.path, "update-ref", "refs/remotes/origin/main", "HEAD")  # the base
    people = default_reviewers(project.reviewer, project.second, project.editor)
    for p in people:
        if p["id"] == "mokafor":
            p["languages"] = ["es"]
        if p["id"] == "dwhitfield":
            p["roles"], p["languages"] = ["clinical_reviewer", "linguist"], ["en", "es"]
    project.repo.write("reviewers.yaml", registry_yaml(people))
    project.repo.commit("dwhitfield is now a Spanish 'linguist'")
    approve(project, "mokafor", ES)
    put_event(project.path, "approved", ES, "dwhitfield", project.reviewer)
    code, doc = gate(project, "--trust-ref", "origin/main")
    assert code == 1
    st = _state(doc, ES)
    assert st["state"] == "in_review"
    assert any("needs a language review by a reader of es" in r for r in st["reasons"])
    # without a trust ref (the local view) the registry of the work tree applies
    assert gate(project)[0] == 0



def test_an_unapproved_translation_does_not_pass_because_its_source_changed(
        translated: Project) -> None:  # noqa: F811
    """An approved Spanish page is edited after its approval (stale); then the English
    source is approved again. The translation is source_changed, but its current content
    was never approved: the kept-live rule (policy.translations.source_changed: keep) is
    for an approved translation only and must not let the gate pass this one."""
    project = translated
    assert tr.approve(project, tr.ES, "mokafor").code == 0  # type: ignore[attr-defined]
    es = project.path / tr.ES
    es.write_text(es.read_text() + "\nUn párrafo nuevo que nadie ha revisado.\n")
    project.repo.commit("unreviewed Spanish edit")
    assert tr.state(project, tr.ES)["state"] == "stale"
    en = project.path / tr.A
    en.write_text(en.read_text().replace("Plain words", "Simple words"))
    project.repo.commit("English update")
    assert tr.approve(project, tr.A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    got = tr.state(project, tr.ES)
    assert got["state"] == "source_changed" and got["live"] is False, got
    gate = project.rk("gate")
    assert gate.code == 1, gate.output
