"""The inverse family against forward passes of points on it and off it."""

from __future__ import annotations

import numpy as np
import pytest

from sheafviz.core.diagnostics.inverse import inverse_family
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout

BOX = (-3.0, 3.0, -3.0, 3.0)


def random_net(arch, seed, output="identity"):
    rng = np.random.default_rng(seed)
    net = Network.he_init(arch, rng=rng, output=output)
    return net.with_parameters(net.weights, [0.5 * rng.normal(size=b.shape) for b in net.biases])


def forward_values(net, x):
    """{(vertex, i): value} of every stalk coordinate, by a forward pass written out here."""
    out, a = {}, np.asarray(x, float)
    for l, (w, b) in enumerate(zip(net.weights, net.biases), start=1):
        z = w @ a + b
        out.update({(f"z{l}", i): v for i, v in enumerate(z)})
        if l < len(net.weights):
            a = np.maximum(z, 0.0)
            out.update({(f"a{l}", i): v for i, v in enumerate(a)})
    y = z if net.output == "identity" else 1 / (1 + np.exp(-z))
    out.update({("y", i): v for i, v in enumerate(y)})
    return out


def pin_error(net, pins, x):
    vals = forward_values(net, x)
    return max(abs(vals[k] - v) for k, v in pins.hard.items())


def samples_on(piece, rng, n=5):
    if piece.kind == "point":
        return piece.vertices
    if piece.kind == "segment":
        t = rng.uniform(0.02, 0.98, size=(n, 1))
        return piece.vertices[0] + t * (piece.vertices[1] - piece.vertices[0])
    w = rng.dirichlet(np.ones(len(piece.vertices)), size=n)
    return w @ piece.vertices


def pin_set(net, which, x0):
    lay = SheafLayout(net.arch)
    vals = forward_values(net, x0)
    pins = PinSet()
    for name, i in which:
        pins = pins.pin(lay, name, vals[(name, i)], i)
    return pins


CASES = [([2, 8, 1], [("y", 0)]), ([2, 6, 6, 1], [("y", 0)]), ([2, 6, 4, 1], [("y", 0)]),
         ([2, 6, 4, 2], [("y", 0), ("y", 1)]), ([2, 6, 4, 1], [("y", 0), ("z1", 0)]),
         ([2, 5, 5, 1], [("a2", 1)]), ([2, 6, 4, 1], [("y", 0), ("z1", 0), ("z1", 1)])]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("arch, which", CASES)
def test_points_on_the_family_reach_the_pins_and_points_off_it_do_not(arch, which, seed):
    net = random_net(arch, seed)
    rng = np.random.default_rng(seed + 100)
    x0 = rng.uniform(-2, 2, size=2)
    pins = pin_set(net, which, x0)
    fam = inverse_family(net, pins, BOX)
    assert fam.complete and fam.pieces
    # The input the pins were read from is on the family.
    hit = fam.nearest(x0)
    assert hit.distance < 1e-9 and pin_error(net, pins, hit.x) < 1e-9
    for piece in fam.pieces:
        for p in samples_on(piece, rng):
            assert pin_error(net, pins, p) < 1e-9
        if piece.kind == "segment":
            d = piece.vertices[1] - piece.vertices[0]
            normal = np.array([-d[1], d[0]]) / np.hypot(*d)
            mid = piece.vertices.mean(axis=0)
            for side in (1e-3, -1e-3):
                off = mid + side * normal
                # Off the segment the pins are missed, unless the point is on another piece
                # (a polygon where the network is constant at the pinned value).
                on_family = fam.nearest(off).distance <= 1e-12
                assert on_family == (pin_error(net, pins, off) < 1e-9)
                if not on_family:
                    assert pin_error(net, pins, off) > 1e-7
    for q in rng.uniform(-3, 3, size=(50, 2)):
        assert (fam.nearest(q).distance <= 1e-12) == (pin_error(net, pins, q) < 1e-9)


def test_a_zero_pin_on_an_activation_gives_the_half_plane_where_it_is_off():
    net = random_net([2, 6, 5, 1], 3)
    lay = SheafLayout(net.arch)
    pins = PinSet().pin(lay, "a1", 0.0, 2)
    fam = inverse_family(net, pins, BOX)
    assert {p.kind for p in fam.pieces} == {"polygon"}
    rng = np.random.default_rng(1)
    for p in rng.uniform(-3, 3, size=(300, 2)):
        on = fam.nearest(p).distance == 0.0
        z = net.weights[0][2] @ p + net.biases[0][2]
        assert on == (z <= 0)


def test_sigmoid_head_family_and_unreachable_values():
    net = random_net([2, 6, 1], 2, output="sigmoid")
    lay = SheafLayout(net.arch)
    x0 = np.array([0.5, -0.7])
    pins = pin_set(net, [("y", 0)], x0)
    fam = inverse_family(net, pins, BOX)
    assert fam.nearest(x0).distance < 1e-9
    for piece in fam.pieces:
        for p in samples_on(piece, np.random.default_rng(0)):
            assert pin_error(net, pins, p) < 1e-9
    assert inverse_family(net, PinSet().pin(lay, "y", [1.0]), BOX).pieces == []


def test_nearest_point_is_no_farther_than_any_sampled_family_point():
    net = random_net([2, 6, 6, 1], 1)
    pins = pin_set(net, [("y", 0)], np.array([0.3, 0.4]))
    fam = inverse_family(net, pins, BOX)
    rng = np.random.default_rng(5)
    dense = np.vstack([samples_on(p, rng, n=200) for p in fam.pieces])
    for click in rng.uniform(-3, 3, size=(10, 2)):
        hit = fam.nearest(click)
        assert hit.distance <= np.min(np.hypot(*(dense - click).T)) + 1e-12
        assert hit.distance == pytest.approx(np.hypot(*(hit.point - click)))
        assert pin_error(net, pins, hit.x) < 1e-9


@pytest.mark.parametrize("make, match", [
    (lambda lay: PinSet().pin(lay, "x", [0.0, 0.0]), "x free"),
    (lambda lay: PinSet().pin_soft(lay, "y", [1.0], 0.5), "hard pins only"),
    (lambda lay: PinSet(), "pin y"),
])
def test_bad_pin_sets_are_rejected(make, match):
    net = random_net([2, 3, 1], 0)
    with pytest.raises(ValueError, match=match):
        inverse_family(net, make(SheafLayout(net.arch)), BOX)


def test_softmax_head_needs_the_whole_output_and_then_reaches_it():
    net = random_net([2, 6, 3], 2, output="softmax")
    lay = SheafLayout(net.arch)
    x0 = np.array([0.3, -0.5])
    z = net.forward(x0).z[-1]
    p0 = np.exp(z - z.max()) / np.exp(z - z.max()).sum()  # softmax written out
    fam = inverse_family(net, PinSet().pin(lay, "y", p0), BOX)
    assert fam.nearest(x0).distance < 1e-9
    for piece in fam.pieces:
        for q in samples_on(piece, np.random.default_rng(0)):
            zq = net.forward(q).z[-1]
            assert np.max(np.abs(np.exp(zq - zq.max()) / np.exp(zq - zq.max()).sum() - p0)) < 1e-9
    with pytest.raises(ValueError, match="whole"):
        inverse_family(net, PinSet().pin(lay, "y", 0.2, 0), BOX)
