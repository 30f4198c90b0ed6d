"""`validate` on realistic articles, beside the Markdown linter people already run.

    python benchmarks/peer.py                    # N=10,000 realistic articles, 3 repeats
    python benchmarks/peer.py --articles 1000 --repeat 1

Times, on the realistic corpus shape (``make_corpus.py --shape realistic``: bodies of
2–12 KB with long lists, tables, links and citations), against the content floor
(``floor.py --content-only``):

* cold ``reviewkit validate`` (``.git/reviewkit/`` deleted before each run),
* warm ``reviewkit validate`` (run once before, nothing changed),
* markdownlint-cli2 (the peer) on the same files: ``markdownlint-cli2 "content/**/*.md"``
  from the corpus repository, with its default configuration (every markdownlint rule at
  its default settings; it skips the YAML front matter by itself). It is installed from npm,
  at the pinned version :data:`MARKDOWNLINT_CLI2`, into ``benchmarks/.peer/`` (git-ignored)
  on first use; where ``npm`` is absent its row is skipped with a note.

``benchmarks/run.py --peer`` runs the same rows after its own table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from make_corpus import generator_version  # noqa: E402
from run import (  # noqa: E402
    CORPUS_DIR,
    Op,
    measure,
    restore,
    reviewkit_cmd,
    run_op,
    table,
)

MARKDOWNLINT_CLI2 = "0.24.1"  # pinned: a new release may change its rules and its speed
PEER_DIR = HERE / ".peer"


def realistic_corpus(n: int, m: int, seed: int) -> tuple[Path, dict[str, object]]:
    """The realistic corpus of these parameters, generated on first use (cached)."""
    out = CORPUS_DIR / f"n{n}-m{m}-s{seed}-realistic-g{generator_version('realistic')}"
    manifest_path = out / "manifest.json"
    if not manifest_path.exists():
        print(f"corpus: generating realistic N={n:,} M={m:,} into {out} ...", flush=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--shape", "realistic",
                        "--articles", str(n), "--events", str(m), "--seed", str(seed),
                        "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
        print(f"corpus: generated in {time.perf_counter() - t0:.1f}s")
    return out, json.loads(manifest_path.read_text())


def markdownlint() -> tuple[list[str] | None, str]:
    """The peer's command, installing it on first use; (None, why) when it cannot be had."""
    binary = PEER_DIR / "node_modules" / ".bin" / "markdownlint-cli2"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            return None, "skipped: npm (or node) is not installed on this machine"
        PEER_DIR.mkdir(exist_ok=True)
        proc = subprocess.run([npm, "install", "--prefix", str(PEER_DIR), "--no-audit",
                               "--no-fund", "--silent", f"markdownlint-cli2@{MARKDOWNLINT_CLI2}"],
                              capture_output=True, text=True)
        if proc.returncode != 0 or not binary.exists():
            why = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
            return None, f"skipped: npm could not install markdownlint-cli2 ({why})"
    return [str(binary), "content/**/*.md"], f"markdownlint-cli2 {MARKDOWNLINT_CLI2}"


def suite(repo: Path, manifest: dict[str, object], repeat: int, env: dict[str, str],
          logs: Path) -> tuple[dict[str, Op], str]:
    """The realistic-corpus rows; the note says which peer ran (or why none did)."""
    rk = reviewkit_cmd()
    floor = [sys.executable, str(HERE / "floor.py"), str(repo), "--content-only"]
    cache = repo / ".git" / "reviewkit"

    def drop_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def warm(i: int) -> None:
        if i == 0:
            measure([*rk, "validate"], repo, env, logs / "warmup-validate-realistic.log")

    def no_target(t: float, r: float | None) -> bool | None:
        return None

    ops = [
        Op("validate_realistic", "cold `validate`, realistic articles", floor, [*rk, "validate"],
           "≤ 25× floor", lambda t, r: None if r is None else r <= 25, before_each=drop_cache),
        Op("validate_realistic_warm", "warm `validate`, realistic articles", floor,
           [*rk, "validate"], "—", no_target, before_repeat=warm),
    ]
    peer, note = markdownlint()
    if peer is not None:
        ops.append(Op("markdownlint", "markdownlint-cli2 (peer), same files", floor, peer, "—",
                      no_target))
    for op in ops:
        restore(repo, manifest)
        run_op(op, repeat, repo, env, logs)
    restore(repo, manifest)
    return {op.name: op for op in ops}, note


def summary(ops: dict[str, Op], note: str) -> list[str]:
    """The table plus the line comparing cold validate with the peer."""
    lines = table(ops)
    cold, peer = ops.get("validate_realistic"), ops.get("markdownlint")
    if cold is not None and peer is not None:
        lines.append("")
        lines.append(f"Peer: {note}. It takes {peer.rk_median() / cold.rk_median():.1f}× the wall "
                     "time of cold `validate` on the same files (target: ≥ 5×) and "
                     f"{peer.rk_cpu() / max(cold.rk_cpu(), 1e-9):.1f}× its CPU time.")
    else:
        lines += ["", f"Peer: {note}."]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=None, help="default: 3 per article")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    env = dict(os.environ, NO_COLOR="1", GIT_CONFIG_NOSYSTEM="1", LC_ALL="C.UTF-8")
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(var, None)
    out, manifest = realistic_corpus(args.articles, args.events or 3 * args.articles, args.seed)
    repo = out / "repo"
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="reviewkit-peer-") as tmp:
        logs = Path(tmp)
        measure([sys.executable, str(HERE / "floor.py"), str(repo)], repo, env, logs / "prime.log")
        print(f"realistic: N={args.articles:,}, {args.repeat} repeats")
        ops, note = suite(repo, manifest, args.repeat, env, logs)
    print()
    print("\n".join(summary(ops, note)))
    end = os.getloadavg()
    print(f"\nload average at start / end: {' '.join(f'{x:.2f}' for x in load)} / "
          f"{' '.join(f'{x:.2f}' for x in end)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
