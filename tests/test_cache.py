"""The gate cache: same verdicts with and without it, and with 1 or 2 workers; invalidated
by every input it depends on; ignored when corrupt."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.article.content import ArticleResult
from reviewkit.base import workers as workers_mod
from reviewkit.base.model import ArticleSummary
from reviewkit.outputs.gate import GateResult, run_gate
from reviewkit.record.cache import Cache, cache_path, verdict_key
from reviewkit.record.project import load_project
from reviewkit.review.status import open_cache

from conftest import Key, Project, article, default_reviewers, git, put_event, registry_yaml

A = "content/articles/coping-with-worry.md"
NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture(autouse=True)
def _now() -> None:
    """NOW is taken per test: events are recorded at the real time, and a NOW taken when the
    module was imported is older than them by more than the allowed clock skew (300 s) once
    the suite runs longer than that before reaching this module."""
    global NOW
    NOW = dt.datetime.now(dt.timezone.utc)


def verdicts(result: GateResult) -> str:
    return json.dumps(sorted((s.to_dict() for s in result.report.statuses),
                             key=lambda d: d["path"]), sort_keys=True, default=str) + \
        json.dumps([result.passed, result.failures])


def gate(path: Path, *, cached: bool, workers: int = 1,
         now: dt.datetime | None = None) -> GateResult:
    # the clock of the run, not of the import: events are signed at the real time, and
    # after clock_skew_seconds a module-level NOW would see them as future-dated
    project = load_project(path)
    cache = open_cache(project) if cached else None
    result = run_gate(project, cache=cache, workers=workers,
                      now=now or dt.datetime.now(dt.timezone.utc))
    if cache is not None:
        cache.save()
    return result


@pytest.fixture
def catalogue(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    """Twelve articles in mixed states; workers split even small batches."""
    monkeypatch.setattr(workers_mod, "MIN_PER_WORKER", 1)
    for i in range(12):
        slug = f"topic-{i}"
        project.repo.write(f"content/articles/{slug}.md",
                           article(slug=slug, id=f"01JDX3Q7G6M2N8P4R5S6T7V8{i:02d}",
                                   draft="true" if i % 5 == 4 else "false"))
    project.repo.write("content/articles/broken.md", "---\ntitle: [\n---\n")
    project.repo.commit("catalogue")
    # dated NOW, the time every gate below judges at: written minutes after the test module
    # was collected (a slow machine), events dated later would count as future-dated
    for i in range(0, 12, 2):
        put_event(project.path, "approved", f"content/articles/topic-{i}.md", "dwhitfield",
                  project.reviewer, credential="LPC", at=NOW)
    put_event(project.path, "approved", "content/articles/topic-1.md", "dwhitfield", None,
              at=NOW)
    put_event(project.path, "approved", "content/articles/topic-3.md", "dwhitfield",
              project.reviewer, at=NOW - dt.timedelta(days=300))
    put_event(project.path, "submitted", "content/articles/topic-5.md", "jlee", None, at=NOW)
    return project


def test_same_verdicts_with_and_without_cache_and_workers(catalogue: Project) -> None:
    base = verdicts(gate(catalogue.path, cached=False, workers=1))
    assert verdicts(gate(catalogue.path, cached=False, workers=2)) == base
    assert verdicts(gate(catalogue.path, cached=True, workers=2)) == base  # cold cache
    assert cache_path(Path(git(catalogue.path, "rev-parse", "--absolute-git-dir"))).is_file()
    assert verdicts(gate(catalogue.path, cached=True, workers=1)) == base  # warm
    # after a change to 1 article the warm cache and a fresh run still agree
    rel = "content/articles/topic-0.md"
    catalogue.repo.write(rel, catalogue.repo.read(rel).replace("Plain words", "New words"))
    fresh = verdicts(gate(catalogue.path, cached=False))
    assert fresh != base
    assert verdicts(gate(catalogue.path, cached=True, workers=2)) == fresh


def test_cache_is_actually_used(catalogue: Project) -> None:
    gate(catalogue.path, cached=True)
    project = load_project(catalogue.path)
    cache = open_cache(project)
    assert cache.articles and cache.verdicts
    assert cache.ledger_ok is None  # the unsigned approval does not parse: checked every time
    run_gate(project, cache=cache, now=dt.datetime.now(dt.timezone.utc))
    assert not cache.dirty  # nothing new to learn: every lookup hit


def test_known_good_events_tip_is_remembered(project: Project) -> None:
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer, at=NOW)
    gate(project.path, cached=True)
    cache = open_cache(load_project(project.path))
    assert cache.ledger_ok == git(project.path, "rev-parse", "refs/reviewkit/events")


def _edit_registry(project: Project, edit) -> None:  # type: ignore[no-untyped-def]
    people = default_reviewers(project.reviewer, project.second, project.editor)
    edit(people)
    project.repo.write("reviewers.yaml", registry_yaml(people))


def state_of(result: GateResult, rel: str) -> str:
    return next(s.state for s in result.report.statuses if s.path == rel)


def test_registry_change_invalidates_verdicts(catalogue: Project,
                                             keys: Callable[[str], Key]) -> None:
    rel = "content/articles/topic-0.md"
    assert state_of(gate(catalogue.path, cached=True), rel) == "approved"
    other = keys("dwhitfield-other").line  # not the editor's: one key is one person's
    _edit_registry(catalogue, lambda people: people[0].update(keys=[other]))
    assert state_of(gate(catalogue.path, cached=True), rel) != "approved"


def test_policy_change_invalidates_verdicts(catalogue: Project) -> None:
    rel = "content/articles/topic-0.md"
    assert state_of(gate(catalogue.path, cached=True), rel) == "approved"
    text = catalogue.repo.read("reviewkit.yaml").replace("approvals_required: 1", "approvals_required: 2")
    catalogue.repo.write("reviewkit.yaml", text)
    assert state_of(gate(catalogue.path, cached=True), rel) == "in_review" or \
        state_of(gate(catalogue.path, cached=True), rel) != "approved"


def test_schema_change_invalidates_digests(catalogue: Project) -> None:
    rel = "content/articles/topic-0.md"
    assert state_of(gate(catalogue.path, cached=True), rel) == "approved"
    schema = json.loads(catalogue.repo.read("schemas/article.schema.json"))
    schema["properties"]["draft"].pop("x-review-exempt")  # draft now covered: new digests
    catalogue.repo.write("schemas/article.schema.json", json.dumps(schema))
    assert state_of(gate(catalogue.path, cached=True), rel) == "stale"
    assert verdicts(gate(catalogue.path, cached=True)) == verdicts(gate(catalogue.path, cached=False))


def test_version_change_invalidates_everything(catalogue: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    gate(catalogue.path, cached=True)
    import reviewkit.record.cache as cache_mod

    monkeypatch.setattr(cache_mod, "__version__", "999.0")
    project = load_project(catalogue.path)
    cache = open_cache(project)
    assert not cache.articles and not cache.verdicts and cache.ledger_ok is None


def test_verdict_expires_with_time(catalogue: Project) -> None:
    rel = "content/articles/topic-3.md"  # approved 300 days ago
    assert state_of(gate(catalogue.path, cached=True), rel) == "approved"
    later = NOW + dt.timedelta(days=100)
    assert state_of(gate(catalogue.path, cached=True, now=later), rel) == "expired"
    assert state_of(gate(catalogue.path, cached=False, now=later), rel) == "expired"


def test_new_events_are_seen_with_a_warm_cache(catalogue: Project) -> None:
    rel = "content/articles/topic-5.md"
    assert state_of(gate(catalogue.path, cached=True), rel) == "in_review"
    put_event(catalogue.path, "approved", rel, "mokafor", catalogue.second, at=NOW)
    assert state_of(gate(catalogue.path, cached=True), rel) == "approved"
    # an unparseable event file added later still fails the gate
    repo = load_project(catalogue.path).repo
    tip = repo.rev_parse("refs/reviewkit/events")
    tree = repo.tree_with(tip, {"X/junk.json": repo.hash_object(b"junk")})
    assert repo.update_ref("refs/reviewkit/events", repo.commit_tree(tree, [tip], "j", "x", "x@x"),  # type: ignore[list-item]
                           tip, "junk")
    result = gate(catalogue.path, cached=True)
    assert not result.passed and any("X/junk.json" in f for f in result.failures)


@pytest.mark.parametrize("damage", ["garbage", "flip", "truncate", "foreign", "no-mac",
                                    "after-mac", "reordered", "dropped-line", "old-format"])
def test_corrupt_cache_is_ignored(catalogue: Project, damage: str) -> None:
    base = verdicts(gate(catalogue.path, cached=False))
    gate(catalogue.path, cached=True)
    path = cache_path(Path(git(catalogue.path, "rev-parse", "--absolute-git-dir")))
    raw = path.read_text()
    if damage == "garbage":
        path.write_bytes(b"\x00\xff not json")
    elif damage == "flip":
        # claim an unapproved article is approved, without fixing the checksum
        needle = '"state":"in_review"'
        assert needle in raw
        path.write_text(raw.replace(needle, needle.replace("in_review", "approved")))
    elif damage == "truncate":
        path.write_text(raw[: len(raw) // 2])
    elif damage == "foreign":
        path.write_text(json.dumps({"format": "other", "body": {}}))
    else:  # one entry a line, the MAC last: any change to the lines is caught
        lines = raw.split("\n")
        assert lines[-1] == "" and lines[-2].startswith("mac\t") and len(lines) > 5
        if damage == "no-mac":
            lines = lines[:-2] + [""]
        elif damage == "after-mac":
            lines.insert(-1, lines[1])
        elif damage == "reordered":
            lines[1], lines[2] = lines[2], lines[1]
        elif damage == "dropped-line":
            del lines[2]
        else:  # the version before (one JSON document), with this file's MAC
            lines[0] = lines[0].replace('"version":9', '"version":8')
        path.write_text("\n".join(lines))
    project = load_project(catalogue.path)
    cache = open_cache(project)
    if damage != "foreign":
        assert not cache.verdicts and not cache.articles
    assert verdicts(run_gate(project, cache=cache, now=NOW)) == base


def test_cli_gate_uses_and_refreshes_cache(catalogue: Project) -> None:
    r1 = catalogue.rk("gate", "--format", "json")
    r2 = catalogue.rk("gate", "--format", "json")
    r3 = catalogue.rk("gate", "--format", "json", "--no-cache", "--workers", "2")
    assert r1.code == r2.code == r3.code == 1
    assert json.loads(r1.out) == json.loads(r2.out) == json.loads(r3.out)


def test_validate_cache_is_separate_and_gives_the_same_findings(catalogue: Project) -> None:
    first = catalogue.rk("validate", "--format", "json")
    git_dir = Path(git(catalogue.path, "rev-parse", "--absolute-git-dir"))
    assert (git_dir / "reviewkit" / "cache-lint.json").is_file()
    catalogue.rk("gate")
    assert (git_dir / "reviewkit" / "cache.json").is_file()
    second = catalogue.rk("validate", "--format", "json")  # warm
    assert first.code == second.code == 1  # broken.md
    assert json.loads(first.out) == json.loads(second.out)
    # a new article changes the slugs the links rule knows: findings still right
    rel = "content/articles/topic-0.md"
    catalogue.repo.write(rel, catalogue.repo.read(rel).replace(
        "Plain words about the topic.", "See [the new one](/articles/newcomer)."))
    assert "no article with slug 'newcomer'" in catalogue.rk("validate").out
    catalogue.repo.write("content/articles/newcomer.md",
                         article(slug="newcomer", id="01JDX3Q7G6M2N8P4R5S6T7V8ZZ"))
    assert "no article with slug 'newcomer'" not in catalogue.rk("validate").out


def test_cached_verdict_not_used_when_the_clock_went_back(catalogue: Project) -> None:
    rel = "content/articles/topic-5.md"
    put_event(catalogue.path, "approved", rel, "mokafor", catalogue.second,
              at=NOW + dt.timedelta(days=1))  # future-dated: counts only from tomorrow
    later = NOW + dt.timedelta(days=2)
    assert state_of(gate(catalogue.path, cached=True, now=later), rel) == "approved"
    # the same cache asked about a moment before the event was due
    assert state_of(gate(catalogue.path, cached=True, now=NOW), rel) != "approved"


def test_missing_events_ref_is_part_of_the_verdict_key(catalogue: Project) -> None:
    rel = "content/articles/topic-7.md"  # no events of its own
    before = next(s for s in gate(catalogue.path, cached=True).report.statuses if s.path == rel)
    assert before.reasons == ["not submitted for review"]
    git(catalogue.path, "update-ref", "-d", "refs/reviewkit/events")
    after = next(s for s in gate(catalogue.path, cached=True).report.statuses if s.path == rel)
    assert "refs/reviewkit/events does not exist" in after.reasons[0]
    assert after.fix is not None and "git fetch origin" in after.fix


def test_validate_cache_follows_the_publications_word_lists(catalogue: Project) -> None:
    catalogue.repo.write("extra-words.yaml", "person-first:\n  avoid: []\n")
    text = catalogue.repo.read("reviewkit.yaml").replace(
        "rules: {}", "rules:\n  word_lists: [extra-words.yaml]")
    catalogue.repo.write("reviewkit.yaml", text)
    assert "flummox" not in catalogue.rk("validate").out
    rel = "content/articles/topic-0.md"
    catalogue.repo.write(rel, catalogue.repo.read(rel).replace(
        "Plain words about the topic.", "Plain words about the flummox."))
    catalogue.rk("validate")  # warm the cache with this article's findings
    catalogue.repo.write("extra-words.yaml", "person-first:\n  avoid:\n    - id: flummox\n"
                         "      phrase: flummox\n      suggestion: a person\n")
    assert "flummox" in catalogue.rk("validate").out


def test_validate_cache_follows_the_word_lists_of_each_language(catalogue: Project) -> None:
    """`rules.languages` lists (the Spanish one here) change findings as `word_lists` do:
    editing one is seen by the next (cached) validate."""
    from conftest import article

    catalogue.repo.write("wordlists/es.yaml", "safe-messaging:\n  mentions: []\n")
    text = catalogue.repo.read("reviewkit.yaml").replace(
        "rules: {}", "rules:\n  languages: {es: [wordlists/es.yaml]}")
    catalogue.repo.write("reviewkit.yaml", text)
    rel = "content/articles/uno.md"
    catalogue.repo.write(rel, article(id="01JDX3Q7G6M2N8P4R5S6T7V8Z0", slug="uno",
                                      body="Si piensas en el suicidio, no estás solo.\n")
                         .replace("citations: []\n", "citations: []\nlang: es\n"))
    assert "suicidio" not in catalogue.rk("validate").out  # warms the cache
    catalogue.repo.write("wordlists/es.yaml",
                         "safe-messaging:\n  mentions:\n    - phrase: [suicidio]\n")
    assert "suicidio" in catalogue.rk("validate").out


def test_the_library_opens_and_saves_the_cache(catalogue: Project) -> None:
    """``use_cache=True`` is the one call the commands make: opened, used and saved inside."""
    path = cache_path(Path(git(catalogue.path, "rev-parse", "--absolute-git-dir")))
    base = verdicts(gate(catalogue.path, cached=False))
    project = load_project(catalogue.path)
    cold = run_gate(project, use_cache=True, now=dt.datetime.now(dt.timezone.utc))
    assert path.is_file() and verdicts(cold) == base
    warm = run_gate(load_project(catalogue.path), use_cache=True,
                    now=dt.datetime.now(dt.timezone.utc))
    assert verdicts(warm) == base
    # a selection of paths never reads or writes it
    from reviewkit.review.status import evaluate_repo

    path.unlink()
    evaluate_repo(load_project(catalogue.path), [str(catalogue.path / "content/articles/topic-0.md")],
                  use_cache=True)
    assert not path.exists()


def test_a_verdict_from_the_cache_does_not_pretend_to_be_complete(catalogue: Project) -> None:
    from reviewkit.base.verdict import CachedVerdict

    fresh = gate(catalogue.path, cached=False).report.statuses
    gate(catalogue.path, cached=True)  # fills the cache
    warm = gate(catalogue.path, cached=True).report.statuses
    cached = [s for s in warm if isinstance(s, CachedVerdict)]
    assert cached, "the warm run reused no verdict"
    by_path = {s.path: s for s in fresh}
    for s in cached:
        assert s.to_dict() == by_path[s.path].to_dict()  # its JSON is the whole verdict
        for name in ("approvals", "checks", "last_approved"):
            with pytest.raises(AttributeError, match="not kept in the verdict cache"):
                getattr(s, name)
    approved = [s for s in cached if s.state == "approved"]
    assert approved and approved[0].to_dict()["approvals"]  # listed, not silently empty


def _put_files(path: Path, files: dict[str, bytes]) -> None:
    """Commit raw files onto the events ref (files no `approve` would write)."""
    from reviewkit.base.git import open_repo
    from reviewkit.record.ledger import EVENTS_REF

    repo = open_repo(path)
    old = repo.rev_parse(EVENTS_REF)
    tree = repo.tree_with(old, {n: repo.hash_object(d) for n, d in files.items()})
    assert repo.update_ref(EVENTS_REF, repo.commit_tree(tree, [old] if old else [], "t",
                                                        "m", "m@x"), old, "test")


@pytest.mark.parametrize("chunk", [1, 3, 20_000])
def test_compact_chunked_gate_gives_the_same_verdicts(catalogue: Project, chunk: int,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate command's memory-bounded run (events read a chunk at a time, verdicts kept
    compact) decides and reports exactly as the run that keeps everything, cold and warm,
    with an event file that does not parse and one that no article needs."""
    from reviewkit.review import status as status_mod

    _put_files(catalogue.path, {
        "01JDX3Q7G6M2N8P4R5S6T7V800/20260101T000000.000000Z-approved-x-00.json": b"{not json",
        "01ORPHAN0000000000000000/20260101T000000.000000Z-commented-x-00.json": b"[]",
    })
    keep = gate(catalogue.path, cached=False, workers=1)
    assert keep.failures and not keep.passed  # the bad files are reported
    monkeypatch.setattr(status_mod, "CHUNK_EVENTS", chunk)
    for cached in (False, True, True):  # no cache, cold cache, warm cache
        project = load_project(catalogue.path)
        cache = open_cache(project) if cached else None
        got = run_gate(project, cache=cache, workers=2, now=dt.datetime.now(dt.timezone.utc),
                       compact=True)
        if cache is not None:
            cache.save()
        assert verdicts(got) == verdicts(keep)
        assert [e.name for e in got.report.problems] == [e.name for e in keep.report.problems]
        assert got.report.ledger.events == []  # compact: nothing kept once decided


def test_chunked_status_keeps_every_event_in_order(catalogue: Project,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Without compact (status, audit), every event read is in the report, in the order a
    whole read gives, whatever the chunk size."""
    from reviewkit.review import status as status_mod
    from reviewkit.review.status import evaluate_repo

    whole = evaluate_repo(load_project(catalogue.path), now=NOW)
    monkeypatch.setattr(status_mod, "CHUNK_EVENTS", 1)
    chunked = evaluate_repo(load_project(catalogue.path), now=NOW)
    assert [e.name for e in chunked.ledger.events] == [e.name for e in whole.ledger.events]
    assert len(whole.ledger.events) == 9
    assert ([s.to_dict() for s in chunked.statuses] == [s.to_dict() for s in whole.statuses])


def test_compact_chunked_gate_decides_translations_as_the_whole_run(
        catalogue: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Translations are decided after every other article, from their sources' verdicts:
    chunked and compact, cold and warm, the gate gives the verdicts of the run that keeps
    everything (a source_changed translation, a draft one, their sources in other chunks)."""
    from test_translations import ES, approve, spanish, with_languages

    from reviewkit.review import status as status_mod

    with_languages(catalogue, mokafor=["en", "es"])
    catalogue.repo.commit("mokafor reads Spanish")
    assert approve(catalogue, A, "dwhitfield").code == 0  # type: ignore[attr-defined]
    for src, lang in ((A, "es"), ("content/articles/topic-2.md", "fr")):
        r = catalogue.rk("translate", str(catalogue.path / src), "--lang", lang)
        assert r.code == 0, r.output
    spanish(catalogue)
    catalogue.repo.commit("translations")
    assert approve(catalogue, ES, "mokafor").code == 0  # type: ignore[attr-defined]
    en = catalogue.path / A
    en.write_text(en.read_text().replace("Plain words", "Simple words"))
    catalogue.repo.commit("English update")
    assert approve(catalogue, A, "dwhitfield").code == 0  # type: ignore[attr-defined]

    keep = gate(catalogue.path, cached=False, workers=1)
    states = {s.path: s.state for s in keep.report.statuses}
    assert states[ES] == "source_changed"  # judged against the re-approved source
    assert states["content/articles/topic-2.fr.md"] == "draft"
    for chunk in (1, 3, 20_000):
        monkeypatch.setattr(status_mod, "CHUNK_EVENTS", chunk)
        for cached in (False, True, True):  # no cache, cold cache, warm cache
            project = load_project(catalogue.path)
            cache = open_cache(project) if cached else None
            got = run_gate(project, cache=cache, workers=2,
                           now=dt.datetime.now(dt.timezone.utc), compact=True)
            if cache is not None:
                cache.save()
            assert verdicts(got) == verdicts(keep)
            es = next(s for s in got.report.statuses if s.path == ES)
            assert es.source is not None and es.source.path == A and es.live


def test_cache_file_round_trips_every_entry(tmp_path: Path) -> None:
    """Written and read a line at a time (batches of about 64 KiB): every entry comes back
    as it was, whatever its text holds (non-ASCII, line separators, a lone surrogate)."""
    from reviewkit.record.cache import Cache, load_cache

    path = tmp_path / "reviewkit" / "cache.json"
    cache = Cache(path, "actx", "vctx", ledger_ok="ab" * 20)
    odd = ["plain", "é\u2028x\u2029", "tab\there", "\ud800 lone", "quote \" and \\"]
    for i in range(3000):  # several batches
        text = odd[i % len(odd)]
        cache.put_article(f"{i:040x}:{i:016x}", {"summary": {"title": text}, "findings": [],
                                                 "assets": [], "n": i})
        status = json.dumps({"state": "approved", "reasons": [text]}, ensure_ascii=False)
        cache.put_verdict(f"{i:064x}", status, "2026-01-01T00:00:00.000000Z",
                          "9999-12-31T00:00:00.000000Z" if i % 2 else "2027-01-01T00:00:00.000000Z")
    cache.save()
    assert path.stat().st_size > 4 * 65536
    again = load_cache(path, "actx", "vctx")
    assert again.articles == cache.articles and again.verdicts == cache.verdicts
    assert again.ledger_ok == "ab" * 20
    assert again.get_article(f"{3:040x}:{3:016x}")["summary"]["title"] == odd[3]
    assert json.loads(again.get_verdict(f"{4:064x}", "2026-06-01T00:00:00.000000Z") or "") == {
        "state": "approved", "reasons": [odd[4]]}
    # another verdict context (a registry change) keeps the articles, drops the verdicts
    other = load_cache(path, "actx", "other")
    assert other.articles == cache.articles and not other.verdicts and other.ledger_ok is None
    # only what this run used is written again
    again.save()
    assert load_cache(path, "actx", "vctx").articles == {
        f"{3:040x}:{3:016x}": cache.articles[f"{3:040x}:{3:016x}"]}


@pytest.mark.parametrize("workers", [1, 2])
def test_gate_decided_in_workers_writes_the_cache_of_the_plain_run(
        catalogue: Project, workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate's cold path (each article's events read, verified and decided in a worker,
    only the compact verdict sent back) gives the statuses, problems and cache entries of
    the run that reads the ledger here and keeps every event."""
    from reviewkit.review import decisions

    monkeypatch.setattr(decisions, "GROUP", 2)  # several tasks: the workers are forked
    _put_files(catalogue.path, {
        "01JDX3Q7G6M2N8P4R5S6T7V800/20260101T000000.000000Z-approved-x-00.json": b"{not json",
        "01ORPHAN0000000000000000/20260101T000000.000000Z-commented-x-00.json": b"[]",
    })
    now = dt.datetime.now(dt.timezone.utc)
    runs = []
    for compact in (False, True):
        project = load_project(catalogue.path)
        cache = open_cache(project)
        got = run_gate(project, cache=cache, workers=workers, now=now, compact=compact)
        runs.append((verdicts(got), [(e.name, e.problem) for e in got.report.problems],
                     json.dumps(cache.verdicts, sort_keys=True), cache.ledger_ok))
    assert runs[1] == runs[0]
    assert runs[0][1] and json.loads(runs[0][2])  # problems found, verdicts cached


@pytest.mark.parametrize("command", [("status",), ("gate",)])
def test_json_output_is_the_same_text_from_a_cold_and_a_warm_cache(
        catalogue: Project, command: tuple[str, ...]) -> None:
    """A verdict restored from the cache prints exactly as a fresh one: same keys in the
    same order (only the report's own time may differ)."""
    def run() -> str:
        r = catalogue.rk(*command, "--format", "json")
        assert r.code in (0, 1), r.output
        return re.sub(r'"(now|generated_at)": "[^"]*"', "", r.out)

    shutil.rmtree(catalogue.path / ".git" / "reviewkit", ignore_errors=True)
    cold = run()
    assert '"state"' in cold and run() == cold


def _key() -> Path:
    import os

    return Path(os.environ["HOME"]) / ".cache" / "reviewkit" / "cache-key"


def test_a_cache_turned_off_by_its_key_says_why_and_how_to_fix_it(catalogue: Project) -> None:
    """A key others can read turns caching off (the security tests); the commands that
    would cache then say so on stderr, with the fix, and their output stays the same."""
    first = catalogue.rk("gate")
    key = _key()
    assert key.is_file() and "nothing is cached" not in first.err, first.err
    key.chmod(0o644)
    for args in (["gate"], ["validate"], ["status"], ["status", "--format", "json"]):
        r = catalogue.rk(*args)
        assert f"run: chmod 600 {key}" in r.err, (args, r.err)
        assert "nothing is cached" not in r.out
    assert catalogue.rk("gate").out == first.out  # the same verdict, only slower
    assert "nothing is cached" not in catalogue.rk("gate", "--no-cache").err  # asked for
    key.chmod(0o600)
    assert "nothing is cached" not in catalogue.rk("gate").err


@pytest.mark.parametrize("damage", ["symlink", "short", "directory"])
def test_each_unusable_key_is_named_with_what_to_do(catalogue: Project, damage: str) -> None:
    key = _key()
    assert catalogue.rk("gate").code == 1
    key.unlink()
    if damage == "symlink":
        other = key.parent / "elsewhere"
        other.write_bytes(b"k" * 32)
        other.chmod(0o600)
        key.symlink_to(other)
        expected = "is a symbolic link; remove it"
    elif damage == "short":
        key.write_bytes(b"short")
        key.chmod(0o600)
        expected = "cannot be read or is too short; remove it"
    else:
        key.mkdir()
        expected = "is not a file; remove it"
    r = catalogue.rk("gate")
    assert r.code == 1 and f"{key} {expected}" in r.err, r.err  # the catalogue's own verdict


_text = st.one_of(st.none(), st.text(max_size=12))
_summaries = st.one_of(st.none(), st.builds(
    ArticleSummary, path=st.just(A), blob=st.text(max_size=8), id=_text, title=_text,
    slug=_text, draft=st.booleans(), digest=_text, author_email=_text,
    topics=st.lists(st.text(max_size=6), max_size=3).map(tuple),
    bylines=st.lists(st.tuples(st.integers(1, 9), st.text(max_size=6)), max_size=2).map(tuple),
    lang=_text, translation_of=_text, source_digest=_text,
    translation_line=st.integers(1, 9)))
_key_inputs = st.tuples(
    st.sampled_from(["ctx-a", "ctx-b"]), st.sampled_from([A, "content/articles/b.md"]),
    _summaries, st.lists(st.text(max_size=8), max_size=3), st.booleans(),
    st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=3))


def _verdict_key(inputs: tuple[Any, ...]) -> str:
    context, path, summary, errors, missing, events = inputs
    cache = Cache(None, "articles", context)
    return verdict_key(cache, ArticleResult(path, summary=summary), errors, missing, events)


@settings(max_examples=300, deadline=None)
@given(_key_inputs, _key_inputs)
def test_verdict_keys_are_equal_exactly_when_their_inputs_are(a: tuple[Any, ...],
                                                              b: tuple[Any, ...]) -> None:
    """A verdict is reused only for the very inputs it was decided from: any difference in
    the summary, the errors, the events ref's presence or one event file's name or blob
    gives another key (the key is built from reprs, not JSON: this is its check)."""
    assert (_verdict_key(a) == _verdict_key(b)) == (a == b)


@settings(max_examples=200, deadline=None)
@given(_key_inputs, st.data())
def test_a_verdict_key_changes_with_any_one_input(a: tuple[Any, ...], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(a) - 1))
    b = list(a)
    b[i] = data.draw(_key_inputs)[i]
    assert (_verdict_key(a) == _verdict_key(tuple(b))) == (a == tuple(b))


def test_a_process_that_ends_in_main_leaves_its_records_whole(catalogue: Project) -> None:
    """``main()`` freezes the garbage collector when it ends the process, so the
    interpreter makes no last collection: whatever a real ``reviewkit`` process writes must
    be whole without one. The cache and the record of the verified events tip written by
    ``python -m reviewkit gate`` are read back, authenticated, by the next run."""
    import subprocess
    import sys

    from reviewkit.record.remembered import load_verified_tip

    proc = subprocess.run([sys.executable, "-m", "reviewkit", "-C", str(catalogue.path), "gate"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    project = load_project(catalogue.path)
    cache = open_cache(project)
    files = [p for p in git(catalogue.path, "ls-files", "content").split() if p.endswith(".md")]
    assert len(cache.articles) == len(files) > 12 and cache.verdicts  # MAC checked, all read
    tip = git(catalogue.path, "rev-parse", "refs/reviewkit/events")
    assert load_verified_tip(project.repo.git_dir) == tip
    assert verdicts(gate(catalogue.path, cached=True)) == verdicts(gate(catalogue.path,
                                                                       cached=False))
