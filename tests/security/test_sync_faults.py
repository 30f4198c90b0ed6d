"""Sync faults: the remote moves during the push, is unreachable, refuses the push, or
has a rewritten events history."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from _sec import B_ID, EVENTS_REF, A, B, event_files

from conftest import Project, article, git, rk


@pytest.fixture
def world(project: Project, tmp_path: Path) -> tuple[Project, Path, Path, Path]:
    project.repo.write(B, article(slug="sleep-and-mood", id=B_ID, title="Sleep and mood"))
    project.repo.commit("second article")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(project.path), str(remote))
    one, two = tmp_path / "one", tmp_path / "two"
    git(tmp_path, "clone", "-q", str(remote), str(one))
    git(tmp_path, "clone", "-q", str(remote), str(two))
    return project, remote, one, two


def _approve(project: Project, where: Path, rel: str) -> None:
    r = rk("approve", str(where / rel), "--key", str(project.reviewer.private), "--as",
           "dwhitfield", cwd=where)
    assert r.code == 0, r.output


def _hook(remote: Path, body: str) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def test_remote_moved_during_push_is_retried(world: tuple[Project, Path, Path, Path]) -> None:
    project, remote, one, two = world
    _approve(project, one, A)
    assert rk("sync", cwd=one).code == 0
    # another reviewer's event is ready on the remote, under a side ref
    assert rk("sync", cwd=two).code == 0
    _approve(project, two, B)
    git(two, "push", "-q", "origin", f"{EVENTS_REF}:refs/reviewkit/pending")
    # one records an event; while its push is being received the remote's ref moves
    r = rk("comment", str(one / A), "-m", "note", "--as", "jlee", cwd=one)
    assert r.code == 0
    _hook(remote, """\
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
cat >/dev/null
if [ ! -e moved ]; then
  touch moved
  git update-ref refs/reviewkit/events refs/reviewkit/pending
fi
exit 0
""")
    r = rk("sync", cwd=one)
    assert r.code == 0, r.output
    assert (remote / "moved").exists()  # the race really happened
    names = set(event_files(remote))
    assert len(names) == 3 and names == set(event_files(one))
    assert any("-approved-" in n and B_ID in n for n in names)
    assert any("-commented-" in n for n in names)
    # and the remote's history only moved forward
    git(remote, "merge-base", "--is-ancestor", "refs/reviewkit/pending", EVENTS_REF)


def test_remote_unreachable_keeps_local_events(world: tuple[Project, Path, Path, Path],
                                               tmp_path: Path) -> None:
    project, remote, one, _ = world
    _approve(project, one, A)
    before = git(one, "rev-parse", EVENTS_REF)
    git(one, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    r = rk("sync", cwd=one)
    assert r.code == 3
    assert "could not fetch review events from 'origin'" in r.err
    assert "your local events are kept" in r.err
    assert git(one, "rev-parse", EVENTS_REF) == before
    r = rk("sync", "no-such-remote", cwd=one)  # a typo is a usage error, said before any I/O
    assert r.code == 2 and "no remote named 'no-such-remote' (remotes: origin)" in r.err
    assert git(one, "rev-parse", EVENTS_REF) == before
    assert rk("sync", "--upload-pack=touch /tmp/x", cwd=one).code == 2  # never an option


def test_remote_refuses_the_push(world: tuple[Project, Path, Path, Path]) -> None:
    """A protected ref (a forge rule or hook) declines: said so at once, events kept."""
    project, remote, one, _ = world
    _approve(project, one, A)
    _hook(remote, "cat >/dev/null\necho 'refs/reviewkit/* is protected' >&2\nexit 1\n")
    before = git(one, "rev-parse", EVENTS_REF)
    r = rk("sync", cwd=one)
    assert r.code == 3, r.output
    assert "could not push review events to 'origin'" in r.err
    assert "declined" in r.err and "local events are kept" in r.err
    assert git(one, "rev-parse", EVENTS_REF) == before


def test_rewritten_remote_history_is_refused_and_reported(
        world: tuple[Project, Path, Path, Path]) -> None:
    project, remote, one, two = world
    _approve(project, one, A)
    assert rk("sync", cwd=one).code == 0
    assert rk("sync", cwd=two).code == 0
    r = rk("comment", str(two / B), "-m", "mine", "--as", "jlee", cwd=two)
    assert r.code == 0
    # the remote's history is replaced by an unrelated one with the same tree
    tree = git(one, "rev-parse", f"{EVENTS_REF}^{{tree}}")
    fake = git(one, "commit-tree", "-m", "rewritten", tree)
    git(one, "push", "-q", "--force", "origin", f"{fake}:{EVENTS_REF}")
    before = git(two, "rev-parse", EVENTS_REF)
    r = rk("sync", cwd=two)
    assert r.code == 1
    assert "was rewritten" in r.err and "refusing to merge it" in r.err
    assert git(two, "rev-parse", EVENTS_REF) == before  # local events kept
    assert git(remote, "rev-parse", EVENTS_REF) == fake  # and nothing was forced back
