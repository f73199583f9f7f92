"""The chapter's input-plane items (issue 12) on real data from the cores: the activation
regions against a dense grid of forward patterns, the inverse family against forward passes
of a clicked point, painted pixels; and the rate limiter that redraws them while training."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from sheafviz.core.model.network import Network


def relu_net(arch, seed):
    rng = np.random.default_rng(seed)
    net = Network.he_init(list(arch), rng=rng)
    return net.with_parameters(net.weights, [0.3 * rng.normal(size=b.shape)
                                             for b in net.biases]), rng


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


def test_rate_limiter_module_is_qt_free():
    import subprocess
    import sys

    code = ("import sys, sheafviz.gui.chapter.rate_limit; "
            "assert not any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
