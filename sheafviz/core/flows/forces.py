"""Local forces of the sheaf heat equation on flat cochains.

Everything here works on one cochain of shape ``(size,)`` or a batch ``(B, size)``; σ is read
off each cochain's own ``z`` stalks (rule ``z ≥ 0``), so the gradient is that of the
continuous, piecewise-quadratic energy (at a kink ``z = 0`` it is the one-sided
gradient of the active side, matching the pattern rule).
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.network import Network, phi
from sheafviz.core.model.sheaf import SheafLayout

FORCES = ("energy", "cross-entropy")


def check_force(force: str) -> str:
    if force not in FORCES:
        raise ValueError(f"unknown force {force!r}; expected one of {', '.join(FORCES)}")
    return force


def phi_vjp(z: np.ndarray, p: np.ndarray, v: np.ndarray, output: str) -> np.ndarray:
    """``J_φ(z)ᵀ v`` along the last axis, given ``p = φ(z)`` (J_φ is symmetric here)."""
    if output == "identity":
        return v
    if output == "sigmoid":
        return p * (1.0 - p) * v
    return p * (v - np.sum(p * v, axis=-1, keepdims=True))


def cross_entropy(z: np.ndarray, y: np.ndarray, output: str) -> np.ndarray:
    """CE(y, φ(z)) per example (last axis summed), computed from logits without overflow.

    sigmoid: ``−Σ [y log p + (1−y) log(1−p)]``; softmax: ``−Σ y log p``.
    """
    if output == "sigmoid":
        # log p = −softplus(−z), log(1−p) = −softplus(z)
        return np.sum(y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z), axis=-1)
    if output == "softmax":
        zmax = np.max(z, axis=-1, keepdims=True)
        lse = zmax[..., 0] + np.log(np.sum(np.exp(z - zmax), axis=-1))
        return lse * np.sum(y, axis=-1) - np.sum(y * z, axis=-1)
    raise ValueError("the cross-entropy force needs a sigmoid or softmax output")


def energy_gradient(layout: SheafLayout, network: Network, c: np.ndarray, pins_resolved=None,
                    *, force: str = "energy", free_only: bool = True) -> np.ndarray:
    """Gradient of the flow objective with respect to the cochain.

    The objective is ``E(c)`` plus the soft-pin penalty ``½Σγ(c_s − t_s)²``; with
    ``force="cross-entropy"`` the output edge's term is replaced by CE(y, φ(z)), whose
    z-gradient is ``φ(z) − y`` (no ``J_φ``). In that mode the y-stalk force stays
    ``−(y − φ(z))`` (y is pinned whenever that mode is used for training).

    Parameters
    ----------
    c : ndarray, shape (size,) or (B, size)
    pins_resolved : ResolvedPins, optional
    force : {"energy", "cross-entropy"}
    free_only : bool
        Zero the entries of hard-pinned coordinates (they are not variables).

    Returns
    -------
    ndarray, same shape as ``c``. The heat flow is ``ċ = −α · energy_gradient``.
    """
    check_force(force)
    if force == "cross-entropy" and network.output == "identity":
        raise ValueError("the cross-entropy force needs a sigmoid or softmax output head")
    return gradient_and_energy(layout, network, np.asarray(c, dtype=float), pins_resolved,
                               force=force, free_only=free_only)[0]


def gradient_and_energy(layout: SheafLayout, network: Network, c: np.ndarray, pins_resolved,
                        *, force: str = "energy", free_only: bool = True,
                        with_energy: bool = False):
    """:func:`energy_gradient` (unchecked) and, when asked, E at ``c`` as a
    by-product of the same residuals (float or (B,); None otherwise)."""
    st = layout.split(c)
    grad = np.zeros_like(c)
    gs = layout.split(grad)
    k = layout.n_hidden
    sq = []
    for l, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
        prev = "x" if l == 1 else f"a{l - 1}"
        rho = st[prev] @ w.T + b - st[f"z{l}"]  # prediction error ρ_l = −r_aff
        gs[f"z{l}"] -= rho
        gs[prev] += rho @ w
        sq.append(rho)
    for l in range(1, k + 1):
        z, a = st[f"z{l}"], st[f"a{l}"]
        m = z >= 0
        q = a - np.where(m, z, 0.0)  # relu discrepancy a − relu(z)
        gs[f"a{l}"] += q
        gs[f"z{l}"] -= np.where(m, q, 0.0)
        sq.append(q)
    z, y = st[f"z{k + 1}"], st["y"]
    p = phi(z, network.output)
    r = y - p
    gs["y"] += r
    gs[f"z{k + 1}"] -= r if force == "cross-entropy" else phi_vjp(z, p, r, network.output)
    sq.append(r)
    if pins_resolved is not None:
        si = pins_resolved.soft_index
        if si.size:
            grad[..., si] += pins_resolved.soft_gamma * (c[..., si] - pins_resolved.soft_value)
        if free_only and pins_resolved.hard_index.size:
            grad[..., pins_resolved.hard_index] = 0.0
    e = None
    if with_energy:
        e = 0.5 * sum(np.sum(v * v, axis=-1) for v in sq)
        e = float(e) if np.ndim(e) == 0 else e
    return grad, e


def pin_energy(c: np.ndarray, pins_resolved) -> np.ndarray | float:
    """Soft-pin penalty ``½Σγ(c_s − t_s)²`` (float, or shape (B,) for a batch)."""
    if pins_resolved is None or pins_resolved.soft_index.size == 0:
        return 0.0 if np.ndim(c) == 1 else np.zeros(np.shape(c)[0])
    d = np.asarray(c)[..., pins_resolved.soft_index] - pins_resolved.soft_value
    out = 0.5 * np.sum(pins_resolved.soft_gamma * d * d, axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def objective(layout: SheafLayout, network: Network, c: np.ndarray, pins_resolved=None, *,
              force: str = "energy") -> np.ndarray | float:
    """What the flow descends: E + pin energy, with the output edge replaced by CE in the
    cross-entropy mode."""
    from sheafviz.core.model.sheaf import discords

    d = discords(layout, network, c)
    if force == "cross-entropy":
        k = layout.n_hidden
        st = layout.split(np.asarray(c, dtype=float))
        total = 0.5 * np.sum(d[..., :-1], axis=-1) + cross_entropy(st[f"z{k + 1}"], st["y"],
                                                                   network.output)
    else:
        total = 0.5 * np.sum(d, axis=-1)
    total = total + pin_energy(c, pins_resolved)
    return float(total) if np.ndim(total) == 0 else total
