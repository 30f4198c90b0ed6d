"""The scaling section of the benchmark: cold ``gate`` and ``status`` at N/4, N/2 and N.

Issue 17 asks for time and memory linear in N + M, shown at three sizes. Each size is a
separately generated corpus (same seed, M = 3N); the rows here come from ``run.py``'s
measurements (:class:`run.Op`), so this module only lays them out and states whether
growth is linear: the cost per 1,000 (articles + events) at the largest size may exceed
the smallest one's by at most ``SLACK`` (fixed costs make small sizes look dearer, never
cheaper, so a per-unit cost that rises is the sign of super-linear growth), and the
marginal cost of the last step (N/2 → N) may exceed the first step's by at most
``MARGINAL_SLACK``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

SLACK = 1.25  # per-unit cost may grow this much from N/4 to N and still count as linear

# (label, value of one size's measurements, unit, format)
Measure = tuple[str, Callable[[dict[str, Any]], float], str, str]

MEASURES: list[Measure] = [
    ("cold `gate` wall time", lambda ops: ops["cold_gate"].rk_median(), "s", "{:.2f}"),
    ("cold `gate` CPU (user + sys)", lambda ops: ops["cold_gate"].rk_cpu(), "s", "{:.2f}"),
    ("cold `gate` peak RSS", lambda ops: ops["cold_gate"].rss_mb(), "MB", "{:.0f}"),
    ("cold `gate` floor", lambda ops: ops["cold_gate"].floor_median() or 0.0, "s", "{:.2f}"),
]
FLAT: list[Measure] = [  # should not grow with N at all
    ("`status` of one article", lambda ops: ops["status_one"].rk_median(), "s", "{:.3f}"),
    ("`status` of one article, CPU", lambda ops: ops["status_one"].rk_cpu(), "s", "{:.3f}"),
]


MARGINAL_SLACK = 1.5  # the last step's cost per unit ÷ the first step's (noisier: differences)


def marginal(values: Sequence[float], units: Sequence[int]) -> float | None:
    """With three sizes or more: what one more unit cost in the last step (N/2 → N) ÷ what
    it cost in the first (N/4 → N/2). About 1 when linear, whatever the fixed cost (which
    makes the per-unit test lenient: a large interpreter hides a growing slope)."""
    if len(values) < 3 or units[1] == units[0] or units[-1] == units[-2]:
        return None
    first = (values[1] - values[0]) / (units[1] - units[0])
    last = (values[-1] - values[-2]) / (units[-1] - units[-2])
    return last / first if first > 0 else None


def linear(values: Sequence[float], units: Sequence[int]) -> bool:
    """Whether ``values`` (one per size, ``units`` = N + M of each) grow at most linearly:
    the per-unit cost at the largest size at most SLACK × the smallest's, and (three sizes)
    the marginal cost of the last step at most MARGINAL_SLACK × the first's."""
    per = [v / u for v, u in zip(values, units, strict=True) if u]
    step = marginal(values, units)
    return bool(per) and per[-1] <= per[0] * SLACK and (step is None or step <= MARGINAL_SLACK)


def section(sizes: Sequence[tuple[int, int, dict[str, Any]]]) -> list[str]:
    """Markdown lines: one row per measure, one column per size (N, M, ops), smallest first;
    then the linearity statement. Empty when fewer than two sizes were measured."""
    sizes = sorted(sizes, key=lambda s: s[0])
    if len(sizes) < 2:
        return []
    units = [n + m for n, m, _ in sizes]
    head = " | ".join(f"N = {n:,}, M = {m:,}" for n, m, _ in sizes)
    lines = [f"| measure | {head} | per 1,000 (N + M), largest ÷ smallest | "
             "marginal, last step ÷ first | linear? |",
             "| --- |" + " ---: |" * len(sizes) + " ---: | ---: | :---: |"]
    verdicts: list[str] = []
    for label, get, unit, fmt in MEASURES:
        values = [get(ops) for _, _, ops in sizes]
        per = [v / u for v, u in zip(values, units, strict=True)]
        growth = per[-1] / per[0] if per[0] else float("nan")
        ok = linear(values, units)
        verdicts.append(f"{label}: {'linear' if ok else 'NOT linear'} ({growth:.2f})")
        step = marginal(values, units)
        cells = " | ".join(f"{fmt.format(v)} {unit}" for v in values)
        lines.append(f"| {label} | {cells} | {growth:.2f} | "
                     f"{'—' if step is None else f'{step:.2f}'} | {'yes' if ok else '**no**'} |")
    for label, get, unit, fmt in FLAT:
        values = [get(ops) for _, _, ops in sizes]
        cells = " | ".join(f"{fmt.format(v)} {unit}" for v in values)
        growth = values[-1] / values[0] if values[0] else float("nan")
        lines.append(f"| {label} | {cells} | {growth:.2f} (largest ÷ smallest, "
                     "independent of N) | — | — |")
    lines += ["", f"Linear means the cost per 1,000 articles + events at the largest size is at "
              f"most {SLACK}× that at the smallest (fixed costs only make small sizes dearer), "
              f"and, with three sizes, that what the last 1,000 cost (N/2 → N) is at most "
              f"{MARGINAL_SLACK}× what they cost in the first step (N/4 → N/2). "
              + "; ".join(verdicts) + "."]
    return lines
