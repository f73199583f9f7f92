"""The chapter's views (issue 12) on real data from the cores, each against an independent
computation written here: finite differences, dense grids of forward patterns, forward
passes, pixels read off the rendered widget."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from sheafviz.core.model.network import Network


def relu_net(arch, seed):
    rng = np.random.default_rng(seed)
    net = Network.he_init(list(arch), rng=rng)
    return net.with_parameters(net.weights, [0.3 * rng.normal(size=b.shape)
                                             for b in net.biases]), rng


# -- equilibrium propagation ----------------------------------------------------------------
def half_squared_loss(weights, biases, x, t):
    a = x
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = w @ a + b
        a = np.maximum(z, 0.0) if l < len(weights) - 1 else z
    return 0.5 * float(np.sum((a - t) ** 2))


def finite_difference_layers(net, x, t, h=1e-6):
    """Central differences of ½‖f(x) − t‖², per layer [W_l, b_l] flattened."""
    ws, bs = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    out = []
    for l in range(len(ws)):
        g = []
        for arr in (ws[l], bs[l]):
            flat = arr.reshape(-1)
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + h
                up = half_squared_loss(ws, bs, x, t)
                flat[i] = old - h
                down = half_squared_loss(ws, bs, x, t)
                flat[i] = old
                g.append((up - down) / (2 * h))
        out.append(np.array(g))
    return out


def cell(table, row, col) -> str:
    return table.item(row, col).text()


def test_ep_table_gap_matches_finite_difference_backprop(qtbot):
    from sheafviz.core.diagnostics import ep_gap_curve, ep_gradients
    from sheafviz.gui.chapter.ep_view import EPView

    net, rng = relu_net((2, 6, 5, 1), 3)
    x, t = rng.normal(size=2), rng.normal(size=1)
    view = EPView()
    qtbot.addWidget(view)
    gammas = np.logspace(-4, 1, 6)
    view.set_gap_curve(gammas, ep_gap_curve(net, x, t, gammas))
    comp = ep_gradients(net, x, t, 1e-3)
    view.set_comparison(comp)
    view.resize(640, 600)
    view.show()
    qtbot.waitExposed(view)
    fd = finite_difference_layers(net, x, t)
    sheaf = [np.concatenate([w.ravel(), b]) for w, b in zip(comp.sheaf_w, comp.sheaf_b)]
    assert view.table.rowCount() == 4  # three layers and "all"
    for l in range(3):
        gap = np.linalg.norm(sheaf[l] - fd[l]) / np.linalg.norm(fd[l])
        assert 1e-5 < gap < 1e-2  # falls like γ = 1e-3
        assert float(cell(view.table, l, 4)) == pytest.approx(gap, rel=5e-3)
        assert float(cell(view.table, l, 2)) == pytest.approx(np.linalg.norm(fd[l]), rel=5e-3)
        cos = sheaf[l] @ fd[l] / (np.linalg.norm(sheaf[l]) * np.linalg.norm(fd[l]))
        assert float(cell(view.table, l, 3)) == pytest.approx(cos, abs=2e-5)
    all_s, all_fd = np.concatenate(sheaf), np.concatenate(fd)
    total = np.linalg.norm(all_s - all_fd) / np.linalg.norm(all_fd)
    assert float(cell(view.table, 3, 4)) == pytest.approx(total, rel=5e-3)
    assert view.plot.isVisible()
    assert view.marker.xData[0] == pytest.approx(1e-3)  # the current γ, on the curve
    assert view.marker.yData[0] == pytest.approx(total, rel=1e-6)


def test_ep_slider_emits_log_stiffness_and_hard_says_undefined(qtbot):
    from sheafviz.core.diagnostics import ep_gradients
    from sheafviz.gui.chapter.ep_view import HARD_POSITION, EPView

    net, rng = relu_net((2, 4, 1), 1)
    x, t = rng.normal(size=2), rng.normal(size=1)
    view = EPView()
    qtbot.addWidget(view)
    got = []
    view.stiffnessChanged.connect(got.append)
    view.set_stiffness(1e-2)  # programmatic: no intent
    assert got == []
    view.slider.setValue(view.slider.value() + 10)  # one decade up
    assert got[-1] == pytest.approx(1e-1)
    view.slider.setValue(0)
    assert got[-1] == pytest.approx(1e-4)
    view.slider.setValue(HARD_POSITION)
    assert math.isinf(got[-1])
    hard = ep_gradients(net, x, t, math.inf)
    view.set_comparison(hard)
    assert [cell(view.table, r, 4) for r in range(view.table.rowCount())] == \
        ["not defined"] * 3
    assert "not defined" in view.note.text()
    # the hard column is the hard-pin gradient itself, not divided by anything
    g = np.concatenate([hard.sheaf_w[0].ravel(), hard.sheaf_b[0]])
    assert float(cell(view.table, 0, 1)) == pytest.approx(np.linalg.norm(g), rel=5e-3)
    view.set_comparison(None)
    assert "Pin x" in view.note.text() and not view.table.isVisible()
