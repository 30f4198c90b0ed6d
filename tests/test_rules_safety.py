"""Content rules a clinical editor trusts (issue 15): suicide/self-harm methods and crisis
resources by locale, the medication guard, severity by harm, unsourced authority,
leftovers, and readability that names the hardest paragraphs.

Each rule has true positives and the false positives it must not raise (clinical
vocabulary used correctly)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reviewkit.base.errors import ConfigError
from reviewkit.base.findings import Finding
from reviewkit.rules import RULE_IDS, Linter, RulesConfig
from reviewkit.rules._words import forms, phrase_regex

from conftest import Project, article, examples, rk

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
REAL = DATA / "real-length-article.md"
CRISIS = "\n\nIf you are thinking about suicide, call or text 988.\n"


def split(path: Path) -> tuple[dict[str, Any], str, int]:
    lines = path.read_text(encoding="utf-8").split("\n")
    end = lines.index("---", 1)
    fm = YAML(typ="safe").load("\n".join(lines[1:end]))
    return fm, "\n".join(lines[end + 1 :]), end + 2


def lint(body: str, rule: str | None = None, fm: dict[str, Any] | None = None,
         root: Path = REPO, word_lists: list[str] | None = None,
         level: str | None = None, languages: dict[str, list[str]] | None = None,
         **options: Any) -> list[Finding]:
    data: dict[str, Any] = {}
    if rule is not None:
        data = {r: "off" for r in RULE_IDS}
        data[rule] = {"options": options, **({"level": level} if level else {})}
    if word_lists:
        data["word_lists"] = word_lists
    if languages:
        data["languages"] = languages
    linter = Linter(RulesConfig.model_validate(data), root=root, known_slugs=[])
    return linter.lint(body, fm or {}, path="x.md", body_line=1)


def col_of(body: str, needle: str) -> tuple[int, int]:
    for i, line in enumerate(body.split("\n"), start=1):
        if needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(needle)


# --- safe-messaging: methods ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,needle",
    [
        ("Her brother took his own life by overdosing on her pills.", "by overdosing"),
        ("Her brother hanged himself in 2019.", "hanged himself"),
        ("The report said he was hanging himself when found.", "hanging himself"),
        ("He hung himself in the barn.", "hung himself"),
        ("She overdosed on purpose last spring.", "overdosed on purpose"),
        ("He died by suicide. He jumped from the bridge near his home.", "jumped from the bridge"),
        ("After years of suicidal thoughts she jumped off the roof of her building.",
         "jumped off the roof"),
        ("He shot himself with his father's pistol.", "shot himself"),
        ("She slit her wrists when she was sixteen.", "slit her wrists"),
        ("He wanted to end his life and swallowed a bottle of pills.", "swallowed a bottle of"),
        ("Self-harm can include cutting yourself with a razor blade.", "cutting yourself"),
    ],
)
def test_method_descriptions_are_errors(text: str, needle: str) -> None:
    body = "Intro.\n\n" + text + CRISIS
    found = lint(body, "safe-messaging")
    assert [f.level for f in found] == ["error"], found
    assert (found[0].line, found[0].col) == col_of(body, needle)
    assert "method" in found[0].message and found[0].suggestion is not None
    assert "without the method" in found[0].suggestion


@pytest.mark.parametrize(
    "text",
    [
        # harm reduction: overdose as a clinical term, no suicide context in the paragraph
        "Anyone who uses opioids can overdose on them, even the first time. Carry naloxone.",
        "An overdose is a medical emergency. Call 911 and give naloxone if you have it.",
        "Deaths from overdose rose last year, and naloxone saves lives.",
        # jumping, hanging, shooting in their everyday senses
        "She jumped from the bridge into the lake on a summer dare.",
        "We hang out on Fridays. Hanging a picture can be calming.",
        "He shot a short video of the sunrise.",
        # a symptoms list with suicidal thoughts (and the crisis line)
        "Signs include:\n\n- low mood\n- suicidal thoughts\n- poor sleep",
        # a method only in code or a link target: not text readers see
        "Use `hanged himself` as a test string, and see [the guide](https://example.org/hanged-himself).",
    ],
)
def test_clinical_vocabulary_is_not_a_method(text: str) -> None:
    assert lint("Intro.\n\n" + text + CRISIS, "safe-messaging") == []


def test_method_needs_the_context_in_the_same_paragraph() -> None:
    # the crisis paragraph says "suicide": a method-like phrase two paragraphs up is
    # not a description of a suicide
    body = "Most people overdose on opioids by accident." + CRISIS
    assert lint(body, "safe-messaging") == []
    body = "He died by suicide; he overdosed on opioids." + CRISIS
    assert [f.line for f in lint(body, "safe-messaging")] == [1]


def test_explicit_method_counts_as_a_mention_needing_a_crisis_resource() -> None:
    found = lint("Her uncle hanged himself.\n", "safe-messaging")
    assert len(found) == 2
    assert any("crisis resource" in f.message for f in found)
    assert any("method" in f.message for f in found)


def test_methods_can_be_switched_off_and_extended_with_inflections(tmp_path: Path) -> None:
    assert lint("He hanged himself." + CRISIS, "safe-messaging", check_methods=False) == []
    (tmp_path / "extra.yaml").write_text(
        "safe-messaging:\n  methods:\n    - {id: drive, phrase: ['~drive off a cliff']}\n",
        encoding="utf-8")
    # "drove" is irregular and not in the built-in table: list it as its own phrase
    assert lint("She died by suicide; she drove off a cliff." + CRISIS, "safe-messaging",
                root=tmp_path, word_lists=["extra.yaml"]) == []
    found = lint("She died by suicide after driving off a cliff." + CRISIS, "safe-messaging",
                 root=tmp_path, word_lists=["extra.yaml"])
    assert len(found) == 1 and "driving off a cliff" in found[0].message


# --- safe-messaging: the whole family needs a crisis resource ----------------------------------


@pytest.mark.parametrize(
    "text,word",
    [
        ("Sometimes I want to die.", "want to die"),
        ("He said he would end his life.", "end his life"),
        ("I thought I might kill myself.", "kill myself"),
        ("Her sister took her own life in May.", "took her own life"),
        ("Teens who self-harm need support.", "self-harm"),
        ("He felt everyone would be better off without me.", "better off without me"),
    ],
)
def test_crisis_resource_required_for_the_whole_family(text: str, word: str) -> None:
    found = lint(text + "\n", "safe-messaging")
    assert len(found) == 1 and f"“{word}”" in found[0].message, found
    assert "988" in found[0].message
    assert lint(text + CRISIS, "safe-messaging") == []


def test_crisis_resource_by_locale() -> None:
    text = "If you have thoughts of suicide, you are not alone.\n\n"
    uk = text + "Call Samaritans free on 116 123.\n"
    us = text + "Call or text 988.\n"
    assert lint(us, "safe-messaging", fm={"lang": "en-US"}) == []
    assert lint(uk, "safe-messaging", fm={"lang": "en-GB"}) == []
    found = lint(us, "safe-messaging", fm={"lang": "en-GB"})
    assert len(found) == 1 and "116 123" in found[0].message
    assert found[0].suggestion is not None and "Samaritans" in found[0].suggestion
    # no lang: the default locale of the configuration, else crisis_resources (988)
    assert lint(us, "safe-messaging") == []
    assert len(lint(us, "safe-messaging", default_lang="en-GB")) == 1
    assert lint(uk, "safe-messaging", default_lang="en-gb") == []
    # a language without word lists: the rule is skipped (said once), never run with the
    # English lists; with the publication's French list, its French locale applies
    skipped = lint(us, "safe-messaging", fm={"lang": "fr-FR"})
    assert [(f.level, f.rule) for f in skipped] == [("info", "rule-language")]
    assert skipped[0].message == "no fr-fr word list; rule safe-messaging skipped"
    french = {"fr": ["tests/data/wordlists-fr.yaml"]}
    assert lint(us, "safe-messaging", fm={"lang": "fr-CA"}, languages=french,
                crisis_resources=["988"]) == []
    # the publication adds its own locales
    fr = text + "Appelez le 3114.\n"
    found = lint(fr, "safe-messaging", fm={"lang": "fr-FR"}, languages=french,
                 locales={"fr-FR": {"resources": ["3114"], "suggestion": "ajoutez le 3114"}})
    assert found == []
    found = lint(us, "safe-messaging", fm={"lang": "fr-FR"}, languages=french,
                 locales={"fr-FR": {"resources": ["3114"], "suggestion": "ajoutez le 3114"}})
    assert len(found) == 1 and found[0].suggestion == "ajoutez le 3114"


def test_lang_is_an_optional_schema_field(project: Project) -> None:
    text = article().replace("draft: false", "draft: true\nlang: en-GB")
    project.repo.write("content/articles/coping-with-worry.md", text)
    assert project.rk("validate").code == 0
    project.repo.write("content/articles/coping-with-worry.md",
                       text.replace("lang: en-GB", "lang: 'en GB!'"))
    r = project.rk("validate")
    assert r.code == 1 and "lang" in r.out


@settings(max_examples=examples(200), deadline=None)
@given(st.from_regex(r"[a-z]{2,9}", fullmatch=True))
def test_inflections_match_every_form_as_a_whole_word(word: str) -> None:
    rx = re.compile(rf"(?<!\w)(?:{phrase_regex('~' + word)})(?!\w)", re.IGNORECASE)
    for f in forms(word):
        assert rx.fullmatch(f)
        assert not rx.search(f"x{f}y")
    assert forms(word)[0] == word


def test_inflection_examples() -> None:
    assert set(forms("hang")) == {"hang", "hangs", "hanged", "hanging", "hung"}
    assert set(forms("overdose")) == {"overdose", "overdoses", "overdosed", "overdosing"}
    assert set(forms("jump")) == {"jump", "jumps", "jumped", "jumping"}
    assert {"stabbed", "stabbing"} <= set(forms("stab"))
    assert {"took", "taken", "taking"} <= set(forms("take"))


# --- medication ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,needle",
    [
        ("Many people take sertraline for depression.", "sertraline"),
        ("My doctor suggested ZOLOFT.", "ZOLOFT"),
        ("Lorazepam can help with short-term anxiety.", "Lorazepam"),
        ("Adderall is a stimulant.", "Adderall"),
        ("Some people take lithium for bipolar disorder.", "lithium"),
        ("Quetiapine may cause weight gain.", "Quetiapine"),
        ("The usual amount is 20 mg.", "20 mg"),
        ("A low dose is 0.5 mg.", "0.5 mg"),
        ("Take one tablet twice daily.", "twice daily"),
        ("The dose is one capsule once a day.", "once a day"),
    ],
)
def test_medicine_or_dose_without_the_topic_is_an_error(text: str, needle: str) -> None:
    body = "Intro.\n\n" + text + " [@src]\n"
    found = lint(body, "medication", fm={"topics": ["anxiety"]})
    assert len(found) == 1, found
    f = found[0]
    assert f.level == "error" and "lack “medication”" in f.message
    assert (f.line, f.col) == col_of(body, needle)
    assert lint(body, "medication", fm={"topics": ["anxiety", "medication"]}) == []


@pytest.mark.parametrize(
    "text",
    [
        "Therapy can help. Talk to your doctor about medication if you have questions.",
        "Some people use antidepressants; others prefer talk therapy. Both can help.",
        "Try to take a short walk once a day, and go to bed at the same time every night.",
        "Take your medication as your prescriber advised.",
        "A lithium battery powers the sleep tracker. Lithium-ion cells wear out.",
        "Amphetamine and other stimulant drugs can disturb sleep.",
        "Write down three good things twice a week.",
    ],
)
def test_therapy_article_without_a_drug_is_not_a_medication_article(text: str) -> None:
    assert lint("Intro.\n\n" + text + "\n", "medication", fm={"topics": ["therapy"]}) == []


def test_a_dose_needs_a_source_even_with_the_topic() -> None:
    fm = {"topics": ["medication"]}
    found = lint("Sertraline often starts at 50 mg once a day.\n", "medication", fm=fm)
    assert len(found) == 1 and "needs a source" in found[0].message
    assert found[0].col == len("Sertraline often starts at ") + 1
    assert lint("Sertraline often starts at 50 mg once a day [@label].\n", "medication",
                fm=fm) == []
    assert lint("It often starts at 50 mg ([label](https://example.org/l)).\n", "medication",
                fm=fm) == []
    assert lint("Sertraline often starts at 50 mg.\n", "medication", fm=fm,
                require_citation_for_doses=False) == []


def test_medication_topic_name_and_allow_list(tmp_path: Path) -> None:
    fm = {"topics": ["meds"]}
    assert lint("Fluoxetine is common.\n", "medication", fm=fm, topic="meds") == []
    (tmp_path / "allow.yaml").write_text("medication:\n  allow: [Fluoxetine]\n",
                                         encoding="utf-8")
    assert lint("Fluoxetine is common.\n", "medication", root=tmp_path,
                word_lists=["allow.yaml"]) == []


def test_medication_guard_blocks_sign_off_without_the_topic(project: Project) -> None:
    """The policy's medication credentials cannot be sidestepped by a missing tag: the
    article does not validate, so it can be neither submitted nor approved."""
    body = ("A short introduction for readers.\n\n## What it is\n\nSome people take "
            "escitalopram for worry.\n\n## Find care\n\nTalk to a licensed professional.\n\n"
            "*Clinically reviewed by Dana Whitfield, LPC — Clinical reviewer*\n\n"
            "## Editorial process\n\nEvery article is reviewed by a licensed clinician "
            "before it is published.\n")
    rel = str(project.path / "content/articles/coping-with-worry.md")
    project.repo.write("content/articles/coping-with-worry.md", article(body=body))
    project.repo.commit("names a medicine")
    r = project.rk("validate")
    assert r.code == 1 and "error[medication]" in r.out and "escitalopram" in r.out
    r = project.rk("approve", rel, "--key", str(project.reviewer.private), "--as", "dwhitfield")
    assert r.code == 1 and "does not validate" in r.out + r.err
    # tagged, it validates, and the LPC's approval does not count (MD, DO, NP, PharmD)
    project.repo.write("content/articles/coping-with-worry.md",
                       article(body=body, topics="anxiety, medication"))
    project.repo.commit("tag it")
    assert project.rk("validate").code == 0
    r = project.rk("approve", rel, "--key", str(project.reviewer.private), "--as", "dwhitfield")
    assert r.code == 1 and "MD" in r.out + r.err


# --- person-first severity ----------------------------------------------------------------------


def test_entry_levels_are_configurable_per_entry() -> None:
    body = "My uncle is an addict. I am so OCD about my desk. What a psycho.\n"
    found = lint(body, "person-first")
    assert [f.level for f in found] == ["error", "warning", "error"]
    found = lint(body, "person-first", levels={"addict": "warning", "so-ocd": "off"})
    assert [f.level for f in found] == ["warning", "error"]
    found = lint(body, "person-first", levels={"so-ocd": "error"})
    assert [f.level for f in found] == ["error", "error", "error"]
    with pytest.raises(ConfigError, match="no-such-entry"):
        lint(body, "person-first", levels={"no-such-entry": "off"})


def test_a_word_list_entry_sets_its_own_level(tmp_path: Path) -> None:
    (tmp_path / "extra.yaml").write_text(
        "person-first:\n  avoid:\n    - {id: basket-case, phrase: basket case, level: error}\n",
        encoding="utf-8")
    found = lint("He is a basket case.\n", "person-first", root=tmp_path,
                 word_lists=["extra.yaml"])
    assert [f.level for f in found] == ["error"]


def test_clinical_terms_stay_clean_with_severity() -> None:
    body = ("People with schizophrenia, bipolar disorder or a substance use disorder deserve "
            "care. A psychotic episode is treatable. Alcoholics Anonymous meets weekly.\n")
    assert lint(body, "person-first") == []


# --- unsourced authority --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "This is what experts call emotional numbing.",
        "Doctors agree that sleep matters.",
        "Experts say that walking helps.",
        "According to research, journaling reduces worry.",
        "Research shows that routines help.",
        "Scientists say the brain can change.",
        "Most therapists recommend starting small.",
    ],
)
def test_unsourced_authority_needs_a_citation(text: str) -> None:
    fm = {"citations": [{"id": "a", "title": "t"}]}
    found = lint("Intro.\n\n" + text + "\n", "citations", fm=fm)
    assert len(found) == 1 and found[0].line == 3 and found[0].level == "error", found
    assert lint("Intro.\n\n" + text + " [@a]\n", "citations", fm=fm) == []


CLINICAL = ("Cognitive behavioral therapy is effective for panic disorder. It reduces "
            "symptoms for many people. A diagnosis can be a relief.\n")


def test_uncited_clinical_article_gets_a_warning() -> None:
    found = lint(CLINICAL, "citations", fm={"draft": False})
    assert [(f.level, f.line) for f in found] == [("warning", 1)]
    assert "cites no source" in found[0].message
    # drafts, an article with citations, a link to a source, or too few statements: none
    assert lint(CLINICAL, "citations", fm={"draft": True}) == []
    assert lint(CLINICAL, "citations", fm={"citations": [{"id": "a", "title": "t"}]}) == []
    assert lint(CLINICAL + "\nSee [the guide](https://example.org/g).\n", "citations") == []
    assert lint("Therapy is effective for many.\n", "citations") == []
    assert lint(CLINICAL, "citations", min_clinical=0) == []


# --- leftovers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,needle",
    [
        ("Lorem ipsum dolor sit amet.", "Lorem ipsum"),
        ("TODO: add the second study.", "TODO"),
        ("The number of adults affected is TK.", "TK"),
        ("As [insert expert name] says, rest helps.", "[insert expert name]"),
        ("About XX% of adults have insomnia.", "XX%"),
    ],
)
def test_placeholders_are_errors_in_a_published_article(text: str, needle: str) -> None:
    body = "Intro.\n\n" + text + "\n"
    found = lint(body, "leftovers", fm={"draft": False})
    assert [f.level for f in found] == ["error"], found
    assert (found[0].line, found[0].col) == col_of(body, needle)
    found = lint(body, "leftovers", fm={"draft": True})
    assert [f.level for f in found] == ["info"]


@pytest.mark.parametrize(
    "text",
    [
        "Make a to-do list for the morning.",
        "The TKO scene was loud.",
        "Tk is a toolkit; todo lists help.",
        "About 20% of adults have insomnia.",
        "Insert the key and turn it.",
        "Roman numerals such as XX are rare.",
    ],
)
def test_placeholder_look_alikes_are_fine(text: str) -> None:
    assert lint("Intro.\n\n" + text + "\n", "leftovers", fm={"draft": False}) == []


def test_empty_sections() -> None:
    body = ("Intro.\n\n## Empty\n\n## With a subsection\n\n### Sub\n\nText.\n\n"
            "## Only a comment\n\n<!-- to write -->\n\n## Last\n")
    found = lint(body, "leftovers", fm={"draft": False})
    assert [(f.line, f.message) for f in found] == [
        (3, "the section “Empty” is empty"),
        (11, "the section “Only a comment” is empty"),
        (15, "the section “Last” is empty"),
    ]


def test_template_text_of_reviewkit_new_is_caught(git_repo: Any) -> None:
    repo = git_repo("site")
    assert rk("init", cwd=repo.path).code == 0
    assert rk("new", "Coping with worry", cwd=repo.path).code == 0
    rel = "content/articles/coping-with-worry.md"
    # a draft: reported as info, validate passes
    r = rk("validate", cwd=repo.path)
    assert r.code == 0 and "info[leftovers]" in r.out
    assert "no problems found (5 notes)" in r.out
    text = repo.read(rel).replace("draft: true", "draft: false")
    repo.write(rel, text)
    r = rk("validate", cwd=repo.path, )
    assert r.code == 1
    errors = [line for line in r.out.splitlines() if "error[leftovers]" in line]
    assert any("description is still the template" in e for e in errors)
    # every paragraph the template wrote, the call to action included
    assert sum("still the text `reviewkit new` wrote" in e for e in errors) == 4, errors
    assert any(f"{rel}:{len(text.splitlines())}:" in e for e in errors)


# --- readability --------------------------------------------------------------------------------

HARD = ("Comprehensive psychotherapeutic interventions necessitate considerable "
        "interdisciplinary coordination among practitioners.")
EASY = "Talk therapy works best when your care team works together. It helps."


def test_readability_names_the_hardest_paragraphs_and_skips_bylines_and_references() -> None:
    paras = [EASY] * 6 + [HARD, EASY, HARD + " " + HARD, EASY, HARD]
    body = "\n\n".join(paras) + "\n"
    found = lint(body, "readability", min_words=10)
    assert len(found) == 1
    lines = [int(m) for m in re.findall(r"line (\d+)", found[0].message)]
    assert sorted(lines) == [13, 17, 21] and len(lines) == 3
    # bylines and a reference list do not count
    easy = "\n\n".join([EASY] * 3)
    body = (easy + "\n\n*Medically reviewed by Dr. Interdisciplinary Considerationson, "
            "Psychopharmacologist*\n\n## References\n\n- " + HARD + "\n- " + HARD + "\n")
    assert lint(body, "readability", min_words=10) == []
    assert len(lint(body.replace("## References", "## More"), "readability", min_words=10)) == 1


def test_status_json_and_dashboard_show_the_reading_grade(project: Project, tmp_path: Path) -> None:
    r = project.rk("status", "--format", "json")
    assert r.code == 0, r.err
    row = json.loads(r.out)["articles"][0]
    # the conftest article is short: measured, but under min_words, so not graded
    assert row["readability"]["target"] == 8 and row["readability"]["grade"] is None
    rel = "content/articles/coping-with-worry.md"
    long_body = "\n\n".join([EASY] * 20) + "\n\n## Find care\n\nTalk to a professional.\n"
    project.repo.write(rel, article(body=long_body))
    project.repo.commit("longer")
    for _ in range(2):  # cold, then from the cache
        row = json.loads(project.rk("status", "--format", "json").out)["articles"][0]
        assert row["readability"]["grade"] is not None and row["readability"]["grade"] < 8
        assert row["readability"]["words"] > 100
    # the gate shares the cache and does not measure: status still has the grade after it
    project.rk("gate")
    row = json.loads(project.rk("status", "--format", "json").out)["articles"][0]
    assert row["readability"]["grade"] is not None
    out = tmp_path / "dash"
    assert project.rk("report", "--html", str(out)).code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Reading grade" in index and 'id="reading-summary"' in index
    data = json.loads((out / "dashboard.json").read_text(encoding="utf-8"))
    assert data["reading"]["graded"] == 1 and data["reading"]["target"] == 8


# --- the sample content and a real-length article -------------------------------------------------


def test_real_length_article_with_clinical_vocabulary_raises_nothing() -> None:
    fm, body, body_line = split(REAL)
    assert 6000 <= len(REAL.read_bytes()) <= 8000
    linter = Linter(RulesConfig(), root=REPO, known_slugs=[])
    assert linter.lint(body, fm, path=str(REAL), body_line=body_line) == []
    # without the medication topic it is an error (it names sertraline and gives a dose)
    fm["topics"] = ["depression"]
    found = linter.lint(body, fm, path=str(REAL), body_line=body_line)
    assert [f.rule for f in found] == ["medication"]


def test_the_repositorys_own_content_validates_clean() -> None:
    r = rk("validate", cwd=REPO)
    assert r.code == 0 and "no problems found" in r.out, r.out


def test_validate_cache_follows_the_packaged_word_lists(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cached findings are dropped when a packaged word list changes (an upgrade that adds
    a word must not be hidden by a warm cache of the same reviewkit version)."""
    from reviewkit.record.project import load_project
    from reviewkit.review.status import open_cache
    from reviewkit.rules import _words

    p = load_project(project.path)
    before = open_cache(p, lint=True).article_context
    assert open_cache(p, lint=True).article_context == before
    monkeypatch.setattr(_words, "packaged_digest", lambda: "0" * 64)
    assert open_cache(p, lint=True).article_context != before
