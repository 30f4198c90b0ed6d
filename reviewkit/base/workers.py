"""Spreading CPU-bound work (parsing, signature checks) over worker processes.

Workers are forked, so they inherit the task's inputs without pickling them; only the
(small) results travel back. Where fork is unavailable, or the work is small, it runs in
this process. Results are identical either way: the work functions are pure.

Layer: base/ (imports only base/).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 200
MAX_PER_SLICE = 1000
_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def default_workers() -> int:
    """Two workers at most: measured to help on a cold gate; more only adds overhead."""
    env = os.environ.get("REVIEWKIT_WORKERS")
    if env and env.isdigit():
        return max(1, int(env))
    return max(1, min(2, os.cpu_count() or 1))


def _multiprocessing() -> Any:
    # imported only when there is work to spread: a one-article command never needs it
    import multiprocessing

    return multiprocessing


def _forks() -> bool:
    return "fork" in _multiprocessing().get_all_start_methods()


def _run_slice(bounds: tuple[int, int]) -> list[Any]:
    assert _TASK is not None
    fn, items = _TASK
    return [fn(items[i]) for i in range(*bounds)]


def parallel_map(fn: Callable[[T], R], items: Sequence[T], workers: int,
                 meanwhile: Callable[[], None] | None = None, *,
                 min_per_worker: int | None = None) -> list[R]:
    """``[fn(x) for x in items]``, in up to ``workers`` forked processes, each with at
    least ``min_per_worker`` items (default :data:`MIN_PER_WORKER`: fewer run here).

    ``meanwhile`` runs in this process while the workers work (after they are forked, so
    no thread is ever alive at a fork), or before the work when it runs here.
    """
    global _TASK
    n = len(items)
    workers = min(workers, n // (min_per_worker or MIN_PER_WORKER))
    if workers <= 1 or not _forks():
        if meanwhile is not None:
            meanwhile()
        return [fn(x) for x in items]
    # at least four slices per worker (balance), at most MAX_PER_SLICE items each: a
    # slice's results are held twice (list and pickle) until sent, so this bounds memory
    chunks = max(workers * 4, -(-n // MAX_PER_SLICE))
    step = -(-n // chunks)
    bounds = [(i, min(i + step, n)) for i in range(0, n, step)]
    _TASK = (fn, items)
    try:
        ctx = _multiprocessing().get_context("fork")
        with ctx.Pool(workers) as pool:
            pending = pool.map_async(_run_slice, bounds)
            if meanwhile is not None:
                meanwhile()
            parts = pending.get()
    finally:
        _TASK = None
    return [r for part in parts for r in part]


def parallel_iter(fn: Callable[[T], R], items: Sequence[T], workers: int,
                  chunk: int = 16) -> Generator[R, None, None]:
    """``fn(x)`` for each of ``items``, in order, yielded as they are ready: like
    :func:`parallel_map`, but the caller can handle (write, drop) each result before the
    next arrives instead of holding them all. Workers start at the first ``next()``;
    closing the iterator stops them."""
    global _TASK
    n = len(items)
    workers = min(workers, n // MIN_PER_WORKER)
    if workers <= 1 or not _forks():
        for x in items:
            yield fn(x)
        return
    bounds = [(i, min(i + chunk, n)) for i in range(0, n, chunk)]
    _TASK = (fn, items)
    try:
        ctx = _multiprocessing().get_context("fork")
        with ctx.Pool(workers) as pool:
            for part in pool.imap(_run_slice, bounds):
                yield from part
    finally:
        _TASK = None
