"""Spectral summary of L_free against dense eigen-decompositions written here."""

import numpy as np
import pytest

from reference import dense_pinned_solve
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.spectrum import free_laplacian, lambda_max, spectrum_summary


def two_sided(arch, seed):
    rng = np.random.default_rng(seed)
    net = Network.he_init(arch, rng=rng)
    layout = SheafLayout(net.arch)
    x = rng.normal(size=arch[0])
    pins = PinSet().pin(layout, "x", x).pin(layout, "y", rng.normal(size=arch[-1]))
    res = pins.resolve(layout)
    hard = dict(zip(res.hard_index.tolist(), res.hard_value.tolist()))
    sigma = net.forward(x).sigma
    _, l_dense, free = dense_pinned_solve(net.weights, net.biases, sigma, hard)
    return net, layout, pins, sigma, l_dense, free


def test_small_system_reports_every_eigenvalue_and_block_energies():
    net, layout, pins, sigma, l_dense, free = two_sided([2, 6, 5, 1], 0)
    summary = spectrum_summary(net, pins, sigma)
    values, vectors = np.linalg.eigh(l_dense)
    assert not summary.partial and summary.free_dim == len(free)
    np.testing.assert_allclose(summary.eigenvalues, values, atol=1e-12)
    assert summary.condition == pytest.approx(values[-1] / values[0], rel=1e-10)
    full = np.zeros(layout.size)
    full[free] = vectors[:, 0] ** 2
    for v in layout.vertices:
        assert summary.block_energy_min[v.name] == pytest.approx(full[v.slice].sum(), abs=1e-9)
    assert sum(summary.block_energy_max.values()) == pytest.approx(1.0)
    np.testing.assert_allclose(free_laplacian(net, pins, sigma).toarray(), l_dense, atol=1e-12)
    assert lambda_max(net, pins, sigma) == pytest.approx(values[-1], rel=1e-12)


def test_large_system_uses_extremes_that_match_dense():
    net, layout, pins, sigma, l_dense, free = two_sided([8, 60, 50, 3], 1)
    assert len(free) > 200
    summary = spectrum_summary(net, pins, sigma, n_extreme=10)
    values = np.linalg.eigvalsh(l_dense)
    assert summary.partial and len(summary.eigenvalues) == 20
    np.testing.assert_allclose(summary.eigenvalues[:10], values[:10], rtol=1e-7)
    np.testing.assert_allclose(summary.eigenvalues[10:], values[-10:], rtol=1e-7)
    assert summary.lambda_min == pytest.approx(values[0], rel=1e-8)


def test_underdetermined_spectrum_has_zero_lambda_min_and_no_condition():
    net = Network.he_init([3, 2, 1], seed=4)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "y", [0.5])
    summary = spectrum_summary(net, pins, [np.ones(2)])
    assert summary.lambda_min == 0.0 and summary.condition is None
    assert summary.eigenvalues[0] == pytest.approx(0.0, abs=1e-12)
