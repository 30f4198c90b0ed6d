"""Concurrency and crashes: 16 writers at once lose nothing; SIGKILL at random points of
``approve``, ``publish`` and ``sync`` leaves repo, events ref and output consistent.

Kills hit the whole process group (reviewkit and the git processes it runs), after a
seeded random delay spread over a measured uninterrupted run. ``FIGURES`` counts
processes, crashes injected and events lost (the end of the run prints them;
SECURITY.md quotes them).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from _sec import B_ID, EVENTS_REF, A, B, approve, gate, rk_proc

from reviewkit.base.git import Repo, open_repo
from reviewkit.record.ledger import read_ledger
from reviewkit.record.project import load_project
from reviewkit.review.policy import verify_event

from conftest import Project, article, figures, git, rk

FIGURES = figures("crash/concurrency figures")
SEED = 20261127
pytestmark = pytest.mark.slow


def _run(argv: list[str]) -> float:
    t = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    FIGURES["processes"] += 1
    return time.monotonic() - t


def _delay(rng: random.Random, t: float) -> float:
    """A kill time: half spread over the whole run, half over its last part, where the
    writing happens (start-up is most of a short run)."""
    return rng.uniform(0, t * 1.2) if rng.random() < 0.5 else rng.uniform(t * 0.6, t * 1.1)


def _killed(argv: list[str], delay: float) -> int:
    """Start ``argv`` in its own process group, SIGKILL the group after ``delay``."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    FIGURES["processes"] += 1
    try:
        proc.wait(timeout=delay)
        return proc.returncode  # finished before the kill
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        FIGURES["crashes injected"] += 1
        return -9


def fsck(path: Path) -> None:
    proc = subprocess.run(["git", "fsck", "--strict", "--no-progress"], cwd=path,
                          capture_output=True, text=True, check=False)
    problems = [ln for ln in (proc.stdout + proc.stderr).splitlines()
                if ln.strip() and not ln.startswith(("dangling ", "notice:"))]
    assert proc.returncode == 0 and not problems, problems


def ledger_sound(repo: Repo, registry: Any) -> set[str]:
    """Every event on the ref parses and every signed one verifies; returns the names."""
    ledger = read_ledger(repo)
    assert not ledger.problems, [(e.name, e.problem) for e in ledger.problems]
    for e in ledger.events:
        assert e.event is not None
        if e.event.sig:
            ok, why, _ = verify_event(e.event, registry)
            assert ok, why
    # a ref lock left behind would block every later append (git's own maintenance.lock
    # from an interrupted auto-gc does not matter to the ledger)
    for lock in [*repo.git_dir.joinpath("refs").rglob("*.lock"),
                 *repo.git_dir.glob("packed-refs.lock")]:
        raise AssertionError(f"ref lock file left behind: {lock}")
    return {e.name for e in ledger.events}


def definite_gate(path: Path) -> int:
    r = rk("gate", "--format", "json", cwd=path)
    assert r.code in (0, 1), r.output
    json.loads(r.out)
    return r.code


# --- 16 writers at once ----------------------------------------------------------------------


def test_sixteen_concurrent_writers_lose_no_event(project: Project) -> None:
    repo = project.repo
    paths = []
    for i in range(8):
        slug = f"article-{i}"
        repo.write(f"content/articles/{slug}.md",
                   article(slug=slug, id=f"01JDX3Q7G6M2N8P4R5S6T7V8{i:02d}"))
        paths.append(project.path / f"content/articles/{slug}.md")
    repo.commit("eight articles")
    argvs = []
    for i in range(16):
        p = paths[i % 8]
        if i < 8:  # a signed approval of each article
            argvs.append(rk_proc(project.path, "approve", str(p), "--key",
                                 str(project.reviewer.private), "--as", "dwhitfield"))
        else:  # and a comment on the same articles, racing for the same directories
            argvs.append(rk_proc(project.path, "comment", str(p), "-m", f"note {i}", "--as", "jlee"))
    procs = [subprocess.Popen(a, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for a in argvs]
    FIGURES["processes"] += len(procs)
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    r = open_repo(project.path)
    names = ledger_sound(r, load_project(project.path).registry)
    FIGURES["events expected"] += 16
    FIGURES["events lost"] += 16 - len(names)
    assert len(names) == 16
    # one commit per event, a straight line: no update was lost to a race
    assert git(project.path, "rev-list", "--count", EVENTS_REF) == "16"
    assert git(project.path, "rev-list", "--merges", EVENTS_REF) == ""
    fsck(project.path)
    code, doc = gate(project)
    assert len(doc["approved"]) == 8  # A is still unapproved
    assert git(project.path, "status", "--porcelain") == ""


# --- SIGKILL during approve ------------------------------------------------------------------


def test_sigkill_during_approve(project: Project) -> None:
    rng = random.Random(SEED)
    registry = load_project(project.path).registry
    argv = rk_proc(project.path, "approve", str(project.path / A), "--key",
                   str(project.reviewer.private), "--as", "dwhitfield")
    repo = open_repo(project.path)
    completed = set(ledger_sound(repo, registry))
    t = _run(argv)
    completed = ledger_sound(repo, registry)
    FIGURES["events expected"] += 1
    for _ in range(15):
        before = ledger_sound(repo, registry)
        rc = _killed(argv, _delay(rng, t))
        after = ledger_sound(repo, registry)  # never a half state: all parse and verify
        assert before <= after and len(after - before) <= 1
        if rc == 0:
            assert len(after - before) == 1  # it said it recorded: it did
            FIGURES["events expected"] += 1
        completed |= after
        fsck(project.path)
        assert definite_gate(project.path) == (0 if after else 1)
    lost = completed - ledger_sound(repo, registry)
    FIGURES["events lost"] += len(lost)
    assert not lost
    _run(argv)  # and the next run works
    assert definite_gate(project.path) == 0


# --- SIGKILL during publish ------------------------------------------------------------------


def _bundle(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def _strip(files: dict[str, bytes]) -> dict[str, Any]:
    """A bundle with the manifest's clock field removed: comparable across runs."""
    out: dict[str, Any] = dict(files)
    manifest = json.loads(files["manifest.json"])
    manifest.pop("generated_at")
    manifest.pop("integrity")  # a hash over the manifest, clock included
    out["manifest.json"] = manifest
    listed = set(manifest["files"]) | {"manifest.json"}  # pages, assets, the review record
    assert listed == set(files), (listed, set(files))
    return out


def test_sigkill_during_publish(project: Project, tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    approve(project)
    out = tmp_path / "bundle"
    argv = rk_proc(project.path, "publish", "--out", str(out))
    _run(argv)
    old = _strip(_bundle(out))
    shutil.copytree(out, tmp_path / "old-bundle")
    project.repo.write(B, article(slug="sleep-and-mood", id=B_ID, title="Sleep and mood"))
    project.repo.commit("second article")
    approve(project, rel=B)
    t = _run(rk_proc(project.path, "publish", "--out", str(tmp_path / "reference")))
    new = _strip(_bundle(tmp_path / "reference"))
    pages = [{a["file"] for a in b["manifest.json"]["articles"]} for b in (old, new)]
    assert pages[1] == pages[0] | {"sleep-and-mood.md"}
    outcomes: Counter[str] = Counter()
    for _ in range(15):
        _killed(argv, _delay(rng, t))
        assert out.is_dir()  # --out existed before: it is never missing
        got = _strip(_bundle(out))
        assert got in (old, new), "a half-written bundle"
        outcomes["new" if got == new else "old"] += 1
        if got == new:  # put the old bundle back for the next round
            shutil.rmtree(out)
            shutil.copytree(tmp_path / "old-bundle", out)
        fsck(project.path)
        assert definite_gate(project.path) == 0
    # temporary build directories may be left beside --out; the next publish still works
    _run(argv)
    assert _strip(_bundle(out)) == new
    FIGURES["publish kills: old bundle"] += outcomes["old"]
    FIGURES["publish kills: new bundle"] += outcomes["new"]


def test_sigkill_during_first_publish_leaves_nothing_or_everything(project: Project,
                                                                  tmp_path: Path) -> None:
    rng = random.Random(SEED + 2)
    approve(project)
    t = _run(rk_proc(project.path, "publish", "--out", str(tmp_path / "reference")))
    new = _strip(_bundle(tmp_path / "reference"))
    for i in range(6):
        out = tmp_path / f"first-{i}"
        _killed(rk_proc(project.path, "publish", "--out", str(out)), rng.uniform(0, t * 1.2))
        if out.exists():
            assert _strip(_bundle(out)) == new


# --- SIGKILL during sync ---------------------------------------------------------------------


@pytest.fixture
def clones(project: Project, tmp_path: Path) -> tuple[Path, Path, Path]:
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(project.path), str(remote))
    one, two = tmp_path / "one", tmp_path / "two"
    git(tmp_path, "clone", "-q", str(remote), str(one))
    git(tmp_path, "clone", "-q", str(remote), str(two))
    return remote, one, two


def _names(path: Path) -> set[str]:
    proc = subprocess.run(["git", "ls-tree", "-r", "--name-only", EVENTS_REF], cwd=path,
                          capture_output=True, text=True, check=False)
    return set(proc.stdout.split()) if proc.returncode == 0 else set()


def test_sigkill_during_sync(project: Project, clones: tuple[Path, Path, Path]) -> None:
    rng = random.Random(SEED + 3)
    remote, one, two = clones
    registry = load_project(one).registry
    created: set[str] = set()

    def comment(where: Path, i: int) -> None:
        before = _names(where)
        r = rk("comment", str(where / A), "-m", f"note {i}", "--as", "jlee", cwd=where)
        assert r.code == 0, r.output
        new = _names(where) - before
        assert len(new) == 1
        created.update(new)
    r = rk("approve", str(one / A), "--key", str(project.reviewer.private), "--as",
           "dwhitfield", cwd=one)
    assert r.code == 0, r.output
    t = _run(rk_proc(one, "sync"))
    for i in range(10):
        comment(one, i)
        comment(two, 100 + i)
        if i % 4 == 0:  # the remote also moves under the sync that gets killed
            assert rk("sync", cwd=two).code == 0
        _killed(rk_proc(one, "sync"), rng.uniform(0, t * 1.5))
        for where in (one, remote):
            fsck(where)
        ledger_sound(open_repo(one), registry)
        assert definite_gate(one) == 0  # approved before; comments do not change that
    # a plain re-run converges, with every event everywhere
    for where in (one, two, one):
        r = rk("sync", cwd=where)
        assert r.code == 0, r.output
    everything = _names(one)
    assert _names(two) == everything == _names(remote)
    lost = created - everything
    FIGURES["events expected"] += len(created) + 1
    FIGURES["events lost"] += len(lost)
    assert not lost
    for where in (one, two):
        fsck(where)
        ledger_sound(open_repo(where), registry)
    fsck(remote)
    assert git(remote, "rev-list", "--merges", "--count", EVENTS_REF) != ""
