"""Two-sided equilibria (x and y pinned) of a whole batch at once.

Used by the adiabatic joint flow and for the residual R of the gd baseline. Per example and
fixed pattern σ, every free cochain is parametrised by its edge discrepancies ``r_e`` (the
map is unit-triangular), the output is ``z = f_σ(x) + Σ_e J_e r_e`` with ``J_e`` the
sensitivity of the output pre-activation to a unit discrepancy on edge e, and the objective
is ``½Σ_e‖r_e‖² + ℓ(z)`` with ℓ the output edge's term. A Newton (Gauss–Newton for the
``energy`` force with a nonlinear head) step on ℓ around ``z0`` gives, with
``M = Σ_e J_e J_eᵀ``, gradient ``g`` and Hessian ``H`` of ℓ at ``z0``:

    r_e = −J_eᵀ (I + H M)⁻¹ (g + H (f_σ − z0))

(push-through identity; only ``n_out × n_out`` systems are solved). For the identity head
``H = I`` and ``g = z0 − y`` and this is exactly the single-example ``r_e = J_eᵀ S⁻¹ (y − f)``; the
iteration is the active set, batched, warm-started from a given pattern. Examples
whose pattern does not settle within ``max_iter`` iterations (cycling or sliding) are
reported as not ``consistent`` — their last iterate is returned.

Why not the lead's per-example ``equilibrium()`` or a heat flow to tolerance: a Python loop
over 300 examples per parameter step, or thousands of Euler steps (the late rate is
``2αλ_min`` with λ_min ≈ 0.03), would make the adiabatic mode orders of magnitude slower;
the batched active set is exact in one or two iterations when σ is stable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.flows.forces import cross_entropy


def free_block_columns(widths) -> tuple[list[int], list[int], int]:
    """Column offsets of the free blocks ``z1, a1, …, zK, aK, z{K+1}`` (x and y excluded).

    Parameters
    ----------
    widths : sequence of int, ``[n1, …, nK+1]``

    Returns
    -------
    zc : list of int (K+1), offset of each z_l; ac : list of int (K), offset of each a_l;
    end : int, the number of columns
    """
    K = len(widths) - 1
    col, zc, ac = 0, [], []
    for l in range(K + 1):
        zc.append(col)
        col += widths[l]
        if l < K:
            ac.append(col)
            col += widths[l]
    return zc, ac, col


@dataclass(frozen=True)
class BatchEquilibrium:
    """Stalks at the two-sided equilibria of a batch (all arrays have B rows).

    Attributes
    ----------
    z : list of ndarray (B, n_l), l = 1..K+1
    a : list of ndarray (B, n_l), l = 1..K
    rho : list of ndarray (B, n_l), prediction errors ``W a + b − z`` (= −r_aff)
    q : list of ndarray (B, n_l), relu discrepancies ``a − relu(z)``
    r_out : ndarray (B, n_out), ``y − φ(z{K+1})``
    consistent : ndarray (B,) bool, the pattern of the result is the one it was solved for
    iterations : int
    """

    z: list
    a: list
    rho: list
    q: list
    r_out: np.ndarray
    consistent: np.ndarray
    iterations: int

    def energy(self) -> np.ndarray:
        """E per example (½Σ d_e), shape (B,)."""
        total = np.sum(self.r_out ** 2, axis=1)
        for r in self.rho + self.q:
            total = total + np.sum(r * r, axis=1)
        return 0.5 * total

    def param_gradient(self, X: np.ndarray):
        """``Σ_i ∇_θ E`` at these stalks: ``(grad_w list, grad_b list)``."""
        prev = [X] + self.a
        return ([r.T @ p for r, p in zip(self.rho, prev)], [r.sum(axis=0) for r in self.rho])


def _phi(z, output):
    if output == "identity":
        return z
    if output == "sigmoid":
        from scipy.special import expit  # scipy.special costs ~50 ms at start-up

        return expit(z)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _output_model(z0, Y, output, force):
    """Gradient g (B, o) and Hessian H (B, o, o) of the output term ℓ at z0."""
    n = z0.shape[1]
    if output == "identity":
        return z0 - Y, np.broadcast_to(np.eye(n), (len(z0), n, n))
    p = _phi(z0, output)
    if output == "sigmoid":
        jac = np.einsum("bi,ij->bij", p * (1.0 - p), np.eye(n))
    else:
        jac = np.einsum("bi,ij->bij", p, np.eye(n)) - p[:, :, None] * p[:, None, :]
    if force == "cross-entropy":
        return p - Y, jac
    return -np.einsum("bij,bj->bi", jac, Y - p), jac @ jac  # J symmetric: JᵀJ = J²


def _same_rows(patterns_a, patterns_b, n: int) -> np.ndarray:
    """Per example: do two lists of patterns (each (n, n_l)) agree everywhere? Shape (n,)
    (all True without hidden layers)."""
    same = np.ones(n, dtype=bool)
    for a, b in zip(patterns_a, patterns_b):
        same &= np.all(a == b, axis=1)
    return same


def _settled(sigma, new_sigma, z_out, z0, *, tol: float, output: str) -> np.ndarray:
    """Per example, shape (B,): the active set kept its pattern, and a nonlinear head's
    linearisation point ``z0`` (B, n_out) stopped moving (an identity head has none)."""
    moved = np.max(np.abs(z_out - z0), axis=1) <= tol * (1.0 + np.max(np.abs(z0), axis=1))
    return _same_rows(sigma, new_sigma, z0.shape[0]) & (moved | (output == "identity"))


def two_sided_batch(weights, biases, output: str, X, Y, *, force: str = "energy",
                    sigma0=None, z0=None, max_iter: int | None = None, tol: float = 1e-12
                    ) -> BatchEquilibrium:
    """Equilibria of the batch with x and y pinned (see the module docstring).

    Parameters
    ----------
    weights, biases : lists of ndarray
    X : ndarray (B, n0); Y : ndarray (B, n_out)
    sigma0 : list of ndarray (B, n_l) of 0/1, optional starting pattern (default: forward)
    max_iter : int, batched passes before the per-example sliding fallback
        (default 6 for an identity head, 20 otherwise)
    z0 : ndarray (B, n_out), optional linearisation point of a nonlinear head
    """
    K = len(weights) - 1
    B = X.shape[0]
    if max_iter is None:  # the active set settles in 1–3 passes; Gauss–Newton needs more
        max_iter = 6 if output == "identity" else 20
    if sigma0 is None or z0 is None:
        a, fwd_sigma = X, []
        for l, (w, b) in enumerate(zip(weights, biases)):
            z = a @ w.T + b
            if l < K:
                fwd_sigma.append((z >= 0).astype(float))
                a = np.maximum(z, 0.0)
        sigma0 = fwd_sigma if sigma0 is None else sigma0
        z0 = z if z0 is None else z0
    sigma = [np.asarray(s, dtype=float) for s in sigma0]
    z0 = np.array(z0, dtype=float)
    settled = np.zeros(B, dtype=bool)
    for it in range(1, max_iter + 1):
        zs, as_, r_aff, r_relu = _solve_fixed(weights, biases, output, force, X, Y, sigma, z0)
        new_sigma = [(z >= 0).astype(float) for z in zs[:-1]]
        settled = _settled(sigma, new_sigma, zs[-1], z0, tol=tol, output=output)
        if settled.all():
            old_sigma, sigma, z0 = sigma, new_sigma, zs[-1]
            break
        if output == "identity" and it >= 2:  # every unsettled example in a 2-cycle: stop
            if np.all(_same_rows(older_sigma, new_sigma, B) | settled):
                old_sigma, sigma, z0 = sigma, new_sigma, zs[-1]
                break
        older_sigma = sigma
        old_sigma, sigma, z0 = sigma, new_sigma, zs[-1]
    bad = np.flatnonzero(~settled)
    if bad.size:
        # A neuron that keeps flipping is (almost always) on a sliding surface: pin it at 0.
        cycling = [s_old[bad] != s_new[bad] for s_old, s_new in zip(old_sigma, sigma)]
        z_s, a_s, ok = _sliding_batch(weights, biases, output, force, X[bad], Y[bad],
                                      [s[bad] for s in sigma], cycling, z0[bad])
        rows = bad[ok]
        for l, z in enumerate(z_s):
            zs[l][rows] = z[ok]
        for l, a in enumerate(a_s):
            as_[l][rows] = a[ok]
        settled[rows] = True
    return equilibrium_at(weights, biases, output, X, Y, zs, as_, consistent=settled,
                          iterations=it)


def equilibrium_at(weights, biases, output: str, X, Y, z, a, *, consistent, iterations: int
                   ) -> BatchEquilibrium:
    """The :class:`BatchEquilibrium` of given stalks ``z`` (list (B, n_l), l = 1..K+1) and
    ``a`` (list (B, n_l), l = 1..K): their residuals, computed exactly as the solver does, so
    a saved equilibrium (its stalks and ``consistent`` flags) is rebuilt bit for bit."""
    prev = [X] + list(a)
    rho = [p @ w.T + b - zl for p, w, b, zl in zip(prev, weights, biases, z)]
    q = [al - np.maximum(zl, 0.0) for al, zl in zip(a, z[:-1])]
    r_out = Y - _phi(z[-1], output)
    return BatchEquilibrium(z=list(z), a=list(a), rho=rho, q=q, r_out=r_out,
                            consistent=np.asarray(consistent, dtype=bool),
                            iterations=int(iterations))


def _sliding_batch(weights, biases, output, force, X, Y, sigma, cycling, z0, *,
                   max_iter: int = 30, tol: float = 1e-12):
    """Dense fallback for the examples that did not settle: active set with the cycling
    hidden z's pinned at 0 (where both patterns agree, relu(0) = 0), Newton on the output term.

    Per example it minimises ``½‖A c − h‖² + ℓ(z{K+1})`` over the free stalks
    ``c = (z1, a1, …, zK, aK, z{K+1})`` (A, h: the affine and relu rows of the coboundary) by
    its normal equations, batched over the U examples; a pinned coordinate gets an identity
    row and column. A neuron that flips twice more joins the pinned set.

    Returns
    -------
    z list (U, n_l), a list (U, n_l), ok (U,) bool — ok where the pattern settled
    """
    K = len(weights) - 1
    U = X.shape[0]
    widths = [w.shape[0] for w in weights]
    zc, ac, col = free_block_columns(widths)
    n = col
    rows = sum(widths) + sum(widths[:K])
    A0, h = np.zeros((rows, n)), np.zeros((U, rows))
    relu_rows, r = [], 0
    for l in range(K + 1):  # the σ-independent part of A (and h)
        w = widths[l]
        A0[r:r + w, zc[l]:zc[l] + w] = np.eye(w)
        if l == 0:
            h[:, r:r + w] = X @ weights[0].T + biases[0]
        else:
            A0[r:r + w, ac[l - 1]:ac[l - 1] + widths[l - 1]] = -weights[l]
            h[:, r:r + w] = biases[l]
        r += w
        if l < K:
            A0[r:r + w, ac[l]:ac[l] + w] = np.eye(w)
            relu_rows.append(r)
            r += w
    pinned = [np.asarray(c, dtype=bool).copy() for c in cycling]
    flips = [np.zeros(p.shape, dtype=int) for p in pinned]
    sigma = [np.array(s, dtype=float) for s in sigma]
    z0 = np.array(z0, dtype=float)
    ok = np.zeros(U, dtype=bool)
    o = slice(zc[K], zc[K] + widths[K])
    eye_n = np.eye(n)
    for _ in range(max_iter):
        A = np.broadcast_to(A0, (U, rows, n)).copy()
        for l in range(K):
            w = widths[l]
            idx = np.arange(w)
            A[:, relu_rows[l] + idx, zc[l] + idx] = -sigma[l]
        At = np.swapaxes(A, 1, 2)
        N = At @ A
        rhs = np.einsum("bji,bj->bi", A, h)
        g, H = _output_model(z0, Y, output, force)
        N[:, o, o] += H
        rhs[:, o] -= g - np.einsum("bij,bj->bi", H, z0)
        mask = np.zeros((U, n), dtype=bool)
        for l in range(K):
            mask[:, zc[l]:zc[l] + widths[l]] = pinned[l]
        N = np.where(mask[:, :, None] | mask[:, None, :], 0.0, N) + mask[:, :, None] * eye_n
        rhs = np.where(mask, 0.0, rhs)
        try:
            c = np.linalg.solve(N, rhs[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            break
        zs = [c[:, zc[l]:zc[l] + widths[l]] for l in range(K + 1)]
        new = [np.where(p, s, (z >= 0).astype(float)) for p, s, z in zip(pinned, sigma,
                                                                           zs[:-1])]
        ok = _settled(sigma, new, zs[-1], z0, tol=tol, output=output)
        if ok.all():
            break
        for l in range(K):  # a further neuron flipping back and forth joins the pinned set
            flips[l] += new[l] != sigma[l]
            pinned[l] |= flips[l] >= 2
        sigma, z0 = new, zs[-1].copy()
    return zs, [c[:, ac[l]:ac[l] + widths[l]] for l in range(K)], ok


def _solve_fixed(weights, biases, output, force, X, Y, sigma, z0):
    """One Newton / active-set iteration at fixed σ (see the module docstring)."""
    K = len(weights) - 1
    B, n_out = Y.shape
    a = X
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = a @ w.T + b
        if l < K:
            a = sigma[l] * z
    f = z
    # Sensitivities J (B, n_out, n) of the output pre-activation, backwards along the path.
    G = np.broadcast_to(np.eye(n_out), (B, n_out, n_out))
    j_aff, j_relu = [None] * (K + 1), [None] * K
    for l in range(K, -1, -1):
        j_aff[l] = G
        if l > 0:
            j_relu[l - 1] = G @ weights[l]
            G = j_relu[l - 1] * sigma[l - 1][:, None, :]
    M = np.zeros((B, n_out, n_out))
    for j in j_aff + j_relu:
        M += j @ np.swapaxes(j, 1, 2)
    g, H = _output_model(z0, Y, output, force)
    rhs = g + np.einsum("bij,bj->bi", H, f - z0)
    s = np.linalg.solve(np.eye(n_out) + H @ M, rhs[:, :, None])[:, :, 0]
    r_aff = [-np.einsum("boi,bo->bi", j, s) for j in j_aff]
    r_relu = [-np.einsum("boi,bo->bi", j, s) for j in j_relu]
    zs, as_ = [], []
    a = X
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = a @ w.T + b + r_aff[l]
        zs.append(z)
        if l < K:
            a = sigma[l] * z + r_relu[l]
            as_.append(a)
    return zs, as_, r_aff, r_relu


def objective_per_example(eq: BatchEquilibrium, output: str, force: str, Y) -> np.ndarray:
    """What the adiabatic flow minimises per example: E, or with the CE force
    ``½Σ_{aff,relu} d_e + CE(y, φ(z))``."""
    if force != "cross-entropy":
        return eq.energy()
    inner = sum(np.sum(r * r, axis=1) for r in eq.rho + eq.q)
    return 0.5 * inner + cross_entropy(eq.z[-1], Y, output)
