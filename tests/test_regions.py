"""The activation-region map against a dense grid of forward patterns."""

from __future__ import annotations

import numpy as np
import pytest

from sheafviz.core.diagnostics.planar import PlaneSlice
from sheafviz.core.diagnostics.regions import activation_regions
from sheafviz.core.model.network import Network


def random_net(arch, seed):
    rng = np.random.default_rng(seed)
    net = Network.he_init(arch, rng=rng)
    return net.with_parameters(net.weights, [0.7 * rng.normal(size=b.shape) for b in net.biases])


def forward_patterns(weights, biases, X):
    """0/1 hidden patterns of a batch (B, n0) → (B, total hidden), written out here."""
    out, a = [], X
    for w, b in zip(weights[:-1], biases[:-1]):
        z = a @ w.T + b
        out.append(z >= 0)
        a = np.maximum(z, 0)
    return np.hstack(out)


def shoelace(poly):
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def strictly_inside(poly, pts):
    """Points strictly inside a convex polygon of either orientation (no tolerance)."""
    signs = []
    for i in range(len(poly)):
        p, q = poly[i], poly[(i + 1) % len(poly)]
        signs.append((q[0] - p[0]) * (pts[:, 1] - p[1]) - (q[1] - p[1]) * (pts[:, 0] - p[0]))
    signs = np.array(signs)
    return np.all(signs > 0, axis=0) | np.all(signs < 0, axis=0)


def check_against_grid(region_map, net, plane, box, n=120):
    u = np.linspace(box[0], box[1], n) + 1e-7  # off the box edges and off round numbers
    v = np.linspace(box[2], box[3], n) - 1e-7
    P = np.stack(np.meshgrid(u[:-1], v[1:]), -1).reshape(-1, 2)
    X = plane.origin + P @ plane.directions
    patterns = forward_patterns(net.weights, net.biases, X)
    found = np.zeros(len(P), dtype=int)
    for region in region_map.regions:
        inside = strictly_inside(region.polygon, P)
        found += inside
        expect = np.concatenate(region.sigma).astype(bool)
        assert np.all(patterns[inside] == expect)
    # Every grid point in exactly one region (a point on a boundary line would be in none;
    # a random grid does not hit one).
    assert np.all(found == 1)
    total = sum(shoelace(r.polygon) for r in region_map.regions)
    assert total == pytest.approx((box[1] - box[0]) * (box[3] - box[2]), rel=1e-10)


@pytest.mark.parametrize("arch", [[2, 8, 1], [2, 6, 6, 1], [2, 5, 4, 3, 1]])
@pytest.mark.parametrize("seed", range(3))
def test_regions_match_forward_patterns_on_a_grid(arch, seed):
    net = random_net(arch, seed)
    box = (-2.5, 3.0, -2.0, 2.2)
    region_map = activation_regions(net, box)
    assert region_map.complete and not region_map.capped and region_map.message == ""
    keys = [r.key for r in region_map.regions]
    assert len(set(keys)) == len(keys)  # one polygon per pattern
    check_against_grid(region_map, net, PlaneSlice.identity(), box)


def test_one_hidden_layer_region_count_is_that_of_the_line_arrangement():
    # n lines in general position cut the plane into 1 + n + n(n−1)/2 regions; with a box
    # large enough to hold every crossing, that is the count.
    net = random_net([2, 6, 1], 4)
    region_map = activation_regions(net, (-1e3, 1e3, -1e3, 1e3))
    assert len(region_map.regions) == 1 + 6 + 15


def test_slice_of_a_higher_dimensional_input():
    net = random_net([4, 6, 5, 2], 1)
    rng = np.random.default_rng(9)
    plane = PlaneSlice(rng.normal(size=4), rng.normal(size=(2, 4)))
    box = (-1.5, 1.5, -1.0, 2.0)
    region_map = activation_regions(net, box, plane=plane)
    check_against_grid(region_map, net, plane, box, n=90)


def test_region_of_returns_the_region_with_the_points_pattern():
    net = random_net([2, 6, 6, 1], 2)
    box = (-2.0, 2.0, -2.0, 2.0)
    region_map = activation_regions(net, box)
    rng = np.random.default_rng(0)
    for p in rng.uniform(-2, 2, size=(40, 2)):
        i = region_map.region_of(p)
        expect = forward_patterns(net.weights, net.biases, p[None, :])[0]
        assert np.array_equal(np.concatenate(region_map.regions[i].sigma).astype(bool), expect)
        assert region_map.region_of_input(p) == i
    assert region_map.region_of([5.0, 0.0]) is None


def test_cap_keeps_the_last_complete_layer_and_says_so():
    net = random_net([2, 8, 8, 1], 0)
    full = activation_regions(net, (-3, 3, -3, 3))
    first = len(activation_regions(net.with_parameters(net.weights[:1] + [np.ones((1, 8))],
                                                       net.biases[:1] + [np.zeros(1)]),
                                   (-3, 3, -3, 3)).regions)
    capped = activation_regions(net, (-3, 3, -3, 3), max_regions=len(full.regions) - 1)
    assert capped.capped and capped.depth == 1 and len(capped.regions) == first
    assert "cap" in capped.message and "layers 1..1" in capped.message
    tiny = activation_regions(net, (-3, 3, -3, 3), max_regions=1)
    assert tiny.depth == 0 and len(tiny.regions) == 1 and "whole box" in tiny.message


@pytest.mark.parametrize("bad, match", [((1, 0, 0, 1), "box"), ((0, 1, 0), "box"),
                                        ((0, np.nan, 0, 1), "box")])
def test_bad_boxes_are_rejected(bad, match):
    with pytest.raises(ValueError, match=match):
        activation_regions(random_net([2, 3, 1], 0), bad)


def test_a_plane_is_required_beyond_two_inputs():
    with pytest.raises(ValueError, match="3 inputs"):
        activation_regions(random_net([3, 3, 1], 0), (0, 1, 0, 1))
