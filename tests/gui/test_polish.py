"""Visual polish of the plots and the debug docks: tick labels that never overlap on short
plots, empty plots that say what will fill them, and a debug dock that opens at a usable
height. The label checks measure what the axis would draw (its draw specs) against the tick
font's own metrics, not the axis's own spacing rule.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6 import QtGui, QtWidgets

from sheafviz.gui import style
from sheafviz.gui.debug import (ComparePanel, DataPanel, GradientPanel, SpectrumPanel,
                                SwitchTimelinePanel)
from sheafviz.gui.plots import DiscordBars, DiscordHistory, EnergyPlot


def drawn_labels(axis) -> list[tuple[float, str]]:
    """(centre along the axis in px, text) of every tick label the axis would paint now,
    computed the way ``AxisItem.paint`` does it."""
    picture = QtGui.QPicture()
    painter = QtGui.QPainter(picture)
    try:
        if axis.style["tickFont"]:
            painter.setFont(axis.style["tickFont"])
        _axis_spec, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    vertical = axis.orientation in ("left", "right")
    return sorted(((r.center().y() if vertical else r.center().x()), s) for r, _f, s in texts)


def assert_no_overlap(axis) -> list[str]:
    labels = drawn_labels(axis)
    fm = QtGui.QFontMetricsF(axis.style["tickFont"] or axis.font())
    for (c0, s0), (c1, s1) in zip(labels, labels[1:]):
        if axis.orientation in ("left", "right"):
            need = fm.height()  # a label box is one line tall
        else:
            need = (fm.horizontalAdvance(s0) + fm.horizontalAdvance(s1)) / 2
        assert c1 - c0 >= need, f"labels {s0!r} and {s1!r} overlap ({c1 - c0:.1f} < {need:.1f} px)"
    return [s for _c, s in labels]


def shown(qtbot, widget, w, h):
    qtbot.addWidget(widget)
    widget.resize(w, h)
    widget.show()
    qtbot.waitExposed(widget)
    QtWidgets.QApplication.processEvents()
    return widget


# -- tick labels -------------------------------------------------------------------------------
@pytest.mark.parametrize("height", [100, 130, 180])
def test_energy_plot_labels_do_not_overlap_when_short(qtbot, height):
    plot = EnergyPlot()
    plot.note.set_empty(False)  # a plot with data (an empty one hides its tick values)
    shown(qtbot, plot.widget, 400, height)
    plot.range.update(30.0, 0.01, 0.9)  # two decades: pyqtgraph labelled 0.02 … 0.9 here
    qtbot.wait(50)
    texts = assert_no_overlap(plot.widget.plotItem.getAxis("left"))
    assert len(texts) >= 2  # still readable: at least two values to read the scale by
    assert all("nan" not in t.lower() for t in texts)


def test_energy_plot_shows_1_2_5_labels_when_tall(qtbot):
    plot = EnergyPlot()
    plot.note.set_empty(False)  # a plot with data (an empty one hides its tick values)
    shown(qtbot, plot.widget, 400, 600)
    plot.range.update(30.0, 0.01, 0.9)
    qtbot.wait(50)
    texts = assert_no_overlap(plot.widget.plotItem.getAxis("left"))
    assert {"0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"} <= set(texts)


def test_many_decades_on_a_short_axis_label_every_kth_decade(qtbot):
    hist = DiscordHistory()
    hist.note.set_empty(False)  # a plot with data (an empty one hides its tick values)
    shown(qtbot, hist.widget, 400, 100)
    hist.range.update(10.0, 1e-9, 1.0)
    qtbot.wait(50)
    texts = assert_no_overlap(hist.widget.plotItem.getAxis("left"))
    assert len(texts) >= 2
    assert "1" in texts


def test_linear_bars_labels_do_not_overlap_when_short(qtbot):
    from sheafviz.core.model.sheaf import SheafLayout

    bars = DiscordBars()
    bars.set_session(SheafLayout([2, 2, 1]))
    shown(qtbot, bars.widget, 400, 100)
    bars.set_data(np.array([0.05, 0.06, 0.03, 0.03]))  # range 0 … 0.1: labels every 0.02
    qtbot.wait(50)
    texts = assert_no_overlap(bars.widget.plotItem.getAxis("left"))
    assert len(texts) >= 2


@pytest.mark.parametrize("v, text", [(1.0, "1"), (0.02, "0.02"), (500.0, "500"),
                                     (1e-6, "10⁻⁶"), (2e5, "2·10⁵"), (5e-8, "5·10⁻⁸"),
                                     (float("nan"), "—"), (0.0, "—")])
def test_log_labels_are_short_and_never_nan(v, text):
    assert style.log_label(v) == text


def test_log_label_choice_gap_is_at_least_the_requested_gap():
    # independent check of the spacing rule: neighbours in pixels vs LABEL_GAP label heights
    for pixels in (60, 100, 150, 300, 900):
        for lo, hi in ((-2, 0), (-9, 0), (-16, 2), (-0.5, 0.3)):
            vals = style.log_label_values(lo, hi, pixels, 12.0)
            px = np.diff(vals) * pixels / (hi - lo)
            assert (px >= style.LABEL_GAP * 12.0 - 1e-9).all(), (pixels, lo, hi, vals)


# -- empty plots say what fills them ------------------------------------------------------------
def _note_visible(note) -> bool:
    return note.shown and note.item.isVisible()


def test_spectrum_over_training_explains_itself_until_training_runs(qtbot):
    panel = shown(qtbot, SpectrumPanel(), 1200, 260)
    panel.set_series(None)
    note = panel.series_note
    assert _note_visible(note) and "joint flow" in note.text
    assert drawn_labels(panel.series_plot.plotItem.getAxis("left")) == []
    assert drawn_labels(panel.series_plot.plotItem.getAxis("bottom")) == []
    m = 4
    med = np.column_stack([np.full(m, 0.3), np.full(m, 0.2), np.full(m, 0.4)])
    panel.set_series({"spectrum_step": np.arange(m) * 100.0, "lambda_min": med,
                      "lambda_max": med * 10, "condition": med * 30,
                      "condition_defined": np.ones(m, bool)})
    qtbot.wait(50)
    assert not note.item.isVisible()
    assert assert_no_overlap(panel.series_plot.plotItem.getAxis("left"))


def test_other_empty_debug_plots_explain_themselves(qtbot):
    data = shown(qtbot, DataPanel(), 800, 250)
    data.set_data(None, None, "identity")
    assert _note_visible(data.note) and "no data set" in data.note.text
    data.set_data(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.0], [1.0]]), "identity")
    assert not data.note.item.isVisible()

    cmp_ = shown(qtbot, ComparePanel(), 800, 250)
    cmp_.set_comparison(None)
    assert _note_visible(cmp_.note) and "Run both" in cmp_.note.text
    assert not cmp_.plot.plotItem.legend.isVisible()

    grad = shown(qtbot, GradientPanel(), 800, 250)
    grad.set_series(np.zeros(0), np.zeros((0, 0)), np.zeros((0, 0)), np.zeros((0, 0)),
                    np.zeros((0, 0)))
    assert _note_visible(grad.cos_note) and _note_visible(grad.ratio_note)
    grad.set_series(np.array([0.0, 10.0]), np.array([[0.9], [0.95]]), np.ones((2, 1), bool),
                    np.array([[0.5], [0.8]]), np.ones((2, 1), bool))
    assert not grad.cos_note.item.isVisible() and not grad.ratio_note.item.isVisible()

    tl = shown(qtbot, SwitchTimelinePanel(), 800, 250)
    tl.set_timeline(None)
    assert _note_visible(tl.note) and "Relax" in tl.note.text
    assert not tl.scrubber.isVisible()


def test_note_stays_centred_in_the_plot_when_resized(qtbot):
    panel = shown(qtbot, ComparePanel(), 600, 250)
    vb = panel.plot.plotItem.vb
    for w, h in ((600, 250), (1200, 400)):
        panel.resize(w, h)
        qtbot.wait(50)
        centre = panel.note.item.pos()
        assert centre.x() == pytest.approx(vb.rect().center().x(), abs=1)
        assert centre.y() == pytest.approx(vb.rect().center().y(), abs=1)


# -- the dock in the real window ---------------------------------------------------------------
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_debug_dock_opens_at_a_third_of_the_window_and_plots_stay_readable(qtbot, window,
                                                                           size):
    window.resize(*size)
    qtbot.wait(100)
    assert window.load_preset("course-221")
    dock = [d for d in window.debug_docks if d.objectName() == "debug-spectrum"][0]
    dock.setVisible(True)
    dock.raise_()
    # the dock is sized once the layout has taken it in (a zero-time timer after opening)
    qtbot.waitUntil(lambda: abs(dock.height() / window.height() - 0.35) < 0.04, timeout=3000)
    qtbot.wait(200)
    assert dock.height() / window.height() == pytest.approx(0.35, abs=0.04)
    window.debug_hub.throttle_s = 0.0
    for _ in range(5):
        window.session.step(20)
    window.redraw()
    qtbot.wait(100)
    texts = assert_no_overlap(window.energy.widget.plotItem.getAxis("left"))
    assert len(texts) >= 2
    assert assert_no_overlap(window.dhist.widget.plotItem.getAxis("left"))
    assert assert_no_overlap(window.bars.widget.plotItem.getAxis("left"))
    # relax mode: nothing has trained, so the over-training plot explains itself
    assert _note_visible(dock.widget().series_note)
    assert not math.isnan(dock.height())


def test_heatmap_explains_itself_before_any_step(qtbot):
    from sheafviz.core.diagnostics import DiscordHistory as History
    from sheafviz.core.model.sheaf import SheafLayout
    from sheafviz.gui.debug import DiscordHeatmap

    heat = shown(qtbot, DiscordHeatmap(), 800, 250)
    layout = SheafLayout([2, 2, 1])
    hist = History(layout, 1)
    heat.set_matrix(hist.matrix())
    assert _note_visible(heat.note)
    assert drawn_labels(heat.plot.plotItem.getAxis("bottom")) == []


def test_top_tick_label_is_not_cut_by_the_frame(qtbot):
    plot = EnergyPlot()
    plot.note.set_empty(False)  # a plot with data (an empty one hides its tick values)
    shown(qtbot, plot.widget, 400, 200)
    plot.range.update(30.0, 0.1, 9.0)  # range ends on the decade 10: a label at the top tick
    qtbot.wait(50)
    axis = plot.widget.plotItem.getAxis("left")
    labels = drawn_labels(axis)
    assert labels[0][1] == "10"
    fm = QtGui.QFontMetricsF(axis.style["tickFont"])
    top_in_widget = axis.mapToScene(0, labels[0][0]).y() - fm.ascent() / 2
    assert top_in_widget >= 0, "the top label sticks out of the widget"
