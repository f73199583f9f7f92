"""The state-dependent equilibrium at depth against one fixed-σ solve of the same network.

8 hidden layers of 128 (input 4, output 2, He initialised), x ~ N(0, 1) and y = the
forward prediction + N(0, 0.3²) pinned, 50 random pins. For each pin the time of
``equilibrium(sigma="auto")`` is divided by the time of one fixed-σ solve (a
:class:`~sheafviz.core.solvers.linear.FixedSigmaSystem` built and solved at the forward
pattern). Both sides alike: one BLAS thread (the bench's policy), each call timed alone
right after an untimed warm-up call of the same thing, the repeats of all the methods
interleaved, the median of 7 (:func:`~sheafviz.cli.bench.timing.median_seconds`). The
median and maximum of that ratio are printed for today's method (neurons
that flip back held on their surface at once; low-rank updates of the forward pattern's
system), for the same active set with a full system per pattern, and for the method
before (a full system per pattern, sliding only after a whole pattern repeats).
Target: median ≤ 20×, max ≤ 60×.
"""

from __future__ import annotations

import statistics

import numpy as np

from sheafviz.cli.bench.timing import median_seconds
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers import solve as solve_module
from sheafviz.core.solvers.linear import FixedSigmaSystem

ARCH = [4] + [128] * 8 + [2]
N_PINS, Y_OFFSET = 50, 0.3
REPEAT = 7


def _calls(fn):
    """``fn`` as a callable of n units of work (for :func:`median_seconds`)."""
    def run(n: int):
        for _ in range(n):
            fn()
    return run


def measure(n_pins: int = N_PINS) -> dict:
    net = Network.he_init(ARCH, seed=0)
    layout = SheafLayout(net.arch)
    rng = np.random.default_rng(1)
    ratios = {"now": [], "full": [], "before": []}
    iterations, old_iterations, same, one_times = [], [], 0, []
    for _ in range(n_pins):
        x = rng.normal(size=ARCH[0])
        y = net.predict(x) + Y_OFFSET * rng.normal(size=ARCH[-1])
        pins = PinSet().pin(layout, "x", x).pin(layout, "y", y)
        sigma = net.forward(x).sigma
        solve = solve_module._auto_equilibrium
        times = median_seconds({
            "one": _calls(lambda: FixedSigmaSystem(layout, net, sigma, pins)
                          .harmonic_extension()),
            "now": _calls(lambda: solve(layout, net, pins, sigma)),
            "full": _calls(lambda: solve(layout, net, pins, sigma, low_rank=False)),
            "before": _calls(lambda: solve(layout, net, pins, sigma, low_rank=False,
                                           hold_oscillating=False)),
        }, 1, repeat=REPEAT, warm=True)
        for key in ratios:
            ratios[key].append(times[key] / times["one"])
        one_times.append(times["one"])
        now = solve(layout, net, pins, sigma)
        old = solve(layout, net, pins, sigma, low_rank=False, hold_oscillating=False)
        iterations.append(now.iterations)
        old_iterations.append(old.iterations)
        same += int(np.abs(now.cochain - old.cochain).max() < 1e-8)
    return {"ratios": ratios, "iterations": iterations, "old_iterations": old_iterations,
            "same": same, "n": n_pins, "one": statistics.median(one_times)}


def run(print_fn=print) -> None:
    r = measure()
    print_fn(f"equilibrium {ARCH[0]},128x8,{ARCH[-1]}, y pinned off the prediction by "
             f"N(0,{Y_OFFSET}²), {r['n']} pins: time / one fixed-σ solve (median over the "
             f"pins {r['one'] * 1e3:.3f} ms); each a median of {REPEAT} warm repeats")
    print_fn(f"{'method':>34} {'median':>8} {'max':>8}")
    for key, label in (("before", "the method before"),
                       ("full", "now, but a full system per pattern"),
                       ("now", "now (low-rank updates)")):
        v = r["ratios"][key]
        print_fn(f"{label:>34} {statistics.median(v):>7.1f}x {max(v):>7.1f}x")
    it, old_it = r["iterations"], r["old_iterations"]
    print_fn(f"fixed-σ solves: now median {statistics.median(it):.0f}, max {max(it)}; before "
             f"median {statistics.median(old_it):.0f}, max {max(old_it)}. The same "
             f"equilibrium as before for {r['same']}/{r['n']} pins (the others: another "
             f"local minimum). Target: median ≤ 20x, max ≤ 60x.")
    worst = int(np.argmax(r["ratios"]["now"]))
    print_fn(f"slowest pin now: #{worst} of the seeded sequence ({it[worst]} fixed-σ solves)")
