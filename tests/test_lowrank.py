"""Low-rank fixed-σ solves for the active set, against full systems and the true energy."""

from __future__ import annotations

import numpy as np
import pytest

from reference import true_energy
import sheafviz.core.solvers.solve as solve_module
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.linear import FixedSigmaSystem
from sheafviz.core.solvers.lowrank import LowRankSolver, low_rank_solver


def _problem(arch, seed):
    net = Network.he_init(arch, seed=seed)
    layout = SheafLayout(net.arch)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=arch[0])
    pins = (PinSet().pin(layout, "x", x).pin(layout, "y", net.predict(x) + rng.normal(
        size=arch[-1])).pin_soft(layout, "a1", 0.3, 2.0, 0))
    return net, layout, pins, net.forward(x).sigma, rng


@pytest.mark.parametrize("seed", range(6))
def test_low_rank_solves_match_full_systems(seed):
    net, layout, pins, sigma0, rng = _problem([3, 10, 8, 7, 2], seed)
    fast = LowRankSolver(layout, net, pins, sigma0)
    neurons = [(l, j) for l in (1, 2, 3) for j in range(net.arch[l])]
    for _ in range(8):  # a walk of patterns, as the active set makes
        sigma = [s.copy() for s in sigma0]
        for i in rng.choice(len(neurons), size=rng.integers(0, 9), replace=False):
            l, j = neurons[i]
            sigma[l - 1][j] = 1.0 - sigma[l - 1][j]
        held = {neurons[i] for i in rng.choice(len(neurons), size=rng.integers(0, 4),
                                                 replace=False)}
        for l, j in held:
            sigma[l - 1][j] = 1.0
        full_pins = pins
        for l, j in held:
            full_pins = full_pins.pin(layout, f"z{l}", 0.0, j)
        want = FixedSigmaSystem(layout, net, sigma, full_pins).harmonic_extension()
        got = fast.solve(sigma, held)
        assert np.abs(got - want).max() < 1e-9 * max(1.0, np.abs(want).max())
    # the base, then per solve at most one batched pass, or a new base and one pass
    assert fast.solves <= 2 * 8 + 1


def test_low_rank_is_refused_where_it_would_not_be_exact():
    net, layout, pins, sigma0, _ = _problem([3, 4, 2], 0)
    assert low_rank_solver(layout, net, pins, sigma0) is not None
    assert low_rank_solver(layout, net, pins.pin(layout, "a1", 0.5, 1), sigma0) is None
    sig = Network(net.weights, net.biases, "sigmoid")
    assert low_rank_solver(layout, sig, pins, sigma0) is None
    free_x = PinSet().pin(layout, "y", [0.1, 0.2])  # x free: L_free singular
    assert low_rank_solver(layout, net, free_x, sigma0) is None


@pytest.mark.parametrize("seed", [3, 5, 8])
def test_deep_equilibrium_is_a_local_minimum_and_today_s_answer(seed, monkeypatch):
    arch = [3] + [14] * 8 + [2]
    net = Network.he_init(arch, seed=seed)
    layout = SheafLayout(net.arch)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=3)
    pins = PinSet().pin(layout, "x", x).pin(layout, "y", net.predict(x) + rng.normal(size=2))
    sol = solve_module.equilibrium(net, pins, layout=layout)
    assert sol.local and sol.method in ("direct", "active-set", "sliding")
    assert sol.energy == pytest.approx(true_energy(net.weights, net.biases, sol.cochain),
                                       abs=1e-12)
    pinned = pins.resolve(layout).hard_index
    for scale in (1e-2, 1e-4):
        for _ in range(200):
            c = sol.cochain + scale * rng.normal(size=layout.size)
            c[pinned] = sol.cochain[pinned]
            assert true_energy(net.weights, net.biases, c) >= sol.energy - 1e-12
    # the same equilibrium as with a full system per pattern (the method before)
    monkeypatch.setattr(solve_module, "low_rank_solver", lambda *a, **k: None)
    old = solve_module.equilibrium(net, pins, layout=layout)
    assert old.iterations == sol.iterations
    assert np.abs(old.cochain - sol.cochain).max() < 1e-9
