"""Defects found by walking the translation workflow as a team would (editor, clinicians
who read one or two languages, CI), each through the CLI on a throwaway repository."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from test_translations import ES, A, approve, spanish, state, translated, with_languages  # noqa: F401  (fixture)

from conftest import GitRepo, Project


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


def test_gate_warns_about_a_kept_source_changed_translation_as_a_warning(
        translated: Project, tmp_path: Path) -> None:  # noqa: F811
    """It was printed as "note: warning: …" and annotated on GitHub as a ::notice."""
    project = translated
    _source_changed(project)
    text = project.rk("gate")
    assert text.code == 0, text.output
    assert f"WARNING {ES} [source changed]" in text.out
    assert "note: warning" not in text.out
    gh = project.rk("gate", "--format", "github")
    assert gh.code == 0
    warn = [line for line in gh.out.splitlines() if line.startswith("::warning")]
    assert len(warn) == 1 and f"file={ES}," in warn[0] and "source_digest:" in warn[0]
    assert "::notice" not in gh.out
    summary = tmp_path / "summary.md"
    assert project.rk("gate", "--summary", str(summary)).code == 0
    assert f"**Warning:** `{ES}`" in summary.read_text()
    sarif = json.loads(project.rk("gate", "--format", "sarif").out)
    levels = {(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]}
    assert ("gate-source-changed", "warning") in levels


def test_the_translate_marker_left_in_a_published_translation_is_an_error(
        project: Project) -> None:
    """English word lists are skipped for Spanish, so nothing caught a skeleton whose title
    still said "TRANSLATE: …" once it was set draft: false."""
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    assert project.rk("translate", str(project.path / A), "--lang", "es").code == 0
    draft = project.rk("validate", "--format", "json", str(project.path / ES))
    assert draft.code == 0, draft.output
    marks = [f for f in json.loads(draft.out)["findings"] if "TRANSLATE:" in f["message"]]
    assert [(f["level"], f["line"]) for f in marks] == [("info", 3), ("info", 5)], marks
    es = project.path / ES
    es.write_text(es.read_text().replace("draft: true", "draft: false"))
    r = project.rk("validate", str(es))
    assert r.code == 1
    assert f"{ES}:3:8: error[translation]: title: still starts with 'TRANSLATE:'" in r.out
    project.repo.commit("forgot to translate the title")
    assert project.rk("gate").code == 1
    spanish(project)  # translated: title and description in Spanish
    done = project.rk("validate", "--format", "json", str(es))
    assert not [f for f in json.loads(done.out)["findings"] if "TRANSLATE:" in f["message"]]


def test_submit_refuses_to_ask_a_reviewer_who_does_not_read_the_language(
        translated: Project) -> None:  # noqa: F811
    """`submit --reviewer dwhitfield` on a Spanish page put it in her `queue --mine`,
    though she could never approve it; the translation's review stalled."""
    project = translated
    r = project.rk("submit", str(project.path / ES), "--reviewer", "dwhitfield")
    assert r.code == 2
    assert ("--reviewer dwhitfield: dwhitfield does not read es (languages: en, the "
            "default); ask a clinical reviewer who reads es") in r.err
    assert state(project, ES)["state"] == "draft"  # nothing recorded
    ok = project.rk("submit", str(project.path / ES), "--reviewer", "mokafor")
    assert ok.code == 0, ok.output
    assert state(project, ES)["state"] == "in_review"
    # the source, in the default language, may still be sent to her
    assert project.rk("submit", str(project.path / A), "--reviewer", "dwhitfield").code == 0


def test_review_of_a_source_changed_translation_gives_the_next_step_not_itself(
        translated: Project) -> None:  # noqa: F811
    """`review x.es.md` ended with "→ reviewkit review x.es.md shows what changed in the
    source; …": the command the user had just run."""
    project = translated
    _source_changed(project)
    r = project.rk("review", str(project.path / ES))
    assert r.code == 0, r.output
    last = r.out.rstrip().splitlines()[-1]
    assert last.startswith("→ the source's changes are above: update the translation, set "
                           "source_digest: sha256:"), last
    assert f"then reviewkit submit {ES}" in last and "reviewkit review" not in last
    # status, which shows no diff, still points at review
    assert "reviewkit review" in state(project, ES)["fix"]


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e527de000000"
                    "0049454e44ae426082")


def test_a_translation_in_the_language_folder_keeps_the_source_images(
        project: Project, tmp_path: Path) -> None:
    """In content/es/articles the skeleton kept `img/chart.png` from content/articles:
    validate said asset-missing; pointing at `../../articles/img/chart.png` passed validate
    and the gate, but publish then held the approved translation back (an asset must lie in
    its article's folder). translate now copies the files the text shows beside it."""
    path = project.path / "reviewkit.yaml"
    path.write_text(path.read_text().replace("content: [content/articles]",
                                             "content: [content/articles, content/es/articles]"))
    project.repo.write("content/es/articles/.gitkeep", "")
    with_languages(project, mokafor=["en", "es"])
    project.repo.write("content/articles/img/chart.png", PNG)
    project.repo.write("content/es/articles/img/kept.png", b"already translated")
    project.repo.write("content/articles/img/kept.png", PNG)
    en = project.path / A
    en.write_text(en.read_text().replace(
        "## Find care", "![A chart](img/chart.png)\n\nSee [the chart](img/chart.png#top), "
        "[a page](https://example.org/img/chart.png) and <img src=\"img/kept.png\" alt=\"\">."
        "\n\n## Find care"))
    project.repo.commit("a folder for Spanish; images")
    assert project.rk("validate", str(en)).code == 0
    assert approve(project, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    r = project.rk("translate", str(en), "--lang", "es", "--slug", "preocupacion")
    assert r.code == 0, r.output
    assert "copied content/es/articles/img/chart.png" in r.out
    assert "kept.png" not in r.out  # never overwritten
    es_dir = project.path / "content/es/articles"
    assert (es_dir / "img/chart.png").read_bytes() == PNG
    assert (es_dir / "img/kept.png").read_bytes() == b"already translated"
    made = es_dir / "preocupacion.md"
    assert "![A chart](img/chart.png)" in made.read_text()
    v = project.rk("validate", "--format", "json", str(made))
    assert not [f for f in json.loads(v.out)["findings"] if f["rule"].startswith("asset")], v.out
    # and it publishes once approved, with its own copy of the image
    spanish_text = made.read_text().replace("TRANSLATE: ", "").replace("draft: true",
                                                                       "draft: false")
    made.write_text(spanish_text)
    # the bundle is flat: a different image under the same name would collide (guide)
    (es_dir / "img/kept.png").write_bytes(PNG)
    project.repo.commit("Spanish, with its images")
    assert approve(project, "content/es/articles/preocupacion.md", "mokafor").code == 0  # type: ignore[attr-defined]
    out = tmp_path / "bundle"
    pub = project.rk("publish", "--out", str(out), "--format", "html")
    assert pub.code == 0 and "held back" not in pub.out, pub.output
    assert (out / "preocupacion.html").exists()


def test_an_asset_above_the_article_folder_is_a_finding_not_a_surprise_at_publish(
        project: Project) -> None:
    """`![x](../shared/x.png)` passed validate and the gate, then publish held the approved
    article back ("lies outside the article's folder"): now validate and the gate say so."""
    project.repo.write("content/shared/x.png", PNG)
    en = project.path / A
    en.write_text(en.read_text().replace("## Find care", "![x](../shared/x.png)\n\n## Find care"))
    project.repo.commit("a shared image")
    r = project.rk("validate", str(en))
    assert r.code == 1
    assert ("error[asset-outside]: image '../shared/x.png' lies outside the article's folder "
            "(content/articles)") in r.out
    assert project.rk("gate").code == 1


def test_queue_says_a_source_changed_translation_waits_for_its_editor(
        translated: Project) -> None:  # noqa: F811
    """queue showed "submitted 2026-…" (the old submission) for a translation nobody had
    resubmitted, with `reviewkit review` as if a clinician could act."""
    project = translated
    _source_changed(project)
    r = project.rk("queue")
    assert r.code == 0, r.output
    block = r.out.split(f"{ES}  [source_changed]", 1)[1].splitlines()
    assert "submitted" not in block[1] and "the source changed" in block[1]
    assert block[2].strip().startswith("→ first its editor updates it: reviewkit review")


def test_init_tells_a_new_publication_about_languages_and_the_translation_policy(
        git_repo: Callable[..., GitRepo]) -> None:
    """init's reviewers.yaml and reviewkit.yaml said nothing of `languages` or
    `policy.translations`: a team learnt of them only when approve refused."""
    from conftest import rk

    repo = git_repo()
    assert rk("init", cwd=repo.path).code == 0
    registry = (repo.path / "reviewers.yaml").read_text()
    config = (repo.path / "reviewkit.yaml").read_text()
    assert "# languages: the languages a clinical reviewer reads" in registry
    assert "    source_changed: keep" in config
    assert rk("status", "--format", "json", cwd=repo.path).code == 0  # still loads
