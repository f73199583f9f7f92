"""Slow, dense, independent references for the core tests.

Everything here is written from docs/mathematics.md directly with explicit loops and dense matrices;
it shares no code with sheafviz.core beyond reading a Network's weight arrays.
"""

from __future__ import annotations

import itertools

import numpy as np


def dims(weights) -> list[int]:
    """Stalk dimensions in path order x, z1, a1, ..., z{K+1}, y."""
    arch = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    out = [arch[0]]
    for n in arch[1:-1]:
        out += [n, n]
    return out + [arch[-1], arch[-1]]


def dense_coboundary(weights, biases, sigma):
    """(D, g) with r = D c − g for identity output, built row block by row block."""
    d = dims(weights)
    offs = np.concatenate([[0], np.cumsum(d)])
    n_rows = sum(d[1:])
    D = np.zeros((n_rows, offs[-1]))
    g = np.zeros(n_rows)
    row = 0
    for k in range(len(d) - 1):
        head = slice(offs[k + 1], offs[k + 2])
        tail = slice(offs[k], offs[k + 1])
        rows = slice(row, row + d[k + 1])
        D[rows, head] = np.eye(d[k + 1])
        if k % 2 == 0 and k < len(d) - 2:  # affine edge into z_l
            l = k // 2
            D[rows, tail] = -weights[l]
            g[rows] = biases[l]
        elif k < len(d) - 2:  # relu edge
            D[rows, tail] = -np.diag(sigma[(k - 1) // 2])
        else:  # output edge, identity head
            D[rows, tail] = -np.eye(d[k + 1])
        row += d[k + 1]
    return D, g


def dense_pinned_solve(weights, biases, sigma, hard: dict, soft: dict | None = None):
    """Minimum-norm least-squares minimiser of ½‖Dc − g‖² + soft terms, hard pins held.

    hard: {flat index: value}; soft: {flat index: (value, gamma)}.
    Returns (c, L_free dense, free indices).
    """
    soft = soft or {}
    D, g = dense_coboundary(weights, biases, sigma)
    n = D.shape[1]
    pinned = sorted(hard)
    free = [i for i in range(n) if i not in hard]
    c = np.zeros(n)
    for i, v in hard.items():
        c[i] = v
    rows, rhs = [D[:, free]], [g - D @ c]
    for i, (v, gamma) in soft.items():
        row = np.zeros(len(free))
        row[free.index(i)] = np.sqrt(gamma)
        rows.append(row[None, :])
        rhs.append(np.array([np.sqrt(gamma) * v]))
    M, h = np.vstack(rows), np.concatenate(rhs)
    c[free] = np.linalg.pinv(M) @ h
    return c, M.T @ M, np.array(free)


def true_energy(weights, biases, c):
    """E(c) of docs/mathematics.md, “Discord and energy” (identity output) with σ read off c."""
    d = dims(weights)
    offs = np.concatenate([[0], np.cumsum(d)])
    parts = [c[offs[i]:offs[i + 1]] for i in range(len(d))]
    total = 0.0
    K = len(weights) - 1
    for l in range(K + 1):
        a_prev = parts[2 * l]
        z = parts[2 * l + 1]
        total += 0.5 * np.sum((z - weights[l] @ a_prev - biases[l]) ** 2)
        nxt = parts[2 * l + 2]
        if l < K:
            total += 0.5 * np.sum((nxt - np.maximum(z, 0)) ** 2)
        else:
            total += 0.5 * np.sum((nxt - z) ** 2)
    return total


def all_patterns(widths):
    """Every σ pattern for hidden widths ``widths``."""
    n = sum(widths)
    for bits in itertools.product([0.0, 1.0], repeat=n):
        out, i = [], 0
        for w in widths:
            out.append(np.array(bits[i:i + w]))
            i += w
        yield out
