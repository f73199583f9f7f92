"""The status line's λ_min and λ_max on a network wide enough for ARPACK: computed off the
GUI thread, marked pending ("…") until they land, then equal to a dense eigensolve of L_free
done here; a small network's values are there at once."""

from __future__ import annotations

import re

import numpy as np

from sheafviz import Session
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.spectrum import free_laplacian
from sheafviz.gui import style
from sheafviz.gui.lambdas import SYNC_FREE_DIM


def lambdas_in(text: str) -> tuple[str, str]:
    lo = re.search(r"λmin = (\S+)", text).group(1)
    hi = re.search(r"λmax = (\S+)", text).group(1)
    return lo, hi


def dense_extremes(s) -> tuple[float, float]:
    sigma = [np.asarray(v) for v in s.readouts.sigma.values()]
    values = np.linalg.eigvalsh(free_laplacian(s.network, s.pins, sigma,
                                               layout=s.layout).toarray())
    return float(values[0]), float(values[-1])


def wide_session() -> Session:
    net = Network.he_init([2, 64, 64, 1], seed=3)
    lay = SheafLayout(net.arch)
    x = np.array([0.4, -0.7])
    pins = PinSet().pin(lay, "x", x).pin(lay, "y", [float(net.predict(x)[0]) + 0.5])
    s = Session(net, pins=pins)
    assert lay.size - 3 > SYNC_FREE_DIM  # the off-thread branch
    return s


def test_wide_network_lambdas_land_from_the_background(qtbot, window):
    s = wide_session()
    window.set_session(s)
    s.equilibrium()
    window.wiring.refresh_texts()
    lo, hi = lambdas_in(window.metrics.text())
    assert lo.endswith("…") and hi.endswith("…")  # pending: the eigensolve runs elsewhere
    qtbot.waitUntil(lambda: "…" not in lambdas_in(window.metrics.text())[1], timeout=10000)
    want = dense_extremes(s)
    assert lambdas_in(window.metrics.text()) == (style.fmt(want[0]), style.fmt(want[1]))
    # a drag of y that keeps the pattern keeps L_free: its values show at once
    sigma = s.readouts.sigma
    s.pin("y", [float(s.pins.hard[("y", 0)]) + 1e-4], jump=True)
    assert all(np.array_equal(sigma[k], s.readouts.sigma[k]) for k in sigma)
    window.wiring.refresh_texts()
    assert lambdas_in(window.metrics.text()) == (style.fmt(want[0]), style.fmt(want[1]))


def test_small_network_lambdas_are_there_at_once(qtbot, window):
    s = window.session
    window.wiring.refresh_texts()
    want = dense_extremes(s)
    assert lambdas_in(window.metrics.text()) == (style.fmt(want[0]), style.fmt(want[1]))
