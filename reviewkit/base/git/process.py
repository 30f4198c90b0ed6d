"""Running git: the one place a git process starts, and the base every part of
:class:`~reviewkit.base.git.Repo` builds on.

:func:`_run_git` turns a missing git into EnvError (exit 3). Where git's exit status does
not say enough (a declined push, a stale lock, a missing remote ref), its stderr is matched;
that relies on ``LC_ALL=C`` (set by :func:`_clean_env`) so the messages are git's
untranslated English ones.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from reviewkit.base.errors import EnvError

ZERO = "0" * 40


class GitCommandError(EnvError):
    """A git command failed; ``stderr`` is kept for callers that need to look at it."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


_HEX_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    for k in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(k, None)
    # git's messages in untranslated English: the stderr matching in this module needs it
    env["LC_ALL"] = "C"
    if extra:
        env.update(extra)
    return env


def _run_git(args: Sequence[str], cwd: str | os.PathLike[str], *, input: bytes | None = None,
             env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The one place a git process starts; never raises for git's exit status."""
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True,
                              env=_clean_env(env), check=False)
    except FileNotFoundError:
        if not os.path.isdir(cwd):
            raise EnvError(f"{os.fspath(cwd)}: no such directory") from None
        raise EnvError("git is not installed or not on PATH") from None


def _stderr(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stderr.decode("utf-8", "replace").strip()


class GitProcess:
    """A work tree and the git processes run in it; :class:`~reviewkit.base.git.Repo` adds
    the named operations."""

    def __init__(self, root: Path, git_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self.root = root
        self.git_dir = git_dir
        self.env: dict[str, str] = dict(env or {})

    def _proc(self, *args: str, input: bytes | None = None,
              env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        return _run_git(args, self.root, input=input, env={**self.env, **(env or {})})

    # -- running git ------------------------------------------------------------------------

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> bytes:
        """Run ``git ARGS`` in the work tree; EnvError (exit 3) on failure.

        For the git package's own operations: other modules call Repo's named operations."""
        proc = self._proc(*args, input=input, env=env)
        if check and proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            first = err[-1] if err else f"exit status {proc.returncode}"
            raise GitCommandError(f"git {args[0]} failed: {first}", "\n".join(err))
        return proc.stdout

    def text(self, *args: str, **kw: object) -> str:
        return self.run(*args, **kw).decode("utf-8", "replace").strip()  # type: ignore[arg-type]

    def rev_parse(self, rev: str) -> str | None:
        """The object id ``rev`` names, or None when it names nothing."""
        out = self._proc("rev-parse", "--verify", "--quiet", rev + "^{}")
        if out.returncode != 0:
            return None
        return out.stdout.decode().strip() or None

    def head(self) -> str | None:
        return self.rev_parse("HEAD")
