"""The sliding stage of the equilibrium: the active set with neurons held on z = 0.

A neuron held on its switching surface ``z_j = 0`` is an extra hard pin (there both
branches of its relu edge agree). Free neurons whose sign disagrees with the pattern are
flipped and solved again; when none does, the held neurons are tested: a minimum on the
surface needs the one-sided derivatives to bracket zero (the energy is a max of two
convex quadratics around the kink, so this is the exact local-optimality test), and the
worst violator is released to the side where the energy falls. Patterns are kept as one
flat array over the hidden neurons, so each iteration is a handful of array operations
rather than loops over neurons.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.sheaf import SheafLayout

#: Solves before the sliding stage gives up (to the heat flow, in :mod:`solve`).
MAX_ITERATIONS = 300


def cycling_neurons(layout, keys: list[bytes]) -> set[tuple[int, int]]:
    """Neurons whose σ differs between the patterns of a cycle."""
    patterns = np.array([np.frombuffer(k, dtype=np.uint8) for k in keys])
    differ = np.flatnonzero(np.any(patterns != patterns[0], axis=0))
    neurons = [(l, j) for l in range(1, layout.n_hidden + 1)
               for j in range(layout.vertex(f"z{l}").dim)]
    return {neurons[i] for i in differ}


def slide(layout, network, sigma, boundary, solve):
    """The active set with the neurons of ``boundary`` held on z = 0.

    Parameters
    ----------
    layout, network : the sheaf
    sigma : list of ndarray (n_l,), the pattern to start from
    boundary : set of (l, j), 1-based l, the neurons held first
    solve : ``solve(sigma, boundary) → (cochain, underdetermined)``

    Returns
    -------
    (cochain, underdetermined, solves) of the sliding minimiser, or None if it does not
    settle
    """
    hidden = _HiddenIndex(layout)
    flat = np.concatenate(sigma).astype(float)
    sigma = np.split(flat, hidden.start[1:-1])  # views of ``flat``, one per layer
    boundary = set(boundary)
    visited: list = []
    grown_already: set = set()
    solves = 0
    for _ in range(MAX_ITERATIONS):
        state = (frozenset(boundary), flat.tobytes())
        if state in visited:
            # Free neurons cycle too: hold the ones that switch within the cycle on z = 0
            # as well (as the outer loop did) instead of giving up to the slow heat flow.
            # Each neuron is added at most once, so this ends; the exit test is unchanged.
            cycle = [np.frombuffer(key).astype(np.uint8).tobytes()
                     for _, key in visited[visited.index(state):]]
            grown = cycling_neurons(layout, cycle) - boundary - grown_already
            if not grown:
                return None
            boundary |= grown
            grown_already |= grown
            visited.clear()
            continue
        visited.append(state)
        held = hidden.flat(boundary)
        flat[held] = 1.0  # either branch: at z = 0 both relu rows agree
        c, underdetermined = solve(sigma, boundary)
        solves += 1
        free_changed = (c[hidden.z] >= 0) != (flat == 1.0)
        free_changed[held] = False
        if free_changed.any():
            flat[free_changed] = 1.0 - flat[free_changed]
            continue
        released = _release_violators(layout, network, c, boundary, flat, hidden)
        if not released:
            return c, underdetermined, solves
    return None


class _HiddenIndex:
    """Flat indices of the hidden neurons (layer by layer): ``start`` (K+1,) of each
    layer, ``z`` (n_hidden,) the cochain index of each neuron's z, ``width`` (n_hidden,)
    the offset from it to the neuron's a (a_l follows z_l in the cochain)."""

    def __init__(self, layout: SheafLayout) -> None:
        widths = [layout.vertex(f"z{l}").dim for l in range(1, layout.n_hidden + 1)]
        self.start = np.concatenate([[0], np.cumsum(widths)]).astype(int)
        self.z = np.concatenate([np.arange(layout.size)[layout.vertex(f"z{l}").slice]
                                 for l in range(1, layout.n_hidden + 1)])
        self.width = np.repeat(widths, widths)

    def flat(self, neurons) -> np.ndarray:
        """Flat indices of ``neurons`` ((l, j), 1-based l), shape (len,)."""
        return np.array([self.start[l - 1] + j for l, j in neurons], dtype=int)


def _release_violators(layout, network, c, boundary, flat_sigma, hidden) -> bool:
    """Release the boundary neuron whose one-sided derivatives most fail to bracket zero.

    At z_j = 0: ∂E/∂z_j from the σ=0 side is r_aff (the affine discrepancy), from the
    σ=1 side it is r_aff − a_j. A minimum on the surface needs r_aff ≤ 0 ≤ r_aff − a_j.
    One neuron at a time, the largest violation first (as a classical active-set method
    drops one constraint per step): releasing every violator at once can make two released
    neurons pull each other back onto the surface, and the iteration cycles. Ties go to
    the first neuron in (layer, index) order.
    """
    if not boundary:
        return False
    order = sorted(boundary)
    held = hidden.flat(order)
    stalks = layout.split(c)
    r_aff = np.concatenate([  # the affine discrepancy of every hidden neuron
        stalks[f"z{l}"] - network.weights[l - 1] @ stalks["x" if l == 1 else f"a{l - 1}"]
        - network.biases[l - 1] for l in range(1, layout.n_hidden + 1)])[held]
    a_j = c[hidden.z + hidden.width][held]
    scale = np.maximum(1.0, np.maximum(np.abs(a_j), np.abs(r_aff)))
    tol = 1e-10 * scale
    down = r_aff > tol  # energy falls when z_j goes below zero
    up = ~down & (r_aff - a_j < -tol)  # energy falls when z_j goes above zero
    amounts = np.where(down, r_aff / scale, np.where(up, (a_j - r_aff) / scale, 0.0))
    best = int(np.argmax(amounts))  # the first of equal maxima, in (layer, index) order
    if not amounts[best] > 0.0:
        return False
    boundary.discard(order[best])
    flat_sigma[held[best]] = 0.0 if down[best] else 1.0
    return True
