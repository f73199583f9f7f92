"""The phase-plane field against central finite differences of the energy."""

from __future__ import annotations

import numpy as np
import pytest

from sheafviz.core.diagnostics.phase import perturb, phase_field
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout


def energy_with_pins(net, layout, pins, c):
    """E(c) of docs/mathematics.md, “Discord and energy” (σ off c's own z) plus ½Σγ(c−t)², written out with explicit slices."""
    st = {v.name: c[v.slice] for v in layout.vertices}
    K = net.n_hidden
    total = 0.0
    for l in range(1, K + 2):
        prev = st["x" if l == 1 else f"a{l - 1}"]
        r = st[f"z{l}"] - net.weights[l - 1] @ prev - net.biases[l - 1]
        total += 0.5 * r @ r
        if l <= K:
            q = st[f"a{l}"] - np.maximum(st[f"z{l}"], 0.0)
            total += 0.5 * q @ q
    z = st[f"z{K + 1}"]
    out = z if net.output == "identity" else 1.0 / (1.0 + np.exp(-z))
    total += 0.5 * np.sum((st["y"] - out) ** 2)
    for (name, i), (t, g) in pins.soft.items():
        total += 0.5 * g * (st[name][i] - t) ** 2
    return total


def setup(output="identity", seed=0):
    rng = np.random.default_rng(seed)
    net = Network.he_init([2, 4, 3, 1], rng=rng, output=output)
    net = net.with_parameters(net.weights, [0.3 * rng.normal(size=b.shape) for b in net.biases])
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [0.4, -0.8]).pin_soft(layout, "y", [0.6], 2.0)
    c = rng.normal(size=layout.size)
    c[layout.vertex("x").slice] = [0.4, -0.8]
    return net, layout, pins, c


@pytest.mark.parametrize("output", ["identity", "sigmoid"])
@pytest.mark.parametrize("coords", [("z1[0]", "a1[0]"), ("a1[1]", "z2[2]"), ("z3[0]", "y[0]"),
                                    ("z1[2]", "z2[0]")])
def test_field_is_minus_alpha_times_the_finite_difference_gradient(output, coords):
    net, layout, pins, c = setup(output)
    alpha, h = 0.7, 1e-6
    field = phase_field(net, pins, c, *coords, half_width=(1.3, 0.9), n=8, alpha=alpha,
                        layout=layout)
    iu, iv = (layout.index(*layout.parse_neuron(s)) for s in coords)
    assert field.du.shape == (8, 8) and field.coords == coords
    for k, vv in enumerate(field.v):
        for m, uu in enumerate(field.u):
            point = c.copy()
            point[iu], point[iv] = uu, vv
            fd = []
            for i in (iu, iv):
                up, down = point.copy(), point.copy()
                up[i] += h
                down[i] -= h
                fd.append((energy_with_pins(net, layout, pins, up)
                           - energy_with_pins(net, layout, pins, down)) / (2 * h))
            assert field.du[k, m] == pytest.approx(-alpha * fd[0], abs=1e-6)
            assert field.dv[k, m] == pytest.approx(-alpha * fd[1], abs=1e-6)
            assert field.objective[k, m] == pytest.approx(energy_with_pins(net, layout, pins,
                                                                           point), rel=1e-12)


def test_switching_lines_are_the_zero_lines_of_chosen_z_coordinates():
    net, layout, pins, c = setup()
    c[layout.index("z1", 0)] = 0.2
    field = phase_field(net, pins, c, "z1[0]", "a1[0]", half_width=(1.0, 1.0), layout=layout)
    assert [(l.neuron, l.kind) for l in field.switching_lines] == [("z1[0]", "switching")]
    np.testing.assert_allclose(field.switching_lines[0].segment[:, 0], 0.0)
    # Across u = 0 the slope of u̇ in u jumps (the relu edge switches on); elsewhere smooth.
    row = field.du[len(field.v) // 2]
    slopes = np.diff(row) / np.diff(field.u)
    left = slopes[field.u[1:] < 0][:-1]
    right = slopes[field.u[:-1] > 0][1:]
    assert np.ptp(left) < 1e-9 and np.ptp(right) < 1e-9 and abs(left[0] - right[0]) > 0.5
    away = phase_field(net, pins, c, "a1[0]", "a1[1]", layout=layout)
    assert away.switching_lines == []


def test_prediction_lines_are_where_the_downstream_prediction_vanishes():
    net, layout, pins, c = setup(seed=3)
    field = phase_field(net, pins, c, "a1[0]", "a1[2]", half_width=(3.0, 3.0), layout=layout)
    assert field.prediction_lines
    for line in field.prediction_lines:
        j = int(line.neuron[line.neuron.index("[") + 1:-1])
        assert line.neuron.startswith("z2")
        for t in (0.0, 0.3, 1.0):
            a1 = c[layout.vertex("a1").slice].copy()
            a1[0], a1[2] = (1 - t) * line.segment[0] + t * line.segment[1]
            assert abs(net.weights[1][j] @ a1 + net.biases[1][j]) < 1e-10


def test_perturb_moves_free_coordinates_by_the_size_and_theta_too():
    net, layout, pins, c = setup()
    rng = np.random.default_rng(0)
    moved, theta = perturb(c, size=0.05, rng=rng, layout=layout, pins=pins, network=net)
    assert np.linalg.norm(moved - c) == pytest.approx(0.05)
    np.testing.assert_array_equal(moved[layout.vertex("x").slice], c[layout.vertex("x").slice])
    dtheta = np.sqrt(sum(np.sum((a - b) ** 2) for a, b in
                         zip(theta.weights + theta.biases, net.weights + net.biases)))
    assert dtheta == pytest.approx(0.05)
    batch = np.stack([c, c, c])
    moved, none = perturb(batch, size=0.1, rng=rng, layout=layout, held=("x", "y"))
    assert none is None and moved.shape == batch.shape
    np.testing.assert_allclose(np.linalg.norm(moved - batch, axis=1), 0.1)
    np.testing.assert_array_equal(moved[:, layout.vertex("y").slice],
                                  batch[:, layout.vertex("y").slice])


@pytest.mark.parametrize("args, match", [(("x[0]", "a1[0]"), "hard-pinned"),
                                         (("a1[0]", "a1[0]"), "different"),
                                         (("a1", "z1[0]"), "whole stalk")])
def test_bad_coordinates_are_rejected(args, match):
    net, layout, pins, c = setup()
    with pytest.raises(ValueError, match=match):
        phase_field(net, pins, c, *args, layout=layout)
