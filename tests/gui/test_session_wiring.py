"""SessionWiring against fake views and a real Session: the view intents reach the Session
(its pins, rates, mode, selection change as a user meant), and the Session's events reach
the views with the Session's own data, one redraw per event."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import dense_coboundary
from test_wiring import FakeWindow

from sheafviz.gui.player import Player
from sheafviz.gui.wiring import SessionWiring


@pytest.fixture
def wired(qtbot):
    from sheafviz import Session

    w, s = FakeWindow(), Session.from_preset("running-241")
    qtbot.addWidget(w)
    player = Player(s)
    SessionWiring(w, s, player)
    return w, s, player


def test_clicking_a_neuron_pins_it_at_its_value_and_selects_it(wired):
    w, s, _ = wired
    value = float(s.cochain[s.layout.index("a1", 1)])
    w.graph.neuronClicked.emit("a1", 1)
    assert s.pins.is_pinned("a1", 1) and s.pins.hard[("a1", 1)] == pytest.approx(value)
    assert s.selection == ("a1", 1)
    args, kw = w.panel.last("set_selection")
    assert args == (("a1", 1),) and kw["pinned"] is True
    assert w.graph.last("set_pins") == ((s.pins, ("a1", 1)), {})
    w.drape.neuronClicked.emit("a1", 1)  # the drape's click toggles it back
    assert not s.pins.is_pinned("a1", 1)
    assert s.undo() and s.pins.is_pinned("a1", 1)  # one click = one undo step


def test_a_drag_moves_the_pin_and_the_relaxation_jumps_to_its_equilibrium(wired):
    from sheafviz.core.solvers.solve import equilibrium

    w, s, _ = wired
    w.graph.pinDragged.emit("y", 0, 3.0)
    assert s.pins.hard[("y", 0)] == 3.0
    expected = equilibrium(s.network, s.pins, sigma="auto", layout=s.layout).cochain
    np.testing.assert_allclose(s.cochain, expected, atol=1e-9)
    snap = w.graph.last("set_frame")[0][0]
    np.testing.assert_allclose(snap.cochain, expected, atol=1e-9)


@pytest.mark.parametrize("view", ["graph", "drape"])
def test_a_whole_drag_is_one_undo_step(wired, view):
    w, s, _ = wired
    v = getattr(w, view)
    before = s.pins.hard[("y", 0)]
    v.dragStarted.emit()
    for value in (2.6, 2.8, 3.1):
        v.pinDragged.emit("y", 0, value)
        assert s.pins.hard[("y", 0)] == value  # each move shows at once
    v.dragFinished.emit()
    assert s.undo()
    assert s.pins.hard[("y", 0)] == before and not s.can_undo


def test_stalk_toggle_rates_mode_and_transport(qtbot, wired):
    w, s, player = wired
    w.graph.stalkClicked.emit("z1")
    assert s.pins.stalk_pinned(s.layout, "z1")
    w.graph.stalkClicked.emit("z1")
    assert not any(s.pins.is_pinned("z1", j) for j in range(s.layout.vertex("z1").dim))
    w.panel.alphaChanged.emit(0.5)
    w.panel.dtChanged.emit(0.02)
    w.panel.stepsPerFrameChanged.emit(5)
    assert (s.rates.alpha, s.rates.dt, s.rates.steps_per_frame) == (0.5, 0.02, 5)
    assert w.panel.last("set_params")[1]["steps_per_frame"] == 5
    w.panel.stepClicked.emit()
    assert s.steps == 5
    w.panel.playClicked.emit()
    assert player.playing and w.panel.last("set_playing") == ((True,), {})
    w.panel.playClicked.emit()
    assert not player.playing
    w.panel.resetClicked.emit()
    assert s.steps == 0


def test_events_redraw_the_views_with_the_session_data(wired):
    w, s, _ = wired
    s.step(3)
    snap = w.graph.last("set_frame")[0][0]
    assert snap is s.snapshot and snap.steps == 3
    np.testing.assert_array_equal(w.bars.last("set_data")[0][0], s.snapshot.discords)
    assert w.dhist.last("set_data")[0][0] is s.history
    assert "step 3" in w.metrics.text()
    s.set_rates(alpha=0.25)
    assert w.panel.last("set_params")[1]["alpha"] == 0.25
    s.events.message.emit("careful", "warn")
    assert w.last("show_message") == (("careful", "warn"), {})
    n = len(w.graph.calls.get("set_session", []))
    w.theme.update()  # a new look: every view rebuilt in it
    assert len(w.graph.calls["set_session"]) == n + 1


def test_hover_reads_the_session(wired):
    w, s, _ = wired
    w.graph.hoverChanged.emit(("z1", 0))
    html = w.graph.last("set_hover_text")[0][0]
    assert "z1[0]" in html
    for label, value in s.neuron_info("z1", 0):
        assert label in html and value in html


def dense_free_hessian(network, layout, sigma, fixed) -> np.ndarray:
    """Independent reference: E = ½‖A c − g‖² with A built edge by edge in the tests'
    :func:`conftest.dense_coboundary`, so L_free = A_freeᵀ A_free over the coordinates not
    in ``fixed``."""
    a, _ = dense_coboundary(network, layout, sigma)
    free = np.array([i for i in range(layout.size) if i not in fixed], dtype=int)
    return a[:, free].T @ a[:, free]


def test_status_line_lambda_max_follows_the_weights_while_training(qtbot, wired):
    from sheafviz.gui import style

    w, s, _ = wired
    s.set_mode("joint")
    s.step(40)
    lay = s.layout
    c = s.cochain
    fixed = set(range(lay.vertex("x").slice.start, lay.vertex("x").slice.stop)) | \
        set(range(lay.vertex("y").slice.start, lay.vertex("y").slice.stop))
    hess = dense_free_hessian(s.network, lay, lay.sigma_of(c), fixed)
    lam = np.linalg.eigvalsh(hess)
    assert s.network is not s.initial_network  # the weights moved
    # the text refreshes at most TEXT_HZ times a second: wait for the deferred refresh
    qtbot.waitUntil(lambda: "step 40 " in w.metrics.text(), timeout=2000)
    assert f"λmax = {style.fmt(lam[-1])}" in w.metrics.text()
    start = dense_free_hessian(s.initial_network, lay, lay.sigma_of(c), fixed)
    assert style.fmt(np.linalg.eigvalsh(start)[-1]) != style.fmt(lam[-1])


def test_status_line_says_sigma_consistent_at_the_equilibrium(qtbot, wired):
    w, s, _ = wired
    s.step(1)
    qtbot.waitUntil(lambda: "σ: not settled" in w.metrics.text(), timeout=2000)
    s.equilibrium()  # a mid-flow state is not its pattern's extension; the equilibrium is
    qtbot.waitUntil(lambda: "σ: consistent" in w.metrics.text(), timeout=2000)


def test_selected_value_follows_the_state_and_pins_write_the_state_file(qtbot, wired):
    w, s, _ = wired
    s.select("a1", 0)
    s.step(5)
    qtbot.waitUntil(lambda: w.panel.calls.get("set_selected_value") and
                    w.panel.last("set_selected_value")[0][0] ==
                    pytest.approx(float(s.cochain[s.layout.index("a1", 0)])), timeout=2000)
    n = len(w.calls.get("write_state", []))
    s.pin("a1[1]", 0.25)
    assert len(w.calls["write_state"]) == n + 1


def test_window_keys_reach_the_session(wired):
    from conftest import dense_equilibrium_fixed_sigma

    w, s, player = wired
    wiring = [c for c in w.children() if isinstance(c, SessionWiring)][0]
    wiring.install_shortcuts()
    n = s.rates.steps_per_frame
    wiring.shortcuts["+"].activated.emit()
    assert s.rates.steps_per_frame == 2 * n
    wiring.shortcuts["-"].activated.emit()
    wiring.shortcuts["-"].activated.emit()
    assert s.rates.steps_per_frame == max(1, n // 2)
    s.step(3)
    wiring.shortcuts["E"].activated.emit()
    c = s.cochain
    ref = dense_equilibrium_fixed_sigma(s.network, s.pins, s.layout, s.layout.sigma_of(c))
    np.testing.assert_allclose(c, ref, atol=1e-8)


def test_a_new_session_takes_over_the_views_and_the_old_one_is_let_go(wired):
    from sheafviz import Session

    w, old, player = wired
    wiring = [c for c in w.children() if isinstance(c, SessionWiring)][0]
    new = Session.from_preset("course-221")
    wiring.set_session(new)
    assert player.session is new and wiring.session is new
    assert w.graph.last("set_session")[0][0] is new.layout
    w.graph.neuronClicked.emit("a1", 0)
    assert new.pins.is_pinned("a1", 0) and not old.pins.is_pinned("a1", 0)
    n = len(w.graph.calls["set_frame"])
    old.step(2)  # the old session no longer draws
    assert len(w.graph.calls["set_frame"]) == n
    new.step(2)
    assert w.graph.last("set_frame")[0][0] is new.snapshot
    w.panel.alphaChanged.emit(0.125)
    assert new.rates.alpha == 0.125 and old.rates.alpha != 0.125
    w.panel.stepClicked.emit()
    assert new.steps == 2 + new.rates.steps_per_frame and old.steps == 2


@pytest.fixture
def wired_data(qtbot):
    """SessionWiring on a preset with a data set (example / whole-batch intents)."""
    from sheafviz import Session

    w, s = FakeWindow(), Session.from_preset("dead-relu")
    qtbot.addWidget(w)
    player = Player(s)
    SessionWiring(w, s, player)
    return w, s, player


def test_each_panel_intent_changes_the_session(wired_data):
    from sheafviz.core.solvers.solve import equilibrium

    w, s, _ = wired_data
    p = w.panel
    p.betaChanged.emit(0.125)
    assert s.rates.beta == 0.125
    p.exampleChanged.emit(3)
    assert s.example == 3 and s.shown_example == 3
    x, y = s.data.example(3)
    assert s.pins.hard[("x", 0)] == x[0] and s.pins.hard[("y", 0)] == y[0]
    p.batchToggled.emit(True)
    assert s.example is None
    p.batchToggled.emit(False)
    assert s.example == 3
    p.pinToggled.emit("a1", 0)
    assert s.pins.is_pinned("a1", 0) and s.selection == ("a1", 0)
    p.pinValueEdited.emit("a1", 0, 0.25)
    assert s.pins.hard[("a1", 0)] == 0.25
    s.step(2)
    p.equilibriumClicked.emit()
    ref = equilibrium(s.network, s.pins, sigma="auto", layout=s.layout).cochain
    np.testing.assert_allclose(s.cochain, ref, atol=1e-9)
    p.modeChosen.emit("joint")
    assert s.mode == "joint"


def test_preset_box_busy_mark_and_hover_clearing(qtbot, wired):
    w, s, _ = wired
    w.panel.presetChosen.emit("course-221")  # the window decides (unsaved changes first)
    assert w.calls["open_preset"] == [(("course-221",), {})] and not s.pins.is_pinned("a1", 0)
    wiring = [c for c in w.children() if isinstance(c, SessionWiring)][0]
    wiring.async_solve_after_s = 0.0  # as if every solve were slow: off the GUI thread
    w.graph.pinDragged.emit("y", 0, 2.9)
    assert w.last("set_busy") == ((True,), {})
    qtbot.waitUntil(lambda: w.last("set_busy") == ((False,), {}), timeout=10000)
    assert s.pins.hard[("y", 0)] == 2.9
    w.graph.hoverChanged.emit(None)
    assert w.graph.last("set_hover_text") == (("",), {})


def test_a_feature_follows_whichever_session_the_window_shows(qtbot, wired):
    """feature_wiring.follow_session: a feature's slots move to each new session (the window's
    ``sessionChanged``), so the old session no longer reaches it."""
    from PySide6 import QtCore

    from sheafviz import Session
    from sheafviz.gui.feature_wiring import follow_session

    class Window(QtCore.QObject):
        sessionChanged = QtCore.Signal()

    _, old, _ = wired
    window = Window()
    window.session = old
    seen = []
    follow_session(window, [("pins_changed", lambda: seen.append(("pins", window.session))),
                            ("state_changed", lambda: seen.append(("state", window.session)))])
    old.pin("a1[0]", 0.5)
    assert seen == [("pins", old), ("state", old)]
    new = Session.from_preset("course-221")
    window.session = new
    window.sessionChanged.emit()
    old.pin("a1[0]", 0.7)  # the old session reaches the feature no more
    new.pin("a1[0]", 0.25)
    assert seen[2:] == [("pins", new), ("state", new)]
