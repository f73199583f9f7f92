"""The compiled engine beside the paper graph and the paper mode's start options: the heat
flow on the paper graph (slaved outputs) and the joint flow with hidden pins / a random
start, each against a plain loop written here."""

from __future__ import annotations

import numpy as np
import pytest

from reference import dense_coboundary
from sheafviz.core.flows.heat import HeatFlow
from sheafviz.core.flows.training import JointFlow
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout

HAS_NUMBA = __import__("importlib").util.find_spec("numba") is not None


def _paper_heat_reference(net, lay, c0, *, x, soft_t, gamma, step, n):
    """Euler on the paper graph by hand: the soft pin on the absent y acts on z{K+1}, y is
    held equal to z{K+1} (so the out edge exerts no force); the last state."""
    y, zo = lay.vertex("y").slice, lay.vertex(f"z{lay.n_hidden + 1}").slice
    xs = lay.vertex("x").slice
    z_blocks = [lay.vertex(f"z{l}").slice for l in range(1, lay.n_hidden + 1)]
    c = c0.copy()
    c[xs] = x
    c[y] = c[zo]
    for _ in range(n):
        sigma = [(c[s] >= 0).astype(float) for s in z_blocks]
        D, g = dense_coboundary(net.weights, net.biases, sigma)
        grad = D.T @ (D @ c - g)
        grad[zo] += gamma * (c[zo] - soft_t)
        grad[xs] = 0.0
        c = c - step * grad
        c[y] = c[zo]
    return c


@pytest.mark.parametrize("engine", ["numpy", pytest.param("auto", marks=pytest.mark.skipif(
    not HAS_NUMBA, reason="numba not installed"))])
def test_paper_graph_heat_flow_matches_a_hand_loop_with_either_engine(engine):
    net = Network.he_init([2, 3, 2, 1], seed=4)
    lay = SheafLayout(net.arch)
    x, t, gamma = np.array([0.7, -1.1]), 2.0, 0.5
    pins = PinSet().pin(lay, "x", x).pin_soft(lay, "y", [t], gamma)
    c0 = np.random.default_rng(7).normal(size=lay.size)
    flow = HeatFlow(net, pins, c0, alpha=1.5, dt=0.02, layout=lay, tol=0.0, graph="paper",
                    engine=engine, record_every=5)
    flow.advance(120)
    flow.advance(80)
    want = _paper_heat_reference(net, lay, c0, x=x, soft_t=t, gamma=gamma, step=0.03, n=200)
    assert np.abs(flow.cochain - want).max() < 1e-12
    assert np.abs(want - c0).max() > 0.1  # it really moved
    assert flow.cochain[-1] == flow.cochain[-2]  # the absent y follows z3


@pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed")
@pytest.mark.parametrize("y_pinned", [False, True])
def test_paper_graph_heat_trajectory_is_the_same_with_auto_and_numpy(y_pinned):
    """Free y: both engines take the numpy steps (exactly equal); pinned y: the paper graph
    is the chapter graph and the compiled steps run (equal to rounding)."""
    net = Network.he_init([2, 4, 3, 1], seed=2)
    lay = SheafLayout(net.arch)
    pins = PinSet().pin(lay, "x", [0.3, 1.2]).pin_soft(lay, "a1", 0.2, 1.0, 1)
    pins = pins.pin(lay, "y", [0.8]) if y_pinned else pins.pin_soft(lay, "y", [1.5], 2.0)
    c0 = np.random.default_rng(1).normal(size=lay.size)
    runs = []
    for engine in ("auto", "numpy"):
        flow = HeatFlow(net, pins, c0, alpha=1.0, dt=0.02, layout=lay, tol=0.0,
                        graph="paper", engine=engine, record_every=3)
        states = []
        for _ in range(6):
            flow.advance(25)
            states.append(flow.cochain.copy())
        runs.append((np.array(states), np.array(flow.energy_trace)))
    (sa, ea), (sn, en) = runs
    if y_pinned:
        assert np.abs(sa - sn).max() < 1e-12 and np.abs(ea - en).max() < 1e-12
    else:
        assert np.array_equal(sa, sn) and np.array_equal(ea, en)
        assert np.array_equal(sa[:, -1], sa[:, -2])


def _joint_reference(net, X, Y, z, a, *, alpha, beta, dt, hard, soft, n):
    """The paper mode's joint Euler step by hand (identity output, energy force), hidden
    pins: hard ``{(name, i): v}`` fixed, soft ``{(name, i): (t, γ)}`` adds −γ(c − t)."""
    W = [w.copy() for w in net.weights]
    b = [v.copy() for v in net.biases]
    z = [v.copy() for v in z]
    a = [v.copy() for v in a]
    K = len(W) - 1
    for _ in range(n):
        prev = [X] + a
        rho = [prev[l] @ W[l].T + b[l] - z[l] for l in range(K + 1)]
        fz, fa = [], []
        for l in range(K):
            m = (z[l] >= 0).astype(float)
            fz.append(rho[l] + m * (a[l] - z[l]))
            fa.append(-(a[l] - m * z[l]) - rho[l + 1] @ W[l + 1])
        fz.append(rho[K] + (Y - z[K]))
        rows = {"z": (z, fz), "a": (a, fa)}
        for (name, i), _ in hard.items():
            rows[name[0]][1][int(name[1:]) - 1][:, i] = 0.0
        for (name, i), (t, g) in soft.items():
            st, f = rows[name[0]]
            f[int(name[1:]) - 1][:, i] -= g * (st[int(name[1:]) - 1][:, i] - t)
        gW = [rho[l].T @ prev[l] for l in range(K + 1)]
        gb = [rho[l].sum(axis=0) for l in range(K + 1)]
        z = [zl + alpha * dt * f for zl, f in zip(z, fz)]
        a = [al + alpha * dt * f for al, f in zip(a, fa)]
        W = [w - beta * dt * g for w, g in zip(W, gW)]
        b = [v - beta * dt * g for v, g in zip(b, gb)]
    return W, b, z, a


@pytest.mark.parametrize("with_pins", [False, True])
def test_joint_flow_random_start_and_hidden_pins_match_a_hand_loop(with_pins):
    rng = np.random.default_rng(5)
    net = Network.he_init([2, 5, 4, 2], seed=3)
    X = rng.uniform(-1, 1, size=(7, 2))
    Y = rng.normal(size=(7, 2))
    lay = SheafLayout(net.arch)
    pins = PinSet()
    hard, soft = {}, {}
    if with_pins:
        pins = pins.pin(lay, "z1", 0.4, 2).pin_soft(lay, "a2", 0.3, 1.5, 1)
        hard, soft = {("z1", 2): 0.4}, {("a2", 1): (0.3, 1.5)}
    flow = JointFlow(net, X, Y, mode="paper", alpha=1.2, beta=0.05, dt=0.01,
                     record_every=1000, spectrum_every=1000, init="random", state_seed=9,
                     pins=pins)
    if HAS_NUMBA:
        from sheafviz.core.flows.jointstep_compiled import CompiledJointStepper
        assert isinstance(flow._stepper, CompiledJointStepper)  # the compiled stepper runs
    z0, a0 = flow.stalks
    assert np.abs(z0[0] - net.forward(X).z[0]).max() > 0.1  # a random start, not forward
    if with_pins:
        assert np.all(z0[0][:, 2] == 0.4)
    flow.advance(300)
    W, b, z, a = _joint_reference(net, X, Y, z0, a0, alpha=1.2, beta=0.05, dt=0.01,
                                  hard=hard, soft=soft, n=300)
    got = flow.network
    for mine, ref in zip(got.weights + got.biases, W + b):
        assert np.abs(mine - ref).max() < 1e-10
    zs, as_ = flow.stalks
    for mine, ref in zip(zs + as_, z + a):
        assert np.abs(mine - ref).max() < 1e-10
    assert np.abs(W[0] - net.weights[0]).max() > 1e-3  # the weights really trained
    if with_pins:
        assert np.all(zs[0][:, 2] == 0.4)
