"""Bounded histories that keep their whole span: when full, drop every other sample.

Used by the energy / discord history of the window and by the discord space–time record:
memory stays flat over an arbitrarily long run while the curve keeps its overall shape.
"""

from __future__ import annotations

import numpy as np

__all__ = ["keep_every_other"]


def keep_every_other(arrays: list[np.ndarray], n: int) -> int:
    """Move rows 0, 2, 4, … of the first ``n`` rows of each array to its front, in place.

    Parameters
    ----------
    arrays : list of ndarray, each of shape (capacity, ...)
    n : int, the rows in use (even when the buffer is full)

    Returns
    -------
    int : the rows in use afterwards, ``ceil(n / 2)``
    """
    kept = (n + 1) // 2
    for a in arrays:
        a[:kept] = a[:n:2]
    return kept
