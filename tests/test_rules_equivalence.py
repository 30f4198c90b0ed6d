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

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.base.markdown import strip_comments
from reviewkit.rules import Linter, RulesConfig
from reviewkit.rules._words import PhraseMatcher, load_word_lists, required_literals

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
    used = [fast for fast, _ in PAIRS if fast._needs is not None or fast._needs_rx is not None]
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
