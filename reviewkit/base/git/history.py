"""Reading history: whether a history only appends (:meth:`History.history_edits`), a
file's past versions, which commits and branches contain what, and what a change touches
(``--changed-since``). Each is one git process however long the history.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reviewkit.base.errors import UsageError
from reviewkit.base.git.process import _HEX_RE, ZERO, GitCommandError, GitProcess, _stderr


@dataclass(frozen=True)
class HistoryEdit:
    """A commit whose tree lacks, or changes, a file one of its parents had."""

    commit: str
    path: str
    status: str  # D (removed), M (changed) or T (type changed)


class History(GitProcess):
    """Questions about commits and what they changed."""

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = self._proc("merge-base", "--is-ancestor", ancestor, descendant)
        if proc.returncode not in (0, 1):
            raise GitCommandError(f"git merge-base failed: {_stderr(proc)}")
        return proc.returncode == 0

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
