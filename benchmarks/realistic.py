"""Article bodies of the ``realistic`` corpus shape (``make_corpus.py --shape realistic``).

Real health articles are longer than the standard shape's 1–3.5 KB: 2–12 KB (median about
6 KB) with long bulleted lists, a table, links, citations, numbered sections whose counts
match their lists, and a call to action. All text here is original and generated; every
name is fictional. The generator is deterministic for a given ``random.Random`` state.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

VERSION = 1  # bump when the shape of realistic bodies changes

COUNT_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
               "eleven", "twelve"]

LEADS = [
    "Notice the first signal", "Name what you feel", "Keep a short daily log",
    "Plan one small step", "Protect your sleep window", "Eat at regular times",
    "Move your body most days", "Limit late-night screens", "Schedule time outdoors",
    "Reach out to one person", "Set a gentle boundary", "Practise slow breathing",
    "Write down worrying thoughts", "Test the thought against the facts",
    "Break big tasks into parts", "Reward effort, not only results", "Ask for feedback kindly",
    "Return to routines after a setback", "Learn your early warning signs",
    "Bring a list to appointments", "Track changes over weeks", "Share the plan with family",
    "Keep caffeine to the morning", "Choose one calming activity", "Make room for rest",
]
DETAILS = [
    "A few minutes a day is enough to start, and consistency matters more than length.",
    "Many people find it easier to begin with the smallest possible version of the habit.",
    "If it feels hard at first, that is expected; the effort usually eases with practice.",
    "It can help to pair the step with something you already do, such as morning coffee.",
    "Keep notes short so that the habit stays easy to repeat on difficult days.",
    "Tell someone you trust what you are trying, so they can encourage you.",
    "Review what worked at the end of each week and adjust one thing at a time.",
    "Some days will go better than others, and that is part of the process.",
    "A clinician can help you tailor the step to your own situation and goals.",
    "When the step stops helping, it is fine to swap it for another from this list.",
    "Try to notice the situations, times of day and people linked with the change.",
    "Progress often shows up first in small things, such as a calmer evening.",
    "Writing the plan down makes it more likely that you will follow through.",
    "It is reasonable to ask for practical help while you build the routine.",
]
PARAGRAPHS = [
    "For most people the experience changes over time. It may be stronger during busy "
    "periods, after poor sleep or around anniversaries, and lighter when routines are steady.",
    "Clinicians look at how long the pattern has lasted, how much it affects daily life and "
    "whether other conditions are present. There is no single test, so an honest "
    "conversation about your week is the most useful starting point.",
    "Support from family and friends makes a measurable difference. It works best when it "
    "is practical, patient and free of judgement, and when the person keeps a sense of choice.",
    "Recovery rarely follows a straight line. Expect good weeks and harder weeks, and judge "
    "progress over months rather than days.",
    "Lifestyle steps do not replace treatment, but they make treatment easier to use. Sleep, "
    "food, movement and contact with other people all feed into how you feel.",
    "If you are unsure whether what you feel is serious, it is always reasonable to ask. A "
    "first appointment is a chance to describe what is happening, not a commitment.",
    "Workplaces and schools can often make reasonable adjustments, such as flexible hours or "
    "a quieter place to work, once they understand what would help.",
    "People describe the experience in many ways. Some talk about a weight, others about "
    "noise, and others notice only that ordinary things take more effort than before.",
]
TABLE_ROWS = [
    ("Talking therapy", "Weekly sessions with a licensed therapist", "8 to 20 weeks"),
    ("Guided self-help", "A structured workbook with brief check-ins", "6 to 12 weeks"),
    ("Group programme", "Skills practice with people facing similar problems", "8 to 10 weeks"),
    ("Peer support", "Regular contact with trained volunteers", "Ongoing"),
    ("Lifestyle plan", "Sleep, activity and routine goals set with a clinician", "4 to 8 weeks"),
    ("Online course", "Self-paced lessons with exercises between them", "4 to 6 weeks"),
    ("Family sessions", "Meetings that include a partner or relatives", "4 to 12 weeks"),
]
EXTRA_SECTIONS = [
    "Everyday strategies", "At work or school", "In close relationships",
    "Questions to ask your clinician", "What to expect from a first appointment",
    "Myths and facts", "Looking after yourself while you support someone",
    "Planning for harder days", "Building a routine that lasts",
]


def target_size(rng: random.Random) -> int:
    """A body size in bytes: 2–12 KB, median about 6 KB (log-normal, clipped)."""
    return int(min(12_000, max(2_000, rng.lognormvariate(math.log(5_400), 0.45))))


def _item(rng: random.Random) -> str:
    return f"**{rng.choice(LEADS)}.** {rng.choice(DETAILS)}"


def _bullets(rng: random.Random, n: int, *, numbered: bool = False) -> list[str]:
    return [f"{i + 1}. {_item(rng)}" if numbered else f"- {_item(rng)}" for i in range(n)]


def _table(rng: random.Random) -> list[str]:
    rows = rng.sample(TABLE_ROWS, rng.randint(4, len(TABLE_ROWS)))
    out = ["| Approach | What it involves | Typical length |", "| --- | --- | ---: |"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return out


def render(rng: random.Random, subject: str, intro: Sequence[str], cite_ids: Sequence[str],
           related: Sequence[str], target: int) -> str:
    """One realistic body of about ``target`` bytes (never less than 2 KB)."""
    s = subject
    c1 = cite_ids[0]
    c2 = cite_ids[-1]
    n_signs = rng.randint(5, 12)
    n_ways = rng.randint(3, 8)
    link = rng.choice(related) if related else ""
    parts: list[str] = [*intro, ""]
    parts += [rng.choice(PARAGRAPHS), ""]
    parts += [f"## What is {s}?", "", rng.choice(PARAGRAPHS) + " Research suggests that "
              f"early support shortens how long difficulties last [@{c1}].", ""]
    parts += [f"## {COUNT_WORDS[n_signs - 2].capitalize()} common signs of {s}", ""]
    parts += _bullets(rng, n_signs) + [""]
    parts += ["## What the research says", "",
              "A large review of treatment studies found that structured talking therapy "
              f"helps many people within a few months [@{c2}]. See the [summary of the "
              f"evidence](https://www.example-health.org/evidence/{rng.randint(100, 999)}) "
              "for the details of how these studies were run.", ""]
    parts += ["## Treatment options at a glance", "", *_table(rng), ""]
    parts += [f"## {COUNT_WORDS[n_ways - 2].capitalize()} ways to cope with {s}", ""]
    parts += _bullets(rng, n_ways, numbered=True) + [""]
    if link:
        parts += [f"You may also find our guide to [a related topic](/articles/{link}) "
                  "useful.", ""]
    cta = ["## Getting help", "",
           "> **Find care.** If you are struggling, talk to your doctor or a licensed mental "
           "health professional. In a crisis in the US, call or text 988.", ""]
    body = "\n".join(parts + cta)
    extra = list(EXTRA_SECTIONS)
    rng.shuffle(extra)
    k = 0
    while len(body.encode()) < target:
        title = extra[k % len(extra)] + ("" if k < len(extra) else f" ({k // len(extra) + 1})")
        k += 1
        parts += [f"## {title}", "", rng.choice(PARAGRAPHS), ""]
        parts += _bullets(rng, rng.randint(6, 15)) + [""]
        body = "\n".join(parts + cta)
    return body
