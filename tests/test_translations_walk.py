"""Defects found by walking the translation workflow as a team would (editor, clinicians
who read one or two languages, CI), each through the CLI on a throwaway repository."""

from __future__ import annotations

import json

from test_translations import ES, A, approve, translated  # noqa: F401  (fixture)

from conftest import Project


def test_a_translation_checked_by_path_is_judged_against_the_whole_catalogue(
        translated: Project) -> None:  # noqa: F811
    """`validate PATH` / `status PATH` on a translation (as the guide shows): its source is
    outside the selection but in the catalogue, so there is no "no article has id" error."""
    project = translated
    r = project.rk("validate", "--format", "json", str(project.path / ES))
    assert r.code == 0, r.output
    assert not [f for f in json.loads(r.out)["findings"] if f["rule"] == "translation"]
    st = project.rk("status", "--format", "json", str(project.path / ES))
    assert [a["state"] for a in json.loads(st.out)["articles"]] == ["draft"], st.out
    # a second Spanish translation: the duplicate is still found when only one is checked
    (project.path / "content/articles/dup.es.md").write_text(_second(project))
    dup = project.rk("validate", "--format", "json", str(project.path / ES))
    assert dup.code == 1
    assert any("translates the same source into es" in f["message"]
               for f in json.loads(dup.out)["findings"]), dup.out


def _second(project: Project) -> str:
    import re

    text = (project.path / ES).read_text()
    text = re.sub(r"^id: .*$", "id: 01JDX3Q7G6M2N8P4R5S6T7V8Z9", text, count=1, flags=re.M)
    return re.sub(r"^slug: .*$", "slug: dup-es", text, count=1, flags=re.M)


def _source_changed(project: Project) -> None:
    """The Spanish approved; the English edited and approved again."""
    assert approve(project, ES, "mokafor").code == 0  # type: ignore[attr-defined]
    en = project.path / A
    en.write_text(en.read_text().replace("Plain words about the topic.",
                                         "Plain words about the topic, and what helps."))
    project.repo.commit("English update")
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]


def test_due_lists_a_source_changed_translation_as_due_now_not_at_its_approval_date(
        translated: Project) -> None:  # noqa: F811
    project = translated
    _source_changed(project)
    r = project.rk("due", "--within", "400d")
    assert r.code == 0, r.output
    first = r.out.splitlines()[0]
    assert first.startswith("SOURCE CHANGED now  " + ES), r.out
    assert "update the translation" in first
    # the English article's own re-review date still prints as a date
    assert any(line.startswith("due 20") and A + " " in line for line in r.out.splitlines())
