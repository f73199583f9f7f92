"""Data behind the training-debug panels, each against an independent reference written here.

References are explicit per-edge formulas of docs/mathematics.md, “Edges, restriction maps, discrepancies” (never ``sheaf.discrepancies``), finite
differences, hand-written forward passes, and the closed forms of docs/mathematics.md, “The harmonic extension at a fixed pattern” and §12.
"""

from __future__ import annotations

import numpy as np
import pytest

from sheafviz.core import diagnostics as D
from sheafviz.core.data.datasets import load_dataset
from sheafviz.core.flows.events import SwitchEvent
from sheafviz.core.flows.heat import HeatFlow, initial_state
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.data.presets import load_preset
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.flows.training import JointFlow

from reference import dense_coboundary


# -- independent helpers ---------------------------------------------------------------------
def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _head(z, output):
    if output == "identity":
        return z
    if output == "sigmoid":
        return _sig(z)
    e = np.exp(z - z.max())
    return e / e.sum()


def _stalks(net, c):
    """Split one cochain into [x, z1, a1, ..., z{K+1}, y] by the widths of docs/mathematics.md, “The path graph”."""
    arch = [net.weights[0].shape[1]] + [w.shape[0] for w in net.weights]
    widths = [arch[0]]
    for n in arch[1:-1]:
        widths += [n, n]
    widths += [arch[-1], arch[-1]]
    return np.split(c, np.cumsum(widths)[:-1])


def _edge_sq(net, c):
    """{edge name: r_e² per coordinate} from docs/mathematics.md, “Edges, restriction maps, discrepancies” written out edge by edge."""
    parts, K = _stalks(net, c), len(net.weights) - 1
    out = {}
    for l in range(1, K + 2):
        tail = parts[2 * l - 2]
        z = parts[2 * l - 1]
        out[f"aff{l}"] = (z - net.weights[l - 1] @ tail - net.biases[l - 1]) ** 2
        if l <= K:
            out[f"relu{l}"] = (parts[2 * l] - np.maximum(z, 0.0)) ** 2
    out["out"] = (parts[-1] - _head(parts[-2], net.output)) ** 2
    return out


def _random_batch(net, layout, rng, n):
    return rng.normal(size=(n, layout.size))


# -- discord matrices ------------------------------------------------------------------------
def test_rows_are_in_path_order_like_every_other_panel():
    # issue 11 item 12: the heatmap grouped rows by type while the graph, the drape and
    # the bars show the edges in path order
    lay = SheafLayout([2, 3, 2, 1])
    rows = D.discord_rows(lay)
    assert rows.labels == ["aff1", "relu1", "aff2", "relu2", "aff3", "out"]
    assert rows.labels == [e.name for e in lay.edges]
    assert rows.types == ["affine", "relu", "affine", "relu", "affine", "output"]
    ex = D.discord_rows(lay, expand=True)
    assert ex.labels[:4] == ["aff1[0]", "aff1[1]", "aff1[2]", "relu1[0]"]
    assert len(ex) == lay.edge_size and ex.labels[-1] == "out[0]"


@pytest.mark.parametrize("output", ["identity", "sigmoid"])
def test_discord_matrix_matches_the_edge_formulas(output):
    rng = np.random.default_rng(0)
    net = Network.he_init([2, 3, 2, 1], seed=1, output=output)
    lay = SheafLayout(net.arch)
    hist = D.DiscordHistory(lay, 4)
    batches = [_random_batch(net, lay, rng, 4) for _ in range(3)]
    for step, c in enumerate(batches):
        hist.record(10 * step, net, c)
    assert list(hist.steps) == [0, 10, 20]
    for example in (None, 2):
        m = hist.matrix(example=example)
        mx = hist.matrix(example=example, expand=True)
        for col, c in enumerate(batches):
            per_ex = [_edge_sq(net, ci) for ci in c]
            for row, name in enumerate(m.rows.labels):
                vals = [p[name].sum() for p in per_ex]
                want = np.mean(vals) if example is None else vals[example]
                assert m.value_at(row, col) == pytest.approx(want, rel=1e-12, abs=1e-15)
            for row, label in enumerate(mx.rows.labels):
                name, j = label[:-1].split("[")
                vals = [p[name][int(j)] for p in per_ex]
                want = np.mean(vals) if example is None else vals[example]
                assert mx.values[row, col] == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_history_thins_but_keeps_the_whole_run():
    net = Network.he_init([1, 2, 1], seed=0)
    lay = SheafLayout(net.arch)
    hist = D.DiscordHistory(lay, 1, capacity=16)
    c = initial_state(net, PinSet().pin(lay, "x", [0.5]), layout=lay)
    for step in range(100):
        hist.record(step, net, c)
    steps = hist.steps
    assert hist.n <= 16 and steps[0] == 0 and np.all(np.diff(steps) > 0)
    assert steps[-1] >= 80  # the recent past is still there
    with pytest.raises(ValueError, match="cochains have shape"):
        hist.record(101, net, np.zeros((2, lay.size)))


# -- switching timeline ----------------------------------------------------------------------
def test_timeline_state_agrees_with_the_signs_seen_step_by_step():
    p = load_preset("running-241")
    lay = SheafLayout(p.network.arch)
    c0 = initial_state(p.network, p.pins, init="random", state_seed=p.state_seed, layout=lay)
    flow = HeatFlow(p.network, p.pins, c0, dt=p.dt, layout=lay)
    names = D.hidden_neurons(lay)
    z_idx = [lay.index(n.split("[")[0], int(n[:-1].split("[")[1])) for n in names]
    seen = [(0.0, c0[z_idx] >= 0)]
    for _ in range(400):
        flow.advance(1)
        seen.append((flow.time, flow.cochain[z_idx] >= 0))
    tl = D.switching_timeline(flow.events, names, c0[z_idx] >= 0, t_end=flow.time)
    assert len(tl.time) >= 2  # this start does switch neurons
    start = D.initial_active_from_events(flow.events, names, flow.cochain[z_idx] >= 0)
    assert np.array_equal(start, c0[z_idx] >= 0)
    for t, signs in seen:
        assert np.array_equal(tl.active_at(t), signs), t
    flips = np.sum([np.sum(a[1] != b[1]) for a, b in zip(seen, seen[1:])])
    assert tl.switch_counts().sum() == flips


def test_timeline_merges_chatter_and_rejects_unknown_neurons():
    ev = [SwitchEvent("z1[1]", 0.5, +1), SwitchEvent("z1[0]", 1.0, -1, count=5, t_end=2.0,
                                                         final=+1)]
    tl = D.switching_timeline(ev, ["z1[0]", "z1[1]"], [True, False], t_end=3.0)
    assert list(tl.active_at(0.4)) == [True, False]
    assert list(tl.active_at(1.5)) == [False, True]  # inside the chatter: after the first flip
    assert list(tl.active_at(2.5)) == [True, True]
    assert list(tl.switch_counts()) == [5, 1]
    assert tl.nearest_event(0, 1.9) == 1 and tl.nearest_event(1, 9.0) == 0
    with pytest.raises(ValueError, match="z2\\[0\\]"):
        D.switching_timeline([SwitchEvent("z2[0]", 1.0, 1)], ["z1[0]"], [True], t_end=1)


# -- gradients -------------------------------------------------------------------------------
def _fd(f, arrays, eps=1e-6):
    grads = []
    for arr in arrays:
        g = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            up = f()
            arr[idx] = old - eps
            down = f()
            arr[idx] = old
            g[idx] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def test_gradient_comparison_against_finite_differences():
    rng = np.random.default_rng(7)
    net = Network.he_init([2, 4, 3, 1], seed=2)
    lay = SheafLayout(net.arch)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    C = rng.normal(size=(5, lay.size))
    C[:, :2], C[:, -1:] = X, Y
    W = [w.copy() for w in net.weights]
    B = [b.copy() for b in net.biases]

    def sheaf_energy():
        n = Network(W, B)
        return sum(0.5 * sum(v.sum() for v in _edge_sq(n, c).values()) for c in C)

    def half_sse():
        tot = 0.0
        for x, y in zip(X, Y):
            a = x
            for l, (w, b) in enumerate(zip(W, B)):
                a = w @ a + b
                a = np.maximum(a, 0) if l < len(W) - 1 else a
            tot += 0.5 * np.sum((a - y) ** 2)
        return tot

    gs, gb = _fd(sheaf_energy, W + B), _fd(half_sse, W + B)
    got = D.compare_gradients(net, X, Y, C, layout=lay)
    L = len(W)
    for l in range(L):
        s = np.concatenate([gs[l].ravel(), gs[L + l]])
        b = np.concatenate([gb[l].ravel(), gb[L + l]])
        assert got.cosine[l] == pytest.approx(s @ b / np.linalg.norm(s) / np.linalg.norm(b),
                                              abs=1e-6)
        assert got.ratio[l] == pytest.approx(np.linalg.norm(s) / np.linalg.norm(b), rel=1e-6)
    assert got.defined.all()


def test_gradient_at_the_forward_pass_is_undefined_not_nan():
    net = Network.he_init([2, 3, 1], seed=0)
    lay = SheafLayout(net.arch)
    X = np.array([[0.3, 0.4]])
    c = lay.forward_cochain(net, X[0])[None, :]
    got = D.compare_gradients(net, X, c[:, -1:] + 1.0, c, layout=lay)
    assert not got.defined.any() and np.all(np.isfinite(got.cosine))


# -- predictions -----------------------------------------------------------------------------
def test_prediction_grid_2d_1d_and_softmax():
    net = Network.he_init([2, 5, 1], seed=3, output="sigmoid")
    X = np.array([[-1.0, 0.0], [2.0, 3.0]])
    g = D.prediction_grid(net, X, resolution=7, margin=0.0)
    assert g.kind == "heatmap" and g.values.shape == (7, 7) and g.label == "P(class 1)"
    assert g.xs[0] == -1.0 and g.xs[-1] == 2.0 and g.ys[-1] == 3.0
    for i, j in [(0, 0), (3, 5), (6, 6)]:
        x = np.array([g.xs[i], g.ys[j]])
        h = np.maximum(net.weights[0] @ x + net.biases[0], 0)
        assert g.values[i, j] == pytest.approx(_sig(net.weights[1] @ h + net.biases[1])[0])
    net1 = Network.he_init([1, 4, 1], seed=1)
    c = D.prediction_grid(net1, np.array([[0.0], [1.0]]), resolution=5, margin=0.0)
    assert c.kind == "curve" and c.values.shape == (5, 1)
    soft = Network.he_init([2, 4, 3], seed=5, output="softmax")
    s = D.prediction_grid(soft, X, resolution=4)
    x = np.array([s.xs[1], s.ys[2]])
    p = _head(soft.weights[1] @ np.maximum(soft.weights[0] @ x, 0), "softmax")
    assert s.values[1, 2] == np.argmax(p) and s.confidence[1, 2] == pytest.approx(p.max())
    with pytest.raises(ValueError, match="1 or 2 inputs"):
        D.prediction_grid(Network.he_init([3, 2, 1], seed=0), np.zeros((2, 3)))


# -- spectrum --------------------------------------------------------------------------------
def test_spectrum_detail_on_the_course_example():
    p = load_preset("course-221")
    lay = SheafLayout(p.network.arch)
    c = initial_state(p.network, p.pins, layout=lay)
    det = D.spectrum_detail(p.network, p.pins, c, layout=lay)
    s5, s13 = np.sqrt(5), np.sqrt(13)
    want = sorted([(3 - s5) / 2, (5 - s13) / 2, 2, (3 + s5) / 2, (5 + s13) / 2])
    assert det.eigenvalues == pytest.approx(want, abs=1e-12)
    assert det.lambda_min == pytest.approx(want[0]) and det.condition_defined
    # the matrix against a dense coboundary built from docs/mathematics.md, “Edges, restriction maps, discrepancies” (identity head)
    Dm, _ = dense_coboundary(p.network.weights, p.network.biases, lay.sigma_of(c))
    free = [i for i in range(lay.size) if lay.neuron_name(i) not in ("x[0]", "x[1]", "y[0]")]
    assert det.matrix == pytest.approx((Dm.T @ Dm)[np.ix_(free, free)], abs=1e-12)
    Lfull = Dm.T @ Dm
    v = det.slow_mode
    assert np.linalg.norm(v) == pytest.approx(1.0)
    assert (Lfull @ v)[free] == pytest.approx(want[0] * v[free], abs=1e-10)
    assert sum(det.block_energy_min.values()) == pytest.approx(1.0)
    assert [b[0] for b in det.blocks] == ["z1", "a1", "z2"]
    ghost = D.mode_ghost(c, v, amplitude=2.0)
    assert ghost[free] == pytest.approx(c[free] + 2.0 * v[free])
    assert ghost[0] == c[0]


# -- training comparison ---------------------------------------------------------------------
def test_compare_training_against_hand_written_loops():
    rng = np.random.default_rng(11)
    net = Network.he_init([1, 3, 1], seed=4)
    X, Y = rng.uniform(-1, 1, size=(6, 1)), rng.normal(size=(6, 1))
    dt, steps = 0.01, 30
    out = D.compare_training(net, X, Y, steps=steps, record_every=10, dt=dt)
    beta, lr = 1 / 6, dt  # lr default Δt·β·B = Δt

    def loss(W, B):
        a = np.maximum(X @ W[0].T + B[0], 0)
        return float(np.mean((a @ W[1].T + B[1] - Y) ** 2))

    # gradient descent on the MSE, by hand
    W, B = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    gd = [loss(W, B)]
    for step in range(1, steps + 1):
        z1 = X @ W[0].T + B[0]
        a1 = np.maximum(z1, 0)
        d2 = 2 * (a1 @ W[1].T + B[1] - Y) / 6
        d1 = (d2 @ W[1]) * (z1 >= 0)
        g = [d1.T @ X, d2.T @ a1, d1.sum(0), d2.sum(0)]
        W = [W[0] - lr * g[0], W[1] - lr * g[1]]
        B = [B[0] - lr * g[2], B[1] - lr * g[3]]
        if step % 10 == 0:
            gd.append(loss(W, B))
    # the paper's joint Euler step (docs/mathematics.md, “The heat flow”, §10), by hand, α = 1
    W, B = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    z1 = X @ W[0].T + B[0]
    a1 = np.maximum(z1, 0)
    z2 = a1 @ W[1].T + B[1]
    sheaf = [loss(W, B)]
    for step in range(1, steps + 1):
        r1 = X @ W[0].T + B[0] - z1
        r2 = a1 @ W[1].T + B[1] - z2
        m = z1 >= 0
        fz1 = r1 - m * (z1 - a1)
        fa1 = -(a1 - m * z1) - r2 @ W[1]
        fz2 = r2 + (Y - z2)
        gW = [r1.T @ X, r2.T @ a1]
        gB = [r1.sum(0), r2.sum(0)]
        z1, a1, z2 = z1 + dt * fz1, a1 + dt * fa1, z2 + dt * fz2
        W = [W[0] - dt * beta * gW[0], W[1] - dt * beta * gW[1]]
        B = [B[0] - dt * beta * gB[0], B[1] - dt * beta * gB[1]]
        if step % 10 == 0:
            sheaf.append(loss(W, B))
    assert list(out.steps) == [0, 10, 20, 30]
    assert out.gd_loss == pytest.approx(gd, rel=1e-10)
    assert out.sheaf_loss == pytest.approx(sheaf, rel=1e-10)


def test_training_monitor_spectrum_and_gradients():
    ds = load_dataset("paraboloid", n_train=12, n_test=0)
    net = Network.he_init([2, 4, 1], seed=6)
    lay = SheafLayout(net.arch)
    mon = D.TrainingMonitor(12, spectrum_subsample=5, seed=1)
    mon.record_spectrum(0, net, ds.X)
    lmins, lmaxs = [], []
    for i in mon.subsample:  # x pinned, forward σ: dense L_free from the docs/mathematics.md, “Edges, restriction maps, discrepancies” coboundary
        h = net.weights[0] @ ds.X[i] + net.biases[0]
        Dm, _ = dense_coboundary(net.weights, net.biases, [(h >= 0).astype(float)])
        free = np.arange(2, lay.size)
        ev = np.linalg.eigvalsh(Dm[:, free].T @ Dm[:, free])
        lmins.append(ev[0])
        lmaxs.append(ev[-1])
    s = mon.series()
    assert s["lambda_min"][0, 0] == pytest.approx(np.median(lmins), rel=1e-9)
    assert s["lambda_max"][0, 0] == pytest.approx(np.median(lmaxs), rel=1e-9)
    assert s["condition"][0, 0] == pytest.approx(np.median(np.array(lmaxs) / lmins), rel=1e-9)
    C = np.stack([lay.forward_cochain(net, x) for x in ds.X])
    C[:, -1] = ds.Y[:, 0]
    mon.record_gradients(0, net, ds.X, ds.Y, C)  # at the forward pass: undefined
    C[:, 3] += 0.1
    g = mon.record_gradients(5, net, ds.X, ds.Y, C)
    s = mon.series()
    assert list(s["step"]) == [0, 5] and not s["grad_cosine_defined"][0].any()
    assert s["grad_cosine"][1] == pytest.approx(g.cosine)
    assert s["train_loss"][0] == pytest.approx(np.mean((net.predict(ds.X) - ds.Y) ** 2))


def test_history_series_masks_missing_values():
    ds = load_dataset("paraboloid", n_train=20, n_test=0)
    flow = JointFlow(Network.he_init([2, 4, 1], seed=0), ds.X, ds.Y, record_every=5,
                     spectrum_every=10)
    flow.advance(20)
    s = D.history_series(flow.history)
    assert list(s["step"]) == [0, 5, 10, 15, 20]
    assert s["grad_cosine"].shape == (5, 2)
    assert not s["grad_cosine_defined"][0].any()  # at the forward pass: no sheaf gradient
    assert not s["grad_ratio_defined"][0].any()
    assert s["grad_cosine_defined"][1:].all()
    assert s["lambda_min"].shape == (3, 3) and list(s["spectrum_step"]) == [0, 10, 20]
    assert np.all(np.isfinite(s["grad_cosine"]))


# -- the pathology presets: the signatures their notes state ---------------------------------
def _relax_recorded(p, lay, *, every=1, max_steps=20000):
    """Heat flow of a preset from the forward pass, every state recorded into the heatmap
    history (B = 1) as the GUI records it; returns (history, flow, c0)."""
    c0 = initial_state(p.network, p.pins, layout=lay)
    flow = HeatFlow(p.network, p.pins, c0, dt=p.dt, layout=lay)
    hist = D.DiscordHistory(lay, 1, capacity=4096, max_floats=10**7)
    hist.record(0, p.network, c0, time=0.0)
    while not flow.converged and flow.steps < max_steps:
        flow.advance(every)
        hist.record(flow.steps, p.network, flow.cochain, time=flow.time)
    assert flow.converged
    return hist, flow, c0


def _row(matrix, label):
    return matrix.values[matrix.rows.labels.index(label)]


def test_dead_relu_relaxation_never_switches_it_on_and_its_aff_edge_stays_silent():
    from reference import dense_pinned_solve

    p = load_preset("dead-relu")
    lay = SheafLayout(p.network.arch)
    hist, flow, c0 = _relax_recorded(p, lay)
    names = D.hidden_neurons(lay)
    z_idx = [lay.index("z1", j) for j in range(3)]
    tl = D.switching_timeline(flow.events, names, c0[z_idx] >= 0, t_end=flow.time)
    dead = names.index("z1[2]")
    assert not tl.initial_active[dead] and dead not in tl.row  # never switches
    # z1[2] by hand: 0.3·1 + 0.3·0.5 − 3 = −2.55 < 0, so σ = (1, 1, 0) throughout
    assert flow.cochain[lay.index("z1", 2)] == pytest.approx(-2.55, abs=1e-9)
    mx = hist.matrix(expand=True)
    assert np.max(_row(mx, "aff1[2]")) < 1e-20  # no tension ever reaches the dead z
    # the final column against a dense two-sided solve of docs/mathematics.md, “The harmonic extension at a fixed pattern” with σ = (1, 1, 0)
    w, b = p.network.weights, p.network.biases
    c_ref, _, _ = dense_pinned_solve(w, b, [np.array([1.0, 1.0, 0.0])],
                               {0: 1.0, 1: 0.5, lay.size - 1: 3.0})
    want = {k: v.sum() for k, v in _edge_sq(p.network, c_ref).items()}
    m = hist.matrix()
    for name, d in want.items():
        assert _row(m, name)[-1] == pytest.approx(d, rel=1e-6, abs=1e-9)
    assert max(want, key=want.get) == "relu1"  # the relu edge holds the largest share
    assert want["relu1"] == pytest.approx(0.1734, abs=5e-4)
    assert sum(want.values()) == pytest.approx(0.3357, abs=5e-4)


def test_dead_relu_training_leaves_its_incoming_weights_untouched():
    p = load_preset("dead-relu")
    ds = load_dataset("paraboloid")
    # independently: the dead unit's pre-activation over the whole data set
    pre = ds.X @ np.array([0.3, 0.3]) - 3.0
    assert pre.max() < 0
    lay = SheafLayout(p.network.arch)
    flow = JointFlow(p.network, ds.X, ds.Y, mode="paper", dt=0.005, record_every=250)
    hist = D.DiscordHistory(lay, ds.n_train, capacity=64)
    hist.record(0, flow.network, flow.cochains)
    for _ in range(8):
        flow.advance(250)
        c = flow.cochains
        assert np.all(c[:, lay.index("z1", 2)] < 0)  # never switches on
        hist.record(flow.steps, flow.network, c)
    net = flow.network
    assert net.weights[0][2] == pytest.approx([0.3, 0.3], abs=1e-12)
    assert net.biases[0][2] == pytest.approx(-3.0, abs=1e-12)
    assert not np.allclose(net.weights[1][0, 2], 1.5)  # W2[2] still learns
    mx = hist.matrix(expand=True)
    assert np.max(_row(mx, "aff1[2]")) < 1e-20
    assert np.min(_row(mx, "relu1[2]")[1:]) > 1e-4  # its relu edge does carry tension


def _closed_form_discords(net, x, y):
    """docs/mathematics.md, “The harmonic extension at a fixed pattern” item 3 for an all-active pattern: r_e = J_eᵀ S⁻¹ (y − f(x)) (identity head)."""
    W, K = net.weights, len(net.weights) - 1
    f = x
    for l in range(K + 1):
        f = W[l] @ f + net.biases[l]
        if l < K:
            assert np.all(f >= 0)
            f = np.maximum(f, 0)
    # J for aff l is ∂ŷ/∂z_l = W_{K+1} … W_{l+1} (all active), the same for relu l (∂ŷ/∂a_l)
    J = {}
    acc = np.eye(W[-1].shape[0])
    for l in range(K + 1, 0, -1):
        J[f"aff{l}"] = acc.copy()
        if l <= K:
            J[f"relu{l}"] = acc.copy()
        acc = acc @ W[l - 1]
    J["out"] = np.eye(W[-1].shape[0])
    S = sum(j @ j.T for j in J.values())
    lam = np.linalg.solve(S, y - f)
    return {name: float(np.sum((j.T @ lam) ** 2)) for name, j in J.items()}


def test_vanishing_signal_leaves_the_early_affine_edges_almost_silent():
    p = load_preset("vanishing")
    lay = SheafLayout(p.network.arch)
    hist, flow, _ = _relax_recorded(p, lay, every=10)
    want = _closed_form_discords(p.network, np.array([1.0, 1.0]), np.array([1.0]))
    m = hist.matrix()
    got = {name: _row(m, name)[-1] for name in want}
    for name in want:
        assert got[name] == pytest.approx(want[name], rel=1e-6, abs=1e-10), name
    aff = [got[f"aff{l}"] for l in range(1, 6)]
    assert np.all(np.diff(aff) > 0)  # grows toward the output
    assert aff[0] < 0.01 * aff[-1]
    assert aff[0] == pytest.approx(6.2e-4, rel=0.01) and aff[-1] == pytest.approx(0.0793, rel=0.01)
    # and it is so all along the relaxation, not only at the end
    assert np.all(_row(m, "aff1") <= _row(m, "aff5") + 1e-15)


def _ce_loss(net, x, y):
    h = np.maximum(net.weights[0] @ x + net.biases[0], 0)
    z = float((net.weights[1] @ h + net.biases[1])[0])
    return float(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))


def test_saturated_output_holds_the_discord_while_the_loss_stalls():
    p = load_preset("saturation")
    lay = SheafLayout(p.network.arch)
    x, y = np.array([1.0, 1.0]), 0.0
    assert p.pins.hard[("y", 0)] == y and p.pins.hard[("x", 0)] == 1.0
    z2 = p.network.weights[1] @ np.maximum(p.network.weights[0] @ x, 0)
    assert _sig(z2[0]) > 0.99  # saturated at the start (independent forward pass)
    losses, outs = {}, {}
    for force in ("energy", "cross-entropy"):
        flow = JointFlow(p.network, x[None], np.array([[y]]), mode="paper", dt=p.dt, beta=1.0,
                         force=force, record_every=200)
        hist = D.DiscordHistory(lay, 1)
        hist.record(0, flow.network, flow.cochains)
        for _ in range(10):
            flow.advance(200)
            hist.record(flow.steps, flow.network, flow.cochains)
        losses[force] = (_ce_loss(p.network, x, y), _ce_loss(flow.network, x, y))
        outs[force] = _row(hist.matrix(), "out")
    # energy force: the out edge keeps ≈ 0.995 of discord and the loss barely moves
    assert np.min(outs["energy"]) > 0.99
    assert losses["energy"][1] > 0.9 * losses["energy"][0]
    # the cross-entropy force passes the tension: the same run learns
    assert outs["cross-entropy"][-1] < 0.01
    assert losses["cross-entropy"][1] < 0.05 * losses["cross-entropy"][0]
