"""The one package that talks to git: :class:`Repo`, a work tree, and its named operations.

Callers speak in named operations (:meth:`Repo.fetch_ref`, :meth:`Repo.push_ref`,
:meth:`Repo.update_ref`, :meth:`Repo.paths_changed_between`, ...); no other module builds a
git command line or reads git's messages. :class:`Repo` is put together from one part per
concern: running git (``process``: the only module that starts a process), objects
(``objects``: batch reads of trees and blobs, writing objects), history (``history``: the
append-only check, file history, what a change touches) and refs (``refs``: resolving,
compare-and-swap updates, fetch and push). Plumbing that moves many objects at once
(``ls-tree -r``, ``cat-file --batch``, a temporary index) runs as single subprocesses, so
cost grows with the number of objects, never with one process per object.

Import from here (``from reviewkit.base.git import Repo, open_repo``), not from the parts.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from reviewkit.base.errors import EnvError
from reviewkit.base.git.history import History, HistoryEdit
from reviewkit.base.git.objects import ObjectStore, TreeEntry, blob_id
from reviewkit.base.git.process import ZERO, GitCommandError, _run_git, _stderr
from reviewkit.base.git.refs import (
    PushDeclined,
    PushRejected,
    RefLocked,
    Refs,
    RefUpdate,
    ResolvedRef,
    check_revision_text,
)

__all__ = [
    "ZERO", "GitCommandError", "HistoryEdit", "PushDeclined", "PushRejected", "RefLocked",
    "RefUpdate", "Repo", "ResolvedRef", "TreeEntry", "blob_id", "check_revision_text",
    "init_repo", "open_repo",
]


class Repo(Refs, History, ObjectStore):
    """A git work tree. Construct with :func:`open_repo`.

    ``env``: variables added to every git process of this repository (the demo's own
    ``GIT_CONFIG_GLOBAL``, say); the process environment itself is never changed.
    """

    def config_get(self, key: str) -> str | None:
        out = self.run("config", "--get", key, check=False)
        value = out.decode("utf-8", "replace").strip()
        return value or None

    def is_clean(self, path: str) -> bool:
        """True when ``path`` has no staged or unstaged change against HEAD."""
        out = self.run("status", "--porcelain", "-z", "--", path)
        return not out.strip(b"\0")

    def has_commit(self, sha: str) -> bool:
        """True when the commit ``sha`` is in this repository (e.g. after ``git fetch``)."""
        return self.rev_parse(sha + "^{commit}") is not None

    def commit_all(self, message: str) -> str:
        """Stage every change of the work tree (``add -A``) and commit it; the new commit id."""
        self.run("add", "-A")
        self.run("commit", "-q", "-m", message)
        return self.text("rev-parse", "HEAD")


def open_repo(path: str | os.PathLike[str] = ".", env: Mapping[str, str] | None = None) -> Repo:
    """The git work tree that contains ``path``; EnvError (exit 3) when there is none.

    One ``git rev-parse`` (a few milliseconds): ``status``/``approve`` of one article must
    stay fast. ``env`` is kept for every git process of the repository (see :class:`Repo`).
    """
    where = os.path.abspath(os.fspath(path))
    if not os.path.isdir(where):
        raise EnvError(f"{os.fspath(path)}: no such directory")
    proc = _run_git(["rev-parse", "--show-toplevel", "--absolute-git-dir"], where, env=env)
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        if "not a git repository" in err:
            raise EnvError(f"{where} is not inside a git repository",
                           hint="run 'git init' first, or pass -C DIR")
        if "work tree" in err:
            raise EnvError("this is a bare repository; reviewkit needs a work tree")
        raise EnvError(f"git rev-parse failed: {err.splitlines()[-1] if err else proc.returncode}")
    lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) != 2:
        raise EnvError("this is a bare repository; reviewkit needs a work tree")
    return Repo(Path(lines[0]).resolve(), Path(lines[1]).resolve(), env)


def init_repo(path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> Repo:
    """``git init`` a new repository in the existing directory ``path`` and open it."""
    proc = _run_git(["init", "-q"], path, env=env)
    if proc.returncode != 0:
        raise GitCommandError(f"git init failed: {_stderr(proc)}", _stderr(proc))
    return open_repo(path, env)
