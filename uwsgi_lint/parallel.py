"""Spreading a run's independent work over the cores (``--jobs``), with the results in the
order a single process would give them.

Worker processes are forked, so they start with everything the run has built so far
(the instances, the Emperors, the boundary and the budget) and nothing is sent to them but
indexes; what they send back is pickled.  Without ``fork`` (not Linux or macOS), for a
small batch, or with ``--jobs 1``, the work runs in this process.  Each worker keeps its
own copy of the run's session (:mod:`uwsgi_lint.session`): the limits of the budget hold
per process, so when the run-wide pool runs out, which files it stops (UW025) may depend
on the number of processes; every other finding does not.
"""

from __future__ import annotations

import multiprocessing
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
    if jobs <= 1 or count < MIN_BATCH or "fork" not in multiprocessing.get_all_start_methods():
        return [work(i) for i in range(count)]
    _work = work
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, count)) as pool:
            chunk = max(1, min(256, count // (jobs * 8)))
            return pool.map(_run, range(count), chunksize=chunk)
    finally:
        _work = None

