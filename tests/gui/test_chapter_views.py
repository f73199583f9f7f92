"""The chapter's views (issue 12) on real data from the cores, each against an independent
computation written here: finite-difference backprop (EP view), finite differences of the
energy (phase plane), pixels read off the rendered widget (lesson bar). The input-plane
items are tested in test_chapter_plane.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

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


# -- phase plane ------------------------------------------------------------------------------
def test_phase_arrows_are_finite_differences_of_the_energy(qtbot):
    from conftest import exact_discords
    from sheafviz.core.diagnostics import phase_field
    from sheafviz.core.model.pins import PinSet
    from sheafviz.core.model.sheaf import SheafLayout
    from sheafviz.gui.chapter.phase_view import ARROW_FILL, PhaseView

    net, rng = relu_net((2, 3, 3, 1), 4)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [0.8, -0.5]).pin(layout, "y", [1.0])
    c = 0.4 * rng.normal(size=layout.size)
    res = pins.resolve(layout)
    c[res.hard_index] = res.hard_value
    alpha = 0.7
    field = phase_field(net, pins, c, "z1[1]", "a2[0]", half_width=(1.0, 0.8), n=9,
                        alpha=alpha)
    view = PhaseView()
    qtbot.addWidget(view)
    view.set_coordinates(["z1[1]", "a2[0]", "z2[2]"], "z1[1]", "a2[0]")
    view.set_field(field)
    view.resize(640, 600)
    view.show()
    qtbot.waitExposed(view)

    fu, fv = layout.index("z1", 1), layout.index("a2", 0)

    def energy(u, v):
        cc = c.copy()
        cc[fu], cc[fv] = u, v
        return 0.5 * sum(exact_discords(net, layout, cc).values())

    h, ratios = 1e-6, []
    for k in (0, 10, 22, 40, 57, 80):
        u, v = view.arrow_tails[k]
        if abs(u) < 1e-3:  # the kink of the ReLU at z = 0: no derivative there
            continue
        grad = np.array([(energy(u + h, v) - energy(u - h, v)) / (2 * h),
                         (energy(u, v + h) - energy(u, v - h)) / (2 * h)])
        arrow = view.arrow_vectors[k]
        ratios += list(arrow / (-alpha * grad))
    assert len(ratios) >= 8
    assert np.allclose(ratios, ratios[0], rtol=1e-5) and ratios[0] > 0
    cell = np.array([field.u[1] - field.u[0], field.v[1] - field.v[0]])
    assert np.max(np.hypot(*(view.arrow_vectors / cell).T)) == pytest.approx(ARROW_FILL)
    # drawn: the first segment of the path is the first arrow's shaft
    assert view.arrows.xData[1] - view.arrows.xData[0] == pytest.approx(view.arrow_vectors[0][0])
    # z1[1] is a hidden z coordinate: its switching line u = 0 is drawn (when in the window)
    if field.u[0] < 0 < field.u[-1]:
        assert np.allclose(view.switching.xData, 0.0)
    assert "slice through the current state" in view.caption.text()


def test_phase_view_intents_and_trajectory(qtbot):
    from sheafviz.gui.chapter.phase_view import EMPTY_TEXT, PhaseView

    view = PhaseView()
    qtbot.addWidget(view)
    view.show()
    assert view.note.isVisible() and view.note.text() == EMPTY_TEXT
    view.set_coordinates(["z1[0]", "a1[0]", "z2[0]"], "z1[0]", "a1[0]")
    got = []
    view.coordinatesChanged.connect(lambda u, v: got.append((u, v)))
    view.perturbRequested.connect(lambda s: got.append(s))
    view.combo_v.setCurrentIndex(2)
    view.combo_v.activated.emit(2)  # what a user's pick sends
    assert got[-1] == ("z1[0]", "z2[0]")
    view.size_box.setValue(0.25)
    qtbot.mouseClick(view.perturb_button, QtCore.Qt.MouseButton.LeftButton)
    assert got[-1] == 0.25
    for t in range(5):
        view.append_trajectory(t, -t)
    assert list(view.trajectory.yData) == [0, -1, -2, -3, -4]
    with pytest.raises(ValueError, match="free coordinates"):
        view.set_coordinates(["z1[0]"], "a9[0]")


# -- lesson bar -------------------------------------------------------------------------------
def color_pixels(image: QtGui.QImage, color: QtGui.QColor, tol=40) -> int:
    """How many pixels of ``image`` are within ``tol`` of ``color`` in every channel."""
    ptr = image.convertToFormat(QtGui.QImage.Format.Format_RGB32).constBits()
    arr = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.width(), 4)
    bgr = np.array([color.blue(), color.green(), color.red()])
    return int(np.sum(np.all(np.abs(arr[..., :3].astype(int) - bgr) <= tol, axis=-1)))


def test_lesson_bar_steps_buttons_and_failures(qtbot):
    from sheafviz.gui.chapter import look
    from sheafviz.gui.chapter.lesson_bar import EMPTY_TEXT, LessonBar

    bar = LessonBar()
    qtbot.addWidget(bar)
    bar.resize(1000, 160)
    bar.show()
    qtbot.waitExposed(bar)
    assert EMPTY_TEXT in bar.caption.text()
    assert not bar.next_button.isEnabled() and not bar.back_button.isEnabled()
    got = []
    bar.nextRequested.connect(lambda: got.append("next"))
    bar.backRequested.connect(lambda: got.append("back"))
    bar.set_step(0, 3, "Energy <b>E = 0.5</b>", [])
    assert bar.step_label.text() == "Step 1 / 3"
    assert not bar.back_button.isEnabled() and bar.next_button.isEnabled()
    qtbot.mouseClick(bar.next_button, QtCore.Qt.MouseButton.LeftButton)
    bar.set_step(2, 3, "Last step", [])
    assert not bar.next_button.isEnabled()
    qtbot.mouseClick(bar.back_button, QtCore.Qt.MouseButton.LeftButton)
    assert got == ["next", "back"]
    failure = QtGui.QColor(look.Palette.from_theme().failure)
    assert color_pixels(bar.grab().toImage(), failure) == 0
    bar.set_step(1, 3, "R = 0", ["R = 0 (live 0.37, tolerance 1e-9)"])
    qtbot.waitUntil(lambda: bar.failure_label.isVisible())
    assert "R = 0 (live 0.37" in bar.failure_label.text()
    assert color_pixels(bar.grab().toImage(), failure) > 50  # painted, in the failure colour
    small = bar.caption.font().pointSizeF()
    bar.set_scale(1.6)
    assert bar.caption.font().pointSizeF() == pytest.approx(1.6 * small)
    with pytest.raises(ValueError, match="step 3"):
        bar.set_step(3, 3, "", [])


def test_phase_view_survives_a_diverged_field(qtbot):
    from sheafviz.core.diagnostics import phase_field
    from sheafviz.core.model.pins import PinSet
    from sheafviz.core.model.sheaf import SheafLayout
    from sheafviz.gui.chapter.phase_view import PhaseView

    net, rng = relu_net((2, 3, 1), 5)
    layout = SheafLayout(net.arch)
    field = phase_field(net, PinSet().pin(layout, "x", [0.5, 0.5]),
                        rng.normal(size=layout.size), "z1[0]", "y[0]", n=5)
    du = field.du.copy()
    du[2, 3] = np.inf
    bad = type(field)(**{**field.__dict__, "du": du})
    view = PhaseView()
    qtbot.addWidget(view)
    view.set_field(bad)
    view.append_trajectory(np.nan, 0.0)
    view.show()
    qtbot.waitExposed(view)
    assert np.all(np.isfinite(view.arrow_vectors)) and np.any(view.arrow_vectors != 0)
    assert view.trajectory.xData is None or len(view.trajectory.xData) == 0
