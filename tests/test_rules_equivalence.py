"""The fast paths of the content rules give exactly the findings of the plain ones.

* A frozen sample: realistic article bodies (benchmarks/realistic.py's shape: long lists,
  a table, links, citations) with rule triggers spliced in, and the findings the rules gave
  them before the matching was made faster (tests/data/realistic_findings.json, written by
  the code of commit df0d8ad). Any change to what or where the rules report shows here.
* Word-list matching with the literal prefilter equals matching without it, on generated
  text made of the lists' own words (hypothesis).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rules_samples import bodies

from reviewkit.base.markdown import make_parser, plain_children, strip_comments
from reviewkit.rules import Linter, RulesConfig
from reviewkit.rules._regex import Texts, joinable, required_literals
from reviewkit.rules._words import Entry, PhraseMatcher, load_word_lists

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path(__file__).parent / "data" / "realistic_findings.json"


def test_findings_on_the_realistic_sample_are_unchanged() -> None:
    cases = json.loads(SAMPLE.read_text(encoding="utf-8"))
    linter = Linter(RulesConfig(), root=ROOT, known_slugs={"panic-attacks", "insomnia"})
    assert sum(len(c["findings"]) for c in cases) > 50  # the sample does trigger rules
    for k, case in enumerate(cases):
        got = linter.lint(case["body"], case["front_matter"],
                          path=f"content/articles/case-{k}.md", body_line=12)
        assert [f.format() for f in got] == case["findings"], k


def _matcher_pairs() -> list[tuple[PhraseMatcher, PhraseMatcher]]:
    words = load_word_lists([], ROOT)
    pairs = []
    for section in (words.safe_messaging, words.person_first, words.citations,
                    words.medication, words.leftovers):
        allow = getattr(section, "allow", [])
        for name, value in section:
            if name == "allow" or not value:
                continue
            pairs.append((PhraseMatcher(value, allow, name),
                          PhraseMatcher(value, allow, name, prefilter=False)))
    return pairs


PAIRS = _matcher_pairs()


def _vocabulary() -> list[str]:
    vocab: set[str] = {"the", "a", "of", "to", "and", "people", "my", "their", "daily", "in",
                       "one", "five", "20", "3.5", "%", "mg", "per", "cent", "Studies",
                       "SHOW", "“", "”", "'", "’", "-", ",", ".", "TODO", "XX", "[", "]"}
    for fast, _ in PAIRS:
        for e in fast.entries:
            for p in e.phrases:
                vocab.update(p.replace("~", "").split())
        lits = required_literals(fast._rx.pattern) if fast._rx is not None else None
        vocab.update(lits or ())
    return sorted(vocab)


VOCAB = _vocabulary()
texts = st.lists(
    st.tuples(st.sampled_from(VOCAB), st.sampled_from([" ", " ", "  ", "\n", "-", ""])),
    max_size=40,
).map(lambda parts: "".join(w + sep for w, sep in parts))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_prefilter_never_changes_a_match(text: str) -> None:
    for fast, plain in PAIRS:
        assert [(m.start, m.end, m.entry.label()) for m in fast.finditer(text)] == [
            (m.start, m.end, m.entry.label()) for m in plain.finditer(text)]


def test_every_packaged_list_but_capitals_is_prefiltered() -> None:
    # the prefilter must actually be used, or the test above proves nothing
    used = [fast for fast, _ in PAIRS if fast._needs is not None or fast._needs_src is not None]
    assert len(used) >= len(PAIRS) - 2


def test_required_literals() -> None:
    assert required_literals(r"(?<!\w)(?:studies|research)\s+show") == ("research", "studies")
    assert required_literals(r"suicid(?:e|es)|\d+\s?mg") == ("suicide", "mg")
    assert required_literals(r"(?:x|\d)") is None  # a digit could be anything
    assert required_literals(r"a*b") == ("b",)  # zero repeats need nothing
    for pattern in (r"(?:jump(?:s|ed)?)\s+off", r"lorem\s+ipsum|dolor\s+sit"):
        need = required_literals(pattern)
        assert need is not None
        for m in re.finditer(pattern, "they jumped off; lorem  ipsum and dolor sit"):
            assert any(n in m.group() for n in need)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["<!--", "-->", "<!", "--", ">", "-", "a", "\n", " "]),
                max_size=20).map("".join))
def test_comment_stripping_is_the_regex_in_linear_time(text: str) -> None:
    # bylines and comment-only HTML blocks drop comments with this; the regex it replaces
    # was quadratic on a line of unclosed '<!--' (benchmarks/pathological.py: comments)
    assert strip_comments(text) == re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)


# --- the article-wide matching (PhraseMatcher.find_all) --------------------------------

GENERATED = Path(__file__).parent / "data" / "generated_findings.json"


def test_findings_on_generated_markdown_are_unchanged() -> None:
    # bodies from tests/rules_samples.py (inline syntax, block starts, rule triggers, odd
    # characters, suppression comments) and hard prose for readability; the findings were
    # written by the code before matching ran once per article (commit 1981852)
    cases = json.loads(GENERATED.read_text(encoding="utf-8"))
    linter = Linter(RulesConfig(), root=ROOT, known_slugs={"panic-attacks", "insomnia"})
    rules = {f.split("[", 1)[1].split("]", 1)[0] for c in cases for f in c["findings"]}
    assert rules >= {"safe-messaging", "person-first", "citations", "medication", "leftovers",
                     "links", "structure", "count-matches-list", "readability", "suppression"}
    for k, case in enumerate(cases):
        got = linter.lint(case["body"], case["front_matter"],
                          path=f"content/articles/case-{k}.md", body_line=case["body_line"])
        assert [f.format() for f in got] == case["findings"], k


def _per_text(matcher: PhraseMatcher, texts: Texts) -> dict[int, list[tuple[int, int, str]]]:
    out = {}
    for i, t in enumerate(texts.items):
        found = [(m.start, m.end, m.entry.label()) for m in matcher.finditer(t)]
        if found:
            out[i] = found
    return out


def _joined(matcher: PhraseMatcher, texts: Texts) -> dict[int, list[tuple[int, int, str]]]:
    return {i: [(m.start, m.end, m.entry.label()) for m in ms]
            for i, ms in matcher.find_all(texts).items()}


ODD = ["İ", "ß", "K", "\u2028", "\x00", "\ufffd", "Σ", "é"]
text_lists = st.lists(st.one_of(texts, st.sampled_from(ODD).map(lambda c: c + " suicide")),
                      max_size=8)


@settings(max_examples=300, deadline=None)
@given(text_lists)
def test_matching_all_texts_at_once_equals_matching_each(items: list[str]) -> None:
    t = Texts(items)
    for fast, plain in PAIRS:
        assert _joined(fast, t) == _per_text(fast, t)
        assert _joined(plain, t) == _per_text(plain, t)


@pytest.mark.parametrize(("pattern", "ok"), [
    (r"(?<!\w)(?:committed\s+suicide|an?\s+addict)(?!\w)", True),
    (r"\d+(?:[.,]\d+)?\s?(?:%|percent)", True),
    (r"\bTK\B", True),
    (r"[a-z]{2,}(?![\s\-]+ion)", True),
    (r"a.b", False),  # `.` matches the separator
    (r"\[[^\]]*\]", False),  # so does a negated class
    (r"\W+x", False),
    (r"(?<!\S)x", False),  # a lookbehind that could see the separator
    (r"^x", False),
    (r"x$", False),
    (r"x?", False),  # an empty match
    ("a\x00b", False),
    (r"[\x00-z]", False),
    (r"(a)?(?(1)b|c)", False),
])
def test_joinable(pattern: str, ok: bool) -> None:
    assert joinable(pattern) is ok


CUSTOM = ["TK(?![\\w-])", "[^\\]]*\\]", "(?<!\\S)todo", "x.x", "\\bfoo\\b", "^lorem",
          "ipsum$", "(?i:MG)\\b", "\\W{2}x", "(?<=\\w)ly\\b"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="xTKtodo fl.]^$[\x00ly-\nİ", max_size=20), max_size=6),
       st.sampled_from(CUSTOM))
def test_user_patterns_match_the_same_at_once_or_one_by_one(items: list[str], pat: str) -> None:
    # a word list's own regex: joined runs only when the regex cannot see the separator
    for case_sensitive in (False, True):
        entry = Entry.model_validate({"pattern": pat, "case_sensitive": case_sensitive})
        m = PhraseMatcher([entry], ["x"], "custom", ignore_case=not case_sensitive)
        t = Texts(items)
        assert _joined(m, t) == _per_text(m, t)


def _plain_find_all(self: PhraseMatcher, texts: Texts) -> dict[int, list[Any]]:
    out = {}
    for i, t in enumerate(texts.items):
        found = list(self.finditer(t))
        if found:
            out[i] = found
    return out


LINTER = Linter(RulesConfig(), root=ROOT, known_slugs={"insomnia"})


@settings(max_examples=200, deadline=None)
@given(bodies, st.sampled_from([{"title": "T"}, {"title": "T", "draft": True, "lang": "en-GB",
                                                 "citations": [{"id": "c1"}]}]))
def test_linting_with_one_match_per_text_gives_the_same_findings(
        body: str, fm: dict[str, Any]) -> None:
    fast = [f.format() for f in LINTER.lint(body, fm, path="a.md", body_line=3)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(PhraseMatcher, "find_all", _plain_find_all)
        plain = [f.format() for f in LINTER.lint(body, fm, path="a.md", body_line=3)]
    assert fast == plain


# --- the plain-text shortcut of the analysis parser (base/markdown.py plain_children) ---

LEAN, STANDARD = make_parser(lean=True), make_parser()


def _tokens(md: Any, body: str) -> list[dict[str, Any]]:
    return [t.as_dict() for t in md.parse(body)]


def test_the_lean_parser_is_the_one_the_rules_use_and_it_takes_the_shortcut() -> None:
    from reviewkit.base.markdown import _lean_inline

    linter = Linter(RulesConfig(), root=ROOT, known_slugs=set())
    assert _lean_inline in linter._md.core.ruler.getRules("")
    assert _lean_inline not in STANDARD.core.ruler.getRules("")
    assert plain_children("one line  \n  two\tlines \nthree") is not None
    assert plain_children("a *b*") is None


@pytest.mark.parametrize("body", [
    "a\nb", "a \nb", "a  \nb", "a   \n \tb", "a\t\nb", "  a  ", "a\\\nb", "a\n\nb",
    "# h  \n", "Setext  \nline\n===\n", "| a | b |\n|---|---|\n| c  | d |\n",
    "- a  \n  b \n- c\n", "> q  \n> r\n", "<div>\nx  \ny\n</div>\n", "x\u00a0 \ny\u2028",
    "a ! b # c - d : e = f > g @ h ] i { j } k $ l % m + n\n",
])
def test_plain_inline_content_gives_the_tokens_of_the_inline_parser(body: str) -> None:
    assert _tokens(LEAN, body) == _tokens(STANDARD, body)


@settings(max_examples=400, deadline=None)
@given(bodies)
def test_the_lean_parser_gives_the_tokens_of_the_standard_one(body: str) -> None:
    assert _tokens(LEAN, body) == _tokens(STANDARD, body)


def test_the_lean_parser_on_the_realistic_sample() -> None:
    for case in json.loads(SAMPLE.read_text(encoding="utf-8")):
        assert _tokens(LEAN, case["body"]) == _tokens(STANDARD, case["body"])
