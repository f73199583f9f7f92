"""The GUI benchmark's latency measurement waits for the equilibrium to be on screen: after
each measured pin change the drape draws the equilibrium of that pin value (an independent
dense least-squares solve here), also when the solve runs in the worker process."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import dense_equilibrium_fixed_sigma
from PySide6 import QtWidgets

from sheafviz.cli.bench.gui import bench_window, measure_latency
from sheafviz.core.data.presets import Preset
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.gui.wiring import ASYNC_SOLVE_ABOVE_SIZE

#: More coordinates than ASYNC_SOLVE_ABOVE_SIZE: every change is solved in the worker.
WIDE_ARCH = [990, 16, 4]


def numpy_forward_sigma(network, x) -> list[np.ndarray]:
    """The activation pattern of a forward pass from ``x``, one array per hidden layer."""
    sigma, a = [], np.asarray(x, dtype=float)
    for w, b in zip(network.weights[:-1], network.biases[:-1]):
        z = w @ a + b
        sigma.append((z > 0).astype(float))
        a = np.maximum(z, 0.0)
    return sigma


@pytest.fixture
def wide_window(qapp):
    """The main window on a network wider than ASYNC_SOLVE_ABOVE_SIZE with x pinned."""
    from sheafviz.gui.app import prepare_app

    prepare_app(qapp, (1280, 720))
    net = Network.he_init(WIDE_ARCH, seed=3)
    layout = SheafLayout(net.arch)
    x = np.random.default_rng(4).uniform(-1.0, 1.0, WIDE_ARCH[0])
    preset = Preset("test-wide", "wide test network", "", net,
                    PinSet().pin(layout, "x", x))
    w = bench_window(qapp, preset=preset)
    yield w, x
    w.close()
    w.deleteLater()
    qapp.processEvents()


def test_wide_network_latency_waits_for_the_worker_solve(wide_window):
    w, x = wide_window
    s = w.session
    assert s.layout.size > ASYNC_SOLVE_ABOVE_SIZE
    values = x[0] + np.array([0.7, -0.4, 0.2])
    r = measure_latency(QtWidgets.QApplication.instance(), w, values, warmup=1)
    assert r["changes"] == 3 and r["async_changes"] == 3  # every one solved off-thread
    assert not w.busy.isVisible()
    for value, drawn in zip(values, r["shown"]):
        xk = x.copy()
        xk[0] = value
        pins = PinSet().pin(s.layout, "x", xk)
        ref = dense_equilibrium_fixed_sigma(s.network, pins, s.layout,
                                            numpy_forward_sigma(s.network, xk))
        np.testing.assert_allclose(drawn, ref, atol=1e-8)
    assert r["latency_max_ms"] >= r["latency_median_ms"] > 0
    assert r["block_max_ms"] >= r["block_median_ms"] > 0


def test_default_preset_latency_draws_each_equilibrium(window):
    s = window.session
    i = s.layout.index("x", 0)
    values = float(s.cochain[i]) + np.array([0.5, -0.3])
    r = measure_latency(QtWidgets.QApplication.instance(), window, values, warmup=1)
    assert r["changes"] == 2
    for value, drawn in zip(values, r["shown"]):
        pins = s.pins.pin(s.layout, "x", float(value), 0)
        ref = dense_equilibrium_fixed_sigma(s.network, pins, s.layout, s.layout.sigma_of(drawn))
        assert drawn[i] == value
        np.testing.assert_allclose(drawn, ref, atol=1e-8)


def test_a_repeated_value_is_refused_up_front(window):
    s = window.session
    v = float(s.cochain[s.layout.index("x", 0)])
    with pytest.raises(ValueError, match="differ from the one before"):
        measure_latency(QtWidgets.QApplication.instance(), window, [v + 1.0, v + 1.0])
