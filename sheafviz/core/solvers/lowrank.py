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
the size of the touched set (one small dense solve) — no new pass over the network for
a neuron seen before.

A pattern far from the base (at depth the first active-set step flips ~40 neurons, 80
columns) is cheaper as a new base: one fixed-σ system instead of a pass with many
columns, so such a pattern becomes the base (the cache starts again). A held neuron's σ
is left out of the update (on ``z_j = 0`` both relu rows agree, so it moves only its
multiplier). The column passes run in place in a scratch array kept between them:
fresh arrays of ~1 MB cost more in page faults than the passes' GEMMs.

Used only where it is exact and safe: identity output, ``L_free`` of the base pattern
non-singular, no hard pin on a hidden coordinate. Otherwise :func:`low_rank_solver`
returns None and the caller builds full systems as before.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.solvers.linear import FixedSigmaSystem, as_slice

#: A new base system counted in cached columns (one system ≈ a few batched columns at
#: depth): a pattern is rebased on when its missing columns exceed this plus the held
#: neurons' columns it would need afresh.
REBASE_COLUMNS = 4


class LowRankSolver:
    """Fixed-σ harmonic extensions for patterns and held neurons near a base pattern.

    Parameters
    ----------
    layout, network, pins : as :class:`FixedSigmaSystem`
    base_sigma : list of ndarray (n_l,), the pattern factored first

    Attributes
    ----------
    solves : int, passes over the network so far (base systems and batched column solves)
    """

    def __init__(self, layout, network, pins, base_sigma) -> None:
        self.layout, self._network, self._pins = layout, network, pins
        widths = [len(s) for s in base_sigma]
        # hidden neurons by one flat index g (layer by layer)
        self._layer_start = np.concatenate([[0], np.cumsum(widths)]).astype(int)
        self.solves = 0
        self._work = np.empty(0)  # scratch of the batched column solves, kept between them
        self._rebase(np.concatenate([np.asarray(s, dtype=float) for s in base_sigma]))
        # positions of z_g, a_g in Ω (Ω does not depend on the pattern)
        omega = np.full(layout.size, -1)
        omega[self._free] = np.arange(self._free.size)
        self._zpos = np.concatenate([omega[layout.vertex(f"z{l}").slice]
                                     for l in range(1, len(widths) + 1)])
        self._apos = np.concatenate([omega[layout.vertex(f"a{l}").slice]
                                     for l in range(1, len(widths) + 1)])

    @property
    def system(self) -> FixedSigmaSystem:
        """The base pattern's system."""
        return self._system

    def _rebase(self, flat_sigma: np.ndarray) -> bool:
        """Factor the pattern ``flat_sigma`` (n_hidden,) as the new base and forget the
        cached columns; False (nothing changed) if its ``L_free`` is singular."""
        sigma = np.split(flat_sigma, self._layer_start[1:-1])
        system = FixedSigmaSystem(self.layout, self._network, sigma, self._pins)
        self.solves += 1
        if system.underdetermined and self.solves > 1:
            return False
        self._system, self._base_flat = system, flat_sigma.copy()
        self.base = system.harmonic_extension()
        free = system.free_index
        self._free, self._y0 = free, self.base[free]
        self._free_rows = as_slice(free)  # where the solution goes in a cochain
        # cached columns L₀⁻¹e_z and L₀⁻¹e_a of each neuron (-1: not yet)
        n_hidden = self._layer_start[-1]
        self._zcol = np.full(n_hidden, -1)
        self._acol = np.full(n_hidden, -1)
        if not hasattr(self, "_Y"):  # the cached columns, grown by doubling, kept on a rebase;
            # column-major, so the columns in use are one contiguous block (Y·coef ~2× faster)
            self._Y = np.empty((free.size, 64), order="F")
        self._m = 0
        return True

    def _missing(self, z_need: np.ndarray, a_need: np.ndarray) -> int:
        return int(np.count_nonzero(self._zcol[z_need] < 0)
                   + np.count_nonzero(self._acol[a_need] < 0))

    def _columns(self, z_need: np.ndarray, a_need: np.ndarray) -> None:
        """Cache ``L₀⁻¹e_z`` of ``z_need`` and ``L₀⁻¹e_a`` of ``a_need`` (neuron indices,
        unique) not cached yet, in one batched solve."""
        new_z = z_need[self._zcol[z_need] < 0]
        new_a = a_need[self._acol[a_need] < 0]
        k = new_z.size + new_a.size
        if not k:
            return
        need = self._m + k
        if need > self._Y.shape[1]:
            grown = np.empty((self._Y.shape[0], max(need, 2 * self._Y.shape[1])), order="F")
            grown[:, :self._m] = self._Y[:, :self._m]
            self._Y = grown
        if self._work.size < self.layout.size * k:
            self._work = np.empty(self.layout.size * max(k, 2 * self._work.size
                                                         // self.layout.size))
        self._system.solve_units(np.concatenate([self._zpos[new_z], self._apos[new_a]]),
                                 self._Y[:, self._m:need], self._work)
        self._zcol[new_z] = self._m + np.arange(new_z.size)
        self._acol[new_a] = self._m + new_z.size + np.arange(new_a.size)
        self._m = need
        self.solves += 1

    def _pattern(self, sigma, held: np.ndarray):
        """Neurons whose σ differs from the base, held ones left out (on z = 0 both relu
        rows agree, so a held neuron's σ moves only its multiplier, never the solution)."""
        flat = np.concatenate(sigma)
        differs = flat != self._base_flat
        differs[held] = False
        return flat, np.flatnonzero(differs)

    def solve(self, sigma, held) -> np.ndarray:
        """The fixed-σ minimiser with the neurons in ``held`` (set of (l, j), 1-based l)
        on ``z = 0``; shape (size,). Equal, up to round-off, to a full
        :class:`FixedSigmaSystem` solve with those neurons hard-pinned to 0.

        With ``Y = L₀⁻¹U`` (U = [e_z, e_a] of the changed neurons), ``K = C⁻¹ + UᵀY``,
        ``H`` = e_z of the held ones: ``M⁻¹ = L₀⁻¹ − Y K⁻¹ Uᵀ L₀⁻¹`` (Woodbury) and the
        multipliers ``λ`` of ``Hᵀc = 0`` solve ``(Hᵀ M⁻¹ H) λ = Hᵀ M⁻¹ b``. Everything
        but the final ``c = y₀ − Y_cache · coef`` works on rows of the cached columns.

        When the pattern is far from the base (more columns to compute than a new base
        and the held neurons' columns would cost, :data:`REBASE_COLUMNS` counting for
        the new system), the pattern becomes the base: a new system instead of a pass
        with many columns.
        """
        held = np.array(sorted(self._layer_start[l - 1] + j for l, j in held), dtype=int)
        flat, changed = self._pattern(sigma, held)
        # A held neuron's e_a column is not used while it is held, but it is computed in
        # the same pass: when the sliding step releases it, it needs no pass of its own.
        touched = self._union(changed, held)
        if self._missing(touched, touched) > 2 * held.size + REBASE_COLUMNS:
            if self._rebase(flat):
                changed, touched = changed[:0], held
        self._columns(touched, touched)
        return self._woodbury(changed, held)

    def _union(self, changed: np.ndarray, held: np.ndarray) -> np.ndarray:
        """Sorted union of two index arrays (np.union1d would import numpy.ma, ~20 ms of
        the window's start-up)."""
        if not held.size:
            return changed
        mask = np.zeros(self._zpos.size, dtype=bool)
        mask[changed] = True
        mask[held] = True
        return np.flatnonzero(mask)

    def _woodbury(self, changed: np.ndarray, held: np.ndarray) -> np.ndarray:
        """The solve of :meth:`solve` as one bordered system on the touched rows.

        Unknowns ``t`` (the Woodbury coefficients of the changed neurons' columns) and
        ``λ`` (the held neurons' multipliers) solve, with ``c = y₀ − Y_U t − Y_H λ``,
        ``(C⁻¹ + UᵀY_U) t + UᵀY_H λ = Uᵀy₀`` and ``HᵀY_U t + HᵀY_H λ = Hᵀy₀``: one small
        dense solve instead of two and their Schur complement.
        """
        Y, y0 = self._Y[:, :self._m], self._y0
        k = changed.size
        rows = np.concatenate([np.stack([self._zpos[changed], self._apos[changed]],
                                        axis=1).ravel(), self._zpos[held]])
        cols = np.concatenate([np.stack([self._zcol[changed], self._acol[changed]],
                                        axis=1).ravel(), self._zcol[held]])
        c = self.base.copy()
        if not rows.size:
            return c
        G = Y[np.ix_(rows, cols)]
        s = np.where(self._base_flat[changed] == 1.0, 1.0, -1.0)
        even = 2 * np.arange(k)
        G[even, even + 1] += s                    # + C⁻¹ = s·[[0, 1], [1, 1]] blocks
        G[even + 1, even] += s
        G[even + 1, even + 1] += s
        coef = np.zeros(self._m)
        coef[cols] = _solve_small(G, y0[rows])
        c[self._free_rows] = y0 - Y @ coef
        if held.size:
            c[self._free[self._zpos[held]]] = 0.0  # exactly on the surface
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
