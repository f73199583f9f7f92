"""Heat flow (docs/mathematics.md, “The heat flow”) against independent references: forward pass, dense least squares,
finite differences, dense eigenvalues."""

import numpy as np
import pytest

from sheafviz.core.flows.events import SwitchRecorder
from sheafviz.core.flows.heat import (FlowDivergedError, HeatFlow, UnstableStepError, energy_gradient,
                                initial_state, predicted_envelope, relax)
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout, coboundary, energy, laplacian


def _net(arch, seed, output="identity"):
    return Network.he_init(arch, seed=seed, output=output)


def _dense_lambdas(net, layout, pins, c):
    """λ_min, λ_max of L(σ(c))[Ω, Ω] by a dense eigensolver (identity head)."""
    lap = laplacian(layout, net, layout.sigma_of(c)).toarray()
    free = pins.resolve(layout).free_index
    ev = np.linalg.eigvalsh(lap[np.ix_(free, free)])
    return ev[0], ev[-1]


def _away_from_kinks(layout, c, margin=0.05):
    """Push hidden z coordinates away from 0 so finite differences stay in one region."""
    for v in layout.vertices:
        if v.name.startswith("z") and int(v.name[1:]) <= layout.n_hidden:
            z = c[v.slice]
            z[np.abs(z) < margin] += 2 * margin
    return c


# -- the gradient ------------------------------------------------------------------------------
@pytest.mark.parametrize("output", ["identity", "sigmoid", "softmax"])
def test_energy_gradient_matches_finite_differences(output):
    net = _net([3, 5, 4, 3], 1, output)
    layout = SheafLayout(net.arch)
    rng = np.random.default_rng(7)
    for batch in (None, 3):
        shape = (layout.size,) if batch is None else (batch, layout.size)
        c = rng.normal(size=shape)
        for row in c.reshape(-1, layout.size):
            _away_from_kinks(layout, row)
        grad = energy_gradient(layout, net, c, None)
        eps = 1e-6
        flat = c.reshape(-1, layout.size)
        fd = np.zeros_like(flat)
        for b in range(flat.shape[0]):
            for i in range(layout.size):
                up, dn = flat[b].copy(), flat[b].copy()
                up[i] += eps
                dn[i] -= eps
                fd[b, i] = (energy(layout, net, up) - energy(layout, net, dn)) / (2 * eps)
        np.testing.assert_allclose(grad.reshape(fd.shape), fd, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_cross_entropy_force_drops_the_jacobian(output):
    net = _net([2, 4, 3], 2, output)
    layout = SheafLayout(net.arch)
    c = _away_from_kinks(layout, np.random.default_rng(3).normal(size=layout.size))
    z, y = c[layout.vertex("z2").slice], c[layout.vertex("y").slice]
    if output == "sigmoid":
        p = 1 / (1 + np.exp(-z))
    else:
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    g_ce = energy_gradient(layout, net, c, None, force="cross-entropy")
    g_e = energy_gradient(layout, net, c, None)
    # Only the output z stalk differs; there the CE gradient of the out term is φ(z) − y.
    jac = np.diag(p * (1 - p)) if output == "sigmoid" else np.diag(p) - np.outer(p, p)
    out = layout.vertex("z2").slice
    np.testing.assert_allclose(g_ce[out] - g_e[out], (p - y) - jac.T @ (p - y), atol=1e-12)
    rest = np.ones(layout.size, bool)
    rest[out] = False
    np.testing.assert_allclose(g_ce[rest], g_e[rest], atol=1e-12)


def test_soft_pin_and_hard_pin_gradient():
    net = _net([2, 3, 1], 4)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [1.0, -1.0]).pin_soft(layout, "a1", 0.7, 2.5, index=1)
    c = _away_from_kinks(layout, np.random.default_rng(5).normal(size=layout.size))
    res = pins.resolve(layout)
    g = energy_gradient(layout, net, c, res)
    g0 = energy_gradient(layout, net, c, None)
    i = layout.index("a1", 1)
    assert g[i] == pytest.approx(g0[i] + 2.5 * (c[i] - 0.7))
    assert np.all(g[res.hard_index] == 0.0)


# -- convergence to independent references -----------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_input_only_flow_converges_to_forward_pass_from_random_start(seed):
    net = _net([3, 6, 5, 2], seed)
    layout = SheafLayout(net.arch)
    x = np.random.default_rng(seed + 10).normal(size=3)
    pins = PinSet().pin(layout, "x", x)
    res = relax(net, pins, init="random", state_seed=seed, tol=1e-10, max_steps=200_000)
    assert res.converged
    fp = net.forward(x)
    st = layout.split(res.cochain)
    np.testing.assert_allclose(st["y"], fp.y, atol=1e-7)
    np.testing.assert_allclose(st["a1"], fp.a[0], atol=1e-7)
    np.testing.assert_allclose(st["z3"], fp.z[-1], atol=1e-7)
    assert res.energy < 1e-14


def _dense_two_sided(net, layout, pins, sigma):
    """Fixed-σ minimiser by a dense least-squares solve of ‖δ_Ω c_Ω − (g − δ_U u)‖."""
    delta, g = coboundary(layout, net, sigma)
    delta = delta.toarray()
    res = pins.resolve(layout)
    rhs = g - delta[:, res.hard_index] @ res.hard_value
    sol, *_ = np.linalg.lstsq(delta[:, res.free_index], rhs, rcond=None)
    c = np.empty(layout.size)
    c[res.hard_index] = res.hard_value
    c[res.free_index] = sol
    return c


def test_two_sided_flow_converges_to_dense_fixed_sigma_solution():
    net = _net([2, 5, 1], 3)
    layout = SheafLayout(net.arch)
    x = np.array([0.4, -0.8])
    fp = net.forward(x)
    pins = PinSet().pin(layout, "x", x).pin(layout, "y", fp.y + 0.05)
    ref = _dense_two_sided(net, layout, pins, fp.sigma)
    # the reference is inside the forward pattern's region (else the test would be moot)
    assert all(np.array_equal(a, b) for a, b in zip(layout.sigma_of(ref), fp.sigma))
    assert np.min(np.abs(ref[layout.vertex("z1").slice])) > 1e-3
    res = relax(net, pins, init="zeros", tol=1e-11, max_steps=300_000)
    assert res.converged
    np.testing.assert_allclose(res.cochain, ref, atol=1e-8)
    assert res.energy == pytest.approx(energy(layout, net, ref), rel=1e-8)


# -- energy decay ------------------------------------------------------------------------------
def test_energy_never_increases_for_a_stable_step():
    net = _net([2, 6, 6, 1], 5)
    layout = SheafLayout(net.arch)
    for pins in (PinSet().pin(layout, "x", [0.3, 1.2]),
                 PinSet().pin(layout, "x", [0.3, 1.2]).pin(layout, "y", [2.0])):
        res = relax(net, pins, init="random", state_seed=4, max_steps=4000)
        e = np.array([p[1] for p in res.energy_trace])
        assert np.all(np.diff(e) <= 1e-12 * (1 + e[:-1]))
        assert e[-1] < e[0]


def test_late_decay_rate_matches_lambda_min():
    net = _net([2, 6, 4, 1], 8)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [0.7, -0.2])
    c0 = initial_state(net, pins, init="random", state_seed=1, layout=layout)
    lam_min0, lam_max0 = _dense_lambdas(net, layout, pins, c0)
    flow = HeatFlow(net, pins, c0, dt=0.5 / lam_max0, tol=0.0)
    flow.advance(25_000)
    t, e = (np.array(v) for v in zip(*flow.energy_trace))
    lam_min, _ = _dense_lambdas(net, layout, pins, flow.cochain)
    window = (e < 1e-12 * e[0]) & (e > 1e-22 * e[0])
    assert window.sum() > 100
    slope = -np.polyfit(t[window], np.log(e[window]), 1)[0]
    assert slope == pytest.approx(2 * 1.0 * lam_min, rel=0.05)
    # and the predicted envelope of docs/mathematics.md, “The heat flow” is above the curve late in the run
    assert predicted_envelope(e[0], lam_min * 0.9, t[-1]) >= e[-1]


# -- stability -----------------------------------------------------------------------------------
def test_too_large_dt_is_refused_with_a_stable_proposal():
    net = _net([2, 5, 1], 0)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [1.0, 0.5])
    c0 = initial_state(net, pins, init="random", layout=layout)
    _, lam_max = _dense_lambdas(net, layout, pins, c0)
    with pytest.raises(UnstableStepError, match="Δt ≤"):
        HeatFlow(net, pins, c0, dt=2.5 / lam_max)
    with pytest.raises(UnstableStepError):
        relax(net, pins, dt=2.5 / lam_max)
    flow = HeatFlow(net, pins, c0)
    assert flow.dt * lam_max < 2
    with pytest.raises(UnstableStepError):
        flow.set_rates(dt=3.0 / lam_max)


def test_divergence_is_stopped_before_nan():
    net = _net([2, 5, 1], 0)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [1.0, 0.5])
    c0 = initial_state(net, pins, init="random", layout=layout)
    flow = HeatFlow(net, pins, c0)
    flow._dt *= 40.0  # bypass the up-front check to exercise the run-time guard
    with pytest.raises(FlowDivergedError):
        flow.advance(100_000)
    assert np.all(np.isfinite(flow.cochain))
    assert all(np.isfinite(e) for _, e in flow.energy_trace)


# -- state edits, events ---------------------------------------------------------------------------
def test_set_pins_keeps_state_and_imposes_pins():
    net = _net([2, 4, 1], 1)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [0.5, 0.5])
    flow = HeatFlow(net, pins, initial_state(net, pins, layout=layout))
    flow.advance(10)
    before = flow.cochain
    flow.set_pins(pins.pin(layout, "y", [3.0]))
    after = flow.cochain
    assert after[layout.vertex("y").slice][0] == 3.0
    mask = np.ones(layout.size, bool)
    mask[layout.vertex("y").slice] = False
    np.testing.assert_array_equal(before[mask], after[mask])
    assert not flow.converged
    flow.advance(5)
    assert flow.cochain[layout.vertex("y").slice][0] == 3.0


def test_switch_recorder_merges_chatter():
    rec = SwitchRecorder(["z1[0]", "z1[1]"], merge_steps=3)
    rec.record(1, 0.1, np.array([0]), np.array([False]))
    for step in range(10, 16):  # z1[1] flips on six consecutive steps
        rec.record(step, step / 10, np.array([1]), np.array([step % 2 == 0]))
    rec.record(40, 4.0, np.array([1]), np.array([True]))
    ev = rec.events
    assert [(e.neuron, e.count) for e in ev] == [("z1[0]", 1), ("z1[1]", 6), ("z1[1]", 1)]
    assert ev[0].direction == -1 and ev[1].direction == 1 and ev[1].final == -1
    assert ev[1].time == 1.0 and ev[1].t_end == 1.5
    assert "switched 6 times between" in ev[1].describe()


def test_flow_records_switching_events_with_directions():
    net = _net([1, 3, 1], 0)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [1.0])
    c0 = layout.forward_cochain(net, np.array([1.0]))
    c0[layout.vertex("z1").slice] = -np.sign(c0[layout.vertex("z1").slice]) * 0.5
    res = relax(net, pins, c0=c0, tol=1e-10)
    names = {e.neuron for e in res.events}
    assert names == {"z1[0]", "z1[1]", "z1[2]"}
    for e in res.events:
        i = int(e.neuron[3])
        assert e.final == (1 if net.forward(np.array([1.0])).z[0][i] >= 0 else -1)


def test_relax_progress_and_result_fields():
    net = _net([2, 3, 1], 2)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [0.1, 0.2])
    calls = []
    res = relax(net, pins, init="zeros", max_steps=1000, record_every=10,
                progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == res.steps and calls[0][1] == 1000
    assert res.energy_trace[0][0] == 0.0
    assert res.time == pytest.approx(res.steps * res.dt)
    with pytest.raises(ValueError, match="init"):
        relax(net, pins, init="bogus")


@pytest.mark.parametrize("output", ["identity", "sigmoid", "softmax"])
def test_path_bound_is_above_lambda_max_for_every_pattern(output):
    from sheafviz.core.flows.flowcheck import lambda_max_bound

    arch = [3, 5, 4, 3] if output != "sigmoid" else [3, 5, 4, 1]
    net = _net(arch, 11, output)
    layout = SheafLayout(net.arch)
    rng = np.random.default_rng(0)
    pin_sets = [PinSet().pin(layout, "x", [0.1, 0.2, 0.3]),
                PinSet().pin(layout, "x", [0.1, 0.2, 0.3]).pin(layout, "y", [0.5] * arch[-1]),
                PinSet().pin(layout, "a1", 0.3, index=2).pin_soft(layout, "z2", 1.0, 3.0, 0)]
    for pins in pin_sets:
        res = pins.resolve(layout)
        gmax = res.soft_gamma.max() if res.soft_gamma.size else 0.0
        bound = lambda_max_bound(net, gmax, layout=layout, resolved=res)
        for _ in range(20):
            sigma = [rng.integers(0, 2, size=n).astype(float) for n in arch[1:-1]]
            lap = laplacian(layout, net, sigma, z_out=rng.normal(size=arch[-1]) * 2).toarray()
            lap[res.soft_index, res.soft_index] += res.soft_gamma
            ev = np.linalg.eigvalsh(lap[np.ix_(res.free_index, res.free_index)])
            assert ev[-1] <= bound * (1 + 1e-12)


def test_sliding_equilibrium_is_reached_instead_of_chattering():
    net = _net([2, 5, 4, 1], 1)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [0.3, -0.7]).pin(layout, "y", [2.0])
    res = relax(net, pins, max_steps=20_000)
    assert res.converged and res.sliding == ["z2[1]"]
    # reference: the fixed-σ minimiser with z2[1] held at 0 (both patterns agree there)
    sigma = layout.sigma_of(res.cochain)
    ref = _dense_two_sided(net, layout, pins.pin(layout, "z2", 0.0, index=1), sigma)
    np.testing.assert_allclose(res.cochain, ref, atol=1e-7)
    # and it is a minimum along z2[1] from both sides (the surface attracts)
    i = layout.index("z2", 1)
    for step in (1e-4, -1e-4):
        c = ref.copy()
        c[i] += step
        assert energy(layout, net, c) > energy(layout, net, ref)
    assert any(e.neuron == "z2[1]" for e in res.events)


@pytest.mark.parametrize("kw", [dict(alpha=0.0), dict(alpha=-1.0), dict(dt=-0.1),
                                dict(dt=float("nan"))])
def test_bad_rates_are_named(kw):
    net = _net([2, 3, 1], 0)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [0.1, 0.2])
    with pytest.raises(ValueError, match="α|Δt"):
        HeatFlow(net, pins, initial_state(net, pins, layout=layout), **kw)
