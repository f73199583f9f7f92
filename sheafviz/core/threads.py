"""BLAS thread policy: how many threads OpenBLAS (or MKL) may use, set with threadpoolctl.

Why: on a shared or busy machine, BLAS's default of one thread per core made the large
joint step 3.6–13× slower and identical repeats vary 40× (threads spin-wait for each other
while the OS hands their cores to other processes). Small products gain nothing from a
second thread anyway. So the policy is

* an explicit count (``--threads N`` on the command line, :func:`set_threads` in Python)
  overrides everything else, the environment (``OPENBLAS_NUM_THREADS``, …) included;
* otherwise one thread when the work is small (:data:`SMALL_WORK` multiply-adds per
  product or fewer) and inside the GUI (its frames are many small products and it must
  share the machine with the user's other programs);
* otherwise BLAS's own default (the environment, else one thread per core).

The limits stay in force for the rest of the process (the command line runs one command
per process); :func:`blas_threads` reports the current count.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

#: Products with at most this many multiply-adds run on one thread (≈ a [784,512] layer
#: times a batch of 64: larger than everything the GUI animates).
SMALL_WORK = 25_000_000


@dataclass(frozen=True)
class ThreadPolicy:
    """What was applied: ``threads`` (None = BLAS default left alone) and why."""

    threads: int | None
    reason: str

    def describe(self) -> str:
        count = blas_threads()
        shown = "default" if count is None else str(count)
        return f"BLAS threads: {shown} ({self.reason})"


_explicit: int | None = None
_applied = ThreadPolicy(None, "BLAS default")


def _controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def check_thread_count(value) -> int:
    """``value`` as a thread count ≥ 1; ValueError naming the bad value otherwise."""
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"thread count {value!r} is not an integer") from None
    if isinstance(value, float) and value != count or count < 1:
        raise ValueError(f"thread count {value!r} must be a whole number ≥ 1")
    return count


def _limit(threads: int) -> None:
    """Limit every loaded BLAS to ``threads``, and any loaded later too.

    scipy ships its own OpenBLAS, loaded with ``scipy.linalg``; the GUI imports scipy only
    when a solve first needs it (importing it up front cost ~0.2 s of start-up). A BLAS
    loaded later reads ``OPENBLAS_NUM_THREADS`` / ``MKL_NUM_THREADS`` as it loads, so the
    count is also put there (child processes inherit it, which keeps them within the
    same policy).
    """
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)
    _controller().limit(limits=threads, user_api="blas")


def set_threads(threads: int) -> ThreadPolicy:
    """Use exactly ``threads`` BLAS threads from now on, whatever the policy would say."""
    global _explicit, _applied
    _explicit = check_thread_count(threads)
    _limit(_explicit)
    _applied = ThreadPolicy(_explicit, "set explicitly (--threads)")
    return _applied


def clear_explicit() -> None:
    """Forget an explicit count (the limits already set stay until the next policy call)."""
    global _explicit
    _explicit = None


def apply_policy(*, work: float | None = None, gui: bool = False) -> ThreadPolicy:
    """Apply the policy for a run whose largest product has ``work`` multiply-adds.

    An explicit :func:`set_threads` wins; then ``gui`` or ``work <= SMALL_WORK`` → one
    thread; else BLAS's default is left as it is. Returns what was applied.
    """
    global _applied
    if _explicit is not None:
        return _applied
    if gui:
        _limit(1)
        _applied = ThreadPolicy(1, "policy: one thread in the GUI")
    elif work is not None and work <= SMALL_WORK:
        _limit(1)
        _applied = ThreadPolicy(1, f"policy: one thread, largest product {work:.3g} ≤ "
                                   f"{SMALL_WORK:.3g} multiply-adds")
    else:
        _applied = ThreadPolicy(None, "policy: BLAS default for large products")
    return _applied


def use_gui_policy() -> ThreadPolicy:
    """The GUI's start-up call: one BLAS thread unless ``--threads`` said otherwise."""
    return apply_policy(gui=True)


def use_one_thread(reason: str) -> ThreadPolicy:
    """One BLAS thread for ``reason`` (e.g. the benchmarks) unless ``--threads`` said
    otherwise."""
    global _applied
    if _explicit is None:
        _limit(1)
        _applied = ThreadPolicy(1, f"policy: one thread, {reason}")
    return _applied


def applied_policy() -> ThreadPolicy:
    """The policy applied last in this process."""
    return _applied


def largest_product(arch, batch: int = 1) -> float:
    """Multiply-adds of the largest layer product of ``arch`` over ``batch`` examples."""
    return float(max(a * b for a, b in zip(arch[:-1], arch[1:])) * max(1, int(batch)))


def blas_threads() -> int | None:
    """The current BLAS thread count (the largest over loaded BLAS libraries; None if
    threadpoolctl finds none)."""
    from threadpoolctl import threadpool_info

    counts = [int(d["num_threads"]) for d in threadpool_info() if d.get("user_api") == "blas"]
    return max(counts) if counts else None
