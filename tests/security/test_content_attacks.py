"""Attacks through the content itself (issue 11, items 3, 4, 5, 8, 9, 13).

A second YAML document hidden in the front matter; line separators that one loader reads
as line breaks and another does not; terminal escape sequences shown to a reviewer; an
author address equivalent to the reviewer's; input shapes that make validation quadratic;
files under a content root that nothing reads. Each test fails on the code before the fix.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from _sec import A, approve, assert_blocked, gate, set_registry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml_reference import load_yaml_reference, to_json

from reviewkit.article import frontmatter
from reviewkit.article.content import parse_article
from reviewkit.base.findings import Finding
from reviewkit.base.identity import canonical_email, email_problem, same_person
from reviewkit.base.printable import UNSAFE, printable
from reviewkit.outputs.output import github_annotation

from conftest import Project, article, examples, put_event

FRONT = article().split("---\n")[1]  # the fixture article's YAML, without the markers


def _write(project: Project, text: str, rel: str = A) -> None:
    project.repo.write(rel, text)
    project.repo.commit("edit")


def _findings(project: Project, *paths: str) -> list[dict[str, Any]]:
    r = project.rk("validate", "--format", "json", *paths)
    assert r.code in (0, 1), r.output
    findings: list[dict[str, Any]] = json.loads(r.out)["findings"]
    return findings


def _state(project: Project, rel: str = A) -> str:
    r = project.rk("status", "--format", "json", str(project.path / rel))
    assert r.code == 0, r.output
    states = {s["path"]: s["state"] for s in json.loads(r.out)["articles"]}
    return states[rel]


# --- item 3: front matter is exactly one YAML document -------------------------------------


@pytest.mark.parametrize("marker", ["--- # the real front matter", "---\t#", "--- !!map",
                                    "... # end", "--- >"],
                         ids=["dashes-comment", "dashes-tab", "dashes-tag", "dots-comment",
                              "dashes-folded"])
def test_second_yaml_document_in_front_matter(project: Project, marker: str) -> None:
    """``--- # …`` inside the front matter starts a second document: one loader keeps the
    first, another the last; after approval the first could change unseen."""
    approve(project)
    decoy = FRONT.replace('title: "Coping with worry"', 'title: "Unreviewed title"')
    text = "---\n" + decoy + marker + "\n" + FRONT + "---\n" + article().split("---\n", 2)[2]
    _write(project, text)
    line = 2 + decoy.count("\n")
    found = [f for f in _findings(project) if f["rule"] == "front-matter"]
    assert [(f["line"], f["level"]) for f in found] == [(line, "error")], found
    assert _state(project) == "invalid"
    assert_blocked(project, "exactly one")


def test_every_splitter_refuses_a_second_document() -> None:
    """The round-trip rewrite (publish --format md, scaffold) and the fast loader use the
    one splitter; the fast loader also refuses a second document on its own."""
    text = "---\ntitle: a\n--- # b\ntitle: b\n---\nbody\n"
    with pytest.raises(frontmatter.FrontMatterError) as e1:
        frontmatter.split(text)
    with pytest.raises(frontmatter.FrontMatterError) as e2:
        frontmatter.update(text, {"x": 1})
    with pytest.raises(frontmatter.FrontMatterError) as e3:
        frontmatter.load_yaml("title: a\n--- # b\ntitle: b\n", 2)
    assert (e1.value.line, e2.value.line, e3.value.line) == (3, 3, 3)
    assert {e1.value.rule, e2.value.rule, e3.value.rule} == {"front-matter"}


# --- item 8: line breaks mean one thing ---------------------------------------------------

BREAKS = ["\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r"]


@pytest.mark.parametrize("ch", BREAKS, ids=[f"U+{ord(c):04X}" for c in BREAKS])
def test_line_separator_in_front_matter_is_refused_at_its_position(project: Project, ch: str) -> None:
    approve(project)
    text = article().replace("description: \"A short", f"description: \"A{ch}short")
    _write(project, text)
    found = [f for f in _findings(project) if f["rule"] == "control-character"]
    assert [(f["line"], f["col"]) for f in found] == [(5, 16)], found
    assert _state(project) == "invalid"
    assert_blocked(project, "U+")


@pytest.mark.parametrize("escape", ["\\L", "\\P", "\\N", "\\e", "\\x9b", "\\u202e"],
                         ids=["L", "P", "N", "e", "x9b", "u202e"])
def test_yaml_escapes_cannot_smuggle_control_characters(project: Project, escape: str) -> None:
    text = article().replace('title: "Coping with worry"', f'title: "Coping{escape}with worry"')
    _write(project, text)
    found = [f for f in _findings(project) if f["rule"] == "control-character"]
    assert [(f["line"], f["message"][:6]) for f in found] == [(3, "title:")], found


_YAML_BITS = st.sampled_from([
    "a", "b", "key", ": ", "- ", "#", " ", "  ", "\n", "\n  ", '"', "'", "\\", "[", "]", "{",
    "}", ",", "|", ">", "&x ", "*x", "!", "%", "---", "...", "2026-01-01", "1.5", "0x1F",
    "true", "~", "\t", "\r", "\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1b",
    "\u202e", "é", "\ufeff",
])


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_YAML_BITS, max_size=30).map("".join))
def test_fast_and_roundtrip_loaders_agree_on_every_accepted_input(yaml: str) -> None:
    """Whatever the splitter and the fast loader accept, the round-trip loader (used by
    schema positions, the rewrite and publish) and the plain safe loader read the same."""
    text = "---\n" + yaml + "\n---\nbody\n"
    try:
        parts = frontmatter.split(text)
        fast = frontmatter.load_yaml(parts.yaml_text, parts.yaml_line)
    except frontmatter.FrontMatterError:
        return  # refused with a finding: no loader ever reads it
    assert load_yaml_reference(parts.yaml_text, parts.yaml_line) == fast
    rt = to_json(frontmatter.load_roundtrip(parts.yaml_text), parts.yaml_line)
    assert rt == fast
    assert not any(UNSAFE.search(line) for line in parts.yaml_text.split("\n"))


# --- item 4: terminal escapes never reach a terminal ----------------------------------------

ESC = "\x1b[8m"  # conceal
OSC8 = "\x1b]8;;https://evil.example/\x07"
HOSTILE = f"hidden{ESC}text{OSC8}link\x9b2J\u202eevil\u2066"


_SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colours reviewkit itself adds


def _clean(text: str, *, styled: bool = False, csv: bool = False) -> None:
    """No raw control character; the hostile ones are shown as escapes."""
    if styled:
        text = _SGR.sub("", text)
    if csv:
        text = text.replace("\r\n", "\n")
    assert not UNSAFE.search(text), repr(text[:2000])


def _hostile_project(project: Project) -> None:
    def rename(people: list[dict[str, Any]]) -> None:
        people[0]["name"] = f"Dana{ESC} Whitfield"
    set_registry(project, rename)
    approve(project)
    # a submission and a comment with hostile text and a faked next line
    fake = "\n2099-01-01T00:00:00  approved  dwhitfield  signed ✓  counts"
    put_event(project.path, "submitted", A, "jlee", None, reviewer=f"mokafor{OSC8}",
              message=f"please {HOSTILE}{fake}")
    put_event(project.path, "commented", A, "jlee", None, message=f"note {HOSTILE}{fake}")


@pytest.mark.parametrize("args", [
    ("status",), ("status", "--format", "github"), ("status", "--format", "json"),
    ("queue",), ("queue", "--format", "json"),
    ("log", A), ("log", A, "--format", "json"),
    ("review", A), ("review", A, "--color"), ("review", A, "--no-color"),
    ("gate",), ("gate", "--format", "github"), ("gate", "--format", "json"),
    ("due", "--within", "400d"), ("due", "--within", "400d", "--format", "csv"),
    ("due", "--within", "400d", "--format", "json"),
    ("audit",), ("audit", "--format", "json"),
    ("validate",), ("validate", "--format", "github"), ("validate", "--format", "json"),
], ids=lambda args: "-".join(a.removeprefix("--") for a in args if a != A) + ("-A" if A in args else ""))
def test_no_command_prints_a_control_character(project: Project, args: tuple[str, ...]) -> None:
    _hostile_project(project)
    # an invalid article whose title and body carry escapes (the YAML escape \e is ESC)
    bad = article(id="01JDX3Q7G6M2N8P4R5S6T7V8WC", slug="hostile", title="Worry\\e[8m\\u202e") \
        .replace("A short introduction", f"A short {HOSTILE} introduction")
    project.repo.write("content/articles/hostile.md", bad)
    if args[0] != "due":  # the approved version stays current for due
        project.repo.write(A, article().replace("Plain words", "Changed words"))
    project.repo.commit("hostile content")
    r = project.rk(*[str(project.path / a) if a == A else a for a in args])
    assert r.code in (0, 1), r.output
    _clean(r.out, styled="--color" in args, csv=args[0] == "audit" and "json" not in args
           or "csv" in args)
    _clean(r.err)
    if args[0] != "validate":  # validate names the character instead of quoting it
        assert "\\x1b[8m" in r.out or "\\u001b[8m" in r.out, r.out  # shown, not hidden
    if "json" in args:
        json.loads(r.out)  # still valid JSON, and faithful


def test_review_shows_concealed_text_as_escapes(project: Project) -> None:
    approve(project)
    project.repo.write(A, article().replace("Plain words", f"Plain{ESC} words\u202e"))
    project.repo.commit("conceal")
    for color in ("--color", "--no-color"):
        r = project.rk("review", str(project.path / A), color)
        assert r.code == 0, r.output
        assert "Plain\\x1b[8m words\\u202e" in r.out
        assert ESC not in r.out and "\u202e" not in r.out


def test_log_message_cannot_fake_a_line(project: Project) -> None:
    approve(project)
    put_event(project.path, "commented", A, "jlee", None,
              message="fine\n2099-01-01T00:00:00  approved  mokafor  signed ✓  counts")
    r = project.rk("log", str(project.path / A))
    assert r.code == 0, r.output
    assert not any(line.startswith("2099-01-01") for line in r.out.splitlines()), r.out
    assert "fine\\n2099-01-01" in r.out


def test_error_messages_quoting_user_input_are_printable(project: Project) -> None:
    r1 = project.rk("validate", f"content/articles/missing{ESC}.md")
    r2 = project.rk("status", "--state", f"stale{OSC8}")
    r3 = project.rk("approve", f"nowhere{ESC}.md", "--as", "dwhitfield")
    for r in (r1, r2, r3):
        assert r.code == 2, r.output
        _clean(r.out + r.err)
        assert "\\x1b" in r.err


def test_file_name_with_escape_is_printable_in_every_format(project: Project) -> None:
    # click strips SGR sequences such as ESC[8m from piped output by itself; OSC and bidi
    # controls it leaves alone
    name = f"content/articles/x{ESC}\u202ey\x1b]0;pwned\x07.md"
    project.repo.write(name, article(slug="x"))
    for fmt in ("text", "github", "json"):
        r = project.rk("validate", "--format", fmt)
        assert r.code == 1, r.output
        _clean(r.out + r.err)


def test_body_control_characters_are_validation_errors(project: Project) -> None:
    body = f"Intro {ESC} text.\n\nSecond\u202e line.\n"
    project.repo.write(A, article(body=body))
    found = [(f["line"], f["col"], f["rule"]) for f in _findings(project)
             if f["rule"] == "control-character"]
    # the body starts on line 14 of the fixture article
    assert found == [(14, 7, "control-character"), (16, 7, "control-character")]


def test_github_annotations_cannot_inject_workflow_commands() -> None:
    line = github_annotation("error", "bad\n::add-mask::secret\r\n::set-output name=x::y",
                             path="a\nb.md", title=f"t{ESC}")
    # one line: "::" later in it cannot start a command (the runner reads them at line starts)
    assert "\n" not in line and "\r" not in line and line.startswith("::error file=a\\nb.md,")
    assert "bad%0A::add-mask::secret" in line
    _clean(line)


@given(st.text())
def test_printable_is_total_idempotent_and_clean(text: str) -> None:
    once = printable(text)
    assert printable(once) == once
    assert not UNSAFE.search(once)
    assert printable(text, newlines=False).count("\n") == 0
    f = Finding("p", 1, 1, "error", "r", text, suggestion=text).format()
    assert "\n" not in f and not UNSAFE.search(f)


# --- item 5: self-approval through an equivalent address ------------------------------------

PUNY = "d.whitfield@xn--exmple-4nf.org"  # the punycode of exаmple.org (Cyrillic а)


@pytest.mark.parametrize("author", [
    "d.whitfield+worry@example.org", "D.Whitfield@EXAMPLE.org", " d.whitfield@example.org. ",
    "d.whitfield@ｅxample.org",
], ids=["plus-tag", "case", "dot-and-spaces", "fullwidth"])
def test_self_approval_through_an_equivalent_address(project: Project, author: str) -> None:
    _write(project, article().replace("j.lee@example.org", author))
    r = project.rk("approve", str(project.path / A), "--as", "dwhitfield", "--key",
                   str(project.reviewer.private))
    assert r.code == 1 and "self-approval" in r.err, r.output
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)  # bypass the CLI
    assert_blocked(project, "self-approval")


def test_self_approval_through_another_registered_or_git_address(project: Project) -> None:
    def alias(people: list[dict[str, Any]]) -> None:
        people[0]["emails"] = ["dana@home.example"]
    set_registry(project, alias)
    _write(project, article().replace("j.lee@example.org", "Dana+x@Home.example"))
    r = project.rk("approve", str(project.path / A), "--as", "dwhitfield", "--key",
                   str(project.reviewer.private))
    assert r.code == 1 and "self-approval" in r.err, r.output
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    assert_blocked(project, "self-approval")


def test_git_identity_of_the_approver_counts(project: Project) -> None:
    _write(project, article().replace("j.lee@example.org", "dana.w@personal.example"))
    project.repo.git("config", "user.email", "Dana.W+git@personal.example")
    r = project.rk("approve", str(project.path / A), "--as", "dwhitfield", "--key",
                   str(project.reviewer.private))
    assert r.code == 1 and "self-approval" in r.err, r.output


@pytest.mark.parametrize("author", [
    "d.whitfield@exаmple.org",  # Cyrillic а in the domain
    PUNY,  # the same, as punycode
    "d.whitfiеld@example.org",  # Cyrillic е in the local part
    "d.whitfield@@example.org",
], ids=["cyrillic-domain", "punycode-domain", "cyrillic-local-part", "two-ats"])
def test_look_alike_author_address_is_refused(project: Project, author: str) -> None:
    _write(project, article().replace("j.lee@example.org", author))
    found = [f for f in _findings(project) if f["rule"] == "author-email"]
    assert [f["line"] for f in found] == [8], found
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    assert_blocked(project, "author.email")


def test_look_alike_registry_address_is_refused(project: Project) -> None:
    def spoof(people: list[dict[str, Any]]) -> None:
        people[1]["email"] = "m.okafor@exаmple.org"
    set_registry(project, spoof)
    r = project.rk("gate", "--format", "json")
    assert r.code == 2 and "mixes scripts" in r.err, r.output


def test_identity_normal_forms() -> None:
    base = canonical_email("d.whitfield@example.org")
    for same in ("d.whitfield+worry@example.org", "D.Whitfield@EXAMPLE.org",
                 "d.whitfield@example.org.", "d.whitfield@ｅxample.org"):
        assert canonical_email(same) == base, same
    assert canonical_email("d.whitfield@exаmple.org") == canonical_email(PUNY) != base
    assert email_problem("d.whitfield@exаmple.org") and email_problem(PUNY)
    assert email_problem("someone@пример.рф") is None  # one script is fine
    assert same_person(["a@x.org", "b@y.org"], ["B+t@Y.ORG"])
    assert not same_person(["a@x.org"], ["ab@x.org"])


# --- item 9: every rule is linear in the article's size -------------------------------------


@pytest.mark.slow
def test_twenty_thousand_announcing_headings_give_the_right_findings() -> None:
    """20,000 × "## 5 tips": 29 s before the fix (a scan of every heading per heading);
    the same findings now, one per heading."""
    from reviewkit.rules import Linter, RulesConfig

    linter = Linter(RulesConfig(), root=Path("."), known_slugs=())
    body = "## 5 tips\n\n" * 20_000
    found = [f for f in linter.lint(body, {"title": "t", "draft": True}, path="p", body_line=1)
             if f.rule == "count-matches-list"]
    assert len(found) == 20_000
    assert found[0].message == "heading announces 5 items but no list follows it"


class _CountingList(list):  # type: ignore[type-arg]
    """A list that counts the items every iteration over it yields."""

    visits = 0

    def __iter__(self) -> Any:
        for item in super().__iter__():
            _CountingList.visits += 1
            yield item


@pytest.mark.parametrize("n", [500, 1000])
def test_heading_rules_visit_each_heading_a_bounded_number_of_times(n: int) -> None:
    """Linearity without a clock: count-matches-list and structure look at every heading a
    constant number of times, not once per other heading (n² before the fix)."""
    from reviewkit.rules import _doc
    from reviewkit.rules._base import Context
    from reviewkit.rules._words import load_word_lists
    from reviewkit.rules.count_matches_list import CountMatchesList, Options
    from reviewkit.rules.structure import Options as SOptions
    from reviewkit.rules.structure import Structure

    body = "## 5 tips\n\n### a\n\n### b\n\n## Editorial process\n\n" * (n // 4)
    doc = _doc.parse(_doc.make_parser(), body)
    heads = len(doc.headings)
    doc.headings = _CountingList(doc.headings)
    _CountingList.visits = 0
    ctx = Context({"title": "t", "draft": True}, "p", frozenset(), 1)
    words = load_word_lists([], Path("."))
    found = list(CountMatchesList(Options(), words).check(doc, ctx))
    found += list(Structure(SOptions(), words).check(doc, ctx))
    assert len([f for f in found if "announces 5" in f.message]) == n // 4
    assert _CountingList.visits <= 5 * heads, (_CountingList.visits, heads)


@pytest.mark.parametrize("body", [
    "Text [" + "@" * 200_000 + "\n",  # citation group: one split per '@'
    "Text " + "1," * 200_000 + "\n",  # "N million": one attempt per digit run
    "<!-- reviewkit: allow readability -- a" + " " * 200_000 + "b -->\nText.\n",
    "Text " + "<!--" * 100_000 + "\n",
    "“" + "He committed suicide, " * 20_000 + "\n\nCall 988.\n",
])
@pytest.mark.slow
def test_hostile_lines_finish(body: str) -> None:
    """Inputs that were quadratic (minutes each before the fix) lint in a moment: the test
    would time out rather than assert a time."""
    from reviewkit.rules import Linter, RulesConfig

    linter = Linter(RulesConfig(), root=Path("."), known_slugs=())
    linter.lint(body, {"title": "t", "draft": True}, path="p", body_line=1)


def test_quoted_phrases_are_still_recognised() -> None:
    from reviewkit.rules._quotes import is_quoted

    text = 'say "died by suicide", not “committed suicide” or ‘x’. It \'y\' ok'
    assert is_quoted(text, text.index("died"), text.index('",'))
    assert is_quoted(text, text.index("committed"), text.index("”"))
    assert is_quoted(text, text.index("x’"), text.index("x’") + 1)
    assert is_quoted(text, text.index("y'"), text.index("y'") + 1)
    assert not is_quoted(text, text.index("It"), text.index("It") + 2)


# --- item 13: every file under a content root is an article or a finding --------------------


@pytest.mark.parametrize("name", [
    "content/articles/other.MD", "content/articles/other.markdown", "content/articles/x.mdx",
    "content/articles/.hidden.md", "content/articles/.drafts/other.md",
    "content/articles/notes.txt", "content/articles/sub/README",
])
def test_no_file_under_a_content_root_is_skipped(project: Project, name: str) -> None:
    approve(project)
    project.repo.write(name, article(id="01JDX3Q7G6M2N8P4R5S6T7V8WC", slug="other"))
    project.repo.commit("a file nothing reads")
    found = [f for f in _findings(project) if f["rule"] == "content-file"]
    top = name.split("/")[2] if "/.drafts/" in name else name.split("/", 2)[2]
    assert [f["path"] for f in found] == [f"content/articles/{top}"], found
    code, doc = gate(project)
    assert code == 1, doc


def test_assets_are_allowed_and_configurable(project: Project) -> None:
    approve(project)
    project.repo.write("content/articles/figure.PNG", b"\x89PNG")
    project.repo.write("content/articles/handout.pdf", b"%PDF")
    project.repo.write("content/empty/.gitkeep", "")
    project.repo.commit("assets")
    assert _findings(project) == []
    assert gate(project)[0] == 0
    cfg = project.repo.read("reviewkit.yaml")
    project.repo.write("reviewkit.yaml", re.sub(r"assets: \[.*\]", "assets: [png]", cfg))
    project.repo.commit("no pdf")
    assert [f["path"] for f in _findings(project)] == ["content/articles/handout.pdf"]
    project.repo.write("reviewkit.yaml", re.sub(r"assets: \[.*\]", "assets: [markdown]", cfg))
    r = project.rk("validate")
    assert r.code == 2 and "Markdown" in r.err, r.output


def test_parse_article_refuses_before_any_loader_runs() -> None:
    from reviewkit.article.schema import compile_schema

    root = Path(__file__).resolve().parents[2]
    path = root / "schemas/article.schema.json"
    schema = compile_schema(path.read_bytes(), str(path))
    data = article().replace("updated:", "x: \"\u2028\"\nupdated:").encode()
    r = parse_article(A, data, schema)
    assert r.front_matter is None and [f.rule for f in r.findings] == ["control-character"]


def test_a_match_cannot_reach_from_one_paragraph_into_the_next(tmp_path: Path) -> None:
    # word lists match every paragraph of an article in one regex run over the texts
    # joined (rules/_words.py PhraseMatcher.find_all); a regex that can match the joint
    # ([^.] does) must run paragraph by paragraph, else a match begun in one paragraph
    # swallows the next one's and its finding moves to the wrong place
    from reviewkit.rules import Linter, RulesConfig

    (tmp_path / "words.yaml").write_text(
        "safe-messaging:\n  avoid:\n    - pattern: '[Tt]ook[^.]*overdose'\n"
        "      message: describes a method\n", encoding="utf-8")
    cfg = RulesConfig.model_validate({"word_lists": ["words.yaml"], "structure": "off"})
    linter = Linter(cfg, root=tmp_path, known_slugs=[])
    body = "She took it\n\nHe took an overdose. Call 988.\n"
    found = linter.lint(body, {"title": "T"}, path="x.md", body_line=1)
    assert [(f.rule, f.line, f.col) for f in found] == [("safe-messaging", 3, 4)]


@pytest.mark.parametrize("reviewed", ["revıewed", "REVİEWED"], ids=["dotless-i", "dotted-I"])
def test_a_byline_spelt_with_a_turkish_i_is_still_checked(project: Project,
                                                          reviewed: str) -> None:
    """The byline regex matches "reviewed" case-insensitively, so "ı" and "İ" count as "i";
    the quick test for a byline must too, or a made-up name passes unchecked."""
    body = article().replace("Plain words about the topic.",
                             f"Plain words about the topic.\n\nClinically {reviewed} by Alex "
                             "Moreno, LPC")
    _write(project, body)
    found = [f for f in _findings(project, A) if f["rule"] == "byline-reviewer"]
    assert found and "Alex Moreno" in found[0]["message"]


@pytest.mark.parametrize("raw", ["../secret.png", "img/../../secret.png", "..", "./../x.pdf"])
def test_an_asset_path_cannot_climb_out_of_the_repository(raw: str) -> None:
    """The repository-wide check, on its own: an article in a folder is also held to its
    folder, so an article at the top of the repository (a content root of ".") is where
    only this check stands between a reference and a file outside the repository."""
    from reviewkit.article.assets import resolve

    ref = resolve("top.md", raw, image=True)
    assert ref is not None and ref.target is None, ref
    assert ref.problem == "points outside the repository", ref
    inside = resolve("top.md", "img/chart.png", image=True)
    assert inside is not None and inside.target == "img/chart.png", inside
