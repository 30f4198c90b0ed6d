"""Tests of the content rules (reviewkit.rules)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reviewkit.base.errors import ConfigError
from reviewkit.base.findings import Finding
from reviewkit.base.structs import ValidationError
from reviewkit.rules import RULE_IDS, Linter, RulesConfig

from conftest import examples

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "content" / "articles"
BAD = Path(__file__).resolve().parent / "data" / "bad-article.md"
SLUGS = ["fear-of-intimacy", "coping-with-panic-attacks", "supporting-a-friend-with-depression"]
FM: dict[str, Any] = {
    "title": "A title",
    "citations": [{"id": "smith2021", "title": "T", "url": "https://example.org/s"}],
}


def split(path: Path) -> tuple[dict[str, Any], str, int]:
    """Front matter, body and the file line of the body's first line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    fm = YAML(typ="safe").load("\n".join(lines[1:end]))
    return fm, "\n".join(lines[end + 1 :]), end + 2


def only(rule: str, level: str = "error", **options: Any) -> RulesConfig:
    data: dict[str, Any] = {r: {"level": "off"} for r in RULE_IDS}
    data[rule] = {"level": level, "options": options}
    return RulesConfig.model_validate(data)


_LINTERS: dict[str, Linter] = {}


def lint(
    body: str,
    rule: str | None = None,
    fm: dict[str, Any] | None = None,
    body_line: int = 1,
    **options: Any,
) -> list[Finding]:
    if options or rule is None:
        cfg = only(rule, **options) if rule else RulesConfig()
        linter = Linter(cfg, root=REPO, known_slugs=SLUGS)
    else:
        if rule not in _LINTERS:
            _LINTERS[rule] = Linter(only(rule), root=REPO, known_slugs=SLUGS)
        linter = _LINTERS[rule]
    return linter.lint(
        body, FM if fm is None else fm, path="content/articles/x.md", body_line=body_line
    )


def lines_of(findings: list[Finding]) -> list[int]:
    return [f.line for f in findings]


# --- sample content and the bad article ----------------------------------------------------


@pytest.mark.parametrize("path", sorted(ARTICLES.glob("*.md")), ids=lambda p: p.stem)
def test_sample_articles_pass_with_default_config(path: Path) -> None:
    fm, body, body_line = split(path)
    assert fm["slug"] == path.stem
    linter = Linter(RulesConfig(), root=REPO, known_slugs=[p.stem for p in ARTICLES.glob("*.md")])
    findings = linter.lint(body, fm, path=str(path), body_line=body_line)
    assert findings == [], "\n".join(f.format() for f in findings)


def test_sample_articles_exist_and_have_the_expected_shape() -> None:
    paths = sorted(ARTICLES.glob("*.md"))
    assert len(paths) == 3
    ids = set()
    for p in paths:
        fm, body, _ = split(p)
        ids.add(fm["id"])
        assert len(fm["id"]) == 26
        assert 600 <= len(body.split()) <= 1200
        # real articles carry neither: publish writes the byline, the template the note
        assert "Clinically reviewed by" not in body and "## Editorial process" not in body
    assert len(ids) == 3
    assert any("988" in split(p)[1] for p in paths)


def test_bad_article_raises_each_rule_once_on_the_right_line() -> None:
    fm, body, body_line = split(BAD)
    text = BAD.read_text(encoding="utf-8").split("\n")

    def line(needle: str) -> int:
        return next(i for i, s in enumerate(text, start=1) if needle in s)

    linter = Linter(RulesConfig(), root=REPO, known_slugs=SLUGS)
    findings = linter.lint(body, fm, path="bad-article.md", body_line=body_line)
    assert Counter(f.rule for f in findings) == {r: 1 for r in [*RULE_IDS, "suppression"]}
    where = {f.rule: f.line for f in findings}
    assert where == {
        "readability": line("Organizational considerations"),
        "count-matches-list": line("## Five tips"),
        "safe-messaging": line("committed suicide"),
        "person-first": line("an addict"),
        "citations": line("Studies show"),
        "links": line("no-such-article"),
        "structure": line("#### A skipped"),
        "suppression": line("<!-- reviewkit: allow person-first -->"),
        "medication": line("sertraline"),
        "leftovers": line("tips TK"),
    }
    # a draft: leftovers are info, not errors; a slur is an error even in a warning rule
    levels = {f.rule: f.level for f in findings}
    assert levels["leftovers"] == "info" and levels["person-first"] == "error"
    f = next(f for f in findings if f.rule == "safe-messaging")
    assert f.col == text[f.line - 1].index("committed suicide") + 1
    assert f.format().startswith(f"bad-article.md:{f.line}:{f.col}: error[safe-messaging]: ")
    assert f.suggestion is not None and "died by suicide" in f.suggestion


# --- count-matches-list ----------------------------------------------------------------------


def items(n: int, ordered: bool = False) -> str:
    return "\n".join(f"{i + 1}. item" if ordered else "- item" for i in range(n))


@pytest.mark.parametrize(
    "heading,n,expect",
    [
        ("Seven signs you may fear closeness", 7, False),
        ("Seven signs you may fear closeness", 6, True),
        ("3 ways to cope", 3, False),
        ("3 ways to cope", 4, True),
        ("Five tips", 2, True),
        ("The 10 common myths about therapy", 10, False),
        ("Our twenty-one questions", 20, True),
        ("How to cope: 4 strategies that work", 3, True),
    ],
)
def test_count_true_positives_and_matches(heading: str, n: int, expect: bool) -> None:
    body = f"Intro.\n\n## {heading}\n\nSome text first.\n\n{items(n, ordered=n % 2 == 0)}\n"
    found = lint(body, "count-matches-list")
    assert bool(found) == expect
    if expect:
        assert found[0].line == 3 and found[0].col == 4


def test_count_suggests_retitle_in_the_same_style() -> None:
    found = lint("## Seven signs\n\n" + items(6) + "\n", "count-matches-list")
    assert found[0].suggestion is not None and "“Six signs”" in found[0].suggestion
    assert "announces 7 items" in found[0].message and "has 6" in found[0].message


def test_count_only_top_level_items_and_only_first_list_of_section() -> None:
    body = "## Two ways\n\n- a\n  - nested\n  - nested\n- b\n\nMore:\n\n- x\n- y\n- z\n"
    assert lint(body, "count-matches-list") == []


def test_count_missing_list_and_subheadings() -> None:
    assert lines_of(lint("## Three ways to relax\n\nJust text.\n", "count-matches-list")) == [1]
    body = "## Three ways\n\n### One\n\ntext\n\n### Two\n\n### Three\n"
    assert lint(body, "count-matches-list") == []
    body = "## Three ways\n\nText.\n\n## Next section\n\n- a\n- b\n- c\n"
    assert lines_of(lint(body, "count-matches-list")) == [1]


@pytest.mark.parametrize(
    "heading",
    [
        "Why 988 matters",
        "Life after 40",
        "Two years later",
        "Five minutes of calm",
        "COVID-19 and sleep",
        "One thing to remember",
        "Step 2: talk to someone",
        "3 in 10 adults have anxiety",
        "The 12-step approach",
        "Seven is a lucky number",
        "Seven Days of rest",
    ],
)
def test_count_numbers_that_announce_no_list(heading: str) -> None:
    assert lint(f"## {heading}\n\nText only.\n", "count-matches-list") == []


# --- safe-messaging ----------------------------------------------------------------------------

RESOURCE = "\n\nCall or text 988 for the Suicide & Crisis Lifeline.\n"


@pytest.mark.parametrize(
    "phrase,suggestion",
    [
        ("committed suicide", "died by suicide"),
        ("Commit suicide", "died by suicide"),
        ("a successful suicide attempt", "died by suicide"),
        ("a completed suicide", "died by suicide"),
        ("a failed suicide attempt", "suicide attempt"),
        ("an unsuccessful suicide attempt", "suicide attempt"),
        ("the suicide epidemic", "rising suicide rates"),
        ("an epidemic of suicides", "rising suicide rates"),
    ],
)
def test_safe_messaging_phrases(phrase: str, suggestion: str) -> None:
    found = lint(f"Intro line.\nThe story said {phrase} here." + RESOURCE, "safe-messaging")
    assert len(found) == 1
    f = found[0]
    assert (f.line, f.col) == (
        2,
        len("The story said ")
        + 1
        + (phrase.find(" ") + 1 if phrase.startswith(("a ", "an ", "the ")) else 0),
    )
    assert f.suggestion == f"use “{suggestion}”"


def test_safe_messaging_phrase_across_a_line_break_and_in_emphasis() -> None:
    found = lint("He **committed\nsuicide** in 1990." + RESOURCE, "safe-messaging")
    assert lines_of(found) == [1]


@pytest.mark.parametrize(
    "text",
    [
        "Say “died by suicide”, not “committed suicide”.",
        'Avoid the phrase "committed suicide" in headlines.',
        "A suicide attempt is a medical emergency.",
        "She died by suicide in 2019.",
        "Use `committed suicide` only in code samples.",
    ],
)
def test_safe_messaging_correct_usage_and_quotes(text: str) -> None:
    assert lint(text + RESOURCE, "safe-messaging") == []


def test_safe_messaging_code_block_is_not_prose() -> None:
    body = "```\ncommitted suicide\n```\n\nText." + RESOURCE
    assert lint(body, "safe-messaging") == []


def test_crisis_resource_required_when_suicide_or_self_harm_mentioned() -> None:
    found = lint("Intro.\n\nSome teens self-harm when stressed.\n", "safe-messaging")
    assert lines_of(found) == [3]
    assert "988" in found[0].message and found[0].suggestion
    assert (
        lint("Intro.\n\nSome teens self-harm. Call [the line](tel:988).\n", "safe-messaging") == []
    )
    assert lint("Suicidal thoughts are common." + RESOURCE, "safe-messaging") == []
    assert lint("No mention of it here: a kind note about sleep.\n", "safe-messaging") == []


def test_crisis_resource_is_configurable() -> None:
    uk = {"crisis_resources": ["Samaritans", "116 123"]}
    body = "Thoughts of suicide are common. Call 988.\n"
    assert lines_of(lint(body, "safe-messaging", **uk)) == [1]
    assert lint("Thoughts of suicide. Call Samaritans on 116 123.\n", "safe-messaging", **uk) == []
    assert (
        lint(body.replace("Call 988.", ""), "safe-messaging", require_crisis_resource=False) == []
    )


# --- person-first -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,fragment,level",
    [
        ("My uncle is an addict.", "substance use disorder", "error"),
        ("Drug addicts deserve care.", "substance use disorder", "error"),
        ("Her father was an alcoholic.", "alcohol use disorder", "error"),
        ("He is a schizophrenic who lives nearby.", "person with schizophrenia", "error"),
        ("Schizophrenics are often misunderstood.", "person with schizophrenia", "error"),
        ("My sister is bipolar.", "bipolar disorder", "warning"),
        ("Depressives often sleep badly.", "person with depression", "warning"),
        ("He's crazy.", "describe", "warning"),
        ("That crazy guy from work.", "describe", "error"),
        ("A crazy person shouted.", "describe", "error"),
        ("She is so insane.", "describe", "warning"),
        ("He acted like a psycho.", "describe", "error"),
        ("The old lunatic asylum closed.", "describe", "error"),
        ("Services for the mentally ill are thin.", "people with mental illness", "error"),
        ("I am so OCD about my desk.", "particular", "warning"),
    ],
)
def test_person_first_true_positives(text: str, fragment: str, level: str) -> None:
    # slurs and dehumanising labels are errors by default; context-dependent terms keep
    # the rule's level (warning)
    found = lint("Intro.\n\n" + text + "\n", "person-first", level="warning")
    assert len(found) == 1, found
    assert found[0].line == 3 and found[0].level == level
    assert found[0].suggestion is not None and fragment in found[0].suggestion


@pytest.mark.parametrize(
    "text",
    [
        "Bipolar disorder is treatable.",
        "He was diagnosed with major depressive disorder.",
        "She had a depressive episode last winter.",
        "A person with schizophrenia may hear voices.",
        "He lives with bipolar I disorder and is doing well.",
        "A psychotic episode can be frightening.",
        "Addiction is a treatable condition; a person with a substance use disorder can recover.",
        "He went to Alcoholics Anonymous meetings.",
        "Limit alcoholic drinks to one a day.",
        "It is crazy how fast a year goes.",
        "The noise drove me crazy.",
        "Avoid calling anyone “crazy” or “psycho”.",
        'Words like "an addict" hurt.',
        "Psychological first aid helps.",
        "The insanity defense is rare.",
        "They are crazy about hiking.",
    ],
)
def test_person_first_false_positives(text: str) -> None:
    assert lint(text + "\n", "person-first") == []


# --- citations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Studies show that walking helps.",
        "Research suggests sleep matters.",
        "About 40% of adults snore.",
        "About 40 percent of adults snore.",
        "One in five adults has anxiety.",
        "A 2020 study found a link.",
        "According to recent research, naps help.",
        "Over 40 million adults have anxiety.",
    ],
)
def test_citations_claims_need_a_source(text: str) -> None:
    found = lint("Intro.\n\n" + text + "\n", "citations")
    assert lines_of(found) == [3]


@pytest.mark.parametrize(
    "text",
    [
        "Studies show that walking helps [@smith2021].",
        "Research suggests\nsleep matters, as [one review](https://example.org/r) notes.",
        "About 40% of adults snore [see @smith2021, p. 4].",
        "## Studies show a lot",
        "Be wary of articles that say “studies show” without a source.",
        "Call 988 at any time.",
        "Walk for 20 minutes a day.",
    ],
)
def test_citations_supported_or_not_claims(text: str) -> None:
    assert lint(text + "\n", "citations") == []


def test_citation_in_another_paragraph_does_not_count() -> None:
    found = lint("Studies show it works.\n\nSee [@smith2021].\n", "citations")
    assert lines_of(found) == [1]


def test_unknown_citation_ids() -> None:
    found = lint("As shown before [@smith2012; @smith2021].\n", "citations")
    assert len(found) == 1
    assert "[@smith2012]" in found[0].message
    assert found[0].col == len("As shown before [") + 1
    assert found[0].suggestion == "did you mean [@smith2021]?"
    assert lint("Email j.lee@example.org or [write us](mailto:a@example.org).\n", "citations") == []
    assert lint("[@x]\n", "citations", fm={"title": "t"})[0].suggestion.startswith("add")  # type: ignore[union-attr]


# --- links ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    [
        "/articles/fear-of-intimacy",
        "/articles/fear-of-intimacy/",
        "/articles/fear-of-intimacy#signs",
        "fear-of-intimacy.md",
        "./fear-of-intimacy.md#causes",
        "../articles/fear-of-intimacy.md",
        "https://example.org/a/b?c=d#e",
        "http://localhost:8080/x",
        "mailto:care@example.org",
        "tel:+1-800-555-0100",
        "#causes",
        "/about",
        "images/diagram.png",
    ],
)
def test_links_ok(href: str) -> None:
    assert lint(f"See [this]({href}).\n", "links") == []


@pytest.mark.parametrize(
    "href,fragment",
    [
        ("/articles/fear-of-intimcy", "did you mean /articles/fear-of-intimacy?"),
        ("fear-of-intimcy.md", "did you mean"),
        ("../drafts/fear-of-intimacy.md", "outside"),
        ("https//example.org", "missing ':'"),
        ("https:/example.org", "'//'"),
        ("https://exa_mple.org/x", "not well-formed"),
        ("https://example/x", "not well-formed"),
        ("https://example.org:99999/", "malformed"),
        ("www.example.org/page", "without https://"),
        ("mailto:nobody", "address"),
        ("ftp://example.org/file", "not allowed"),
        ("//example.org/x", "protocol-relative"),
    ],
)
def test_links_bad(href: str, fragment: str) -> None:
    found = lint(f"Intro.\n\nSee the [guide]({href}) now.\n", "links")
    assert len(found) == 1
    f = found[0]
    assert (f.line, f.col) == (3, len("See the ") + 1)
    assert fragment in f.message + " " + (f.suggestion or "")


def test_lazy_slugs_are_read_only_when_an_article_links_to_another() -> None:
    """``approve`` lists the committed catalogue's names only for an article with an
    internal link (LazySlugs); the findings are those of the listed names."""
    from reviewkit.rules import LazySlugs

    reads: list[int] = []

    def load() -> frozenset[str]:
        reads.append(1)
        return frozenset(SLUGS)

    linter = Linter(only("links"), root=REPO, known_slugs=LazySlugs(load))
    no_link = "Plain text, [a site](https://example.org/) and [a section](#causes).\n"
    assert linter.lint(no_link, FM, path="content/articles/x.md", body_line=1) == []
    assert reads == []
    for href, found in (("/articles/fear-of-intimacy", 0), ("/articles/fear-of-intimcy", 1)):
        got = linter.lint(f"See [this]({href}).\n", FM, path="content/articles/x.md", body_line=1)
        assert len(got) == found
    assert reads == [1]  # read once, then remembered
    assert "did you mean /articles/fear-of-intimacy?" in (got[0].suggestion or "")


def test_reference_links_and_autolinks_are_checked() -> None:
    body = "See [the guide][g] or <https://bad_host/x>.\n\n[g]: /articles/missing\n"
    found = lint(body, "links")
    assert [f.col for f in found] == [5, 23]


# --- readability -----------------------------------------------------------------------------

EASY = "We walk. We talk. It helps a lot. " * 40
HARD = (
    "Comprehensive psychotherapeutic interventions necessitate considerable interdisciplinary "
    "coordination, particularly regarding individualized accommodations. "
) * 10


def test_readability_warns_above_grade_and_is_configurable() -> None:
    found = lint("Intro line.\n\n" + HARD + "\n", "readability", level="warning")
    assert len(found) == 1 and found[0].level == "warning" and found[0].line == 1
    assert "Flesch-Kincaid" in found[0].message
    assert lint(EASY + "\n", "readability") == []
    assert lint(HARD + "\n", "readability", max_grade=60) == []
    assert lint("Interdisciplinary considerations.\n", "readability") == []  # too short to grade


def test_syllables_and_grade() -> None:
    from reviewkit.rules.readability import grade_of, syllables

    assert [syllables(w) for w in ["cat", "table", "therapy", "self-harm", "988"]] == [
        1,
        2,
        3,
        2,
        1,
    ]
    assert grade_of("The cat sat on the mat.") < 3
    assert grade_of(HARD) > 14


# --- structure -----------------------------------------------------------------------------

TAIL = (
    "\n\n*Clinically reviewed by Dana Whitfield, LPC — Clinical reviewer*\n\n"
    "## Editorial process\n\nEvery article is checked before it goes out.\n"
)


def test_structure_ok_and_levels() -> None:
    assert lint("Intro.\n\n## A\n\n### B\n\n## C" + TAIL, "structure") == []
    found = lint("Intro.\n\n# Title again\n\n## A\n\n#### D" + TAIL, "structure")
    assert lines_of(found) == [3, 7]
    assert "H1" in found[0].message and "h2 to h4" in found[1].message
    assert lines_of(lint("### Starts too deep" + TAIL, "structure")) == [1]


def test_structure_title_byline_and_note() -> None:
    assert lines_of(lint("Intro." + TAIL, "structure", fm={"citations": []}, body_line=9)) == [1]
    # by default the body needs neither: publish writes the byline, the site template the note
    assert lint("Intro line.\n\nText.\n", "structure") == []
    on = {"require_byline": True, "require_editorial_note": True}
    found = lint("Intro line.\n\nText.\n", "structure", **on)
    assert [f.message for f in found] == ["no clinical-review byline", "no editorial-process note"]
    assert lines_of(found) == [1, 1]
    note = "\n\nEvery article is reviewed by a licensed clinician before it is published.\n"
    byline = "\n\n**Clinically reviewed by Sam Ortiz, PsyD, MPH – Clinical reviewer.**"
    assert lint("Intro." + byline + note, "structure", **on) == []
    off = {"require_byline": False, "require_editorial_note": False}
    assert lint("Intro.\n", "structure", **off) == []
    custom = {"byline_pattern": r"Reviewed by .+", "require_editorial_note": False}
    assert lint("Intro.\n\nReviewed by Sam.\n", "structure", **custom) == []
    # a byline must be its own paragraph; a sentence that contains it does not count
    found = lint("See: Clinically reviewed by A, LPC — Clinical reviewer" + note, "structure", **on)
    assert [f.message for f in found] == ["no clinical-review byline"]


# --- suppression ----------------------------------------------------------------------------


def test_suppression_with_reason_covers_the_next_block_only() -> None:
    body = (
        "<!-- reviewkit: allow safe-messaging -- quoting a 1990s headline -->\n"
        "> Local man committed suicide,\n> the paper said.\n\n"
        "He committed suicide too.\n" + RESOURCE
    )
    assert lines_of(lint(body, "safe-messaging")) == [5]


def test_suppression_same_line_and_other_rules_unaffected() -> None:
    body = "Intro.\n\nHe's crazy. <!-- reviewkit: allow person-first -- a quoted tweet -->\n"
    assert lint(body, "person-first") == []
    body2 = "Intro.\n\nHe's crazy. <!-- reviewkit: allow citations -- not relevant -->\n"
    assert lines_of(lint(body2, "person-first")) == [3]


def test_suppression_without_reason_or_unknown_rule_is_a_finding() -> None:
    body = "<!-- reviewkit: allow person-first -->\nHe's crazy.\n"
    found = lint(body, "person-first")
    assert sorted((f.rule, f.line) for f in found) == [("person-first", 2), ("suppression", 1)]
    found = lint("<!-- reviewkit: allow spelling -- because -->\nText.\n", "person-first")
    assert [f.rule for f in found] == ["suppression"] and "spelling" in found[0].message
    found = lint("Text <!-- reviewkit: alow person-first -- x -->\n", "person-first")
    assert [f.message for f in found] == ["malformed reviewkit comment"]
    assert lint("```\n<!-- reviewkit: allow person-first -->\n```\n", "person-first") == []
    assert lint("<!-- an ordinary comment -->\nText.\n", "person-first") == []


def test_suppression_several_rules_and_heading() -> None:
    body = (
        "<!-- reviewkit: allow count-matches-list, person-first -- a series index -->\n"
        "## Seven crazy people\n\nText.\n"
    )
    linter = Linter(RulesConfig(structure="off"), root=REPO, known_slugs=SLUGS)
    assert linter.lint(body, FM, path="x.md", body_line=1) == []


# --- configuration ------------------------------------------------------------------------


def test_default_config_levels_and_aliases() -> None:
    cfg = RulesConfig()
    assert {r: cfg.settings(r).level for r in RULE_IDS} == {
        "count-matches-list": "error",
        "safe-messaging": "error",
        "person-first": "warning",
        "citations": "error",
        "links": "error",
        "readability": "warning",
        "structure": "error",
        "medication": "error",
        "leftovers": "error",
    }
    cfg = RulesConfig.model_validate(
        {"readability": "off", "person-first": {"options": {"check_headings": False}}}
    )
    assert cfg.readability.level == "off" and cfg.person_first.level == "warning"
    assert RulesConfig(safe_messaging={"level": "warning"}).safe_messaging.level == "warning"  # type: ignore[arg-type]
    dumped = cfg.model_dump(by_alias=True)
    assert "count-matches-list" in dumped and "word_lists" in dumped


@pytest.mark.parametrize(
    "data",
    [
        {"spelling": {"level": "error"}},
        {"links": {"level": "fatal"}},
        {"links": {"level": "error", "options": {"nope": 1}}},
        {"readability": {"level": "warning", "options": {"max_grade": "high"}}},
        {"structure": {"options": {"byline_pattern": "("}}},
    ],
)
def test_bad_config_is_rejected(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RulesConfig.model_validate(data)


def test_level_comes_from_config_and_off_means_nothing() -> None:
    body = "He committed suicide.\n"
    assert {f.level for f in lint(body, "safe-messaging")} == {"error"}
    warn = Linter(only("safe-messaging", level="warning"), root=REPO, known_slugs=SLUGS)
    assert {f.level for f in warn.lint(body, FM, path="x", body_line=1)} == {"warning"}
    off = RulesConfig.model_validate({r: "off" for r in RULE_IDS})
    bad_fm, bad_body, line = split(BAD)
    found = Linter(off, root=REPO, known_slugs=[]).lint(bad_body, bad_fm, path="b", body_line=line)
    assert [f.rule for f in found] == ["suppression"]  # only the comment itself


def test_extra_word_lists(tmp_path: Path) -> None:
    (tmp_path / "words.yaml").write_text(
        "person-first:\n"
        "  avoid:\n"
        "    - phrase: [basket case]\n"
        "      suggestion: a person who is struggling\n"
        "safe-messaging:\n"
        "  allow: [committed suicide]\n"
        "count-matches-list:\n"
        "  not_items: [tips]\n",
        encoding="utf-8",
    )
    cfg = RulesConfig.model_validate({"word_lists": ["words.yaml"], "structure": "off"})
    linter = Linter(cfg, root=tmp_path, known_slugs=[])
    found = linter.lint(
        "## Five tips\n\nHe is a basket case. He committed suicide. Call 988.\n",
        FM,
        path="x.md",
        body_line=1,
    )
    assert [(f.rule, f.line) for f in found] == [("person-first", 3)]


@pytest.mark.parametrize(
    "content,fragment",
    [
        ("person-first: [1, 2\n", "not valid YAML"),
        ("- a list\n", "expected a mapping"),
        ("spelling:\n  avoid: []\n", "spelling"),
        ("person-first:\n  avoid:\n    - suggestion: x\n", "exactly one of"),
        ("person-first:\n  avoid:\n    - pattern: '(unclosed'\n", "not a valid regex"),
        ("person-first:\n  avoid:\n    - pattern: '(?P<x>a)'\n", "named groups"),
    ],
)
def test_bad_extra_word_list_raises_config_error(
    tmp_path: Path, content: str, fragment: str
) -> None:
    (tmp_path / "bad.yaml").write_text(content, encoding="utf-8")
    cfg = RulesConfig(word_lists=["bad.yaml"])
    with pytest.raises(ConfigError) as err:
        Linter(cfg, root=tmp_path, known_slugs=[])
    assert "bad.yaml" in str(err.value) and fragment in str(err.value)
    with pytest.raises(ConfigError, match="missing.yaml"):
        Linter(RulesConfig(word_lists=["missing.yaml"]), root=tmp_path, known_slugs=[])


def test_bad_options_raise_config_error_in_linter() -> None:
    cfg = RulesConfig.model_construct(
        links=RulesConfig().links.model_copy(update={"options": {"nope": 1}})
    )
    with pytest.raises(ConfigError, match="rules.links.options.nope"):
        Linter(cfg, root=REPO, known_slugs=[])


# --- positions, parsing once, properties, speed --------------------------------------------


def test_positions_in_lists_blockquotes_tables() -> None:
    body = (
        "Intro.\n\n"
        "- first item\n"
        "  and he's crazy\n\n"
        "> quoted: an addict\n\n"
        "| who | what |\n| --- | --- |\n| x | the mentally ill |\n"
    )
    found = lint(body, "person-first", body_line=10)
    assert [(f.line, f.col) for f in found] == [(13, 7), (15, 11), (19, 7)]


def test_body_is_parsed_once_per_article(monkeypatch: pytest.MonkeyPatch) -> None:
    linter = Linter(RulesConfig(), root=REPO, known_slugs=SLUGS)
    calls = []
    real = linter._md.parse

    def counting(src: str, env: Any = None) -> Any:
        calls.append(src)
        return real(src, env)

    monkeypatch.setattr(linter._md, "parse", counting)
    fm, body, line = split(BAD)
    linter.lint(body, fm, path="b", body_line=line)
    assert len(calls) == 1


_MD_CHARS = st.sampled_from(
    list("#*_-+>[]()!<>`|:@%.0123456789 \n\t\\=~\"'“”’&;")
    + [
        "committed suicide",
        "crazy",
        "an addict",
        "Seven signs",
        "Studies show",
        "[@smith2021]",
        "[@x]",
        "](/articles/",
        "](x.md)",
        "<!-- reviewkit: allow person-first",
        " -- why -->",
        "-->",
        "<!--",
        "```",
        "\n\n",
        "\n## ",
        "\n# ",
        "\n- ",
        "\n1. ",
        "    ",
        "Ā",
        "é",
        "\r\n",
    ]
)


@pytest.mark.slow
@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.lists(st.one_of(_MD_CHARS, st.text(max_size=5)), max_size=60).map("".join),
    body_line=st.integers(min_value=1, max_value=50),
)
def test_property_random_markdown_never_raises_and_lines_are_in_the_body(
    body: str, body_line: int
) -> None:
    linter = _LINTERS.setdefault("__all__", Linter(RulesConfig(), root=REPO, known_slugs=SLUGS))
    found = linter.lint(body, FM, path="p.md", body_line=body_line)
    n_lines = body.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for f in found:
        assert body_line <= f.line <= body_line + n_lines - 1
        assert f.col >= 1
        assert f.rule in (*RULE_IDS, "suppression")
        assert f.format()


@pytest.mark.slow
@settings(max_examples=examples(100), deadline=None)
@given(st.text(max_size=300))
def test_property_any_text_never_raises(text: str) -> None:
    linter = _LINTERS.setdefault("__all__", Linter(RulesConfig(), root=REPO, known_slugs=SLUGS))
    for f in linter.lint(text, {}, path="p.md", body_line=3):
        assert f.line >= 1 and f.col >= 1


def test_one_linter_lints_many_articles_with_a_large_catalogue() -> None:
    # its speed is a benchmark (docs/performance.md), not a test: tests never time
    fm, body, line = split(ARTICLES / "fear-of-intimacy.md")
    linter = Linter(
        RulesConfig(), root=REPO, known_slugs=[f"slug-{i}" for i in range(10_000)] + SLUGS
    )
    for _ in range(20):  # a reused linter keeps no state between articles
        assert linter.lint(body, fm, path="x.md", body_line=line) == []


def test_word_list_case_handling(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(
        "person-first:\n"
        "  avoid:\n"
        "    - phrase: Basket Case\n"
        "      not_followed_by: [Study]\n"
        "      suggestion: a person who is struggling\n"
        "    - pattern: 'Head\\s*Case'\n"
        "      suggestion: a person who is struggling\n",
        encoding="utf-8",
    )
    cfg = RulesConfig.model_validate({"word_lists": ["w.yaml"], **{r: "off" for r in RULE_IDS}})
    cfg = cfg.model_copy(update={"person_first": RulesConfig().person_first})
    linter = Linter(cfg, root=tmp_path, known_slugs=[])
    body = "A basket case. A BASKET CASE study. A headcase. İstanbul basket case.\n"
    found = linter.lint(body, FM, path="x.md", body_line=1)
    assert [f.col for f in found] == [3, 39, 58]


def test_comment_at_top_covers_article_level_findings() -> None:
    hard = HARD + "\n"
    found = lint("Intro line.\n\n" + hard, None)
    assert "readability" in {f.rule for f in found}
    top = "<!-- reviewkit: allow readability, structure -- a glossary page -->\n"
    assert lint(top + "Intro line.\n\n" + hard, None) == []


def test_byline_not_required_in_drafts_but_required_when_published() -> None:
    from reviewkit.rules import Linter, RulesConfig

    body = "Intro text for readers.\n\n## Editorial process\n\nEvery article is reviewed by a licensed clinician before it is published.\n"
    assert not [f for f in Linter(RulesConfig(), root=Path("."), known_slugs=set()).lint(
        body, {"title": "T", "draft": False}, path="a.md", body_line=5) if f.rule == "structure"]
    linter = Linter(RulesConfig.model_validate({"structure": {"options": {"require_byline": True}}}),
                    root=Path("."), known_slugs=set())
    draft = linter.lint(body, {"title": "T", "draft": True}, path="a.md", body_line=5)
    assert not [f for f in draft if f.rule == "structure"]
    live = linter.lint(body, {"title": "T", "draft": False}, path="a.md", body_line=5)
    assert [f.message for f in live if f.rule == "structure"] == ["no clinical-review byline"]
    strict = Linter(RulesConfig.model_validate(
        {"structure": {"options": {"require_byline": True, "require_byline_in_drafts": True}}}),
        root=Path("."), known_slugs=set())
    assert [f for f in strict.lint(body, {"title": "T", "draft": True}, path="a.md", body_line=5)
            if f.rule == "structure"]
