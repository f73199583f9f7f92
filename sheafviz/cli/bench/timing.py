"""Timing helpers of the benchmarks: medians of interleaved repeats, one BLAS thread.

Every ratio the benchmarks print is of two medians measured in the same run, the
implementations interleaved repeat by repeat, so load from other processes on a shared
machine hits each alike (a best-of would reward the luckiest slice instead).
"""

from __future__ import annotations

import statistics
import time


def median_seconds(fns: dict, calls, *, repeat: int = 7, warm: bool = False) -> dict:
    """Median seconds per call of each ``fn(calls)`` (interleaved repeats).

    Parameters
    ----------
    fns : {name: callable(n)}, each doing ``n`` units of work (steps, solves…)
    calls : int, or {name: int}: the ``n`` passed (the result is divided by it); one per
        implementation lets a fast one run long enough to time (a few ms is one time slice
        of a busy machine)
    warm : bool
        Run ``fn(1)`` untimed just before each timed repeat, so every implementation is
        timed in its own steady state (its data in cache) rather than in whatever state
        the previous implementation left the caches in.
    """
    counts = calls if isinstance(calls, dict) else dict.fromkeys(fns, calls)
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            if warm:
                fn(1)
            t = time.perf_counter()
            fn(counts[name])
            times[name].append((time.perf_counter() - t) / counts[name])
    return {name: statistics.median(v) for name, v in times.items()}


def median_of(fn, *, repeat: int = 5, budget: float = 3.0) -> float:
    """Median wall time of ``fn()`` in seconds over up to ``repeat`` runs within ``budget``."""
    times, start = [], time.perf_counter()
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if time.perf_counter() - start > budget:
            break
    return statistics.median(times)
