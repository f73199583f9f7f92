"""Fixed-σ solves for patterns near a base pattern, by low-rank updates.

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

from sheafviz.core.solvers.linear import FixedSigmaSystem, as_slice

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
        self._base_flat = np.concatenate(self.base_sigma)
        self.system = FixedSigmaSystem(layout, network, self.base_sigma, pins)
        self.base = self.system.harmonic_extension()
        free = self.system.free_index
        self._free, self._y0 = free, self.base[free]
        self._free_rows = as_slice(free)  # where the solution goes in a cochain
        omega = np.full(layout.size, -1)
        omega[free] = np.arange(free.size)
        # hidden neurons by one flat index g (layer by layer): positions of z_g, a_g in Ω
        widths = [len(s) for s in self.base_sigma]
        self._layer_start = np.concatenate([[0], np.cumsum(widths)]).astype(int)
        self._zpos = np.concatenate([omega[layout.vertex(f"z{l}").slice]
                                     for l in range(1, len(widths) + 1)])
        self._apos = np.concatenate([omega[layout.vertex(f"a{l}").slice]
                                     for l in range(1, len(widths) + 1)])
        self._col = np.full(self._zpos.size, -1)  # first cached column (L₀⁻¹e_z; +1: e_a)
        self._Y = np.empty((free.size, 64))       # the cached columns, grown by doubling
        self._m = 0
        self.solves = 1  # passes over the network so far (the base solve)

    def _columns(self, neurons: np.ndarray) -> None:
        """Cache ``L₀⁻¹[e_z, e_a]`` of the neurons not seen yet, in one batched solve."""
        new = np.sort(neurons[self._col[neurons] < 0])
        new = new[np.r_[True, new[1:] != new[:-1]]] if new.size else new  # np.unique, but
        # without importing numpy.ma (~20 ms of the window's start-up)
        if not new.size:
            return
        k = new.size
        rhs = np.zeros((self._free.size, 2 * k))
        rhs[self._zpos[new], 2 * np.arange(k)] = 1.0
        rhs[self._apos[new], 2 * np.arange(k) + 1] = 1.0
        sol = self.system.solve(rhs)
        need = self._m + 2 * k
        if need > self._Y.shape[1]:
            grown = np.empty((self._Y.shape[0], max(need, 2 * self._Y.shape[1])))
            grown[:, :self._m] = self._Y[:, :self._m]
            self._Y = grown
        self._Y[:, self._m:need] = sol
        self._col[new] = self._m + 2 * np.arange(k)
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
        changed = np.flatnonzero(np.concatenate(sigma) != self._base_flat)
        held = np.array(sorted(self._layer_start[l - 1] + j for l, j in held), dtype=int)
        self._columns(np.concatenate([changed, held]))
        Y, y0 = self._Y[:, :self._m], self._y0
        coef = np.zeros(self._m)
        k, h = changed.size, held.size
        zpos, hcol = self._zpos[held], self._col[held]
        if k:
            rows = np.stack([self._zpos[changed], self._apos[changed]], axis=1).ravel()
            ucol = np.stack([self._col[changed], self._col[changed] + 1], axis=1).ravel()
            Yr = Y[rows]
            K = Yr[:, ucol]
            s = np.where(self._base_flat[changed] == 1.0, 1.0, -1.0)
            even = 2 * np.arange(k)
            K[even, even + 1] += s                    # + C⁻¹ = s·[[0, 1], [1, 1]] blocks
            K[even + 1, even] += s
            K[even + 1, even + 1] += s
            sol = _solve_small(K, np.column_stack([y0[rows], Yr[:, hcol]]))
            t1, k_yh = sol[:, 0], sol[:, 1:]
            coef[ucol] += t1
        if h:
            Yz = Y[zpos]
            A, cz = Yz[:, hcol], y0[zpos]                # Hᵀ M⁻¹ H and Hᵀ M⁻¹ b
            if k:
                A = A - Yz[:, ucol] @ k_yh
                cz = cz - Yz[:, ucol] @ t1
            lam = np.linalg.solve(A, cz)
            coef[hcol] += lam
            if k:
                coef[ucol] -= k_yh @ lam
        c = self.base.copy()
        c[self._free_rows] = y0 - Y @ coef
        if h:
            c[self._free[zpos]] = 0.0  # exactly on the surface
        return c


def _solve_small(K: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``K⁻¹ rhs`` for a small dense ``K``: numpy's LAPACK call (scipy's wrappers cost more
    than the solve at these sizes, and scipy is not imported for it). An exactly singular
    ``K`` gets scipy's LU as before (inf/nan and a LinAlgWarning rather than an error)."""
    try:
        return np.linalg.solve(K, rhs)
    except np.linalg.LinAlgError:
        import scipy.linalg as sla

        return sla.lu_solve(sla.lu_factor(K), rhs)


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
