"""Two-sided solve and spectrum summary: the structured core against dense numpy."""

from __future__ import annotations

import numpy as np

from sheafviz.cli.bench.timing import median_of, median_seconds

from sheafviz.core.solvers.linear import FixedSigmaSystem
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.spectrum import spectrum_summary

ARCHITECTURES = ([2, 4, 1], [2, 30, 1], [64, 256, 256, 10], [784, 512, 512, 10])


def _problem(arch):
    rng = np.random.default_rng(0)
    net = Network.he_init(arch, rng=rng)
    layout = SheafLayout(net.arch)
    x = rng.normal(size=arch[0])
    pins = PinSet().pin(layout, "x", x).pin(layout, "y", net.predict(x) + 1.0)
    return net, layout, pins, net.forward(x).sigma


def run(print_fn=print) -> None:
    print_fn(f"{'architecture':>20} {'free':>6} {'solve ms':>9} {'dense ms':>9} {'speedup':>8}"
             f" {'spectrum ms':>12} {'dense eig ms':>13}")
    for arch in ARCHITECTURES:
        net, layout, pins, sigma = _problem(arch)

        def structured():
            # a fresh PinSet each time: a new pin (a drag) pays for resolving it too
            fresh = PinSet(hard=dict(pins.hard), soft=dict(pins.soft))
            return FixedSigmaSystem(layout, net, sigma, fresh).harmonic_extension()

        system = FixedSigmaSystem(layout, net, sigma, pins)
        l_dense = system.dense_free_laplacian()
        rhs = l_dense @ structured()[system.free_index]
        def solves(n):
            for _ in range(n):
                structured()

        def dense(n):
            for _ in range(n):
                np.linalg.solve(l_dense, rhs)

        # interleaved, so load from other processes hits both alike; each side warmed by
        # an untimed call of its own (the dense L_free, ~34 MB at 784, evicts the
        # structured solve's weights from cache), and run ~20+ ms per repeat
        calls = {name: max(2, int(0.02 / median_of(lambda: fn(1), repeat=3)))
                 for name, fn in (("solve", solves), ("dense", dense))}
        times = median_seconds({"solve": solves, "dense": dense}, calls, repeat=7,
                               warm=True)
        t_solve, t_dense = times["solve"], times["dense"]
        t_spec = median_of(lambda: spectrum_summary(net, pins, sigma), repeat=3)
        t_eig = median_of(lambda: np.linalg.eigvalsh(l_dense), repeat=2)
        print_fn(f"{str(arch):>20} {system.n_free:>6} {1e3 * t_solve:>9.2f} "
                 f"{1e3 * t_dense:>9.2f} {t_dense / t_solve:>7.1f}x {1e3 * t_spec:>12.1f} "
                 f"{1e3 * t_eig:>13.1f}")
    print_fn("Medians of 7 interleaved repeats, each side warmed by an untimed call of its"
             " own. solve = structured two-sided solve (x and y pinned) including"
             " its setup and resolving a fresh PinSet; dense ="
             " np.linalg.solve on the assembled L_free (assembly not timed); spectrum ="
             " spectrum_summary (all eigenvalues up to 200 free coordinates, else 10+10"
             " extremes by ARPACK); dense eig = np.linalg.eigvalsh on L_free. Target: speedup ≥"
             " 100x at [784,512,512,10].")
