"""Spreading the checking of a run's instances over the cores (``--jobs``), with the
results in the order a single process gives them.

The files are read and expanded in the main process (sending whole instances back from
workers costs a third of reading them: measured on the bench tree); then worker processes
are forked, so they start with every instance, Emperor and View the run has built, get
only indexes, and send back the findings (small, pickled).  Without ``fork`` (not Linux
or macOS), for a small batch, or with ``--jobs 1``, the work runs in this process.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

MIN_BATCH = 64  # fewer items than this are not worth the start of worker processes
_work: Callable[[int], object] | None = None  # the function a forked worker runs


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _run(index: int) -> Any:
    assert _work is not None
    return _work(index)


def map_indexes(work: Callable[[int], T], count: int, jobs: int) -> list[T]:
    """``[work(0), ..., work(count - 1)]``, computed by up to ``jobs`` forked processes
    when that is worth it.  ``work`` must not raise (contain failures in its result)."""
    global _work
    if jobs <= 1 or count < MIN_BATCH:
        return [work(i) for i in range(count)]
    import multiprocessing  # not imported by a small run

    if "fork" not in multiprocessing.get_all_start_methods():
        return [work(i) for i in range(count)]
    _work = work
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, count)) as pool:
            chunk = max(1, min(256, count // (jobs * 8)))
            return pool.map(_run, range(count), chunksize=chunk)
    finally:
        _work = None

