"""A joint flow's stalks as lists of (B, n_l) arrays, to and from a batch of B cochains."""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.network import phi
from sheafviz.core.model.sheaf import SheafLayout


def stalks_to_cochains(layout: SheafLayout, X: np.ndarray, Y: np.ndarray, z: list,
                       a: list) -> np.ndarray:
    """The B cochains, shape (B, size), with x = X (B, n0), y = Y (B, n_out) and the stalks
    ``z`` (list of (B, n_l), l = 1..K+1), ``a`` (l = 1..K)."""
    c = np.empty((len(X), layout.size))
    st = layout.split(c)
    st["x"][...] = X
    st["y"][...] = Y
    for l, zl in enumerate(z, start=1):
        st[f"z{l}"][...] = zl
    for l, al in enumerate(a, start=1):
        st[f"a{l}"][...] = al
    return c


def cochains_to_stalks(layout: SheafLayout, c: np.ndarray, X: np.ndarray,
                       Y: np.ndarray) -> tuple[list, list]:
    """(z list, a list) of (B, n_l), copies, from a cochain batch ``c`` (B, size) whose x and
    y must be X and Y. ValueError for another shape, non-finite values or other x / y."""
    B = len(X)
    if c.shape != (B, layout.size) or not np.all(np.isfinite(c)):
        raise ValueError(f"the stalks must be {B} finite cochains of size {layout.size}, "
                         f"got shape {c.shape}")
    st = layout.split(c)
    if not (np.array_equal(st["x"], X) and np.array_equal(st["y"], Y)):
        raise ValueError("the cochains' x and y must be the training batch's")
    n = layout.n_hidden
    return ([st[f"z{l}"].copy() for l in range(1, n + 2)],
            [st[f"a{l}"].copy() for l in range(1, n + 1)])


def stalk_residuals(weights, biases, output: str, X: np.ndarray, Y: np.ndarray, z: list,
                    a: list) -> tuple:
    """(ρ list, q list, r_out, None, a, z_out) of the stalks: ρ_l = W_l a_{l-1} + b_l − z_l,
    q_l = a_l − ReLU(z_l), r_out = Y − φ(z_out), all (B, n); None: no consistency flag."""
    prev = [X] + a
    rho = [p @ w.T + b - zl for p, w, b, zl in zip(prev, weights, biases, z)]
    q = [al - np.maximum(zl, 0.0) for al, zl in zip(a, z[:-1])]
    return rho, q, Y - phi(z[-1], output), None, a, z[-1]
