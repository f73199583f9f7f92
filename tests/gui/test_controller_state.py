"""The controller's public state API: export_state / restore_state (same next steps as the
controller it came from), refusals that change nothing, seek, set_pins, settingsChanged,
and the History's own state."""

from __future__ import annotations

import numpy as np
import pytest

from sheafviz.core.flows.flowstate import FlowStateError
from sheafviz.gui.controller import Controller
from sheafviz.gui.state import History


def controller(qtbot, preset: str) -> Controller:
    ctl = Controller()
    assert ctl.load_preset(preset)
    return ctl


def frames(ctl, n: int, k: int = 5) -> None:
    for _ in range(n // k):
        ctl.advance(k)


@pytest.mark.parametrize("preset, joint", [("sliding", False), ("paraboloid", True)])
def test_restore_state_continues_like_the_original(qtbot, preset, joint):
    a = controller(qtbot, preset)
    if joint:
        a.set_mode("joint")
    frames(a, 40)
    b = controller(qtbot, preset)
    b.restore_state(a.export_state())
    assert (b.mode, b.t, b.steps) == (a.mode, a.t, a.steps)
    np.testing.assert_array_equal(b.c, a.c)
    frames(a, 50)
    frames(b, 50)
    assert b.t == a.t and b.steps == a.steps == 90
    np.testing.assert_array_equal(b.c, a.c)
    for x, y in zip(a.network.weights, b.network.weights):
        np.testing.assert_array_equal(x, y)
    ha, hb = a.history, b.history
    np.testing.assert_array_equal(ha.energy[:ha.n], hb.energy[:hb.n])


def test_restore_state_refusals_change_nothing(qtbot):
    ctl = controller(qtbot, "running-241")
    frames(ctl, 20)
    good = ctl.export_state()
    before = (ctl.c.copy(), ctl.t, ctl.steps, ctl.flow, ctl.history)
    bad_cochain = dict(good, cochain=np.zeros(3))
    bad_flow = dict(good, flow=dict(good["flow"], kind="joint"))
    bad_history = dict(good, history=dict(good["history"], energy=np.zeros(1)))
    for bad, error, text in ((bad_cochain, ValueError, "cochain"),
                             (bad_flow, FlowStateError, "cannot be resumed"),
                             (bad_history, ValueError, "history"),
                             (dict(good, mode="train"), ValueError, "mode")):
        with pytest.raises(error, match=text):
            ctl.restore_state(bad)
        np.testing.assert_array_equal(ctl.c, before[0])
        assert (ctl.t, ctl.steps) == before[1:3]
        assert ctl.flow is before[3] and ctl.history is before[4]


def test_seek_shows_a_recorded_state_and_cuts_the_history(qtbot):
    ctl = controller(qtbot, "running-241")
    frames(ctl, 10)
    t10, c10 = ctl.t, ctl.c.copy()
    frames(ctl, 30)
    seen = []
    ctl.frameChanged.connect(lambda: seen.append(ctl.steps))
    ctl.seek(t10, 10, c10)
    assert seen == [10] and ctl.flow is None and not ctl.playing
    np.testing.assert_array_equal(ctl.c, c10)
    h = ctl.history
    assert h.n > 0 and h.t[h.n - 1] <= t10
    with pytest.raises(ValueError, match="entries"):
        ctl.seek(0.0, 0, np.zeros(2))


def test_settings_changed_for_settings_only(qtbot):
    ctl = controller(qtbot, "running-241")
    n = []
    ctl.settingsChanged.connect(lambda: n.append(1))
    frames(ctl, 20)
    ctl.frameChanged.emit()
    assert not n  # the flow moving the state is not a setting
    ctl.toggle_neuron("a1", 0)
    assert n
    del n[:]
    pins_changed = []
    ctl.pinsChanged.connect(lambda: pins_changed.append(1))
    ctl.set_pin_value("a1", 0, 0.25)  # a moved value: no pinsChanged, still a setting
    assert n and not pins_changed
    del n[:]
    ctl.set_alpha(0.5)
    assert n


def test_set_pins_jump_or_continue(qtbot):
    ctl = controller(qtbot, "running-241")
    frames(ctl, 10)
    i = ctl.layout.index("a1", 1)
    c = ctl.c.copy()
    ctl.set_pins(ctl.pins.pin(ctl.layout, "a1", 0.5, 1))
    free = np.ones(c.size, bool)
    free[ctl.pins.resolve(ctl.layout).hard_index] = False
    np.testing.assert_array_equal(ctl.c[free], c[free])  # the flow continues from here
    assert ctl.c[i] == 0.5
    ctl.set_pins(ctl.pins.pin(ctl.layout, "a1", 0.7, 1), jump=True)
    np.testing.assert_allclose(ctl.c, ctl.solution.cochain)  # at the new equilibrium
    assert ctl.c[i] == pytest.approx(0.7)


def test_history_state_round_trip_keeps_the_thinning():
    rng = np.random.default_rng(0)
    a = History(3, capacity=8)
    for k in range(21):  # past the capacity twice: stride 4
        a.append(0.1 * k, float(k), rng.random(3))
    a.add_event(0.5, 2.0)
    b = History.from_state(a.state_dict(), 3)
    for k in range(21, 40):
        d = rng.random(3)
        a.append(0.1 * k, float(k), d)
        b.append(0.1 * k, float(k), d)
    assert a.n == b.n and b.events_t == [0.5]
    np.testing.assert_array_equal(a.t[:a.n], b.t[:b.n])
    np.testing.assert_array_equal(a.discords[:a.n], b.discords[:b.n])
    assert History.from_state(None, 3).n == 0
    with pytest.raises(ValueError, match="edges"):
        History.from_state(a.state_dict(), 4)
    with pytest.raises(ValueError, match="stride"):
        History.from_state(dict(a.state_dict(), stride=0), 3)
