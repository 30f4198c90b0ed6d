"""The one module that talks to git.

GitPython finds the repository and reads its config; plumbing that moves many objects at
once (``ls-tree -r``, ``cat-file --batch``, a temporary index) runs as single subprocesses,
so cost grows with the number of objects, never with one process per object.
"""

from __future__ import annotations

import enum
import os
import re
import subprocess
import tempfile
import time
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


class RefUpdate(enum.Enum):
    """What a compare-and-swap of a ref came to. Only ``UPDATED`` is true."""

    UPDATED = "updated"
    MOVED = "moved"  # the ref was not at the expected value: lost the race, retry
    LOCKED = "locked"  # ``<ref>.lock`` exists: another git holds it, or one was killed

    def __bool__(self) -> bool:
        return self is RefUpdate.UPDATED


class RefLocked(EnvError):
    """A ref's ``.lock`` file stays in place: a git process was killed while holding it."""


@dataclass(frozen=True)
class ResolvedRef:
    """A user-given revision pinned: the one full ref it names (None for a commit id) and
    the commit it pointed to when resolved."""

    given: str
    full: str | None
    commit: str

    def describe(self) -> str:
        return f"{self.full} at {self.commit}" if self.full else f"commit {self.commit}"


@dataclass(frozen=True)
class HistoryEdit:
    """A commit whose tree lacks, or changes, a file one of its parents had."""

    commit: str
    path: str
    status: str  # D (removed), M (changed) or T (type changed)


_HEX_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_ABBREV_RE = re.compile(r"[0-9a-f]{7,63}")


def check_revision_text(value: str, what: str) -> None:
    """Refuse a user string that git would read as an option, or that is not a name."""
    if not value or value.startswith("-"):
        raise UsageError(f"{what} {value!r}: a ref or commit id cannot begin with '-'")
    if (any(c.isspace() or ord(c) < 32 or c in "\x7f~^:?*[\\" for c in value)
            or ".." in value or "@{" in value):
        raise UsageError(f"{what} {value!r}: name a ref (e.g. refs/remotes/origin/main) or a "
                         "commit id, not a revision expression")


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

    def resolve_ref(self, given: str, what: str = "ref") -> ResolvedRef:
        """Pin a user-given ref to exactly one full ref name (or a commit id) and its commit.

        A name that git would read as more than one ref (``origin/main`` as both a tag and
        a remote-tracking branch, say) is refused with the candidates listed, never
        resolved by git's precedence; a name beginning with '-' is refused (it would be an
        option). Revision expressions (``main~1``) are refused: name a ref or a commit.
        """
        check_revision_text(given, what)
        if _HEX_RE.fullmatch(given):
            commit = self.rev_parse(given + "^{commit}")
            if commit is None:
                raise EnvError(f"{what} {given}: no such commit in this repository",
                               hint="fetch it first")
            return ResolvedRef(given, None, commit)
        if given in ("HEAD", "FETCH_HEAD", "ORIG_HEAD"):
            commit = self.rev_parse(given + "^{commit}")
            if commit is None:
                raise EnvError(f"{what} {given}: does not name a commit here")
            return ResolvedRef(given, given, commit)
        # the places git's rev-parse looks for a name (gitrevisions(7)), in its order
        names = [f"refs/{given}", f"refs/tags/{given}", f"refs/heads/{given}",
                 f"refs/remotes/{given}", f"refs/remotes/{given}/HEAD"]
        if given.startswith("refs/"):
            names.insert(0, given)
        out = self.run("for-each-ref", "--format=%(refname)", *names)
        existing = set(out.decode("utf-8", "surrogateescape").splitlines())
        found = [n for n in names if n in existing]
        if len(found) > 1:
            raise UsageError(
                f"{what} {given} is ambiguous: it names {', '.join(found)}; "
                f"pass one of these full names (or a commit id)")
        if not found:
            if _ABBREV_RE.fullmatch(given):
                commit = self.rev_parse(given + "^{commit}")
                if commit is not None:
                    return ResolvedRef(given, None, commit)
            raise EnvError(f"{what} {given}: no such ref or commit",
                           hint="fetch it first, e.g. 'git fetch origin main'")
        commit = self.rev_parse(found[0] + "^{commit}")
        if commit is None:
            raise EnvError(f"{what} {given}: {found[0]} does not point to a commit")
        return ResolvedRef(given, found[0], commit)

    def history_edits(self, tip: str, exclude: Sequence[str] = (), limit: int = 10) -> list[HistoryEdit]:
        """Commits reachable from ``tip`` (not from ``exclude``) whose tree removes or
        changes a file of one of their parents, every parent of a merge included.

        One ``git log`` over the whole range however long (no process per commit): the
        raw diff of each commit against each parent, filtered to deletions and changes.
        """
        for rev in (tip, *exclude):
            if not _HEX_RE.fullmatch(rev):
                raise ValueError(f"history_edits takes commit ids, not {rev!r}")
        args = ["log", "--raw", "-r", "--no-renames", "--diff-merges=separate",
                "--diff-filter=DMT", "-z", "--format=%x01%H", tip,
                *[f"^{x}" for x in exclude], "--"]
        found: list[HistoryEdit] = []
        with subprocess.Popen(["git", *args], cwd=self.root, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=_clean_env()) as proc:
            assert proc.stdout is not None and proc.stderr is not None
            data = proc.stdout.read()  # empty for an append-only history
            err = proc.stderr.read()
            code = proc.wait()
        if code != 0:
            raise GitCommandError(
                f"git log failed: {err.decode('utf-8', 'replace').strip()[-300:]}")
        for chunk in data.split(b"\x01"):
            if not chunk:
                continue
            fields = chunk.split(b"\0")
            commit = fields[0].decode().strip()
            for meta, path in zip(fields[1::2], fields[2::2], strict=False):
                status = meta.decode("utf-8", "replace").strip().rsplit(" ", 1)[-1][:1]
                if status in ("D", "M", "T"):
                    found.append(HistoryEdit(commit, path.decode("utf-8", "surrogateescape"),
                                             status))
                    if len(found) >= limit:
                        return found
        if not found and data.strip(b"\x01\0\n"):
            # git printed a deletion or change (the filter shows nothing else) that did not
            # parse: still a history that is not append-only, never a pass
            first = data.strip(b"\x01").split(b"\0", 1)[0].decode("utf-8", "replace")
            found.append(HistoryEdit(first.strip()[:40] or "?", "(unreadable path)", "M"))
        return found

    def blob_sizes(self, shas: Iterable[str]) -> dict[str, int | None]:
        """Sizes of objects (None: missing, or not a blob) with one ``cat-file --batch-check``:
        nothing is read."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)",
                       input=("\n".join(wanted) + "\n").encode())
        lines = out.decode("utf-8", "replace").splitlines()
        if len(lines) != len(wanted):
            raise EnvError("git cat-file --batch-check answered for fewer objects than asked")
        sizes: dict[str, int | None] = {}
        for sha, line in zip(wanted, lines, strict=True):
            parts = line.split(" ")
            sizes[sha] = int(parts[2]) if len(parts) == 3 and parts[1] == "blob" else None
        return sizes

    def read_blobs(self, shas: Iterable[str], max_size: int | None = None) -> dict[str, bytes]:
        """Contents of many blobs with one ``cat-file --batch``.

        With ``max_size``, sizes are asked first (``--batch-check``) and a blob larger than
        that is never read: it is left out of the result, so memory stays bounded by
        ``max_size`` per blob whatever the repository holds.
        """
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        if max_size is not None:
            sizes = self.blob_sizes(wanted)
            for sha in wanted:
                if sizes[sha] is None:
                    raise EnvError(f"git object {sha} is missing from the repository")
            wanted = [sha for sha in wanted if (sizes[sha] or 0) <= max_size]
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

    def read_present_blobs(self, shas: Iterable[str], limit: int) -> dict[str, bytes]:
        """Blobs that exist and are at most ``limit`` bytes (others left out), reading
        sizes first (``--batch-check``) so nothing larger is ever read."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)",
                       input=("\n".join(wanted) + "\n").encode())
        fit = []
        for line in out.decode("utf-8", "replace").splitlines():
            parts = line.split(" ")
            if len(parts) == 3 and parts[1] == "blob" and int(parts[2]) <= limit:
                fit.append(parts[0])
        return self.read_blobs(fit)

    def file_history(self, path: str, max_commits: int) -> list[tuple[str, str]]:
        """(commit, blob) of ``path`` in the newest ``max_commits`` commits of HEAD's
        history that changed it: one ``git log --raw`` process."""
        if self.head() is None:
            return []
        out = self.run("log", "--format=%H", "--raw", "--no-abbrev", "--no-renames",
                       f"--max-count={max_commits}", "HEAD", "--", path)
        found: list[tuple[str, str]] = []
        commit = ""
        for line in out.decode("utf-8", "surrogateescape").splitlines():
            if line.startswith(":"):
                fields = line.split("\t", 1)[0].split(" ")
                if len(fields) >= 4 and fields[3] != ZERO and commit:
                    found.append((commit, fields[3]))
            elif line.strip():
                commit = line.strip()
        return found

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

    def update_ref(self, ref: str, new: str, old: str | None, reason: str) -> RefUpdate:
        """Compare-and-swap ``ref`` from ``old`` (None: must not exist) to ``new``.

        ``MOVED`` when the ref was not at ``old`` (a lost race), ``LOCKED`` when its lock
        file exists (another git holds it, or was killed holding it: see
        :meth:`lock_age`); any other failure raises.
        """
        proc = subprocess.run(
            ["git", "update-ref", "-m", reason, ref, new, old or ZERO], cwd=self.root,
            capture_output=True, env=_clean_env(), check=False,
        )
        if proc.returncode == 0:
            return RefUpdate.UPDATED
        err = proc.stderr.decode("utf-8", "replace")
        if ".lock" in err and "File exists" in err:
            return RefUpdate.LOCKED
        if "cannot lock ref" in err or "is at" in err or "but expected" in err or "reference already exists" in err:
            return RefUpdate.MOVED
        raise GitCommandError(f"git update-ref {ref} failed: {err.strip()}", err)

    def lock_path(self, ref: str) -> Path:
        """The lock file git creates while it updates ``ref`` (in the common git directory
        of a linked work tree)."""
        out = self.text("rev-parse", "--git-path", ref + ".lock")
        return Path(out) if os.path.isabs(out) else self.root / out

    def lock_age(self, ref: str) -> float | None:
        """Seconds since ``ref``'s lock file was made; None when there is none."""
        try:
            return max(0.0, time.time() - self.lock_path(ref).stat().st_mtime)
        except OSError:
            return None

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
