"""TEMPORARY fallbacks used by :mod:`sheafviz.gui.engine` only while a core module is missing.

Everything here is deliberately small and slow-but-correct (dense least squares, plain Euler).
:mod:`engine` prefers the real core implementation whenever it is importable and implemented;
these exist so the window can run while the core is being written in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.network import Network, phi, phi_jacobian
from ..core.pins import PinSet
from ..core.sheaf import SheafLayout, coboundary, energy


@dataclass(frozen=True)
class FallbackSolution:
    """The subset of ``core.solve.Solution`` the GUI reads."""

    cochain: np.ndarray
    sigma: list
    energy: float
    pin_energy: float
    consistent: bool
    flipped: list
    on_boundary: list
    underdetermined: bool
    local: bool = True
    method: str = "fallback-lstsq"
    iterations: int = 1
    cycled: bool = False


def _fixed_sigma_solve(layout, network, pins: PinSet, sigma, z_out):
    """Dense least squares of ``min ½‖δc − g‖² + soft pins`` over the free coordinates."""
    delta, g = coboundary(layout, network, sigma, z_out=z_out)
    delta = delta.toarray()
    res = pins.resolve(layout)
    free = res.free_index
    rhs = g - delta[:, res.hard_index] @ res.hard_value
    a = delta[:, free]
    if res.soft_index.size:
        pos = np.searchsorted(free, res.soft_index)
        rows = np.zeros((res.soft_index.size, free.size))
        rows[np.arange(res.soft_index.size), pos] = np.sqrt(res.soft_gamma)
        a = np.vstack([a, rows])
        rhs = np.concatenate([rhs, np.sqrt(res.soft_gamma) * res.soft_value])
    sol, _, rank, _ = np.linalg.lstsq(a, rhs, rcond=None)
    c = np.empty(layout.size)
    c[res.hard_index] = res.hard_value
    c[free] = sol
    return c, rank < free.size


def equilibrium(network: Network, pins: PinSet, *, sigma="auto", layout=None):
    """Active set from the forward pattern (a few rounds), dense fixed-σ solves."""
    layout = layout or SheafLayout(network.arch)
    hard = pins.resolve(layout)
    x_idx = layout.vertex("x").slice
    c_guess = np.zeros(layout.size)
    c_guess[hard.hard_index] = hard.hard_value
    fwd = layout.forward_cochain(network, c_guess[x_idx])
    sig = layout.sigma_of(fwd)
    z_out = fwd[layout.vertex(f"z{layout.n_hidden + 1}").slice]
    seen = []
    c, under = fwd, False
    for _ in range(12):
        for _gn in range(1 if network.output == "identity" else 8):
            c, under = _fixed_sigma_solve(layout, network, pins, sig, z_out)
            z_out = c[layout.vertex(f"z{layout.n_hidden + 1}").slice]
        if sigma == "forward":
            break
        new = layout.sigma_of(c)
        key = tuple(np.concatenate(new).astype(int)) if new else ()
        if all(np.array_equal(s, n) for s, n in zip(sig, new)):
            break
        if key in seen:
            break
        seen.append(key)
        sig = new
    fwd_sig = layout.sigma_of(fwd)
    now = layout.sigma_of(c)
    flipped, boundary = [], []
    for l, (s0, s1) in enumerate(zip(fwd_sig, now), start=1):
        z = c[layout.vertex(f"z{l}").slice]
        tol = 1e-9 * max(1.0, float(np.max(np.abs(z))))
        flipped += [f"z{l}[{j}]" for j in np.flatnonzero(s0 != s1)]
        boundary += [f"z{l}[{j}]" for j in np.flatnonzero(np.abs(z) <= tol)]
    consistent = all(np.array_equal(s, n) for s, n in zip(sig, now))
    res = pins.resolve(layout)
    pin_e = 0.5 * float(np.sum(res.soft_gamma * (c[res.soft_index] - res.soft_value) ** 2))
    return FallbackSolution(c, now, float(energy(layout, network, c)), pin_e, consistent,
                            flipped, boundary, under)


def gradient(layout: SheafLayout, network: Network, c: np.ndarray) -> np.ndarray:
    """∇E of SPEC §4 with σ read off ``c`` (shape (..., size))."""
    st = layout.split(c)
    grad = np.zeros_like(c)
    gs = layout.split(grad)
    k = layout.n_hidden
    for l in range(1, k + 2):
        tail = "x" if l == 1 else f"a{l - 1}"
        w, b = network.weights[l - 1], network.biases[l - 1]
        r = st[f"z{l}"] - st[tail] @ w.T - b
        gs[f"z{l}"] += r
        gs[tail] -= r @ w
        if l <= k:
            z = st[f"z{l}"]
            rr = st[f"a{l}"] - np.maximum(z, 0.0)
            gs[f"a{l}"] += rr
            gs[f"z{l}"] -= (z >= 0) * rr
    z = st[f"z{k + 1}"]
    r = st["y"] - phi(z, network.output)
    gs["y"] += r
    if network.output == "identity":
        gs[f"z{k + 1}"] -= r
    elif z.ndim == 1:
        gs[f"z{k + 1}"] -= phi_jacobian(z, network.output).T @ r
    else:
        for i in range(z.shape[0]):
            gs[f"z{k + 1}"][i] -= phi_jacobian(z[i], network.output).T @ r[i]
    return grad


class UnstableStepError(RuntimeError):
    """α·Δt·λ_max ≥ 2: forward Euler would diverge."""


class FlowDivergedError(RuntimeError):
    """The flow produced a non-finite state."""


class HeatFlow:
    """Minimal forward-Euler sheaf heat flow (SPEC §8) with the real class's interface."""

    def __init__(self, network, pins, c0, *, alpha=1.0, dt=None, record_every=1):
        self.network, self.pins = network, pins
        self.layout = SheafLayout(network.arch)
        self.alpha = float(alpha)
        self.dt = 0.05 if dt is None else float(dt)
        self._c = pins.apply(self.layout, np.asarray(c0, dtype=float))
        self.time, self.steps = 0.0, 0
        self.events: list = []

    @property
    def cochain(self):
        return self._c

    @property
    def energy(self):
        return float(energy(self.layout, self.network, self._c))

    def set_pins(self, pins):
        self.pins = pins
        self._c = pins.apply(self.layout, self._c)

    def set_network(self, network):
        self.network = network

    def advance(self, n: int) -> bool:
        res = self.pins.resolve(self.layout)
        step = self.alpha * self.dt
        v = 0.0
        for _ in range(int(n)):
            g = gradient(self.layout, self.network, self._c)
            if res.soft_index.size:
                g[res.soft_index] += res.soft_gamma * (self._c[res.soft_index] - res.soft_value)
            g[res.hard_index] = 0.0
            self._c = self._c - step * g
            if not np.all(np.isfinite(self._c)):
                raise FlowDivergedError("the flow diverged (non-finite state); lower Δt")
            self.time += self.dt
            self.steps += 1
            v = float(np.max(np.abs(step * g))) / self.dt if g.size else 0.0
        return v < 1e-9


class JointFlow:
    """Minimal paper-mode joint flow (SPEC §10): simultaneous Euler of stalks and weights."""

    def __init__(self, network, X, Y, *, mode="paper", alpha=1.0, beta=None, dt=0.005,
                 c0=None):
        self.network = network
        self.layout = SheafLayout(network.arch)
        self.X, self.Y = np.atleast_2d(X).astype(float), np.atleast_2d(Y).astype(float)
        self.alpha, self.dt = float(alpha), float(dt)
        self.beta = 1.0 / len(self.X) if beta is None else float(beta)
        self.time, self.steps = 0.0, 0
        if c0 is None:
            c0 = self.layout.forward_cochain(network, self.X)
        self._c = np.array(c0, dtype=float)
        self._fix()
        self.history: list = []

    def _fix(self):
        self._c[:, self.layout.vertex("x").slice] = self.X
        self._c[:, self.layout.vertex("y").slice] = self.Y

    @property
    def cochains(self):
        return self._c

    def advance(self, n: int) -> bool:
        lay, k = self.layout, self.layout.n_hidden
        for _ in range(int(n)):
            net = self.network
            st = lay.split(self._c)
            gw, gb = [], []
            for l in range(1, k + 2):
                tail = st["x"] if l == 1 else st[f"a{l - 1}"]
                rho = tail @ net.weights[l - 1].T + net.biases[l - 1] - st[f"z{l}"]
                gw.append(rho.T @ tail)
                gb.append(rho.sum(axis=0))
            g = gradient(lay, net, self._c)
            self._c = self._c - self.dt * self.alpha * g
            self._fix()
            self.network = net.with_parameters(
                [w - self.dt * self.beta * d for w, d in zip(net.weights, gw)],
                [b - self.dt * self.beta * d for b, d in zip(net.biases, gb)])
            if not np.all(np.isfinite(self._c)):
                raise FlowDivergedError("the joint flow diverged; lower Δt or β")
            self.time += self.dt
            self.steps += 1
        return False


def running_preset():
    """A stand-in for the running-241 preset: fixed [2,4,1] with x and y clamped."""
    from ..core.presets import Preset

    w1 = np.array([[1.0, -0.5], [0.4, 0.9], [-0.8, 0.6], [0.5, 0.5]])
    b1 = np.array([0.1, -0.2, 0.3, -0.4])
    w2 = np.array([[0.8, -0.6, 0.7, 0.9]])
    b2 = np.array([0.05])
    net = Network([w1, w2], [b1, b2])
    lay = SheafLayout(net.arch)
    pins = PinSet().pin(lay, "x", [1.0, 0.5]).pin(lay, "y", [1.5])
    return Preset("running-241", "Running example [2,4,1], a training pair clamped",
                  "Fallback preset", net, pins)
