"""Refs: a user-given ref pinned to one full name, compare-and-swap updates that tell a lost
race from a stale lock, and fetching and pushing one ref.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import enum
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewkit.base.errors import EnvError, UsageError
from reviewkit.base.git.process import _HEX_RE, ZERO, GitCommandError, GitProcess, _stderr


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


_ABBREV_RE = re.compile(r"[0-9a-f]{7,63}")


def check_revision_text(value: str, what: str) -> None:
    """Refuse a user string that git would read as an option, or that is not a name."""
    if not value or value.startswith("-"):
        raise UsageError(f"{what} {value!r}: a ref or commit id cannot begin with '-'")
    if (any(c.isspace() or ord(c) < 32 or c in "\x7f~^:?*[\\" for c in value)
            or ".." in value or "@{" in value):
        raise UsageError(f"{what} {value!r}: name a ref (e.g. refs/remotes/origin/main) or a "
                         "commit id, not a revision expression")


class Refs(GitProcess):
    """Resolving, updating, fetching and pushing refs."""

    def remote_names(self) -> list[str]:
        """The configured remotes (``git remote``); empty when none can be read."""
        proc = self._proc("remote")
        if proc.returncode != 0:
            return []
        return proc.stdout.decode("utf-8", "surrogateescape").split()

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

    def default_upstream(self) -> str | None:
        """The full ref of the trusted base as this clone knows it: the default branch of
        ``origin`` (``refs/remotes/origin/HEAD``), else the current branch's upstream."""
        for args in (("symbolic-ref", "-q", "refs/remotes/origin/HEAD"),
                     ("rev-parse", "--symbolic-full-name", "@{upstream}")):
            out = self.run(*args, check=False).decode("utf-8", "replace").strip()
            if out.startswith("refs/remotes/") and self.rev_parse(out) is not None:
                return out
        return None

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
