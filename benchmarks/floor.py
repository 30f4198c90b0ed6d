"""The floor: only the unavoidable I/O for the work a reviewkit command does.

    python benchmarks/floor.py REPO                      # gate: content + every event
    python benchmarks/floor.py REPO --history            # cold gate: + the events history
    python benchmarks/floor.py REPO --content-only       # validate: content only
    python benchmarks/floor.py REPO --article PATH       # status of one article
    python benchmarks/floor.py REPO --article PATH --sign KEY   # approve of one article
    python benchmarks/floor.py REPO --write DIR          # the gate's reads + write the sources
    python benchmarks/floor.py REPO --write DIR --like BUNDLE   # publish: + write BUNDLE's bytes

Content: ``git ls-files -s`` (paths and blob ids), read every file, SHA-256 it. Events:
``git ls-tree -r refs/reviewkit/events`` and one ``git cat-file --batch`` for all the event
blobs, ``json.loads`` of each. ``--history`` adds what the append-only check must read on a
cold run: one ``git log --raw`` of the events history showing removed or changed files (the
check itself, without reviewkit). For one article: read and hash its file, list and read
only its event directory (``<shard>/<id>/``, reviewkit/base/layout.py). ``--sign`` adds what
an approval must do at least: one ``ssh-keygen -Y sign`` and writing one event (blob, the
article's directory, its shard, the root tree, a commit, a compare-and-swap
``update-ref``). The ref is restored by the caller. ``--like BUNDLE`` (publish) writes,
instead of the sources, the very files of a bundle ``publish`` made (same paths, same
bytes): read what the gate reads, write what publish writes.

Prints one line of counts (so the work cannot be optimised away) and nothing else.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

EVENTS_REF = "refs/reviewkit/events"


def git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, input=input, check=True,
                          capture_output=True).stdout


def read_blobs(repo: Path, shas: list[str]) -> list[bytes]:
    if not shas:
        return []
    out = git(repo, "cat-file", "--batch", input=("\n".join(shas) + "\n").encode())
    blobs, pos = [], 0
    for _ in shas:
        nl = out.index(b"\n", pos)
        size = int(out[pos:nl].split(b" ")[2])
        pos = nl + 1
        blobs.append(out[pos:pos + size])
        pos += size + 1
    return blobs


def content(repo: Path, roots: list[str], write: Path | None = None) -> tuple[int, int]:
    """Read and hash every file; with ``write``, also write the same bytes under it (one
    file per article, as a bundle does)."""
    if write is not None:
        import shutil

        shutil.rmtree(write, ignore_errors=True)
        write.mkdir(parents=True)
    out = git(repo, "ls-files", "-s", "-z", "--", *roots)
    n = nbytes = 0
    for rec in out.split(b"\0"):
        if not rec:
            continue
        meta, _, path = rec.partition(b"\t")
        with open(repo / os.fsdecode(path), "rb") as fh:
            data = fh.read()
        hashlib.sha256(data).digest()
        if write is not None:
            with open(write / f"{n}-{os.path.basename(os.fsdecode(path))}", "wb") as fh:
                fh.write(data)
        n += 1
        nbytes += len(data)
    return n, nbytes


def write_like(bundle: Path, write: Path) -> tuple[int, int]:
    """Write a copy of every file under ``bundle`` to ``write`` (same relative paths)."""
    import shutil

    shutil.rmtree(write, ignore_errors=True)
    n = nbytes = 0
    for folder, _, names in os.walk(bundle):
        dest = write / os.path.relpath(folder, bundle)
        dest.mkdir(parents=True, exist_ok=True)
        for name in names:
            with open(os.path.join(folder, name), "rb") as fh:
                data = fh.read()
            with open(dest / name, "wb") as fh:
                fh.write(data)
            n += 1
            nbytes += len(data)
    return n, nbytes


def events(repo: Path, under: str | None = None) -> int:
    args = ["ls-tree", "-r", "-z", EVENTS_REF]
    if under:
        args += ["--", under]
    out = git(repo, *args)
    shas = [rec.split(b"\t")[0].split(b" ")[2].decode() for rec in out.split(b"\0") if rec]
    for data in read_blobs(repo, shas):
        json.loads(data)
    return len(shas)


def shard(aid: str) -> str:
    return hashlib.sha256(aid.encode()).hexdigest()[:2]


def history(repo: Path) -> int:
    out = git(repo, "log", "--raw", "-r", "--no-renames", "--diff-merges=separate",
              "--diff-filter=DMT", "-z", "--format=%x01%H", EVENTS_REF, "--")
    return out.count(b"\x01")


def article_id(data: bytes) -> str:
    for line in data.decode("utf-8").split("\n")[1:]:
        if line.startswith("id:"):
            return line[3:].strip().strip('"')
    raise SystemExit("no id in front matter")


def sign_and_append(repo: Path, aid: str, key: str, payload: bytes) -> None:
    sig = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "reviewkit", "-f", key],
                         input=payload, capture_output=True, check=True).stdout
    event = json.dumps({"payload": payload.decode(), "sig": sig.decode()}).encode()
    blob = git(repo, "hash-object", "-w", "--stdin", input=event).decode().strip()
    old = git(repo, "rev-parse", EVENTS_REF).decode().strip()
    top = shard(aid)
    sub = git(repo, "ls-tree", "-z", f"{EVENTS_REF}:{top}/{aid}")
    sub += f"100644 blob {blob}\tfloor-{os.getpid()}.json\0".encode()
    subtree = git(repo, "mktree", "-z", input=sub).decode().strip()
    mid = [rec for rec in git(repo, "ls-tree", "-z", f"{EVENTS_REF}:{top}").split(b"\0")
           if rec and not rec.endswith(b"\t" + aid.encode())]
    mid.append(f"040000 tree {subtree}\t{aid}".encode())
    midtree = git(repo, "mktree", "-z", input=b"\0".join(mid) + b"\0").decode().strip()
    root = [rec for rec in git(repo, "ls-tree", "-z", EVENTS_REF).split(b"\0")
            if rec and not rec.endswith(b"\t" + top.encode())]
    root.append(f"040000 tree {midtree}\t{top}".encode())
    tree = git(repo, "mktree", "-z", input=b"\0".join(root) + b"\0").decode().strip()
    commit = git(repo, "commit-tree", tree, "-p", old, "-m", "floor").decode().strip()
    git(repo, "update-ref", EVENTS_REF, commit, old)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("repo", type=Path)
    ap.add_argument("--content-only", action="store_true")
    ap.add_argument("--article")
    ap.add_argument("--sign", metavar="KEY")
    ap.add_argument("--roots", default="content/articles")
    ap.add_argument("--write", type=Path, metavar="DIR")
    ap.add_argument("--like", type=Path, metavar="BUNDLE")
    ap.add_argument("--history", action="store_true")
    args = ap.parse_args(argv)
    repo = args.repo.resolve()
    if args.article:
        data = (repo / args.article).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        aid = article_id(data)
        n_ev = events(repo, f"{shard(aid)}/{aid}/")
        if args.history:
            history(repo)
        if args.sign:
            sign_and_append(repo, aid, args.sign, f'{{"digest":"{digest}"}}'.encode())
        print(f"1 file, {len(data)} bytes, {n_ev} events")
        return 0
    n, nbytes = content(repo, args.roots.split(","), None if args.like else args.write)
    n_ev = 0 if args.content_only else events(repo)
    edits = history(repo) if args.history else 0
    print(f"{n} files, {nbytes} bytes, {n_ev} events, {edits} history edits")
    if args.like and args.write:
        n, nbytes = write_like(args.like, args.write)
        print(f"wrote {n} files, {nbytes} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
