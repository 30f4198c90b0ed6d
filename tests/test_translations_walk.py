"""Defects found by walking the translation workflow as a team would (editor, clinicians
who read one or two languages, CI), each through the CLI on a throwaway repository."""

from __future__ import annotations

import json

from test_translations import ES, approve, translated  # noqa: F401  (fixture)

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
