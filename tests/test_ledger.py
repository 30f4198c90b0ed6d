"""The ledger on refs/reviewkit/events: append, read, merge, sync."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.base.errors import CheckFailed
from reviewkit.base.git import open_repo
from reviewkit.record.ledger import EVENTS_REF, append_event, merge_into, parse_event, read_ledger

from conftest import GitRepo, Project, article, examples, git, put_event, rk

A = "content/articles/coping-with-worry.md"
B = "content/articles/sleep-and-mood.md"


def test_append_never_touches_branch_index_or_worktree(project: Project) -> None:
    head = project.repo.git("rev-parse", "HEAD")
    project.repo.write("scratch.txt", "uncommitted\n")
    project.repo.git("add", "scratch.txt")
    before = project.repo.git("status", "--porcelain")
    put_event(project.path, "commented", A, "jlee", None, message="hello")
    assert project.repo.git("rev-parse", "HEAD") == head
    assert project.repo.git("status", "--porcelain") == before
    ledger = read_ledger(open_repo(project.path))
    assert len(ledger.events) == 1 and ledger.events[0].event is not None
    name = ledger.events[0].name
    # <shard>/<article>/…: the shard is sha256(article id)[:2] (a stable format: a literal)
    assert name.startswith("38/01JDX3Q7G6M2N8P4R5S6T7V8W9/") and "-commented-jlee-" in name
    raw = project.repo.git("cat-file", "-p", f"{EVENTS_REF}:{name}")
    assert json.loads(raw)["message"] == "hello"
    assert raw == json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"),
                             ensure_ascii=False)


def test_bad_event_files_are_reported_not_counted(project: Project) -> None:
    good = put_event(project.path, "commented", A, "jlee", None)
    repo = open_repo(project.path)
    tip = repo.rev_parse(EVENTS_REF)
    junk = {
        "x/not-json.json": repo.hash_object(b"{nope"),
        "x/schema.json": repo.hash_object(b'{"v": 1}'),
        "other/" + good.file_name().split("/", 1)[1]: repo.hash_object(  # type: ignore[attr-defined]
            json.dumps(good.model_dump(exclude_none=True)).encode()),  # type: ignore[attr-defined]
    }
    tree = repo.tree_with(tip, junk)
    commit = repo.commit_tree(tree, [tip], "junk", "x", "x@x")  # type: ignore[list-item]
    assert repo.update_ref(EVENTS_REF, commit, tip, "junk")
    problems = {e.name: e.problem for e in read_ledger(repo).problems}
    assert "not valid JSON" in problems["x/not-json.json"]
    assert "does not match the event schema" in problems["x/schema.json"]
    assert "file name does not match its content" in next(
        p for n, p in problems.items() if n.startswith("other/"))


def test_parse_event_never_raises_on_junk() -> None:
    for data in (b"", b"\xff\xfe", b"[]", b"null", b"[" * 5000, b'{"v":1,' * 10):
        assert parse_event("a/b.json", "0" * 40, data).problem


def test_cas_detects_race(project: Project) -> None:
    repo = open_repo(project.path)
    put_event(project.path, "commented", A, "jlee", None)
    tip = repo.rev_parse(EVENTS_REF)
    assert tip is not None
    assert not repo.update_ref(EVENTS_REF, tip, "1" * 40, "stale old value")
    assert repo.rev_parse(EVENTS_REF) == tip


def _wrap(path: Path) -> GitRepo:
    r = GitRepo.__new__(GitRepo)
    r.path = path
    return r


@pytest.fixture
def two_clones(project: Project, tmp_path: Path) -> tuple[Project, GitRepo, GitRepo, Path]:
    project.repo.write(B, article(slug="sleep-and-mood", id="01JDX3Q7G6M2N8P4R5S6T7V8WB"))
    project.repo.commit("second article")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(project.path), str(remote))
    one = _wrap(tmp_path / "one")
    two = _wrap(tmp_path / "two")
    git(tmp_path, "clone", "-q", str(remote), str(one.path))
    git(tmp_path, "clone", "-q", str(remote), str(two.path))
    return project, one, two, remote


def test_two_clones_approve_and_sync_union(two_clones) -> None:  # type: ignore[no-untyped-def]
    project, one, two, remote = two_clones
    key = str(project.reviewer.private)
    assert rk("approve", str(one.path / A), "--key", key, "--as", "dwhitfield", cwd=one.path).code == 0
    r = rk("approve", str(two.path / B), "--key", key, "--as", "dwhitfield", cwd=two.path)
    assert r.code == 0, r.output
    history = []
    r = rk("sync", cwd=one.path)
    assert r.code == 0, r.output
    history.append(git(remote, "rev-parse", EVENTS_REF))
    r = rk("sync", cwd=two.path)
    assert r.code == 0, r.output
    history.append(git(remote, "rev-parse", EVENTS_REF))
    assert rk("sync", cwd=one.path).code == 0
    history.append(git(remote, "rev-parse", EVENTS_REF))
    for older, newer in zip(history, history[1:], strict=False):
        git(remote, "merge-base", "--is-ancestor", older, newer)  # only ever moved forward
    for clone in (one, two):
        names = git(clone.path, "ls-tree", "-r", "--name-only", EVENTS_REF).splitlines()
        assert len(names) == 2
        out = rk("status", "--format", "json", cwd=clone.path)
        states = {a["path"]: a["state"] for a in json.loads(out.out)["articles"]}
        assert states == {A: "approved", B: "approved"}


def test_sync_refuses_rewritten_remote_history(two_clones) -> None:  # type: ignore[no-untyped-def]
    project, one, two, remote = two_clones
    key = str(project.reviewer.private)
    assert rk("approve", str(one.path / A), "--key", key, "--as", "dwhitfield", cwd=one.path).code == 0
    assert rk("sync", cwd=one.path).code == 0
    assert rk("sync", cwd=two.path).code == 0
    # someone rewrites the remote's events ref to an unrelated history
    assert rk("comment", str(one.path / B), "-m", "x", "--as", "jlee", cwd=one.path).code == 0
    fake = git(one.path, "commit-tree", "-m", "rewritten",
               git(one.path, "rev-parse", f"{EVENTS_REF}^{{tree}}"))
    git(one.path, "push", "-q", "--force", "origin", f"{fake}:{EVENTS_REF}")
    before = git(two.path, "rev-parse", EVENTS_REF)
    r = rk("sync", cwd=two.path)
    assert r.code == 1
    assert "was rewritten" in r.err
    assert git(two.path, "rev-parse", EVENTS_REF) == before


def test_sync_unreachable_remote_keeps_local_events(project: Project) -> None:
    put_event(project.path, "commented", A, "jlee", None)
    before = project.repo.git("rev-parse", EVENTS_REF)
    project.repo.git("remote", "add", "origin", str(project.path.parent / "nowhere.git"))
    r = project.rk("sync")
    assert r.code == 3
    assert "could not fetch review events from 'origin'" in r.err and "local events are kept" in r.err
    assert project.repo.git("rev-parse", EVENTS_REF) == before


def test_merge_conflict_same_name_different_bytes(project: Project) -> None:
    event = put_event(project.path, "commented", A, "jlee", None, message="one")
    repo = open_repo(project.path)
    tip = repo.rev_parse(EVENTS_REF)
    assert tip is not None
    other_blob = repo.hash_object(b'{"changed": true}')
    tree = repo.tree_with(None, {event.file_name(): other_blob})  # type: ignore[attr-defined]
    other = repo.commit_tree(tree, [], "other history", "x", "x@x")
    with pytest.raises(CheckFailed, match="differs between the two histories"):
        merge_into(repo, other)
    assert repo.rev_parse(EVENTS_REF) == tip


def test_append_creates_ref_and_keeps_history(project: Project) -> None:
    repo = open_repo(project.path)
    from reviewkit.record.ledger import make_event

    aid = "01JDX3Q7G6M2N8P4R5S6T7V8W9"
    e1 = make_event("commented", article=aid, path=A, digest="sha256:" + "0" * 64,
                    blob="1" * 40, commit="2" * 40, actor="jlee")
    t1 = append_event(repo, e1)
    e2 = e1.model_copy(update={"nonce": "ab" * 8})
    t2 = append_event(repo, e2)
    assert git(project.path, "rev-parse", f"{t2}^") == t1
    assert len(read_ledger(repo).events) == 2


VALID_EVENT = {
    "v": 1, "event": "approved", "article": "01JDX3Q7G6M2N8P4R5S6T7V8W9",
    "path": "content/articles/a.md", "digest": "sha256:" + "a" * 64, "blob": "b" * 40,
    "commit": "c" * 40, "actor": "dwhitfield", "at": "2026-11-20T10:00:00.123456Z",
    "nonce": "d" * 16, "message": "ok", "credential": "LPC",
    "sig": "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n",
}

_values = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False),
                    st.text(max_size=30), st.just("a" * 64 + "\n"), st.just(1.0),
                    st.lists(st.integers(), max_size=2), st.sampled_from(list(VALID_EVENT.values())))


@pytest.mark.slow
@settings(max_examples=examples(1500), deadline=None)
@given(st.dictionaries(st.sampled_from([*VALID_EVENT, "extra", "reviewer"]), _values, max_size=4),
       st.lists(st.sampled_from(list(VALID_EVENT)), max_size=3))
def test_event_model_is_never_looser_than_the_schema(changes: dict, drops: list) -> None:  # type: ignore[type-arg]
    """Reading trusts the event model alone when it accepts: it must imply the schema."""
    from reviewkit.base.model import ReviewEvent
    from reviewkit.base.structs import ValidationError
    from reviewkit.record.ledger import _event_validator

    doc = {**VALID_EVENT, **changes}
    for k in drops:
        doc.pop(k, None)
    try:
        ReviewEvent.model_validate(doc)
    except (ValidationError, ValueError):
        return
    assert _event_validator().is_valid(doc), doc


def _shard(article_id: str) -> str:
    return hashlib.sha256(article_id.encode()).hexdigest()[:2]


def test_an_append_rewrites_only_the_root_one_shard_and_one_article_directory(
        project: Project) -> None:
    project.repo.write(B, article(id="01JDX3Q7G6M2N8P4R5S6T7V8WA", title="Sleep and mood",
                                  slug="sleep-and-mood"))
    project.repo.commit("second article")
    for rel in (A, B, A):
        put_event(project.path, "commented", rel, "jlee", None)
    tip = git(project.path, "rev-parse", EVENTS_REF)
    # the root holds shards only: it stays at most 256 entries however many articles
    root = git(project.path, "ls-tree", "--name-only", tip).split()
    assert len(root) == 2 and all(re.fullmatch("[0-9a-f]{2}", n) for n in root)
    events = read_ledger(open_repo(project.path)).events
    assert len(events) == 3
    for e in events:
        assert e.problem is None and e.event is not None
        assert e.name.startswith(f"{_shard(e.event.article)}/{e.event.article}/")
    # the last append added one file and changed the two directories above it, nothing else
    diff = git(project.path, "diff-tree", "-r", "-t", "--name-status", f"{tip}^", tip)
    rows = sorted(tuple(line.split("\t")) for line in diff.splitlines())
    added = next(e.name for e in events if e.name not in git(
        project.path, "ls-tree", "-r", "--name-only", f"{tip}^").split())
    shard, aid, _ = added.split("/")
    assert rows == [("A", added), ("M", shard), ("M", f"{shard}/{aid}")]


def test_events_of_the_first_layout_are_read_beside_sharded_ones(project: Project) -> None:
    """Ledgers written before the shards keep their files where they are (moving one would
    be a removal): status, the gate and the append-only check read both places."""
    put_event(project.path, "submitted", A, "jlee", None, legacy=True)
    put_event(project.path, "approved", A, "dwhitfield", project.reviewer, legacy=True)
    repo = open_repo(project.path)
    assert all(e.name.count("/") == 1 and e.problem is None for e in read_ledger(repo).events)
    assert "approved" in project.rk("status", A).out
    assert project.rk("gate").code == 0
    # a new event of the same article goes to its shard; both directories are one article's
    put_event(project.path, "changes_requested", A, "mokafor", project.second,
              message="Cite the trial.")
    names = sorted(e.name for e in read_ledger(repo).events)
    assert [n.count("/") for n in names] == [1, 1, 2]
    for args in (("status", A), ("status",)):
        r = project.rk(*args, "--format", "json")
        assert json.loads(r.out)["articles"][0]["state"] == "changes_requested", r.out
    assert project.rk("gate").code == 1
    assert project.rk("gate", "--no-cache").code == 1
    assert repo.history_edits(repo.rev_parse(EVENTS_REF) or "") == []


@pytest.mark.parametrize("where", ["wrong-shard", "no-shard-dir", "too-deep"])
def test_an_event_file_anywhere_but_its_two_names_does_not_count(
        project: Project, where: str) -> None:
    good = put_event(project.path, "approved", A, "dwhitfield", project.reviewer)
    repo = open_repo(project.path)
    tip = repo.rev_parse(EVENTS_REF)
    sharded, legacy = good.file_names()  # type: ignore[attr-defined]
    shard, aid, file = sharded.split("/")
    wrong = "00" if shard != "00" else "01"
    path = {"wrong-shard": f"{wrong}/{aid}/{file}", "no-shard-dir": f"xx/{aid}/{file}",
            "too-deep": f"{shard}/{aid}/x/{file}"}[where]
    blob = git(project.path, "rev-parse", f"{tip}:{sharded}")
    tree = repo.tree_with(tip, {path: blob})
    assert repo.update_ref(EVENTS_REF, repo.commit_tree(tree, [tip], "copy", "x", "x@x"), tip, "x")  # type: ignore[list-item]
    problems = {e.name: e.problem or "" for e in read_ledger(repo).problems}
    assert list(problems) == [path]
    assert "file name does not match its content" in problems[path]
    assert f"expected {sharded}" in problems[path]
    r = project.rk("gate")
    assert r.code == 1 and path in r.out + r.err


def test_one_articles_events_are_its_own_when_its_id_is_also_a_shard_name(
        project: Project) -> None:
    """A publication's schema may allow short ids: the id ``ab`` is also the name of a
    shard, whose other articles' events must not be read as that article's."""
    from reviewkit.record.ledger import index_ledger

    event = put_event(project.path, "commented", A, "jlee", None)
    shard = event.file_name().split("/")[0]  # type: ignore[attr-defined]
    repo = open_repo(project.path)
    assert index_ledger(repo, articles=[shard]).entries == []
    assert [e.path for e in index_ledger(repo, articles=["01JDX3Q7G6M2N8P4R5S6T7V8W9"]).entries] \
        == [event.file_name()]  # type: ignore[attr-defined]
