"""git.py's named operations, on real throwaway repositories and real git."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewkit.base.errors import EnvError
from reviewkit.base.git import (
    GitCommandError,
    PushDeclined,
    PushRejected,
    Repo,
    init_repo,
    open_repo,
)

from conftest import GitRepo, git

REF = "refs/reviewkit/events"


def _remote_and_clone(git_repo: Callable[..., GitRepo], tmp_path: Path) -> tuple[Path, GitRepo, Repo]:
    """A bare remote holding REF, and a clone of it (REF fetched) as a Repo."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    src = git_repo("src")
    src.write("a.txt", "a\n")
    tip = src.commit("first")
    src.git("push", "-q", str(bare), f"{tip}:{REF}")
    clone = git_repo("clone")
    clone.git("remote", "add", "origin", str(bare))
    clone.git("fetch", "-q", "origin", f"{REF}:{REF}")
    return bare, clone, open_repo(clone.path)


def _commit_on(repo: Repo, parent: str | None, name: str) -> str:
    tree = repo.tree_with(None, {name: repo.hash_object(name.encode())})
    return repo.commit_tree(tree, [parent] if parent else [], name, "Jordan Lee",
                            "j.lee@example.org")


def test_fetch_ref_returns_the_commit_or_none(git_repo: Callable[..., GitRepo], tmp_path: Path) -> None:
    _, _, repo = _remote_and_clone(git_repo, tmp_path)
    remote_tip = repo.rev_parse(REF)
    assert repo.fetch_ref("origin", REF) == remote_tip
    assert repo.fetch_ref("origin", "refs/reviewkit/nothing-here") is None
    with pytest.raises(GitCommandError, match="git fetch failed"):
        repo.fetch_ref(str(tmp_path / "no-such-remote.git"), REF)


def test_push_ref_tells_rejected_from_declined(git_repo: Callable[..., GitRepo], tmp_path: Path) -> None:
    bare, _, repo = _remote_and_clone(git_repo, tmp_path)
    base = repo.rev_parse(REF)
    assert base is not None
    # the remote moves on; a local commit on the old tip is not a fast-forward
    other = git_repo("other")
    other.git("fetch", "-q", str(bare), f"{REF}:{REF}")
    moved = _commit_on(open_repo(other.path), base, "theirs.txt")
    other.git("push", "-q", str(bare), f"{moved}:{REF}")
    mine = _commit_on(repo, base, "mine.txt")
    assert repo.update_ref(REF, mine, base, "test")
    with pytest.raises(PushRejected):
        repo.push_ref("origin", REF)
    # once merged it goes through
    assert repo.fetch_ref("origin", REF) == moved
    merged = repo.commit_tree(repo.tree_with(mine, {"theirs.txt": repo.hash_object(b"t")}),
                              [mine, moved], "merge", "Jordan Lee", "j.lee@example.org")
    assert repo.update_ref(REF, merged, mine, "test")
    repo.push_ref("origin", REF)
    assert git(bare, "rev-parse", REF) == merged
    # a hook that says no is a decline, with the remote's own words kept
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'events are frozen today' >&2\nexit 1\n")
    hook.chmod(0o755)
    newer = _commit_on(repo, merged, "newer.txt")
    assert repo.update_ref(REF, newer, merged, "test")
    with pytest.raises(PushDeclined) as info:
        repo.push_ref("origin", REF)
    assert not isinstance(info.value, PushRejected)
    assert info.value.said == ["events are frozen today"]
    assert info.value.exit_code == 3


def test_paths_changed_between(git_repo: Callable[..., GitRepo]) -> None:
    g = git_repo()
    g.write("a/one.json", "1")
    g.write("a/two.json", "2")
    old = g.commit("old")
    g.write("a/two.json", "22")
    g.write("b/three.json", "3")
    (g.path / "a/one.json").unlink()
    new = g.commit("new")
    assert open_repo(g.path).paths_changed_between(old, new) == {"a/two.json", "b/three.json"}


def test_remote_names_from_git_remote(git_repo: Callable[..., GitRepo]) -> None:
    g = git_repo()
    repo = open_repo(g.path)
    assert repo.remote_names() == []
    g.git("remote", "add", "origin", "https://git.example.org/site.git")
    g.git("remote", "add", "backup", "/srv/backup.git")
    assert sorted(repo.remote_names()) == ["backup", "origin"]


def test_repo_env_reaches_git_and_not_the_process(tmp_path: Path) -> None:
    cfg = tmp_path / "gitconfig"
    cfg.write_text("[user]\n\tname = Michael Okafor\n\temail = m.okafor@example.org\n")
    before = dict(os.environ)
    (tmp_path / "site").mkdir()
    repo = init_repo(tmp_path / "site", {"GIT_CONFIG_GLOBAL": str(cfg)})
    assert repo.config_get("user.email") == "m.okafor@example.org"
    assert open_repo(tmp_path / "site").config_get("user.email") != "m.okafor@example.org"
    (tmp_path / "site/x.txt").write_text("x\n")
    sha = repo.commit_all("Add x")
    assert git(tmp_path / "site", "log", "-1", "--format=%ae", sha) == "m.okafor@example.org"
    assert dict(os.environ) == before


def test_every_git_call_reports_a_missing_git(git_repo: Callable[..., GitRepo], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    g = git_repo()
    g.write("a.txt", "a\n")
    head = g.commit()
    repo = open_repo(g.path)
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    calls: list[Callable[[], object]] = [
        lambda: repo.rev_parse("HEAD"),
        lambda: repo.is_ancestor(head, head),
        lambda: repo.show_file(head, "a.txt"),
        lambda: repo.update_ref("refs/x", head, None, "t"),
        lambda: repo.commit_of(head),
        lambda: repo.history_edits(head),
        lambda: repo.remote_names() or repo.fetch_ref("origin", REF),
        lambda: repo.push_ref("origin", REF),
        lambda: open_repo(g.path),
        lambda: init_repo(tmp_path),
    ]
    with pytest.raises(EnvError, match="no such directory"):
        init_repo(tmp_path / "missing")
    for call in calls:
        with pytest.raises(EnvError, match="git is not installed or not on PATH") as info:
            call()
        assert info.value.exit_code == 3


@pytest.mark.slow
def test_demo_leaves_the_process_environment_alone(tmp_path: Path) -> None:
    """The demo's git identity goes to its git processes, never into os.environ (a library
    function must not change its caller's process), not even while it runs."""
    from reviewkit.demo import run_demo

    before = dict(os.environ)
    seen: list[bool] = []

    def say(_: str) -> None:
        seen.append(dict(os.environ) == before)

    run_demo(say, keep=tmp_path / "demo")
    assert seen and all(seen)
    assert dict(os.environ) == before
    log = git(tmp_path / "demo/site", "log", "--format=%an <%ae>")
    assert set(log.splitlines()) == {"Jordan Lee <j.lee@example.org>"}


@pytest.mark.parametrize("path", ["b/new.json", "b/y.json", "a/new.json", "zz/new.json",
                                  "0/new.json", "b\u00e9/new.json"])
def test_adding_one_event_file_writes_the_tree_an_index_would(
        git_repo: Callable[..., GitRepo], path: str) -> None:
    """The one-file fast path (root records passed through as bytes) writes the very tree
    of the general path (a temporary index), whether the directory is new or not."""
    repo = open_repo(git_repo("r").path)
    blob = repo.hash_object(b"{}\n")
    names = ["a/x.json", "b/y.json", "b/z.json", "b-c/w.json", "b\u00e9/v.json", "c d/u.json"]
    base = repo.tree_with(None, {n: repo.hash_object(n.encode()) for n in names})
    fast = repo.tree_with(base, {path: blob})
    general = repo.tree_with(base, {path: blob, "zzz/pad.json": blob})  # two: the index
    assert fast != base
    pad = f"100644 blob {blob}\tzzz/pad.json"
    assert git(repo.root, "ls-tree", "-r", fast).splitlines() == [
        line for line in git(repo.root, "ls-tree", "-r", general).splitlines() if line != pad]
