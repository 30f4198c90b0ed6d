"""The ledger is append-only in fact: a commit on refs/reviewkit/events that removes or
changes an event file is refused by gate, status and sync (on every parent of a merge),
and by the shipped server-side hook.

SECURITY.md points here (``H:``).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

from _sec import EVENTS_REF, approve, assert_blocked, gate, request_changes

from reviewkit.base.git import open_repo

from conftest import Project, git, rk


def _commit(path: Path, tree: str, parents: list[str], message: str = "tidy up") -> str:
    return open_repo(path).commit_tree(tree, parents, message, "m", "m@x")


def _tree_without(path: Path, rev: str, needle: str) -> str:
    """``rev``'s event tree minus every file whose name contains ``needle``."""
    repo = open_repo(path)
    keep = {e.path: e.sha for e in repo.ls_tree(rev) if needle not in e.path}
    return repo.tree_with(None, keep)


def _revoked(project: Project) -> str:
    """A approved then revoked (changes requested); returns the events tip."""
    approve(project)
    request_changes(project, message="this advice is dangerous")
    assert_blocked(project, "this advice is dangerous")
    return git(project.path, "rev-parse", EVENTS_REF)


def _cr_name(path: Path, rev: str = EVENTS_REF) -> str:
    names = git(path, "ls-tree", "-r", "--name-only", rev).splitlines()
    return next(n for n in names if "-changes_requested-" in n)


def test_fast_forward_that_deletes_a_changes_requested_is_refused(project: Project) -> None:
    tip = _revoked(project)
    lost = _cr_name(project.path)
    # a fast-forward (not a force-push): the new commit's parent is the old tip
    bad = _commit(project.path, _tree_without(project.path, tip, "-changes_requested-"), [tip])
    git(project.path, "update-ref", EVENTS_REF, bad, tip)
    doc = assert_blocked(project, f"commit {bad[:12]} removed event file {lost}",
                         "not append-only")
    assert not doc["passed"]
    # the same verdict without the cache, and from status
    assert_blocked(project, f"commit {bad[:12]} removed event file {lost}", args=("--no-cache",))
    r = project.rk("status")
    assert r.code == 1 and f"commit {bad[:12]} removed event file {lost}" in r.out
    r = project.rk("status", "--format", "json")
    assert r.code == 1 and json.loads(r.out)["history_problems"][0]["file"] == lost


def test_later_commits_do_not_hide_an_earlier_deletion(project: Project) -> None:
    """Deleted, then more events appended: the deletion is still found (not only the tip)."""
    tip = _revoked(project)
    lost = _cr_name(project.path)
    bad = _commit(project.path, _tree_without(project.path, tip, "-changes_requested-"), [tip])
    git(project.path, "update-ref", EVENTS_REF, bad, tip)
    from _sec import put_raw

    later = put_raw(project.path, {"x/unrelated.json": b"{}"})
    assert later != bad
    assert_blocked(project, f"commit {bad[:12]} removed event file {lost}")


def test_deletion_through_the_second_parent_of_a_merge_is_refused(project: Project) -> None:
    """A merge whose first parent never had the file but whose second parent did: a
    first-parent walk would miss it."""
    approve(project)
    before = git(project.path, "rev-parse", EVENTS_REF)
    tip = _revoked_more(project)
    lost = _cr_name(project.path)
    merge = _commit(project.path, git(project.path, "rev-parse", f"{before}^{{tree}}"),
                    [before, tip], "merge review events")
    git(project.path, "update-ref", EVENTS_REF, merge, tip)
    assert_blocked(project, f"commit {merge[:12]} removed event file {lost}")


def _revoked_more(project: Project) -> str:
    request_changes(project, message="this advice is dangerous")
    return git(project.path, "rev-parse", EVENTS_REF)


def test_event_file_changed_in_place_is_refused(project: Project) -> None:
    tip = _revoked(project)
    name = _cr_name(project.path)
    repo = open_repo(project.path)
    # same name, other bytes (e.g. the message or digest edited): a modification
    blob = repo.hash_object(b'{"v": 1}')
    tree = repo.tree_with(tip, {name: blob})
    bad = _commit(project.path, tree, [tip])
    git(project.path, "update-ref", EVENTS_REF, bad, tip)
    assert_blocked(project, f"commit {bad[:12]} changed event file {name}")


def test_forged_memory_of_a_verified_tip_does_not_pass(project: Project) -> None:
    """The incremental check starts from a remembered tip only if the record authenticates."""
    tip = _revoked(project)
    bad = _commit(project.path, _tree_without(project.path, tip, "-changes_requested-"), [tip])
    git(project.path, "update-ref", EVENTS_REF, bad, tip)
    gitdir = Path(git(project.path, "rev-parse", "--absolute-git-dir"))
    record = gitdir / "reviewkit" / "append-only.json"
    assert record.is_file()  # written by the clean runs above
    doc = json.loads(record.read_text())
    for forged in ({"tip": bad, "mac": doc["mac"]}, {"tip": bad}, {"tip": bad, "mac": "0" * 64}):
        record.write_text(json.dumps(forged))
        assert_blocked(project, f"commit {bad[:12]} removed event file")


def test_sync_never_moves_a_local_ref_to_a_history_that_lost_an_event(
        project: Project, tmp_path: Path) -> None:
    tip = _revoked(project)
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(project.path), str(remote))
    git(project.path, "remote", "add", "origin", str(remote))
    assert project.rk("sync").code == 0
    tracking = git(project.path, "rev-parse", "refs/reviewkit/remotes/origin/events")
    # on the remote, a fast-forward that drops the changes_requested (no force needed)
    bad = _commit(project.path, _tree_without(project.path, tip, "-changes_requested-"), [tip])
    git(project.path, "push", "-q", "origin", f"{bad}:{EVENTS_REF}")  # no ref moved here
    r = project.rk("sync")
    assert r.code == 1, r.output
    assert f"commit {bad[:12]} removed event file" in r.err and "nothing was merged" in r.err
    assert git(project.path, "rev-parse", EVENTS_REF) == tip
    assert git(project.path, "rev-parse", "refs/reviewkit/remotes/origin/events") == tracking
    assert git(remote, "rev-parse", EVENTS_REF) == bad  # nothing pushed over it either
    assert_blocked(project, "this advice is dangerous")


def test_clean_history_with_merges_passes(project: Project, tmp_path: Path) -> None:
    """Control: two clones that each appended, merged by sync, stay append-only."""
    approve(project)
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(project.path), str(remote))
    git(project.path, "remote", "add", "origin", str(remote))
    assert project.rk("sync").code == 0
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    git(other, "fetch", "-q", "origin", f"{EVENTS_REF}:{EVENTS_REF}")
    from _sec import put_raw

    put_raw(other, {"x/a.json": b"{}"})
    assert rk("sync", cwd=other).code == 0
    put_raw(project.path, {"x/b.json": b"{}"})
    r = project.rk("sync")
    assert r.code == 0, r.output
    parents = git(project.path, "rev-list", "--parents", "-n1", EVENTS_REF).split()
    assert len(parents) == 3  # a true merge
    code, doc = gate(project, "--no-cache")
    assert not any("append-only" in f for f in doc["failures"]), doc["failures"]


# --- the server-side hook ------------------------------------------------------------------------


def _hook_source() -> Path:
    return Path(str(resources.files("reviewkit").joinpath("data/hooks/pre-receive")))


def _install_hook(bare: Path) -> None:
    hook = bare / "hooks" / "pre-receive"
    shutil.copy(_hook_source(), hook)
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)


def test_server_hook_refuses_a_deleting_fast_forward_and_accepts_an_append(
        project: Project, tmp_path: Path) -> None:
    assert os.access(_hook_source(), os.R_OK)
    _revoked(project)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    _install_hook(remote)
    git(project.path, "remote", "add", "origin", str(remote))
    # the first push creates the ref: accepted (its own history is append-only)
    git(project.path, "push", "-q", "origin", f"{EVENTS_REF}:{EVENTS_REF}")
    # a normal append is accepted
    approve(project, who="dwhitfield")
    appended = git(project.path, "rev-parse", EVENTS_REF)
    git(project.path, "push", "-q", "origin", f"{EVENTS_REF}:{EVENTS_REF}")
    assert git(remote, "rev-parse", EVENTS_REF) == appended
    # a fast-forward that deletes the changes_requested is refused, naming commit and file
    lost = _cr_name(project.path)
    bad = _commit(project.path, _tree_without(project.path, appended, "-changes_requested-"),
                  [appended])
    git(project.path, "update-ref", EVENTS_REF, bad, appended)
    proc = subprocess.run(["git", "push", "origin", f"{EVENTS_REF}:{EVENTS_REF}"],
                          cwd=project.path, capture_output=True, text=True, check=False)
    assert proc.returncode != 0, proc.stderr
    assert f"{bad}" in proc.stderr and lost in proc.stderr, proc.stderr
    assert git(remote, "rev-parse", EVENTS_REF) == appended
    # deleting the ref, and a forced rewrite, are refused too
    proc = subprocess.run(["git", "push", "origin", f":{EVENTS_REF}"], cwd=project.path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode != 0 and "delet" in proc.stderr
    rewritten = _commit(project.path, _tree_without(project.path, appended, "-changes_requested-"), [])
    proc = subprocess.run(["git", "push", "--force", "origin", f"{rewritten}:{EVENTS_REF}"],
                          cwd=project.path, capture_output=True, text=True, check=False)
    assert proc.returncode != 0 and "fast-forward" in proc.stderr
    assert git(remote, "rev-parse", EVENTS_REF) == appended
    # other refs are not the hook's business
    git(project.path, "push", "-q", "origin", "HEAD:refs/heads/main")


def test_server_hook_checks_the_history_of_a_new_ref(project: Project, tmp_path: Path) -> None:
    """Creating the ref with a history that already lost an event is refused too."""
    tip = _revoked(project)
    bad = _commit(project.path, _tree_without(project.path, tip, "-changes_requested-"), [tip])
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    _install_hook(remote)
    git(project.path, "remote", "add", "origin", str(remote))
    proc = subprocess.run(["git", "push", "origin", f"{bad}:{EVENTS_REF}"], cwd=project.path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode != 0 and bad in proc.stderr, proc.stderr


def test_ci_without_a_record_checks_from_the_tip_it_saw_last(
        project: Project, tmp_path: Path, monkeypatch: Any) -> None:
    """A fresh CI runner (no record, new key) with --expect-events-ancestor SEEN reads only
    the commits since SEEN, and still catches a deletion among them."""
    tip = _revoked(project)
    lost = _cr_name(project.path)
    bad = _commit(project.path, _tree_without(project.path, tip, "-changes_requested-"), [tip])
    git(project.path, "update-ref", EVENTS_REF, bad, tip)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fresh-runner"))
    assert_blocked(project, f"commit {bad[:12]} removed event file {lost}",
                   args=("--no-cache", "--expect-events-ancestor", tip))
