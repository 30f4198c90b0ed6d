"""Markdown that makes the content rules fire, for the tests that compare fast and plain paths.

* :data:`WORDS`, :data:`PREFIXES`: pieces of Markdown (inline syntax, block starts, rule
  triggers, odd characters) that :func:`generated_body` and the hypothesis strategy
  :data:`bodies` join into bodies.
* :func:`splice`: rule triggers inserted into a real-length body (benchmarks/realistic.py).
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

# phrases every rule reports (and a few it must not), from the packaged word lists
TRIGGERS = [
    "committed suicide", "successful suicide", "hanged himself", "overdosed on her pills",
    "jumped from the bridge", "took his own life", "suicide", "self-harm", "on purpose",
    "an addict", "schizophrenics", "she's so bipolar", "“crazy”", "a psycho",
    "Studies show", "research suggests", "45%", "1 in 5", "40 million", "is effective",
    "reduces symptoms", "symptoms of", "diagnosis", "sertraline", "Prozac", "20 mg",
    "0.5 mg", "twice daily", "once a day", "take", "tablet", "TODO", "TK", "lorem ipsum",
    "[insert quote]", "XX%", "[@c1]", "[@nope]", "[@c1; @c2, p. 4]", "call 988",
    "Samaritans", "116 123", "[l](/articles/nope)", "[l](/articles/insomnia)",
    "[l](https://example.org/x)", "[l](tel:988)", "[l](mailto:a@b)", "[l](www.example.com)",
    "![i](images/x.png)", "<!-- reviewkit: allow safe-messaging -- quoted on purpose -->",
    "<!-- reviewkit: allow person-first -->", "<!-- reviewkit: allow nope -- x -->",
]
WORDS = [*TRIGGERS, "word", "the", "people", "their", "é", "’", "‘", "“", "”", "\"", "'",
         "1.", "-", "+", "*", "**", "_", "__", "`", "``", "~~", "[", "]", "(", ")", "![",
         "<", ">", "<b>", "</b>", "<img src=x.png>", "<!--", "-->", "&amp;", "&#35;",
         "&bogus;", "\\", "\\*", "[l](<a b> \"t\")", "<http://a.b/c>", "<x@y.z>",
         "http://x.y", "[^1]", "^[n]", "[ref]", "|", "#", "%20", ".", "!", "?", ":",
         "\u2028", "\x01", "\t", " ", "  ", "\n", "  \n", "\\\n", "\u00a0", "İ", "ß", "K"]
PREFIXES = ["", "", "", "# ", "## ", "### ", "#### ", "- ", "* ", "1. ", "2) ", "  - ",
            "    - ", "> ", "> - ", "    ", "```\n", "~~~py\n", "| a | b |\n|---|:-:|\n| ",
            "<div>\n", "<!--\n", "Setext\n", "---\n", "===\n", "[ref]: /x \"t\"\n",
            "[^1]: note ", "\n", "\t", "## 5 tips\n\n", "## Seven signs\n\n- a\n- b\n",
            "## References\n\n", "Clinically reviewed by Dana Whitfield, LPC — Clinical reviewer\n"]
ENDS = ["\n", "\n\n", ""]


def generated_body(rng: random.Random, blocks: int = 12, words: int = 12) -> str:
    """A body of up to ``blocks`` blocks of up to ``words`` pieces each."""
    out = []
    for _ in range(rng.randint(0, blocks)):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, words)))
        out.append(rng.choice(PREFIXES) + text + rng.choice(ENDS))
    return "".join(out)


def _bodies() -> st.SearchStrategy[str]:
    inline = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
    block = st.tuples(st.sampled_from(PREFIXES), inline, st.sampled_from(ENDS))
    return st.lists(block, max_size=12).map(lambda bs: "".join(p + t + e for p, t, e in bs))


bodies = _bodies()


def splice(body: str, rng: random.Random, most: int = 8) -> str:
    """``body`` with up to ``most`` rule triggers put at the end of random lines."""
    lines = body.split("\n")
    for _ in range(rng.randint(0, most)):
        k = rng.randrange(len(lines))
        if lines[k].strip():
            lines[k] += " " + rng.choice(TRIGGERS)
    return "\n".join(lines)
