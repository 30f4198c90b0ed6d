"""Examples in docs/ci.md are outputs of the tests: a test compares each with the doc, so
the doc cannot drift. Regenerate them with

    REVIEWKIT_WRITE_DOCS=1 .venv/bin/python -m pytest -q tests/test_ci_docs.py tests/test_ci_outputs.py

A block in the doc is ``<!-- example: NAME -->``, a fenced block, ``<!-- /example -->``.
Dates are compared as ``YYYY-MM-DD`` (the examples are made with today's date).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "ci.md"
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- example: {re.escape(name)} -->\n```(\w*)\n)(.*?)(```\n<!-- /example -->)",
                      re.S)


def check_example(name: str, text: str) -> None:
    """Assert that docs/ci.md shows ``text`` as example ``name`` (or write it there)."""
    doc = DOC.read_text(encoding="utf-8")
    m = _block(name).search(doc)
    assert m, f"docs/ci.md has no example block {name!r}"
    text = text.rstrip("\n") + "\n"
    if os.environ.get("REVIEWKIT_WRITE_DOCS"):
        doc = doc[:m.start(3)] + text + doc[m.end(3):]
        DOC.write_text(doc, encoding="utf-8")
        return
    shown = m.group(3)
    assert _DATE.sub("YYYY-MM-DD", shown) == _DATE.sub("YYYY-MM-DD", text), (
        f"docs/ci.md example {name!r} differs from what reviewkit writes now; regenerate it "
        "(see tests/docs_examples.py)"
    )
