"""The pinned sheaf at a fixed activation pattern: fast solves with the free Laplacian.

Why this is fast. Order the cochain as ``x`` followed by ``c' = (z1, a1, …, y)``
and the edges in path order. The coboundary is then ``D = [−E₀T₀ | A]`` where ``A`` is
square and *block unit-lower-bidiagonal*: edge ``k`` has ``+I`` on its head (vertex
``k+1``) and ``−T_k`` on its tail. So ``A⁻¹`` is forward substitution (the linearised
forward pass) and ``A⁻ᵀ`` is backward substitution (backprop) — both a handful of GEMVs,
never a factorisation of the dense-blocked Laplacian.

Write the discrepancy as ``r = A v' − B v_F`` (``v_F`` the free input coordinates,
``B = E₀T₀[:, F]``) and change variables from ``v'`` to ``r``. Hard pins inside ``c'``
become ``k_P`` linear constraints ``C_P (r + B v_F) = …`` with ``C_P = E_Pᵀ A⁻¹``; soft pins
inside ``c'`` become ``k_S`` penalty rows. Every solve with ``L_free`` then reduces to one
backward pass, one small dense KKT system of size ``k_P + k_S + |F|`` and one forward pass.
The small system is the Schur complement the issue speaks of; it is formed once per
(σ, pins) with ``k_P + k_S`` backward passes and reused for every right-hand side (the
harmonic extension, and every iteration of the sparse eigensolver in spectrum.py).

When the free input coordinates are not determined by the pins (``[B_big; Q]`` has a
null space) ``L_free`` is singular: the system reports ``underdetermined`` and returns the
minimum-norm solution by projecting out the explicit null space ``{[d; A⁻¹Bd]}``.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet, ResolvedPins
from sheafviz.core.model.network import phi, phi_jacobian
from sheafviz.core.model.sheaf import SheafLayout

#: Relative singular-value threshold below which the input is declared under-determined.
UNDERDETERMINED_RTOL = 1e-9
#: KKT systems up to this size are solved afresh with numpy's LAPACK for every right-hand
#: side (a few µs, and no scipy.linalg import on the GUI's first solve); larger ones are
#: LU-factored once with scipy and the factors reused (the eigensolver's many solves).
KKT_FACTOR_MIN = 64


def edge_maps_output(network: Network, z_out, dim: int):
    """``(J_φ, φ(z) − J_φ z)`` of a nonlinear output head linearised at ``z_out``."""
    if z_out is None:
        raise ValueError("a nonlinear output head needs a linearisation point z_out")
    z_out = np.asarray(z_out, dtype=float)
    jac = phi_jacobian(z_out, network.output)
    return jac, phi(z_out, network.output) - jac @ z_out


class _EdgeMap:
    """``T_k`` stored as a dense matrix or, for relu/identity edges, as its diagonal."""

    __slots__ = ("dense", "diag")

    def __init__(self, *, dense: np.ndarray | None = None, diag: np.ndarray | None = None) -> None:
        self.dense, self.diag = dense, diag

    def apply(self, v: np.ndarray) -> np.ndarray:
        if self.dense is not None:
            return self.dense @ v
        return self.diag[:, None] * v if v.ndim == 2 else self.diag * v

    def apply_t(self, v: np.ndarray) -> np.ndarray:
        if self.dense is not None:
            # (vᵀT)ᵀ: the same product, but a few columns (the Schur system's backward
            # passes) run ~1.5× faster in BLAS as rows times T than as Tᵀ times columns
            return (v.T @ self.dense).T if v.ndim == 2 else self.dense.T @ v
        return self.diag[:, None] * v if v.ndim == 2 else self.diag * v


def as_slice(index: np.ndarray):
    """``index`` (ascending) as a slice when it is one contiguous run (pins only at the
    ends of the path, the usual case): a view instead of a fancy-indexed copy, ~20 µs a
    solve at depth; else ``index`` itself."""
    if index.size and index[-1] - index[0] + 1 == index.size:
        return slice(int(index[0]), int(index[-1]) + 1)
    return index


class FixedSigmaSystem:
    """The pinned, fixed-σ sheaf: ``L_free`` products, solves and the harmonic extension.

    Parameters
    ----------
    layout : SheafLayout
    network : Network
    sigma : list of ndarray, the 0/1 pattern of each hidden layer, shapes (n_l,)
    pins : PinSet or ResolvedPins
    z_out : ndarray, shape (nK+1,), optional
        Linearisation point of a nonlinear output head (Gauss–Newton).

    Attributes
    ----------
    free_index : ndarray (n_free,), flat cochain indices of Ω (not hard-pinned), ascending
    underdetermined : bool, L_free is singular (the pins do not determine the input)
    """

    def __init__(self, layout: SheafLayout, network: Network, sigma, pins, *,
                 z_out=None) -> None:
        self.layout = layout
        self.pins: ResolvedPins = pins.resolve(layout) if isinstance(pins, PinSet) else pins
        self._n0 = layout.vertex("x").dim
        self._slices = [e.slice for e in layout.edges]  # also the slices of c' = (z1, …, y)
        self._maps, offsets = self._edge_maps(layout, network, sigma, z_out)
        self._g = np.concatenate(offsets)
        self._t0 = self._maps[0].dense
        self._index_sets()
        self._schur()

    @staticmethod
    def _edge_maps(layout, network, sigma, z_out):
        """``(T_k, g_k)`` of :func:`~sheafviz.core.model.sheaf.edge_maps`, with the relu and
        identity-output maps kept as their diagonals (a dense ``diag(σ)`` per layer cost
        ~17 % of a solve at [784,512,512,10])."""
        maps, offsets = [], []
        for edge in layout.edges:
            if edge.type == "affine":
                maps.append(_EdgeMap(dense=network.weights[edge.layer - 1]))
                offsets.append(network.biases[edge.layer - 1])
                continue
            offsets.append(np.zeros(edge.dim))
            if edge.type == "relu":
                maps.append(_EdgeMap(diag=np.asarray(sigma[edge.layer - 1], dtype=float)))
            elif network.output == "identity":
                maps.append(_EdgeMap(diag=np.ones(edge.dim)))
            else:
                jac, g = edge_maps_output(network, z_out, edge.dim)
                maps.append(_EdgeMap(dense=jac))
                offsets[-1] = g
        return maps, offsets

    # -- index bookkeeping --------------------------------------------------------------
    def _index_sets(self) -> None:
        n0, pins = self._n0, self.pins
        self.free_index = pins.free_index
        self.n_free = self.free_index.size
        hard_x = pins.hard_index[pins.hard_index < n0]
        free_x = np.ones(n0, dtype=bool)
        free_x[hard_x] = False
        self._free_x = np.flatnonzero(free_x)  # F (a mask: setdiff1d hashes, ~0.2 ms at 784)
        self._hard_c = pins.hard_index[pins.hard_index >= n0] - n0  # P, in c' coordinates
        in_x = pins.soft_index < n0
        self._soft_c = pins.soft_index[~in_x] - n0  # S', in c' coordinates
        self._soft_c_gamma = pins.soft_gamma[~in_x]
        # Q: stiffness on the free input coordinates that carry a soft pin.
        self._q_diag = np.zeros(self._free_x.size)
        pos_in_f = np.searchsorted(self._free_x, pins.soft_index[in_x])
        self._q_diag[pos_in_f] = pins.soft_gamma[in_x]
        # Positions of the free c' coordinates inside Ω (Ω = F ∪ (c' minus P)).
        mask = np.ones(self.layout.size - n0, dtype=bool)
        mask[self._hard_c] = False
        self._free_c = as_slice(np.flatnonzero(mask))

    # -- the block-bidiagonal factor ----------------------------------------------------
    def forward_solve(self, u: np.ndarray) -> np.ndarray:
        """``A⁻¹ u`` — forward substitution, shape (N', …) → (N', …)."""
        c = np.empty_like(u)
        s = self._slices
        c[s[0]] = u[s[0]]
        for k in range(1, len(s)):
            c[s[k]] = u[s[k]] + self._maps[k].apply(c[s[k - 1]])
        return c

    def backward_solve(self, v: np.ndarray) -> np.ndarray:
        """``A⁻ᵀ v`` — backward substitution (backprop), shape (N', …) → (N', …).

        Starts at the last block where ``v`` is non-zero (``A⁻ᵀ`` is block upper
        triangular): the equilibrium's columns ``L⁻¹e`` of hidden neurons skip the layers
        above them."""
        s = self._slices
        top = len(s) - 1
        while top > 0 and not v[s[top]].any():
            top -= 1
        w = np.zeros_like(v) if top < len(s) - 1 else np.empty_like(v)
        w[s[top]] = v[s[top]]
        for k in range(top, 0, -1):
            w[s[k - 1]] = v[s[k - 1]] + self._maps[k].apply_t(w[s[k]])
        return w

    def apply_d(self, c: np.ndarray) -> np.ndarray:
        """``D c`` for full cochains, shape (N, …) → (edge_size, …)."""
        n0, s = self._n0, self._slices
        cp = c[n0:]
        out = np.array(cp, dtype=float, copy=True)
        out[s[0]] -= self._t0 @ c[:n0]
        for k in range(1, len(s)):
            tail = cp[s[k - 1]]
            if tail.any():  # the harmonic extension's c is zero off the pins: skip T·0
                out[s[k]] -= self._maps[k].apply(tail)
        return out

    def apply_dt(self, w: np.ndarray) -> np.ndarray:
        """``Dᵀ w``, shape (edge_size, …) → (N, …)."""
        n0, s = self._n0, self._slices
        out = np.empty((self.layout.size,) + w.shape[1:])
        out[:n0] = -(self._t0.T @ w[s[0]])
        cp = out[n0:]
        cp[...] = w
        for k in range(1, len(s)):
            cp[s[k - 1]] -= self._maps[k].apply_t(w[s[k]])
        return out

    def _apply_dt_free(self, w: np.ndarray) -> np.ndarray:
        """``(Dᵀ w)[Ω]`` for one vector: only the free input columns of ``T₀`` are touched
        (with x pinned that skips a whole pass over W₁)."""
        n0, s = self._n0, self._slices
        cp = np.array(w, dtype=float, copy=True)
        for k in range(1, len(s)):
            cp[s[k - 1]] -= self._maps[k].apply_t(w[s[k]])
        out_x = -(self._t0_free.T @ w[s[0]])
        return np.concatenate([out_x, cp[self._free_c]])

    # -- the small Schur/KKT system -----------------------------------------------------
    def _schur(self) -> None:
        n_c = self.layout.size - self._n0
        k_p, k_s = self._hard_c.size, self._soft_c.size
        selectors = np.zeros((n_c, k_p + k_s))
        selectors[self._hard_c, np.arange(k_p)] = 1.0
        selectors[self._soft_c, k_p + np.arange(k_s)] = np.sqrt(self._soft_c_gamma)
        # Columns of C_bigᵀ = A⁻ᵀ [E_P, E_S Γ^½]: one backward pass per constrained coordinate.
        self._cbig_t = self.backward_solve(selectors)
        h = self._cbig_t.T @ self._cbig_t
        h[k_p:, k_p:] += np.eye(k_s)
        t0_free = self._t0[:, self._free_x]
        self._t0_free = t0_free
        b_big = self._cbig_t[self._slices[0]].T @ t0_free  # (k, f)
        f = self._free_x.size
        self._kkt = np.block([[h, b_big], [b_big.T, -np.diag(self._q_diag)]])
        self._k = k_p + k_s
        self.underdetermined = False
        self._null = None
        if f:
            stacked = np.vstack([b_big, np.diag(self._q_diag)])
            _, sv, vt = np.linalg.svd(stacked, full_matrices=True)
            scale = max(1.0, sv[0] if sv.size else 0.0)
            rank = int(np.sum(sv > UNDERDETERMINED_RTOL * scale))
            if rank < f:
                self.underdetermined = True
                self._null = self._null_space_in_omega(vt[rank:].T)
        self._kkt_factor = None
        if not self.underdetermined and self._kkt.shape[0] > KKT_FACTOR_MIN:
            import scipy.linalg as sla  # ~180 ms to import: only for large pinned sets

            self._kkt_factor = sla.lu_factor(self._kkt)

    def _null_space_in_omega(self, null_f: np.ndarray) -> np.ndarray:
        """Orthonormal basis of ker L_free: directions ``[d; A⁻¹ B d]`` restricted to Ω."""
        bd = np.zeros((self.layout.size - self._n0, null_f.shape[1]))
        bd[self._slices[0]] = self._t0_free @ null_f
        vp = self.forward_solve(bd)
        basis = np.vstack([null_f, vp[self._free_c]])
        q, _ = np.linalg.qr(basis)
        return q

    def _solve_kkt(self, rhs: np.ndarray) -> np.ndarray:
        if not rhs.size:
            return rhs
        if self._kkt_factor is not None:
            import scipy.linalg as sla

            return sla.lu_solve(self._kkt_factor, rhs)
        if not self.underdetermined:
            try:
                return np.linalg.solve(self._kkt, rhs)
            except np.linalg.LinAlgError:
                pass  # numerically singular after all: the least-squares answer below
        return np.linalg.lstsq(self._kkt, rhs, rcond=None)[0]

    # -- public operations on Ω ---------------------------------------------------------
    def matvec(self, v: np.ndarray) -> np.ndarray:
        """``L_free v`` for v of shape (n_free,) or (n_free, m)."""
        full = np.zeros((self.layout.size,) + v.shape[1:])
        full[self.free_index] = v
        lv = self.apply_dt(self.apply_d(full))[self.free_index]
        omega_pos = np.searchsorted(self.free_index, self.pins.soft_index)
        gamma = self.pins.soft_gamma if v.ndim == 1 else self.pins.soft_gamma[:, None]
        lv[omega_pos] += gamma * v[omega_pos]
        return lv

    def solve(self, b: np.ndarray) -> np.ndarray:
        """``L_free⁻¹ b`` (minimum-norm when under-determined), b of shape (n_free,) or (n_free, m)."""
        n0, f = self._n0, self._free_x.size
        b_f, b_c = b[:f], b[f:]
        b_c_full = np.zeros((self.layout.size - n0,) + b.shape[1:])
        b_c_full[self._free_c] = b_c
        beta = self.backward_solve(b_c_full)
        b_hat_f = b_f + self._t0_free.T @ beta[self._slices[0]]
        rhs = np.concatenate([-(self._cbig_t.T @ beta), -b_hat_f])
        sol = self._solve_kkt(rhs)
        lam, v_f = sol[:self._k], sol[self._k:]
        r = beta + self._cbig_t @ lam
        r[self._slices[0]] += self._t0_free @ v_f
        v_c = self.forward_solve(r)
        v = np.concatenate([v_f, v_c[self._free_c]])
        if self._null is not None:
            v -= self._null @ (self._null.T @ v)
        return v

    def solve_units(self, positions: np.ndarray, out: np.ndarray, work: np.ndarray) -> None:
        """``L_free⁻¹ [e_p for p in positions]`` written into ``out`` (n_free, k), a
        non-singular system only.

        The same passes as :meth:`solve`, but in place in ``work`` (flat, at least
        (size − n_x)·k entries): the batched columns of :mod:`lowrank` are ~1 MB arrays,
        and fresh ones of that size cost more in page faults than their GEMMs.
        """
        n0, f, s = self._n0, self._free_x.size, self._slices
        k = positions.size
        w = work[:(self.layout.size - n0) * k].reshape(-1, k)
        w.fill(0.0)
        in_x = positions < f
        cols = np.arange(k)
        w[np.arange(self.layout.size - n0)[self._free_c][positions[~in_x] - f],
          cols[~in_x]] = 1.0
        top = len(s) - 1
        while top > 0 and not w[s[top]].any():
            top -= 1
        for j in range(top, 0, -1):  # backward substitution, in place
            w[s[j - 1]] += self._maps[j].apply_t(w[s[j]])
        b_hat_f = self._t0_free.T @ w[s[0]]
        b_hat_f[positions[in_x], cols[in_x]] += 1.0
        sol = self._solve_kkt(np.concatenate([-(self._cbig_t.T @ w), -b_hat_f]))
        lam, v_f = sol[:self._k], sol[self._k:]
        for blk in s:  # r = β + C_bigᵀλ, block by block (no full-size temporary)
            w[blk] += self._cbig_t[blk] @ lam
        w[s[0]] += self._t0_free @ v_f
        for j in range(1, len(s)):  # forward substitution, in place
            w[s[j]] += self._maps[j].apply(w[s[j - 1]])
        out[:f] = v_f
        out[f:] = w[self._free_c]

    def harmonic_extension(self) -> np.ndarray:
        """The minimiser of the fixed-σ energy with the pins held, shape (size,).

        Solves ``L_free c_Ω = E_Ωᵀ Dᵀ (g − D c_U) + Γ t`` (affine form).
        """
        pins = self.pins
        c = np.zeros(self.layout.size)
        c[pins.hard_index] = pins.hard_value
        if not self._free_x.size:
            return self._harmonic_input_pinned(c)
        rhs = self._apply_dt_free(self._g - self.apply_d(c))
        rhs[np.searchsorted(self.free_index, pins.soft_index)] += pins.soft_gamma * pins.soft_value
        c[self.free_index] = self.solve(rhs)
        return c

    def _harmonic_input_pinned(self, c: np.ndarray) -> np.ndarray:
        """:meth:`harmonic_extension` when every input coordinate is hard-pinned (the usual
        case), on ``c`` holding the hard values, shape (size,).

        Then ``c' = A⁻¹(u + r)`` with ``u = g + E₀T₀x``, and the discrepancy ``r`` of least
        norm (plus soft-pin penalty) meeting the pins is ``C_bigᵀ μ`` with ``H μ = [e; d]``:
        ``e = p − f_P`` the hard pins' misfit and ``d = Γ^½ (t − f_S)`` the soft pins', where
        ``f = A⁻¹u`` is the (linearised) forward pass and ``H`` the Schur matrix. ``f`` is
        only needed at the pinned coordinates, and there it is ``C_bigᵀ u`` (the columns of
        ``C_big`` are ``A⁻ᵀ`` of the pins' unit vectors): one forward pass in all, instead of
        a pass to form the right-hand side and a backward and a forward pass to solve.
        """
        n0, s = self._n0, self._slices
        u = self._g.copy()
        u[s[0]] += self._t0 @ c[:n0]
        pins = self.pins
        target = np.concatenate([c[n0:][self._hard_c], np.sqrt(self._soft_c_gamma)
                                 * pins.soft_value[pins.soft_index >= n0]])
        misfit = target - self._cbig_t.T @ u
        u += self._cbig_t @ self._solve_kkt(misfit)
        c[n0:] = self.forward_solve(u)
        c[pins.hard_index] = pins.hard_value  # exactly, not to rounding
        return c

    def dense_free_laplacian(self) -> np.ndarray:
        """``L_free`` as a dense array (small systems and tests only), shape (n_free, n_free)."""
        return self.matvec(np.eye(self.n_free))
