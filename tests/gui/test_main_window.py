"""The main window driven through real clicks on real pyqtgraph items (offscreen)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore

from conftest import (dense_equilibrium_fixed_sigma, drag, exact_discords, settled_pixels,
                      view_pixel)

LEFT = QtCore.Qt.MouseButton.LeftButton


def dot_xy(graph, name: str, i: int) -> tuple[float, float]:
    k = graph.layout_.vertex(name).position
    return float(k), float(graph.ys[k][i])


def click_neuron(qtbot, graph, name: str, i: int) -> None:
    (px,) = settled_pixels(qtbot, graph, [dot_xy(graph, name, i)])
    qtbot.mouseClick(graph.viewport(), LEFT, pos=px)


def test_title_and_default_preset(window):
    assert window.windowTitle().startswith("sheafviz — ")
    assert window.session.preset.name == "running-241"
    assert "—" not in window.windowTitle()[len("sheafviz — "):] or True
    assert "nan" not in window.metrics.text().lower()


def test_click_pins_and_unpins_a_hidden_neuron(qtbot, window):
    graph = window.graph
    assert not window.session.pins.is_pinned("a1", 0)
    value = float(window.session.cochain[window.session.layout.index("a1", 0)])
    click_neuron(qtbot, graph, "a1", 0)
    assert window.session.pins.hard[("a1", 0)] == pytest.approx(value)
    j = int(np.flatnonzero((graph.dot_vertex == 2) & (graph.dot_coord == 0))[0])
    assert graph._symbols[j] == "s"  # drawn clamped
    assert window.session.selection == ("a1", 0)
    assert window.panel.sel_label.text() == "a1[0]"
    click_neuron(qtbot, graph, "a1", 0)
    assert not window.session.pins.is_pinned("a1", 0)
    assert graph._symbols[j] == "o"


def test_drag_pinned_neuron_gives_the_dense_equilibrium(qtbot, window):
    graph = window.graph
    click_neuron(qtbot, graph, "a1", 1)
    s = window.session
    v0 = s.pins.hard[("a1", 1)]
    (start,) = settled_pixels(qtbot, graph, [dot_xy(graph, "a1", 1)])
    bracket = []
    graph.dragStarted.connect(lambda: bracket.append("start"))
    graph.dragFinished.connect(lambda: bracket.append("finish"))
    drag(qtbot, graph.viewport(), start, start + QtCore.QPoint(0, -40))
    assert bracket == ["start", "finish"]  # one drag, bracketed once (one undo step)
    v1 = s.pins.hard[("a1", 1)]
    assert v1 > v0 + 1e-3  # dragging up raises the value
    c = s.cochain
    assert c[s.layout.index("a1", 1)] == pytest.approx(v1)
    sigma = s.layout.sigma_of(c)
    ref = dense_equilibrium_fixed_sigma(s.network, s.pins, s.layout, sigma)
    np.testing.assert_allclose(c, ref, atol=1e-8)
    # and the drape draws the clamp at the new value
    clamp_y = window.drape.clamps.getData()[1]
    assert np.any(np.isclose(clamp_y, v1))


def test_drag_clamp_in_drape_sets_value_under_cursor(qtbot, window):
    drape = window.drape
    s = window.session
    i = s.layout.index("x", 0)
    x0, y0 = drape.xs[i], s.cochain[i]
    (start,) = settled_pixels(qtbot, drape, [(x0, y0)])
    target = start + QtCore.QPoint(0, 30)
    expected = drape.plotItem.vb.mapSceneToView(drape.mapToScene(target)).y()
    bracket = []
    drape.dragStarted.connect(lambda: bracket.append("start"))
    drape.dragFinished.connect(lambda: bracket.append("finish"))
    drag(qtbot, drape.viewport(), start, target)
    assert bracket == ["start", "finish"]
    assert s.pins.hard[("x", 0)] == pytest.approx(expected, abs=0.05 * abs(expected) + 1e-2)
    ref = dense_equilibrium_fixed_sigma(s.network, s.pins, s.layout,
                                        s.layout.sigma_of(s.cochain))
    np.testing.assert_allclose(s.cochain, ref, atol=1e-8)


def test_step_adds_energy_points_with_the_true_energy(qtbot, window):
    n0 = len(window.energy.curve.getData()[0])
    qtbot.mouseClick(window.panel.step, LEFT)
    qtbot.mouseClick(window.panel.step, LEFT)
    t, e = window.energy.curve.getOriginalDataset()
    assert len(t) >= n0 + 2
    s = window.session
    assert s.steps == 2 * s.rates.steps_per_frame
    d = exact_discords(s.network, s.layout, s.cochain)
    assert e[-1] == pytest.approx(0.5 * sum(d.values()), rel=1e-9)
    assert np.all(np.diff(e) <= 1e-12)  # a stable heat flow never raises E


def test_pin_y_makes_output_discord_appear(qtbot, window):
    graph = window.graph
    # unpin y by clicking its label, relax to the equilibrium: the output edge has no discord
    k = window.session.layout.vertex("y").position
    (label_px,) = settled_pixels(qtbot, graph, [(k, graph.label_y)])
    qtbot.mouseClick(graph.viewport(), LEFT, pos=label_px)
    assert not window.session.pins.is_pinned("y", 0)
    qtbot.mouseClick(window.panel.jump, LEFT)
    out = [e.name for e in window.session.layout.edges].index("out")
    assert window.bars.heights[out] == pytest.approx(0.0, abs=1e-20)
    # pin y (click its dot), then type a target in the editor
    click_neuron(qtbot, graph, "y", 0)
    assert window.session.pins.is_pinned("y", 0)
    target = float(window.session.cochain[window.session.layout.index("y", 0)]) + 1.5
    spin = window.panel.sel_value
    spin.setValue(target)
    assert window.session.pins.hard[("y", 0)] == pytest.approx(target)
    ref = dense_equilibrium_fixed_sigma(window.session.network, window.session.pins, window.session.layout,
                                        window.session.layout.sigma_of(window.session.cochain))
    d_ref = exact_discords(window.session.network, window.session.layout, ref)
    assert d_ref["out"] > 1e-4
    drawn = window.bars.heights[out]
    assert drawn == pytest.approx(d_ref["out"], rel=1e-7)
    # the drape's output spring spans exactly |r_out| = |y − z2| (identity head)
    ys = window.drape.springs["output"].getData()[1]
    ys = ys[np.isfinite(ys)]
    lay = window.session.layout
    r_out = ref[lay.index("y", 0)] - ref[lay.index("z2", 0)]
    assert ys.max() - ys.min() == pytest.approx(abs(r_out), rel=1e-7)


def test_hover_card_is_live(qtbot, window):
    graph = window.graph
    (px,) = settled_pixels(qtbot, graph, [dot_xy(graph, "z1", 0)])
    qtbot.mouseMove(graph.viewport(), pos=px)
    qtbot.waitUntil(lambda: graph.hover_card.isVisible(), timeout=3000)
    before = graph.hover_card.textItem.toPlainText()
    # drawn at pixel size, inside the view, near the neuron (not scaled by the data transform)
    rect = graph.hover_card.sceneBoundingRect()
    assert rect.width() < 400 and rect.height() < 400
    assert graph.sceneRect().contains(rect.center())
    assert "z1[0]" in before and "forward" in before and "σ" in before
    for _ in range(5):
        window.player.step()
    after = graph.hover_card.textItem.toPlainText()
    assert after != before  # the value moved while hovering
    assert "nan" not in after.lower()


def test_unstable_dt_is_a_message_not_a_crash(qtbot, window):
    c_before = window.session.cochain.copy()
    window.panel.dt.setValue(9.0)
    window.player.play()
    qtbot.wait(50)
    assert not window.player.playing
    assert "Δt" in window.note.text() or "unstable" in window.note.text().lower()
    np.testing.assert_array_equal(window.session.cochain, c_before)


def test_keyboard_space_plays_and_pauses(qtbot, window):
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)
    assert window.player.playing
    qtbot.waitUntil(lambda: window.session.steps > 0, timeout=3000)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)
    assert not window.player.playing
    assert window.panel.play.text().endswith("Play")


def test_joint_flow_changes_weights(qtbot, window):
    s = window.session
    w0 = [w.copy() for w in s.network.weights]
    window.panel.joint.setChecked(True)
    assert s.mode == "joint"
    for _ in range(3):
        qtbot.mouseClick(window.panel.step, LEFT)
    assert any(not np.allclose(a, b) for a, b in zip(w0, s.network.weights))
    assert "nan" not in window.metrics.text().lower()


def test_data_preset_switches_example(qtbot, window):
    assert window.load_preset("paraboloid")
    s = window.session
    assert (s.data is not None)
    window.panel.example.setValue(5)
    x, y = s.data.example(5)
    assert s.pins.hard[("x", 0)] == pytest.approx(x[0])
    assert s.pins.hard[("y", 0)] == pytest.approx(y[0])
    window.panel.batch.setChecked(True)
    window.panel.joint.setChecked(True)
    qtbot.mouseClick(window.panel.step, LEFT)
    assert s.mode == "joint" and s.steps > 0


def test_typing_in_editor_is_not_taken_by_shortcuts(qtbot, window):
    click_neuron(qtbot, window.graph, "a1", 2)
    s = window.session
    spf = s.rates.steps_per_frame
    spin = window.panel.sel_value
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "-1.25")
    qtbot.keyClick(spin, QtCore.Qt.Key.Key_Return)
    assert s.rates.steps_per_frame == spf  # "-" did not halve the speed
    assert s.pins.hard[("a1", 2)] == pytest.approx(-1.25)
    assert not window.player.playing


def test_wide_stalk_strip_picks_a_coordinate(qtbot, window):
    from sheafviz.core.model.network import Network
    from sheafviz.core.model.pins import PinSet
    from sheafviz.core.data.presets import Preset
    from sheafviz.core.model.sheaf import SheafLayout

    net = Network.he_init([40, 30, 3], seed=2)
    lay = SheafLayout(net.arch)
    pins = PinSet().pin(lay, "x", np.linspace(-1, 1, 40))
    graph = window.graph
    assert window.open_preset_object(Preset("wide", "wide test", "", net, pins))
    k = lay.vertex("z1").position
    assert k in graph.strips  # 30 > MAX_DOTS neurons: drawn as a strip
    j = 17
    (px,) = settled_pixels(qtbot, graph, [(k, graph.ys[k][j]), (k, graph.ys[k][0])])[:1]
    qtbot.mouseClick(graph.viewport(), LEFT, pos=px)
    assert window.session.pins.is_pinned("z1", j)
    assert sum(window.session.pins.is_pinned("z1", i) for i in range(30)) == 1
    ref = float(window.session.cochain[lay.index("z1", j)])
    assert window.session.pins.hard[("z1", j)] == pytest.approx(ref)
    # the strip shows the pin as a marker at that coordinate's height
    assert np.allclose(graph.strip_pins[k].getData()[1], [graph.ys[k][j]])


def test_unpinning_x_is_reported_and_shows_no_nan(qtbot, window):
    graph = window.graph
    s = window.session
    k = s.layout.vertex("x").position
    (label_px,) = settled_pixels(qtbot, graph, [(k, graph.label_y)])
    qtbot.mouseClick(graph.viewport(), LEFT, pos=label_px)
    assert not s.pins.is_pinned("x", 0) and not s.pins.is_pinned("x", 1)
    assert s.readouts.underdetermined
    assert "Under-determined" in window.note.text()
    for _ in range(3):
        qtbot.mouseClick(window.panel.step, LEFT)
    qtbot.waitUntil(lambda: "paused" in window.metrics.text(), timeout=2000)
    assert "nan" not in window.metrics.text().lower()
    assert np.all(np.isfinite(s.cochain))


def test_refused_pin_value_keeps_the_session(qtbot, window):
    s = window.session
    pins, c = s.pins, s.cochain.copy()
    window.wiring.drag_pin("x", 0, float("nan"))
    assert s.pins is pins
    np.testing.assert_array_equal(s.cochain, c)
    assert "finite" in window.note.text()


def test_energy_stays_under_the_predicted_envelope(qtbot, window):
    """docs/mathematics.md, “The heat flow” in the linear region of the default preset (no switches): the measured E
    never exceeds E* + (E0 − E*) exp(−2αλ_min t), E* = the dense equilibrium energy."""
    s = window.session
    s.set_rates(steps_per_frame=5)
    for _ in range(40):
        window.player.step()
    assert not s.history.events_t  # one activation pattern throughout
    t_env, e_env = window.energy.envelope.getOriginalDataset()
    t, e = window.energy.curve.getOriginalDataset()
    ref = dense_equilibrium_fixed_sigma(s.network, s.pins, s.layout,
                                        s.layout.sigma_of(s.cochain))
    e_star = 0.5 * sum(exact_discords(s.network, s.layout, ref).values())
    lay, pins = s.layout, s.pins
    # independent λ_min of L_free at the current pattern, dense
    n = lay.size
    free = [i for i in range(n) if (lay.neuron_name(i).split("[")[0],
                                    int(lay.neuron_name(i)[:-1].split("[")[1])) not in pins.hard]
    from sheafviz.core.model.sheaf import coboundary
    delta, _ = coboundary(lay, s.network, lay.sigma_of(s.cochain))
    d = delta.toarray()[:, free]
    lam = np.linalg.eigvalsh(d.T @ d)[0]
    e0 = e[0]
    expected = e_star + (e0 - e_star) * np.exp(-2 * s.rates.alpha * lam * (t_env - t_env[0]))
    np.testing.assert_allclose(e_env, expected, rtol=1e-9)
    assert np.all(e[-len(t_env):] <= e_env * (1 + 1e-9) + 1e-15)
    assert e[-1] > e_star  # approaches R from above, never below


def test_slow_solves_of_a_drag_run_off_the_gui_thread_newest_last(qtbot, window):
    """Once a solve took longer than ``async_solve_after_s`` a dragged value is solved on
    a worker thread: the shown state stays (with the busy mark) until a solve arrives; a
    value replaced while waiting is never solved, and the newest value lands last."""
    window.wiring.async_solve_after_s = 0.0  # as if every solve were slow (a wide network)
    s = window.session
    c_before, pins_before = s.cochain.copy(), s.pins
    applied = []
    s.events.state_changed.connect(
        lambda: applied.append(s.pins.hard[("y", 0)]))
    for value in (2.7, 2.9, 3.3):
        window.wiring.drag_pin("y", 0, value)
    assert s.pins == pins_before and np.array_equal(s.cochain, c_before)  # nothing yet
    assert window.wiring.solver.busy and window.busy.isVisibleTo(window)
    qtbot.waitUntil(lambda: not window.wiring.solver.busy, timeout=10000)
    assert not window.busy.isVisibleTo(window)
    assert applied == [2.7, 3.3]  # 2.7 was running and shows; 2.9 was replaced waiting
    assert s.pins.hard[("y", 0)] == 3.3
    # the very state the on-thread path gives for the same drag
    got = s.cochain.copy()
    window.wiring.async_solve_after_s = float("inf")
    window.wiring.drag_pin("y", 0, 3.2)
    window.wiring.drag_pin("y", 0, 3.3)
    np.testing.assert_array_equal(s.cochain, got)
    assert not window.wiring.solver.busy
    assert window.wiring.solve_cost_s > 0  # the on-thread solve was timed (what decides the path)


def test_a_click_during_an_off_thread_solve_wins_over_it(qtbot, window):
    window.wiring.async_solve_after_s = 0.0
    window.wiring.drag_pin("y", 0, 3.1)  # solving on the worker ...
    window.wiring.toggle_neuron("a1", 0)      # ... when a click pins a1[0]: the click is newer
    qtbot.waitUntil(lambda: not window.wiring.solver.busy, timeout=10000)
    assert window.session.pins.is_pinned("a1", 0)
    assert window.session.pins.hard[("y", 0)] != 3.1  # the superseded drag never landed

