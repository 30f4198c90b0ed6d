"""Bad input fuzzing: front matter and event files from hypothesis strategies.

Every input gives a finding or a clean error, never a traceback (exit 4), and never a
passing gate for an article whose approval did not verify. ``FUZZ_RUN`` counts the
examples actually run; the end of the run prints it (SECURITY.md quotes it).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import hypothesis.strategies as st
import pytest
from _sec import A_ID, A, event_files, gate, put_raw
from hypothesis import HealthCheck, given, settings

from reviewkit.article.content import parse_article
from reviewkit.base.model import ReviewEvent
from reviewkit.record.ledger import StoredEvent, event_bytes, make_event, parse_event
from reviewkit.record.project import load_project
from reviewkit.record.signing import sign
from reviewkit.review.policy import evaluate

from conftest import Project, article, current, examples, figures

pytestmark = pytest.mark.slow
FUZZ_RUN = figures("fuzz examples run", total=True)
NOW = dt.datetime.now(dt.timezone.utc)
FAST = settings(max_examples=examples(600), deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
E2E = settings(max_examples=examples(60), deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- strategies ----------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.dates().map(str),
    st.sampled_from(["yes", "no", "on", "off", "~", "null", "0x1F", "1e9", "2026-13-45",
                     "!!python/object:os.system", "*alias", "&anchor", "---", "...", "\x00"]),
)
json_values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                     st.dictionaries(st.text(max_size=12), inner, max_size=5)),
    max_leaves=25,
)
FIELDS = ["id", "title", "slug", "description", "author", "topics", "draft", "updated",
          "citations", "tags"]


def _yaml_scalar(v: Any) -> str:
    return json.dumps(v, default=str)  # JSON is YAML (flow style)


@st.composite
def front_matter_texts(draw: st.DrawFn) -> bytes:
    """A whole article file: valid skeleton with fields of wrong types, or hostile YAML."""
    kind = draw(st.sampled_from(["fields", "raw", "bomb", "deep", "huge", "bytes", "tags"]))
    body = b"Body.\n"
    if kind == "fields":
        fm: dict[str, Any] = {
            "id": "01JDX3Q7G6M2N8P4R5S6T7V8WF", "title": "T", "slug": "fuzz",
            "description": "d", "author": {"name": "N", "email": "n@example.org"},
            "topics": ["anxiety"], "draft": False, "updated": "2026-11-20", "citations": [],
        }
        for k in draw(st.lists(st.sampled_from(FIELDS), max_size=4)):
            if draw(st.booleans()):
                fm[k] = draw(json_values)
            else:
                fm.pop(k, None)
        for k, v in draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2)).items():
            fm[k] = v
        yaml = "\n".join(f"{_yaml_scalar(k)}: {_yaml_scalar(v)}" for k, v in fm.items())
        return f"---\n{yaml}\n---\n".encode() + body
    if kind == "raw":
        return b"---\n" + draw(st.text(max_size=300)).encode("utf-8", "surrogatepass") \
            + b"\n---\n" + body
    if kind == "bomb":
        n = draw(st.integers(2, 9))
        lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, n)]
        return ("---\n" + "\n".join(lines) + "\n---\n").encode() + body
    if kind == "deep":
        depth = draw(st.integers(30, 3000))
        style = draw(st.sampled_from(["flow-list", "flow-map", "block"]))
        if style == "flow-list":
            v = "[" * depth + "]" * depth
        elif style == "flow-map":
            v = "{a: " * depth + "1" + "}" * depth
        else:
            v = "".join("\n" + "  " * (i + 1) + "k:" for i in range(min(depth, 200))) + " 1"
        return f"---\nid: x\ntitle: {v}\n---\n".encode() + body
    if kind == "huge":
        size = draw(st.sampled_from([10_000, 500_000, 1_100_000]))
        return b"---\ntitle: \"" + b"x" * size + b"\"\n---\n" + body
    if kind == "tags":
        tag = draw(st.sampled_from(["!!python/object/apply:os.system ['true']", "!!binary aGk=",
                                    "!!set {a, b}", "!!omap [a: 1]", "!custom 1",
                                    "!!timestamp 2001-12-14t21:59:43.10-05:00", "!!float nan"]))
        return f"---\nid: {tag}\ntitle: t\n---\n".encode() + body
    # raw bytes, with invalid UTF-8 and NUL bytes mixed into an otherwise fine article
    good = article(id="01JDX3Q7G6M2N8P4R5S6T7V8WF", slug="fuzz").encode()
    junk = draw(st.binary(min_size=1, max_size=20))
    at = draw(st.integers(0, len(good)))
    return good[:at] + junk + good[at:]


def _signed_approval(project: Project) -> ReviewEvent:
    aid, digest, blob, head = current(project.path, A)
    e = make_event("approved", article=aid, path=A, digest=digest, blob=blob, commit=head,
                   actor="dwhitfield", credential="LPC", at=NOW - dt.timedelta(minutes=1))
    return e.model_copy(update={"sig": sign(e.signed_payload(), project.reviewer.private)})


@st.composite
def event_mutations(draw: st.DrawFn, original: dict[str, Any]) -> tuple[str | None, bytes]:
    """(file name or None for "the name its content implies", bytes) of a mangled event."""
    kind = draw(st.sampled_from(["field", "drop", "add", "bytes", "deep", "huge", "text"]))
    doc = dict(original)
    if kind == "field":
        k = draw(st.sampled_from(sorted(doc)))
        doc[k] = draw(st.one_of(json_values, st.text(max_size=80)))
    elif kind == "drop":
        doc.pop(draw(st.sampled_from(sorted(doc))))
    elif kind == "add":
        doc[draw(st.text(max_size=10))] = draw(json_values)
    elif kind == "deep":
        n = draw(st.integers(10, 100_000))
        return None, b'{"v":1,"x":' + b"[" * n + b"]" * n + b"}"
    elif kind == "huge":
        doc["message"] = "m" * draw(st.sampled_from([20_001, 300_000]))
    elif kind == "text":
        return draw(st.one_of(st.none(), st.just("x/y.json"))), draw(st.text(max_size=200)).encode(
            "utf-8", "surrogatepass")
    else:
        data = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
        junk = draw(st.binary(min_size=1, max_size=8))
        at = draw(st.integers(0, len(data)))
        return None, data[:at] + junk + data[at:]
    return None, json.dumps(doc, sort_keys=True, separators=(",", ":"),
                            ensure_ascii=draw(st.booleans())).encode()


def _name_for(data: bytes, fallback: str) -> str:
    """The name the content implies (so the name check is not what catches it), if any."""
    try:
        return ReviewEvent.model_validate(json.loads(data)).file_name()
    except Exception:
        return fallback


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and all(p not in ("", ".", "..") and "\0" not in p and "\n" not in p
                                   and p.lower() != ".git" for p in parts)


# --- library level: many examples ----------------------------------------------------------


def test_fuzz_front_matter_parse_and_decide(project: Project) -> None:
    p = load_project(project.path)
    forged = _signed_approval(project)

    @FAST
    @given(front_matter_texts())
    def run(data: bytes) -> None:
        FUZZ_RUN["front matter (library)"] += 1
        r = parse_article("content/articles/fuzz.md", data, p.schema)
        for f in r.findings:
            assert f.message and f.rule
        if r.article is None:
            assert any(f.is_error for f in r.findings)
        # an approval signed for another article never makes this one approved
        ev = forged.model_copy(update={"article": r.article_id or "x"})
        s = evaluate(r.summary, r.path, [StoredEvent(ev.file_name(), "0" * 40, ev)],
                     p.registry, p.config.policy, NOW,
                     invalid_reasons=[f.format() for f in r.findings if f.is_error])
        assert s.state != "approved"

    run()


def test_fuzz_event_files_parse_and_decide(project: Project) -> None:
    p = load_project(project.path)
    from reviewkit.article.content import load_article

    art = load_article(p.root, A, p.schema).summary
    assert art is not None
    original = _signed_approval(project)
    doc = json.loads(event_bytes(original))

    @FAST
    @given(event_mutations(doc))
    def run(case: tuple[str | None, bytes]) -> None:
        FUZZ_RUN["event files (library)"] += 1
        name, data = case
        name = name or _name_for(data, original.file_name())
        stored = parse_event(name, "0" * 40, data)
        assert (stored.event is None) == (stored.problem is not None)
        if stored.event is None:
            return
        s = evaluate(art, A, [stored], p.registry, p.config.policy, NOW)
        if stored.event == original:
            return  # the mutation did not change what was signed (e.g. key order)
        assert s.state != "approved", (stored.event, s.reasons)

    run()


# --- end to end: the CLI on a real repository ----------------------------------------------


def test_fuzz_front_matter_end_to_end(project: Project) -> None:
    """A fuzzed article beside an approved one: the gate never passes it unless it is a
    draft, and never crashes."""
    from _sec import approve

    approve(project)
    target = project.path / "content/articles/fuzz.md"

    @E2E
    @given(front_matter_texts())
    def run(data: bytes) -> None:
        FUZZ_RUN["front matter (gate)"] += 1
        target.write_bytes(data)
        code, doc = gate(project)
        fuzz = "content/articles/fuzz.md"
        assert fuzz not in [a["path"] for a in doc["approved"]]
        if code == 0:
            assert fuzz in doc["drafts_ignored"], doc
        r = project.rk("status", "--format", "json")
        assert r.code in (0, 1), r.output
        r = project.rk("validate", str(target), "--format", "json")
        assert r.code in (0, 1), r.output

    run()


def test_fuzz_event_files_end_to_end(project: Project) -> None:
    """A mangled copy of a valid approval, committed to the ledger: never a pass."""
    original = _signed_approval(project)
    doc = json.loads(event_bytes(original))
    tip0 = None

    @E2E
    @given(event_mutations(doc))
    def run(case: tuple[str | None, bytes]) -> None:
        nonlocal tip0
        FUZZ_RUN["event files (gate)"] += 1
        name, data = case
        name = name or _name_for(data, original.file_name())
        if not _safe_name(name):
            name = original.file_name()
        from reviewkit.base.git import open_repo

        repo = open_repo(project.path)
        if tip0 is not None:
            repo.update_ref("refs/reviewkit/events", tip0, repo.rev_parse("refs/reviewkit/events"), "reset")
        put_raw(project.path, {name: data})
        stored = parse_event(name, "", data)
        code, report = gate(project)
        if stored.event != original:
            assert code == 1, report
        r = project.rk("log", str(project.path / A), "--format", "json")
        assert r.code in (0, 1), r.output
        r = project.rk("status", "--format", "json")
        assert r.code in (0, 1), r.output

    # the ledger starts with an unrelated comment, so every example resets to it
    put_raw(project.path, {f"{A_ID}/20260101T000000.000000Z-commented-jlee-0000000000000000.json":
                           event_bytes(make_event("commented", article=A_ID, path=A,
                                                  digest="sha256:" + "0" * 64, blob="1" * 40,
                                                  commit="2" * 40, actor="jlee",
                                                  at=dt.datetime(2026, 1, 1,
                                                                 tzinfo=dt.timezone.utc)
                                                  ).model_copy(update={"nonce": "0" * 16}))})
    tip0 = project.repo.git("rev-parse", "refs/reviewkit/events")
    assert len(event_files(project.path)) == 1
    run()
