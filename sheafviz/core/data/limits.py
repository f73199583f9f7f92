"""Memory limits checked before a data set is put to work.

The estimate is deliberately simple and on the high side: a fixed base (the interpreter,
numpy, scipy; Qt when the window is open), per sample the stalks and their working copies
(``SAMPLE_COPIES`` float64 vectors of the cochain size), and, in the window, the per-sample
drawing cost measured on the running window (about 20 kB per training sample whatever the
architecture: ``sheafviz render`` of a session with 60,000 samples peaks near 1.4 GB for
both [2, 4, 1] and [2, 30, 1]).
"""

from __future__ import annotations

import os

__all__ = ["ResourceError", "estimate_memory", "check_memory", "memory_budget",
           "format_bytes"]

#: Working copies of a sample's cochain the flows hold (state, forward pass, residuals,
#: solver right-hand sides and results, optimizer moments).
SAMPLE_COPIES = 16
#: Drawing cost of one sample in the window (bytes), measured (see the module notes).
WINDOW_BYTES_PER_SAMPLE = 25_000
#: Memory in use before any data: the interpreter and libraries (and Qt for the window).
BASE_BYTES = 100_000_000
WINDOW_BASE_BYTES = 200_000_000
#: Never plan to use more than this, nor more than half the machine's memory.
MAX_BUDGET = 8_000_000_000


class ResourceError(ValueError):
    """A job that would need more memory than allowed; the message gives the figure."""


def _cochain_size(arch) -> int:
    """Coordinates of one sample's cochain: x, then z_l and a_l per hidden layer, z and y."""
    hidden = sum(int(n) for n in arch[1:-1])
    return int(arch[0]) + 2 * hidden + 2 * int(arch[-1])


def _parameters(arch) -> int:
    return sum(int(a) * int(b) + int(b) for a, b in zip(arch[:-1], arch[1:]))


def estimate_memory(arch, n_samples: int, *, window: bool = False) -> int:
    """Bytes a run on ``n_samples`` samples of a network ``arch`` is expected to need.

    Parameters
    ----------
    arch : sequence of int, the widths ``[n0, ..., nK+1]``
    n_samples : training plus test samples
    window : True when the samples are drawn in the window (GUI, ``render``)
    """
    per_sample = 8 * SAMPLE_COPIES * _cochain_size(arch)
    base = BASE_BYTES
    if window:
        per_sample += WINDOW_BYTES_PER_SAMPLE
        base = WINDOW_BASE_BYTES
    # weights, initial weights, gradients and optimizer moments
    return base + int(n_samples) * per_sample + 8 * 6 * _parameters(arch)


def memory_budget() -> int:
    """The largest estimate accepted: :data:`MAX_BUDGET` or half the physical memory."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return MAX_BUDGET
    return int(min(MAX_BUDGET, total // 2))


def format_bytes(n: float) -> str:
    """``2.7 GB``, ``340 MB``."""
    if n >= 1e9:
        return f"{n / 1e9:.1f} GB"
    return f"{n / 1e6:.0f} MB"


def check_memory(arch, n_samples: int, *, window: bool = False, what: str = "the data") -> None:
    """Raise ResourceError when :func:`estimate_memory` exceeds :func:`memory_budget`."""
    need, budget = estimate_memory(arch, n_samples, window=window), memory_budget()
    if need > budget:
        raise ResourceError(f"{what}: {int(n_samples):,} samples on a network "
                            f"{[int(n) for n in arch]} would need about {format_bytes(need)} "
                            f"of memory; the limit is {format_bytes(budget)} (use fewer "
                            f"samples)")


#: Largest estimated cost (floating-point operations) of one fixed-pattern solve accepted
#: by ``sheafviz solve``: free inputs make the minimum-norm solve dense in them.
MAX_SOLVE_FLOPS = 5e9


def solve_flops(arch, n_free_inputs: int) -> float:
    """Operations of one fixed-pattern solve with ``n_free_inputs`` input coordinates free:
    an SVD of the (constraints + f) × f input block and a QR of the (f + rest) × f null
    basis, each about 4·rows·f² (the structured part is linear in the parameters)."""
    f = int(n_free_inputs)
    rest = _cochain_size(arch) - int(arch[0])
    return 4.0 * (2 * f + rest) * f * f + 8.0 * _parameters(arch)


def check_solve_cost(arch, n_free_inputs: int) -> None:
    """Raise ResourceError when :func:`solve_flops` exceeds :data:`MAX_SOLVE_FLOPS`."""
    flops = solve_flops(arch, n_free_inputs)
    if flops > MAX_SOLVE_FLOPS:
        raise ResourceError(
            f"{int(n_free_inputs)} free input coordinates on a network "
            f"{[int(n) for n in arch]}: the minimum-norm solve is dense in the free inputs "
            f"and would be very slow (about {flops:.1e} operations per active-set step, "
            f"minutes); pin the input (--pin x=…) or use a narrower input layer")
