"""Where the graph view draws things (data coordinates): vertex ``k`` of the path sits at
``x = k``; its neurons fill ``y ∈ [−1, 1]`` top to bottom; vertex labels sit above at
``y = LABEL_Y``; a stalk drawn as a strip spans ``k ± STRIP_HALF`` and ``±STRIP_TOP``."""

from __future__ import annotations

import numpy as np

LABEL_Y = 1.18
STRIP_HALF = 0.11
STRIP_TOP = 0.95
#: Most line segments drawn for one edge (affine edges of wide layers are sampled).
MAX_SEGMENTS = 400
#: Neurons sampled per side when an affine edge has more than MAX_SEGMENTS pairs (8 × 8
#: lines already read as "every neuron feeds every neuron", at half the drawing of 12 × 12).
SAMPLE = 8


def dot_positions(dim: int) -> np.ndarray:
    """y of each dot of a column with ``dim`` dots (top to bottom), shape (dim,)."""
    if dim == 1:
        return np.zeros(1)
    spacing = min(0.42, 1.9 / (dim - 1))
    return ((dim - 1) / 2.0 - np.arange(dim)) * spacing


def strip_positions(dim: int) -> np.ndarray:
    """y of each coordinate of a strip (top to bottom), shape (dim,)."""
    return STRIP_TOP - 2 * STRIP_TOP * (np.arange(dim) + 0.5) / dim


def _spread(n: int, count: int) -> np.ndarray:
    """Up to ``count`` distinct indices spread evenly over ``range(n)``, ascending.

    (The rounded linspace is sorted, so repeats are neighbours; ``np.unique`` would do
    the same but imports numpy.ma, ~20 ms of the window's start-up.)"""
    idx = np.linspace(0, n - 1, count).astype(int)
    return idx[np.r_[True, idx[1:] != idx[:-1]]] if idx.size else idx


def edge_segments(ys: list, k: int, etype: str) -> np.ndarray:
    """Line segments (2m, 2) joining the neurons of columns k and k+1, whose heights are
    ``ys[k]`` and ``ys[k + 1]``: every pair on an affine edge (sampled when there are more
    than MAX_SEGMENTS), matching coordinates on a relu or output edge."""
    ya, yb = ys[k], ys[k + 1]
    if etype == "affine":
        ia, ib = np.arange(ya.size), np.arange(yb.size)
        if ya.size * yb.size > MAX_SEGMENTS:
            ia, ib = _spread(ya.size, SAMPLE), _spread(yb.size, SAMPLE)
        pa, pb = np.meshgrid(ia, ib, indexing="ij")
        pa, pb = pa.ravel(), pb.ravel()
    else:
        pa = _spread(ya.size, min(ya.size, 32))
        pb = pa
    seg = np.empty((2 * pa.size, 2))
    seg[0::2, 0], seg[0::2, 1] = k + 0.08, ya[pa]
    seg[1::2, 0], seg[1::2, 1] = k + 0.92, yb[pb]
    return seg
