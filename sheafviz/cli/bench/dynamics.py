"""Joint-flow step rate against a plain numpy step and a backprop gradient-descent step.

Three implementations of one step on the same network and batch, timed in one run:

* ``joint``: :class:`sheafviz.core.flows.jointstep.JointStepper` (the paper-mode step the
  :class:`~sheafviz.core.flows.training.JointFlow` uses),
* ``plain``: :func:`plain_paper_step`, the straightforward numpy transcription
  (also the reference the tests compare against),
* ``backprop``: one full-batch backprop gradient-descent step on the forward MSE.

Targets: at [64,256,256,10] × 256 a joint step costs at most 3× a backprop step; at
the paper's [2,30,1] × 300 the joint step is at least 2× faster than the plain one.
"""

from __future__ import annotations

import time

import numpy as np

from sheafviz.core.model.backprop import backprop
from sheafviz.core.flows.jointstep import JointStepper
from sheafviz.core.model.network import Network

CASES = (("paraboloid-like [2,30,1] x 300", [2, 30, 1], 300),
         ("[64,256,256,10] x 256", [64, 256, 256, 10], 256))


def plain_paper_step(weights, biases, X, Y, z, a, *, alpha: float, beta: float, dt: float):
    """One paper-mode Euler step written plainly (identity head; the heat-flow forces, then
    the parameter update).

    Parameters
    ----------
    weights, biases : lists of ndarray; X (B, n0), Y (B, n_out); z : list (B, n_l) l=1..K+1;
    a : list (B, n_l) l=1..K

    Returns
    -------
    (weights, biases, z, a) after the step (new lists; inputs untouched)
    """
    K = len(weights) - 1
    prev = [X] + a
    rho = [prev[l] @ weights[l].T + biases[l] - z[l] for l in range(K + 1)]
    new_z, new_a = [], []
    for l in range(K):
        m = (z[l] >= 0).astype(float)
        dz = rho[l] - m * (z[l] - a[l])
        da = -(a[l] - m * z[l]) - rho[l + 1] @ weights[l + 1]
        new_z.append(z[l] + dt * alpha * dz)
        new_a.append(a[l] + dt * alpha * da)
    new_z.append(z[K] + dt * alpha * (rho[K] + (Y - z[K])))
    new_w = [w - dt * beta * (r.T @ p) for w, r, p in zip(weights, rho, prev)]
    new_b = [b - dt * beta * r.sum(axis=0) for b, r in zip(biases, rho)]
    return new_w, new_b, new_z, new_a


def _rates(fns: dict, steps: int, *, repeat: int = 7) -> dict:
    """Best steps/second of each ``fn(steps)``; runs are interleaved so that machine noise
    (a shared 2-core box) hits every implementation alike."""
    best = {name: np.inf for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn(steps)
            best[name] = min(best[name], time.perf_counter() - t)
    return {name: steps / t for name, t in best.items()}


def _case(arch, batch):
    rng = np.random.default_rng(0)
    net = Network.he_init(arch, rng=rng)
    X = rng.uniform(-2, 2, size=(batch, arch[0]))
    Y = rng.normal(size=(batch, arch[-1]))
    fwd = net.forward(X)
    return net, X, Y, fwd


def measure(arch, batch, *, steps: int | None = None) -> dict:
    """Steps per second of the three implementations (see the module docstring)."""
    net, X, Y, fwd = _case(arch, batch)
    small = sum(arch) < 200
    steps = steps or (2000 if small else 30)
    dt, alpha, beta = 0.001, 1.0, 1.0 / batch
    stepper = JointStepper(net.weights, net.biases, "identity", X, Y, fwd.z, fwd.a,
                           alpha=alpha, beta=beta, dt=dt)

    def plain(n):
        w, b, z, a = net.weights, net.biases, fwd.z, fwd.a
        for _ in range(n):
            w, b, z, a = plain_paper_step(w, b, X, Y, z, a, alpha=alpha, beta=beta, dt=dt)

    def bp(n):
        w, b = [x.copy() for x in net.weights], [x.copy() for x in net.biases]
        scale = 1.0 / Y.size
        for _ in range(n):
            _, gw, gb = backprop(w, b, "identity", X, Y, scale=scale)
            for l in range(len(w)):
                w[l] -= 0.005 * gw[l]
                b[l] -= 0.005 * gb[l]

    return _rates({"joint": stepper.step, "plain": plain, "backprop": bp}, steps)


def run(print_fn=print) -> None:
    print_fn(f"{'case':>32} {'joint st/s':>11} {'plain st/s':>11} {'backprop st/s':>14} "
             f"{'joint vs plain':>15} {'joint cost / bp':>16}")
    for name, arch, batch in CASES:
        r = measure(arch, batch)
        print_fn(f"{name:>32} {r['joint']:>11.0f} {r['plain']:>11.0f} {r['backprop']:>14.0f} "
                 f"{r['joint'] / r['plain']:>14.2f}x {r['backprop'] / r['joint']:>15.2f}x")


if __name__ == "__main__":
    run()
