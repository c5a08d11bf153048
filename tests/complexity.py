"""Complexity guards for tests: how the time of an operation grows with its input.

The project's rule is that tests never assert a wall-clock time: a busy machine fails
them, a fast one hides a regression, and speed is measured by the benchmarks under
``bench/``, which only print figures.  A test that guards against quadratic or
exponential behaviour instead times, in one process, the same operation on an input of
size ``n`` and of size ``4 * n`` and bounds the *ratio*::

    def case(n: int) -> Callable[[], object]:
        text = "uwsgi:\\n  a: " + "x" * n  # built here, outside the timing
        return lambda: parse(text)

    assert growth(case, 500_000) < LINEAR

A linear operation takes about 4 times as long on 4 times the input (n log n a little
more), a quadratic one about 16 times, an exponential one far more; :data:`LINEAR` lies
halfway between, on a log scale.  The input is quadrupled rather than doubled because
that separates the two far better: a doubling gives 2 against 4, and a run's fixed cost,
cache and allocator effects move measured ratios by a good part of that gap.

Time is this process's CPU time (:func:`time.process_time`), not wall-clock time: on a
busy machine other processes hold the CPU for part of a run, which wall-clock time
counts and CPU time does not (on 2 cores with 2 busy loops alongside, wall-clock ratios
of a linear operation ranged from 3.3 to 19.6, CPU-time ratios from 3.7 to 4.3).  So
the guards do not see work done in subprocesses or time spent blocked; a test about a
hang must assert what was (not) done instead.  Both sizes are timed ``repeats`` times,
alternately (so that a burst of load hits both alike), and the fastest run of each
counts: noise only ever adds time, so the minimum is the best estimate of the
operation's own cost.  The garbage collector is paused during a timed run, as
:mod:`timeit` does, and a run shorter than :data:`MIN_SECONDS` is repeated in a loop,
the same number of times at both sizes.  Before each timed run the garbage of the
previous one is collected; what is alive once both inputs are built is frozen
(:func:`gc.freeze`) until :func:`growth` returns, so that this collection does not walk
the whole heap of the test process each time (in a pytest worker that took about 0.1 s
per run, more than the timed runs of a quick operation).

Choose ``n`` so that one run at size ``n`` takes roughly 10-50 ms, or at least so that
the work that grows with ``n`` outweighs the run's fixed cost.  Avoid sizes that
straddle a memory threshold: buffers above glibc malloc's mmap threshold (128 KiB by
default) are handed back to the system after each run and page-faulted in again on the
next, so parsing 200 000 characters can cost a third of parsing 400 000; keep both sizes
well above it (or below).
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable

FACTOR = 4
"""How much larger the second input of :func:`growth` is than the first."""

LINEAR = 8.0
"""Bound on :func:`growth` for an operation that must stay linear (or n log n): a linear
one measures about 4, a quadratic one about 16."""

MIN_SECONDS = 0.02
"""Shortest timed run (CPU seconds): a quicker operation is repeated in a loop up to
about this long, well above the resolution of the CPU clock."""


def seconds(run: Callable[[], object]) -> float:
    """CPU seconds of this process for one call of ``run``, the garbage collector paused."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        run()
        return time.process_time() - start
    finally:
        if enabled:
            gc.enable()


def growth(case: Callable[[int], Callable[[], object]], n: int, *, repeats: int = 3) -> float:
    """``time(4n) / time(n)``: how much longer the operation takes on 4 times the input.

    ``case(size)`` builds the input of that size (untimed) and returns a callable that
    runs the operation once on it (timed).  Both sizes are timed ``repeats`` times,
    alternately, and the minimum of each is used.
    """
    if n < 1 or repeats < 1:
        raise ValueError("n and repeats must be positive")
    small, large = case(n), case(FACTOR * n)
    gc.collect()
    gc.freeze()  # the heap so far is no garbage: the collections below skip it
    try:
        first = seconds(small)  # also warms caches up; not counted
        loops = max(1, math.ceil(MIN_SECONDS / max(first, 1e-6)))
        best_small = best_large = math.inf
        for _ in range(repeats):
            best_small = min(best_small, seconds(_looped(small, loops)))
            best_large = min(best_large, seconds(_looped(large, loops)))
    finally:
        gc.unfreeze()
    return best_large / max(best_small, 1e-9)


def _looped(run: Callable[[], object], loops: int) -> Callable[[], object]:
    if loops == 1:
        return run

    def many() -> None:
        for _ in range(loops):
            run()

    return many
