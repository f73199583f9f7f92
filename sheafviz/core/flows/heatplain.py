"""Whole heat-flow steps in numpy for the common case, as lean as a hand-written loop.

:class:`~sheafviz.core.flows.heatstep.HeatGradient` is general (any output head, either
force, soft pins) and the flow around it adds per-step bookkeeping (sliding checks, a
switch test built from fresh arrays); at the GUI's sizes that overhead is the whole cost.
:class:`BufferedHeatSteps` handles the common case — identity output, energy force, no
soft pins, no slaved outputs, no neuron sliding — with the operations of a plain Euler loop
on preallocated views and nothing else:

* the forward residual of every edge (``W a + b`` precomputed when ``a`` is hard-pinned
  and so constant), written straight into the z-gradient as ``z − (W a + b) = −ρ``;
* the backward accumulation ``∂/∂a += ρᵀ W`` edge by edge;
* the ReLU terms with the activation mask of the state, which is the same boolean array
  the switch test compares against the flow's sign record (one comparison per step);
* the energy only when a recording asks for it, the velocity ``α max|∇|`` only when a
  convergence tolerance is set (else once, for the last step).

It is bit-for-bit the same gradient and update as the general numpy step (the sign
identities used — ``z − s = −(s − z)``, ``(−ρ)ᵀW = −(ρᵀW)`` — are exact in floating point).
The flow calls :meth:`BufferedHeatSteps.run` exactly as it calls the compiled steps.
"""

from __future__ import annotations

import numpy as np


def buffered_steps_apply(network, resolved, slaved_index, force: str) -> bool:
    """Whether :class:`BufferedHeatSteps` covers this flow (identity output, energy force,
    no soft pins, no slaved outputs)."""
    return (network.output == "identity" and force == "energy" and
            resolved.soft_index.size == 0 and np.asarray(slaved_index).size == 0)


class BufferedHeatSteps:
    """Euler steps ``c ← c − αΔt ∇E`` on views of the flow's cochain ``c`` (updated in place).

    Parameters
    ----------
    layout : SheafLayout; network : Network; resolved : ResolvedPins (no soft pins)
    c : ndarray (size,), the flow's state; views of it are kept
    z_index : ndarray (n_z,) int, flat indices of the hidden z coordinates, layer by layer
    """

    def __init__(self, layout, network, resolved, c: np.ndarray, z_index: np.ndarray) -> None:
        self.c, self.grad = c, np.zeros_like(c)
        self.scaled = np.empty_like(c)
        st, gs = layout.split(c), layout.split(self.grad)
        k = self.K = layout.n_hidden
        hard = np.zeros(c.shape[0], bool)
        hard[resolved.hard_index] = True
        written = np.ones(c.shape[0], bool)  # gradient entries assigned each step
        names = ["x"] + [f"a{l}" for l in range(1, k + 1)]
        self.W = [np.ascontiguousarray(w) for w in network.weights]
        self.b = [np.asarray(b, dtype=float) for b in network.biases]
        self.prev = [st[n] for n in names]
        self.gprev = []
        for n in names:
            sl = layout.vertex(n).slice
            pinned = bool(hard[sl].all())
            self.gprev.append(None if pinned else gs[n])
            if pinned and n == "x":
                written[sl] = False
        # W a + b of an edge whose input stalk is fully hard-pinned never changes.
        self.const = [np.dot(w, p) + b if hard[layout.vertex(n).slice].all() else None
                      for w, p, b, n in zip(self.W, self.prev, self.b, names)]
        self.z = [st[f"z{l}"] for l in range(1, k + 2)]
        self.gz = [gs[f"z{l}"] for l in range(1, k + 2)]
        self.a, self.ga = self.prev[1:], [gs[f"a{l}"] for l in range(1, k + 1)]
        y_slice = layout.vertex("y").slice
        self.y, self.gy = st["y"], (None if hard[y_slice].all() else gs["y"])
        if self.gy is None:
            written[y_slice] = False
        inside = resolved.hard_index[written[resolved.hard_index]]
        self.hard_index = inside if inside.size else None  # pinned entries of written stalks
        back = [None] + [np.empty(w.shape[1]) for w in self.W[1:]]
        self.r = self.gy if self.gy is not None else np.empty(self.y.shape[0])
        ends = np.cumsum([0] + list(layout.arch[1:k + 1]))
        self.ones = np.ones(max(layout.arch[1:]))
        self.mask = np.empty(len(z_index))                # 1.0 where the hidden z ≥ 0
        self.mask_layers = [self.mask[ends[l]:ends[l + 1]] for l in range(k)]
        self.plan = []
        for l in range(k + 1):
            relu = None
            if l < k:
                relu = (self.a[l], self.ga[l], np.empty(layout.arch[l + 1]),
                        self.mask_layers[l])
            self.plan.append((self.gz[l], self.z[l], self.const[l], self.W[l], self.prev[l],
                              self.b[l], self.gprev[l], back[l], relu))
        self.step = np.empty_like(c)

    def _gradient(self, with_energy: bool) -> float:
        """∇E at ``c`` into ``grad``, with ``self.mask`` the activation pattern of ``c``
        (1.0 where z ≥ 0); returns E when asked (else 0)."""
        sub, mul = np.subtract, np.multiply
        sq = 0.0
        for gz, z, const, w, prev, b, gprev, back, relu in self.plan:
            if const is not None:
                sub(z, const, gz)                          # −ρ = z − (W a + b)
            else:
                w.dot(prev, gz)
                np.add(gz, b, gz)
                sub(z, gz, gz)
            if with_energy:
                sq += float(gz.dot(gz))
            if gprev is not None:                          # ∂/∂a += ρᵀW = −(−ρ)ᵀW
                if back is None:
                    gz.dot(w, gprev)
                    np.negative(gprev, gprev)
                else:
                    gz.dot(w, back)
                    sub(gprev, back, gprev)
            if relu is not None:                           # the edge a = relu(z)
                a, ga, t, m = relu
                mul(z, m, t)                               # relu(z) = z·[z ≥ 0]
                sub(a, t, ga)                              # q = a − relu(z)
                mul(ga, m, t)
                sub(gz, t, gz)
                if with_energy:
                    sq += float(ga.dot(ga))
        gz, r = self.gz[-1], self.r                        # identity output: r = y − z
        sub(self.y, self.z[-1], r)
        sub(gz, r, gz)
        if self.hard_index is not None:
            self.grad[self.hard_index] = 0.0
        return 0.5 * (sq + float(r.dot(r))) if with_energy else 0.0

    def _fill_mask(self) -> None:
        for z, m in zip(self.z, self.mask_layers):
            np.heaviside(z, self.ones[:z.shape[0]], m)     # 1.0 where z ≥ 0 (−0 too)

    def run(self, n: int, *, step_size: float, alpha: float, tol: float, sign: np.ndarray,
            pending: bool, record_every: int, steps0: int):
        """Up to ``n`` steps; the contract of
        :meth:`~sheafviz.core.flows.heatstep.CompiledHeatSteps.run` (stop after a step
        that flips a hidden z against ``sign``, status 1, or whose velocity is below
        ``tol``, status 2).

        Returns
        -------
        (steps taken, status, velocity of the last step, energies (list), pending flag)
        """
        c, g, scaled, step = self.c, self.grad, self.scaled, self.step
        step.fill(step_size)
        self._fill_mask()
        sign_bytes = np.asarray(sign, dtype=float).tobytes()
        mask, fill_mask, gradient = self.mask, self._fill_mask, self._gradient
        check_velocity = tol > 0.0
        energies, status, done, velocity = [], 0, n, np.inf
        for s in range(n):
            e = gradient(pending)
            if pending:
                energies.append(e)
            if check_velocity:
                velocity = alpha * float(np.abs(g).max()) if g.size else 0.0
            np.multiply(g, step, scaled)
            np.subtract(c, scaled, c)
            pending = (steps0 + s + 1) % record_every == 0
            fill_mask()                                    # the pattern of the new state
            if mask.tobytes() != sign_bytes:
                status = 1
            elif check_velocity and velocity < tol:
                status = 2
            if status:
                done = s + 1
                break
        if not check_velocity and n > 0:
            velocity = alpha * float(np.abs(g).max()) if g.size else 0.0
        return done, status, velocity, energies, pending
