"""Paper parity: stalk starts (given, random, zeros, no warm start), hidden pins while
training, one-file setups, and the paper's graph — each against a reference written here
(a plain numpy loop of the joint Euler step, a dense coboundary, a dense least squares)."""

from __future__ import annotations

import numpy as np
import pytest

from sheafviz.cli import main
from sheafviz.core.flows.heat import relax
from sheafviz.core.flows.training import JointFlow
from sheafviz.core.flows.trainmetrics import free_lambdas
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.solve import equilibrium
from sheafviz.core.solvers.spectrum import spectrum_summary

ARCH = [2, 4, 3, 1]
B = 6


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    net = Network.he_init(ARCH, seed=seed)
    net = Network(net.weights, [0.1 * rng.standard_normal(n) for n in ARCH[1:]], "identity")
    X = rng.uniform(-1, 1, (B, 2))
    Y = (X ** 2).sum(axis=1, keepdims=True) - 0.5
    return net, X, Y


# -- the reference: docs/mathematics.md, “The joint flow (training)” joint Euler step as a plain loop ------------------------------------
def plain_joint_loop(net, X, Y, z, a, *, steps, alpha, beta, dt, hard=(), soft=(),
                     restart=None):
    """Simultaneous forward Euler of stalks and [W, b] (identity output), written from the
    energy ½Σ‖z−Wa−b‖² + ½Σ‖a−relu(z)‖² + ½‖y−z_out‖² (+ ½γ(c−t)² for soft pins).
    ``hard``/``soft``: [(kind "z"/"a", layer index 0.., coordinate, value[, γ])];
    ``restart(W, b)`` gives new (z, a) at every multiple of 1000 steps."""
    W = [w.copy() for w in net.weights]
    b = [v.copy() for v in net.biases]
    z, a = [v.copy() for v in z], [v.copy() for v in a]
    K = len(W) - 1
    for t in range(steps):
        if restart is not None and t > 0 and t % 1000 == 0:
            z, a = restart(W, b)
        prev = [X] + a
        rho = [prev[l] @ W[l].T + b[l] - z[l] for l in range(K + 1)]
        fz, fa = [None] * (K + 1), [None] * K
        for l in range(K):
            m = (z[l] >= 0).astype(float)
            q = a[l] - m * z[l]
            fz[l] = rho[l] + m * q
            fa[l] = -q - rho[l + 1] @ W[l + 1]
        fz[K] = rho[K] + (Y - z[K])
        for kind, l, i, _, *g in list(hard) + list(soft):
            f, s = (fz, z) if kind == "z" else (fa, a)
            if g:
                f[l][:, i] -= g[0] * (s[l][:, i] - _)
            else:
                f[l][:, i] = 0.0
        gW = [rho[l].T @ prev[l] for l in range(K + 1)]
        gb = [rho[l].sum(axis=0) for l in range(K + 1)]
        z = [z[l] + alpha * dt * fz[l] for l in range(K + 1)]
        a = [a[l] + alpha * dt * fa[l] for l in range(K)]
        W = [W[l] - beta * dt * gW[l] for l in range(K + 1)]
        b = [b[l] - beta * dt * gb[l] for l in range(K + 1)]
    return W, b, z, a


def _forward(W, b, X):
    z, a, prev = [], [], X
    for l, (w, v) in enumerate(zip(W, b)):
        z.append(prev @ w.T + v)
        if l < len(W) - 1:
            a.append(np.maximum(z[-1], 0.0))
            prev = a[-1]
    return z, a


def _random_stalks(seed):
    """The documented draw: default_rng(seed), path order z1, a1, z2, a2, z3."""
    rng = np.random.default_rng(seed)
    z1, a1 = rng.standard_normal((B, 4)), rng.standard_normal((B, 4))
    z2, a2 = rng.standard_normal((B, 3)), rng.standard_normal((B, 3))
    z3 = rng.standard_normal((B, 1))
    return [z1, z2, z3], [a1, a2]


def _assert_same(flow, ref):
    W, b, z, a = ref
    for got, want in zip(flow.network.weights + flow.network.biases, W + b):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    fz, fa = flow.stalks
    for got, want in zip(fz + fa, z + a):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


RATES = dict(alpha=1.0, beta=1.0 / B, dt=0.01)


@pytest.mark.parametrize("start", ["given", "random", "zeros", "forward"])
def test_stalk_starts_match_the_plain_loop(start):
    net, X, Y = _problem()
    if start == "given":
        z0, a0 = _random_stalks(99)
        kw = {"stalks": {"z1": z0[0], "a1": a0[0], "z2": z0[1], "a2": a0[1], "z3": z0[2]}}
    elif start == "random":
        z0, a0 = _random_stalks(7)
        kw = {"init": "random", "state_seed": 7}
    elif start == "zeros":
        z0 = [np.zeros((B, n)) for n in ARCH[1:]]
        a0 = [np.zeros((B, n)) for n in ARCH[1:-1]]
        kw = {"init": "zeros"}
    else:
        z0, a0 = _forward(net.weights, net.biases, X)
        kw = {}
    flow = JointFlow(net, X, Y, record_every=1000, **RATES, **kw)
    flow.advance(300)
    _assert_same(flow, plain_joint_loop(net, X, Y, z0, a0, steps=300, **RATES))


@pytest.mark.parametrize("init", ["forward", "random"])
def test_no_warm_start_restarts_every_epoch(init):
    net, X, Y = _problem(1)
    if init == "random":
        z0, a0 = _random_stalks(3)
        restart = lambda W, b: _random_stalks(3)  # noqa: E731 — the same draw again
    else:
        z0, a0 = _forward(net.weights, net.biases, X)
        restart = lambda W, b: _forward(W, b, X)  # noqa: E731 — the weights of that moment
    flow = JointFlow(net, X, Y, record_every=500, warm_start=False, init=init, state_seed=3,
                     **RATES)
    flow.advance(700)
    flow.advance(1800)  # crosses the epoch boundaries 1000 and 2000 inside and between calls
    ref = plain_joint_loop(net, X, Y, z0, a0, steps=2500, restart=restart, **RATES)
    _assert_same(flow, ref)
    warm = JointFlow(net, X, Y, record_every=500, init=init, state_seed=3, **RATES)
    warm.advance(2500)
    assert not np.allclose(warm.stalks[0][0], flow.stalks[0][0])


def test_hidden_pins_are_held_on_every_example():
    net, X, Y = _problem(2)
    layout = SheafLayout(ARCH)
    pins = PinSet().pin(layout, "a1", 0.3, 1).pin_soft(layout, "z2", 0.5, 2.0, 0)
    z0, a0 = _forward(net.weights, net.biases, X)
    a0[0][:, 1] = 0.3
    flow = JointFlow(net, X, Y, record_every=1000, pins=pins, **RATES)
    flow.advance(400)
    ref = plain_joint_loop(net, X, Y, z0, a0, steps=400, hard=[("a", 0, 1, 0.3)],
                           soft=[("z", 1, 0, 0.5, 2.0)], **RATES)
    _assert_same(flow, ref)
    assert np.all(flow.stalks[1][0][:, 1] == 0.3)


def test_python_refusals():
    net, X, Y = _problem()
    layout = SheafLayout(ARCH)
    with pytest.raises(ValueError, match="x and y come from the data"):
        JointFlow(net, X, Y, pins=PinSet().pin(layout, "y", 1.0))
    with pytest.raises(ValueError, match="init applies to the paper mode"):
        JointFlow(net, X, Y, mode="gd", init="zeros")
    with pytest.raises(ValueError, match="'z2' has shape"):
        JointFlow(net, X, Y, stalks={"z1": np.zeros((B, 4)), "a1": np.zeros((B, 4)),
                                     "z2": np.zeros((B, 2)), "a2": np.zeros((B, 3)),
                                     "z3": np.zeros((B, 1))})
    sig = Network(net.weights, net.biases, "sigmoid")
    with pytest.raises(ValueError, match="identity output only"):
        JointFlow(sig, X, (Y > 0).astype(float), graph="paper")


# -- one-file setup through the CLI -------------------------------------------------------------
def test_setup_file_trains_like_the_plain_loop(tmp_path, capsys):
    net, X, Y = _problem(4)
    z0, a0 = _random_stalks(11)
    path = tmp_path / "setup.npz"
    arrays = {f"{p}{l}": v for l, (w, bb) in enumerate(zip(net.weights, net.biases), 1)
              for p, v in (("W", w), ("b", bb))}
    np.savez(path, **arrays, X=X, Y=Y, X_test=X[:2], Y_test=Y[:2], z1=z0[0], a1=a0[0],
             z2=z0[1], a2=a0[1], z3=z0[2])
    out = tmp_path / "w.npz"
    rc = main(["train", "--setup", str(path), "--steps", "250", "--dt", "0.01", "--json",
               "--save-weights", str(out)])
    assert rc == 0, capsys.readouterr().err
    W, b, _, _ = plain_joint_loop(net, X, Y, z0, a0, steps=250, **RATES)
    trained = Network.load(out)
    for got, want in zip(trained.weights + trained.biases, W + b):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("argv, needle", [
    (["train", "--setup", "SETUP", "--preset", "paraboloid"], "do not combine it with --preset"),
    (["train", "--setup", "SETUP", "--data", "paraboloid"], "--data"),
    (["train", "--setup", "SETUP", "--stalks", "SETUP"], "--stalks"),
    (["train", "--preset", "paraboloid", "--mode", "adiabatic", "--init", "random"],
     "paper mode's stalks only"),
    (["train", "--preset", "paraboloid", "--mode", "gd", "--stalks", "STALKS"],
     "paper mode's stalks only"),
    (["train", "--preset", "paraboloid", "--stalks", "STALKS"], "'z1' has shape (6, 30)"),
    (["train", "--preset", "paraboloid", "--pin", "y=1"], "x and y come from the data"),
    (["train", "--preset", "circular", "--graph", "paper"], "identity output only"),
    (["solve", "--preset", "circular", "--graph", "paper"], "identity output only"),
    (["train", "--setup", "BAD"], "unexpected arrays ['w1']"),
])
def test_cli_refusals_exit_2_in_one_line(argv, needle, tmp_path, capsys):
    net, X, Y = _problem()
    setup, stalks, bad = tmp_path / "s.npz", tmp_path / "st.npz", tmp_path / "bad.npz"
    np.savez(setup, W1=net.weights[0], b1=net.biases[0], X=np.zeros((3, 2)),
             Y=np.zeros((3, 4)))
    np.savez(stalks, z1=np.zeros((6, 30)), a1=np.zeros((6, 30)), z2=np.zeros((6, 1)))
    np.savez(bad, W1=net.weights[0], b1=net.biases[0], w1=net.weights[0])
    subst = {"SETUP": str(setup), "STALKS": str(stalks), "BAD": str(bad)}
    rc = main([subst.get(a, a) for a in argv])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("sheafviz: error: ")
    assert needle in err


# -- the paper graph ----------------------------------------------------------------------------
def _dense_free_coboundary(net, x, *, with_out: bool, y_free: bool):
    """Rows aff1, relu1, …, aff{K+1}(, out); columns z1, a1, …, z{K+1}(, y); x pinned."""
    W, sig = net.weights, net.forward(x).sigma
    widths = [w.shape[0] for w in W]
    cols = []
    for l, n in enumerate(widths):
        cols.append(("z", l, n))
        if l < len(W) - 1:
            cols.append(("a", l, n))
    if y_free:
        cols.append(("y", 0, widths[-1]))
    off, pos = 0, {}
    for key in cols:
        pos[key[:2]] = off
        off += key[2]
    rows = []
    for l, n in enumerate(widths):
        r = np.zeros((n, off))
        r[:, pos[("z", l)]:pos[("z", l)] + n] = np.eye(n)
        if l > 0:
            r[:, pos[("a", l - 1)]:pos[("a", l - 1)] + widths[l - 1]] = -W[l]
        rows.append(r)
        if l < len(W) - 1:
            r = np.zeros((n, off))
            r[:, pos[("a", l)]:pos[("a", l)] + n] = np.eye(n)
            r[:, pos[("z", l)]:pos[("z", l)] + n] = -np.diag(sig[l])
            rows.append(r)
    if with_out:
        n, K = widths[-1], len(W) - 1
        r = np.zeros((n, off))
        r[:, pos[("z", K)]:pos[("z", K)] + n] = -np.eye(n)
        if y_free:
            r[:, pos[("y", 0)]:] = np.eye(n)
        rows.append(r)
    return np.vstack(rows)


def test_paper_graph_spectrum_is_the_dense_one_without_y():
    net, X, _ = _problem(5)
    layout = SheafLayout(ARCH)
    x = X[0]
    pins = PinSet().pin(layout, "x", x)
    sigma = net.forward(x).sigma
    D = _dense_free_coboundary(net, x, with_out=False, y_free=False)
    want = np.linalg.eigvalsh(D.T @ D)
    got = spectrum_summary(net, pins, sigma, layout=layout, graph="paper")
    np.testing.assert_allclose(got.eigenvalues, want, atol=1e-12)
    assert got.free_dim == D.shape[1] and got.block_energy_min.get("y", 0.0) == 0.0
    sparse = spectrum_summary(net, pins, sigma, layout=layout, graph="paper", full_limit=4,
                              n_extreme=2)
    np.testing.assert_allclose([sparse.lambda_min, sparse.lambda_max], want[[0, -1]],
                               rtol=1e-8)
    np.testing.assert_allclose(free_lambdas(net.weights, net.biases, "identity", x,
                                            graph="paper"), want[[0, -1]], rtol=1e-10)
    chapter = _dense_free_coboundary(net, x, with_out=True, y_free=True)
    np.testing.assert_allclose(spectrum_summary(net, pins, sigma, layout=layout).eigenvalues,
                               np.linalg.eigvalsh(chapter.T @ chapter), atol=1e-12)
    assert chapter.shape[1] == D.shape[1] + 1
    # with y pinned the graphs agree
    both = pins.pin(layout, "y", 0.7)
    np.testing.assert_allclose(
        spectrum_summary(net, both, sigma, layout=layout, graph="paper").eigenvalues,
        spectrum_summary(net, both, sigma, layout=layout).eigenvalues, atol=1e-12)


def test_paper_graph_soft_output_pin_acts_on_z_out():
    """Soft pin y=t@γ on the paper graph: ½γ(z3 − t)² on z3, found by dense least squares;
    the solve and the heat flow both reach it, the chapter graph does not."""
    net, X, _ = _problem(6)
    layout = SheafLayout(ARCH)
    x, t, gamma = X[1], 2.0, 3.0
    pins = PinSet().pin(layout, "x", x).pin_soft(layout, "y", t, gamma)
    D = _dense_free_coboundary(net, x, with_out=False, y_free=False)
    W, b = net.weights, net.biases
    g = np.concatenate([b[0] + W[0] @ x, np.zeros(4), b[1], np.zeros(3), b[2]])
    A = np.vstack([D, np.sqrt(gamma) * np.eye(D.shape[1])[-1:]])
    rhs = np.concatenate([g, [np.sqrt(gamma) * t]])
    c_free = np.linalg.lstsq(A, rhs, rcond=None)[0]
    sol = equilibrium(net, pins, layout=layout, graph="paper")
    assert sol.consistent
    np.testing.assert_allclose(sol.cochain[2:-1], c_free, atol=1e-10)
    assert sol.cochain[-1] == sol.cochain[-2]  # the absent y follows z3
    flow = relax(net, pins, layout=layout, graph="paper", tol=1e-11, max_steps=60_000)
    np.testing.assert_allclose(flow.cochain[2:-1], c_free, atol=1e-8)
    chapter = equilibrium(net, pins, layout=layout)
    assert abs(chapter.cochain[-2] - c_free[-1]) > 1e-3


def test_paraboloid_preset_median_spectrum_on_both_graphs():
    """The preset's own initial weights over its 300 training inputs, x pinned: λ₁/κ
    medians 0.154/28 (paper graph) and 0.087/53 (chapter graph)."""
    from sheafviz.core.data.datasets import load_dataset
    from sheafviz.core.data.presets import load_preset

    preset = load_preset("paraboloid")
    data = load_dataset(preset.data, seed=42)
    w, b = preset.network.weights, preset.network.biases
    for graph, lam1, kappa in (("paper", 0.154, 28), ("chapter", 0.087, 53)):
        pairs = np.array([free_lambdas(w, b, "identity", x, graph=graph)
                          for x in data.X])
        assert np.median(pairs[:, 0]) == pytest.approx(lam1, abs=6e-4)
        assert np.median(pairs[:, 1] / pairs[:, 0]) == pytest.approx(kappa, abs=0.5)
