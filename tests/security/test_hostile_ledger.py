"""Hostile ledger and environment: out-of-range dates, a huge compressible blob, a forged
cache, a stale ref lock, and event times that older Pythons parsed differently.

SECURITY.md points here (``L:``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from _sec import A_ID, EVENTS_REF, A, approve, assert_blocked, gate, put_raw, rk_proc, set_registry
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.base.digest import canonical_json
from reviewkit.base.model import parse_time
from reviewkit.record.ledger import make_event
from reviewkit.record.signing import sign

from conftest import Project, current, examples, git

# --- out-of-range dates (item 6) -----------------------------------------------------------


def _raw_event(project: Project, at: str, kind: str = "commented") -> tuple[str, bytes]:
    aid, digest, blob, head = current(project.path, A)
    e = make_event(kind, article=aid, path=A, digest=digest, blob=blob, commit=head,
                   actor="jlee", message="hello")
    doc = e.model_dump(exclude_none=True)
    doc["at"] = at
    stamp = at.replace("-", "").replace(":", "")[:15] + ".000000Z"
    return f"{aid}/{stamp}-{kind}-jlee-{doc['nonce']}.json", canonical_json(doc)


def commands(project: Project, tmp_path: Path) -> list[list[str]]:
    """Every command that reads the ledger's times."""
    art = str(project.path / A)
    return [
        ["gate", "--format", "json"], ["gate", "--no-cache", "--format", "json"],
        ["status"], ["status", "--format", "json"], ["due"], ["due", "--format", "json"],
        ["queue"], ["audit"], ["audit", "--format", "json"], ["log", art], ["review", art],
        ["log", art, "--format", "json"], ["report", "--html", str(tmp_path / "dash")],
    ]


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
                                "9999-12-31T23:59:59.999999Z", "1969-12-31T23:59:59Z"])
def test_event_dated_out_of_range_is_a_clean_ledger_problem(
        project: Project, tmp_path: Path, at: str) -> None:
    approve(project)
    put_raw(project.path, dict([_raw_event(project, at)]))
    verdicts = []
    for argv in commands(project, tmp_path):
        r = project.rk(*argv)
        assert r.code in (0, 1), f"{argv}: {r.output}"
        assert "Traceback" not in r.output and "internal error" not in r.output, r.output
        if argv[0] == "gate":
            doc = json.loads(r.out)
            verdicts.append((r.code, doc["failures"]))
    # the gate says why, with and without the cache, the same way, and twice (warm cache)
    assert verdicts[0] == verdicts[1] and verdicts[0][0] == 1, verdicts
    assert any("out of range" in f for f in verdicts[0][1]), verdicts
    assert gate(project)[1]["failures"] == verdicts[0][1]


def test_credential_and_key_windows_at_the_ends_of_the_calendar(
        project: Project, tmp_path: Path) -> None:
    def far(people: list[dict[str, Any]]) -> None:
        people[0]["credentials"][0]["expires"] = "9999-12-31"
        people[0]["keys"] = [{"key": people[0]["keys"][0],
                              "valid_after": "0001-01-01T00:00:00Z",
                              "valid_before": "9999-12-31T23:59:59Z"}]
    set_registry(project, far)
    approve(project)
    for argv in commands(project, tmp_path):
        r = project.rk(*argv)
        assert r.code in (0, 1), f"{argv}: {r.output}"
        assert "internal error" not in r.output, r.output
    code, doc = gate(project)
    assert code == 0, doc
    assert gate(project, "--no-cache")[0] == 0


@pytest.mark.parametrize("setting", ["max_age_days: 99999999999", "clock_skew_seconds: 10000000000"])
def test_policy_numbers_that_would_overflow_are_configuration_errors(
        project: Project, setting: str) -> None:
    text = project.repo.read("reviewkit.yaml")
    project.repo.write("reviewkit.yaml", text.replace("policy:", f"policy:\n  {setting}", 1))
    project.repo.commit("policy")
    r = project.rk("gate")
    assert r.code == 2 and "reviewkit.yaml" in r.err, r.output


def test_due_window_out_of_range_is_a_usage_error(project: Project) -> None:
    r = project.rk("due", "--within", "99999999999d")
    assert r.code == 2 and "--within" in r.err, r.output


# --- a huge compressible blob on the events ref (item 7) -------------------------------------

BIG = 320 * 1024 * 1024


def _max_rss_mib(argv: list[str]) -> tuple[int, str, float]:
    """Run argv in a fresh interpreter; (exit code, stderr, peak RSS of that process tree)."""
    probe = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stderr.write(p.stdout + p.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(p.returncode)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True,
                          text=True, check=False)
    return proc.returncode, proc.stderr, int(proc.stdout.strip()) / 1024


@pytest.mark.slow
def test_huge_compressible_event_blob_is_never_read(project: Project, tmp_path: Path) -> None:
    approve(project)
    spaces = tmp_path / "spaces"
    with spaces.open("wb") as fh:
        chunk = b" " * (1024 * 1024)
        for _ in range(BIG // len(chunk)):
            fh.write(chunk)
    sha = git(project.path, "hash-object", "-w", str(spaces))
    spaces.unlink()
    from reviewkit.base.git import open_repo

    repo = open_repo(project.path)
    old = repo.rev_parse(EVENTS_REF)
    tree = repo.tree_with(old, {f"{A_ID}/20260101T000000.000000Z-commented-jlee-{'ab' * 8}.json": sha})
    commit = repo.commit_tree(tree, [old] if old else [], "big", "m", "m@x")
    assert repo.update_ref(EVENTS_REF, commit, old, "attack")
    for args in (["gate", "--no-cache"], ["status"], ["audit"]):
        code, err, peak = _max_rss_mib(rk_proc(project.path, *args))
        assert code in (0, 1) and "internal error" not in err, err
        # the blob is 320 MiB: reading it whole would take at least that much
        assert peak < 200, f"{args}: peak RSS {peak:.0f} MiB"
    assert_blocked(project, f"larger than {256 * 1024} bytes", args=("--no-cache",))


# --- a forged cache (item 12) -----------------------------------------------------------------


def _forge(path: Path, edit: Any) -> None:
    """Rewrite a cache file's entries (one a line, the MAC last) and keep its MAC line:
    what an attacker who read the code would do (the HMAC key is not in the repository)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    head, mac_line = lines[0], next(x for x in lines if x.startswith("mac\t"))
    body: dict[str, Any] = {"articles": {}, "verdicts": {}}
    for line in lines[1:]:
        kind, _, rest = line.partition("\t")
        if kind == "a":
            k, text = rest.split("\t", 1)
            body["articles"][k] = json.loads(text)
        elif kind == "v":
            k, since, until, status = rest.split("\t", 3)
            body["verdicts"][k] = {"status": status, "since": since, "until": until}
    edit(body)
    out = [head]
    out += [f"a\t{k}\t{json.dumps(v)}" for k, v in body["articles"].items()]
    out += [f"v\t{k}\t{v['since']}\t{v['until']}\t{v['status']}"
            for k, v in body["verdicts"].items()]
    path.write_text("\n".join([*out, mac_line, ""]), encoding="utf-8")


def _cache_file(project: Project, name: str = "cache.json") -> Path:
    return Path(git(project.path, "rev-parse", "--absolute-git-dir")) / "reviewkit" / name


def test_forged_cache_claiming_approval_for_changed_content(project: Project) -> None:
    approve(project)
    assert gate(project)[0] == 0  # writes the cache
    old_blob = git(project.path, "rev-parse", f"HEAD:{A}")
    project.repo.write(A, project.repo.read(A).replace("Plain words", "Unreviewed words"))
    project.repo.commit("unreviewed edit")
    new_blob = git(project.path, "rev-parse", f"HEAD:{A}")

    def claim_old_summary(body: dict[str, Any]) -> None:
        # the new file's cache entry says what the approved file said (its digest)
        body["articles"] = {k.replace(old_blob, new_blob): v for k, v in body["articles"].items()}
    _forge(_cache_file(project), claim_old_summary)
    no_cache = assert_blocked(project, "stale", args=("--no-cache",))
    _forge(_cache_file(project), claim_old_summary)
    cached = assert_blocked(project, "stale")
    assert cached["blocked"] == no_cache["blocked"]


def test_forged_lint_cache_does_not_hide_errors(project: Project) -> None:
    project.repo.write(A, project.repo.read(A).replace("slug: coping-with-worry", "slug: BAD SLUG"))
    project.repo.commit("broken")
    assert project.rk("validate").code == 1  # writes cache-lint.json
    _forge(_cache_file(project, "cache-lint.json"),
           lambda body: [v.update(findings=[]) for v in body["articles"].values()])
    r = project.rk("validate")
    assert r.code == 1 and "error" in r.out, r.output


def test_foreign_cache_is_ignored(project: Project, tmp_path: Path) -> None:
    """A cache written under another key (another machine, a CI cache) is not trusted."""
    approve(project)
    assert gate(project)[0] == 0
    project.repo.write(A, project.repo.read(A).replace("Plain words", "Unreviewed words"))
    project.repo.commit("unreviewed edit")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path / "other-machine")
    try:
        assert_blocked(project, "stale")
        cache = _cache_file(project).read_bytes()
    finally:
        del os.environ["XDG_CACHE_HOME"]
    _cache_file(project).write_bytes(cache)
    assert_blocked(project, "stale")


def test_cache_key_is_private_and_outside_the_repository(project: Project) -> None:
    approve(project)
    assert gate(project)[0] == 0
    key = Path(os.environ["HOME"]) / ".cache" / "reviewkit" / "cache-key"
    assert key.is_file() and (key.stat().st_mode & 0o077) == 0


def test_a_cache_key_others_can_read_is_not_used(project: Project) -> None:
    """Whoever can read the key can forge a cache: a key readable (or writable) by group or
    others authenticates nothing, and the gate decides without a cache."""
    approve(project)
    assert gate(project)[0] == 0
    key = Path(os.environ["HOME"]) / ".cache" / "reviewkit" / "cache-key"
    cache = _cache_file(project)
    assert cache.is_file()
    project.repo.write(A, project.repo.read(A).replace("Plain words", "Unreviewed words"))
    project.repo.commit("unreviewed edit")
    key.chmod(0o644)
    cache.unlink()
    assert_blocked(project, "stale")
    assert not cache.exists()  # nothing written under a key others can read
    key.chmod(0o600)
    assert_blocked(project, "stale")
    assert cache.is_file()


# --- a stale ref lock (item 14) ---------------------------------------------------------------


def test_stale_events_lock_is_reported_not_retried(project: Project) -> None:
    approve(project)
    lock = Path(git(project.path, "rev-parse", "--absolute-git-dir")) / "refs/reviewkit/events.lock"
    lock.write_text("")
    old = time.time() - 3600
    os.utime(lock, (old, old))  # git was killed an hour ago
    r = project.rk("comment", str(project.path / A), "-m", "hi", "--as", "jlee")
    assert r.code == 3, r.output
    assert str(lock) in r.err and "rm '" in r.err and "killed" in r.err, r.err
    assert "contention" not in r.err


@pytest.mark.slow
def test_fresh_lock_that_stays_is_reported_within_seconds(project: Project) -> None:
    """A lock that appears and never goes away: exit 3 naming it, after a bounded wait."""
    approve(project)
    lock = Path(git(project.path, "rev-parse", "--absolute-git-dir")) / "refs/reviewkit/events.lock"
    lock.write_text("")
    r = project.rk("comment", str(project.path / A), "-m", "hi", "--as", "jlee")
    assert r.code == 3 and str(lock) in r.err, r.output


def test_update_ref_tells_a_lock_from_a_lost_race(project: Project) -> None:
    from reviewkit.base.git import RefUpdate, open_repo

    approve(project)
    repo = open_repo(project.path)
    tip = repo.rev_parse(EVENTS_REF)
    assert tip is not None
    assert repo.update_ref(EVENTS_REF, tip, "1" * 40, "x") is RefUpdate.MOVED
    repo.lock_path(EVENTS_REF).write_text("")
    assert repo.update_ref(EVENTS_REF, tip, tip, "x") is RefUpdate.LOCKED
    assert not repo.update_ref(EVENTS_REF, tip, tip, "x")


# --- event times, every Python (item 15) -------------------------------------------------------


@pytest.mark.parametrize("frac", ["", ".1", ".12", ".123", ".1234", ".12345", ".123456"])
def test_signed_approval_with_any_fraction_digits_counts(project: Project, frac: str) -> None:
    aid, digest, blob, head = current(project.path, A)
    e = make_event("approved", article=aid, path=A, digest=digest, blob=blob, commit=head,
                   actor="dwhitfield", credential="LPC")
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    e = e.model_copy(update={"at": now.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"})
    e = e.model_copy(update={"sig": sign(e.signed_payload(), project.reviewer.private)})
    put_raw(project.path, {e.file_name(): canonical_json(e.model_dump(exclude_none=True))})
    code, doc = gate(project)
    assert code == 0, doc


@settings(max_examples=examples(200), deadline=None)
@given(st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(8999, 12, 31)),
       st.integers(0, 6))
def test_parse_time_agrees_with_the_value_for_every_fraction_length(
        when: dt.datetime, digits: int) -> None:
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{when.microsecond:06d}"[:digits]
    parsed = parse_time(text + (f".{frac}" if digits else "") + "Z")
    expect = when.replace(microsecond=int(frac.ljust(6, "0")) if digits else 0,
                          tzinfo=dt.timezone.utc)
    assert parsed == expect
