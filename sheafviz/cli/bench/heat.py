"""Heat-flow step of one small example: HeatFlow's paths against a plain numpy loop.

One [2,4,1] example with x and y pinned, Δt fixed, run without convergence stop:

* ``plain``: the heat step written plainly for this network (three stalks, numpy);
* ``general``: the general batch gradient (``forces.gradient_and_energy``) plus the
  update, the per-step work HeatFlow did before it bound its views;
* ``numpy`` / ``compiled``: :class:`~sheafviz.core.flows.heat.HeatFlow` with
  ``engine="numpy"`` and (numba installed) ``engine="auto"``, with the energy recorded
  every step (``rec 1``, what ``sheafviz relax`` does) and not recorded at all.

Targets: numpy no slower than plain (energy not recorded); compiled ≥ 3× faster than plain.
"""

from __future__ import annotations

import numpy as np

from sheafviz.cli.bench.timing import median_seconds
from sheafviz.core.flows.forces import gradient_and_energy
from sheafviz.core.flows.heat import HeatFlow, initial_state
from sheafviz.core.flows.jointstep_compiled import compiled_available
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout

DT = 0.05
NEVER = 1 << 40


def _problem():
    net = Network.he_init([2, 4, 1], seed=0)
    layout = SheafLayout(net.arch)
    x = np.array([1.0, -0.5])
    y = net.predict(x) + 1.0
    pins = PinSet().pin(layout, "x", x).pin(layout, "y", y)
    return net, layout, pins, x, y


def _plain(net, x, y):
    (w1, w2), (b1, b2) = net.weights, net.biases
    fwd = net.forward(x)

    def run(n):
        z1, a1, z2 = fwd.z[0].copy(), fwd.a[0].copy(), fwd.z[1].copy()
        for _ in range(n):
            r1 = w1 @ x + b1 - z1
            m = (z1 >= 0).astype(float)
            q = a1 - m * z1
            r2 = w2 @ a1 + b2 - z2
            g_z1, g_a1, g_z2 = -r1 - m * q, q + w2.T @ r2, -r2 - (y - z2)
            z1, a1, z2 = z1 - DT * g_z1, a1 - DT * g_a1, z2 - DT * g_z2
    return run


def _general(net, layout, pins, c0):
    res = pins.resolve(layout)

    def run(n):
        c = c0.copy()
        for _ in range(n):
            grad, _ = gradient_and_energy(layout, net, c, res)
            c -= DT * grad
            c[res.hard_index] = res.hard_value
    return run


def measure() -> dict:
    """Seconds per step (medians of interleaved repeats) of the variants above."""
    net, layout, pins, x, y = _problem()
    c0 = initial_state(net, pins, layout=layout)
    fns = {"plain": _plain(net, x, y), "general": _general(net, layout, pins, c0)}
    engines = ["numpy"] + (["auto"] if compiled_available() else [])
    for engine in engines:
        for label, every in (("rec 1", 1), ("no rec", NEVER)):
            flow = HeatFlow(net, pins, c0, dt=DT, layout=layout, tol=0.0, engine=engine,
                            record_every=every)
            flow.advance(2)  # compile / warm up outside the timing
            name = "compiled" if engine == "auto" else "numpy"
            fns[f"{name} {label}"] = flow.advance
    return median_seconds(fns, 2000)


def run(print_fn=print) -> None:
    r = measure()
    plain = r["plain"]
    print_fn(f"{'[2,4,1], one example':>28} {'us/step':>9} {'vs plain':>9}")
    for name, t in r.items():
        print_fn(f"{name:>28} {1e6 * t:>9.2f} {plain / t:>8.2f}x")
    print_fn("plain = the heat step written plainly for this network; general = the batch "
             "gradient HeatFlow used before; numpy / compiled = HeatFlow's engines, energy "
             "recorded every step (rec 1) or never. Targets: numpy (no rec) no slower than "
             "plain; compiled ≥ 3x faster than plain.")
