"""Timing helpers of the benchmarks: medians of interleaved repeats, one BLAS thread.

Every ratio the benchmarks print is of two medians measured in the same run, the
implementations interleaved repeat by repeat, so load from other processes on a shared
machine hits each alike (a best-of would reward the luckiest slice instead).
"""

from __future__ import annotations

import statistics
import time


def median_seconds(fns: dict, calls: int, *, repeat: int = 7) -> dict:
    """Median seconds per call of each ``fn(calls)`` (interleaved repeats).

    Parameters
    ----------
    fns : {name: callable(n)}, each doing ``n`` units of work (steps, solves…)
    calls : int, the ``n`` passed (the result is divided by it)
    """
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn(calls)
            times[name].append((time.perf_counter() - t) / calls)
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
