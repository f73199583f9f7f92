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


# -- activation regions and the inverse family ---------------------------------------------
def forward_patterns(weights, biases, X):
    """0/1 hidden patterns (B, total hidden) of a batch of inputs (B, 2), written out here."""
    a, parts = X, []
    for w, b in zip(weights[:-1], biases[:-1]):
        z = a @ w.T + b
        parts.append(z >= 0)
        a = np.maximum(z, 0.0)
    return np.hstack(parts).astype(np.uint8)


def themed(**colors):
    """A theme object: the default theme's colour roles with some replaced."""
    from types import SimpleNamespace

    from sheafviz.gui.chapter import look

    base = look.default_theme()
    if hasattr(base, "colors"):  # an evented theme object: its roles are not attributes
        roles = dict(base.colors, EDGE_COLORS=dict(base.EDGE_COLORS))
    else:
        roles = {name: getattr(base, name) for name in dir(base) if name.isupper()}
    roles.update(colors)
    return SimpleNamespace(**roles)


def plane_widget(qtbot, items, size=(600, 560)):
    from sheafviz.gui.chapter import look

    w = look.make_plot(left="x₂", bottom="x₁")
    for item in items:
        w.plotItem.addItem(item)
    w.plotItem.setRange(xRange=(-2, 2), yRange=(-2, 2), padding=0.02)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    return w


def pixel_color(widget, x, y) -> QtGui.QColor:
    from conftest import view_pixel

    p = view_pixel(widget, x, y)
    return widget.grab().toImage().pixelColor(p.x(), p.y())


def close(c1: QtGui.QColor, c2: QtGui.QColor, tol=3) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(c1.getRgb()[:3], c2.getRgb()[:3]))


def test_region_item_polygons_match_dense_grid_and_paint_highlight(qtbot):
    from conftest import settled_pixels
    from sheafviz.core.diagnostics import activation_regions
    from sheafviz.gui.chapter import look
    from sheafviz.gui.chapter.region_items import RegionMapItem

    net, _ = relu_net((2, 5, 4, 1), 7)
    box = (-2.0, 2.0, -2.0, 2.0)
    item = RegionMapItem()
    item.set_region_map(activation_regions(net, box))
    g = np.linspace(-2, 2, 801)[1:-1]
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    on_grid = {row.tobytes() for row in forward_patterns(net.weights, net.biases, grid)}
    # every polygon is a real pattern: the forward pattern at its centroid is its own
    regions = item.region_map.regions
    centroids = np.array([r.centroid for r in regions])
    at_centroids = [row.tobytes() for row in
                    forward_patterns(net.weights, net.biases, centroids)]
    for region, key in zip(regions, at_centroids):
        assert np.concatenate(region.sigma).astype(np.uint8).tobytes() == key
    # one polygon per pattern, and no pattern of the grid left out (a sliver thinner than
    # the grid spacing may hold a pattern the grid misses: its centroid counts it)
    assert len(set(at_centroids)) == len(at_centroids)
    assert on_grid <= set(at_centroids)
    assert item.region_count == len(on_grid | set(at_centroids)) > 10
    assert item.region_count - len(on_grid) <= 2
    x0 = np.array([0.7, -0.4])
    index = item.set_pinned_input(x0)
    expect = forward_patterns(net.weights, net.biases, x0[None, :])[0]
    assert np.array_equal(np.concatenate(item.region_map.regions[index].sigma), expect)
    w = plane_widget(qtbot, [item])
    big = max((i for i in range(len(regions)) if i != index), key=lambda i: regions[i].area)
    centres = [regions[index].centroid, regions[big].centroid]
    settled_pixels(qtbot, w, centres)
    highlight = QtGui.QColor(look.Palette.from_theme().highlight)
    assert close(pixel_color(w, *centres[0]), highlight)
    assert close(pixel_color(w, *centres[1]), item.fill_color(big))
    assert not close(item.fill_color(big), highlight, tol=40)
    # a theme change repaints the pinned region in the new theme's highlight colour
    theme = themed(SELECT_COLOR="#00a0ff")
    item.set_theme(theme)
    qtbot.waitUntil(lambda: close(pixel_color(w, *centres[0]), QtGui.QColor("#00a0ff")))


def test_region_item_says_when_the_cap_is_reached(qtbot):
    from sheafviz.core.diagnostics import activation_regions
    from sheafviz.gui.chapter.region_items import RegionMapItem

    net, _ = relu_net((2, 6, 6, 1), 2)
    item = RegionMapItem()
    item.set_region_map(activation_regions(net, (-2, 2, -2, 2), max_regions=15))
    w = plane_widget(qtbot, [item])
    assert w.isVisible()
    assert item.note.isVisible() and "cap 15" in item.note.textItem.toPlainText()
    assert item.region_count == len(activation_regions(net, (-2, 2, -2, 2), max_regions=15)
                                    .regions)
    item.set_region_map(None)
    assert "2-D inputs" in item.note.textItem.toPlainText()


def click(qtbot, widget, pos: QtCore.QPoint) -> None:
    from conftest import send_mouse

    left, none = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.NoButton
    send_mouse(widget.viewport(), "move", pos, none)
    send_mouse(widget.viewport(), "press", pos, left)
    send_mouse(widget.viewport(), "release", pos, none)
    qtbot.wait(5)


def test_click_on_inverse_family_picks_an_input_that_hits_the_pin(qtbot):
    from conftest import settled_pixels
    from sheafviz.core.diagnostics import inverse_family
    from sheafviz.core.model.pins import PinSet
    from sheafviz.core.model.sheaf import SheafLayout
    from sheafviz.gui.chapter.inverse_items import InverseFamilyItem

    net, _ = relu_net((2, 6, 5, 1), 0)
    target = float(net.predict(np.array([[0.4, -0.3]]))[0, 0])
    family = inverse_family(net, PinSet().pin(SheafLayout(net.arch), "y", [target]),
                            (-2, 2, -2, 2))
    segment = max((p for p in family.pieces if p.kind == "segment"),
                  key=lambda p: np.linalg.norm(p.vertices[1] - p.vertices[0]))
    mid = segment.vertices.mean(axis=0)
    normal = np.array([-(segment.vertices[1] - segment.vertices[0])[1],
                       (segment.vertices[1] - segment.vertices[0])[0]])
    normal /= np.linalg.norm(normal)
    item = InverseFamilyItem()
    item.set_family(family)
    w = plane_widget(qtbot, [item])
    picked = []
    item.inputPicked.connect(picked.append)
    away = next(p for p in np.stack(np.meshgrid(np.linspace(-1.8, 1.8, 7),
                                                np.linspace(-1.8, 1.8, 7)), -1).reshape(-1, 2)
                if family.nearest(p).distance > 0.4)
    near, far = settled_pixels(qtbot, w, [mid + 0.02 * normal, away])
    click(qtbot, w, far)  # far from the family: no intent
    assert picked == []
    click(qtbot, w, near)
    assert len(picked) == 1
    x = picked[0]
    assert x.shape == (2,)
    assert float(net.predict(x[None, :])[0, 0]) == pytest.approx(target, abs=1e-9)
    assert np.linalg.norm(x - (mid + 0.02 * normal)) < 0.1  # landed next to the click


def test_rate_limiter_bounds_the_rate_and_keeps_the_newest():
    from sheafviz.gui.chapter.rate_limit import RateLimiter

    now = [0.0]
    lim = RateLimiter(0.5, max_busy=0.25, clock=lambda: now[0])
    assert lim.poll() is None
    lim.offer("a")
    assert lim.poll() == "a"  # first one at once
    lim.offer("b")
    lim.offer("c")
    now[0] = 0.4
    assert lim.poll() is None  # within the interval
    now[0] = 0.5
    assert lim.poll() == "c"  # the newest wins, "b" is dropped
    lim.finished(0.3)  # took 0.3 s: at most 25 % busy → next not before 0.5 + 1.2
    lim.offer("d")
    now[0] = 1.6
    assert lim.poll() is None
    assert lim.flush() == "d" and not lim.pending
    with pytest.raises(ValueError, match="max_busy"):
        RateLimiter(0.1, max_busy=0.0)


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
