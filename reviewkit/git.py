"""The one module that talks to git.

GitPython finds the repository and reads its config; plumbing that moves many objects at
once (``ls-tree -r``, ``cat-file --batch``, a temporary index) runs as single subprocesses,
so cost grows with the number of objects, never with one process per object.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewkit.errors import EnvError, UsageError

ZERO = "0" * 40


class GitCommandError(EnvError):
    """A git command failed; ``stderr`` is kept for callers that need to look at it."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    type: str
    sha: str
    path: str


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for k in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(k, None)
    env["LC_ALL"] = "C"
    return env


class Repo:
    """A git work tree. Construct with :func:`open_repo`."""

    def __init__(self, root: Path, git_dir: Path) -> None:
        self.root = root
        self.git_dir = git_dir

    # -- running git ------------------------------------------------------------------------

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> bytes:
        """Run ``git ARGS`` in the work tree; EnvError (exit 3) on failure."""
        full_env = _clean_env()
        if env:
            full_env.update(env)
        try:
            proc = subprocess.run(
                ["git", *args], cwd=self.root, input=input, capture_output=True,
                env=full_env, check=False,
            )
        except FileNotFoundError:
            raise EnvError("git is not installed or not on PATH") from None
        if check and proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            first = err[-1] if err else f"exit status {proc.returncode}"
            raise GitCommandError(f"git {args[0]} failed: {first}", "\n".join(err))
        return proc.stdout

    def text(self, *args: str, **kw: object) -> str:
        return self.run(*args, **kw).decode("utf-8", "replace").strip()  # type: ignore[arg-type]

    # -- reading ----------------------------------------------------------------------------

    def remote_names(self) -> list[str]:
        """The configured remotes (GitPython reads them from the repository's config)."""
        import git as gitpython

        try:
            return [r.name for r in gitpython.Repo(self.root).remotes]
        except (gitpython.exc.GitError, OSError, ValueError):
            return []

    def config_get(self, key: str) -> str | None:
        out = self.run("config", "--get", key, check=False)
        value = out.decode("utf-8", "replace").strip()
        return value or None

    def rev_parse(self, rev: str) -> str | None:
        """The object id ``rev`` names, or None when it names nothing."""
        out = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", rev + "^{}"], cwd=self.root,
            capture_output=True, env=_clean_env(), check=False,
        )
        if out.returncode != 0:
            return None
        return out.stdout.decode().strip() or None

    def head(self) -> str | None:
        return self.rev_parse("HEAD")

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = subprocess.run(
            ["git", "merge-base", "--is-ancestor", ancestor, descendant], cwd=self.root,
            capture_output=True, env=_clean_env(), check=False,
        )
        if proc.returncode not in (0, 1):
            raise GitCommandError(
                f"git merge-base failed: {proc.stderr.decode('utf-8', 'replace').strip()}"
            )
        return proc.returncode == 0

    def ls_tree(self, treeish: str, paths: Sequence[str] = (), recursive: bool = True) -> list[TreeEntry]:
        """Entries of a tree (``ls-tree -r -z``): one process for the whole tree."""
        args = ["ls-tree", "-z", "--full-tree"]
        if recursive:
            args.append("-r")
        out = self.run(*args, treeish, "--", *paths)
        entries = []
        for rec in out.split(b"\0"):
            if not rec:
                continue
            meta, _, path = rec.partition(b"\t")
            mode, typ, sha = meta.decode().split(" ")
            entries.append(TreeEntry(mode, typ, sha, path.decode("utf-8", "surrogateescape")))
        return entries

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """Contents of many blobs with one ``cat-file --batch``."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch", input=("\n".join(wanted) + "\n").encode())
        result: dict[str, bytes] = {}
        pos = 0
        for sha in wanted:
            nl = out.index(b"\n", pos)
            header = out[pos:nl].decode()
            pos = nl + 1
            parts = header.split(" ")
            if len(parts) == 2 and parts[1] == "missing":
                raise EnvError(f"git object {sha} is missing from the repository")
            size = int(parts[2])
            result[sha] = out[pos : pos + size]
            pos += size + 1  # content is followed by a newline
        return result

    def show_file(self, rev: str, path: str) -> bytes | None:
        """A file's bytes at ``rev``, or None when it does not exist there."""
        proc = subprocess.run(
            ["git", "cat-file", "blob", f"{rev}:{path}"], cwd=self.root,
            capture_output=True, env=_clean_env(), check=False,
        )
        if proc.returncode != 0:
            if self.rev_parse(rev) is None:
                raise EnvError(f"git: '{rev}' does not name a commit in this repository")
            return None
        return proc.stdout

    def blob_at_head(self, path: str) -> str | None:
        entries = self.ls_tree("HEAD", [path], recursive=False) if self.head() else []
        return entries[0].sha if entries and entries[0].type == "blob" else None

    def is_clean(self, path: str) -> bool:
        """True when ``path`` has no staged or unstaged change against HEAD."""
        out = self.run("status", "--porcelain", "-z", "--", path)
        return not out.strip(b"\0")

    def has_commit(self, sha: str) -> bool:
        """True when the commit ``sha`` is in this repository (e.g. after ``git fetch``)."""
        return self.rev_parse(sha + "^{commit}") is not None

    def reachable_from_head(self, commits: Iterable[str]) -> set[str]:
        """Those of ``commits`` that are in HEAD's history (one ``rev-list``)."""
        wanted = set(commits)
        if not wanted or self.head() is None:
            return set()
        out = self.run("rev-list", "HEAD").decode("ascii", "replace").split()
        return wanted.intersection(out)

    def refs_containing(self, commit: str) -> list[str]:
        """Short names of local and remote-tracking branches that contain ``commit``."""
        out = self.run("for-each-ref", "--contains", commit, "--format=%(refname:short)",
                       "refs/heads", "refs/remotes", check=False)
        names = out.decode("utf-8", "replace").split()
        return [n for n in names if not n.endswith("/HEAD")]

    def blob_in(self, commit: str, path: str) -> str | None:
        """The blob id of ``path`` in ``commit``, or None when it is not a file there."""
        entries = self.ls_tree(commit, [path], recursive=False)
        return entries[0].sha if entries and entries[0].type == "blob" else None

    def default_upstream(self) -> str | None:
        """The full ref of the trusted base as this clone knows it: the default branch of
        ``origin`` (``refs/remotes/origin/HEAD``), else the current branch's upstream."""
        for args in (("symbolic-ref", "-q", "refs/remotes/origin/HEAD"),
                     ("rev-parse", "--symbolic-full-name", "@{upstream}")):
            out = self.run(*args, check=False).decode("utf-8", "replace").strip()
            if out.startswith("refs/remotes/") and self.rev_parse(out) is not None:
                return out
        return None

    # -- writing objects and refs -----------------------------------------------------------

    def hash_object(self, data: bytes) -> str:
        return self.text("hash-object", "-w", "--stdin", input=data)

    def tree_with(self, base: str | None, additions: Mapping[str, str]) -> str:
        """A new tree: ``base``'s tree plus ``additions`` (path → blob id), via a temp index."""
        for path in additions:
            # git update-index --index-info skips such paths with only a warning (exit 0)
            parts = path.split("/")
            if any(p in ("", ".", "..") or p.lower() == ".git" for p in parts) or any(
                    c in path for c in "\0\n\r\\"):
                raise GitCommandError(f"refusing to write a tree entry named {path!r}")
        if len(additions) == 1 and base:
            ((path, sha),) = additions.items()
            if path.count("/") == 1:
                return self._tree_with_one(base, path, sha)
        with tempfile.TemporaryDirectory(prefix="reviewkit-index-") as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
            if base:
                self.run("read-tree", base, env=env)
            else:
                self.run("read-tree", "--empty", env=env)
            lines = "".join(f"100644 {sha}\t{path}\n" for path, sha in additions.items())
            self.run("update-index", "--add", "--index-info", input=lines.encode(), env=env)
            return self.text("write-tree", env=env)

    def _mktree(self, entries: list[tuple[str, str, str, str]]) -> str:
        data = b"".join(f"{mode} {typ} {sha}\t{name}".encode("utf-8", "surrogateescape") + b"\0"
                        for mode, typ, sha, name in entries)
        return self.text("mktree", "-z", input=data)

    def _tree_with_one(self, base: str, path: str, sha: str) -> str:
        """One file added at ``dir/name``: rebuild only that directory and the root (two
        ``mktree`` calls), not an index of the whole tree — the cost of one append does not
        grow with the ledger."""
        dirname, name = path.split("/")
        root = [(e.mode, e.type, e.sha, e.path) for e in self.ls_tree(base, recursive=False)]
        sub = [(e.mode, e.type, e.sha, e.path.split("/", 1)[1])
               for e in self.ls_tree(base, [dirname + "/"], recursive=False)]
        sub = [e for e in sub if e[3] != name] + [("100644", "blob", sha, name)]
        subtree = self._mktree(sub)
        root = [e for e in root if e[3] != dirname] + [("040000", "tree", subtree, dirname)]
        return self._mktree(root)

    def commit_tree(self, tree: str, parents: Sequence[str], message: str, name: str, email: str) -> str:
        env = {
            "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
        }
        args = ["commit-tree", tree]
        for p in parents:
            args += ["-p", p]
        # commit.gpgSign would make git try to sign ledger commits with the user's tools.
        return self.text("-c", "commit.gpgsign=false", *args, "-m", message, env=env)

    def update_ref(self, ref: str, new: str, old: str | None, reason: str) -> bool:
        """Compare-and-swap ``ref`` from ``old`` (None: must not exist) to ``new``."""
        proc = subprocess.run(
            ["git", "update-ref", "-m", reason, ref, new, old or ZERO], cwd=self.root,
            capture_output=True, env=_clean_env(), check=False,
        )
        if proc.returncode == 0:
            return True
        err = proc.stderr.decode("utf-8", "replace")
        if "cannot lock ref" in err or "is at" in err or "but expected" in err or "reference already exists" in err:
            return False
        raise GitCommandError(f"git update-ref {ref} failed: {err.strip()}", err)

    # -- what a change touches (--changed-since) ----------------------------------------------

    def commit_of(self, rev: str, option: str = "--changed-since") -> str:
        """The one commit ``rev`` names; UsageError (exit 2) for a name that starts with
        '-', names nothing, or names more than one ref (a tag and a branch, say)."""
        if not rev or rev.startswith("-") or any(c in rev for c in "\0\n\r"):
            raise UsageError(f"{option} {rev!r}: not a revision name")
        wanted = {rev, f"refs/{rev}", f"refs/tags/{rev}", f"refs/heads/{rev}",
                  f"refs/remotes/{rev}", f"refs/remotes/{rev}/HEAD"}
        names = self.text("for-each-ref", "--format=%(refname)", *sorted(wanted)).splitlines()
        matches = sorted(n for n in names if n in wanted)
        if len(matches) > 1:
            raise UsageError(f"{option} {rev}: ambiguous, it names {', '.join(matches)}",
                             hint="pass the full ref name or the commit id")
        proc = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "--end-of-options",
             (matches[0] if matches else rev) + "^{commit}"],
            cwd=self.root, capture_output=True, env=_clean_env(), check=False,
        )
        sha = proc.stdout.decode().strip()
        if proc.returncode != 0 or not sha:
            raise UsageError(f"{option} {rev}: no such commit in this repository",
                             hint="fetch it first, e.g. git fetch origin main")
        return sha

    def changed_paths(self, rev: str) -> set[str]:
        """Paths that differ between the work tree and the merge base of ``rev`` and HEAD:
        what a pull request based on ``rev`` touches (renames as deletion + addition)."""
        base = self.commit_of(rev)
        head = self.head()
        if head is not None:
            merged = self.run("merge-base", base, head, check=False).decode().strip()
            base = merged or base  # unrelated histories: compare with rev itself
        out = self.run("diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", base, "--")
        untracked = self.run("ls-files", "-z", "--others", "--exclude-standard")
        return {p for p in (out + untracked).decode("utf-8", "surrogateescape").split("\0") if p}


def open_repo(path: str | os.PathLike[str] = ".") -> Repo:
    """The git work tree that contains ``path``; EnvError (exit 3) when there is none.

    One ``git rev-parse`` (a few milliseconds) rather than importing GitPython on every
    command: ``status``/``approve`` of one article must stay fast.
    """
    where = os.path.abspath(os.fspath(path))
    if not os.path.isdir(where):
        raise EnvError(f"{os.fspath(path)}: no such directory")
    try:
        proc = subprocess.run(["git", "rev-parse", "--show-toplevel", "--absolute-git-dir"],
                              cwd=where, capture_output=True, env=_clean_env(), check=False)
    except FileNotFoundError:
        raise EnvError("git is not installed or not on PATH") from None
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
    return Repo(Path(lines[0]).resolve(), Path(lines[1]).resolve())


def blob_id(data: bytes) -> str:
    """The git (SHA-1) blob id of ``data``, computed in-process."""
    import hashlib

    h = hashlib.sha1(f"blob {len(data)}\0".encode())
    h.update(data)
    return h.hexdigest()
