"""Joint flow (docs/mathematics.md, “The joint flow (training)”) against independent references: the local update formula, finite
differences of the sheaf energy, of R(θ) (dense solves) and of the forward loss."""

import numpy as np
import pytest

from sheafviz.core.model.network import Network
from sheafviz.core.flows.optim import Adam, Momentum
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout, coboundary, discords, energy, laplacian
from sheafviz.core.flows.training import FlowDivergedError, JointFlow, UnstableStepError


def _data(arch, n, seed, output="identity"):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, size=(n, arch[0]))
    if output == "identity":
        Y = rng.normal(size=(n, arch[-1]))
    elif output == "sigmoid":
        Y = (rng.uniform(size=(n, arch[-1])) > 0.5).astype(float)
    else:
        Y = np.eye(arch[-1])[rng.integers(0, arch[-1], size=n)]
    return X, Y


def _net(arch, seed, output="identity"):
    """He weights and small random biases (zero biases put dead-layer z's exactly on 0)."""
    net = Network.he_init(arch, seed=seed, output=output)
    rng = np.random.default_rng(seed + 100)
    return Network(net.weights, [rng.normal(scale=0.1, size=b.shape) for b in net.biases],
                   output)


def _params(net):
    return np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(net.weights,
                                                                           net.biases)])


def _with_params(net, theta):
    ws, bs, off = [], [], 0
    for w, b in zip(net.weights, net.biases):
        ws.append(theta[off:off + w.size].reshape(w.shape))
        off += w.size
        bs.append(theta[off:off + b.size])
        off += b.size
    return Network(ws, bs, net.output)


def _fd(fun, theta, eps=1e-6):
    g = np.zeros_like(theta)
    for i in range(theta.size):
        up, dn = theta.copy(), theta.copy()
        up[i] += eps
        dn[i] -= eps
        g[i] = (fun(up) - fun(dn)) / (2 * eps)
    return g


def _hidden_z(layout, c):
    return np.concatenate([c[..., layout.vertex(f"z{l}").slice]
                           for l in range(1, layout.n_hidden + 1)], axis=-1)


# -- paper mode: one Euler step -------------------------------------------------------------------
@pytest.mark.parametrize("output", ["identity", "sigmoid", "softmax"])
def test_paper_step_is_the_local_formula_and_the_energy_gradient(output):
    arch = [2, 4, 3, 2] if output != "sigmoid" else [2, 4, 3, 1]
    net = _net(arch, 3, output)
    X, Y = _data(arch, 5, 1, output)
    alpha, beta, dt = 1.0, 0.2, 0.01
    flow = JointFlow(net, X, Y, alpha=alpha, beta=beta, dt=dt, record_every=10**6)
    flow.advance(6)  # leave the forward pass so that every edge carries discrepancy
    layout, c0, net0 = flow.layout, flow.cochains, flow.network
    # z's sliding near 0 are common; the stalk FD step (1e-7) must not cross a kink
    assert np.min(np.abs(_hidden_z(layout, c0))) > 1e-6
    flow.advance(1)
    c1, net1 = flow.cochains, flow.network

    # (1) weights: ΔW_l = −Δt β Σ_i ρ_l a_{l−1}ᵀ with ρ = W a + b − z on the old stalks
    st = layout.split(c0)
    prev = ["x"] + [f"a{l}" for l in range(1, len(arch) - 1)]
    for l, (w0, b0, w1, b1) in enumerate(zip(net0.weights, net0.biases, net1.weights,
                                             net1.biases), start=1):
        rho = st[prev[l - 1]] @ w0.T + b0 - st[f"z{l}"]
        np.testing.assert_allclose(w1 - w0, -dt * beta * rho.T @ st[prev[l - 1]], atol=1e-14)
        np.testing.assert_allclose(b1 - b0, -dt * beta * rho.sum(axis=0), atol=1e-14)

    # (2) the same as −Δt β ∇_θ Σ_i E(c_i; θ) by finite differences of sheaf.energy
    theta0 = _params(net0)
    fd = _fd(lambda th: float(np.sum(energy(layout, _with_params(net0, th), c0))), theta0)
    np.testing.assert_allclose(_params(net1) - theta0, -dt * beta * fd, atol=1e-10)

    # (3) stalks: Δc = −Δt α ∇_c E on the free coordinates (x, y pinned), by FD
    free = np.ones(layout.size, bool)
    free[layout.vertex("x").slice] = False
    free[layout.vertex("y").slice] = False
    for i in range(len(X)):
        def e_of(v, i=i):
            c = c0[i].copy()
            c[free] = v
            return energy(layout, net0, c)
        grad = _fd(e_of, c0[i][free], eps=1e-7)
        np.testing.assert_allclose(c1[i][free] - c0[i][free], -dt * alpha * grad, atol=1e-9)
        np.testing.assert_array_equal(c1[i][~free], c0[i][~free])


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_paper_step_with_cross_entropy_force(output):
    arch = [2, 4, 3]
    net = Network.he_init(arch, seed=1, output=output)
    X, Y = _data(arch, 4, 2, output)
    dt = 0.01
    flow = JointFlow(net, X, Y, dt=dt, force="cross-entropy", record_every=10**6)
    flow.advance(20)
    layout, c0, net0 = flow.layout, flow.cochains, flow.network
    flow.advance(1)
    st0, st1 = layout.split(c0), layout.split(flow.cochains)
    z = st0["z2"]
    p = 1 / (1 + np.exp(-z)) if output == "sigmoid" else \
        np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    rho = st0["a1"] @ net0.weights[1].T + net0.biases[1] - z
    np.testing.assert_allclose(st1["z2"] - z, dt * (rho + Y - p), atol=1e-13)


# -- adiabatic mode: envelope theorem -----------------------------------------------------------
def _dense_R(net, layout, x, y):
    """min E with x, y pinned: active set of dense least-squares solves (independent)."""
    pins = PinSet().pin(layout, "x", x).pin(layout, "y", y)
    res = pins.resolve(layout)
    sigma = net.forward(x).sigma
    for _ in range(20):
        delta, g = coboundary(layout, net, sigma)
        delta = delta.toarray()
        rhs = g - delta[:, res.hard_index] @ res.hard_value
        sol, *_ = np.linalg.lstsq(delta[:, res.free_index], rhs, rcond=None)
        c = np.empty(layout.size)
        c[res.hard_index], c[res.free_index] = res.hard_value, sol
        new = layout.sigma_of(c)
        if all(np.array_equal(a, b) for a, b in zip(new, sigma)):
            return energy(layout, net, c), c
        sigma = new
    raise AssertionError("the dense active set did not settle")


def _interior(net, layout, X, Y):
    """Rows whose dense equilibrium settles strictly inside one pattern region (the envelope
    theorem's gradient is then the gradient of R; sliding cases are tested apart)."""
    keep = []
    for i, (x, y) in enumerate(zip(X, Y)):
        try:
            _, c = _dense_R(net, layout, x, y)
        except AssertionError:
            continue
        if np.min(np.abs(_hidden_z(layout, c))) > 1e-4:
            keep.append(i)
    return X[keep], Y[keep]


def test_adiabatic_gradient_matches_finite_differences_of_R():
    arch = [2, 5, 3, 1]
    net = _net(arch, 4)
    X, _ = _data(arch, 12, 5)
    Y = net.predict(X) + np.random.default_rng(1).normal(scale=0.3, size=(12, 1))
    layout = SheafLayout(arch)
    X, Y = _interior(net, layout, X, Y)
    assert len(X) >= 4
    X, Y = X[:4], Y[:4]
    lr = 0.01
    flow = JointFlow(net, X, Y, mode="adiabatic", optimizer="sgd", lr=lr, record_every=10**6)
    theta0 = _params(net)
    flow.advance(1)
    step = (theta0 - _params(flow.network)) * len(X) / lr  # = Σ_i ∇_θ R_i
    fd = _fd(lambda th: sum(_dense_R(_with_params(net, th), layout, x, y)[0]
                            for x, y in zip(X, Y)), theta0)
    np.testing.assert_allclose(step, fd, atol=1e-7)


@pytest.mark.parametrize("output,force", [("sigmoid", "energy"), ("softmax", "energy"),
                                          ("softmax", "cross-entropy")])
def test_adiabatic_equilibria_are_stationary_for_nonlinear_heads(output, force):
    arch = [2, 5, 3] if output == "softmax" else [2, 5, 1]
    net = Network.he_init(arch, seed=2, output=output)
    X, Y = _data(arch, 3, 3, output)
    flow = JointFlow(net, X, Y, mode="adiabatic", force=force, record_every=10**6)
    layout, C = flow.layout, flow.cochains
    free = np.ones(layout.size, bool)
    free[layout.vertex("x").slice] = False
    free[layout.vertex("y").slice] = False

    def objective(c):
        d = discords(layout, net, c)
        if force == "energy":
            return 0.5 * d.sum()
        z, y = c[layout.vertex("z2").slice], c[layout.vertex("y").slice]
        logp = z - np.log(np.sum(np.exp(z)))
        return 0.5 * d[:-1].sum() - np.sum(y * logp)

    assert flow.history.inconsistent == [0]
    on_kink = np.zeros(layout.size, bool)  # sliding z's: pinned at 0 by the solver
    for l in range(1, layout.n_hidden + 1):
        on_kink[layout.vertex(f"z{l}").slice] = True
    for c in C:
        def f(v, c=c):
            cc = c.copy()
            cc[free] = v
            return objective(cc)
        kink = (on_kink & (c == 0.0))[free]
        grad = _fd(f, c[free])
        assert np.max(np.abs(grad[~kink])) < 1e-7
        e0, v0 = f(c[free]), c[free]
        for j in np.flatnonzero(kink):  # a minimum along the coordinate, from both sides
            for step in (1e-5, -1e-5):
                v = v0.copy()
                v[j] += step
                assert f(v) >= e0 - 1e-15


# -- gd baseline ---------------------------------------------------------------------------------
@pytest.mark.parametrize("output", ["identity", "softmax"])
def test_gd_step_is_gradient_descent_on_the_forward_loss(output):
    arch = [2, 4, 3] if output == "softmax" else [2, 4, 2]
    net = Network.he_init(arch, seed=6, output=output)
    X, Y = _data(arch, 6, 7, output)
    lr = 0.05

    def loss(th):
        out = _with_params(net, th).forward(X)
        if output == "identity":
            return np.mean((out.y - Y) ** 2)
        return -np.mean(np.sum(Y * np.log(out.y), axis=1))

    flow = JointFlow(net, X, Y, mode="gd", lr=lr, record_every=10**6)
    theta0 = _params(net)
    flow.advance(1)
    np.testing.assert_allclose(_params(flow.network) - theta0, -lr * _fd(loss, theta0),
                               atol=1e-9)
    assert flow.history.train_loss[0] == pytest.approx(loss(theta0))


# -- training, spectrum, safety --------------------------------------------------------------------
def _paraboloid(n=300, seed=42):
    """docs/mathematics.md, “The paper's protocol”: f = x1² + x2² − 2/3 on [−2, 2]², noise σ = 0.02."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    return X, (X[:, 0] ** 2 + X[:, 1] ** 2 - 2 / 3 + rng.normal(scale=0.02, size=n))[:, None]


def test_paper_training_lowers_the_paraboloid_mse_tenfold():
    X, Y = _paraboloid()
    net = Network.he_init([2, 30, 1], seed=0)
    flow = JointFlow(net, X, Y, alpha=1.0, dt=0.005, record_every=5000, spectrum_every=20_000)
    assert flow.beta == pytest.approx(1 / 300)
    flow.run(20_000)
    first = np.mean((net.predict(X) - Y) ** 2)
    last = np.mean((flow.network.predict(X) - Y) ** 2)
    assert last < first / 10
    assert flow.history.train_loss[-1] == pytest.approx(last)
    assert flow.history.step == [0, 5000, 10000, 15000, 20000]


def test_history_spectrum_matches_dense_eigenvalues_and_cochains_are_pinned():
    arch = [2, 6, 1]
    net = Network.he_init(arch, seed=9)
    X, Y = _data(arch, 20, 9)
    flow = JointFlow(net, X, Y, record_every=5, spectrum_every=10, spectrum_subsample=4)
    flow.advance(10)
    h = flow.history
    assert h.step == [0, 5, 10] and h.spectrum_step == [0, 10]
    layout, cur = flow.layout, flow.network
    lams = []
    for i in flow._sub:  # input-only L_free at the forward pattern, dense
        pins = PinSet().pin(layout, "x", X[i])
        free = pins.resolve(layout).free_index
        lap = laplacian(layout, cur, cur.forward(X[i]).sigma).toarray()
        ev = np.linalg.eigvalsh(lap[np.ix_(free, free)])
        lams.append((ev[0], ev[-1]))
    np.testing.assert_allclose(np.sort(h.lambda_min_values[-1]), np.sort([l[0] for l in lams]))
    np.testing.assert_allclose(np.sort(h.lambda_max_values[-1]), np.sort([l[1] for l in lams]))
    C = flow.cochains
    assert C.shape == (20, layout.size)
    np.testing.assert_array_equal(C[:, layout.vertex("x").slice], X)
    np.testing.assert_array_equal(C[:, layout.vertex("y").slice], Y)
    assert h.residual[-1] == pytest.approx(np.mean(energy(layout, cur, C)))
    assert len(h.grad_cosine[-1]) == 2


def test_too_large_dt_is_refused_and_divergence_is_stopped():
    X, Y = _paraboloid(60)
    net = Network.he_init([2, 30, 1], seed=0)
    with pytest.raises(UnstableStepError, match="Δt ≤"):
        JointFlow(net, X, Y, dt=1.0)
    flow = JointFlow(net, X, Y, dt=0.005, beta=2000 / 60, record_every=10**6)
    with pytest.raises(FlowDivergedError, match="diverged"):
        flow.advance(20_000)
    assert np.all(np.isfinite(flow.cochains))
    assert all(np.all(np.isfinite(w)) for w in flow.network.weights)


def test_bad_options_are_named():
    X, Y = _paraboloid(10)
    net = Network.he_init([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match="mode"):
        JointFlow(net, X, Y, mode="fast")
    with pytest.raises(ValueError, match="optimizer"):
        JointFlow(net, X, Y, optimizer="lbfgs")
    with pytest.raises(ValueError, match="cross-entropy"):
        JointFlow(net, X, Y, force="cross-entropy")
    with pytest.raises(ValueError, match="X"):
        JointFlow(net, X[:, :1], Y)


def test_momentum_and_adam_first_steps_closed_form():
    p = np.zeros(3)
    g1, g2 = np.array([1.0, -2.0, 0.5]), np.array([0.5, 0.5, 0.5])
    opt = Momentum(0.1)
    opt.step(p, g1)
    opt.step(p, g2)
    np.testing.assert_allclose(p, -0.1 * g1 - 0.1 * (0.9 * g1 + g2))
    q = np.zeros(3)
    Adam(0.01).step(q, g1)
    np.testing.assert_allclose(q, -0.01 * np.sign(g1), rtol=1e-6)


def test_adiabatic_gradient_at_a_sliding_equilibrium_matches_finite_differences():
    """Where a hidden z sits on its kink, R(θ) is the minimum with that z held at 0 (both
    patterns agree there); the envelope gradient must match its finite differences."""
    arch = [2, 5, 4, 1]
    net = _net(arch, 1)
    layout = SheafLayout(arch)
    X, Y = np.array([[0.3, -0.7]]), np.array([[2.0]])
    flow = JointFlow(net, X, Y, mode="adiabatic", lr=0.01, record_every=10**6)
    c = flow.cochains[0]
    zero = [(f"z{l}", i) for l in (1, 2) for i in range(arch[l])
            if c[layout.index(f"z{l}", i)] == 0.0]
    assert zero  # this case does slide
    sigma = layout.sigma_of(c)

    def R(th):
        n = _with_params(net, th)
        pins = PinSet().pin(layout, "x", X[0]).pin(layout, "y", Y[0])
        for name, i in zero:
            pins = pins.pin(layout, name, 0.0, index=i)
        res = pins.resolve(layout)
        delta, g = coboundary(layout, n, sigma)
        delta = delta.toarray()
        sol, *_ = np.linalg.lstsq(delta[:, res.free_index],
                                  g - delta[:, res.hard_index] @ res.hard_value, rcond=None)
        cc = np.empty(layout.size)
        cc[res.hard_index], cc[res.free_index] = res.hard_value, sol
        assert all(np.array_equal(a, b) for a, b in zip(layout.sigma_of(cc), sigma))
        return energy(layout, n, cc)

    theta0 = _params(net)
    assert R(theta0) == pytest.approx(flow.history.residual[0], rel=1e-9)
    flow.advance(1)
    step = (theta0 - _params(flow.network)) / 0.01
    np.testing.assert_allclose(step, _fd(R, theta0), atol=1e-7)


def test_fast_paper_step_equals_the_plain_reference_over_many_steps():
    from sheafviz.cli.bench.dynamics import plain_paper_step

    arch = [2, 10, 8, 1]
    net = _net(arch, 12)
    X, Y = _data(arch, 50, 13)
    flow = JointFlow(net, X, Y, dt=0.01, beta=1 / 50, record_every=10**6)
    flow.advance(300)
    fp = net.forward(X)
    w, b, z, a = net.weights, net.biases, fp.z, fp.a
    for _ in range(300):
        w, b, z, a = plain_paper_step(w, b, X, Y, z, a, alpha=1.0, beta=1 / 50, dt=0.01)
    got_z, got_a = flow.stalks
    for u, v in zip(got_z + got_a + flow.network.weights + flow.network.biases, z + a + w + b):
        np.testing.assert_allclose(u, v, atol=1e-11)
