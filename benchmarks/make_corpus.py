"""Generate a reproducible benchmark corpus: a git repository of articles and review events.

    python benchmarks/make_corpus.py --articles 10000 --events 30000 --seed 1 --out DIR

Writes ``DIR/repo`` (a reviewkit repository: reviewkit.yaml, reviewers.yaml, schemas/,
content/articles/*.md with a few committed revisions each, and signed review events on
refs/reviewkit/events), ``DIR/keys`` (the reviewers' ed25519 keys, OpenSSH format) and
``DIR/manifest.json`` (parameters, counts and the sample articles the runner uses).

Everything is built in-process and written with two ``git fast-import`` streams (content
history, then the events ref): no per-article or per-event subprocess. Signatures are made
in-process with ``cryptography`` in the exact armored SSHSIG format of
``ssh-keygen -Y sign -n reviewkit`` (ed25519 signatures are deterministic, so the self-check
compares bytes with ssh-keygen's output) and a sample is verified with ``ssh-keygen -Y verify``.

Article states are planned so the gate passes: every non-draft article's latest revision is
approved; stale (an older revision approved) and in-review articles are drafts.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reviewkit.article.scaffold import scaffold_files
from reviewkit.base.digest import canonical_json, content_digest
from reviewkit.base.git import blob_id
from reviewkit.base.model import ReviewEvent, format_time

# standard shape; 2: bodies without byline and editorial note; 3: events in shards
# (reviewkit/base/layout.py), one commit per event as `approve` writes them
GENERATOR_VERSION = 3
SHAPES = ("standard", "realistic")


def generator_version(shape: str = "standard") -> str:
    """The version a cached corpus of ``shape`` is keyed by (bumped per shape)."""
    if shape == "standard":
        return str(GENERATOR_VERSION)
    from realistic import VERSION

    return f"{GENERATOR_VERSION}r{VERSION}"
NAMESPACE = "reviewkit"
CONTENT_DIR = "content/articles"

# --- corpus schema: the shipped one plus optional publication fields ---------------------

EXTRA_PROPERTIES: dict[str, Any] = {
    "keywords": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
    "audience": {"enum": ["general", "parents", "teens", "caregivers", "clinicians", "older-adults"]},
    "reading_time": {"type": "integer", "minimum": 1, "maximum": 120},
    "related": {"type": "array", "items": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}},
    "sources": {
        "type": "array",
        "items": {
            "type": "object", "required": ["name", "url"], "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "url": {"type": "string", "pattern": "^https?://"}},
        },
    },
    "locale": {"type": "string", "pattern": "^[a-z]{2}(-[A-Z]{2})?$"},
    "canonical_url": {"type": "string", "pattern": "^https://"},
    "hero_image": {
        "type": "object", "required": ["src", "alt"], "additionalProperties": False,
        "properties": {"src": {"type": "string"}, "alt": {"type": "string"},
                       "credit": {"type": "string"}},
    },
    "category": {"type": "string"},
    "series": {"type": "string"},
    "summary": {"type": "string", "maxLength": 600},
    "last_reviewed": {"type": "string", "format": "date"},
    "word_count": {"type": "integer", "minimum": 0},
    "faq": {
        "type": "array",
        "items": {"type": "object", "required": ["q", "a"], "additionalProperties": False,
                  "properties": {"q": {"type": "string"}, "a": {"type": "string"}}},
    },
    "disclaimer": {"type": "string"},
    "schema_type": {"enum": ["MedicalWebPage", "Article", "FAQPage"]},
    "og_title": {"type": "string", "maxLength": 200},
    "og_description": {"type": "string", "maxLength": 300},
    "contributors": {
        "type": "array",
        "items": {"type": "object", "required": ["name", "role"], "additionalProperties": False,
                  "properties": {"name": {"type": "string"}, "role": {"type": "string"}}},
    },
    "content_warning": {"type": "boolean"},
    "crisis_resources": {"type": "boolean"},
    "priority": {"type": "integer", "minimum": 0, "maximum": 10},
    "revision": {"type": "integer", "minimum": 1, "x-review-exempt": True},
    "layout": {"type": "string", "x-review-exempt": True},
}
EXTRA_KEYS = list(EXTRA_PROPERTIES)


def corpus_schema() -> bytes:
    shipped = json.loads(scaffold_files()["schemas/article.schema.json"])
    shipped["title"] = "Article front matter (benchmark corpus)"
    shipped["properties"].update(EXTRA_PROPERTIES)
    return (json.dumps(shipped, indent=2) + "\n").encode()


# --- SSHSIG, in-process --------------------------------------------------------------------


def _s(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def ed25519_key_blob(pub_raw: bytes) -> bytes:
    return _s(b"ssh-ed25519") + _s(pub_raw)


def sshsig_sign(private: Ed25519PrivateKey, pub_blob: bytes, message: bytes) -> str:
    """Exactly what ``ssh-keygen -Y sign -n reviewkit`` prints (sha512, 70-column armor)."""
    signed = (b"SSHSIG" + _s(NAMESPACE.encode()) + _s(b"") + _s(b"sha512")
              + _s(hashlib.sha512(message).digest()))
    sig = private.sign(signed)
    blob = (b"SSHSIG" + struct.pack(">I", 1) + _s(pub_blob) + _s(NAMESPACE.encode()) + _s(b"")
            + _s(b"sha512") + _s(_s(b"ssh-ed25519") + _s(sig)))
    b64 = base64.b64encode(blob).decode()
    lines = [b64[i:i + 70] for i in range(0, len(b64), 70)]
    return "-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) + "\n-----END SSH SIGNATURE-----\n"


# --- people --------------------------------------------------------------------------------

FIRST = ["Robin", "Michael", "Aisha", "Daniel", "Priya", "Tomás", "Grace", "Kenji", "Leila",
         "Samuel", "Hannah", "Omar", "Ingrid", "Marcus", "Yuki", "Rosa", "Elijah", "Fatima",
         "Noah", "Chloé", "Ruth", "Diego", "Amara", "Felix", "Nadia", "Isaac"]
LAST = ["Castellano", "Okafor", "Rahman", "Whitfield", "Natarajan", "Alvarez", "Lindqvist",
        "Moreau", "Haddad", "Osei", "Brennan", "Kowalski", "Tanaka", "Ferreira", "Abernathy",
        "Nakamura", "Delgado", "Mensah", "Sørensen", "Quinn", "Ibarra", "Volkov", "Achebe"]
CREDS = ["LPC", "LCSW", "LMFT", "PsyD", "PhD", "MD", "MD", "NP", "DO", "LPC", "LCSW", "PsyD",
         "MD", "LMFT", "PhD", "NP", "LPC", "LCSW", "MD", "PsyD"]
MED_CREDS = {"MD", "DO", "NP"}
REGIONS = ["US-OR", "US-WA", "US-CA", "US-NY", "US-TX", "US-IL", "US-MA", "US-CO"]


@dataclass
class Person:
    id: str
    name: str
    email: str
    roles: list[str]
    cred: str | None = None
    private: Ed25519PrivateKey | None = None
    pub_blob: bytes = b""
    pub_line: str = ""


def make_people(rng: random.Random, keys_dir: Path) -> tuple[list[Person], list[Person]]:
    keys_dir.mkdir(parents=True, exist_ok=True)
    names = rng.sample([(f, la) for f in FIRST for la in LAST], 26)
    reviewers: list[Person] = []
    editors: list[Person] = []
    taken: set[str] = set()
    for i, (first, last) in enumerate(names):
        pid = (first[0] + last).lower().encode("ascii", "ignore").decode()
        pid = "".join(ch for ch in pid if ch.isalnum())
        if pid in taken:
            pid += str(i)
        taken.add(pid)
        email = f"{pid}@example.org"
        if i < 20:
            p = Person(pid, f"{first} {last}", email, ["clinical_reviewer"], CREDS[i])
            reviewers.append(p)
        else:
            p = Person(pid, f"{first} {last}", email, ["editor"])
            editors.append(p)
        key = Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        p.private, p.pub_blob = key, ed25519_key_blob(raw)
        p.pub_line = f"ssh-ed25519 {base64.b64encode(p.pub_blob).decode()} {pid}@bench"
        priv_path = keys_dir / pid
        priv_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                serialization.PrivateFormat.OpenSSH,
                                                serialization.NoEncryption()))
        priv_path.chmod(0o600)
        (keys_dir / f"{pid}.pub").write_text(p.pub_line + "\n")
    return reviewers, editors


def registry_yaml(reviewers: list[Person], editors: list[Person], rng: random.Random) -> bytes:
    out = ["# Reviewer registry of the benchmark corpus (generated).", "reviewers:"]
    for p in reviewers + editors:
        out += [f"  - id: {p.id}", f"    name: {json.dumps(p.name, ensure_ascii=False)}",
                f"    email: {p.email}", f"    roles: [{', '.join(p.roles)}]"]
        if p.cred:
            out += ["    credentials:", f"      - type: {p.cred}",
                    f"        license: \"{p.cred}-{rng.randint(1000, 99999)}\"",
                    f"        region: {rng.choice(REGIONS)}", "        expires: 2099-06-30"]
        out += ["    keys:", f"      - {p.pub_line}"]
    return ("\n".join(out) + "\n").encode("utf-8")


# --- articles ------------------------------------------------------------------------------

SUBJECTS = [
    ("fear of intimacy", ["intimacy", "relationships", "attachment"]),
    ("social anxiety", ["anxiety", "social-anxiety"]),
    ("burnout at work", ["burnout", "stress", "work"]),
    ("panic attacks", ["anxiety", "panic"]),
    ("grief after a loss", ["grief", "loss"]),
    ("insomnia", ["sleep", "insomnia"]),
    ("perfectionism", ["perfectionism", "self-esteem"]),
    ("loneliness", ["loneliness", "relationships"]),
    ("postpartum depression", ["depression", "parenting"]),
    ("seasonal depression", ["depression", "mood"]),
    ("health anxiety", ["anxiety", "health"]),
    ("codependency", ["codependency", "relationships"]),
    ("anger", ["anger", "emotions"]),
    ("low self-esteem", ["self-esteem"]),
    ("obsessive thoughts", ["ocd", "anxiety"]),
    ("adult ADHD", ["adhd", "focus"]),
    ("antidepressant side effects", ["medication", "depression"]),
    ("stopping anxiety medication", ["medication", "anxiety"]),
    ("sleep medication", ["medication", "sleep"]),
    ("caregiver stress", ["caregiving", "stress"]),
    ("trauma responses", ["trauma", "ptsd"]),
    ("emotional numbness", ["emotions", "depression"]),
    ("procrastination", ["procrastination", "focus"]),
    ("people pleasing", ["relationships", "boundaries"]),
    ("phobias", ["phobia", "anxiety"]),
    ("eating disorder warning signs", ["eating-disorders"]),
    ("alcohol and mood", ["substance-use", "mood"]),
    ("teen depression", ["depression", "teens"]),
]
ANGLES = ["causes, signs and how to cope", "what it is and how to manage it",
          "a guide for partners", "in teenagers", "at work", "after a breakup",
          "in older adults", "for new parents", "and the holidays", "myths and facts",
          "when to get help", "in college students", "and your body", "a practical guide"]
AUDIENCE = ["general", "parents", "teens", "caregivers", "clinicians", "older-adults"]
PUBLISHERS = ["National Institute of Mental Health", "American Psychological Association",
              "World Health Organization", "Journal of Anxiety Disorders", "The Lancet Psychiatry",
              "JAMA Psychiatry", "Cochrane Database of Systematic Reviews", "BMJ"]

OPENERS = [
    "Many people live with {s} without ever putting a name to it.",
    "If you have noticed {s} shaping your days, you are far from alone.",
    "{S} can feel isolating, but it is common and it is treatable.",
    "Understanding {s} is the first step toward feeling more in control.",
]
SENTENCES = [
    "Researchers describe it as a pattern rather than a single event.",
    "It often builds slowly, which makes it easy to miss at first.",
    "Stress, sleep and past experiences all play a part.",
    "Family history can raise the risk, but it does not decide the outcome.",
    "Some people notice it most in close relationships; others at work or school.",
    "Small changes, repeated over weeks, tend to matter more than big resolutions.",
    "Talking with someone you trust can make the first step feel lighter.",
    "A licensed therapist can help you find patterns and practise new responses.",
    "Cognitive behavioural therapy has the strongest evidence for many people.",
    "Medication can help some people and is worth discussing with a prescriber.",
    "Progress is rarely a straight line, and setbacks are part of the process.",
    "Writing down what you feel and when can show you what sets it off.",
    "Regular movement, daylight and a steady sleep schedule support recovery.",
    "It helps to separate the feeling from the facts of the situation.",
    "Naming the emotion out loud often reduces its intensity.",
    "Support groups offer a place to hear from people with similar experiences.",
    "Self-criticism tends to make symptoms worse, not better.",
    "Being patient with yourself is a skill, and it can be learned.",
]
SIGNS = [
    "You avoid situations you used to enjoy", "Your sleep has changed for weeks",
    "You feel on edge most days", "You find it hard to concentrate",
    "You withdraw from friends and family", "Small tasks feel overwhelming",
    "You notice physical symptoms such as a racing heart", "You replay conversations for hours",
    "You feel numb or disconnected", "You rely on alcohol to unwind",
    "You expect the worst in ordinary situations", "You struggle to ask for help",
    "You feel irritable over small things", "You lose interest in food or overeat",
]
SUPPORT = [
    "Listen without rushing to fix the problem", "Ask how you can help, and follow through",
    "Learn about the condition together", "Respect their pace and their boundaries",
    "Encourage professional support without pressure", "Check in regularly, even briefly",
]


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _para(rng: random.Random, n: int) -> str:
    return " ".join(rng.sample(SENTENCES, n))


@dataclass
class ArticlePlan:
    index: int
    id: str
    slug: str
    path: str
    subject: str
    topics: list[str]
    author: Person
    category: str  # approved | stale | in_review | draft
    title: str
    fm: dict[str, Any]  # front matter as plain JSON (dates as ISO strings)
    intro: list[str]
    sections: list[str]
    revisions: list[bytes] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    blobs: list[str] = field(default_factory=list)
    commit_idx: list[int] = field(default_factory=list)
    events: list[tuple[str, int, Person]] = field(default_factory=list)  # kind, revision, actor


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(rng: random.Random, ms: int) -> str:
    value = (ms << 80) | rng.getrandbits(80)
    return "".join(_CROCKFORD[(value >> (5 * (25 - i))) & 31] for i in range(26))


def slugify(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower().encode("ascii", "ignore").decode())
    return "-".join(p for p in out.split("-") if p)


def build_front_matter(rng: random.Random, a: ArticlePlan, title: str, updated: dt.date,
                       slugs: list[str], n_extra: int, extra_keys: list[str]) -> dict[str, Any]:
    s = a.subject
    fm: dict[str, Any] = {
        "id": a.id, "title": title, "slug": a.slug,
        "description": f"What {s} is, how to recognise it, and practical ways to cope and get support.",
        "author": {"name": a.author.name, "email": a.author.email},
        "topics": list(a.topics), "draft": a.category != "approved",
        "updated": updated.isoformat(),
        "citations": [
            {"id": f"c{j + 1}", "title": f"{s.capitalize()}: a review of the evidence ({j + 1})",
             "url": f"https://doi.example.org/10.{rng.randint(1000, 9999)}/{rng.randint(10**5, 10**6)}",
             "publisher": rng.choice(PUBLISHERS), "year": rng.randint(2005, 2026)}
            for j in range(rng.randint(1, 5))
        ],
    }
    gen: dict[str, Any] = {
        "keywords": lambda: rng.sample([s, *a.topics, "mental health", "therapy", "coping", "support"], 4),
        "audience": lambda: rng.choice(AUDIENCE),
        "reading_time": lambda: rng.randint(3, 14),
        "related": lambda: rng.sample(slugs, min(3, len(slugs))),
        "sources": lambda: [{"name": rng.choice(PUBLISHERS), "url": f"https://example.org/src/{rng.randint(1, 10**6)}"}
                            for _ in range(rng.randint(1, 3))],
        "locale": lambda: "en-US",
        "canonical_url": lambda: f"https://www.example-health.org/articles/{a.slug}",
        "hero_image": lambda: {"src": f"/images/{a.slug}.jpg", "alt": f"Illustration for {s}",
                               "credit": "Example Health"},
        "category": lambda: rng.choice(["Conditions", "Relationships", "Wellness", "Treatment"]),
        "series": lambda: rng.choice(["Understanding anxiety", "Everyday coping", "Care guides"]),
        "summary": lambda: _para(rng, 2),
        "last_reviewed": lambda: (updated - dt.timedelta(days=rng.randint(0, 60))).isoformat(),
        "word_count": lambda: rng.randint(300, 600),
        "faq": lambda: [{"q": f"Is {s} common?", "a": rng.choice(SENTENCES)},
                        {"q": f"When should I get help for {s}?", "a": rng.choice(SENTENCES)}],
        "disclaimer": lambda: "This article is for information only and is not a substitute for professional care.",
        "schema_type": lambda: "MedicalWebPage",
        "og_title": lambda: title,
        "og_description": lambda: f"Signs of {s} and what helps.",
        "contributors": lambda: [{"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "role": "research"}],
        "content_warning": lambda: rng.random() < 0.2,
        "crisis_resources": lambda: True,
        "priority": lambda: rng.randint(0, 10),
        "revision": lambda: 1,
        "layout": lambda: "article",
        "tags": lambda: rng.sample(["featured", "evergreen", "newsletter", "seo", "spring"], 2),
    }
    for k in rng.sample(extra_keys, n_extra):
        fm[k] = gen[k]()
    return fm


def _yaml_scalar(v: Any, key: str = "") -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if key in ("updated", "last_reviewed"):
        return str(v)  # a YAML date; reviewkit turns it back into the ISO string
    if isinstance(v, str) and v and all(ch.isalnum() or ch in "-" for ch in v) and not v[0].isdigit():
        return v
    return _q(v)


def emit_yaml(fm: dict[str, Any]) -> str:
    out: list[str] = []
    for k, v in fm.items():
        if isinstance(v, dict):
            out.append(f"{k}:")
            out += [f"  {kk}: {_yaml_scalar(vv)}" for kk, vv in v.items()]
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            out.append(f"{k}:")
            for item in v:
                first = True
                for kk, vv in item.items():
                    out.append(f"  {'- ' if first else '  '}{kk}: {_yaml_scalar(vv)}")
                    first = False
        elif isinstance(v, list):
            out.append(f"{k}: [{', '.join(_yaml_scalar(x) for x in v)}]")
        else:
            out.append(f"{k}: {_yaml_scalar(v, k)}")
    return "\n".join(out) + "\n"


def render_body(rng: random.Random, a: ArticlePlan, reviewer: Person) -> str:
    s = a.subject
    signs = rng.sample(SIGNS, 7)
    ways = rng.sample(SUPPORT, 3)
    parts = [*a.intro, "", f"## What causes {s}?", "", a.sections[0], "",
             f"## Seven signs you may be dealing with {s}", ""]
    parts += [f"{i + 1}. **{sign}.** {rng.choice(SENTENCES)}" for i, sign in enumerate(signs)]
    parts += ["", f"## How to overcome {s}", "", *a.sections[1:], "",
              f"## Three ways to support someone with {s}", ""]
    parts += [f"- {w}." for w in ways]
    parts += ["", "> **Find care.** If you are struggling, talk to your doctor or a licensed "
              "mental health professional. In a crisis in the US, call or text 988.", ""]
    # no byline or editorial note in the body: publish writes the byline from the sign-off
    # and the site template the note (docs/rules.md, structure)
    return "\n".join(parts)


def make_revision_text(rng: random.Random, a: ArticlePlan, target: int, reviewer: Person,
                       shape: str = "standard") -> str:
    """Grow or tweak the sections until the body is near ``target`` bytes."""
    if shape == "realistic":
        import realistic

        cites = [str(c["id"]) for c in a.fm["citations"]]
        related = [str(x) for x in a.fm.get("related", [])]
        return realistic.render(rng, a.subject, a.intro, cites, related, target)
    body = render_body(rng, a, reviewer)
    while len(body.encode()) < target:
        i = rng.randrange(1, len(a.sections))
        a.sections[i] += " " + _para(rng, 2)
        body = render_body(rng, a, reviewer)
    return body


# --- planning events -----------------------------------------------------------------------


def plan_events(rng: random.Random, arts: list[ArticlePlan], reviewers: list[Person],
                m: int) -> None:
    def qualified(a: ArticlePlan) -> list[Person]:
        if "medication" in a.topics:
            return [r for r in reviewers if r.cred in MED_CREDS]
        return reviewers

    for a in arts:
        latest = len(a.revisions) - 1
        if a.category == "approved":
            a.events.append(("approved", latest, rng.choice(qualified(a))))
        elif a.category == "stale":
            a.events.append(("approved", rng.randrange(latest), rng.choice(qualified(a))))
        elif a.category == "in_review":
            a.events.append(("submitted", latest, a.author))
    active = [a for a in arts if a.category != "draft"]
    total = sum(len(a.events) for a in arts)
    kinds = ["submitted", "commented", "approved", "changes_requested"]
    weights = [4, 3, 2, 1]
    while total < m:
        a = rng.choice(active)
        latest = len(a.revisions) - 1
        kind = rng.choices(kinds, weights)[0]
        approved_revs = {r for k, r, _ in a.events if k == "approved"}
        if kind == "submitted":
            a.events.append((kind, rng.randrange(latest + 1), a.author))
        elif kind == "commented":
            who = a.author if rng.random() < 0.5 else rng.choice(reviewers)
            a.events.append((kind, rng.randrange(latest + 1), who))
        elif kind == "approved":
            if a.category == "approved":
                rev = latest if rng.random() < 0.3 else rng.randrange(latest + 1)
            elif latest == 0:
                continue
            else:
                rev = rng.randrange(latest)
            a.events.append((kind, rev, rng.choice(qualified(a))))
        else:
            revs = [r for r in range(latest) if r not in approved_revs]
            if not revs:
                continue
            a.events.append((kind, rng.choice(revs), rng.choice(reviewers)))
        total += 1


ORDER = {"submitted": 0, "commented": 1, "changes_requested": 2, "approved": 3}


# --- fast-import ---------------------------------------------------------------------------


def fast_import(repo: Path, chunks: list[bytes], marks: Path) -> None:
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done", f"--export-marks={marks}"],
        cwd=repo, stdin=subprocess.PIPE,
    )
    assert proc.stdin is not None
    for c in chunks:
        proc.stdin.write(c)
    proc.stdin.write(b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")


def read_marks(path: Path) -> dict[int, str]:
    out = {}
    for line in path.read_text().splitlines():
        mark, sha = line.split()
        out[int(mark[1:])] = sha
    return out


def _data(b: bytes) -> bytes:
    return b"data %d\n" % len(b) + b + b"\n"


def _commit(ref: str, mark: int, who: str, ts: int, msg: str, parent: int | None,
            files: list[tuple[str, int]]) -> bytes:
    head = (f"commit {ref}\nmark :{mark}\nauthor {who} {ts} +0000\ncommitter {who} {ts} +0000\n").encode()
    out = [head, _data(msg.encode())]
    if parent is not None:
        out.append(b"from :%d\n" % parent)
    out += [f"M 100644 :{bm} {p}\n".encode() for p, bm in files]
    out.append(b"\n")
    return b"".join(out)


# --- main ----------------------------------------------------------------------------------


def git(repo: Path, *args: str, input: bytes | None = None) -> str:
    return subprocess.run(["git", *args], cwd=repo, input=input, check=True,
                          capture_output=True).stdout.decode()


def generate(n: int, m: int, seed: int, out: Path, epoch: dt.date,
             shape: str = "standard") -> dict[str, Any]:
    t0 = time.perf_counter()
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    repo, keys = out / "repo", out / "keys"
    repo.mkdir(parents=True)
    reviewers, editors = make_people(rng, keys)

    # time line: content commits over 150 days before the epoch, events after each revision
    end = dt.datetime.combine(epoch, dt.time(0), dt.timezone.utc) - dt.timedelta(days=1)
    start = end - dt.timedelta(days=150)
    n_commits = 24
    commit_times = [start + dt.timedelta(days=120) * i / n_commits for i in range(n_commits)]

    schema_bytes = corpus_schema()
    from reviewkit.article.schema import compile_schema

    schema = compile_schema(schema_bytes, "schemas/article.schema.json")
    exempt = schema.exempt

    # 1. plan articles
    seen: set[str] = set()
    arts: list[ArticlePlan] = []
    cats = rng.choices(["approved", "stale", "in_review", "draft"], [82, 7, 7, 4], k=n)
    for i in range(n):
        subject, topics = rng.choice(SUBJECTS)
        angle = rng.choice(ANGLES)
        title = f"{subject[0].upper()}{subject[1:]}: {angle}"
        base = slugify(f"{subject} {angle}")
        slug, k = base, 2
        while slug in seen:
            slug, k = f"{base}-{k}", k + 1
        seen.add(slug)
        cat = cats[i]
        n_rev = rng.choice([1, 2, 2, 3, 3, 4]) if cat != "draft" else rng.choice([1, 2])
        if cat == "stale":
            n_rev = max(n_rev, 2)
        ms = int(commit_times[0].timestamp() * 1000) + i
        a = ArticlePlan(i, ulid(rng, ms), slug, f"{CONTENT_DIR}/{slug}.md", subject,
                        list(topics), rng.choice(editors), cat, title, {}, [], [])
        a.commit_idx = sorted(rng.sample(range(n_commits), n_rev))
        arts.append(a)
    slugs = [a.slug for a in arts]

    # 2. revisions: front matter of 15-30 keys, bodies of 1-3.5 KB
    required = 9
    for a in arts:
        n_keys = rng.randint(15, 30)
        extra_pool = [*EXTRA_KEYS, "tags"]
        updated = commit_times[a.commit_idx[0]].date()
        a.fm = build_front_matter(rng, a, a.title, updated, slugs, min(n_keys - required, len(extra_pool)),
                                  extra_pool)
        a.intro = [rng.choice(OPENERS).format(s=a.subject, S=a.subject.capitalize()) + " "
                   + _para(rng, 3)]
        a.sections = [_para(rng, 4), _para(rng, 3), _para(rng, 3)]
        if shape == "realistic":
            import realistic

            target = realistic.target_size(rng)
        else:
            target = rng.randint(1000, 3400)
        byline = rng.choice(reviewers)
        for r, ci in enumerate(a.commit_idx):
            if r > 0:  # a real edit: a section rewritten, the date moved
                j = rng.randrange(len(a.sections))
                a.sections[j] = _para(rng, rng.randint(2, 4))
                a.fm["updated"] = commit_times[ci].date().isoformat()
                if "revision" in a.fm:
                    a.fm["revision"] = r + 1
            if a.category != "approved":
                a.fm["draft"] = True
            elif r == len(a.commit_idx) - 1:
                a.fm["draft"] = False
            body = make_revision_text(rng, a, target, byline, shape)
            data = ("---\n" + emit_yaml(a.fm) + "---\n" + body).encode("utf-8")
            a.revisions.append(data)
            a.digests.append(content_digest(a.fm, body, exempt))
            a.blobs.append(blob_id(data))
    t_plan = time.perf_counter()

    # 3. content history with fast-import
    git(repo, "init", "-q", "-b", "main")
    for setting, val in (("user.name", "Bench Editor"), ("user.email", "editor@example.org"),
                         ("commit.gpgsign", "false"), ("gc.auto", "0")):
        git(repo, "config", setting, val)
    scaffold = scaffold_files()
    static = {
        "reviewkit.yaml": scaffold["reviewkit.yaml"],
        "reviewers.yaml": registry_yaml(reviewers, editors, rng),
        "schemas/article.schema.json": schema_bytes,
        ".github/workflows/reviewkit.yml": scaffold[".github/workflows/reviewkit.yml"],
        "README.md": b"# Benchmark corpus\n\nGenerated by benchmarks/make_corpus.py.\n",
    }
    chunks: list[bytes] = []
    mark = 0
    per_commit: list[list[tuple[str, int]]] = [[] for _ in range(n_commits)]
    static_files = []
    for p, data in static.items():
        mark += 1
        chunks.append(b"blob\nmark :%d\n" % mark + _data(data))
        static_files.append((p, mark))
    per_commit[0] += static_files
    for a in arts:
        for r, ci in enumerate(a.commit_idx):
            mark += 1
            chunks.append(b"blob\nmark :%d\n" % mark + _data(a.revisions[r]))
            per_commit[ci].append((a.path, mark))
    commit_marks = []
    parent = None
    for ci in range(n_commits):
        mark += 1
        ed = editors[ci % len(editors)]
        msg = f"Content update {ci + 1}: {len(per_commit[ci])} files\n"
        chunks.append(_commit("refs/heads/main", mark, f"{ed.name} <{ed.email}>",
                              int(commit_times[ci].timestamp()), msg, parent, per_commit[ci]))
        commit_marks.append(mark)
        parent = mark
    with tempfile.TemporaryDirectory() as tmp:
        fast_import(repo, chunks, Path(tmp) / "marks")
        marks = read_marks(Path(tmp) / "marks")
    commit_sha = [marks[cm] for cm in commit_marks]
    del chunks
    git(repo, "reset", "-q", "--hard", "main")
    t_content = time.perf_counter()

    # 4. events: planned, timed, signed in-process
    plan_events(rng, arts, reviewers, m)
    events: list[tuple[str, bytes]] = []
    signed_samples: list[tuple[ReviewEvent, Person]] = []
    for a in arts:
        by_rev: dict[int, list[tuple[str, Person]]] = {}
        for kind, rev, who in a.events:
            by_rev.setdefault(rev, []).append((kind, who))
        for rev, evs in by_rev.items():
            lo = commit_times[a.commit_idx[rev]] + dt.timedelta(hours=1)
            hi = (commit_times[a.commit_idx[rev + 1]] if rev + 1 < len(a.commit_idx) else end)
            span = max(int((hi - lo).total_seconds()), len(evs) + 1)
            times = sorted(rng.sample(range(span), len(evs)))
            evs.sort(key=lambda e: ORDER[e[0]])
            for (kind, who), off in zip(evs, times, strict=True):
                at = lo + dt.timedelta(seconds=off)
                value: dict[str, Any] = {
                    "v": 1, "event": kind, "article": a.id, "path": a.path, "digest": a.digests[rev],
                    "blob": a.blobs[rev], "commit": commit_sha[a.commit_idx[rev]],
                    "actor": who.id, "at": format_time(at),
                    "nonce": rng.randbytes(8).hex(),
                    "message": rng.choice(["", "", "Clinically accurate.", "Please cite the 2024 guideline.",
                                           "Reads well; minor wording changes made.",
                                           "Ready for clinical review."]),
                }
                if kind == "submitted" and rng.random() < 0.3:
                    value["reviewer"] = rng.choice(reviewers).id
                if kind == "approved":
                    value["credential"] = who.cred
                ev = ReviewEvent.model_validate(value, context={"unsigned": True})
                if kind in ("approved", "changes_requested"):
                    assert who.private is not None
                    sig = sshsig_sign(who.private, who.pub_blob, ev.signed_payload())
                    ev = ev.model_copy(update={"sig": sig})
                    if len(signed_samples) < 8 or rng.random() < 0.001:
                        signed_samples.append((ev, who))
                events.append((ev.file_name(), canonical_json(ev.model_dump(exclude_none=True))))
    t_sign = time.perf_counter()

    events.sort(key=lambda e: e[0].rsplit("/", 1)[1])  # by time: the file name starts with it
    chunks = []
    mark = 0
    files = []
    for name, data in events:
        mark += 1
        chunks.append(b"blob\nmark :%d\n" % mark + _data(data))
        files.append((name, mark))
    # one commit per event, as `approve` and `submit` write them: the append-only check
    # reads every commit of this history on a cold run
    parent = None
    for c, (name, bm) in enumerate(files):
        mark += 1
        ts = int(end.timestamp()) - (len(files) - c)
        chunks.append(_commit("refs/reviewkit/events", mark, "reviewkit <reviewkit@localhost>", ts,
                              f"event {c + 1}\n\n{name}\n", parent, [(name, bm)]))
        parent = mark
    with tempfile.TemporaryDirectory() as tmp:
        fast_import(repo, chunks, Path(tmp) / "marks")
    del chunks
    t_events = time.perf_counter()

    # 5. self-checks
    self_check(repo, keys, arts, signed_samples, schema, exempt, rng, shape)
    t_check = time.perf_counter()

    counts: dict[str, int] = {}
    for a in arts:
        counts[a.category] = counts.get(a.category, 0) + 1
    kinds: dict[str, int] = {}
    for name, _ in events:
        kind = name.rsplit("/", 1)[1].split("-")[1]
        kinds[kind] = kinds.get(kind, 0) + 1
    approved = [a for a in arts if a.category == "approved"]
    in_review = [a for a in arts if a.category == "in_review" and "medication" not in a.topics]
    approve_target = in_review[0]
    approver = next(r for r in reviewers if r.id != approve_target.author.id)
    manifest = {
        "generator_version": generator_version(shape), "shape": shape, "articles": n, "events": len(events),
        "seed": seed, "epoch": epoch.isoformat(), "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "states": counts, "event_kinds": kinds,
        "revisions": sum(len(a.revisions) for a in arts),
        "content_bytes": sum(len(a.revisions[-1]) for a in arts),
        "events_tip": git(repo, "rev-parse", "refs/reviewkit/events").strip(),
        "head": git(repo, "rev-parse", "HEAD").strip(),
        "status_article": approved[len(approved) // 2].path,
        "approve_article": approve_target.path, "approve_as": approver.id,
        "approve_key": str((keys / approver.id).resolve()),
        "articles_list": [a.path for a in arts],
        "timings_s": {"plan_articles": round(t_plan - t0, 2), "content_import": round(t_content - t_plan, 2),
                      "sign_events": round(t_sign - t_content, 2), "events_import": round(t_events - t_sign, 2),
                      "self_check": round(t_check - t_events, 2), "total": round(t_check - t0, 2)},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def self_check(repo: Path, keys: Path, arts: list[ArticlePlan],
               samples: list[tuple[ReviewEvent, Person]], schema: Any, exempt: Any,
               rng: random.Random, shape: str = "standard") -> None:
    """reviewkit's own parser, digest, schema and ssh-keygen agree with what was generated."""
    from reviewkit.article.content import parse_article
    from reviewkit.record.signing import AllowedKey, verify

    # articles: digest and blob as reviewkit computes them, schema-valid, from the work tree
    for a in rng.sample(arts, min(200, len(arts))):
        r = rng.randrange(len(a.revisions))
        res = parse_article(a.path, a.revisions[r], schema)
        errors = [f.format() for f in res.findings if f.is_error]
        assert not errors, errors
        assert res.article is not None and res.article.digest == a.digests[r], a.path
        assert res.blob == a.blobs[r]
        n_keys = len(res.front_matter or {})
        assert 15 <= n_keys <= 30, (a.path, n_keys)
        # standard bodies are drawn to about 1–3.5 KB; a long draw runs a little over
        lo, hi = (2000, 14_000) if shape == "realistic" else (1000, 4096)
        assert lo <= len(res.article.body.encode()) <= hi, (a.path, len(res.article.body))
        if r == len(a.revisions) - 1:
            assert (repo / a.path).read_bytes() == a.revisions[r]
    # signatures: in-process verifier, and the reference ssh-keygen
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        ev, who = samples[0]
        payload = ev.signed_payload()
        ref = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", NAMESPACE, "-f", str(keys / who.id)],
                             input=payload, capture_output=True, check=True).stdout.decode()
        assert ref == ev.sig, "in-process SSHSIG differs from ssh-keygen -Y sign output"
        for ev, who in samples:
            ok = verify(ev.signed_payload(), ev.sig or "", who.id,
                        [AllowedKey(who.id, who.pub_line)], ev.when)
            assert ok.ok, ok.reason
        for i, (ev, who) in enumerate(samples[:6]):
            (t / "allowed").write_text(f"{who.id} namespaces=\"{NAMESPACE}\" {who.pub_line}\n")
            (t / f"sig{i}").write_text(ev.sig or "")
            proc = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(t / "allowed"), "-I", who.id,
                                   "-n", NAMESPACE, "-s", str(t / f"sig{i}")],
                                  input=ev.signed_payload(), capture_output=True)
            assert proc.returncode == 0, proc.stderr.decode()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=30_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epoch", type=dt.date.fromisoformat, default=None,
                    help="Events end the day before this date (default: today, UTC). "
                         "Approvals expire after 365 days, so keep it recent.")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--shape", choices=SHAPES, default="standard",
                    help="standard: bodies of 1-3.5 KB; realistic: 2-12 KB (median about 6 KB) "
                         "with long lists, a table, links and citations (benchmarks/realistic.py)")
    args = ap.parse_args(argv)
    epoch = args.epoch or dt.datetime.now(dt.timezone.utc).date()
    manifest = generate(args.articles, args.events, args.seed, args.out, epoch, args.shape)
    shown = {k: v for k, v in manifest.items() if k != "articles_list"}
    print(json.dumps(shown, indent=1))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    sys.exit(main())
