"""Git objects: trees listed and blobs read in batches (one ``ls-tree -r``, one
``cat-file --batch`` however many objects), and blobs, trees and commits written.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from reviewkit.base.errors import EnvError
from reviewkit.base.git.process import _HEX_RE, GitCommandError, GitProcess


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    type: str
    sha: str
    path: str


class ObjectStore(GitProcess):
    """Reading and writing git objects."""

    def ls_tree(self, treeish: str, paths: Sequence[str] = (), recursive: bool = True,
                trees: bool = False) -> list[TreeEntry]:
        """Entries of a tree (``ls-tree -r -z``): one process for the whole tree. ``trees``:
        the directories too, each before what is in it (``-t``)."""
        args = ["ls-tree", "-z", "--full-tree"]
        if recursive:
            args.append("-r")
        if trees:
            args.append("-t")
        out = self.run(*args, treeish, "--", *paths)
        entries = []
        kinds: dict[str, tuple[str, str]] = {}  # one copy of each (mode, type): 300,000 events
        for rec in out.split(b"\0"):
            if not rec:
                continue
            meta, _, path = rec.partition(b"\t")
            kind, _, sha = meta.decode().rpartition(" ")
            if kind not in kinds:
                m, t = kind.split(" ")
                kinds[kind] = (m, t)
            mode, typ = kinds[kind]
            entries.append(TreeEntry(mode, typ, sha, path.decode("utf-8", "surrogateescape")))
        return entries

    def file_paths(self, treeish: str, paths: Sequence[str] = ()) -> list[str]:
        """The paths of the files (blobs) under ``paths`` in ``treeish``: one ``ls-tree
        -r``, read as names only (a catalogue of 100,000 articles makes no entry objects)."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", treeish, "--", *paths)
        found = []
        for rec in out.split(b"\0"):
            meta, _, path = rec.partition(b"\t")
            if meta.split(b" ", 2)[1:2] == [b"blob"]:
                found.append(path.decode("utf-8", "surrogateescape"))
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

    def present_commits(self, shas: Iterable[str]) -> set[str]:
        """Those of ``shas`` (full commit ids) that are commits in this repository: one
        ``cat-file --batch-check`` for all of them. Anything not a full id is left out."""
        wanted = [s for s in dict.fromkeys(shas) if _HEX_RE.fullmatch(s)]
        if not wanted:
            return set()
        out = self.run("cat-file", "--batch-check=%(objectname) %(objecttype)",
                       input=("\n".join(wanted) + "\n").encode())
        found = set()
        for line in out.decode("ascii", "replace").splitlines():
            parts = line.split(" ")
            if len(parts) == 2 and parts[1] == "commit":
                found.add(parts[0])
        return found & set(wanted)

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

    def blob_in(self, commit: str, path: str) -> str | None:
        """The blob id of ``path`` in ``commit``, or None when it is not a file there."""
        entries = self.ls_tree(commit, [path], recursive=False)
        return entries[0].sha if entries and entries[0].type == "blob" else None

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
            if "/" in path:
                return self._tree_with_one(base, path, sha)
        import tempfile  # here: tempfile and shutil are 8 ms of every command's start-up

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
        """One file added at ``top/…/name``: rebuild only the directories on its way, from
        one listing of ``top``, and the root (a ``mktree`` each), not an index of the whole
        tree — the cost of one append does not grow with the ledger."""
        parts = path.split("/")
        dirname = parts[0]
        children: dict[str, list[tuple[str, str, str, str]]] = {}
        for e in self.ls_tree(base, [dirname + "/"], trees=True):
            parent, _, name = e.path.rpartition("/")
            children.setdefault(parent, []).append((e.mode, e.type, e.sha, name))
        mode, typ, subtree = "100644", "blob", sha
        for depth in range(len(parts) - 1, 0, -1):  # the innermost directory first
            name = parts[depth]
            sub = [e for e in children.get("/".join(parts[:depth]), []) if e[3] != name]
            subtree = self._mktree([*sub, (mode, typ, subtree, name)])
            mode, typ = "040000", "tree"
        # the root's records go back to mktree as git wrote them (bytes, not parsed; a
        # ledger of the first layout has one per article), all but the one replaced
        own = dirname.encode("utf-8", "surrogateescape")
        records = [r for r in self.run("ls-tree", "-z", "--full-tree", base).split(b"\0")
                   if r and (not r.endswith(own) or r.partition(b"\t")[2] != own)]
        records.append(f"040000 tree {subtree}\t".encode() + own)
        return self.text("mktree", "-z", input=b"\0".join(records) + b"\0")

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


def blob_id(data: bytes) -> str:
    """The git (SHA-1) blob id of ``data``, computed in-process."""
    import hashlib

    h = hashlib.sha1(f"blob {len(data)}\0".encode())
    h.update(data)
    return h.hexdigest()
