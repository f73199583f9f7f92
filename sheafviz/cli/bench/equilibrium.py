"""The state-dependent equilibrium at depth against one fixed-σ solve of the same network.

8 hidden layers of 128 (input 4, output 2, He initialised), x ~ N(0, 1) and y = the
forward prediction + N(0, 0.3²) pinned, 50 random pins. For each pin the time of
``equilibrium(sigma="auto")`` is divided by the time of one fixed-σ solve (a
:class:`~sheafviz.core.solvers.linear.FixedSigmaSystem` built and solved at the forward
pattern); the median and maximum of that ratio are printed for today's method (low-rank
updates of the forward pattern's system) and for the same active set with a full system
per pattern (the method before). Target: median ≤ 20×, max ≤ 60×.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from sheafviz.cli.bench.timing import median_of
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers import solve as solve_module
from sheafviz.core.solvers.linear import FixedSigmaSystem

ARCH = [4] + [128] * 8 + [2]
N_PINS, Y_OFFSET = 50, 0.3


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def measure(n_pins: int = N_PINS) -> dict:
    net = Network.he_init(ARCH, seed=0)
    layout = SheafLayout(net.arch)
    rng = np.random.default_rng(1)
    ratios = {"now": [], "before": []}
    iterations, same = [], 0
    for _ in range(n_pins):
        x = rng.normal(size=ARCH[0])
        y = net.predict(x) + Y_OFFSET * rng.normal(size=ARCH[-1])
        pins = PinSet().pin(layout, "x", x).pin(layout, "y", y)
        sigma = net.forward(x).sigma
        one = median_of(lambda: FixedSigmaSystem(layout, net, sigma, pins)
                        .harmonic_extension(), repeat=5)
        t_now, now = _timed(lambda: solve_module._auto_equilibrium(layout, net, pins, sigma))
        t_old, old = _timed(lambda: solve_module._auto_equilibrium(
            layout, net, pins, sigma, low_rank=False))
        ratios["now"].append(t_now / one)
        ratios["before"].append(t_old / one)
        iterations.append(now.iterations)
        same += int(np.abs(now.cochain - old.cochain).max() < 1e-8)
    return {"ratios": ratios, "iterations": iterations, "same": same, "n": n_pins}


def run(print_fn=print) -> None:
    r = measure()
    print_fn(f"equilibrium {ARCH[0]},128x8,{ARCH[-1]}, y pinned off the prediction by "
             f"N(0,{Y_OFFSET}²), {r['n']} pins: time / one fixed-σ solve")
    print_fn(f"{'method':>34} {'median':>8} {'max':>8}")
    for key, label in (("before", "full system per pattern (before)"),
                       ("now", "low-rank updates (now)")):
        v = r["ratios"][key]
        print_fn(f"{label:>34} {statistics.median(v):>7.1f}x {max(v):>7.1f}x")
    it = r["iterations"]
    print_fn(f"active-set iterations: median {statistics.median(it):.0f}, max {max(it)}; "
             f"same equilibrium as before for {r['same']}/{r['n']} pins. Target: median ≤ "
             f"20x, max ≤ 60x.")
