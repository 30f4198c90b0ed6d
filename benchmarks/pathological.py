"""Hostile article shapes: is every step of validation linear in the article's size?

    python benchmarks/pathological.py [CASE ...] [--scale 1.0]

For each case, parses and validates (front matter, schema, digest and every content rule,
as ``reviewkit validate`` does) one article at size n and at size 2n, and prints both
times and their ratio. Linear work gives a ratio near 2; quadratic work near 4. Cases:
headings (``## 5 tips`` repeated, 50,000 at full size), paragraph (one paragraph of 1 MiB),
list (10,000 items under "Seven signs"), nested (lists and quotes nested 1,000 deep), and
long lines of ``*``, ``_``, ``[``, ``<!--``, ``[@@@…`` and ``1,1,1…`` (one line each),
a paragraph full of a safe-messaging phrase, 10,000 suppression comments, and one with a
long run of spaces in its reason. Exits 1 when a ratio is above 3 (a step that grows
faster than the input); the ratio is scaled to the input's growth in bytes (nesting n
levels deep takes n² bytes of indentation), so linear work in the bytes gives 2. Times are CPU seconds of this process (user + system), which other
load on the machine disturbs far less than wall time; the ratio is taken on them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where measured: run.py reads the table without reviewkit
    from reviewkit.article.schema import ArticleSchema
    from reviewkit.rules import Linter

ROOT = Path(__file__).resolve().parents[1]
HEAD = """---
id: 01JDX3Q7G6M2N8P4R5S6T7V8W9
title: "A pathological article"
slug: pathological
description: "Benchmark input."
author: {name: Jordan Lee, email: j.lee@example.org}
topics: [anxiety]
draft: true
updated: 2026-11-20
---
"""


def headings(n: int) -> str:
    return "".join("## 5 tips\n\n" for _ in range(n))


def paragraph(n: int) -> str:
    words = "plain words about worry and sleep "
    return "Intro. " + words * (n // len(words)) + "\n"


def items(n: int) -> str:
    return "## Seven signs you may worry\n\n" + "".join(f"- sign {i}\n" for i in range(n))


def nested_lists(n: int) -> str:
    return "".join("  " * i + "- item\n" for i in range(n))


def nested_quotes(n: int) -> str:
    return "".join(">" * i + " quoted\n" for i in range(1, n + 1))


def line_of(ch: str) -> Callable[[int], str]:
    return lambda n: "Text " + ch * n + "\n"


def phrases(n: int) -> str:
    # every match asks whether it sits inside quotation marks
    return "“" + "He committed suicide, " * n + "\n\nCall 988.\n"


def suppressions(n: int) -> str:
    return "".join(
        "<!-- reviewkit: allow readability -- benchmark -->\nA short paragraph.\n\n"
        for _ in range(n))


def reason_spaces(n: int) -> str:
    return "<!-- reviewkit: allow readability -- a" + " " * n + "b -->\nText.\n"


# name: (body of size n, the full size n)
CASES: dict[str, tuple[Callable[[int], str], int]] = {
    "headings": (headings, 50_000),
    "paragraph": (paragraph, 1_000_000),  # just under the 1 MiB file limit
    "list": (items, 10_000),
    "nested-lists": (nested_lists, 500),
    "nested-quotes": (nested_quotes, 500),
    "stars": (line_of("*"), 100_000),
    "underscores": (line_of("_"), 100_000),
    "brackets": (line_of("["), 100_000),
    "comments": (line_of("<!--"), 25_000),
    "at-signs": (lambda n: "Text [" + "@" * n + "\n", 100_000),
    "number-runs": (line_of("1,"), 100_000),
    "phrases": (phrases, 20_000),
    "suppressions": (suppressions, 10_000),
    "reason-spaces": (reason_spaces, 100_000),
}


def run(body: str, linter: Linter, schema: ArticleSchema) -> float:
    from reviewkit.article.content import parse_article

    data = (HEAD + body).encode()
    start = time.process_time()
    parse_article("content/articles/pathological.md", data, schema, linter)
    return time.process_time() - start


LIMIT = 3.0  # ratio per doubling of the input above which growth is not linear


def measure(cases: list[str] | None = None, scale: float = 1.0,
            out: Callable[[str], None] | None = None) -> list[tuple[str, int, float, float, float]]:
    """(case, n, CPU at n, CPU at 2n, ratio per doubling of the bytes) for each case;
    ``out`` gets each row's text as it is measured."""
    from reviewkit.article.schema import compile_schema
    from reviewkit.rules import Linter, RulesConfig

    linter = Linter(RulesConfig(), root=ROOT, known_slugs=())
    path = ROOT / "schemas/article.schema.json"
    schema = compile_schema(path.read_bytes(), str(path))
    rows = []
    for name in cases or list(CASES):
        make, full = CASES[name]
        n = max(1, int(full * scale) // 2)
        small, large = make(n), make(2 * n)
        t1 = run(small, linter, schema)
        t2 = run(large, linter, schema)
        # per byte of input: nesting n deep writes n² bytes, so the raw ratio would be 4
        growth = len(large) / len(small)
        ratio = (t2 / t1) * (2 / growth) if t1 > 0 else float("inf")
        rows.append((name, n, t1, t2, ratio))
        if out is not None:
            out(f"{name:<14} {n:>9,} {t1:>8.2f}s {t2:>8.2f}s {ratio:>6.1f}")
    return rows


LABELS = {
    "headings": "50,000 headings (`## 5 tips`)", "paragraph": "a 1 MiB paragraph",
    "list": "a 10,000-item list", "nested-lists": "lists nested 500 deep",
    "nested-quotes": "quotes nested 500 deep", "stars": "a line of `*`",
    "underscores": "a line of `_`", "brackets": "a line of `[`", "comments": "a line of `<!--`",
    "at-signs": "`[` and a run of `@`", "number-runs": "a line of `1,`",
    "phrases": "a safe-messaging phrase repeated", "suppressions": "10,000 suppression comments",
    "reason-spaces": "spaces in a suppression's reason",
}


def table(rows: list[tuple[str, int, float, float, float]]) -> list[str]:
    """Markdown rows, each judged: linear when the ratio per doubling is at most LIMIT."""
    lines = ["| case | n | CPU at n | CPU at 2n | ratio (2 = linear) | target | met? |",
             "| --- | ---: | ---: | ---: | ---: | --- | :---: |"]
    for name, n, t1, t2, ratio in rows:
        lines.append(f"| {LABELS.get(name, name)} | {n:,} | {t1:.2f} s | {t2:.2f} s | "
                     f"{ratio:.1f} | linear (≤ {LIMIT:g}) | {'yes' if ratio <= LIMIT else '**no**'} |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="*", choices=[[], *CASES], default=[])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every size (e.g. 0.1)")
    ap.add_argument("--json", action="store_true",
                    help="print the rows as one JSON list at the end (benchmarks/run.py)")
    args = ap.parse_args()
    print(f"{'case':<14} {'n':>9} {'CPU n':>9} {'CPU 2n':>9} {'ratio':>6}")
    rows = measure(args.cases, args.scale, out=lambda line: print(line, flush=True))
    if args.json:
        print(json.dumps(rows))
    return 1 if max(r[4] for r in rows) > LIMIT else 0


if __name__ == "__main__":
    sys.exit(main())
