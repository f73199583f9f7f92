"""Issue 11, "numbers that do not mislead", in the real window: the status line's λmax
against a fresh eigensolve after training steps, each mode keeping its state, axes with
floors, colour maps centred on 0, the panel following a new preset, σ's wording and the
status items' tooltips, the empty plots' hints, no hover card during a drag, one step count."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from conftest import drag, send_mouse, settled_pixels
from explain_common import K, make_window, close_window, press, wait_text, win  # noqa: F401
from test_session_wiring import dense_free_hessian
from sheafviz.gui import style

WHITE = (247, 247, 247)  # the neutral colour of 0 in the blue–white–red map


def free_lambdas(s) -> np.ndarray:
    """Eigenvalues of L_free at the shown joint state: x and y of the example pinned, the
    state's own ReLU pattern, the current weights (a dense matrix built in the test)."""
    lay, c = s.layout, s.cochain
    fixed = set(range(lay.vertex("x").slice.start, lay.vertex("x").slice.stop)) | \
        set(range(lay.vertex("y").slice.start, lay.vertex("y").slice.stop))
    return np.linalg.eigvalsh(dense_free_hessian(s.network, lay, lay.sigma_of(c), fixed))


def test_lambda_max_is_labelled_and_follows_training(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "dead-relu")
    try:
        s = w.session
        press(qtbot, w, K.Key_T)  # joint flow
        qtbot.mouseClick(w.panel.batch, QtCore.Qt.MouseButton.LeftButton)  # whole batch
        assert s.mode == "joint" and s.example is None
        w.panel.spf.setValue(20)
        for _ in range(4):
            press(qtbot, w, K.Key_S)
        assert s.steps == 80 and s.network is not s.initial_network  # θ moved
        lam = free_lambdas(s)
        wait_text(qtbot, w, f"step {s.steps} ")
        label = w.metrics.labels["lambda_max"]
        assert label.text() == f"stiffest λmax = {style.fmt(lam[-1])}"
        assert "largest eigenvalue of L<sub>free</sub>" in label.toolTip()
        assert "x and y pinned" in label.toolTip()
        assert w.metrics.labels["lambda_min"].text() == f"slowest λmin = {style.fmt(lam[0])}"
        # the Spectrum dock names both of its quantities
        dock = [d for d in w.debug_docks if d.objectName() == "debug-spectrum"][0]
        dock.setVisible(True)
        w.debug_hub.throttle_s = 0.0
        panel = w.debug_hub.p["spectrum"]
        w.redraw()
        qtbot.waitUntil(lambda: f"λₘₐₓ = {style.fmt(lam[-1], 4)}" in panel.summary.text(),
                        timeout=5000)
        assert panel.summary.text().startswith("at the shown state")
        assert "status line" in panel.summary.toolTip()
        tips = [c.toolTip() for c in panel.findChildren(QtWidgets.QWidget) if c.toolTip()]
        assert any("only the input x pinned" in t and "median" in t for t in tips)
    finally:
        close_window(w)


def test_switching_mode_keeps_each_modes_state(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, "dead-relu")
    try:
        s = w.session
        press(qtbot, w, K.Key_S)
        relax_steps = s.steps
        press(qtbot, w, K.Key_T)
        qtbot.mouseClick(w.panel.batch, QtCore.Qt.MouseButton.LeftButton)
        for _ in range(3):
            press(qtbot, w, K.Key_S)
        steps, n = s.steps, s.history.n
        wait_text(qtbot, w, f"step {steps} ")
        r_text = w.metrics.labels["residual"].text()
        assert r_text.startswith("batch mean R̄ = ")
        press(qtbot, w, K.Key_T)
        assert s.mode == "relax" and s.steps == relax_steps
        press(qtbot, w, K.Key_T)
        assert s.mode == "joint" and s.steps == steps and s.history.n == n
        wait_text(qtbot, w, f"step {steps} ")
        assert w.metrics.labels["residual"].text() == r_text
    finally:
        close_window(w)


def count_color(widget, color: str) -> int:
    img = widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    rgb = a[:, : 4 * img.width()].reshape(img.height(), img.width(), 4)[..., 2::-1]
    c = QtGui.QColor(color)
    return int(np.sum(np.all(rgb == (c.red(), c.green(), c.blue()), axis=-1)))


def test_axes_have_floors_at_an_equilibrium(qtbot, win):
    s, out = win.session, win.theme.EDGE_COLORS["output"]
    assert count_color(win.bars.widget, out) > 100  # the pinned target pulls: a tall bar
    press(qtbot, win, K.Key_Left)  # selects y[0], the last neuron
    press(qtbot, win, K.Key_P)  # unpin it: the forward pass is an equilibrium, E = 0
    e_max = float(np.max(s.history.energy[: s.history.n]))
    while not s.step(200):
        pass
    assert 0 < s.readouts.energy < 1e-12 * e_max  # round-off, not a value
    win.redraw()
    qtbot.waitUntil(lambda: win.bars.mark.isVisible(), timeout=3000)
    assert win.bars.mark.toPlainText().startswith("at equilibrium")
    top = win.bars.widget.plotItem.vb.viewRange()[1][1]
    assert top >= 1.0  # the values' scale, not a 1e-12 axis of noise
    assert count_color(win.bars.widget, out) == 0  # no bars at all
    assert win.energy.mark.isVisible()
    lo = win.energy.widget.plotItem.vb.viewRange()[1][0]
    assert lo >= np.log10(1e-12 * e_max) - 1.1  # no 1e-16 axis


def test_zero_is_neutral_white(qtbot, tmp_path):
    lut = style.value_lut()
    assert tuple(lut[len(lut) // 2, :3]) == WHITE
    w = make_window(qtbot, tmp_path, "paraboloid")
    try:
        s, g = w.session, w.graph
        c = s.cochain.copy()
        a1 = s.layout.vertex("a1")
        c[a1.slice] = 0.0  # an all-zero wide layer (drawn as a strip)
        s.set_state(c)
        w.redraw()
        k = a1.position
        img = g.strips[k]
        img.render()
        q = img.qimage
        colors = {q.pixelColor(0, j).getRgb()[:3] for j in range(q.height())} | \
            {q.pixelColor(i, 0).getRgb()[:3] for i in range(q.width())}
        assert colors == {WHITE}
    finally:
        close_window(w)
    from sheafviz.gui.debug import data_panel

    rgba = data_panel._diverging(np.array([0.0, 7.3, -0.6]), -0.6, 7.3)  # a regression target
    assert tuple(rgba[0, :3]) == WHITE and rgba[2, 2] > rgba[2, 0]  # 0 white, < 0 blue


def test_zero_dot_is_white(qtbot, win):
    g, s = win.graph, win.session
    k = [i for i, (v, j) in enumerate(zip(g.dot_vertex, g.dot_coord))
         if s.layout.vertices[v].name == "a1" and j == 3][0]
    assert s.cochain[s.layout.index("a1", 3)] == 0.0  # the off neuron of the running example
    assert g.dots.data["brush"][k].color().getRgb()[:3] == WHITE


def test_status_items_are_named_with_tooltips_and_sigma_reads_as_sliding(qtbot, win):
    labels = win.metrics.labels
    assert {"energy", "residual", "lambda_min", "lambda_max", "sigma", "clock",
            "speed"} <= set(labels)
    for key, lab in labels.items():
        assert len(lab.toolTip()) > 40, key
        assert lab.text()[:1].isalpha(), key  # a name before the value
    combo = win.panel.preset
    combo.activated.emit(combo.findText("sliding"))
    press(qtbot, win, K.Key_J)
    wait_text(qtbot, win, "σ: sliding")
    text = win.metrics.labels["sigma"].text()
    assert text == "σ: sliding, 1 on a kink z = 0" and "inconsistent" not in win.metrics.text()
    assert "genuine equilibrium" in win.metrics.labels["sigma"].toolTip()


def select(qtbot, w, name: str, index: int) -> None:
    while w.session.selection != (name, index):
        press(qtbot, w, K.Key_Right)


def test_panel_follows_pins_and_a_new_preset(qtbot, win):
    p = win.panel
    select(qtbot, win, "a1", 0)
    assert p.sel_pin.text() == "Pin" and p.sel_label.text() == "a1[0]"
    qtbot.mouseClick(p.sel_pin, QtCore.Qt.MouseButton.LeftButton)
    assert win.session.pins.is_pinned("a1", 0) and p.sel_pin.text() == "Unpin"
    old_value = p.sel_value.value()
    win.dialogs.save_changes = lambda: "discard"  # a pin is an edit: asked, discarded
    p.preset.activated.emit(p.preset.findText("steering"))
    assert win.dialogs.asked == 1
    assert win.session.preset.name == "steering"
    assert p.sel_label.text() == "click a neuron" and not p.sel_pin.isEnabled()
    assert p.sel_pin.text() == "Pin"
    select(qtbot, win, "a1", 0)  # pinned to 0 in this preset
    assert p.sel_pin.text() == "Unpin" and p.sel_pin.isChecked()
    assert p.sel_value.value() == 0.0 != old_value


def test_empty_plots_say_what_to_do(qtbot, win):
    for plot in (win.energy, win.dhist):
        assert plot.note.shown and "Press Space" in plot.note.text
        assert "Pins and drags jump straight" in plot.note.text  # why a pin draws no curve
        assert not plot.widget.plotItem.getAxis("bottom").style["showValues"]
    select(qtbot, win, "z1", 0)
    press(qtbot, win, K.Key_P)  # a pin: still no flow, still the hint
    assert win.energy.note.shown
    press(qtbot, win, K.Key_S)
    for plot in (win.energy, win.dhist):
        assert not plot.note.shown
        assert plot.widget.plotItem.getAxis("left").style["showValues"]
    dock = [d for d in win.debug_docks if d.objectName() == "debug-gradient"][0]
    dock.setVisible(True)
    panel = win.debug_hub.p["gradient"]
    qtbot.waitUntil(lambda: panel.cos_note.shown, timeout=3000)
    assert "Joint" in panel.cos_note.text
    assert not panel.cos_plot.plotItem.getAxis("bottom").style["showValues"]


def test_no_hover_card_during_a_drag(qtbot, win):
    g = win.graph
    pts = {(win.session.layout.vertices[v].name, j): (x, y)
           for v, j, x, y in zip(g.dot_vertex, g.dot_coord, g.dot_x, g.dot_y)}
    a, b = settled_pixels(qtbot, g, [pts[("x", 0)], pts[("x", 1)]])
    send_mouse(g.viewport(), "move", b, QtCore.Qt.MouseButton.NoButton)
    qtbot.waitUntil(lambda: g.hover_card.isVisible(), timeout=2000)  # hovering: a card
    assert "x[1]" in g.hover_card.toPlainText()
    seen = []  # at every dragged value: the hovered neuron and the card shown
    g.pinDragged.connect(lambda *_: seen.append(
        (g.hovered, g.hover_card.isVisible() and g.hover_card.toPlainText())))
    drag(qtbot, g.viewport(), a, b + QtCore.QPoint(0, 10))  # x[0] down over x[1]
    assert win.session.pins.hard[("x", 0)] < 1.0  # it was a drag of x[0]
    assert len(seen) >= 3 and all(h is None and not card for h, card in seen), seen


def test_status_and_rewind_bar_count_the_same_steps(qtbot, win):
    s = win.session
    s.set_rates(dt=0.001)  # slow: the relaxation does not converge within these steps
    while s.trajectory.items[-1][1] == s.steps and s.steps < 5000:  # until thinning keeps
        s.step(1)  # an older state last (past the trajectory's capacity)
    assert s.trajectory.items[-1][1] != s.steps  # the newest kept state is an older one
    win.redraw()
    wait_text(qtbot, win, f"step {s.steps} ")
    assert win.lecture.rewind_panel.label.text().startswith(f"step {s.steps}  t = "
                                                             f"{style.fmt(s.time)}")


def test_switch_timeline_prints_t_0_at_the_start():
    from sheafviz.core.diagnostics.switching import SwitchTimeline
    from sheafviz.gui.debug.switch_timeline import SwitchTimelinePanel

    e = np.zeros(0)
    tl = SwitchTimeline(neurons=["z1[0]"], initial_active=np.array([True]), t_start=0.0,
                        t_end=0.0, row=e.astype(int), time=e, t_last=e, count=e.astype(int),
                        direction=e.astype(int), final=e.astype(int), labels=[])
    panel = SwitchTimelinePanel()
    panel.set_timeline(tl)
    panel.set_time(1e-9)  # the scrubber's end of a run that has not moved yet
    assert panel.readout.text().startswith("t = 0:")
    panel.deleteLater()
