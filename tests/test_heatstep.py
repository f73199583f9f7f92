"""The fast heat-flow paths (numpy on bound views; compiled whole steps) against a plain
Euler loop on the dense coboundary of tests/reference.py."""

from __future__ import annotations

import numpy as np
import pytest

from reference import dense_coboundary, true_energy
from sheafviz.core.flows.heat import HeatFlow
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout

ENGINES = ["numpy", pytest.param("auto", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("numba") is None, reason="numba not installed"))]


def _setup():
    net = Network.he_init([2, 3, 2, 1], seed=4)
    lay = SheafLayout(net.arch)
    pins = (PinSet().pin(lay, "x", [0.7, -1.1]).pin(lay, "a1", 0.4, 1)
            .pin_soft(lay, "y", [2.0], 0.5).pin_soft(lay, "z2", 0.3, 2.0, 0))
    c0 = np.random.default_rng(7).normal(size=lay.size)
    return net, lay, pins, c0


def _plain_euler(net, lay, pins, c0, *, step, n):
    """c ← c − step·(Dᵀ(Dc − g) + γ(c − t)) with σ from c, hard pins held; the states."""
    res = pins.resolve(lay)
    c = c0.copy()
    c[res.hard_index] = res.hard_value
    z_blocks = [lay.vertex(f"z{l}").slice for l in range(1, lay.n_hidden + 1)]
    states = [c.copy()]
    for _ in range(n):
        sigma = [(c[s] >= 0).astype(float) for s in z_blocks]
        D, g = dense_coboundary(net.weights, net.biases, sigma)
        grad = D.T @ (D @ c - g)
        grad[res.soft_index] += res.soft_gamma * (c[res.soft_index] - res.soft_value)
        grad[res.hard_index] = 0.0
        c = c - step * grad
        states.append(c.copy())
    return states


@pytest.mark.parametrize("engine", ENGINES)
def test_heat_paths_match_a_plain_dense_euler_loop(engine):
    net, lay, pins, c0 = _setup()
    flow = HeatFlow(net, pins, c0, alpha=1.5, dt=0.02, layout=lay, record_every=7, tol=0.0,
                    engine=engine)
    flow.advance(150)
    flow.advance(150)  # two calls: the pending record crosses between them
    states = _plain_euler(net, lay, pins, c0, step=1.5 * 0.02, n=300)
    assert flow.sliding == [] and flow.steps == 300
    assert np.abs(flow.cochain - states[-1]).max() < 1e-12
    assert np.abs(states[-1] - states[0]).max() > 0.1  # it really moved
    trace = flow.energy_trace
    assert [round(t / 0.02) for t, _ in trace] == list(range(0, 301, 7))
    expected = [true_energy(net.weights, net.biases, states[s]) for s in range(0, 301, 7)]
    assert np.allclose([e for _, e in trace], expected, rtol=1e-12, atol=1e-12)
    assert len(flow.events) > 0  # the run crossed ReLU kinks (switch tracking exercised)


def test_compiled_and_numpy_flows_agree_with_switches_and_convergence():
    pytest.importorskip("numba")
    net, lay, pins, c0 = _setup()
    flows = [HeatFlow(net, pins, c0, dt=0.02, layout=lay, tol=1e-6, engine=e)
             for e in ("numpy", "auto")]
    for f in flows:
        f.advance(20000)
    a, b = flows
    assert a.converged and b.converged and a.steps == b.steps
    assert np.abs(a.cochain - b.cochain).max() < 1e-12
    assert a.events == b.events
    ta, tb = np.array(a.energy_trace), np.array(b.energy_trace)
    assert ta.shape == tb.shape and ta.shape[0] > 100
    assert np.array_equal(ta[:, 0], tb[:, 0]) and np.allclose(ta[:, 1], tb[:, 1], rtol=1e-12)
