"""Test fixtures: isolated git identity and HOME, throwaway repos, real SSH keys."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from reviewkit.cli import main

# Hypothesis: "ci" runs each property test's own example count (the figures SECURITY.md and
# docs quote); "dev", the inner loop's, at most 50. CI=true (GitHub Actions, .ci/run)
# selects ci; HYPOTHESIS_PROFILE overrides.
settings.register_profile("ci", settings())
settings.register_profile("dev", max_examples=50)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI") == "true" else "dev")
settings.load_profile(HYPOTHESIS_PROFILE)


def examples(n: int) -> int:
    """A property test's example count: ``n`` under the ci profile, at most dev's otherwise."""
    if HYPOTHESIS_PROFILE == "ci":
        return n
    return min(n, settings.get_profile(HYPOTHESIS_PROFILE).max_examples)


# Counters that tests fill (examples run, processes, crashes injected, events lost) and the
# end of the run prints: SECURITY.md quotes them.
FIGURES: dict[str, tuple[Counter[str], bool]] = {}


def figures(title: str, *, total: bool = False) -> Counter[str]:
    """The counter printed at the end of the run under ``title`` (with its sum: ``total``)."""
    return FIGURES.setdefault(title, (Counter(), total))[0]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for title, (counts, total) in FIGURES.items():
        if counts:
            head = f"{title}: {sum(counts.values())} " if total else f"{title}: "
            terminalreporter.write_line(f"{head}{dict(counts)}")

REAL_HOME = Path(os.path.expanduser("~"))


# What reviewkit (or git and ssh-keygen run by it) could write under a home directory.
# Only these are checked: the rest of the real home belongs to other programs on the machine.
HOME_PATHS = (".gitconfig", ".ssh", ".config/git", ".cache/reviewkit")


def _home_snapshot() -> dict[str, float | None]:
    """Modification times of HOME_PATHS and of the entries of those that are directories
    (None: absent)."""
    snap: dict[str, float | None] = {}
    for rel in HOME_PATHS:
        p = REAL_HOME / rel
        try:
            snap[rel] = p.stat(follow_symlinks=False).st_mtime
        except OSError:
            snap[rel] = None
            continue
        if p.is_dir() and not p.is_symlink():
            with contextlib.suppress(OSError):
                for entry in os.scandir(p):
                    with contextlib.suppress(OSError):
                        snap[f"{rel}/{entry.name}"] = entry.stat(follow_symlinks=False).st_mtime
    return snap


@pytest.fixture(scope="session", autouse=True)
def _guard_real_home() -> Iterator[None]:
    """No test may write where reviewkit would write in the real home directory."""
    before = _home_snapshot()
    yield
    after = _home_snapshot()
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert not changed, f"tests wrote to the real home directory: {sorted(changed)}"


@pytest.fixture(autouse=True)
def _isolate(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    for name, value in isolated_env(home).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return home


def isolated_env(home: Path) -> dict[str, str | None]:
    """Environment of a test: its own HOME and git identity; None = unset."""
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(textwrap.dedent("""\
        [user]
            name = Jordan Lee
            email = j.lee@example.org
        [init]
            defaultBranch = main
        [commit]
            gpgsign = false
        [protocol "file"]
            allow = always
        """))
    env: dict[str, str | None] = {"HOME": str(home), "GIT_CONFIG_GLOBAL": str(gitconfig),
                                  "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1"}
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "SSH_AUTH_SOCK", "XDG_CACHE_HOME",
                "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE",
                "GITHUB_STEP_SUMMARY"):  # a test run inside Actions must not write its summary
        env[var] = None
    return env


def git(cwd: Path, *args: str, input: str | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


class GitRepo:
    """A throwaway git repository with helpers to write files and commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q")

    def git(self, *args: str, input: str | None = None) -> str:
        return git(self.path, *args, input=input)

    def write(self, rel: str, content: str | bytes) -> Path:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
        return p

    def read(self, rel: str) -> str:
        return (self.path / rel).read_text(encoding="utf-8")

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def git_repo(tmp_path: Path) -> Callable[..., GitRepo]:
    """Builder: ``git_repo("name")`` makes a new repository under tmp_path."""
    def make(name: str = "repo") -> GitRepo:
        return GitRepo(tmp_path / name)
    return make


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


def rk(*args: str, cwd: Path | None = None) -> Result:
    """Run the reviewkit CLI in-process, as a user would (``-C cwd``)."""
    out, err = io.StringIO(), io.StringIO()
    argv = (["-C", str(cwd)] if cwd else []) + list(args)
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return Result(code, out.getvalue(), err.getvalue())


@dataclass
class Key:
    private: Path
    public: Path

    @property
    def line(self) -> str:
        return self.public.read_text().strip()


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Key]:
    """``keys("dwhitfield")``: a real ed25519 key pair made by ssh-keygen (cached per name)."""
    base = tmp_path_factory.mktemp("keys")
    made: dict[str, Key] = {}

    def make(name: str) -> Key:
        if name not in made:
            path = base / name
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name,
                            "-f", str(path)], check=True)
            made[name] = Key(path, Path(str(path) + ".pub"))
        return made[name]
    return make


ARTICLE = """\
---
id: {id}
title: "{title}"
slug: {slug}
description: "A short description of the article."
author:
  name: Jordan Lee
  email: j.lee@example.org
topics: [{topics}]
draft: {draft}
updated: 2026-11-20
citations: []
---
{body}"""

BODY = """\
A short introduction for readers.

## What it is

Plain words about the topic.

## Find care

Talk to a licensed mental health professional.
"""


def article(id: str = "01JDX3Q7G6M2N8P4R5S6T7V8W9", title: str = "Coping with worry",
            slug: str = "coping-with-worry", topics: str = "anxiety", draft: str = "false",
            body: str = BODY) -> str:
    return ARTICLE.format(id=id, title=title, slug=slug, topics=topics, draft=draft, body=body)


def registry_yaml(reviewers: list[dict[str, object]]) -> str:
    import json

    return json.dumps({"reviewers": reviewers}, indent=2)  # JSON is YAML


@dataclass
class Project:
    repo: GitRepo
    reviewer: Key
    second: Key
    editor: Key

    @property
    def path(self) -> Path:
        return self.repo.path

    def rk(self, *args: str) -> Result:
        return rk(*args, cwd=self.path)


def default_reviewers(reviewer: Key, second: Key, editor: Key) -> list[dict[str, object]]:
    return [
        {"id": "dwhitfield", "name": "Dana Whitfield", "email": "d.whitfield@example.org",
         "roles": ["clinical_reviewer"],
         "credentials": [{"type": "LPC", "license": "L-1001", "region": "US-OR",
                          "expires": "2099-06-30"}],
         "keys": [reviewer.line]},
        {"id": "mokafor", "name": "Michael Okafor", "email": "m.okafor@example.org",
         "roles": ["clinical_reviewer"],
         "credentials": [{"type": "MD", "license": "MD-77", "expires": "2099-01-01"}],
         "keys": [second.line]},
        {"id": "jlee", "name": "Jordan Lee", "email": "j.lee@example.org",
         "roles": ["editor"], "keys": [editor.line]},
    ]


@pytest.fixture
def project(git_repo: Callable[..., GitRepo], keys: Callable[[str], Key]) -> Project:
    """A repository after `reviewkit init`, with three people and one committed article."""
    repo = git_repo("site")
    assert rk("init", cwd=repo.path).code == 0
    reviewer, second, editor = keys("dwhitfield"), keys("mokafor"), keys("jlee")
    repo.write("reviewers.yaml", registry_yaml(default_reviewers(reviewer, second, editor)))
    repo.write("content/articles/coping-with-worry.md", article())
    repo.commit("initial content")
    return Project(repo, reviewer, second, editor)


def current(project_path: Path, rel: str) -> tuple[str, str, str, str]:
    """(id, digest, blob at HEAD, HEAD) of an article as reviewkit sees it."""
    from reviewkit.article.content import load_article
    from reviewkit.record.project import load_project

    p = load_project(project_path)
    r = load_article(p.root, rel, p.schema)
    assert r.article is not None, r.findings
    blob = git(project_path, "rev-parse", f"HEAD:{rel}")
    return r.article.meta.id, r.article.digest, blob, git(project_path, "rev-parse", "HEAD")


def put_event(project_path: Path, kind: str, rel: str, actor: str, key: Key | None, *,
              at: object = None, sign_as: dict[str, object] | None = None,
              legacy: bool = False, **fields: object) -> object:
    """Commit an event straight onto the ledger (bypassing the workflow's refusals).

    ``key`` None leaves it unsigned; ``sign_as`` overrides fields after signing (tamper);
    ``legacy`` writes it where the first layout did (``<article>/<file>``, no shard).
    """
    import datetime as dt

    from reviewkit.base.git import open_repo
    from reviewkit.record.ledger import append_event, make_event
    from reviewkit.record.signing import sign

    aid, digest, blob, head = current(project_path, rel)
    base: dict[str, object] = {"article": aid, "path": rel, "digest": digest, "blob": blob,
                               "commit": head}
    base.update(fields)
    event = make_event(kind, actor=actor, at=at if isinstance(at, dt.datetime) else None,
                       **base)  # type: ignore[arg-type]
    if key is not None:
        event = event.model_copy(update={"sig": sign(event.signed_payload(), key.private)})
    if sign_as:
        event = event.model_copy(update=sign_as)
    repo = open_repo(project_path)
    if legacy:
        from reviewkit.record.ledger import EVENTS_REF, event_bytes

        old = repo.rev_parse(EVENTS_REF)
        tree = repo.tree_with(old, {event.file_names()[1]: repo.hash_object(event_bytes(event))})
        commit = repo.commit_tree(tree, [old] if old else [], "first layout\n", "reviewkit",
                                  "reviewkit@localhost")
        repo.update_ref(EVENTS_REF, commit, old, "first layout")
    else:
        append_event(repo, event)
    return event


def translations_setting(project: Project, line: str) -> None:
    """Add ``line`` (``key: value``) to the ``policy.translations`` block init wrote."""
    path = project.path / "reviewkit.yaml"
    text = path.read_text()
    assert "\n  translations:\n" in text
    path.write_text(text.replace("\n  translations:\n", f"\n  translations:\n    {line}\n", 1))
