"""Shipped presets: every one loads and fits; the lesson cases have the properties their
notes promise, checked with a dense fixed-σ solve written here (not the package's solver)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sheafviz.core.data.datasets import load_dataset
from sheafviz.core.model.network import Network
from sheafviz.core.data.presets import (DEFAULT_PRESET, PresetError, list_presets, load_preset,
                                   preset_from_dict, preset_info)
from sheafviz.core.model.sheaf import SheafLayout

EXPECTED = {"running-241", "course-221", "paraboloid", "saddle", "circular", "blobs",
            "paraboloid-2h", "saddle-2h", "circular-2h", "blobs-2h", "steering", "sliding",
            "two-minima", "dead-relu", "vanishing", "saturation"}

# docs/mathematics.md, “The paper's protocol”: architecture, output head and Δt of the paper's tasks.
PAPER = {
    "paraboloid": ([2, 30, 1], "identity", 0.005), "paraboloid-2h": ([2, 10, 8, 1], "identity", 0.01),
    "saddle": ([2, 30, 1], "identity", 0.005), "saddle-2h": ([2, 10, 8, 1], "identity", 0.01),
    "circular": ([2, 25, 1], "sigmoid", 0.005), "circular-2h": ([2, 10, 8, 1], "sigmoid", 0.01),
    "blobs": ([2, 25, 4], "softmax", 0.005), "blobs-2h": ([2, 10, 8, 4], "softmax", 0.01),
}


# -- an independent dense reference (identity output) -----------------------------------------
def dense_fixed_sigma(weights, biases, sigma, pinned: dict):
    """Minimise E at fixed σ with hard pins; returns (cochain, E, own pattern).

    The cochain is ordered x, z1, a1, ..., z{K+1}, y; ``pinned`` maps a flat index to its
    value. Rows of D: aff_l (z_l − W_l a_{l−1} − b_l), relu_l (a_l − σ_l z_l), out (y − z).
    """
    widths = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    blocks = [widths[0]]
    for n in widths[1:-1]:
        blocks += [n, n]
    blocks += [widths[-1], widths[-1]]
    offs = np.concatenate([[0], np.cumsum(blocks)]).astype(int)
    n = offs[-1]
    rows, rhs = [], []
    for k in range(len(blocks) - 1):
        tail, head = slice(offs[k], offs[k + 1]), slice(offs[k + 1], offs[k + 2])
        d = blocks[k + 1]
        block = np.zeros((d, n))
        block[:, head] = np.eye(d)
        if k == len(blocks) - 2:                     # out edge, identity head
            block[:, tail] = -np.eye(d)
            rhs.append(np.zeros(d))
        elif k % 2 == 0:                             # affine edge
            l = k // 2
            block[:, tail] = -weights[l]
            rhs.append(biases[l])
        else:                                        # relu edge
            block[:, tail] = -np.diag(sigma[k // 2])
            rhs.append(np.zeros(d))
        rows.append(block)
    D, g = np.vstack(rows), np.concatenate(rhs)
    fixed = np.array(sorted(pinned), dtype=int)
    free = np.setdiff1d(np.arange(n), fixed)
    c = np.zeros(n)
    c[fixed] = [pinned[i] for i in fixed]
    sol, *_ = np.linalg.lstsq(D[:, free], g - D[:, fixed] @ c[fixed], rcond=None)
    c[free] = sol
    r = D @ c - g
    own = [(c[offs[1 + 2 * l]:offs[2 + 2 * l]] >= 0).astype(float) for l in range(len(sigma))]
    return c, 0.5 * float(r @ r), own


def consistent_patterns(network: Network, pins_hard: dict):
    """[(σ, cochain, E)] of every self-consistent pattern (exhaustive; tiny networks only)."""
    layout = SheafLayout(network.arch)
    pinned = {layout.index(name, i): v for (name, i), v in pins_hard.items()}
    hidden = network.arch[1:-1]
    found = []
    for bits in itertools.product([0.0, 1.0], repeat=sum(hidden)):
        sigma = np.split(np.array(bits), np.cumsum(hidden)[:-1])
        c, e, own = dense_fixed_sigma(network.weights, network.biases, sigma, pinned)
        if all(np.array_equal(s, o) for s, o in zip(sigma, own)):
            found.append((sigma, c, e))
    return found


# -- every preset ------------------------------------------------------------------------------
def test_the_list():
    names = list_presets()
    assert set(names) == EXPECTED
    assert names[0] == DEFAULT_PRESET == "running-241"
    assert [p["name"] for p in preset_info()] == list(names)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_preset_loads_and_fits(name):
    p = load_preset(name)
    assert p.name == name and p.title.strip() and len(p.notes.strip()) > 100
    layout = SheafLayout(p.network.arch)
    res = p.pins.resolve(layout)  # validates every pinned neuron
    assert res.hard_index.size > 0
    assert np.all(np.isfinite(res.hard_value))
    assert p.mode in ("relax", "paper", "adiabatic", "gd")
    assert p.init in ("forward", "zeros", "random")
    assert p.output_force in ("energy", "cross-entropy")
    assert p.dt > 0 and p.alpha > 0 and (p.beta is None or p.beta > 0)
    if p.output_force == "cross-entropy":
        assert p.network.output != "identity"
    info = next(i for i in preset_info() if i["name"] == name)
    assert info["arch"] == list(p.network.arch) and info["output"] == p.network.output
    if p.data is not None:
        ds = load_dataset(p.data)
        assert (ds.n_inputs, ds.n_outputs) == (p.network.arch[0], p.network.arch[-1])


@pytest.mark.parametrize("name", sorted(PAPER))
def test_paper_tasks(name):
    arch, output, dt = PAPER[name]
    p = load_preset(name)
    assert list(p.network.arch) == arch and p.network.output == output
    assert p.dt == dt and p.alpha == 1.0 and p.beta is None and p.mode == "paper"
    assert p.data == name.removesuffix("-2h") and p.example == 0
    assert all(np.all(b == 0) for b in p.network.biases)  # He init: zero biases
    # He-normal scale: W_l / sqrt(2/fan_in) pooled over layers is about N(0, 1)
    pooled = np.concatenate([(w / np.sqrt(2.0 / w.shape[1])).ravel() for w in p.network.weights])
    assert 0.8 < np.std(pooled) < 1.2 and abs(np.mean(pooled)) < 0.2
    # the pinned pair is example 0 of the data set (seed 42)
    ds = load_dataset(p.data, seed=42)
    x = [p.pins.hard[("x", i)] for i in range(arch[0])]
    y = [p.pins.hard[("y", i)] for i in range(arch[-1])]
    np.testing.assert_array_equal(x, ds.X[0])
    np.testing.assert_array_equal(y, ds.Y[0])
    # two loads are identical (fixed seed)
    again = load_preset(name)
    for w1, w2 in zip(p.network.weights, again.network.weights):
        np.testing.assert_array_equal(w1, w2)


# -- lesson properties --------------------------------------------------------------------------
def test_course_221_is_spec_12():
    p = load_preset("course-221")
    np.testing.assert_array_equal(p.network.weights[0], np.eye(2))
    np.testing.assert_array_equal(p.network.biases[0], [0, -1])
    np.testing.assert_array_equal(p.network.weights[1], [[1, 1]])
    np.testing.assert_array_equal(p.network.biases[1], [0])
    assert p.pins.hard == {("x", 0): 1.0, ("x", 1): 2.0, ("y", 0): 3.0}
    for erratum in ("2.67", "0.47", "0.109", "0.22"):
        assert erratum in p.notes
    assert "7/6" in p.notes and "17/6" in p.notes


def test_running_241_drapes():
    p = load_preset("running-241")
    assert list(p.network.arch) == [2, 4, 1] and p.network.output == "identity"
    x = np.array([p.pins.hard[("x", 0)], p.pins.hard[("x", 1)]])
    target = p.pins.hard[("y", 0)]
    assert abs(p.network.predict(x)[0] - target) > 0.5  # clamped away from the forward output
    found = consistent_patterns(p.network, p.pins.hard)
    assert len(found) == 1  # a unique consistent pattern: the drape of the notes
    sigma, c, e = found[0]
    assert e > 0.05
    np.testing.assert_allclose(e, 0.0840602, atol=1e-6)  # the value quoted in the notes
    from sheafviz.core.solvers.solve import equilibrium
    sol = equilibrium(p.network, p.pins)
    np.testing.assert_allclose(sol.energy, e, rtol=1e-10)
    np.testing.assert_allclose(sol.cochain, c, atol=1e-10)


def test_two_minima_has_two_consistent_patterns():
    p = load_preset("two-minima")
    found = consistent_patterns(p.network, p.pins.hard)
    energies = sorted(e for _, _, e in found)
    assert len(found) == 2
    np.testing.assert_allclose(energies, [3.1 ** 2 / 8, 1.5], rtol=1e-12)
    by_sigma = {int(s[0][0]): c for s, c, _ in found}
    np.testing.assert_allclose(by_sigma[0], [1, -0.1, 1, 2, 3], atol=1e-12)
    np.testing.assert_allclose(by_sigma[1], [1, 0.675, 1.45, 2.225, 3], atol=1e-12)
    # auto starts from the forward pattern (σ = 0) and stays there
    from sheafviz.core.solvers.solve import equilibrium
    sol = equilibrium(p.network, p.pins)
    np.testing.assert_allclose(sol.energy, 1.5, rtol=1e-10)


def test_sliding_has_no_consistent_pattern_and_sits_on_the_kink():
    p = load_preset("sliding")
    assert consistent_patterns(p.network, p.pins.hard) == []
    from sheafviz.core.solvers.solve import equilibrium
    sol = equilibrium(p.network, p.pins)
    assert sol.on_boundary == ["z1[0]"]
    np.testing.assert_allclose(sol.cochain, [1, 0, -5 / 3, -10 / 3, -5], atol=1e-8)
    np.testing.assert_allclose(sol.energy, 0.5 + 3 * 0.5 * (5 / 3) ** 2, rtol=1e-8)


def test_steering_pulls_z_half_way():
    p = load_preset("steering")
    assert ("a1", 0) in p.pins.hard and ("y", 0) not in p.pins.hard
    (sigma, c, e), = consistent_patterns(p.network, p.pins.hard)
    z_fwd = p.network.forward(np.array([1.0, 0.5])).z[0][0]
    np.testing.assert_allclose(c[2], z_fwd / 2, atol=1e-12)  # z1[0] between W x + b and a1[0] = 0


def test_dead_relu_is_dead_on_its_data():
    p = load_preset("dead-relu")
    ds = load_dataset(p.data)
    z = p.network.forward(np.vstack([ds.X, ds.X_test])).z[0]
    assert np.all(z[:, 2] < 0) and np.all(np.any(z[:, :2] > 0, axis=0))


def test_vanishing_and_saturation_signatures():
    v = load_preset("vanishing")
    assert v.network.n_hidden >= 4
    np.testing.assert_allclose(v.network.predict(np.ones(2)), [0.0625], rtol=1e-12)
    s = load_preset("saturation")
    assert s.network.output == "sigmoid"
    z = s.network.forward(np.array([1.0, 1.0])).z
    assert z[-1][0] == pytest.approx(6.0) and np.all(z[0] != 0)  # no neuron on its kink
    assert s.pins.hard[("y", 0)] == 0.0


def test_bad_names_and_files():
    with pytest.raises(PresetError, match="unknown preset 'nope'; the presets are running-241"):
        load_preset("nope")
    good = {"name": "t", "title": "t", "notes": ["a", "b"],
            "network": {"arch": [1, 1, 1], "output": "identity",
                        "weights": {"W1": [[1.0]], "b1": [0.0], "W2": [[1.0]], "b2": [0.0]}},
            "pins": {"hard": {"x[0]": 1.0}}}
    assert preset_from_dict(good).notes == "a\nb"
    cases = [
        ({k: v for k, v in good.items() if k != "title"}, "preset: missing the field 'title'"),
        (good | {"mode": "fly"}, "preset.mode: unknown value 'fly'; expected one of relax"),
        (good | {"network": {"arch": [1, 2, 1], "weights": good["network"]["weights"]}},
         r"the weights give architecture \[1, 1, 1\]"),
        (good | {"network": {"arch": [1, 1, 1]}}, "needs 'weights' or 'seed'"),
        (good | {"example": 0}, "'example' needs 'data'"),
        (good | {"data": "blobs", "example": 0}, "does not fit the network"),
        (good | {"pins": {"hard": {"a1[3]": 1.0}}}, "bad pins: a1\\[3\\] is out of range"),
        (good | {"pins": {"hard": {"q": 1.0}}}, "bad pins: unknown vertex 'q'"),
    ]
    for data, message in cases:
        with pytest.raises(PresetError, match=message):
            preset_from_dict(data)
