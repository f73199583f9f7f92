"""Joint-flow step rate against a plain numpy step and a backprop gradient-descent step.

Three implementations of one step on the same network and batch, timed in one run:

* ``joint``: :class:`sheafviz.core.flows.jointstep.JointStepper` (the paper-mode step the
  :class:`~sheafviz.core.flows.training.JointFlow` uses),
* ``plain``: :func:`plain_paper_step`, the straightforward numpy transcription of SPEC §10
  (also the reference the tests compare against),
* ``backprop``: one full-batch backprop gradient-descent step on the forward MSE.

Also the compiled step (numba, the ``fast`` extra) and the step's matrix products alone.
Targets: the compiled step ≥ 6× faster than the plain one at the paper's [2,30,1] × 300,
and ≤ 1.2× its own GEMMs at [64,256,256,10] × 256.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.backprop import backprop
from sheafviz.cli.bench.timing import median_seconds
from sheafviz.core.flows.jointstep import JointStepper
from sheafviz.core.flows.jointstep_compiled import compiled_available, make_joint_stepper
from sheafviz.core.model.network import Network

CASES = (("paraboloid-like [2,30,1] x 300", [2, 30, 1], 300),
         ("[64,256,256,10] x 256", [64, 256, 256, 10], 256))


def plain_paper_step(weights, biases, X, Y, z, a, *, alpha: float, beta: float, dt: float):
    """One paper-mode Euler step written plainly (identity head; SPEC §8 forces, §10 update).

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


def _case(arch, batch):
    rng = np.random.default_rng(0)
    net = Network.he_init(arch, rng=rng)
    X = rng.uniform(-2, 2, size=(batch, arch[0]))
    Y = rng.normal(size=(batch, arch[-1]))
    fwd = net.forward(X)
    return net, X, Y, fwd


def _gemms(stepper):
    """The products of one joint step alone, on the stepper's own buffers: for every
    layer ``[W|b] a`` and ``ρ aᵀ``, and ``[W|b]ᵀ ρ`` for every layer but the first."""
    K, prev_list = stepper.K, [stepper.x_aug] + stepper.a_aug
    wtr = [np.empty((w.shape[1], stepper.B)) for w in stepper.Wb[1:]]

    def run(n):
        for _ in range(n):
            for l in range(K + 1):
                np.dot(stepper.Wb[l], prev_list[l], out=stepper.rho[l])
                np.dot(stepper.rho[l], prev_list[l].T, out=stepper.gWb[l])
            for l in range(K):
                np.dot(stepper.Wb[l + 1].T, stepper.rho[l + 1], out=wtr[l])
    return run


def measure(arch, batch, *, steps: int | None = None) -> dict:
    """Seconds per step (medians) of the implementations in the module docstring, plus
    ``compiled`` (numba, when installed) and ``gemms`` (the step's products alone)."""
    net, X, Y, fwd = _case(arch, batch)
    small = sum(arch) < 200
    steps = steps or (2000 if small else 10)
    dt, alpha, beta = 0.001, 1.0, 1.0 / batch
    args = (net.weights, net.biases, "identity", X, Y, fwd.z, fwd.a)
    rates = dict(alpha=alpha, beta=beta, dt=dt)
    stepper = JointStepper(*args, **rates)

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

    fns = {"joint": stepper.step, "plain": plain, "backprop": bp, "gemms": _gemms(stepper)}
    if compiled_available():
        fast = make_joint_stepper(*args, **rates, engine="compiled")
        fast.step(1)  # compile (or load the cache) outside the timing
        fns["compiled"] = fast.step
    return median_seconds(fns, steps)


def run(print_fn=print) -> None:
    print_fn(f"{'case':>32} {'plain us':>10} {'numpy us':>10} {'compiled us':>12} "
             f"{'GEMMs us':>10} {'backprop us':>12} {'compiled/plain':>15} "
             f"{'compiled/GEMMs':>15}")
    for name, arch, batch in CASES:
        r = measure(arch, batch)
        comp = r.get("compiled")
        shown = f"{1e6 * comp:>12.1f}" if comp else f"{'-':>12}"
        speed = f"{r['plain'] / comp:>14.2f}x" if comp else f"{'-':>15}"
        cost = f"{comp / r['gemms']:>14.2f}x" if comp else f"{'-':>15}"
        print_fn(f"{name:>32} {1e6 * r['plain']:>10.1f} {1e6 * r['joint']:>10.1f} {shown} "
                 f"{1e6 * r['gemms']:>10.1f} {1e6 * r['backprop']:>12.1f} {speed} {cost}")
    print_fn("plain = the straightforward numpy step; numpy = JointStepper; compiled = the "
             "numba step (extra 'fast'); GEMMs = that step's matrix products alone. "
             "Targets: compiled ≥ 6x faster than plain at [2,30,1]; compiled ≤ 1.2x its "
             "GEMMs at [64,256,256,10]. Medians of 7 interleaved repeats.")


if __name__ == "__main__":
    run()
