"""numba kernels of the compiled joint step (imported only by ``jointstep_compiled``).

Layout as :class:`~sheafviz.core.flows.jointstep.JointStepper`: stalks feature-major in
``S`` (rows, B), parameters ``[W_l | b_l]`` row-major in the flat ``P``. Fast-math is
limited to reassociation and contraction (sums may be reordered and fused multiply-adds
used, as BLAS does); comparisons and NaN/inf behave as in numpy.
"""

from __future__ import annotations

import numba

_FM = {"reassoc", "contract"}


@numba.njit(cache=True, fastmath=_FM)
def _residuals(S, P, G, x_aug, rho, arch, zrow, arow, rrow, poff, params):
    """ρ_l = W_l a_{l-1} + b_l − z_l for every layer into ``rho``; the parameter gradient
    ``[ρ aᵀ | Σρ]`` into ``G`` when ``params``."""
    B = S.shape[1]
    for l in range(arch.shape[0] - 1):
        nin, nout, w0, r0, z0 = arch[l], arch[l + 1], poff[l], rrow[l], zrow[l]
        for i in range(nout):
            r = rho[r0 + i]
            zi = S[z0 + i]
            for j in range(B):
                r[j] = -zi[j]
            for k in range(nin + 1):
                w = P[w0 + i * (nin + 1) + k]
                p = x_aug[k] if l == 0 else S[arow[l - 1] + k]
                for j in range(B):
                    r[j] += w * p[j]
        if not params:
            continue
        for i in range(nout):
            r = rho[r0 + i]
            for k in range(nin + 1):
                p = x_aug[k] if l == 0 else S[arow[l - 1] + k]
                s = 0.0
                for j in range(B):
                    s += r[j] * p[j]
                G[w0 + i * (nin + 1) + k] = s


@numba.njit(cache=True, fastmath=_FM)
def _stalk_update(S, P, YT, rho, acc, arch, zrow, arow, rrow, poff, kc):
    """New stalks from the old ones and ``rho``: ż = α(ρ − m(z − a)), ȧ = α(−q − Wᵀρ'),
    output ż = α(ρ + y − z); written in place (every ρ is already computed)."""
    B = S.shape[1]
    K = arch.shape[0] - 2
    for l in range(K):
        n, nnext, w0 = arch[l + 1], arch[l + 2], poff[l + 1]
        for i in range(n):
            for j in range(B):
                acc[j] = 0.0
            for k in range(nnext):
                w = P[w0 + k * (n + 1) + i]
                rk = rho[rrow[l + 1] + k]
                for j in range(B):
                    acc[j] += w * rk[j]
            zi, ai, ri = S[zrow[l] + i], S[arow[l] + i], rho[rrow[l] + i]
            for j in range(B):
                z, a = zi[j], ai[j]
                m = 1.0 if z >= 0.0 else 0.0
                q = a - m * z
                zi[j] = z + kc * (m * q + ri[j])
                ai[j] = a + kc * (-q - acc[j])
    for i in range(arch[K + 1]):
        zi, ri, yi = S[zrow[K] + i], rho[rrow[K] + i], YT[i]
        for j in range(B):
            zi[j] = zi[j] + kc * ((yi[j] - zi[j]) + ri[j])


@numba.njit(cache=True, fastmath=_FM)
def fused_steps(n, S, P, G, x_aug, YT, rho, acc, arch, zrow, arow, rrow, poff, kc, kp,
                params):
    """``n`` whole joint steps (``params`` False: stalks only, θ frozen)."""
    for _ in range(n):
        _residuals(S, P, G, x_aug, rho, arch, zrow, arow, rrow, poff, params)
        _stalk_update(S, P, YT, rho, acc, arch, zrow, arow, rrow, poff, kc)
        if params:
            for t in range(P.shape[0]):
                P[t] -= kp * G[t]


@numba.njit(cache=True, fastmath=_FM)
def hidden_update(z, a, rho, wtr, kc):
    """One hidden layer's stalks in place from ρ_l (n, B) and Wᵀρ_{l+1} (first n rows of
    ``wtr``)."""
    n, B = z.shape
    for i in range(n):
        for j in range(B):
            zz, aa = z[i, j], a[i, j]
            m = 1.0 if zz >= 0.0 else 0.0
            q = aa - m * zz
            z[i, j] = zz + kc * (m * q + rho[i, j])
            a[i, j] = aa + kc * (-q - wtr[i, j])


@numba.njit(cache=True, fastmath=_FM)
def output_update(z, YT, rho, kc):
    """Output stalk in place: z ← z + kc (ρ + y − z) (identity head, energy force)."""
    n, B = z.shape
    for i in range(n):
        for j in range(B):
            z[i, j] = z[i, j] + kc * ((YT[i, j] - z[i, j]) + rho[i, j])


@numba.njit(cache=True, fastmath=_FM)
def param_update(P, G, kp):
    """θ ← θ − kp·G in one pass."""
    for t in range(P.shape[0]):
        P[t] -= kp * G[t]
