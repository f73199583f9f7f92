"""Harmonic extension and equilibrium against dense references and the closed forms of docs/mathematics.md."""

import numpy as np
import pytest

from reference import all_patterns, dense_coboundary, dense_pinned_solve, true_energy
from sheafviz.core.solvers.linear import FixedSigmaSystem
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout, discords, energy
from sheafviz.core.solvers.solve import equilibrium, harmonic_extension


def random_network(rng, arch):
    net = Network.he_init(arch, rng=rng)
    return net.with_parameters(net.weights, [rng.normal(size=b.shape) for b in net.biases])


def random_arch(rng):
    hidden = list(rng.integers(1, 5, size=rng.integers(1, 4)))
    return [int(rng.integers(1, 4))] + [int(h) for h in hidden] + [int(rng.integers(1, 3))]


def flat_pins(layout, pins):
    res = pins.resolve(layout)
    hard = dict(zip(res.hard_index.tolist(), res.hard_value.tolist()))
    soft = {i: (v, g) for i, v, g in zip(res.soft_index, res.soft_value, res.soft_gamma)}
    return hard, soft


def pin_some_neurons(rng, layout, pins, vertices, *, share):
    """``pins`` plus, for each neuron of ``vertices``, a hard pin with probability ``share``
    and a soft one (stiffness in [0.1, 1.1)) with the same probability."""
    for v in vertices:
        for i in range(v.dim):
            u = rng.random()
            if u < share:
                pins = pins.pin(layout, v.name, rng.normal(), i)
            elif u < 2 * share:
                pins = pins.pin_soft(layout, v.name, rng.normal(), 0.1 + rng.random(), i)
    return pins


@pytest.mark.parametrize("seed", range(12))
def test_input_only_extension_is_the_forward_pass(seed):
    rng = np.random.default_rng(seed)
    net = random_network(rng, random_arch(rng))
    layout = SheafLayout(net.arch)
    x = rng.normal(size=net.arch[0])
    c, under = harmonic_extension(net, PinSet().pin(layout, "x", x), net.forward(x).sigma)
    fp = net.forward(x)
    assert not under
    for l, z in enumerate(fp.z, start=1):
        np.testing.assert_allclose(c[layout.vertex(f"z{l}").slice], z, atol=1e-12)
    for l, a in enumerate(fp.a, start=1):
        np.testing.assert_allclose(c[layout.vertex(f"a{l}").slice], a, atol=1e-12)
    np.testing.assert_allclose(c[layout.vertex("y").slice], fp.y, atol=1e-12)
    assert energy(layout, net, c) < 1e-24


@pytest.mark.parametrize("arch", [[2, 2, 1], [1, 2, 2, 1], [2, 3, 2]])
def test_det_of_input_only_free_laplacian_is_one_for_every_pattern(arch):
    rng = np.random.default_rng(7)
    net = random_network(rng, arch)
    n0 = arch[0]
    for sigma in all_patterns(arch[1:-1]):
        D, _ = dense_coboundary(net.weights, net.biases, sigma)
        l_free = D[:, n0:].T @ D[:, n0:]
        assert np.linalg.det(l_free) == pytest.approx(1.0, abs=1e-9)
        assert np.linalg.eigvalsh(l_free)[0] > 0


@pytest.mark.parametrize("seed", range(25))
def test_fixed_sigma_solve_matches_dense_least_squares(seed):
    """Random pins of every kind (hard, soft, partial input, none) vs a dense pinv solve."""
    rng = np.random.default_rng(100 + seed)
    net = random_network(rng, random_arch(rng))
    layout = SheafLayout(net.arch)
    sigma = [rng.integers(0, 2, size=n).astype(float) for n in net.arch[1:-1]]
    pins = PinSet()
    for v in layout.vertices:
        for i in range(v.dim):
            u = rng.random()
            if u < (0.7 if v.name == "x" else 0.15):
                pins = pins.pin(layout, v.name, rng.normal(), i)
            elif u < (0.8 if v.name == "x" else 0.25):
                pins = pins.pin_soft(layout, v.name, rng.normal(), 0.1 + rng.random(), i)
    hard, soft = flat_pins(layout, pins)
    c_ref, l_ref, _ = dense_pinned_solve(net.weights, net.biases, sigma, hard, soft)
    system = FixedSigmaSystem(layout, net, sigma, pins)
    np.testing.assert_allclose(system.harmonic_extension(), c_ref, atol=1e-9)
    np.testing.assert_allclose(system.dense_free_laplacian(), l_ref, atol=1e-12)
    singular = np.linalg.eigvalsh(l_ref)[0] < 1e-10 * max(1, np.linalg.eigvalsh(l_ref)[-1])
    assert system.underdetermined == singular


@pytest.mark.parametrize("seed", range(12))
def test_unit_column_solves_match_the_dense_inverse(seed):
    """``solve_units`` (the equilibrium's batched columns, in place in a reused scratch
    array) against the inverse of the dense reference L_free, with random pins of every
    kind, the input partly free; twice through one scratch array, larger batch first."""
    rng = np.random.default_rng(500 + seed)
    net = random_network(rng, [3, 4, 3, 2])
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", rng.normal(), 0).pin(layout, "y", rng.normal(size=2))
    pins = pin_some_neurons(rng, layout, pins, layout.vertices[1:-1], share=0.15)
    for _ in range(100):  # a pattern under which the pins determine the free inputs
        sigma = [rng.integers(0, 2, size=n).astype(float) for n in net.arch[1:-1]]
        _, l_ref, _ = dense_pinned_solve(net.weights, net.biases, sigma,
                                         *flat_pins(layout, pins))
        eig = np.linalg.eigvalsh(l_ref)
        if eig[0] > 1e-6 * eig[-1]:
            break
    else:
        pytest.fail("no determined pattern drawn")
    inverse = np.linalg.inv(l_ref)
    system = FixedSigmaSystem(layout, net, sigma, pins)
    work = np.full(layout.size * l_ref.shape[0], np.nan)  # stale contents must not leak
    for size in (l_ref.shape[0], 3):
        positions = rng.choice(l_ref.shape[0], size=size, replace=False)
        out = np.full((l_ref.shape[0], size), np.nan)
        system.solve_units(positions, out, work)
        np.testing.assert_allclose(out, inverse[:, positions], atol=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_pinned_input_solve_matches_dense_least_squares(seed):
    """The whole input hard-pinned (the solver's two-forward-pass route) with random hard and
    soft pins elsewhere, against a dense pinv solve."""
    rng = np.random.default_rng(300 + seed)
    net = random_network(rng, random_arch(rng))
    layout = SheafLayout(net.arch)
    sigma = [rng.integers(0, 2, size=n).astype(float) for n in net.arch[1:-1]]
    pins = PinSet().pin(layout, "x", rng.normal(size=net.arch[0]))
    pins = pin_some_neurons(rng, layout, pins, layout.vertices[1:], share=0.2)
    c_ref, _, _ = dense_pinned_solve(net.weights, net.biases, sigma, *flat_pins(layout, pins))
    np.testing.assert_allclose(FixedSigmaSystem(layout, net, sigma, pins).harmonic_extension(),
                               c_ref, atol=1e-9)


@pytest.mark.parametrize("pin_input", [True, False])
def test_many_pins_use_a_reused_factorisation_and_match_dense(pin_input):
    """More pinned coordinates than KKT_FACTOR_MIN: the LU-factored Schur system."""
    from sheafviz.core.solvers.linear import KKT_FACTOR_MIN

    rng = np.random.default_rng(5)
    net = random_network(rng, [3, 40, 40, 2])
    layout = SheafLayout(net.arch)
    sigma = net.forward(rng.normal(size=3)).sigma
    pins = PinSet().pin(layout, "x", rng.normal(size=3)) if pin_input else PinSet()
    pins = pins.pin(layout, "a1", rng.normal(size=40)).pin(layout, "z2", rng.normal(size=40))
    system = FixedSigmaSystem(layout, net, sigma, pins)
    assert system._kkt.shape[0] > KKT_FACTOR_MIN and system._kkt_factor is not None
    c_ref, _, _ = dense_pinned_solve(net.weights, net.biases, sigma, *flat_pins(layout, pins))
    np.testing.assert_allclose(system.harmonic_extension(), c_ref, atol=1e-9)


def test_two_sided_large_network_matches_dense_solve():
    rng = np.random.default_rng(3)
    net = Network.he_init([16, 40, 30, 3], rng=rng)
    layout = SheafLayout(net.arch)
    x, y = rng.normal(size=16), rng.normal(size=3)
    pins = PinSet().pin(layout, "x", x).pin(layout, "y", y).pin(layout, "a1", 0.3, 5)
    sigma = net.forward(x).sigma
    c_ref, _, _ = dense_pinned_solve(net.weights, net.biases, sigma, *flat_pins(layout, pins))
    c, under = harmonic_extension(net, pins, sigma)
    assert not under
    np.testing.assert_allclose(c, c_ref, atol=1e-10)


@pytest.mark.parametrize("seed", range(6))
def test_discords_sum_to_twice_the_energy(seed):
    rng = np.random.default_rng(seed)
    net = random_network(rng, random_arch(rng))
    layout = SheafLayout(net.arch)
    c = rng.normal(size=layout.size)
    d = discords(layout, net, c)
    assert d.sum() == pytest.approx(2 * energy(layout, net, c), rel=1e-14)
    assert energy(layout, net, c) == pytest.approx(true_energy(net.weights, net.biases, c))


def sensitivities(net, x):
    """J_e for every edge at the forward pattern (∂ŷ/∂ of a unit discrepancy on edge e)."""
    fp = net.forward(x)
    K = net.n_hidden
    out = {"out": np.eye(net.arch[-1])}
    J = np.eye(net.arch[-1])  # ∂ŷ/∂z_{K+1}
    out[f"aff{K + 1}"] = J
    for l in range(K, 0, -1):
        J_a = J @ net.weights[l]  # ∂ŷ/∂a_l
        out[f"relu{l}"] = J_a
        J = J_a * (fp.z[l - 1] >= 0)  # ∂ŷ/∂z_l
        out[f"aff{l}"] = J
    return out


@pytest.mark.parametrize("seed", range(8))
def test_residual_closed_form_while_sigma_is_fixed(seed):
    """R = ½ eᵀS⁻¹e and r_e = J_eᵀS⁻¹(y − f(x)) (docs/mathematics.md, “The harmonic extension at a fixed pattern” item 3)."""
    rng = np.random.default_rng(50 + seed)
    net = random_network(rng, [3, 5, 4, 2])
    layout = SheafLayout(net.arch)
    x = rng.normal(size=3)
    f = net.predict(x)
    y = f + 1e-3 * rng.normal(size=2)  # small enough that σ stays the forward pattern
    pins = PinSet().pin(layout, "x", x).pin(layout, "y", y)
    sol = equilibrium(net, pins)
    assert sol.consistent and not sol.flipped
    J = sensitivities(net, x)
    S = sum(j @ j.T for j in J.values())
    e = f - y
    assert sol.energy == pytest.approx(0.5 * e @ np.linalg.solve(S, e), rel=1e-9)
    stalks = layout.split(sol.cochain)
    for edge in layout.edges:
        r = stalks[edge.head] - (stalks[edge.tail] @ net.weights[edge.layer - 1].T
                                 + net.biases[edge.layer - 1] if edge.type == "affine"
                                 else np.maximum(stalks[edge.tail], 0) if edge.type == "relu"
                                 else stalks[edge.tail])
        np.testing.assert_allclose(r, J[edge.name].T @ np.linalg.solve(S, y - f), atol=1e-12)


def test_course_example_corrected_values():
    """docs/mathematics.md, “Worked example”: the corrected numbers to 1e-12."""
    net = Network([np.eye(2), np.array([[1.0, 1.0]])], [np.array([0.0, -1.0]), np.zeros(1)])
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [1, 2]).pin(layout, "y", [3])
    sol = equilibrium(net, pins)
    s = layout.split(sol.cochain)
    np.testing.assert_allclose(s["z1"], [7 / 6, 7 / 6], atol=1e-12)
    np.testing.assert_allclose(s["a1"], [4 / 3, 4 / 3], atol=1e-12)
    np.testing.assert_allclose(s["z2"], [17 / 6], atol=1e-12)
    np.testing.assert_allclose(discords(layout, net, sol.cochain),
                               [1 / 18, 1 / 18, 1 / 36, 1 / 36], atol=1e-12)
    assert sol.energy == pytest.approx(1 / 12, abs=1e-12)
    system = FixedSigmaSystem(layout, net, sol.sigma, pins)
    ev = np.linalg.eigvalsh(system.dense_free_laplacian())
    r5, r13 = np.sqrt(5), np.sqrt(13)
    np.testing.assert_allclose(ev, sorted([(3 - r5) / 2, (5 - r13) / 2, 2, (3 + r5) / 2,
                                           (5 + r13) / 2]), atol=1e-12)
    assert np.prod(ev) == pytest.approx(6, abs=1e-10)
    # Parameter gradients of docs/mathematics.md, “The joint flow (training)” at the equilibrium: ΔW = −η ρ a_prevᵀ.
    rho2 = net.weights[1] @ s["a1"] + net.biases[1] - s["z2"]
    np.testing.assert_allclose(-np.outer(rho2, s["a1"]), [[2 / 9, 2 / 9]], atol=1e-12)
    rho1 = net.weights[0] @ s["x"] + net.biases[0] - s["z1"]
    np.testing.assert_allclose(-np.outer(rho1, s["x"]), [[1 / 6, 1 / 3], [1 / 6, 1 / 3]],
                               atol=1e-12)


def restricted_min(net, pins_flat, sigma, z_index, t):
    """Minimum of the fixed-σ energy with z pinned to t at flat index z_index."""
    hard = dict(pins_flat)
    hard[z_index] = t
    c, _, _ = dense_pinned_solve(net.weights, net.biases, sigma, hard)
    return c


def test_sliding_equilibrium_is_a_true_minimiser_on_the_switching_surface():
    """Active set cycles; the answer sits on z1 = 0 and beats every nearby point."""
    net = Network([np.array([[1.0]]), np.array([[1.0]])], [np.zeros(1), np.zeros(1)])
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [1.0]).pin(layout, "y", [-5.0])
    sol = equilibrium(net, pins)
    assert sol.cycled and not sol.consistent and sol.on_boundary == ["z1[0]"]
    # Brute force: no pattern's fixed-σ solve is self-consistent.
    hard = {0: 1.0, 4: -5.0}
    for sigma in all_patterns([1]):
        c, _, _ = dense_pinned_solve(net.weights, net.biases, sigma, hard)
        assert float(c[1] >= 0) != sigma[0][0]
    # The kink: along z1 = t (everything else re-optimised) the true energy is least at 0.
    ts = np.linspace(-0.5, 0.5, 201)
    best = [min(true_energy(net.weights, net.biases, restricted_min(net, hard, s, 1, t))
                for s in all_patterns([1])) for t in ts]
    # On each side only the pattern that matches the side is the true energy.
    best = [true_energy(net.weights, net.biases,
                        restricted_min(net, hard, [np.array([float(t >= 0)])], 1, t))
            for t in ts]
    assert ts[int(np.argmin(best))] == pytest.approx(0.0, abs=1e-12)
    assert sol.energy == pytest.approx(min(best), abs=1e-12)
    assert sol.energy == pytest.approx(0.5 * (1 + 3 * 25 / 9), abs=1e-12)
    # And it beats random nearby points of the true energy.
    rng = np.random.default_rng(0)
    for _ in range(200):
        c = sol.cochain + 1e-3 * rng.normal(size=layout.size)
        c[[0, 4]] = [1.0, -5.0]
        assert true_energy(net.weights, net.biases, c) >= sol.energy - 1e-15


def test_two_minima_auto_returns_the_one_reached_from_the_forward_pattern():
    net = Network([np.array([[1.0]]), np.array([[1.0]])], [np.array([-1.1]), np.zeros(1)])
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [1.0]).pin(layout, "y", [3.0])
    sol = equilibrium(net, pins)
    assert sol.local and sol.consistent
    minima = []
    for sigma in all_patterns([1]):
        c, _, _ = dense_pinned_solve(net.weights, net.biases, sigma, {0: 1.0, 4: 3.0})
        if float(c[1] >= 0) == sigma[0][0]:
            minima.append((true_energy(net.weights, net.biases, c), sigma[0][0], c))
    assert len(minima) == 2  # two self-consistent patterns: two local minima
    forward_pattern = float(net.forward(np.array([1.0])).z[0][0] >= 0)
    reached = next(m for m in minima if m[1] == forward_pattern)
    np.testing.assert_allclose(sol.cochain, reached[2], atol=1e-12)
    assert sol.energy > min(m[0] for m in minima)  # not the global one, and it says local


def test_underdetermined_pins_give_the_minimum_norm_solution():
    rng = np.random.default_rng(11)
    net = random_network(rng, [3, 2, 1])
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "y", [0.7])
    sol = equilibrium(net, pins)
    assert sol.underdetermined and sol.consistent
    c_ref, _, _ = dense_pinned_solve(net.weights, net.biases, sol.sigma,
                                     {layout.index("y", 0): 0.7})
    np.testing.assert_allclose(sol.cochain, c_ref, atol=1e-10)


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_nonlinear_head_solution_is_stationary(output):
    """Gauss–Newton converges to a point where finite differences of E vanish."""
    net = Network.he_init([2, 4, 3], seed=3, output=output)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [1, -1]).pin(layout, "y", [0.9, 0.05, 0.05])
    sol = equilibrium(net, pins)
    free = pins.resolve(layout).free_index
    h = 1e-6
    for i in free:
        e = np.zeros(layout.size)
        e[i] = h
        fd = (energy(layout, net, sol.cochain + e) - energy(layout, net, sol.cochain - e)) / (2 * h)
        assert abs(fd) < 1e-7


def test_heat_flow_fallback_finds_the_sliding_minimiser(monkeypatch):
    """When the first sliding attempt fails, the heat flow + polish reaches the same point."""
    import sheafviz.core.solvers.solve as solve_module

    net = Network([np.array([[1.0]]), np.array([[1.0]])], [np.zeros(1), np.zeros(1)])
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [1.0]).pin(layout, "y", [-5.0])
    original, calls = solve_module._sliding, []

    def fail_once(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else original(*args, **kwargs)

    monkeypatch.setattr(solve_module, "_sliding", fail_once)
    sol = solve_module.equilibrium(net, pins)
    assert len(calls) == 2
    np.testing.assert_allclose(sol.cochain, [1, 0, -5 / 3, -10 / 3, -5], atol=1e-9)


@pytest.mark.parametrize("arch,seed", [([3, 8, 6, 2], 7), ([4, 12, 10, 3], 70),
                                       ([4, 12, 10, 3], 99), ([6, 20, 16, 4], 41)])
def test_sliding_with_several_boundary_neurons_needs_no_heat_flow(arch, seed, monkeypatch):
    """Cases where releasing every violating boundary neuron at once made the sliding
    search cycle (and fall back to the heat flow, ~0.5 s on a wide network): the search now
    ends on its own, at a point no nearby point of the true energy beats."""
    import sheafviz.core.solvers.solve as solve_module

    monkeypatch.setattr(solve_module, "_heat_flow_fallback",
                        lambda *a, **k: pytest.fail("fell back to the heat flow"))
    net = Network.he_init(arch, seed=seed)
    layout = SheafLayout(net.arch)
    rng = np.random.default_rng(seed)
    pins = PinSet().pin(layout, "x", rng.normal(size=arch[0])).pin(
        layout, "y", 2 * rng.normal(size=arch[-1]))
    sol = solve_module.equilibrium(net, pins)
    assert sol.method == "sliding" and len(sol.on_boundary) >= 2
    assert sol.energy == pytest.approx(true_energy(net.weights, net.biases, sol.cochain),
                                       abs=1e-12)
    pinned = pins.resolve(layout).hard_index
    for scale in (1e-2, 1e-4):
        for _ in range(300):
            c = sol.cochain + scale * rng.normal(size=layout.size)
            c[pinned] = sol.cochain[pinned]
            assert true_energy(net.weights, net.biases, c) >= sol.energy - 1e-12
