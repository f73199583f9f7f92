"""The status line's λ_min and λ_max: the cheap extremes against dense eigenvalues written
here, and the session's read-outs keeping them through a drag of a pinned value."""

import numpy as np
import pytest

from reference import dense_pinned_solve
from sheafviz import Session
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.spectrum import extreme_eigenvalues
from sheafviz.live import readouts as readouts_module


def dense_free_eigenvalues(net, layout, pins, sigma):
    """Every eigenvalue of L_free from the dense reference, ascending."""
    res = pins.resolve(layout)
    hard = dict(zip(res.hard_index.tolist(), res.hard_value.tolist()))
    _, l_dense, _ = dense_pinned_solve(net.weights, net.biases, sigma, hard)
    return np.linalg.eigvalsh(l_dense)


def pinned_problem(arch, seed, *, with_x=True):
    rng = np.random.default_rng(seed)
    net = Network.he_init(arch, rng=rng)
    layout = SheafLayout(net.arch)
    x = rng.normal(size=arch[0])
    pins = PinSet().pin(layout, "y", rng.normal(size=arch[-1]))
    if with_x:
        pins = pins.pin(layout, "x", x)
    return net, layout, pins, net.forward(x).sigma


@pytest.mark.parametrize("full_limit", [200, 10])  # the dense branch and ARPACK's
def test_extremes_match_the_dense_spectrum(full_limit):
    net, layout, pins, sigma = pinned_problem([4, 12, 10, 2], 3)
    values = dense_free_eigenvalues(net, layout, pins, sigma)
    lam_min, lam_max = extreme_eigenvalues(net, pins, sigma, full_limit=full_limit)
    assert lam_min == pytest.approx(values[0], rel=1e-8)
    assert lam_max == pytest.approx(values[-1], rel=1e-8)


def test_underdetermined_extremes_report_zero_and_the_true_lambda_max():
    net, layout, pins, sigma = pinned_problem([3, 10, 8, 1], 5, with_x=False)
    values = dense_free_eigenvalues(net, layout, pins, sigma)
    assert values[0] == pytest.approx(0.0, abs=1e-10)  # x free: a null direction
    lam_min, lam_max = extreme_eigenvalues(net, pins, sigma, full_limit=10)
    assert lam_min == 0.0
    assert lam_max == pytest.approx(values[-1], rel=1e-8)


def test_a_drag_keeps_the_eigensolve_and_a_new_pin_redoes_it(monkeypatch):
    net = Network.he_init([2, 8, 8, 1], seed=2)
    layout = SheafLayout(net.arch)
    x = np.array([0.3, -0.4])
    y0 = float(net.predict(x)[0])
    s = Session(net, pins=PinSet().pin(layout, "x", x).pin(layout, "y", [y0]))
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return extreme_eigenvalues(*args, **kwargs)

    monkeypatch.setattr(readouts_module, "extreme_eigenvalues", counted)
    s.pin("y", [y0 + 1e-3], jump=True)
    sigma = s.readouts.sigma
    first = (s.readouts.lambda_min, s.readouts.lambda_max)
    s.pin("y", [y0 + 2e-3], jump=True)  # a drag move: the pattern stays (checked)
    assert all(np.array_equal(sigma[k], s.readouts.sigma[k]) for k in sigma)
    assert (s.readouts.lambda_min, s.readouts.lambda_max) == first
    assert len(calls) == 1
    values = dense_free_eigenvalues(net, layout, s.pins, list(sigma.values()))
    assert first == pytest.approx((values[0], values[-1]), rel=1e-8)
    s.pin("a1[0]", 0.1, jump=True)  # another coordinate pinned: a new L_free
    values = dense_free_eigenvalues(net, layout, s.pins, list(s.readouts.sigma.values()))
    assert s.readouts.lambda_max == pytest.approx(values[-1], rel=1e-8)
    assert len(calls) == 2
