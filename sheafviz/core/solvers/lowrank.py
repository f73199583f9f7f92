"""Fixed-σ solves for patterns near a base pattern, by low-rank updates (SPEC §6, §7).

Why: the active set of :mod:`solve` solves the pinned sheaf again and again for patterns
that differ from the forward one in a few neurons, some of them held on ``z_j = 0``. At 8
hidden layers of 128 with ``y`` pinned it took up to ~100 such solves, each a full
:class:`~sheafviz.core.solvers.linear.FixedSigmaSystem` build, 150–500× one solve.

Changing neuron ``j``'s pattern only changes its relu row ``a_j − σ_j z_j`` of the
coboundary, so ``L_free`` changes by ``s·(e_a e_zᵀ + e_z e_aᵀ − e_z e_zᵀ)`` (``s = +1``
for 1 → 0, ``−1`` for 0 → 1): rank two, on that neuron's own ``z_j, a_j``. Holding a
neuron on its switching surface is the constraint ``z_j = 0``. The right-hand side does
not depend on σ (relu rows carry no offset, and the neurons involved are not pinned), so
with ``L₀⁻¹`` applied once to ``[e_z, e_a]`` of every neuron that has been touched
(batched, cached) every later solve is a Woodbury correction plus a bordered system of
the size of the touched set — no new pass over the network for a neuron seen before.

Used only where it is exact and safe: identity output, ``L_free`` of the base pattern
non-singular, no hard pin on a hidden coordinate. Otherwise :func:`low_rank_solver`
returns None and the caller builds full systems as before.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.solvers.linear import FixedSigmaSystem

#: ``C_j⁻¹`` for the 1 → 0 change (``C_j = s·[[−1, 1], [1, 0]]`` on ``[e_z, e_a]``).
_C_INV = np.array([[0.0, 1.0], [1.0, 1.0]])


class LowRankSolver:
    """Fixed-σ harmonic extensions for patterns and held neurons near ``base_sigma``.

    Parameters
    ----------
    layout, network, pins : as :class:`FixedSigmaSystem`
    base_sigma : list of ndarray (n_l,), the pattern that is factored once
    """

    def __init__(self, layout, network, pins, base_sigma) -> None:
        self.layout = layout
        self.base_sigma = [np.asarray(s, dtype=float).copy() for s in base_sigma]
        self.system = FixedSigmaSystem(layout, network, self.base_sigma, pins)
        self.base = self.system.harmonic_extension()
        free = self.system.free_index
        self._free = free
        self._y0 = self.base[free]
        self._pos = {}   # neuron (l, j) → (position of z_j in Ω, position of a_j in Ω)
        omega = np.full(layout.size, -1)
        omega[free] = np.arange(free.size)
        for l in range(1, layout.n_hidden + 1):
            zs, as_ = layout.vertex(f"z{l}").slice, layout.vertex(f"a{l}").slice
            for j, (iz, ia) in enumerate(zip(range(zs.start, zs.stop),
                                             range(as_.start, as_.stop))):
                self._pos[(l, j)] = (int(omega[iz]), int(omega[ia]))
        self._col = {}   # neuron → index of its first column (L₀⁻¹e_z; then L₀⁻¹e_a)
        self._Y = np.empty((free.size, 64))  # the cached columns, grown by doubling
        self._m = 0
        self.solves = 1  # passes over the network so far (the base solve)

    def _columns(self, neurons) -> None:
        """Cache ``L₀⁻¹[e_z, e_a]`` of the neurons not seen yet, in one batched solve."""
        new = [n for n in neurons if n not in self._col]
        if not new:
            return
        rhs = np.zeros((self._free.size, 2 * len(new)))
        for k, n in enumerate(new):
            iz, ia = self._pos[n]
            rhs[iz, 2 * k] = 1.0
            rhs[ia, 2 * k + 1] = 1.0
        sol = self.system.solve(rhs)
        need = self._m + sol.shape[1]
        if need > self._Y.shape[1]:
            grown = np.empty((self._Y.shape[0], max(need, 2 * self._Y.shape[1])))
            grown[:, :self._m] = self._Y[:, :self._m]
            self._Y = grown
        self._Y[:, self._m:need] = sol
        for k, n in enumerate(new):
            self._col[n] = self._m + 2 * k
        self._m = need
        self.solves += 1

    def solve(self, sigma, held) -> np.ndarray:
        """The fixed-σ minimiser with the neurons in ``held`` (set of (l, j), 1-based l)
        on ``z = 0``; shape (size,). Equal, up to round-off, to a full
        :class:`FixedSigmaSystem` solve with those neurons hard-pinned to 0.

        With ``Y = L₀⁻¹U`` (U = [e_z, e_a] of the changed neurons), ``K = C⁻¹ + UᵀY``,
        ``H`` = e_z of the held ones: ``M⁻¹ = L₀⁻¹ − Y K⁻¹ Uᵀ L₀⁻¹`` (Woodbury) and the
        multipliers ``λ`` of ``Hᵀc = 0`` solve ``(Hᵀ M⁻¹ H) λ = Hᵀ M⁻¹ b``. Everything
        but the final ``c = y₀ − Y_cache · coef`` works on rows of the cached columns.
        """
        changed = [(l, int(j)) for l, s in enumerate(sigma, start=1)
                   for j in np.flatnonzero(np.asarray(s) != self.base_sigma[l - 1])]
        held = sorted(held)
        self._columns(changed + held)
        Y, y0 = self._Y[:, :self._m], self._y0
        coef = np.zeros(self._m)
        if changed:
            rows = [p for n in changed for p in self._pos[n]]
            ucol = [self._col[n] + i for n in changed for i in (0, 1)]
            k_inv = np.zeros((len(ucol), len(ucol)))
            for k, (l, j) in enumerate(changed):
                s = 1.0 if self.base_sigma[l - 1][j] == 1.0 else -1.0
                k_inv[2 * k:2 * k + 2, 2 * k:2 * k + 2] = s * _C_INV
            Yr = Y[rows]
            K = k_inv + Yr[:, ucol]
            t1 = np.linalg.solve(K, y0[rows])
            coef[ucol] += t1
        if held:
            zpos = [self._pos[n][0] for n in held]
            hcol = [self._col[n] for n in held]
            Yz = Y[zpos]
            A, cz = Yz[:, hcol], y0[zpos]                # Hᵀ M⁻¹ H and Hᵀ M⁻¹ b
            if changed:
                A = A - Yz[:, ucol] @ np.linalg.solve(K, Yr[:, hcol])
                cz = cz - Yz[:, ucol] @ t1
            lam = np.linalg.solve(A, cz)
            coef[hcol] += lam
            if changed:
                coef[ucol] -= np.linalg.solve(K, Yr[:, hcol] @ lam)
        c = self.base.copy()
        c[self._free] = y0 - Y @ coef
        if held:
            c[self._free[zpos]] = 0.0  # exactly on the surface
        return c


def low_rank_solver(layout, network, pins, base_sigma) -> LowRankSolver | None:
    """A :class:`LowRankSolver` where it applies (see the module notes), else None."""
    if network.output != "identity":
        return None
    for name, _ in pins.hard:
        if name[0] in "za" and name != f"z{layout.n_hidden + 1}":
            return None
    solver = LowRankSolver(layout, network, pins, base_sigma)
    if solver.system.underdetermined:
        return None
    return solver
