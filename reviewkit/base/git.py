"""The one module that talks to git.

Callers speak in named operations (:meth:`Repo.fetch_ref`, :meth:`Repo.push_ref`,
:meth:`Repo.update_ref`, :meth:`Repo.paths_changed_between`, ...); no other module builds a
git command line or reads git's messages. Every process goes through :func:`_run_git`, which
turns a missing git into EnvError (exit 3). Plumbing that moves many objects at once
(``ls-tree -r``, ``cat-file --batch``, a temporary index) runs as single subprocesses, so
cost grows with the number of objects, never with one process per object.

Where git's exit status does not say enough (a declined push, a stale lock, a missing
remote ref), its stderr is matched; that relies on ``LC_ALL=C`` (set by :func:`_clean_env`)
so the messages are git's untranslated English ones.

Layer: base/ (imports only base/).
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

from reviewkit.base.errors import EnvError, UsageError

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


class PushRejected(GitCommandError):
    """The remote refused a push because its ref moved (not a fast-forward): fetch,
    merge and try again."""


class PushDeclined(GitCommandError):
    """A hook or a forge rule on the remote refused a push: retrying cannot help.
    ``said`` holds the remote's own ``remote:`` lines."""

    def __init__(self, message: str, stderr: str = "", said: Sequence[str] = ()) -> None:
        super().__init__(message, stderr)
        self.said = list(said)


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


class Repo:
    """A git work tree. Construct with :func:`open_repo`.

    ``env``: variables added to every git process of this repository (the demo's own
    ``GIT_CONFIG_GLOBAL``, say); the process environment itself is never changed.
    """

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

        For this module's operations: other modules call the named operations below."""
        proc = self._proc(*args, input=input, env=env)
        if check and proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            first = err[-1] if err else f"exit status {proc.returncode}"
            raise GitCommandError(f"git {args[0]} failed: {first}", "\n".join(err))
        return proc.stdout

    def text(self, *args: str, **kw: object) -> str:
        return self.run(*args, **kw).decode("utf-8", "replace").strip()  # type: ignore[arg-type]

    # -- reading ----------------------------------------------------------------------------

    def remote_names(self) -> list[str]:
        """The configured remotes (``git remote``); empty when none can be read."""
        proc = self._proc("remote")
        if proc.returncode != 0:
            return []
        return proc.stdout.decode("utf-8", "surrogateescape").split()

    def config_get(self, key: str) -> str | None:
        out = self.run("config", "--get", key, check=False)
        value = out.decode("utf-8", "replace").strip()
        return value or None

    def rev_parse(self, rev: str) -> str | None:
        """The object id ``rev`` names, or None when it names nothing."""
        out = self._proc("rev-parse", "--verify", "--quiet", rev + "^{}")
        if out.returncode != 0:
            return None
        return out.stdout.decode().strip() or None

    def head(self) -> str | None:
        return self.rev_parse("HEAD")

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = self._proc("merge-base", "--is-ancestor", ancestor, descendant)
        if proc.returncode not in (0, 1):
            raise GitCommandError(f"git merge-base failed: {_stderr(proc)}")
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
        proc = self._proc(*args)
        data = proc.stdout  # empty for an append-only history
        if proc.returncode != 0:
            raise GitCommandError(f"git log failed: {_stderr(proc)[-300:]}")
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
        proc = self._proc("cat-file", "blob", f"{rev}:{path}")
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

    def commit_all(self, message: str) -> str:
        """Stage every change of the work tree (``add -A``) and commit it; the new commit id."""
        self.run("add", "-A")
        self.run("commit", "-q", "-m", message)
        return self.text("rev-parse", "HEAD")

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
        proc = self._proc("update-ref", "-m", reason, ref, new, old or ZERO)
        if proc.returncode == 0:
            return RefUpdate.UPDATED
        err = proc.stderr.decode("utf-8", "replace")
        # git's English messages (LC_ALL=C): "Unable to create '….lock': File exists",
        # "cannot lock ref …: is at … but expected …", "reference already exists"
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
        proc = self._proc("rev-parse", "--verify", "--quiet", "--end-of-options",
                          (matches[0] if matches else rev) + "^{commit}")
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

    def paths_changed_between(self, old: str, new: str) -> set[str]:
        """Paths added, changed or retyped (not removed) from commit ``old`` to ``new``:
        one ``diff-tree``, renames as additions."""
        out = self.run("diff-tree", "-r", "-z", "--no-renames", "--diff-filter=AMT",
                       "--name-only", old, new)
        return {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}

    # -- remotes ----------------------------------------------------------------------------

    def fetch_ref(self, remote: str, ref: str) -> str | None:
        """Fetch ``remote``'s ``ref`` into FETCH_HEAD only (no local ref moves) and return
        the commit fetched; None when the remote has no such ref. GitCommandError (exit 3)
        when the fetch fails otherwise (no network, no such remote)."""
        proc = self._proc("fetch", "--no-tags", remote, ref)
        if proc.returncode != 0:
            err = _stderr(proc)
            low = err.lower()
            # LC_ALL=C: git's "fatal: couldn't find remote ref refs/…"
            if "couldn't find remote ref" in low or "could not find remote ref" in low:
                return None
            lines = err.splitlines()
            raise GitCommandError(
                f"git fetch failed: {lines[-1] if lines else proc.returncode}", err)
        fetched = self.rev_parse("FETCH_HEAD^{commit}")
        if fetched is None:
            raise EnvError(f"could not read what was fetched from '{remote}' (FETCH_HEAD)")
        return fetched

    def push_ref(self, remote: str, ref: str) -> None:
        """Push local ``ref`` to the same name on ``remote``, never forced, hooks skipped.

        PushRejected when the remote's ref moved (fetch, merge, retry), PushDeclined when
        a hook or forge rule refused it, GitCommandError for any other failure."""
        proc = self._proc("push", "--quiet", "--no-verify", remote, f"{ref}:{ref}")
        if proc.returncode == 0:
            return
        err = _stderr(proc)
        low = err.lower()
        lines = err.splitlines()
        first = lines[-1] if lines else f"exit status {proc.returncode}"
        # LC_ALL=C: "! [remote rejected] … (pre-receive hook declined)", "… (non-fast-forward)",
        # "… (fetch first)"
        if "declined" in low:
            said = [ln.removeprefix("remote:").strip() for ln in lines
                    if ln.startswith("remote:") and ln.removeprefix("remote:").strip()]
            raise PushDeclined(f"git push failed: {first}", err, said)
        if "non-fast-forward" in low or "fetch first" in low or "rejected" in low:
            raise PushRejected(f"git push failed: {first}", err)
        raise GitCommandError(f"git push failed: {first}", err)


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


def blob_id(data: bytes) -> str:
    """The git (SHA-1) blob id of ``data``, computed in-process."""
    import hashlib

    h = hashlib.sha1(f"blob {len(data)}\0".encode())
    h.update(data)
    return h.hexdigest()
