"""Time the append-only check of refs/reviewkit/events on a long history.

    python benchmarks/append_only.py [--events 30000] [--articles 1000] [--repeats 5]

Builds (with one ``git fast-import``) a throwaway repository whose events ref has one
commit per event, as ``reviewkit approve`` makes them, the events spread over
``--articles`` article directories, and a union merge every 500 commits; then times the cold check (one
``git log`` pass over the whole history, no remembered tip) and the incremental check
after one more event (only the new commit read). Event files are small JSON stand-ins:
the check reads no blob, only tree diffs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reviewkit.base.git import open_repo  # noqa: E402


def build(repo: Path, events: int, articles: int) -> None:
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    out: list[bytes] = []
    ref = b"refs/reviewkit/events"
    for i in range(1, events + 1):
        data = b'{"v":1,"n":%d}' % i
        out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (2 * i, len(data), data))
        article = b"01JDX3Q7G6M2N8P4R5S6T%05d" % (i % articles)
        name = b"%s/2026%06dT000000.000000Z-commented-jlee-%016x.json" % (article, i, i)
        out.append(b"commit %s\nmark :%d\ncommitter reviewkit <r@localhost> %d +0000\n"
                   b"data 6\nevent\n" % (ref, 2 * i + 1, 1_700_000_000 + i))
        if i > 1:
            out.append(b"from :%d\n" % (2 * i - 1))
            if i % 500 == 0 and i > 2:
                out.append(b"merge :%d\n" % (2 * i - 3))  # a union merge of an older tip
        out.append(b"M 100644 :%d %s\n\n" % (2 * i, name))
    out.append(b"done\n")
    subprocess.run(["git", "fast-import", "--quiet", "--done"], cwd=repo, input=b"".join(out),
                   check=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=30_000)
    ap.add_argument("--articles", type=int, default=1_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="reviewkit-append-only-") as tmp:
        path = Path(tmp) / "repo"
        t0 = time.perf_counter()
        build(path, args.events, args.articles)
        built = time.perf_counter() - t0
        repo = open_repo(path)
        tip = repo.rev_parse("refs/reviewkit/events")
        assert tip is not None
        commits = int(repo.text("rev-list", "--count", tip))
        cold = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            edits = repo.history_edits(tip)
            cold.append(time.perf_counter() - t)
            assert not edits, edits[:3]
        # one more event: only the new commit is read
        tree = repo.tree_with(tip, {"01JDX3Q7G6M2N8P4R5S6T00001/new.json": repo.hash_object(b"{}")})
        new = repo.commit_tree(tree, [tip], "one more", "r", "r@localhost")
        warm = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            assert not repo.history_edits(new, [tip])
            warm.append(time.perf_counter() - t)
        print(f"events ref: {args.events:,} events in {commits:,} commits, "
              f"{args.articles:,} article directories "
              f"(built in {built:.1f} s)")
        print(f"cold append-only check (whole history): median {statistics.median(cold) * 1000:.0f} ms")
        print(f"incremental check (one new commit):    median {statistics.median(warm) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
