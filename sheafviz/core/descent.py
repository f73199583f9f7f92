"""Plain gradient descent on the true, piecewise-quadratic energy (the solver's fallback).

This is the heat flow of SPEC §8 with α = 1 and a step 1/λ_max, used only when the active
set and the sliding step both fail to settle; the animated, recorded flow is in heat.py.
"""

from __future__ import annotations

import numpy as np

from .linear import FixedSigmaSystem
from .network import phi_jacobian
from .sheaf import discrepancies


def true_energy_gradient(layout, network, pins, c: np.ndarray) -> np.ndarray:
    """∇ of E (σ read off ``c``) plus the soft-pin penalty; zero on hard pins. Shape (size,)."""
    stalks = layout.split(c)
    grad = np.zeros_like(c)
    g = layout.split(grad)
    for edge, r in zip(layout.edges, discrepancies(layout, network, c)):
        g[edge.head] += r
        if edge.type == "affine":
            g[edge.tail] -= network.weights[edge.layer - 1].T @ r
        elif edge.type == "relu":
            g[edge.tail] -= (stalks[edge.tail] >= 0) * r
        else:
            g[edge.tail] -= phi_jacobian(stalks[edge.tail], network.output).T @ r
    res = pins.resolve(layout)
    grad[res.soft_index] += res.soft_gamma * (c[res.soft_index] - res.soft_value)
    grad[res.hard_index] = 0.0
    return grad


def _lambda_max(system: FixedSigmaSystem, *, iterations: int = 50) -> float:
    v = np.random.default_rng(0).normal(size=system.n_free)
    lam = 1.0
    for _ in range(iterations):
        w = system.matvec(v)
        lam = float(np.linalg.norm(w))
        if lam == 0.0:
            return 1.0
        v = w / lam
    return lam


def descend(layout, network, pins, c0: np.ndarray, *, max_steps: int = 200_000,
            tol: float = 1e-12) -> np.ndarray:
    """Gradient descent from ``c0`` (hard pins imposed) until the gradient is below ``tol``."""
    c = pins.apply(layout, c0)
    z_out = c[layout.vertex(f"z{layout.n_hidden + 1}").slice]
    lam = _lambda_max(FixedSigmaSystem(layout, network, layout.sigma_of(c), pins, z_out=z_out))
    # λ_max over patterns differs little from the current one; 1.2× leaves room for that.
    step = 1.0 / (1.2 * lam)
    for _ in range(max_steps):
        grad = true_energy_gradient(layout, network, pins, c)
        if np.max(np.abs(grad)) < tol:
            break
        c -= step * grad
    return c
