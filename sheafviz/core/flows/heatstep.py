"""The heat flow's force on one cochain, on preallocated views (SPEC §8).

:func:`~sheafviz.core.flows.forces.gradient_and_energy` is general (batches, any layout)
and builds a dict of views, fresh arrays and ~100 numpy calls per step; at the GUI's sizes
(a [2,4,1] network, one cochain) that overhead is the whole cost. :class:`HeatGradient`
binds views of one cochain array and of a gradient buffer once, skips the terms of fully
pinned stalks (their gradient is zeroed anyway), and writes into buffers: about 20 numpy
calls per step for one hidden layer. The energy is summed only when asked.

:class:`CompiledHeatSteps` (numba, the ``fast`` extra) runs whole Euler steps in one
compiled call — gradient, velocity, update and the test for a ReLU switch — for the
identity output with the energy force; the flow falls back to the numpy gradient for the
steps it does not handle (other heads, sliding neurons).
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.flows.forces import phi_vjp
from sheafviz.core.model.network import phi


class HeatGradient:
    """Gradient of the flow objective (E + soft-pin penalty, CE output term in that force
    mode) at the cochain ``c``, hard-pinned entries zeroed.

    Parameters
    ----------
    layout : SheafLayout; network : Network; resolved : ResolvedPins
    c : ndarray (size,), the flow's state; views of it are kept, so it must be updated in
        place afterwards
    force : {"energy", "cross-entropy"}
    """

    def __init__(self, layout, network, resolved, c: np.ndarray, *, force: str) -> None:
        self.c, self.grad = c, np.zeros_like(c)
        self.output, self.ce = network.output, force == "cross-entropy"
        st, gs = layout.split(c), layout.split(self.grad)
        self.K = k = layout.n_hidden
        hard = np.zeros(c.shape[0], bool)
        hard[resolved.hard_index] = True
        self.hard_index = resolved.hard_index if resolved.hard_index.size else None
        self.soft = ((resolved.soft_index, resolved.soft_gamma, resolved.soft_value)
                     if resolved.soft_index.size else None)
        self.W = [np.ascontiguousarray(w) for w in network.weights]
        self.b = [np.asarray(b, dtype=float) for b in network.biases]
        names = ["x"] + [f"a{l}" for l in range(1, k + 1)]
        self.prev = [st[n] for n in names]
        self.gprev = [None if hard[layout.vertex(n).slice].all() else gs[n] for n in names]
        self.z = [st[f"z{l}"] for l in range(1, k + 2)]
        self.gz = [gs[f"z{l}"] for l in range(1, k + 2)]
        self.a, self.ga = self.prev[1:], [gs[f"a{l}"] for l in range(1, k + 1)]
        self.y, self.gy = st["y"], (None if hard[layout.vertex("y").slice].all() else gs["y"])
        self.rho = [np.empty(w.shape[0]) for w in self.W]
        self.back = [np.empty(w.shape[1]) for w in self.W]
        self.mask = [np.empty(n, bool) for n in layout.arch[1:k + 1]]
        self.q = [np.empty(n) for n in layout.arch[1:k + 1]]
        self.t = [np.empty(n) for n in layout.arch[1:k + 1]]

    def compute(self, *, with_energy: bool = False):
        """``(grad, E or None)``; ``grad`` is the internal buffer (overwritten next call).

        Every entry of a stalk that is not fully hard-pinned is assigned before it is
        accumulated into, so the buffer needs no clearing (fully pinned stalks stay 0).
        """
        dot, sub, mul, add = np.dot, np.subtract, np.multiply, np.add
        K, sq = self.K, 0.0
        for l in range(K + 1):
            rho = self.rho[l]
            dot(self.W[l], self.prev[l], out=rho)
            add(rho, self.b[l], out=rho)
            sub(rho, self.z[l], out=rho)               # ρ_l = W a + b − z
            np.negative(rho, out=self.gz[l])
        for l in range(K):
            z, m, t, ga = self.z[l], self.mask[l], self.t[l], self.ga[l]
            np.maximum(z, 0.0, out=t)
            sub(self.a[l], t, out=ga)                  # q = a − relu(z), ∂/∂a of ½|q|²
            np.greater_equal(z, 0.0, out=m)
            mul(ga, m, out=t)
            sub(self.gz[l], t, out=self.gz[l])
            if with_energy:
                sq += float(dot(ga, ga))
        for l in range(K + 1):
            gprev = self.gprev[l]
            if gprev is None:                          # a fully pinned stalk
                continue
            if l == 0:
                dot(self.rho[0], self.W[0], out=gprev)
            else:
                dot(self.rho[l], self.W[l], out=self.back[l])
                add(gprev, self.back[l], out=gprev)
        r = self._output_term()
        if self.soft is not None:
            index, gamma, value = self.soft
            self.grad[index] += gamma * (self.c[index] - value)
        if self.hard_index is not None:
            self.grad[self.hard_index] = 0.0
        if not with_energy:
            return self.grad, None
        sq += sum(float(dot(v, v)) for v in self.rho)
        return self.grad, 0.5 * (sq + float(dot(r, r)))

    def _output_term(self) -> np.ndarray:
        """Add the output edge's terms; return its residual r = y − φ(z)."""
        z, gz = self.z[-1], self.gz[-1]
        if self.output == "identity":
            r = np.subtract(self.y, z)
            np.subtract(gz, r, out=gz)
        else:
            p = phi(z, self.output)
            r = self.y - p
            gz -= r if self.ce else phi_vjp(z, p, r, self.output)
        if self.gy is not None:
            np.copyto(self.gy, r)
        return r


class CompiledHeatSteps:
    """Whole Euler steps of the heat flow in one numba call (identity output, energy
    force, no neuron sliding). Parameters as :class:`HeatGradient`, plus the flat indices
    ``z_index`` of the hidden z coordinates."""

    def __init__(self, layout, network, resolved, c: np.ndarray, z_index: np.ndarray) -> None:
        self._run = None  # the kernel, imported (numba) at the first step
        self.c = c
        arch = np.asarray(layout.arch, dtype=np.int64)
        self.arch = arch
        self.W = np.concatenate([np.ravel(w) for w in network.weights])
        self.b = np.concatenate([np.ravel(b) for b in network.biases])
        self.woff = np.cumsum([0] + [w.size for w in network.weights]).astype(np.int64)
        self.boff = np.cumsum([0] + list(arch[1:])).astype(np.int64)
        off = {v.name: v.offset for v in layout.vertices}
        k = layout.n_hidden
        self.prev_off = np.array([off["x"]] + [off[f"a{l}"] for l in range(1, k + 1)],
                                 dtype=np.int64)
        self.z_off = np.array([off[f"z{l}"] for l in range(1, k + 2)], dtype=np.int64)
        self.y_off = int(off["y"])
        self.free = np.ones(c.shape[0])
        self.free[resolved.hard_index] = 0.0
        self.gamma = np.zeros(c.shape[0])
        self.target = np.zeros(c.shape[0])
        self.gamma[resolved.soft_index] = resolved.soft_gamma
        self.target[resolved.soft_index] = resolved.soft_value
        self.z_index = np.asarray(z_index, dtype=np.int64)
        self.grad = np.zeros_like(c)
        self.out = np.zeros(3)
        self.energies = np.empty(65)

    def run(self, n: int, *, step_size: float, alpha: float, tol: float, sign: np.ndarray,
            pending: bool, record_every: int, steps0: int):
        """Up to ``n`` steps from ``c`` (in place); stop after a step that flips a hidden
        ``z`` (against ``sign``) or whose velocity ``α max|∇|`` is below ``tol``.

        Returns
        -------
        (steps taken, status 0 = all / 1 = switch / 2 = converged, velocity of the last
        step, energies (m,) of the pending start state and of the states reached at
        multiples of ``record_every`` (``steps0`` = the count at the start) whose next
        gradient ran in this call, whether the final state is left pending)
        """
        if self._run is None:
            from sheafviz.core.flows import heatstep_kernels
            self._run = heatstep_kernels.heat_steps
        if self.energies.shape[0] < n + 1:
            self.energies = np.empty(n + 1)
        done, status = self._run(int(n), self.c, self.grad, self.W, self.b, self.arch,
                                 self.woff, self.boff, self.prev_off, self.z_off, self.y_off,
                                 self.free, self.gamma, self.target, self.z_index, sign,
                                 float(step_size), float(alpha), float(tol), bool(pending),
                                 int(record_every), int(steps0), self.energies, self.out)
        return (int(done), int(status), float(self.out[0]),
                self.energies[:int(self.out[1])].tolist(), bool(self.out[2]))
