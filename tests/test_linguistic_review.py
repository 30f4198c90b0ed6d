"""The optional language review of translations (issue 18: "also require a second,
linguistic review role if the publication wants"), end to end on a real repository with
real keys: ``policy.translations.linguistic_review: true`` and a reviewer with the
``linguist`` role. The decision itself is tabled in test_policy.py (``lr-*`` cases)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from test_translations import ES, approve, spanish, state

from conftest import Key, Project, default_reviewers, registry_yaml, translations_setting

LINGUIST = {"id": "lmarin", "name": "Lucia Marin", "email": "l.marin@example.org",
            "roles": ["linguist"], "languages": ["es"]}


def people(project: Project, linguist: Key, *, mokafor: list[str] | None = None,
           **extra: dict[str, object]) -> None:
    rows = default_reviewers(project.reviewer, project.second, project.editor)
    for p in rows:
        if p["id"] == "mokafor":
            p["languages"] = mokafor or ["en", "es"]
        if p["id"] in extra:
            p.update(extra[str(p["id"])])
    rows.append({**LINGUIST, "keys": [linguist.line]})
    project.repo.write("reviewers.yaml", registry_yaml(rows))


def as_linguist(project: Project, linguist: Key, *args: str) -> object:
    return project.rk(*args, "--key", str(linguist.private), "--as", "lmarin")


def linguistic_review(project: Project, on: bool = True) -> None:
    translations_setting(project, f"linguistic_review: {'true' if on else 'false'}")


@pytest.fixture
def linguist(keys: Callable[[str], Key]) -> Key:
    return keys("lmarin")


@pytest.fixture
def spanish_project(project: Project, linguist: Key) -> Project:
    """English approved; its Spanish translation written and committed; mokafor (MD)
    reads Spanish, lmarin is a linguist who reads Spanish; the policy asks for a language
    review."""
    people(project, linguist)
    linguistic_review(project)
    project.repo.commit("Spanish reviewers; language review required")
    assert approve(project, "content/articles/coping-with-worry.md", "dwhitfield").code == 0  # type: ignore[attr-defined]
    r = project.rk("translate", str(project.path / "content/articles/coping-with-worry.md"),
                   "--lang", "es")
    assert r.code == 0, r.output
    spanish(project)
    project.repo.commit("Spanish translation")
    return project


def test_a_translation_needs_both_reviews_end_to_end(spanish_project: Project,
                                                     linguist: Key) -> None:
    project = spanish_project
    assert project.rk("submit", str(project.path / ES)).code == 0
    # the clinician first: counted, but the translation waits for its language review
    r = approve(project, ES, "mokafor")
    assert r.code == 0, r.output  # type: ignore[attr-defined]
    assert "counts as: the clinical sign-off (MD); a linguist who reads es" in r.out  # type: ignore[attr-defined]
    es = state(project, ES)
    assert es["state"] == "in_review" and es["needs_language_review"] == "es"
    assert any("needs a language review by a reader of es (linguist)" in x for x in es["reasons"])
    assert "a linguist who reads es runs: reviewkit review" in es["fix"]
    assert project.rk("gate").code == 1
    # the linguist sees it in their queue; a clinician who was not asked does not
    mine = project.rk("queue", "--mine", "--as", "lmarin")
    assert ES in mine.out and "needs a language review (es)" in mine.out, mine.output
    assert ES not in project.rk("queue", "--mine", "--as", "dwhitfield").out
    # the linguist's approval completes the pair
    r = as_linguist(project, linguist, "approve", str(project.path / ES), "-m", "bien")
    assert r.code == 0, r.output  # type: ignore[attr-defined]
    assert "counts as: the language review (es), never a clinical sign-off" in r.out  # type: ignore[attr-defined]
    es = state(project, ES)
    assert es["state"] == "approved" and es["needs_language_review"] is None
    assert [a["actor"] for a in es["approvals"]] == ["mokafor"]
    assert ES not in project.rk("queue", "--mine", "--as", "lmarin").out
    assert project.rk("gate").code == 0
    # the byline names the clinical reviewer only
    out = project.path.parent / "bundle"
    assert project.rk("publish", "--out", str(out), "--format", "html").code == 0
    page = (out / "coping-with-worry-es.html").read_text()
    assert "Michael Okafor" in page and "Lucia Marin" not in page
    # the linguist's request for changes revokes the pair
    r = as_linguist(project, linguist, "request-changes", str(project.path / ES),
                    "-m", "La frase sobre la ayuda no es natural.")
    assert r.code == 0, r.output  # type: ignore[attr-defined]
    assert state(project, ES)["state"] == "changes_requested"


def test_a_linguist_alone_never_approves_and_is_refused_where_it_cannot_count(
        spanish_project: Project, linguist: Key) -> None:
    project = spanish_project
    # an editor may ask the linguist for the review of a translation, not of an original
    assert project.rk("submit", str(project.path / ES), "--reviewer", "lmarin").code == 0
    r = project.rk("submit", str(project.path / "content/articles/coping-with-worry.md"),
                   "--reviewer", "lmarin")
    assert r.code == 2 and "not a clinical reviewer" in r.err, r.output
    r = as_linguist(project, linguist, "approve", str(project.path / ES), "-m", "bien")
    assert r.code == 0, r.output  # type: ignore[attr-defined]
    es = state(project, ES)
    assert es["state"] == "in_review" and es["approvals"] == []
    assert any("awaiting the clinical sign-off" in x for x in es["reasons"])
    assert project.rk("gate").code == 1
    # on the English source a language review counts for nothing: refused up front
    r = as_linguist(project, linguist, "approve",
                    str(project.path / "content/articles/coping-with-worry.md"))
    assert r.code == 1  # type: ignore[attr-defined]
    assert "a language review counts only on a translation" in r.err  # type: ignore[attr-defined]
    r = as_linguist(project, linguist, "request-changes",
                    str(project.path / "content/articles/coping-with-worry.md"), "-m", "x")
    assert r.code == 1 and "only clinical reviewers (and linguists" in r.err  # type: ignore[attr-defined]


def test_without_the_setting_a_linguist_cannot_approve(project: Project, linguist: Key) -> None:
    people(project, linguist)
    project.repo.commit("a linguist, no language review asked")
    assert approve(project, "content/articles/coping-with-worry.md", "dwhitfield").code == 0  # type: ignore[attr-defined]
    assert project.rk("translate", str(project.path / "content/articles/coping-with-worry.md"),
                      "--lang", "es").code == 0
    spanish(project)
    project.repo.commit("es")
    r = as_linguist(project, linguist, "approve", str(project.path / ES))
    assert r.code == 1  # type: ignore[attr-defined]
    assert "policy.translations.linguistic_review is off" in r.err  # type: ignore[attr-defined]
    assert approve(project, ES, "mokafor").code == 0  # type: ignore[attr-defined]
    assert state(project, ES)["state"] == "approved"


def test_one_person_with_both_roles(spanish_project: Project) -> None:
    project = spanish_project
    rows = default_reviewers(project.reviewer, project.second, project.editor)
    for p in rows:
        if p["id"] == "mokafor":
            p["roles"], p["languages"] = ["clinical_reviewer", "linguist"], ["en", "es"]
    project.repo.write("reviewers.yaml", registry_yaml(rows))
    project.repo.commit("mokafor also reviews Spanish for language")
    r = approve(project, ES, "mokafor")
    assert r.code == 0, r.output  # type: ignore[attr-defined]
    assert "not both" in r.out  # type: ignore[attr-defined]
    es = state(project, ES)
    assert es["state"] == "in_review"
    assert any("other than mokafor" in x for x in es["reasons"]), es["reasons"]
    translations_setting(project, "one_reviewer_for_both: true")
    project.repo.commit("one person may give both")
    assert state(project, ES)["state"] == "approved"


@pytest.mark.parametrize(("yaml", "message"), [
    ("linguistic_review: maybe", "linguistic_review"),
    ("linguist_review: true", "linguist_review"),
    ("one_reviewer_for_both: 2", "one_reviewer_for_both"),
])
def test_bad_settings_are_refused(project: Project, yaml: str, message: str) -> None:
    translations_setting(project, yaml)
    r = project.rk("status")
    assert r.code == 2 and message in r.err, r.output


def test_the_linguist_role_is_validated(project: Project, linguist: Key) -> None:
    rows = default_reviewers(project.reviewer, project.second, project.editor)
    rows.append({**LINGUIST, "roles": ["linguistt"], "keys": [linguist.line]})
    project.repo.write("reviewers.yaml", registry_yaml(rows))
    r = project.rk("status")
    assert r.code == 2 and "reviewers.yaml:" in r.err and "'linguist'" in r.err, r.output


def test_publish_strict_refuses_a_kept_source_changed_translation(project: Project,
                                                                   linguist: Key) -> None:
    """policy.translations.source_changed: keep serves the outdated translation with a
    note; --strict refuses the release instead, naming it, and writes nothing."""
    people(project, linguist)
    project.repo.commit("Spanish reviewers")
    en = "content/articles/coping-with-worry.md"
    assert approve(project, en, "dwhitfield").code == 0  # type: ignore[attr-defined]
    assert project.rk("translate", str(project.path / en), "--lang", "es").code == 0
    spanish(project)
    project.repo.commit("es")
    assert approve(project, ES, "mokafor").code == 0  # type: ignore[attr-defined]
    path = project.path / en
    path.write_text(path.read_text().replace("Plain words", "Simple words"))
    project.repo.commit("English update")
    assert approve(project, en, "dwhitfield").code == 0  # type: ignore[attr-defined]
    assert state(project, ES)["state"] == "source_changed"
    strict = project.path.parent / "strict"
    r = project.rk("publish", "--out", str(strict), "--strict")
    assert r.code == 1, r.output
    assert "publish refused (--strict)" in r.err and f"{ES}: served, source changed" in r.err
    assert not strict.exists()
    out = project.path.parent / "bundle"
    r = project.rk("publish", "--out", str(out))
    assert r.code == 0 and (out / "coping-with-worry-es.md").exists(), r.output
    assert "source changed" in r.output
