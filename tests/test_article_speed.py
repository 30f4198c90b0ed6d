"""The per-article shortcuts of the cold gate (issue 17) give what the plain code gave.

Each shortcut is compared with the same code without it (the byline scan with
``quick=False``, the unconditional walk of values), on generated input that reaches both
sides of every shortcut.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.article.byline import find_bylines, scan_bylines
from reviewkit.article.content import parse_article, value_control_findings
from reviewkit.article.frontmatter import FrontMatterError, load_yaml
from reviewkit.article.schema import compile_schema

# --- bylines -------------------------------------------------------------------------

_BODY_PIECES = st.sampled_from([
    "Clinically reviewed by Dana Whitfield, LPC", "medically REVIEWED by: Michael Okafor",
    "re<!-- x -->viewed", "Clinically re<!-- -->viewed by Dana Whitfield.", "<!--", "-->",
    "```", "~~~", "> **Clinically reviewed by Jordan Lee**", "# reviewed", "plain text",
    "Clinically", " reviewed by Someone —", "İ", "Σ", "\r", "\u2028", "",
    "Clinically revıewed by Alex Moreno, LPC", "Medically REVİEWED by Alex Moreno",
])


@settings(max_examples=200)
@given(st.lists(_BODY_PIECES, max_size=10), st.sampled_from(["\n", "", " "]),
       st.integers(1, 40))
def test_find_bylines_gives_what_the_full_scan_gave(pieces: list[str], sep: str,
                                                    line: int) -> None:
    body = sep.join(pieces)
    # the body-wide and per-line shortcuts against every line through the byline regex
    assert find_bylines(body, line) == scan_bylines(body, line, quick=False)


# --- control characters in front-matter values -----------------------------------------

_SCHEMA = compile_schema(b'{"type": "object"}', "test")
_VALUES = st.lists(st.sampled_from(list("ab :\"'\\|>-\n") + ["\\e", "\\x1b", "\\u202e", "\\L",
                                                                "\\N", "\\t", "\\_", "é"]),
                   max_size=12).map("".join)


@settings(max_examples=200)
@given(_VALUES)
def test_value_control_findings_are_kept(value: str) -> None:
    """Whatever the escapes, the article gets exactly the control-character findings the
    unconditional walk gives (none without a backslash in the front matter)."""
    yaml_text = f'title: "{value}"\n'
    data = f"---\n{yaml_text}---\nbody\n".encode()
    result = parse_article("a.md", data, _SCHEMA)
    try:
        fm = load_yaml(yaml_text, 2)
    except FrontMatterError:
        return
    if not isinstance(fm, dict):
        return
    want = value_control_findings("a.md", fm, yaml_text, 2)
    got = [f for f in result.findings if f.rule == "control-character"]
    assert got == want
    if "\\" not in yaml_text:
        assert want == []


def test_an_escaped_control_character_is_still_an_error() -> None:
    result = parse_article("a.md", b'---\ntitle: "a\\e[8mb"\n---\nbody\n', _SCHEMA)
    assert [(f.rule, f.line) for f in result.findings if f.is_error] == [("control-character", 2)]
