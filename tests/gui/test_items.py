"""The one-item drawings (LineBundle, BarSet): what they paint is where the data says.

Pixels of the real window are read back and compared with positions computed here from the
data (not from the items): a bar's inside has its group's colour and the space above it
the background; the drape's bundle covers every vertex of every layer."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtGui, QtWidgets

from conftest import view_pixel



def grab(view) -> QtGui.QImage:
    QtWidgets.QApplication.processEvents()
    return view.viewport().grab().toImage()


def color_at(img: QtGui.QImage, p) -> str:
    return QtGui.QColor(img.pixel(p.x(), p.y())).name()


def test_discord_bars_fill_to_their_heights(qtbot, window):
    bars = window.bars
    window.wiring.toggle_neuron("y", 0)  # unpin y: the relaxed output spring carries discord
    s = window.session
    window.wiring.drag_pin("y", 0, float(s.cochain[s.layout.index("y", 0)]) + 2.0)
    qtbot.wait(50)
    d = s.snapshot.discords
    out = [e.name for e in s.layout.edges].index("out")
    assert d[out] > 0.05
    img = grab(bars.widget)
    # off the bar's centre line, where the bottom axis draws its tick mark into the plot
    inside = view_pixel(bars.widget, out + 0.2, 0.5 * d[out])
    above = view_pixel(bars.widget, out + 0.2, 1.5 * d[out])
    assert color_at(img, inside) == window.theme.EDGE_COLORS["output"].lower()
    top = bars.widget.plotItem.vb.viewRange()[1][1]
    if 1.5 * d[out] < top:
        assert color_at(img, above) == window.theme.BACKGROUND
    # the Σout total bar (after the gap) has the sum of the output edges' discords
    n = len(s.layout.edges)
    total_x = n + 0.8 + 2 + 0.2
    assert color_at(img, view_pixel(bars.widget, total_x, 0.5 * d[out])) == \
        window.theme.EDGE_COLORS["output"].lower()


def test_drape_bundle_bounds_cover_every_layer(qtbot, window):
    drape = window.drape
    window.wiring.drag_pin("y", 0, 3.0)
    qtbot.wait(50)
    rect = drape.lines.boundingRect()
    for layer in drape.lines.layers:
        x, y = layer.getData()
        ok = np.isfinite(x) & np.isfinite(y)
        assert np.all(x[ok] >= rect.left()) and np.all(x[ok] <= rect.right())
        assert np.all(y[ok] >= rect.top()) and np.all(y[ok] <= rect.bottom())
    # the string joins the shown cochain's coordinates: its y values are cochain values
    _, ys = drape.string.getData()
    assert set(np.round(ys, 12)) <= set(np.round(window.session.cochain, 12))
    assert ys.size > 0


def test_drape_string_is_painted_where_its_segments_run(qtbot, window):
    drape = window.drape
    qtbot.wait(50)
    xs, ys = drape.string.getData()
    img = grab(drape)
    string = QtGui.QColor(window.theme.STRING_COLOR)
    hits = 0
    for k in range(0, xs.size, 2):
        mx, my = 0.5 * (xs[k] + xs[k + 1]), 0.5 * (ys[k] + ys[k + 1])
        p = view_pixel(drape, mx, my)
        c = QtGui.QColor(img.pixel(p.x(), p.y()))
        # antialiased: close to the string colour, at the middle of the segment
        hits += abs(c.lightness() - string.lightness()) < 40
    assert hits >= 0.75 * (xs.size // 2), (hits, xs.size // 2)


@pytest.mark.parametrize("preset", [None, "vanishing"])
def test_discord_bar_labels_never_overlap(qtbot, window, preset):
    """Full names when they fit, short ones or every k-th when the plot is narrow (the
    weight editor open at 1280×720, a deep network): drawn labels never touch."""
    bars = window.bars
    assert window.load_preset(preset)
    for dock_open in (False, True):
        window.weight_dock.setVisible(dock_open)
        qtbot.wait(100)
        ax = bars.widget.plotItem.getAxis("bottom")
        metrics = QtGui.QFontMetrics(ax.style.get("tickFont"))
        ticks = ax._tickLevels[0]
        assert len(ticks) >= 2
        spans = []
        for x, text in ticks:
            cx = view_pixel(bars.widget, x, 0.0).x()
            half = metrics.horizontalAdvance(text) / 2
            spans.append((cx - half, cx + half))
        for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
            assert a1 <= b0, (ticks, spans)


def test_value_axes_grow_at_once_and_shrink_after_a_pause(qtbot, window):
    """A drag outward is in view at every move; the axes shrink back only once the values
    stayed small (no re-layout of an axis at every move of a drag)."""
    from sheafviz.gui import plots, widgets

    drape, bars = window.drape, window.bars
    window.wiring.async_solve_after_s = float("inf")  # every value lands at once, however loaded
    s = window.session
    y0 = float(s.cochain[s.layout.index("y", 0)])
    window.wiring.drag_pin("y", 0, y0 + 6.0)
    lo, hi = drape.vb.viewRange()[1]
    assert lo <= s.cochain.min() and s.cochain.max() <= hi  # every value in view at once
    assert bars.widget.plotItem.vb.viewRange()[1][1] >= bars.heights.max()
    big_bars, big_drape = bars._top, hi - lo
    window.wiring.drag_pin("y", 0, y0)  # back: the data now use a small part of both axes
    assert bars._top == big_bars  # not yet
    assert drape.vb.viewRange()[1][1] - drape.vb.viewRange()[1][0] == pytest.approx(big_drape)
    qtbot.wait(widgets.SHRINK_DELAY_MS + 200)
    assert bars._top < big_bars
    lo, hi = drape.vb.viewRange()[1]
    assert hi - lo < 0.75 * big_drape and lo <= s.cochain.min() and s.cochain.max() <= hi
    # frames faster than the clock (a headless render) shrink them after a few frames
    window.wiring.drag_pin("y", 0, y0 + 6.0)
    big_bars = bars._top
    window.wiring.drag_pin("y", 0, y0)
    for _ in range(widgets.SHRINK_AFTER_UPDATES):
        window.player.step()
    assert bars._top < big_bars
