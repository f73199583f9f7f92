"""Layout that holds (issue 11, items 10-13): at 1280×720, with a dock open, with larger
text, with 16 inputs or 64 neurons in a layer.

Every check is geometry read back from the real window: marker pixel rectangles, the
bounding rectangles of labels and of the tick texts pyqtgraph lays out, the pixel aspect of
a data square. Independent references are the rules themselves (rectangles must not meet).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from test_lecture_common import close_window, make_window

from sheafviz.core.data.presets import Preset
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.gui import graph_fit, style
from sheafviz.gui.settle import settle as settle_timers


def settle(qtbot, w, ms: int = 250) -> None:
    qtbot.wait(ms)
    settle_timers(QtWidgets.QApplication.instance(), w)
    w.redraw()
    qtbot.wait(50)


def open_dock(w, title: str) -> QtWidgets.QDockWidget:
    (dock,) = [d for d in w.findChildren(QtWidgets.QDockWidget) if d.windowTitle() == title]
    dock.show()
    dock.raise_()
    return dock


def larger_text(w, times: int = 3) -> None:
    (act,) = [a for a in w.findChildren(QtGui.QAction) if a.text() == "Larger text"]
    for _ in range(times):
        act.trigger()


def open_network(w, arch, pins=None) -> None:
    net = Network.he_init(list(arch), seed=0)
    preset = Preset(name="custom", title=f"{arch} network", notes="", network=net,
                    pins=PinSet(hard=dict(pins or {})))
    assert w.open_preset_object(preset)


# -- item 11: squares apart, labels apart --------------------------------------------------
def marker_rects(graph, vertex: str) -> list[QtCore.QRectF]:
    """Viewport pixel rectangles of a column's markers (size and outline as drawn)."""
    k = graph.layout_.vertex(vertex).position
    rects = []
    pen = graph_fit.pin_pen_px(graph.dot_size)
    for j, (x, y, size) in enumerate(zip(graph.dot_x, graph.dot_y, graph._sizes)):
        if graph.dot_vertex[j] != k:
            continue
        c = graph.mapFromScene(graph.vb.mapViewToScene(QtCore.QPointF(x, y)))
        half = (size + pen) / 2
        rects.append(QtCore.QRectF(c.x() - half, c.y() - half, 2 * half, 2 * half))
    return rects


def assert_apart(rects, what) -> None:
    for i in range(len(rects)):
        for j in range(i + 1, len(rects)):
            assert not rects[i].intersects(rects[j]), (what, i, j, rects[i], rects[j])


@pytest.mark.parametrize("how", ["plain", "dock", "own-model", "presentation", "larger"])
def test_the_two_input_squares_never_merge(qtbot, tmp_path, how):
    w, feats = make_window(qtbot, tmp_path, size=(1280, 720))
    try:
        if how == "dock":
            open_dock(w, "Discord heatmap")
        elif how == "own-model":
            open_dock(w, "Own model")
        elif how == "presentation":
            feats.presentation.enter(fullscreen=False)
        elif how == "larger":
            larger_text(w)
        settle(qtbot, w, 400)
        rects = marker_rects(w.graph, "x")
        assert len(rects) == 2
        assert_apart(rects, how)
    finally:
        close_window(w, feats)


def visible_labels(graph) -> list:
    return [t for t in graph.value_texts + graph.labels if t.isVisible() and t.toPlainText()]


@pytest.mark.parametrize("arch", [(16, 8, 1), (2, 64, 1)])
def test_graph_labels_never_collide_and_are_never_clipped(qtbot, tmp_path, arch):
    w, feats = make_window(qtbot, tmp_path, size=(1280, 720))
    try:
        values = np.round(np.linspace(-0.9, 0.9, arch[0]) + 0.025, 3)
        values[min(3, arch[0] - 1)] = 0.275
        open_network(w, arch, {("x", j): float(v) for j, v in enumerate(values)})
        for how in ("plain", "larger"):
            if how == "larger":
                larger_text(w)
            settle(qtbot, w, 400)
            labels = visible_labels(w.graph)
            assert len(labels) >= len(w.graph.labels) + 2
            rects = [t.sceneBoundingRect() for t in labels]
            assert_apart(rects, (arch, how))
            view = w.graph.vb.sceneBoundingRect()
            for t, r in zip(labels, rects):  # whole: 0.275 was cut to "275"
                assert view.contains(r), (t.toPlainText(), r, view)
            if arch[0] == 16:
                texts = [t.toPlainText() for t in w.graph.value_texts if t.isVisible()]
                assert "0.275" in texts or not w.graph.value_texts[3].isVisible()
            assert_apart(marker_rects(w.graph, "x"), (arch, how))
    finally:
        close_window(w, feats)


# -- item 10 and "ticks touch": axis titles and tick labels -------------------------------
def tick_rects(axis: pg.AxisItem) -> list[QtCore.QRectF]:
    image = QtGui.QImage(4, 4, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        painter.setFont(axis.style.get("tickFont") or axis.font())
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [] if specs is None else [QtCore.QRectF(r) for r, _f, _t in specs[2]]


def axis_problems(w) -> list[str]:
    """Axis titles over tick labels, tick labels over each other, titles cut off."""
    bad = []
    for pw in w.findChildren(pg.PlotWidget):
        if not pw.isVisible():
            continue
        for name in ("left", "bottom"):
            ax = pw.plotItem.getAxis(name)
            if not ax.isVisible():
                continue
            ticks = tick_rects(ax)
            where = f"{type(pw).__name__}.{name} {ax.labelText!r}"
            for i in range(len(ticks)):
                for j in range(i + 1, len(ticks)):
                    if ticks[i].intersects(ticks[j]):
                        bad.append(f"{where}: tick labels {i} and {j} overlap")
            if ax.label.isVisible() and ax.labelText:
                m = ax.label.document().documentMargin()  # blank space around the text
                title = ax.label.mapRectToParent(ax.label.boundingRect().adjusted(m, m, -m, -m))
                if any(title.intersects(t) for t in ticks):
                    bad.append(f"{where}: the title overlaps a tick label")
                box = QtCore.QRectF(0, 0, ax.width(), ax.height()).adjusted(-1, -1, 1, 1)
                if not box.contains(title):
                    bad.append(f"{where}: the title is cut ({title} in {box})")
    return bad


@pytest.mark.parametrize("how", ["plain", "larger", "presentation"])
def test_axis_titles_and_tick_labels_never_overlap(qtbot, tmp_path, how):
    w, feats = make_window(qtbot, tmp_path, size=(1280, 720))
    try:
        w.session.step(20)  # Σ dₑ spans decades: its ticks read 1, 0.01, 10⁻⁴, …
        if how == "larger":
            larger_text(w)
        elif how == "presentation":
            feats.presentation.enter(fullscreen=False)
        settle(qtbot, w, 400)
        problems = axis_problems(w)
        assert problems == [], "\n".join(problems)
    finally:
        close_window(w, feats)


# -- item 12: log axes keep three labels; the heatmap's rows in path order -----------------
def labelled_ticks(axis) -> list[str]:
    image = QtGui.QImage(4, 4, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [t for _r, _f, t in specs[2]]


def test_joint_vs_gd_log_axis_has_three_labels_over_a_short_range(qtbot):
    from sheafviz.gui.debug.compare_panel import ComparePanel

    panel = ComparePanel()
    qtbot.addWidget(panel)
    panel.resize(700, 260)
    panel.show()
    qtbot.waitExposed(panel)
    steps = np.arange(0, 5000, 100)
    loss = 0.45 - 0.1 * steps / steps[-1]  # a loss that moves less than a decade
    panel.set_comparison(SimpleNamespace(steps=steps, sheaf_loss=loss, gd_loss=loss * 1.05))
    qtbot.wait(100)
    texts = labelled_ticks(panel.plot.plotItem.getAxis("left"))
    assert len(texts) >= 3, texts
    # the labels are the values at their positions (no rounded "0.4" at 0.35)
    ax = panel.plot.plotItem.getAxis("left")
    lo, hi = ax.range
    for t in texts:
        v = float(t)
        assert 10 ** lo <= v <= 10 ** hi


@pytest.mark.parametrize("lo, hi", [(-0.52, -0.3), (-0.05, 0.0), (2.7, 2.75), (-1.0, 0.0)])
def test_log_label_values_give_three_labels_when_there_is_room(lo, hi):
    vals = style.log_label_values(lo, hi, 200.0, 16.0)
    assert len(vals) >= 3, vals
    px = np.diff(vals) * 200.0 / (hi - lo)
    assert (px >= style.LABEL_GAP * 16.0 - 1e-9).all()
    for v in vals:  # the label names the value at the tick
        assert float(style.log_label(10 ** v)) == pytest.approx(10 ** v, rel=1e-9)


def test_heatmap_rows_read_top_to_bottom_in_path_order(qtbot, tmp_path):
    w, feats = make_window(qtbot, tmp_path, size=(1280, 720))
    try:
        open_dock(w, "Discord heatmap")
        w.session.step(4)
        settle(qtbot, w, 400)
        heat = w.findChild(QtWidgets.QWidget, "") and [d for d in w.debug_docks
                                                      if d.windowTitle() == "Discord heatmap"][0]
        panel = heat.widget()
        ax = panel.plot.plotItem.getAxis("left")
        vb = panel.plot.plotItem.vb
        ticks = ax._tickLevels[0]
        on_screen = sorted(ticks, key=lambda t: vb.mapViewToScene(QtCore.QPointF(0, t[0])).y())
        assert [name for _y, name in on_screen] == [e.name for e in w.session.layout.edges]
    finally:
        close_window(w, feats)


# -- item 13: docks sized to their content; the data square kept square ---------------------
def test_own_model_dock_takes_only_what_it_needs(qtbot, tmp_path):
    w, feats = make_window(qtbot, tmp_path, size=(1280, 720))
    try:
        dock = open_dock(w, "Own model")
        settle(qtbot, w, 400)
        assert dock.height() < 0.25 * w.height()
        panel = dock.widget()
        # and every line of it shows (the help text is not cut)
        for label in panel.findChildren(QtWidgets.QLabel):
            if label.isVisible() and label.text():
                need = label.heightForWidth(label.width()) if label.wordWrap() else \
                    label.sizeHint().height()
                assert label.height() >= need - 1, label.text()[:30]
    finally:
        close_window(w, feats)


@pytest.mark.parametrize("how", ["plain", "larger"])
def test_data_square_stays_square(qtbot, tmp_path, how):
    w, feats = make_window(qtbot, tmp_path, size=(1280, 720), preset="circular")
    try:
        dock = open_dock(w, "Data")
        if how == "larger":
            larger_text(w)
        settle(qtbot, w, 400)
        vb = dock.widget().plot.plotItem.vb
        a = vb.mapViewToScene(QtCore.QPointF(-2, -2))
        b = vb.mapViewToScene(QtCore.QPointF(2, 2))
        wpx, hpx = abs(b.x() - a.x()), abs(b.y() - a.y())
        assert wpx > 40 and wpx / hpx == pytest.approx(1.0, abs=0.03)
    finally:
        close_window(w, feats)


# -- item 10: real subscripts -----------------------------------------------------------------
#: Code names a user types (file formats), not mathematics.
_CODE_WORDS = ("state_dict",)


def shown_texts(w) -> list[tuple[str, str]]:
    out = []
    for x in w.findChildren(QtWidgets.QWidget):
        for getter in ("text", "windowTitle", "title", "toolTip", "placeholderText"):
            f = getattr(x, getter, None)
            if callable(f):
                try:
                    t = f()
                except TypeError:
                    continue
                if isinstance(t, str) and t:
                    out.append((f"{type(x).__name__}.{getter}", t))
    for view in w.findChildren(QtWidgets.QGraphicsView):
        if view.scene() is None:
            continue
        for it in view.scene().items():
            if isinstance(it, pg.AxisItem) and it.labelText:
                out.append(("axis", it.labelText))
            elif isinstance(it, QtWidgets.QGraphicsTextItem):
                out.append(("text item", it.toPlainText()))
            elif isinstance(it, pg.LabelItem):
                out.append(("label item", it.text))
    return out


def test_math_has_real_subscripts_everywhere(qtbot, tmp_path):
    w, feats = make_window(qtbot, tmp_path, size=(1280, 720))
    try:
        for d in w.findChildren(QtWidgets.QDockWidget):
            d.show()
        w.session.step(4)
        settle(qtbot, w, 400)
        texts = shown_texts(w)
        assert len(texts) > 50
        bad = []
        for where, t in texts:
            plain = re.sub(r"<[^>]+>", "", t)
            for word in _CODE_WORDS:
                plain = plain.replace(word, "")
            if re.search(r"[A-Za-zλησΣγθκ]_\{?[A-Za-z0-9]", plain):
                bad.append((where, plain[:60]))
        assert bad == []
        axes = {a for k, a in texts if k == "axis"}
        assert "dₑ" in axes and "Σ dₑ" in axes
    finally:
        close_window(w, feats)


# -- item 1 (Ctrl++ three times): bar labels stay words -------------------------------------
@pytest.mark.parametrize("how", ["larger", "presentation"])
def test_bar_labels_stay_readable_names_with_large_text(qtbot, tmp_path, how):
    w, feats = make_window(qtbot, tmp_path, size=(1280, 720))
    try:
        # presentation hides the bars by default; a teacher may keep them
        feats.prefs.set("presentation_hide_panels", ["Discord over time", "docks"])
        larger_text(w) if how == "larger" else feats.presentation.enter(fullscreen=False)
        settle(qtbot, w, 400)
        names = labelled_ticks(w.bars.widget.plotItem.getAxis("bottom"))
        assert len(names) >= 4, names
        edges = [e.name for e in w.session.layout.edges]
        allowed = set(edges) | {"Σaff", "Σrel", "Σout"} | {n.replace("relu", "rel") for n in edges}
        assert set(names) <= allowed, names  # "a1 r1 a2 o" named nothing a student knows
        assert not any(len(n.lstrip("Σ")) <= 2 for n in names), names
        rects = tick_rects(w.bars.widget.plotItem.getAxis("bottom"))
        assert_apart(rects, how)
    finally:
        close_window(w, feats)


@pytest.mark.parametrize("how", ["larger", "presentation"])
def test_panel_legends_wrap_above_their_pictures_never_onto_them(qtbot, tmp_path, how):
    # Ctrl++ three times wrapped the graph's legend onto its vertex labels
    w, feats = make_window(qtbot, tmp_path, size=(1280, 720))
    try:
        larger_text(w) if how == "larger" else feats.presentation.enter(fullscreen=False)
        settle(qtbot, w, 400)
        for title, label in w._titles.items():
            if not label.isVisible():
                continue
            box = label.parentWidget()
            picture = box.layout().itemAt(1).widget()
            top = label.geometry()
            assert top.bottom() < picture.geometry().top(), title
            assert label.height() >= label.heightForWidth(label.width()), title
        graph_top = w.graph.mapTo(w, QtCore.QPoint(0, 0)).y()
        for t in w.graph.labels:  # the vertex labels are inside the graph, under the legend
            r = w.graph.mapFromScene(t.sceneBoundingRect()).boundingRect()
            assert r.top() >= 0 and graph_top + r.top() > \
                w._titles["Path graph"].mapTo(w, QtCore.QPoint(0, 0)).y()
    finally:
        close_window(w, feats)
