"""Helpers shared by the security suite: attacks on real throwaway repositories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import Project, default_reviewers, git, registry_yaml

A = "content/articles/coping-with-worry.md"
A_ID = "01JDX3Q7G6M2N8P4R5S6T7V8W9"
B = "content/articles/sleep-and-mood.md"
B_ID = "01JDX3Q7G6M2N8P4R5S6T7V8WB"
EVENTS_REF = "refs/reviewkit/events"


def approve(project: Project, who: str = "dwhitfield", rel: str = A) -> None:
    key = {"dwhitfield": project.reviewer, "mokafor": project.second}[who]
    r = project.rk("approve", str(project.path / rel), "--key", str(key.private), "--as", who)
    assert r.code == 0, r.output


def request_changes(project: Project, who: str = "mokafor", rel: str = A,
                    message: str = "unsafe advice") -> None:
    key = {"dwhitfield": project.reviewer, "mokafor": project.second}[who]
    r = project.rk("request-changes", str(project.path / rel), "-m", message,
                   "--key", str(key.private), "--as", who)
    assert r.code == 0, r.output


def gate(project: Project, *args: str) -> tuple[int, dict[str, Any]]:
    """Run the gate (JSON): exit code and report. Anything but 0/1 is a test failure."""
    r = project.rk("gate", "--format", "json", *args)
    assert r.code in (0, 1), r.output
    return r.code, json.loads(r.out)


def why(doc: dict[str, Any]) -> str:
    """Every reason the gate gave, one string: what a person reads."""
    lines = [f"{b['path']} {b['state']}: {' | '.join(b['reasons'])}" for b in doc["blocked"]]
    lines += [f"{r['event']}: {r['reason']}" for b in doc["blocked"] for r in b["rejected"]]
    return "\n".join(lines + list(doc["failures"]) + list(doc["notes"]))


def assert_blocked(project: Project, *needles: str, args: tuple[str, ...] = ()) -> dict[str, Any]:
    """The gate fails, and its message names each of ``needles``."""
    code, doc = gate(project, *args)
    text = why(doc)
    assert code == 1 and not doc["passed"], text
    for n in needles:
        assert n in text, f"{n!r} not in the gate's reasons:\n{text}"
    return doc


def set_registry(project: Project, edit: Any, commit: bool = True) -> None:
    people = default_reviewers(project.reviewer, project.second, project.editor)
    edit(people)
    project.repo.write("reviewers.yaml", registry_yaml(people))
    if commit:
        project.repo.commit("registry")


def put_raw(path: Path, files: dict[str, bytes], *, parent: bool = True) -> str:
    """Commit raw files onto the events ref (an attacker with push access to it)."""
    from reviewkit.base.git import open_repo

    repo = open_repo(path)
    old = repo.rev_parse(EVENTS_REF)
    additions = {name: repo.hash_object(data) for name, data in files.items()}
    tree = repo.tree_with(old if parent else None, additions)
    commit = repo.commit_tree(tree, [old] if old and parent else [], "attacker", "m", "m@x")
    assert repo.update_ref(EVENTS_REF, commit, old, "attack")
    return commit


def event_files(path: Path, ref: str = EVENTS_REF) -> dict[str, bytes]:
    """name -> bytes of every file on the events ref."""
    names = git(path, "ls-tree", "-r", "--name-only", ref).splitlines()
    return {n: subprocess.run(["git", "cat-file", "blob", f"{ref}:{n}"], cwd=path,
                              capture_output=True, check=True).stdout for n in names}


def rk_proc(repo: Path, *args: str) -> list[str]:
    """argv that runs the CLI as its own process (for kills and concurrency)."""
    return [sys.executable, "-m", "reviewkit", "-C", str(repo), *args]
